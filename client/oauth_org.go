package client

import (
	"context"
	"net/http"
)

// OAuthAuthenticateParams authenticates the token of an OAuth login started
// for one organization (stytch_token_type=oauth).
type OAuthAuthenticateParams struct {
	// OAuthToken is the token from the redirect.
	OAuthToken string `json:"oauth_token,omitempty"`
	// PkceCodeVerifier is the verifier of the challenge of the start.
	PkceCodeVerifier string `json:"pkce_code_verifier,omitempty"`
	OrganizationAuthParams
}

// OAuthAuthenticateResponse is the answer of [OAuthService.Authenticate].
type OAuthAuthenticateResponse = OrganizationAuthenticateResponse

// Authenticate authenticates an organization's OAuth token
// (POST /v1/b2b/oauth/authenticate). A provider outside the organization's
// allowed_auth_methods matches [ErrOrganizationPolicy].
func (s *OAuthService) Authenticate(ctx context.Context, p *OAuthAuthenticateParams) (*OAuthAuthenticateResponse, error) {
	return send[OAuthAuthenticateResponse](ctx, s.c, http.MethodPost, "/v1/b2b/oauth/authenticate", p)
}

// OAuthStartParams describes an OAuth login for one organization.
type OAuthStartParams struct {
	// OrganizationID is the organization (or give Slug).
	OrganizationID string
	// Slug is the organization's slug, used when OrganizationID is empty.
	Slug string
	// CustomScopes are extra provider scopes, space-separated.
	CustomScopes string
	// LoginHint pre-fills the provider's account chooser.
	LoginHint string
	RedirectParams
}

// StartURL returns the browser URL that starts an OAuth login into one
// organization with provider ("google", "microsoft", "github", "hubspot" or
// "slack"): GET {base}/v1/b2b/public/oauth/{provider}/start. It makes no
// request: the browser is redirected there.
func (s *OAuthService) StartURL(provider string, p *OAuthStartParams) (string, error) {
	if err := checkOAuthProvider(provider); err != nil {
		return "", err
	}
	if err := requireField("public_token", p == nil || p.PublicToken == ""); err != nil {
		return "", err
	}
	if err := requireField("organization_id or slug", p.OrganizationID == "" && p.Slug == ""); err != nil {
		return "", err
	}
	more := oneOf("organization_id", p.OrganizationID, "slug", p.Slug)
	more["custom_scopes"], more["login_hint"] = p.CustomScopes, p.LoginHint
	q := p.RedirectParams.query(more)
	return s.c.baseURL + "/v1/b2b/public/oauth/" + provider + "/start?" + q.Encode(), nil
}
