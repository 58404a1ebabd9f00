package client

import (
	"context"
	"net/http"
)

// MagicLinksService calls the email magic link endpoints. Get it
// from [Client.MagicLinks].
type MagicLinksService struct {
	c *Client
}

// MagicLinksDiscoverySendParams sends a discovery magic link.
type MagicLinksDiscoverySendParams struct {
	// EmailAddress receives the link.
	EmailAddress string `json:"email_address,omitempty"`
	// DiscoveryRedirectURL is where the link leads; the token is appended.
	DiscoveryRedirectURL string `json:"discovery_redirect_url,omitempty"`
	// PkceCodeChallenge is the S256 challenge binding the link to the asking browser.
	PkceCodeChallenge string `json:"pkce_code_challenge,omitempty"`
	// LoginTemplateID selects a custom email template.
	LoginTemplateID string `json:"login_template_id,omitempty"`
	// Locale is the email's language, e.g. "en".
	Locale string `json:"locale,omitempty"`
	// DiscoveryExpirationMinutes is the link's lifetime.
	DiscoveryExpirationMinutes uint32 `json:"discovery_expiration_minutes,omitempty"`
}

// MagicLinksDiscoverySendResponse confirms the send.
type MagicLinksDiscoverySendResponse struct {
	// RequestID identifies the call at Stytch.
	RequestID string `json:"request_id,omitempty"`
	// StatusCode is the HTTP status.
	StatusCode int `json:"status_code,omitempty"`
}

// DiscoverySend emails a discovery magic link
// (POST /v1/b2b/magic_links/email/discovery/send).
func (s *MagicLinksService) DiscoverySend(ctx context.Context, p *MagicLinksDiscoverySendParams) (*MagicLinksDiscoverySendResponse, error) {
	return send[MagicLinksDiscoverySendResponse](ctx, s.c, http.MethodPost, "/v1/b2b/magic_links/email/discovery/send", p)
}

// MagicLinksDiscoveryAuthenticateParams authenticates a discovery magic link token.
type MagicLinksDiscoveryAuthenticateParams struct {
	// DiscoveryMagicLinksToken is the token from the link.
	DiscoveryMagicLinksToken string `json:"discovery_magic_links_token,omitempty"`
	// PkceCodeVerifier is the verifier of the challenge sent with the link.
	PkceCodeVerifier string `json:"pkce_code_verifier,omitempty"`
}

// DiscoveryAuthenticate authenticates a discovery magic link
// (POST /v1/b2b/magic_links/discovery/authenticate).
func (s *MagicLinksService) DiscoveryAuthenticate(ctx context.Context, p *MagicLinksDiscoveryAuthenticateParams) (*DiscoveryAuthenticateResponse, error) {
	return send[DiscoveryAuthenticateResponse](ctx, s.c, http.MethodPost, "/v1/b2b/magic_links/discovery/authenticate", p)
}
