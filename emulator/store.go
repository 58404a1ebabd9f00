package emulator

import (
	"maps"
	"slices"
	"strings"
	"time"
)

// The records in this file are the emulator's state. They are guarded by
// Server.mu.

const (
	mfaPolicyRequired = "REQUIRED_FOR_ALL"
	mfaPolicyOptional = "OPTIONAL"

	mfaSMS  = "sms_otp"
	mfaTOTP = "totp"

	memberActive  = "active"
	memberInvited = "invited"
	memberPending = "pending"

	roleAdmin  = "stytch_admin"
	roleMember = "stytch_member"
)

type organization struct {
	id                  string
	name                string
	slug                string
	mfaPolicy           string
	allowedMFAMethods   []string
	emailAllowedDomains []string
	emailJIT            string
	allowedAuthMethods  []string
	customRoles         []Role
	trustedMetadata     map[string]any
	created, updated    time.Time
	// The rest of the login policy; see organizations.go.
	emailInvites      string
	ssoJIT            string
	ssoJITConnections []string
	ssoDefault        string
	ssoConnections    []*ssoConnection
}

// allowsMFA reports whether the organization accepts an MFA method; an empty
// allowed_mfa_methods list means every method.
func (o *organization) allowsMFA(method string) bool {
	return len(o.allowedMFAMethods) == 0 || slices.Contains(o.allowedMFAMethods, method)
}

// eligibleDomain returns the email's domain when the organization lets anyone
// of that domain join by email (JIT provisioning).
func (o *organization) eligibleDomain(email string) (string, bool) {
	if o.emailJIT != "RESTRICTED" {
		return "", false
	}
	_, domain, ok := strings.Cut(strings.ToLower(email), "@")
	if !ok {
		return "", false
	}
	for _, d := range o.emailAllowedDomains {
		if strings.EqualFold(d, domain) {
			return domain, true
		}
	}
	return "", false
}

type totpRegistration struct {
	id       string
	secret   string
	verified bool
	lastStep int64
	recovery []recoveryCode
	created  time.Time
}

type recoveryCode struct {
	id   string
	code string
	used bool
}

func (t *totpRegistration) unusedCodes() []string {
	codes := []string{}
	for _, c := range t.recovery {
		if !c.used {
			codes = append(codes, c.code)
		}
	}
	return codes
}

type member struct {
	id                string
	orgID             string
	email             string
	emailID           string
	name              string
	status            string
	phone             string
	phoneID           string
	phoneVerified     bool
	mfaEnrolled       bool
	defaultMFAMethod  string
	roles             []string
	totp              *totpRegistration
	ssoRegistrations  []wireSSORegistration
	password          *memberPassword // nil: no password set
	trustedMetadata   map[string]any
	untrustedMetadata map[string]any
	created, updated  time.Time
}

// roleIDs lists the member's roles; every member has stytch_member.
func (m *member) roleIDs() []string {
	ids := []string{roleMember}
	for _, r := range m.roles {
		if !slices.Contains(ids, r) {
			ids = append(ids, r)
		}
	}
	return ids
}

// totpID is the member's verified TOTP registration, or "".
func (m *member) totpID() string {
	if m.totp == nil || !m.totp.verified {
		return ""
	}
	return m.totp.id
}

// factor is one authentication factor of a session or intermediate session.
type factor struct {
	typ, method     string
	at, created     time.Time
	email, emailID  string
	phone, phoneID  string
	totpID          string
	recoveryID      string
	provider        string // the OAuth provider, or the SSO connection id
	providerSubject string
}

// isMFA reports whether the factor is a second factor. A one-time code by
// email is a primary factor; by SMS it is a second one.
func (f factor) isMFA() bool {
	return (f.typ == "otp" && f.method == "sms") || f.typ == "totp" || f.typ == "recovery_codes"
}

