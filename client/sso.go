package client

import (
	"context"
	"net/http"
	"net/url"
)

// SSOService lists an organization's SSO connections and authenticates SSO
// logins. Stytch speaks SAML or OIDC with the identity provider itself: the
// browser starts at [SSOService.StartURL] and comes back with a token for
// [SSOService.Authenticate]. Get it from [Client.SSO].
type SSOService struct {
	c *Client
}

// SSOGetConnectionsParams names the organization whose connections to list.
type SSOGetConnectionsParams struct {
	// OrganizationID is the organization's ID (Stytch also accepts its slug).
	OrganizationID string `json:"organization_id,omitempty"`
}

// SAMLConnection is an organization's SAML connection.
type SAMLConnection struct {
	// OrganizationID identifies the organization.
	OrganizationID string `json:"organization_id,omitempty"`
	// ConnectionID identifies the connection.
	ConnectionID string `json:"connection_id,omitempty"`
	// Status is "pending" or "active".
	Status string `json:"status,omitempty"`
	// DisplayName is the connection's display name.
	DisplayName string `json:"display_name,omitempty"`
	// IdentityProvider names the IdP, e.g. "okta" or "generic".
	IdentityProvider string `json:"identity_provider,omitempty"`
	// IDPEntityID is the IdP's entity ID.
	IDPEntityID string `json:"idp_entity_id,omitempty"`
	// IDPSSOURL is where login requests go.
	IDPSSOURL string `json:"idp_sso_url,omitempty"`
	// AcsURL is Stytch's Assertion Consumer Service URL.
	AcsURL string `json:"acs_url,omitempty"`
	// AudienceURI is the audience of the assertions.
	AudienceURI string `json:"audience_uri,omitempty"`
	// AttributeMapping maps IdP attributes to Stytch's.
	AttributeMapping map[string]any `json:"attribute_mapping,omitempty"`
}

// OIDCConnection is an organization's OIDC connection.
type OIDCConnection struct {
	// OrganizationID identifies the organization.
	OrganizationID string `json:"organization_id,omitempty"`
	// ConnectionID identifies the connection.
	ConnectionID string `json:"connection_id,omitempty"`
	// Status is "pending" or "active".
	Status string `json:"status,omitempty"`
	// DisplayName is the connection's display name.
	DisplayName string `json:"display_name,omitempty"`
	// IdentityProvider names the IdP, e.g. "microsoft-entra" or "generic".
	IdentityProvider string `json:"identity_provider,omitempty"`
	// RedirectURL is Stytch's callback URL given to the IdP.
	RedirectURL string `json:"redirect_url,omitempty"`
	// ClientID is the OAuth client ID at the IdP.
	ClientID string `json:"client_id,omitempty"`
	// Issuer identifies the IdP.
	Issuer string `json:"issuer,omitempty"`
	// AuthorizationURL, TokenURL, UserinfoURL and JWKSURL are the IdP's endpoints.
	AuthorizationURL string `json:"authorization_url,omitempty"`
	// TokenURL is the IdP's token endpoint.
	TokenURL string `json:"token_url,omitempty"`
	// UserinfoURL is the IdP's userinfo endpoint.
	UserinfoURL string `json:"userinfo_url,omitempty"`
	// JWKSURL is the IdP's key set.
	JWKSURL string `json:"jwks_url,omitempty"`
	// CustomScopes are scopes requested on every start.
	CustomScopes string `json:"custom_scopes,omitempty"`
	// AttributeMapping maps IdP attributes to Stytch's.
	AttributeMapping map[string]any `json:"attribute_mapping,omitempty"`
}

