package emulator

import (
	"fmt"
	"net/http"
	"strings"
	"time"
)

// OAuth started for one organization: GET /v1/b2b/public/oauth/{provider}/start
// shows the emulated provider page, which redirects to the app with
// stytch_token_type=oauth and a token for POST /v1/b2b/oauth/authenticate.

type orgOAuthToken struct {
	oauthToken
	orgID string
}

// OAuthToken stands in for a provider's redirect after an OAuth start for one
// organization (named by id or slug): it returns a single-use oauth_token for
// email, valid 10 minutes, to pass to POST /v1/b2b/oauth/authenticate.
func (s *Server) OAuthToken(organization, email string, opts ...OAuthOption) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.orgByIDOrSlug(organization)
	if o == nil {
		return "", fmt.Errorf("b2bauth: emulator: unknown organization %q", organization)
	}
	return s.newOrgOAuthTokenLocked(o.id, email, opts...), nil
}

func (s *Server) newOrgOAuthTokenLocked(orgID, email string, opts ...OAuthOption) string {
	s.org.init()
	t := &orgOAuthToken{orgID: orgID, oauthToken: oauthToken{email: strings.ToLower(email), provider: "google",
		providerSubject: newUUID(), pkceGrant: pkceGrant{expires: s.cfg.clock().Add(oauthTokenLifetime)}}}
	for _, o := range opts {
		o.applyOAuth(&t.oauthToken)
	}
	tok := newToken()
	s.org.oauth[tok] = t
	return tok
}

// handleOAuthStart answers GET /v1/b2b/public/oauth/{provider}/start
// (organization_id or slug, public_token, login and signup redirect URLs,
// pkce_code_challenge).
func (s *Server) handleOAuthStart(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	provider := r.PathValue("provider")
	name, ok := oauthProviders[provider]
	if !ok {
		s.writeError(w, badRequest("oauth provider %q is not emulated", provider))
		return
	}
	if err := s.checkPublicToken(q); err != nil {
		s.writeError(w, err)
		return
	}
	login, signup, err := s.startRedirects(q)
	if err != nil {
		s.writeError(w, asAPIError(err))
		return
	}
	ref := q.Get("organization_id")
	if ref == "" {
		ref = q.Get("slug")
	}
	s.mu.Lock()
	o, err := s.lookupOrgOrSlug(ref)
	var emails []string
	if err == nil {
		emails = s.memberEmailsLocked(o.id)
	}
	s.mu.Unlock()
	if err != nil {
		s.writeError(w, asAPIError(err))
		return
	}
	writeConsent(w, consent{Name: name, Action: "/_emulator/oauth/organization/consent", Hint: q.Get("login_hint"), Choices: emails,
		Hidden: []field{{"provider", provider}, {"organization_id", o.id}, {"login_redirect_url", login},
			{"signup_redirect_url", signup}, {"pkce_code_challenge", q.Get("pkce_code_challenge")}}})
}

// handleOAuthOrgConsent answers the emulated provider's form of an
// organization OAuth start.
func (s *Server) handleOAuthOrgConsent(w http.ResponseWriter, r *http.Request) {
	if err := formRequest(w, r); err != nil {
		s.writeError(w, asAPIError(err))
		return
	}
	f := r.PostForm
	provider := f.Get("provider")
	if _, ok := oauthProviders[provider]; !ok {
		s.writeError(w, badRequest("oauth provider %q is not emulated", provider))
		return
	}
	email, apiErr := consentEmail(f)
	if apiErr != nil {
		s.writeError(w, apiErr)
		return
	}
	s.mu.Lock()
	o, err := s.lookupOrg(f.Get("organization_id"))
	var target string
	if err == nil {
		opts := []OAuthOption{WithProvider(provider), WithPKCEChallenge(f.Get("pkce_code_challenge"))}
		token := s.newOrgOAuthTokenLocked(o.id, email, opts...)
		target, err = s.signInRedirectLocked(f, o.id, email, "oauth", token)
	}
	s.mu.Unlock()
	if err != nil {
		s.writeError(w, asAPIError(err))
		return
	}
	s.log.Info("emulator: oauth sign-in", "provider", provider, "organization_id", o.id, "email", email)
	http.Redirect(w, r, target, http.StatusSeeOther)
}

type orgOAuthAuthenticateParams struct {
	orgAuthParams
	OAuthToken       string `json:"oauth_token"`
	PkceCodeVerifier string `json:"pkce_code_verifier"`
}

// handleOrgOAuthAuthenticate answers POST /v1/b2b/oauth/authenticate. A new
// email joins only by email domain (email JIT provisioning); OAuth tenant JIT
// provisioning is not emulated.
func (s *Server) handleOrgOAuthAuthenticate(r *http.Request) (response, error) {
	var p orgOAuthAuthenticateParams
	if err := decode(r, &p); err != nil {
		return nil, err
	}
	return authenticateOrgToken(s, "oauth_token", p.OAuthToken, p.PkceCodeVerifier, p.orgAuthParams,
		func() map[string]*orgOAuthToken { return s.org.oauth }, deadOAuthToken(),
		func(now time.Time, t *orgOAuthToken) (*orgAuthResponse, error) {
			t.used = true
			o := s.orgs[t.orgID]
			if err := requireAuthMethod(o, t.provider+"_oauth"); err != nil {
				return nil, err
			}
			f := factor{typ: "oauth", method: "oauth_" + t.provider, at: now, created: now, email: t.email,
				emailID: s.emailIDLocked(t.email), provider: t.provider, providerSubject: t.providerSubject}
			res, err := s.finishPrimaryLocked(now, primaryAuth{org: o, email: t.email, factor: f, params: p.orgAuthParams,
				provision: func() (*member, error) { return s.provisionByEmailLocked(o, t.email, memberActive) }})
			if err != nil {
				return nil, err
			}
			res.ProviderSubject, res.ProviderType = t.providerSubject, providerTitle(t.provider)
			res.ResetSessions = new(bool)
			res.ProviderValues = &wireProviderValues{Scopes: []string{"openid", "email", "profile"}}
			return res, nil
		})
}
