package emulator

import (
	"net/http"
	"strings"
	"time"
)

// oauthTokenLifetime is how long a discovery OAuth token minted by
// [Server.OAuthDiscoveryToken] may be used.
const oauthTokenLifetime = 10 * time.Minute

// OAuthOption configures [Server.OAuthDiscoveryToken].
type OAuthOption interface {
	applyOAuth(*oauthToken)
}

type oauthOptionFunc func(*oauthToken)

func (f oauthOptionFunc) applyOAuth(t *oauthToken) { f(t) }

// WithPKCEChallenge binds the token to a PKCE code challenge (S256).
func WithPKCEChallenge(challenge string) OAuthOption {
	return oauthOptionFunc(func(t *oauthToken) { t.pkceChallenge = challenge })
}

// WithProvider sets the provider: "google" (default), "microsoft", "github",
// "hubspot" or "slack".
func WithProvider(provider string) OAuthOption {
	return oauthOptionFunc(func(t *oauthToken) { t.provider = provider })
}

// OAuthDiscoveryToken stands in for an identity provider's redirect: it
// returns a single-use discovery_oauth_token for email, valid 10 minutes, to
// pass to POST /v1/b2b/oauth/discovery/authenticate.
func (s *Server) OAuthDiscoveryToken(email string, opts ...OAuthOption) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := &oauthToken{
		email:           strings.ToLower(email),
		provider:        "google",
		providerSubject: newUUID(),
		pkceGrant:       pkceGrant{expires: s.cfg.clock().Add(oauthTokenLifetime)},
	}
	for _, o := range opts {
		o.applyOAuth(t)
	}
	tok := newToken()
	s.oauth[tok] = t
	return tok
}

type oauthAuthenticateParams struct {
	DiscoveryOAuthToken string `json:"discovery_oauth_token"`
	PkceCodeVerifier    string `json:"pkce_code_verifier"`
}

// deadOAuthToken refuses an OAuth token that is unknown, expired or used.
func deadOAuthToken() *apiError {
	return notFound(errOAuthTokenNotFound, "the OAuth token is not valid: unknown, expired or already used")
}

func (s *Server) handleOAuthAuthenticate(r *http.Request) (response, error) {
	var p oauthAuthenticateParams
	if err := decode(r, &p); err != nil {
		return nil, err
	}
	if p.DiscoveryOAuthToken == "" {
		return nil, missingField("discovery_oauth_token")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.cfg.clock()
	t, err := redeemGrant(s.oauth, p.DiscoveryOAuthToken, p.PkceCodeVerifier, now, deadOAuthToken())
	if err != nil {
		return nil, err
	}
	t.used = true
	f := factor{
		typ: "oauth", method: "oauth_" + t.provider, at: now, created: now,
		email: t.email, emailID: s.emailIDLocked(t.email), provider: t.provider, providerSubject: t.providerSubject,
	}
	res := s.discoverLocked(now, t.email, f)
	res.ProviderType = providerTitle(t.provider)
	res.ProviderTenantIDs = []string{}
	return res, nil
}

func providerTitle(p string) string {
	if p == "" {
		return ""
	}
	return strings.ToUpper(p[:1]) + p[1:]
}
