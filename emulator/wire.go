package emulator

import "time"

// The structs in this file are the JSON shapes of the Stytch B2B API (field
// names as in the official SDK, v18). They are written for the emulator only:
// every list is non-nil and every object is an object or null, as real clients
// expect.

// envelope is carried by every successful response.
type envelope struct {
	RequestID  string `json:"request_id"`
	StatusCode int    `json:"status_code"`
}

func (e *envelope) stamp(requestID string, status int) {
	e.RequestID, e.StatusCode = requestID, status
}

// response is any successful answer.
type response interface {
	stamp(requestID string, status int)
}

type wireOrganization struct {
	OrganizationID                       string                    `json:"organization_id"`
	OrganizationName                     string                    `json:"organization_name"`
	OrganizationLogoURL                  string                    `json:"organization_logo_url"`
	OrganizationSlug                     string                    `json:"organization_slug"`
	OrganizationExternalID               string                    `json:"organization_external_id"`
	SSOJITProvisioning                   string                    `json:"sso_jit_provisioning"`
	SSOJITProvisioningAllowedConnections []string                  `json:"sso_jit_provisioning_allowed_connections"`
	SSOActiveConnections                 []wireActiveSSOConnection `json:"sso_active_connections"`
	SSODefaultConnectionID               *string                   `json:"sso_default_connection_id"`
	EmailAllowedDomains                  []string                  `json:"email_allowed_domains"`
	EmailJITProvisioning                 string                    `json:"email_jit_provisioning"`
	EmailInvites                         string                    `json:"email_invites"`
	AuthMethods                          string                    `json:"auth_methods"`
	AllowedAuthMethods                   []string                  `json:"allowed_auth_methods"`
	MFAPolicy                            string                    `json:"mfa_policy"`
	MFAMethods                           string                    `json:"mfa_methods"`
	AllowedMFAMethods                    []string                  `json:"allowed_mfa_methods"`
	RBACEmailImplicitRoleAssignments     []any                     `json:"rbac_email_implicit_role_assignments"`
	OAuthTenantJITProvisioning           string                    `json:"oauth_tenant_jit_provisioning"`
	AllowedOAuthTenants                  map[string]any            `json:"allowed_oauth_tenants"`
	ClaimedEmailDomains                  []string                  `json:"claimed_email_domains"`
	FirstPartyConnectedAppsAllowedType   string                    `json:"first_party_connected_apps_allowed_type"`
	AllowedFirstPartyConnectedApps       []string                  `json:"allowed_first_party_connected_apps"`
	ThirdPartyConnectedAppsAllowedType   string                    `json:"third_party_connected_apps_allowed_type"`
	AllowedThirdPartyConnectedApps       []string                  `json:"allowed_third_party_connected_apps"`
	CustomRoles                          []Role                    `json:"custom_roles"`
	TrustedMetadata                      map[string]any            `json:"trusted_metadata"`
	SCIMActiveConnection                 *struct{}                 `json:"scim_active_connection"`
	CreatedAt                            *time.Time                `json:"created_at"`
	UpdatedAt                            *time.Time                `json:"updated_at"`
}

type wireRoleSource struct {
	Type    string         `json:"type"`
	Details map[string]any `json:"details"`
}

type wireMemberRole struct {
	RoleID  string           `json:"role_id"`
	Sources []wireRoleSource `json:"sources"`
}

