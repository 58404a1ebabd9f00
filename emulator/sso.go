package emulator

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// SSO. Stytch speaks SAML or OIDC with the identity provider itself; the
// emulator plays the IdP with the consent page, which asks which email signs
// in, then redirects to the app with stytch_token_type=sso and a token for
// POST /v1/b2b/sso/authenticate, bound to the PKCE challenge of the start.

// ssoTokenLifetime is how long an SSO token may be authenticated.
const ssoTokenLifetime = 10 * time.Minute

// Error types of SSO.
const (
	errSSOTokenNotFound      = "sso_token_not_found"
	errSSOConnectionNotFound = "sso_connection_not_found"
	errNoSSOConnection       = "no_sso_connection_exists_for_organization"
)

// SSOConnectionSeed describes an SSO connection of an organization.
type SSOConnectionSeed struct {
	// ID fixes the connection id; default a new "saml-connection-test-<uuid>"
	// or "oidc-connection-test-<uuid>".
	ID string `json:"connection_id,omitempty"`
	// Type is "saml" (default) or "oidc".
	Type string `json:"type,omitempty"`
	// DisplayName is shown on the emulated IdP page; default "<Type> connection".
	DisplayName string `json:"display_name,omitempty"`
	// IdentityProvider is e.g. "okta" or "microsoft-entra"; default "generic".
	IdentityProvider string `json:"identity_provider,omitempty"`
	// Status is "active" (default) or "pending"; only active connections log in.
	Status string `json:"status,omitempty"`
}

type ssoConnection struct {
	id, orgID        string
	typ              string // "saml" or "oidc"
	displayName      string
	identityProvider string
	status           string
}

type ssoToken struct {
	connectionID string
	email        string
	externalID   string
	pkceGrant
}

type wireActiveSSOConnection struct {
	ConnectionID     string `json:"connection_id"`
	DisplayName      string `json:"display_name"`
	IdentityProvider string `json:"identity_provider"`
}

type wireSSORegistration struct {
	ConnectionID   string         `json:"connection_id"`
	ExternalID     string         `json:"external_id"`
	RegistrationID string         `json:"registration_id"`
	SSOAttributes  map[string]any `json:"sso_attributes"`
}

type wireSSOFactor struct {
	ID         string `json:"id"`
	ProviderID string `json:"provider_id"`
	ExternalID string `json:"external_id"`
}

// connection finds one of the organization's connections by id or display name.
func (o *organization) connection(ref string) *ssoConnection {
	for _, c := range o.ssoConnections {
		if c.id == ref || c.displayName == ref {
			return c
		}
	}
	return nil
}

func activeSSOConnections(o *organization) []wireActiveSSOConnection {
	out := []wireActiveSSOConnection{}
	for _, c := range o.ssoConnections {
		if c.status == "active" {
			out = append(out, wireActiveSSOConnection{ConnectionID: c.id, DisplayName: c.displayName, IdentityProvider: c.identityProvider})
		}
	}
	return out
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// AddSSOConnection adds an SSO connection to an organization named by id or
// slug and returns its id. The first active connection becomes the
// organization's default.
func (s *Server) AddSSOConnection(organization string, seed SSOConnectionSeed) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.orgByIDOrSlug(organization)
	if o == nil {
		return "", fmt.Errorf("b2bauth: emulator: add sso connection: unknown organization %q", organization)
	}
	c, err := s.newSSOConnectionLocked(o, seed, s.cfg.clock())
	if err != nil {
		return "", fmt.Errorf("b2bauth: emulator: add sso connection: %w", err)
	}
	return c.id, nil
}