// SSOGetConnectionsResponse lists an organization's connections by protocol.
type SSOGetConnectionsResponse struct {
	// RequestID identifies the call at Stytch.
	RequestID string `json:"request_id,omitempty"`
	// SAMLConnections are the SAML connections.
	SAMLConnections []SAMLConnection `json:"saml_connections,omitempty"`
	// OIDCConnections are the OIDC connections.
	OIDCConnections []OIDCConnection `json:"oidc_connections,omitempty"`
	// ExternalConnections are connections shared from other organizations.
	ExternalConnections []map[string]any `json:"external_connections,omitempty"`
	// StatusCode is the HTTP status.
	StatusCode int `json:"status_code,omitempty"`
}

// GetConnections lists an organization's SSO connections
// (GET /v1/b2b/sso/{organization_id}).
func (s *SSOService) GetConnections(ctx context.Context, p *SSOGetConnectionsParams) (*SSOGetConnectionsResponse, error) {
	if err := requireField("organization_id", p == nil || p.OrganizationID == ""); err != nil {
		return nil, err
	}
	return get[SSOGetConnectionsResponse](ctx, s.c, "/v1/b2b/sso/"+url.PathEscape(p.OrganizationID), nil, false)
}

// SSOAuthenticateParams authenticates the token of an SSO redirect
// (stytch_token_type=sso).
type SSOAuthenticateParams struct {
	// SSOToken is the token from the redirect.
	SSOToken string `json:"sso_token,omitempty"`
	// PkceCodeVerifier is the verifier of the challenge of the start.
	PkceCodeVerifier string `json:"pkce_code_verifier,omitempty"`
	OrganizationAuthParams
}

// SSOAuthenticateResponse is the answer of [SSOService.Authenticate].
type SSOAuthenticateResponse = OrganizationAuthenticateResponse

// Authenticate authenticates an SSO token (POST /v1/b2b/sso/authenticate).
func (s *SSOService) Authenticate(ctx context.Context, p *SSOAuthenticateParams) (*SSOAuthenticateResponse, error) {
	return send[SSOAuthenticateResponse](ctx, s.c, http.MethodPost, "/v1/b2b/sso/authenticate", p)
}

// SSOStartParams describes an SSO start: a connection, or an organization
// whose default connection is used.
type SSOStartParams struct {
	// ConnectionID is the connection to log in with.
	ConnectionID string
	// OrganizationID selects the organization's default connection when
	// ConnectionID is empty.
	OrganizationID string
	RedirectParams
}

// StartURL returns the browser URL that starts an SSO login:
// GET {base}/v1/public/sso/start. It makes no request: the browser is
// redirected there.
func (s *SSOService) StartURL(p *SSOStartParams) (string, error) {
	if err := requireField("public_token", p == nil || p.PublicToken == ""); err != nil {
		return "", err
	}
	if err := requireField("connection_id or organization_id", p.ConnectionID == "" && p.OrganizationID == ""); err != nil {
		return "", err
	}
	q := p.RedirectParams.query(oneOf("connection_id", p.ConnectionID, "organization_id", p.OrganizationID))
	return s.c.baseURL + "/v1/public/sso/start?" + q.Encode(), nil
}

// query encodes the redirect parameters of a public start URL and the
// non-empty values of more.
func (p RedirectParams) query(more map[string]string) url.Values {
	more["login_redirect_url"] = p.LoginRedirectURL
	more["signup_redirect_url"] = p.SignupRedirectURL
	more["pkce_code_challenge"] = p.PkceCodeChallenge
	return startQuery(p.PublicToken, more)
}

// startQuery encodes the query of a public start URL: the project's public
// token and the non-empty values of optional.
func startQuery(publicToken string, optional map[string]string) url.Values {
	q := url.Values{"public_token": {publicToken}}
	for k, v := range optional {
		if v != "" {
			q.Set(k, v)
		}
	}
	return q
}

// oneOf names whichever of two alternative parameters a start URL carries:
// the first when set, else the second.
func oneOf(key, value, altKey, altValue string) map[string]string {
	if value != "" {
		return map[string]string{key: value}
	}
	return map[string]string{altKey: altValue}
}