// primaryFactors returns the factors that are not second factors, in a new
// slice (nil when there are none).
func primaryFactors(list []factor) []factor {
	var out []factor
	for _, f := range list {
		if !f.isMFA() {
			out = append(out, f)
		}
	}
	return out
}

// addFactor records f, replacing an earlier factor of the same kind so the
// list keeps one entry per factor with its latest authentication time.
func addFactor(list []factor, f factor) []factor {
	out := slices.Clone(list)
	for i, old := range out {
		if old.typ == f.typ && old.method == f.method {
			f.created = old.created
			out[i] = f
			return out
		}
	}
	return append(out, f)
}

type session struct {
	id                             string
	token                          string
	memberID, orgID                string
	started, lastAccessed, expires time.Time
	factors                        []factor
	customClaims                   map[string]any
	revoked                        bool
}

func (s *session) live(now time.Time) bool {
	return !s.revoked && now.Before(s.expires)
}

// intermediateSession is an IST: a primary authentication not yet turned into
// a session. Once exchanged for an organization whose member must do MFA it
// is bound to that member.
type intermediateSession struct {
	token    string
	email    string
	factors  []factor
	expires  time.Time
	consumed bool
	orgID    string
	memberID string
}

func (i *intermediateSession) live(now time.Time) bool {
	return !i.consumed && now.Before(i.expires)
}

type magicLink struct {
	email string
	pkceGrant
}

type oauthToken struct {
	email           string
	provider        string
	providerSubject string
	pkceGrant
}

type otpCode struct {
	sentCode
	phone string
}

func renderOrganization(o *organization) wireOrganization {
	mfaMethods := "ALL_ALLOWED"
	if len(o.allowedMFAMethods) > 0 {
		mfaMethods = "RESTRICTED"
	}
	authMethods := "ALL_ALLOWED"
	if len(o.allowedAuthMethods) > 0 {
		authMethods = "RESTRICTED"
	}
	return wireOrganization{
		OrganizationID:                       o.id,
		OrganizationName:                     o.name,
		OrganizationSlug:                     o.slug,
		SSOJITProvisioning:                   o.ssoJIT,
		SSOJITProvisioningAllowedConnections: nonNil(o.ssoJITConnections),
		SSOActiveConnections:                 activeSSOConnections(o),
		SSODefaultConnectionID:               nullable(o.ssoDefault),
		EmailAllowedDomains:                  nonNil(o.emailAllowedDomains),
		EmailJITProvisioning:                 o.emailJIT,
		EmailInvites:                         o.emailInvites,
		AuthMethods:                          authMethods,
		AllowedAuthMethods:                   nonNil(o.allowedAuthMethods),
		MFAPolicy:                            o.mfaPolicy,
		MFAMethods:                           mfaMethods,
		AllowedMFAMethods:                    nonNil(o.allowedMFAMethods),
		RBACEmailImplicitRoleAssignments:     []any{},
		OAuthTenantJITProvisioning:           "NOT_ALLOWED",
		AllowedOAuthTenants:                  map[string]any{},
		ClaimedEmailDomains:                  []string{},
		// The emulator has no connected apps; Stytch's default lets all in.
		FirstPartyConnectedAppsAllowedType: "ALL_ALLOWED",
		AllowedFirstPartyConnectedApps:     []string{},
		ThirdPartyConnectedAppsAllowedType: "ALL_ALLOWED",
		AllowedThirdPartyConnectedApps:     []string{},
		CustomRoles:                        nonNil(o.customRoles),
		TrustedMetadata:                    nonNilMap(o.trustedMetadata),
		CreatedAt:                          wireTime(o.created),
		UpdatedAt:                          wireTime(o.updated),
	}
}