// newSSOConnectionLocked validates and adds a connection to o; s.mu must be held.
func (s *Server) newSSOConnectionLocked(o *organization, seed SSOConnectionSeed, _ time.Time) (*ssoConnection, error) {
	typ := seed.Type
	if typ == "" {
		typ = "saml"
	}
	if typ != "saml" && typ != "oidc" {
		return nil, fmt.Errorf("invalid sso connection type %q (saml or oidc)", seed.Type)
	}
	status := seed.Status
	if status == "" {
		status = "active"
	}
	if status != "active" && status != "pending" {
		return nil, fmt.Errorf("invalid sso connection status %q", seed.Status)
	}
	id := seed.ID
	if id == "" {
		id = newID(typ + "-connection")
	}
	if s.connectionLocked(id) != nil || o.connection(id) != nil {
		return nil, fmt.Errorf("sso connection id %q already used", id)
	}
	c := &ssoConnection{id: id, orgID: o.id, typ: typ, displayName: seed.DisplayName,
		identityProvider: seed.IdentityProvider, status: status}
	if c.displayName == "" {
		c.displayName = strings.ToUpper(typ) + " connection"
	}
	if c.identityProvider == "" {
		c.identityProvider = "generic"
	}
	o.ssoConnections = append(o.ssoConnections, c)
	if o.ssoDefault == "" && status == "active" {
		o.ssoDefault = id
	}
	return c, nil
}

// connectionLocked finds a connection of any organization by id.
func (s *Server) connectionLocked(id string) *ssoConnection {
	for _, oid := range s.orgOrder {
		for _, c := range s.orgs[oid].ssoConnections {
			if c.id == id {
				return c
			}
		}
	}
	return nil
}

// SSOToken stands in for an identity provider's answer: it returns a
// single-use sso_token of connectionID for email, valid 10 minutes, to pass
// to POST /v1/b2b/sso/authenticate. Of the options only [WithPKCEChallenge]
// applies.
func (s *Server) SSOToken(connectionID, email string, opts ...OAuthOption) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.connectionLocked(connectionID) == nil {
		return "", fmt.Errorf("b2bauth: emulator: unknown sso connection %q", connectionID)
	}
	var o oauthToken
	for _, opt := range opts {
		opt.applyOAuth(&o)
	}
	return s.newSSOTokenLocked(connectionID, email, o.pkceChallenge), nil
}

func (s *Server) newSSOTokenLocked(connectionID, email, challenge string) string {
	s.org.init()
	tok := newToken()
	s.org.sso[tok] = &ssoToken{connectionID: connectionID, email: strings.ToLower(email),
		externalID: "idp-subject-" + newUUID(), pkceGrant: pkceGrant{pkceChallenge: challenge, expires: s.cfg.clock().Add(ssoTokenLifetime)}}
	return tok
}

type wireSAMLConnection struct {
	OrganizationID                        string         `json:"organization_id"`
	ConnectionID                          string         `json:"connection_id"`
	Status                                string         `json:"status"`
	IDPEntityID                           string         `json:"idp_entity_id"`
	DisplayName                           string         `json:"display_name"`
	IDPSSOURL                             string         `json:"idp_sso_url"`
	AcsURL                                string         `json:"acs_url"`
	AudienceURI                           string         `json:"audience_uri"`
	SigningCertificates                   []any          `json:"signing_certificates"`
	VerificationCertificates              []any          `json:"verification_certificates"`
	EncryptionPrivateKeys                 []any          `json:"encryption_private_keys"`
	SAMLConnectionImplicitRoleAssignments []any          `json:"saml_connection_implicit_role_assignments"`
	SAMLGroupImplicitRoleAssignments      []any          `json:"saml_group_implicit_role_assignments"`
	AlternativeAudienceURI                string         `json:"alternative_audience_uri"`
	IdentityProvider                      string         `json:"identity_provider"`
	NameidFormat                          string         `json:"nameid_format"`
	AlternativeAcsURL                     string         `json:"alternative_acs_url"`
	IDPInitiatedAuthDisabled              bool           `json:"idp_initiated_auth_disabled"`
	AllowGatewayCallback                  bool           `json:"allow_gateway_callback"`
	AttributeMapping                      map[string]any `json:"attribute_mapping"`
}

type wireOIDCConnection struct {
	OrganizationID   string         `json:"organization_id"`
	ConnectionID     string         `json:"connection_id"`
	Status           string         `json:"status"`
	DisplayName      string         `json:"display_name"`
	RedirectURL      string         `json:"redirect_url"`
	ClientID         string         `json:"client_id"`
	ClientSecret     string         `json:"client_secret"`
	Issuer           string         `json:"issuer"`
	AuthorizationURL string         `json:"authorization_url"`
	TokenURL         string         `json:"token_url"`
	UserinfoURL      string         `json:"userinfo_url"`
	JWKSURL          string         `json:"jwks_url"`
	IdentityProvider string         `json:"identity_provider"`
	CustomScopes     string         `json:"custom_scopes"`
	AttributeMapping map[string]any `json:"attribute_mapping"`
}

