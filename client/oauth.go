package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
)

// OAuthService calls the OAuth endpoints. Get it from [Client.OAuth].
type OAuthService struct {
	c *Client
}

// OAuthDiscoveryAuthenticateParams authenticates a discovery OAuth token.
type OAuthDiscoveryAuthenticateParams struct {
	// DiscoveryOAuthToken is the token from the OAuth redirect.
	DiscoveryOAuthToken string `json:"discovery_oauth_token,omitempty"`
	// SessionToken is an existing session to add the factor to.
	SessionToken string `json:"session_token,omitempty"`
	// SessionDurationMinutes sets the session's lifetime (5..527040).
	SessionDurationMinutes int32 `json:"session_duration_minutes,omitempty"`
	// SessionJWT is an existing session JWT to add the factor to.
	SessionJWT string `json:"session_jwt,omitempty"`
	// SessionCustomClaims adds custom claims to the session.
	SessionCustomClaims map[string]any `json:"session_custom_claims,omitempty"`
	// PkceCodeVerifier is the verifier of the challenge of the OAuth start.
	PkceCodeVerifier string `json:"pkce_code_verifier,omitempty"`
}

// DiscoveryAuthenticate authenticates a discovery OAuth token
// (POST /v1/b2b/oauth/discovery/authenticate).
func (s *OAuthService) DiscoveryAuthenticate(ctx context.Context, p *OAuthDiscoveryAuthenticateParams) (*DiscoveryAuthenticateResponse, error) {
	return send[DiscoveryAuthenticateResponse](ctx, s.c, http.MethodPost, "/v1/b2b/oauth/discovery/authenticate", p)
}

// OAuthDiscoveryStartParams describes where an OAuth discovery flow started
// in the browser returns.
type OAuthDiscoveryStartParams struct {
	// PublicToken is the project's public token (not the secret).
	PublicToken string
	// DiscoveryRedirectURL is where Stytch sends the browser back with a
	// discovery_oauth token; it must be a Discovery URL of the project.
	DiscoveryRedirectURL string
	// PkceCodeChallenge is the S256 challenge of the verifier the starting
	// browser keeps; the token then authenticates only with that verifier.
	PkceCodeChallenge string
	// CustomScopes are extra provider scopes, space-separated.
	CustomScopes string
}

// DiscoveryStartURL returns the browser URL that starts an OAuth discovery
// flow with provider ("google", "microsoft", "github", "hubspot" or
// "slack"): GET {base}/v1/b2b/public/oauth/{provider}/discovery/start. It
// makes no request: the browser is redirected there.
func (s *OAuthService) DiscoveryStartURL(provider string, p *OAuthDiscoveryStartParams) (string, error) {
	if err := checkOAuthProvider(provider); err != nil {
		return "", err
	}
	if p == nil || p.PublicToken == "" {
		return "", errors.New("b2bauth: oauth discovery start needs the project's public token")
	}
	q := startQuery(p.PublicToken, map[string]string{"discovery_redirect_url": p.DiscoveryRedirectURL,
		"pkce_code_challenge": p.PkceCodeChallenge, "custom_scopes": p.CustomScopes})
	return s.c.baseURL + "/v1/b2b/public/oauth/" + provider + "/discovery/start?" + q.Encode(), nil
}

// checkOAuthProvider refuses a provider Stytch's OAuth start does not know.
func checkOAuthProvider(provider string) error {
	switch provider {
	case "google", "microsoft", "github", "hubspot", "slack":
		return nil
	}
	return fmt.Errorf("b2bauth: unknown oauth provider %q", provider)
}
