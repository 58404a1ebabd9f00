package client

import (
	"context"
	"net/http"
)

// OAuthService calls the discovery OAuth endpoint. Get it from [Client.OAuth].
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