type ssoConnectionsResponse struct {
	envelope
	SAMLConnections     []wireSAMLConnection `json:"saml_connections"`
	OIDCConnections     []wireOIDCConnection `json:"oidc_connections"`
	ExternalConnections []any                `json:"external_connections"`
}

// handleSSOConnections answers GET /v1/b2b/sso/{organization_id}.
func (s *Server) handleSSOConnections(r *http.Request) (response, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, err := s.lookupOrgOrSlug(r.PathValue("organization_id"))
	if err != nil {
		return nil, err
	}
	res := &ssoConnectionsResponse{SAMLConnections: []wireSAMLConnection{}, OIDCConnections: []wireOIDCConnection{}, ExternalConnections: []any{}}
	idp := "https://idp.emulator.test/"
	for _, c := range o.ssoConnections {
		if c.typ == "oidc" {
			res.OIDCConnections = append(res.OIDCConnections, wireOIDCConnection{
				OrganizationID: o.id, ConnectionID: c.id, Status: c.status, DisplayName: c.displayName,
				RedirectURL: s.url + "/v1/b2b/sso/callback/" + c.id, ClientID: "client-" + c.id,
				Issuer: idp + c.id, AuthorizationURL: idp + c.id + "/authorize", TokenURL: idp + c.id + "/token",
				UserinfoURL: idp + c.id + "/userinfo", JWKSURL: idp + c.id + "/jwks", IdentityProvider: c.identityProvider,
				AttributeMapping: map[string]any{},
			})
			continue
		}
		res.SAMLConnections = append(res.SAMLConnections, wireSAMLConnection{
			OrganizationID: o.id, ConnectionID: c.id, Status: c.status, DisplayName: c.displayName,
			IDPEntityID: idp + c.id, IDPSSOURL: idp + c.id + "/sso", AcsURL: s.url + "/v1/b2b/sso/callback/" + c.id,
			AudienceURI: s.url + "/v1/b2b/sso/callback/" + c.id, SigningCertificates: []any{}, VerificationCertificates: []any{},
			EncryptionPrivateKeys: []any{}, SAMLConnectionImplicitRoleAssignments: []any{}, SAMLGroupImplicitRoleAssignments: []any{},
			IdentityProvider: c.identityProvider, NameidFormat: "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
			AttributeMapping: map[string]any{"email": "email", "full_name": "name"},
		})
	}
	return res, nil
}

// handleSSOStart answers GET /v1/public/sso/start: the emulated IdP page of
// the connection (connection_id, or organization_id for its default).
func (s *Server) handleSSOStart(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if err := s.checkPublicToken(q); err != nil {
		s.writeError(w, err)
		return
	}
	login, signup, err := s.startRedirects(q)
	if err != nil {
		s.writeError(w, asAPIError(err))
		return
	}
	s.mu.Lock()
	c, apiErr := s.startConnectionLocked(q.Get("connection_id"), q.Get("organization_id"))
	var emails []string
	if c != nil {
		emails = s.memberEmailsLocked(c.orgID)
	}
	s.mu.Unlock()
	if apiErr != nil {
		s.writeError(w, apiErr)
		return
	}
	writeConsent(w, consent{Name: c.displayName, Action: "/_emulator/sso/consent", Choices: emails,
		Hidden: []field{{"connection_id", c.id}, {"login_redirect_url", login}, {"signup_redirect_url", signup},
			{"pkce_code_challenge", q.Get("pkce_code_challenge")}}})
}