type wireMember struct {
	OrganizationID         string                `json:"organization_id"`
	MemberID               string                `json:"member_id"`
	EmailAddress           string                `json:"email_address"`
	EmailAddressVerified   bool                  `json:"email_address_verified"`
	Status                 string                `json:"status"`
	Name                   string                `json:"name"`
	SSORegistrations       []wireSSORegistration `json:"sso_registrations"`
	OAuthRegistrations     []any                 `json:"oauth_registrations"`
	RetiredEmailAddresses  []any                 `json:"retired_email_addresses"`
	IsBreakglass           bool                  `json:"is_breakglass"`
	IsAdmin                bool                  `json:"is_admin"`
	IsLocked               bool                  `json:"is_locked"`
	MemberPasswordID       string                `json:"member_password_id"`
	MFAEnrolled            bool                  `json:"mfa_enrolled"`
	MFAPhoneNumber         string                `json:"mfa_phone_number"`
	MFAPhoneNumberVerified bool                  `json:"mfa_phone_number_verified"`
	DefaultMFAMethod       string                `json:"default_mfa_method"`
	TOTPRegistrationID     string                `json:"totp_registration_id"`
	Roles                  []wireMemberRole      `json:"roles"`
	TrustedMetadata        map[string]any        `json:"trusted_metadata"`
	UntrustedMetadata      map[string]any        `json:"untrusted_metadata"`
	ExternalID             string                `json:"external_id"`
	SCIMRegistration       *struct{}             `json:"scim_registration"`
	CreatedAt              *time.Time            `json:"created_at"`
	UpdatedAt              *time.Time            `json:"updated_at"`
	LockCreatedAt          *time.Time            `json:"lock_created_at"`
	LockExpiresAt          *time.Time            `json:"lock_expires_at"`
}

type wireEmailFactor struct {
	EmailID      string `json:"email_id"`
	EmailAddress string `json:"email_address"`
}

type wirePhoneFactor struct {
	PhoneID     string `json:"phone_id"`
	PhoneNumber string `json:"phone_number"`
}

type wireAuthenticatorAppFactor struct {
	TOTPID string `json:"totp_id"`
}

type wireRecoveryCodeFactor struct {
	TOTPRecoveryCodeID string `json:"totp_recovery_code_id"`
}

type wireOAuthFactor struct {
	ID              string `json:"id"`
	ProviderSubject string `json:"provider_subject"`
	EmailID         string `json:"email_id"`
}

type wireFactor struct {
	Type                   string                      `json:"type"`
	DeliveryMethod         string                      `json:"delivery_method"`
	LastAuthenticatedAt    *time.Time                  `json:"last_authenticated_at"`
	CreatedAt              *time.Time                  `json:"created_at"`
	UpdatedAt              *time.Time                  `json:"updated_at"`
	EmailFactor            *wireEmailFactor            `json:"email_factor,omitempty"`
	PhoneNumberFactor      *wirePhoneFactor            `json:"phone_number_factor,omitempty"`
	AuthenticatorAppFactor *wireAuthenticatorAppFactor `json:"authenticator_app_factor,omitempty"`
	RecoveryCodeFactor     *wireRecoveryCodeFactor     `json:"recovery_code_factor,omitempty"`
	GoogleOAuthFactor      *wireOAuthFactor            `json:"google_oauth_factor,omitempty"`
	MicrosoftOAuthFactor   *wireOAuthFactor            `json:"microsoft_oauth_factor,omitempty"`
	GithubOAuthFactor      *wireOAuthFactor            `json:"github_oauth_factor,omitempty"`
	HubspotOAuthFactor     *wireOAuthFactor            `json:"hubspot_oauth_factor,omitempty"`
	SlackOAuthFactor       *wireOAuthFactor            `json:"slack_oauth_factor,omitempty"`
	SAMLSSOFactor          *wireSSOFactor              `json:"saml_sso_factor,omitempty"`
	OIDCSSOFactor          *wireSSOFactor              `json:"oidc_sso_factor,omitempty"`
}

type wireMemberSession struct {
	MemberSessionID       string         `json:"member_session_id"`
	MemberID              string         `json:"member_id"`
	OrganizationID        string         `json:"organization_id"`
	OrganizationSlug      string         `json:"organization_slug"`
	StartedAt             *time.Time     `json:"started_at"`
	LastAccessedAt        *time.Time     `json:"last_accessed_at"`
	ExpiresAt             *time.Time     `json:"expires_at"`
	AuthenticationFactors []wireFactor   `json:"authentication_factors"`
	Roles                 []string       `json:"roles"`
	CustomClaims          map[string]any `json:"custom_claims"`
}

type wireMemberOptions struct {
	MFAPhoneNumber     string `json:"mfa_phone_number"`
	TOTPRegistrationID string `json:"totp_registration_id"`
}

