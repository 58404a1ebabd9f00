package flows_test

import (
	"html/template"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/b2bauth/b2bauth/flows"
	"github.com/b2bauth/b2bauth/middleware"
)

// TestNewValidatesItsConfiguration: every required option and every bound
// is checked by New with a clear error.
func TestNewValidatesItsConfiguration(t *testing.T) {
	t.Parallel()
	c, m := newClient(t), newMiddleware(t)
	keys := flows.WithCookieKeys(testKeys)
	public := flows.WithPublicURL("https://app.example")
	tests := []struct {
		name    string
		opts    []flows.Option
		wantErr string
	}{
		{"the minimum is keys and a public URL", []flows.Option{keys, public}, ""},
		{"keys are required", []flows.Option{public}, "cookie keys are required"},
		{"a public URL is required", []flows.Option{keys}, "public URL is required"},
		{"an empty key list is refused", []flows.Option{flows.WithCookieKeys(), public}, "at least one key pair"},
		{"a short hash key is refused", []flows.Option{flows.WithCookieKeys(flows.KeyPair{Hash: make([]byte, 16), Block: make([]byte, 16)}), public}, "hash key must be 32 or 64 bytes"},
		{"a bad block key is refused", []flows.Option{flows.WithCookieKeys(flows.KeyPair{Hash: make([]byte, 32), Block: make([]byte, 20)}), public}, "block key must be 16, 24 or 32 bytes"},
		{"a hash key of zero bytes is refused", []flows.Option{flows.WithCookieKeys(flows.KeyPair{Hash: make([]byte, 32), Block: testKeys.Block}), public}, "cookie key pair 0: hash key is all zero"},
		{"a block key of zero bytes is refused", []flows.Option{flows.WithCookieKeys(testKeys, flows.KeyPair{Hash: testKeys.Hash, Block: make([]byte, 32)}), public}, "cookie key pair 1: block key is all zero"},
		{"a relative public URL is refused", []flows.Option{keys, flows.WithPublicURL("app.example")}, "absolute http(s) URL"},
		{"a public URL with a query is refused", []flows.Option{keys, flows.WithPublicURL("https://app.example/?x=1")}, "absolute http(s) URL"},
		{"a prefix with a trailing slash is refused", []flows.Option{keys, public, flows.WithPrefix("/auth/")}, "prefix"},
		{"a prefix that is not a path is refused", []flows.Option{keys, public, flows.WithPrefix("//evil")}, "prefix"},
		{"another prefix is accepted", []flows.Option{keys, public, flows.WithPrefix("/account/login")}, ""},
		{"an external after-login path is refused", []flows.Option{keys, public, flows.WithAfterLoginPath("https://evil.example")}, "after-login path"},
		{"a too short session is refused", []flows.Option{keys, public, flows.WithSessionDuration(4 * time.Minute)}, "from 5m to 366 days"},
		{"a too long session is refused", []flows.Option{keys, public, flows.WithSessionDuration(367 * 24 * time.Hour)}, "from 5m to 366 days"},
		{"a session of 366 days is accepted", []flows.Option{keys, public, flows.WithSessionDuration(366 * 24 * time.Hour)}, ""},
		{"a session of no whole number of minutes is refused", []flows.Option{keys, public, flows.WithSessionDuration(90 * time.Second)}, "whole number of minutes"},
		{"a session of zero is refused", []flows.Option{keys, public, flows.WithSessionDuration(0)}, "from 5m to 366 days"},
		{"a nil option is refused", []flows.Option{keys, public, nil}, "nil option"},
		{"a negative cooldown is refused", []flows.Option{keys, public, flows.WithSMSResendCooldown(-1)}, "cooldown"},
		{"a negative email cooldown is refused", []flows.Option{keys, public, flows.WithEmailResendCooldown(-time.Second)}, "negative email resend cooldown"},
		{"an email cooldown of zero turns it off", []flows.Option{keys, public, flows.WithEmailResendCooldown(0)}, ""},
		{"a nil clock is refused", []flows.Option{keys, public, flows.WithClock(nil)}, "nil clock"},
		{"a nil logger is refused", []flows.Option{keys, public, flows.WithLogger(nil)}, "nil logger"},
		{"an empty public token is refused", []flows.Option{keys, public, flows.WithPublicToken("")}, "public token"},
		{"a public token is accepted", []flows.Option{keys, public, flows.WithPublicToken("public-token-test-x")}, ""},
		{"a template that does not parse is refused", []flows.Option{keys, public, flows.WithTemplateFS(fstest.MapFS{"login.html": {Data: []byte("{{")}})}, "templates"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h, err := flows.New(c, m, tt.opts...)
			if tt.wantErr == "" {
				if err != nil || h == nil {
					t.Fatalf("New = %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("New error = %v, want one mentioning %q", err, tt.wantErr)
			}
			if n := strings.Count(err.Error(), "b2bauth:"); n != 1 {
				t.Errorf("New error %q has %d b2bauth: prefixes, want 1", err, n)
			}
		})
	}
	if _, err := flows.New(nil, m, keys, public); err == nil {
		t.Error("New accepted a nil client")
	}
	if _, err := flows.New(c, nil, keys, public); err == nil {
		t.Error("New accepted a nil middleware")
	}
}

// TestNewTakesThePathsFromTheMiddleware: the login and step-up URLs are
// configured once, on the middleware; the flows take their prefix from the
// login URL and refuse URLs that name other routes than theirs.
func TestNewTakesThePathsFromTheMiddleware(t *testing.T) {
	t.Parallel()
	c := newClient(t)
	keys := flows.WithCookieKeys(testKeys)
	public := flows.WithPublicURL("https://app.example")
	tests := []struct {
		name       string
		mw         []middleware.Option
		opts       []flows.Option
		wantPrefix string
		wantErr    string
	}{
		{name: "without URLs on the middleware the default prefix is kept", wantPrefix: flows.DefaultPrefix},
		{name: "the prefix is taken from the login URL",
			mw: []middleware.Option{middleware.WithLoginURL("/account/login")}, wantPrefix: "/account"},
		{name: "matching login and step-up URLs and prefix are accepted",
			mw:   []middleware.Option{middleware.WithLoginURL("/sso/login"), middleware.WithStepUpURL("/sso/step-up")},
			opts: []flows.Option{flows.WithPrefix("/sso")}, wantPrefix: "/sso"},
		{name: "a login URL under another prefix is refused",
			mw:   []middleware.Option{middleware.WithLoginURL("/auth/login")},
			opts: []flows.Option{flows.WithPrefix("/account")}, wantErr: `login URL "/auth/login" is not this handler's "/account/login"`},
		{name: "a login URL that is not a prefix and /login is refused",
			mw: []middleware.Option{middleware.WithLoginURL("/signin")}, wantErr: `login URL "/signin" is not a prefix followed by "/login"`},
		{name: "a step-up URL under another prefix is refused",
			mw:      []middleware.Option{middleware.WithLoginURL("/auth/login"), middleware.WithStepUpURL("/mfa/step-up")},
			wantErr: `step-up URL "/mfa/step-up" is not this handler's "/auth/step-up"`},
		{name: "a step-up URL alone must agree with the default prefix",
			mw: []middleware.Option{middleware.WithStepUpURL("/account/step-up")}, wantErr: "step-up URL"},
		{name: "another return parameter is refused",
			mw:      []middleware.Option{middleware.WithLoginURL("/auth/login"), middleware.WithReturnParam("next")},
			wantErr: `return parameter "next"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, err := middleware.New(c, tt.mw...)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(m.Close)
			h, err := flows.New(c, m, append([]flows.Option{keys, public}, tt.opts...)...)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("New error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if h.Prefix() != tt.wantPrefix {
				t.Errorf("Prefix = %q, want %q", h.Prefix(), tt.wantPrefix)
			}
		})
	}
}

// TestPlainHTTPFlowCookie: without https the cookie has no __Host- prefix
// and no Secure attribute (browsers would refuse both).
func TestPlainHTTPFlowCookie(t *testing.T) {
	t.Parallel()
	h, err := flows.New(newClient(t), newMiddleware(t), flows.WithCookieKeys(testKeys), flows.WithPublicURL("http://localhost:8080"))
	if err != nil {
		t.Fatal(err)
	}
	if name := flows.FlowCookieName(h); name != "b2bauth_flow" {
		t.Fatalf("flow cookie name = %q, want b2bauth_flow", name)
	}
}

// TestTemplatesCanBeOverridden: a page given by name replaces the default;
// the others stay, and the default blocks remain callable.
func TestTemplatesCanBeOverridden(t *testing.T) {
	t.Parallel()
	custom := template.Must(template.New("login.html").Parse(
		`{{template "head" "Custom"}}<p>custom login {{.Prefix}} {{.ReturnTo}}</p>{{template "foot"}}`))
	fsys := fstest.MapFS{"login.html": {Data: []byte(`<p>fs login {{.ReturnTo}}</p>`)}}
	tests := []struct {
		name string
		opt  flows.Option
		want string
	}{
		{"WithTemplates", flows.WithTemplates(custom), "<p>custom login /auth /x</p>"},
		{"WithTemplateFS", flows.WithTemplateFS(fsys), "<p>fs login /x</p>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h, err := flows.New(newClient(t), newMiddleware(t), flows.WithCookieKeys(testKeys),
				flows.WithPublicURL("https://app.example"), tt.opt)
			if err != nil {
				t.Fatal(err)
			}
			rec := serve(h, http.MethodGet, "/auth/login?return_to=/x", "text/html")
			if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), tt.want) {
				t.Fatalf("login page = %d:\n%s", rec.Code, rec.Body)
			}
		})
	}
}

// TestContentNegotiation: JSON only when Accept prefers it.
func TestContentNegotiation(t *testing.T) {
	t.Parallel()
	h, err := flows.New(newClient(t), newMiddleware(t), flows.WithCookieKeys(testKeys), flows.WithPublicURL("https://app.example"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		accept   string
		wantJSON bool
	}{
		{"", false},
		{"*/*", false},
		{"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", false},
		{"application/json", true},
		{"application/json, text/plain, */*", true},
		{"text/html;q=0.5, application/json", true},
		{"application/json;q=0.5, text/html", false},
		{"application/json, text/html", true},
		{"text/html, application/json", false},
		{"application/json;q=0", false},
	}
	for _, tt := range tests {
		rec := serve(h, http.MethodGet, "/auth/login", tt.accept)
		isJSON := strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json")
		if isJSON != tt.wantJSON {
			t.Errorf("Accept %q answered JSON = %v, want %v", tt.accept, isJSON, tt.wantJSON)
		}
	}
	if rec := serve(h, http.MethodGet, "/auth/unknown", ""); rec.Code != http.StatusNotFound {
		t.Errorf("unknown route = %d, want 404", rec.Code)
	}
}

func serve(h http.Handler, method, target, accept string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, "https://app.example"+target, nil)
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}