// startConnectionLocked finds the active connection an SSO start names.
func (s *Server) startConnectionLocked(connectionID, orgRef string) (*ssoConnection, *apiError) {
	var c *ssoConnection
	switch {
	case connectionID != "":
		c = s.connectionLocked(connectionID)
	case orgRef != "":
		o, err := s.lookupOrgOrSlug(orgRef)
		if err != nil {
			return nil, asAPIError(err)
		}
		if o.ssoDefault == "" {
			return nil, notFound(errNoSSOConnection, "the organization has no default SSO connection")
		}
		c = o.connection(o.ssoDefault)
	default:
		return nil, badRequest("connection_id or organization_id is required").withDetail("field", "connection_id")
	}
	if c == nil || c.status != "active" {
		return nil, notFound(errSSOConnectionNotFound, "no active SSO connection "+connectionID)
	}
	return c, nil
}

// handleSSOConsent answers the emulated IdP's form: it mints the SSO token
// and sends the browser to the login redirect URL, or the signup one when
// the email is not yet a member.
func (s *Server) handleSSOConsent(w http.ResponseWriter, r *http.Request) {
	if err := formRequest(w, r); err != nil {
		s.writeError(w, asAPIError(err))
		return
	}
	f := r.PostForm
	email, apiErr := consentEmail(f)
	if apiErr != nil {
		s.writeError(w, apiErr)
		return
	}
	s.mu.Lock()
	var target string
	var err error
	c, apiErr := s.startConnectionLocked(f.Get("connection_id"), "")
	if apiErr != nil {
		err = apiErr
	} else {
		token := s.newSSOTokenLocked(c.id, email, f.Get("pkce_code_challenge"))
		target, err = s.signInRedirectLocked(f, c.orgID, email, "sso", token)
	}
	s.mu.Unlock()
	if err != nil {
		s.writeError(w, asAPIError(err))
		return
	}
	s.log.Info("emulator: sso sign-in", "connection_id", c.id, "email", email)
	http.Redirect(w, r, target, http.StatusSeeOther)
}

type ssoAuthenticateParams struct {
	orgAuthParams
	SSOToken         string `json:"sso_token"`
	PkceCodeVerifier string `json:"pkce_code_verifier"`
}

// handleSSOAuthenticate answers POST /v1/b2b/sso/authenticate.
func (s *Server) handleSSOAuthenticate(r *http.Request) (response, error) {
	var p ssoAuthenticateParams
	if err := decode(r, &p); err != nil {
		return nil, err
	}
	return authenticateOrgToken(s, "sso_token", p.SSOToken, p.PkceCodeVerifier, p.orgAuthParams,
		func() map[string]*ssoToken { return s.org.sso },
		notFound(errSSOTokenNotFound, "the SSO token is not valid: unknown, expired or already used"),
		func(now time.Time, t *ssoToken) (*orgAuthResponse, error) {
			t.used = true
			c := s.connectionLocked(t.connectionID)
			if c == nil || c.status != "active" {
				return nil, notFound(errSSOConnectionNotFound, "the SSO connection of the token is gone or not active")
			}
			o := s.orgs[c.orgID]
			if err := requireAuthMethod(o, "sso"); err != nil {
				return nil, err
			}
			f := factor{typ: "sso", method: "sso_" + c.typ, at: now, created: now, email: t.email,
				emailID: s.emailIDLocked(t.email), provider: c.id, providerSubject: t.externalID}
			res, err := s.finishPrimaryLocked(now, primaryAuth{
				org: o, email: t.email, factor: f, params: p.orgAuthParams,
				provision: func() (*member, error) {
					if o.ssoJIT == policyNotAllowed || (o.ssoJIT == policyRestricted && !slices.Contains(o.ssoJITConnections, c.id)) {
						return nil, forbidden(errConnectionNotAllowedForJIT, "the connection may not provision new members (sso_jit_provisioning is "+o.ssoJIT+")")
					}
					return s.newMember(MemberSeed{Organization: o.id, Email: t.email})
				},
			})
			if err != nil {
				return nil, err
			}
			if m := s.members[res.MemberID]; m != nil && !slices.ContainsFunc(m.ssoRegistrations, func(r wireSSORegistration) bool { return r.ConnectionID == c.id }) {
				m.ssoRegistrations = append(m.ssoRegistrations, wireSSORegistration{ConnectionID: c.id, ExternalID: t.externalID,
					RegistrationID: newID("sso-registration"), SSOAttributes: map[string]any{}})
				res.Member = renderMember(m)
			}
			res.ResetSession = new(bool)
			return res, nil
		})
}