func renderMember(m *member) wireMember {
	roles := []wireMemberRole{}
	for _, id := range m.roleIDs() {
		roles = append(roles, wireMemberRole{
			RoleID:  id,
			Sources: []wireRoleSource{{Type: "direct_assignment"}},
		})
	}
	return wireMember{
		OrganizationID:         m.orgID,
		MemberID:               m.id,
		EmailAddress:           m.email,
		EmailAddressVerified:   m.status == memberActive,
		Status:                 m.status,
		Name:                   m.name,
		SSORegistrations:       nonNil(m.ssoRegistrations),
		OAuthRegistrations:     []any{},
		RetiredEmailAddresses:  []any{},
		IsAdmin:                slices.Contains(m.roles, roleAdmin),
		MemberPasswordID:       m.passwordID(),
		MFAEnrolled:            m.mfaEnrolled,
		MFAPhoneNumber:         m.phone,
		MFAPhoneNumberVerified: m.phoneVerified,
		DefaultMFAMethod:       m.defaultMFAMethod,
		TOTPRegistrationID:     m.totpID(),
		Roles:                  roles,
		TrustedMetadata:        nonNilMap(m.trustedMetadata),
		UntrustedMetadata:      nonNilMap(m.untrustedMetadata),
		CreatedAt:              wireTime(m.created),
		UpdatedAt:              wireTime(m.updated),
	}
}

func renderFactor(f factor) wireFactor {
	w := wireFactor{
		Type:                f.typ,
		DeliveryMethod:      f.method,
		LastAuthenticatedAt: wireTime(f.at),
		CreatedAt:           wireTime(f.created),
		UpdatedAt:           wireTime(f.at),
	}
	switch {
	case f.typ == "magic_link":
		w.EmailFactor = &wireEmailFactor{EmailID: f.emailID, EmailAddress: f.email}
	case f.typ == "otp" && f.method == "email":
		w.EmailFactor = &wireEmailFactor{EmailID: f.emailID, EmailAddress: f.email}
	case f.typ == "otp":
		w.PhoneNumberFactor = &wirePhoneFactor{PhoneID: f.phoneID, PhoneNumber: f.phone}
	case f.typ == "totp":
		w.AuthenticatorAppFactor = &wireAuthenticatorAppFactor{TOTPID: f.totpID}
	case f.typ == "recovery_codes":
		w.RecoveryCodeFactor = &wireRecoveryCodeFactor{TOTPRecoveryCodeID: f.recoveryID}
	case f.typ == "sso":
		sso := &wireSSOFactor{ID: f.providerSubject, ProviderID: f.provider, ExternalID: f.providerSubject}
		if f.method == "sso_oidc" {
			w.OIDCSSOFactor = sso
		} else {
			w.SAMLSSOFactor = sso
		}
	case strings.HasPrefix(f.method, "oauth_"):
		o := &wireOAuthFactor{ID: f.providerSubject, ProviderSubject: f.providerSubject, EmailID: f.emailID}
		switch strings.TrimPrefix(f.method, "oauth_") {
		case "google":
			w.GoogleOAuthFactor = o
		case "microsoft":
			w.MicrosoftOAuthFactor = o
		case "github":
			w.GithubOAuthFactor = o
		case "hubspot":
			w.HubspotOAuthFactor = o
		case "slack":
			w.SlackOAuthFactor = o
		}
	}
	return w
}

func renderFactors(list []factor) []wireFactor {
	out := make([]wireFactor, 0, len(list))
	for _, f := range list {
		out = append(out, renderFactor(f))
	}
	return out
}

func renderSession(s *session, o *organization, m *member) wireMemberSession {
	return wireMemberSession{
		MemberSessionID:       s.id,
		MemberID:              s.memberID,
		OrganizationID:        s.orgID,
		OrganizationSlug:      o.slug,
		StartedAt:             wireTime(s.started),
		LastAccessedAt:        wireTime(s.lastAccessed),
		ExpiresAt:             wireTime(s.expires),
		AuthenticationFactors: renderFactors(s.factors),
		Roles:                 m.roleIDs(),
		CustomClaims:          nonNilMap(s.customClaims),
	}
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return slices.Clone(s)
}

func nonNilMap(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return maps.Clone(m)
}
