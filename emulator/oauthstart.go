package emulator

import (
	"crypto/subtle"
	"html/template"
	"net/http"
	"net/url"
	"strings"
)

// The OAuth discovery start endpoint is public (the browser calls it with
// the project's public token). Real Stytch redirects to the identity
// provider; the emulator plays the provider itself with a one-field page
// that asks which email to sign in as, then redirects to the
// discovery_redirect_url with stytch_token_type=discovery_oauth and a token
// for POST /v1/b2b/oauth/discovery/authenticate, bound to the PKCE challenge
// of the start.

// oauthProviders are the B2B OAuth providers, by the name of their path
// segment, with the name their consent page shows.
var oauthProviders = map[string]string{
	"google": "Google", "microsoft": "Microsoft", "github": "GitHub", "hubspot": "HubSpot", "slack": "Slack",
}

// consentPage stands in for an identity provider (an OAuth provider or an
// SSO IdP): it asks which email signs in and posts it, with the hidden
// fields, to the emulator's consent endpoint of the flow.
var consentPage = template.Must(template.New("consent").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in with {{.Name}} (emulated)</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:26rem;margin:2rem auto;padding:0 1rem}
label{display:block;margin:1rem 0 .3rem;font-weight:600}input{box-sizing:border-box;width:100%;padding:.55rem;font:inherit}
button{margin-top:1rem;padding:.55rem 1rem;font:inherit}</style></head>
<body><main>
<h1>Sign in with {{.Name}}</h1>
<p>This page stands in for {{.Name}}: the emulator signs you in as the email you enter.</p>
<form method="post" action="{{.Action}}">
{{range .Hidden}}<input type="hidden" name="{{.Name}}" value="{{.Value}}">
{{end}}<label for="email">Email</label>
<input id="email" name="email" type="email" required value="{{.Hint}}" autocomplete="email"{{if .Choices}} list="members"{{end}}>
{{if .Choices}}<datalist id="members">{{range .Choices}}<option value="{{.}}">{{end}}</datalist>
{{end}}<button type="submit">Continue</button>
</form>
</main></body></html>
`))

// consent is what the consent page shows.
type consent struct {
	Name    string   // the provider or connection shown
	Action  string   // where the form posts
	Hidden  []field  // carried through the form
	Hint    string   // the email filled in
	Choices []string // emails offered, e.g. the organization's members
}

type field struct{ Name, Value string }

// writeConsent answers with the consent page.
func writeConsent(w http.ResponseWriter, c consent) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_ = consentPage.Execute(w, c)
}

// handleOAuthDiscoveryStart answers GET
// /v1/b2b/public/oauth/{provider}/discovery/start.
func (s *Server) handleOAuthDiscoveryStart(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	provider := r.PathValue("provider")
	name, ok := oauthProviders[provider]
	if !ok {
		s.writeError(w, badRequest("oauth provider %q is not emulated (google, microsoft)", provider))
		return
	}
	if err := s.checkPublicToken(q); err != nil {
		s.writeError(w, err)
		return
	}
	redirect, err := s.checkRedirect(q.Get("discovery_redirect_url"), "discovery_redirect_url")
	if err != nil {
		s.writeError(w, asAPIError(err))
		return
	}
	writeConsent(w, consent{Name: name, Action: "/_emulator/oauth/consent", Hint: q.Get("provider_login_hint"),
		Hidden: []field{{"provider", provider}, {"discovery_redirect_url", redirect}, {"pkce_code_challenge", q.Get("pkce_code_challenge")}}})
}

// handleOAuthConsent answers the emulated provider's form: it mints the
// discovery OAuth token and sends the browser back to the app.
func (s *Server) handleOAuthConsent(w http.ResponseWriter, r *http.Request) {
	if err := formRequest(w, r); err != nil {
		s.writeError(w, asAPIError(err))
		return
	}
	provider := r.PostForm.Get("provider")
	if _, ok := oauthProviders[provider]; !ok {
		s.writeError(w, badRequest("oauth provider %q is not emulated (google, microsoft)", provider))
		return
	}
	email, apiErr := consentEmail(r.PostForm)
	if apiErr != nil {
		s.writeError(w, apiErr)
		return
	}
	opts := []OAuthOption{WithProvider(provider)}
	if ch := r.PostForm.Get("pkce_code_challenge"); ch != "" {
		opts = append(opts, WithPKCEChallenge(ch))
	}
	token := s.OAuthDiscoveryToken(email, opts...)
	target, err := s.redirectWithToken(r.PostForm.Get("discovery_redirect_url"), "discovery_redirect_url", "discovery_oauth", token)
	if err != nil {
		s.writeError(w, asAPIError(err))
		return
	}
	s.log.Info("emulator: oauth sign-in", "provider", provider, "email", email)
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// checkPublicToken refuses a public start URL without the project's public
// token.
func (s *Server) checkPublicToken(q url.Values) *apiError {
	if subtle.ConstantTimeCompare([]byte(q.Get("public_token")), []byte(s.PublicToken())) != 1 {
		return unauthenticated(errUnauthorizedCredentials, "unknown public_token")
	}
	return nil
}

// consentEmail reads the email an emulated provider's form signs in.
func consentEmail(f url.Values) (string, *apiError) {
	email := strings.TrimSpace(f.Get("email"))
	if !strings.Contains(email, "@") {
		return "", invalid("invalid_email", "email is not a valid email")
	}
	return email, nil
}

// PublicToken returns the project's public token, which the browser presents
// to the public OAuth start endpoints (default a random
// "public-token-test-<uuid>"; see [WithPublicToken]).
func (s *Server) PublicToken() string { return s.cfg.publicToken }