type wireMFARequired struct {
	MemberOptions          *wireMemberOptions `json:"member_options"`
	SecondaryAuthInitiated *string            `json:"secondary_auth_initiated"`
}

type wirePrimaryRequired struct {
	AllowedAuthMethods []string `json:"allowed_auth_methods"`
}

type wireMembership struct {
	Type    string         `json:"type"`
	Details map[string]any `json:"details"`
	Member  *wireMember    `json:"member"`
}

type wireDiscoveredOrganization struct {
	MemberAuthenticated bool                 `json:"member_authenticated"`
	Organization        *wireOrganization    `json:"organization"`
	Membership          *wireMembership      `json:"membership"`
	PrimaryRequired     *wirePrimaryRequired `json:"primary_required"`
	MFARequired         *wireMFARequired     `json:"mfa_required"`
}

type wireVerdict struct {
	Authorized    bool     `json:"authorized"`
	GrantingRoles []string `json:"granting_roles"`
}

type wireAuthorizationCheck struct {
	OrganizationID string `json:"organization_id"`
	ResourceID     string `json:"resource_id"`
	Action         string `json:"action"`
}

type wireJWK struct {
	Kty    string   `json:"kty"`
	Use    string   `json:"use"`
	KeyOps []string `json:"key_ops"`
	Alg    string   `json:"alg"`
	Kid    string   `json:"kid"`
	N      string   `json:"n"`
	E      string   `json:"e"`
}

// wireSessionClaim is the "https://stytch.com/session" JWT claim.
type wireSessionClaim struct {
	ID                    string         `json:"id"`
	StartedAt             string         `json:"started_at"`
	LastAccessedAt        string         `json:"last_accessed_at"`
	ExpiresAt             string         `json:"expires_at"`
	Attributes            wireAttributes `json:"attributes"`
	AuthenticationFactors []wireFactor   `json:"authentication_factors"`
	Roles                 []string       `json:"roles"`
}

type wireAttributes struct {
	IPAddress string `json:"ip_address"`
	UserAgent string `json:"user_agent"`
}

type wireOrganizationClaim struct {
	OrganizationID string `json:"organization_id"`
	Slug           string `json:"slug"`
}

// sessionResponse is shared by every call that may end in a member session:
// intermediate session exchange, organization create, sessions exchange and
// migrate.
type sessionResponse struct {
	envelope
	MemberID                          string               `json:"member_id"`
	SessionToken                      string               `json:"session_token"`
	SessionJWT                        string               `json:"session_jwt"`
	Member                            wireMember           `json:"member"`
	Organization                      wireOrganization     `json:"organization"`
	MemberAuthenticated               bool                 `json:"member_authenticated"`
	IntermediateSessionToken          string               `json:"intermediate_session_token"`
	IntermediateSessionTokenExpiresAt *time.Time           `json:"intermediate_session_token_expires_at"`
	MemberSession                     *wireMemberSession   `json:"member_session"`
	MFARequired                       *wireMFARequired     `json:"mfa_required"`
	PrimaryRequired                   *wirePrimaryRequired `json:"primary_required"`
}

// mfaResponse answers the MFA calls (SMS OTP, TOTP and recovery code
// authenticate).
type mfaResponse struct {
	envelope
	MemberID      string             `json:"member_id"`
	Member        wireMember         `json:"member"`
	Organization  wireOrganization   `json:"organization"`
	SessionToken  string             `json:"session_token"`
	SessionJWT    string             `json:"session_jwt"`
	MemberSession *wireMemberSession `json:"member_session"`
}

// memberResponse answers the calls about one member that create no session.
type memberResponse struct {
	envelope
	MemberID     string           `json:"member_id"`
	Member       wireMember       `json:"member"`
	Organization wireOrganization `json:"organization"`
}

// emptyResponse carries only the envelope.
type emptyResponse struct {
	envelope
}

// wireTime returns t in UTC to the second, as Stytch writes times, or nil for
// the zero time so that it is written as null.
func wireTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC().Truncate(time.Second)
	return &u
}

func claimTime(t time.Time) string {
	return t.UTC().Truncate(time.Second).Format(time.RFC3339)
}
