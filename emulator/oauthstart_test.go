package emulator_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"github.com/b2bauth/b2bauth/client"
	"github.com/b2bauth/b2bauth/emulator"
)

func TestOAuthDiscoveryStartPlaysTheProvider(t *testing.T) {
	t.Parallel()
	s := emulator.NewTest(t)
	if _, err := s.AddOrganization(emulator.OrganizationSeed{Name: "Acme", Slug: "acme"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddMember(emulator.MemberSeed{Organization: "acme", Email: "ada@acme.test"}); err != nil {
		t.Fatal(err)
	}
	verifier := "a-verifier-of-the-browser-that-started-the-flow-0123456789"
	sum := sha256.Sum256([]byte(verifier))
	challenge := base64.RawURLEncoding.EncodeToString(sum[:])
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	noRedirect := &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	start := func(provider, publicToken string) *http.Response {
		q := url.Values{"public_token": {publicToken}, "discovery_redirect_url": {"https://app.test/auth/callback"}, "pkce_code_challenge": {challenge}}
		res, err := noRedirect.Get(s.URL() + "/v1/b2b/public/oauth/" + provider + "/discovery/start?" + q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	for _, tc := range []struct {
		name, provider, token string
		status                int
	}{
		{"an unknown provider is refused", "myspace", s.PublicToken(), 400},
		{"a wrong public token is refused", "google", "public-token-test-wrong", 401},
		{"a valid start shows the provider page", "google", s.PublicToken(), 200},
		{"microsoft is a provider", "microsoft", s.PublicToken(), 200},
		{"github is a provider", "github", s.PublicToken(), 200},
		{"hubspot is a provider", "hubspot", s.PublicToken(), 200},
		{"slack is a provider", "slack", s.PublicToken(), 200},
	} {
		res := start(tc.provider, tc.token)
		res.Body.Close()
		if res.StatusCode != tc.status {
			t.Errorf("%s: status %d, want %d", tc.name, res.StatusCode, tc.status)
		}
	}

	form := url.Values{"provider": {"google"}, "email": {"ada@acme.test"},
		"discovery_redirect_url": {"https://app.test/auth/callback"}, "pkce_code_challenge": {challenge}}
	res, err := noRedirect.PostForm(s.URL()+"/_emulator/oauth/consent", form)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	loc, err := url.Parse(res.Header.Get("Location"))
	if res.StatusCode != http.StatusSeeOther || err != nil || loc.Host != "app.test" {
		t.Fatalf("consent: status %d, Location %q", res.StatusCode, res.Header.Get("Location"))
	}
	if loc.Query().Get("stytch_token_type") != "discovery_oauth" {
		t.Fatalf("token type %q", loc.Query().Get("stytch_token_type"))
	}

	authenticate := func(verifier string) *http.Response {
		body, _ := json.Marshal(map[string]string{"discovery_oauth_token": loc.Query().Get("token"), "pkce_code_verifier": verifier})
		req, _ := http.NewRequest(http.MethodPost, s.URL()+"/v1/b2b/oauth/discovery/authenticate", bytes.NewReader(body))
		req.SetBasicAuth(s.ProjectID(), s.Secret())
		req.Header.Set("Content-Type", "application/json")
		res, err := noRedirect.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	wrong := authenticate("another-browser-verifier-0123456789-0123456789")
	wrong.Body.Close()
	if wrong.StatusCode == http.StatusOK {
		t.Fatal("a token was accepted with another browser's PKCE verifier")
	}
	res = authenticate(verifier)
	defer res.Body.Close()
	var out struct {
		Email string `json:"email_address"`
		IST   string `json:"intermediate_session_token"`
	}
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("authenticate: status %d, err %v", res.StatusCode, err)
	}
	if out.Email != "ada@acme.test" || out.IST == "" {
		t.Errorf("authenticate answered email %q, IST present %v", out.Email, out.IST != "")
	}
}

// TestOAuthFactorsNameTheirProvider: a session entered through any provider
// carries that provider's factor, as Stytch renders it.
func TestOAuthFactorsNameTheirProvider(t *testing.T) {
	t.Parallel()
	s := emulator.NewTest(t, emulator.WithSeed(emulator.Seed{
		Organizations: []emulator.OrganizationSeed{{Name: "Acme", Slug: "acme"}},
		Members:       []emulator.MemberSeed{{Organization: "acme", Email: "ada@acme.test"}},
	}))
	c, err := client.New(s.ProjectID(), s.Secret(), client.WithBaseURL(s.URL()))
	if err != nil {
		t.Fatal(err)
	}
	orgID, _ := s.OrganizationID("acme")
	for _, tt := range []struct {
		provider string
		factor   func(client.AuthenticationFactor) *client.OAuthFactor
	}{
		{"google", func(f client.AuthenticationFactor) *client.OAuthFactor { return f.GoogleOAuthFactor }},
		{"microsoft", func(f client.AuthenticationFactor) *client.OAuthFactor { return f.MicrosoftOAuthFactor }},
		{"github", func(f client.AuthenticationFactor) *client.OAuthFactor { return f.GithubOAuthFactor }},
		{"hubspot", func(f client.AuthenticationFactor) *client.OAuthFactor { return f.HubspotOAuthFactor }},
		{"slack", func(f client.AuthenticationFactor) *client.OAuthFactor { return f.SlackOAuthFactor }},
	} {
		t.Run(tt.provider, func(t *testing.T) {
			token := s.OAuthDiscoveryToken("ada@acme.test", emulator.WithProvider(tt.provider))
			d, err := c.OAuth.DiscoveryAuthenticate(t.Context(), &client.OAuthDiscoveryAuthenticateParams{DiscoveryOAuthToken: token})
			if err != nil {
				t.Fatal(err)
			}
			x, err := c.Discovery.ExchangeIntermediateSession(t.Context(), &client.DiscoveryExchangeParams{
				IntermediateSessionToken: d.IntermediateSessionToken, OrganizationID: orgID,
			})
			if err != nil {
				t.Fatal(err)
			}
			fs := x.MemberSession.AuthenticationFactors
			if len(fs) != 1 || fs[0].DeliveryMethod != "oauth_"+tt.provider || tt.factor(fs[0]) == nil {
				t.Errorf("factors %+v, want one oauth_%s factor with its provider object", fs, tt.provider)
			}
		})
	}
}
