package middleware_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/b2bauth/b2bauth/client"
	"github.com/b2bauth/b2bauth/middleware"
	"github.com/b2bauth/b2bauth/middleware/middlewaretest"
)

// TestNewRefusesInvalidOptions: an invalid value is an error from New, never
// a silent fallback to a default.
func TestNewRefusesInvalidOptions(t *testing.T) {
	t.Parallel()
	c, err := client.New("project-test-x", "secret", client.WithBaseURL("http://127.0.0.1:1"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		opt     middleware.Option
		wantErr string
	}{
		{"a nil option is refused", nil, "nil option"},
		{"a session shorter than Stytch's 5 minutes is refused", middleware.WithSessionDuration(4 * time.Minute), "from 5m to 366 days"},
		{"a session longer than Stytch's 366 days is refused", middleware.WithSessionDuration(367 * 24 * time.Hour), "from 5m to 366 days"},
		{"a session of no whole number of minutes is refused", middleware.WithSessionDuration(330 * time.Second), "whole number of minutes"},
		{"a negative session duration is refused", middleware.WithSessionDuration(-time.Hour), "from 5m to 366 days"},
		{"a nil JWKS option is refused", middleware.WithJWKSOptions(nil), "nil JWKS option"},
		{"an invalid JWKS option is refused", middleware.WithJWKSOptions(client.WithRefreshInterval(0)), "refresh interval must be positive"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, err := middleware.New(c, middleware.WithJWKSOptions(client.WithStartWait(0)), tt.opt)
			if err == nil {
				m.Close()
				t.Fatalf("New accepted the option; want an error containing %q", tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantErr) || !strings.HasPrefix(err.Error(), "b2bauth: ") {
				t.Errorf("error = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

// TestSessionDurationIsSentInMinutes: the duration reaches Stytch as
// session_duration_minutes, so the refreshed cookies expire with it.
func TestSessionDurationIsSentInMinutes(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		d    time.Duration
	}{
		{"eight hours extend the session to eight hours from now", 8 * time.Hour},
		{"Stytch's longest session of 366 days is sent as 527040 minutes", 366 * 24 * time.Hour},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := middlewaretest.NewEnv(t, middleware.WithSessionDuration(tt.d))
			tok, jwt := e.Login(t, e.MemberID)
			e.Clock.Advance(6 * time.Minute)
			res := serve(protected(e.Middleware), jsonRequest(e.SessionCookies(tok, jwt)))
			if res.StatusCode != http.StatusOK || len(res.Cookies()) == 0 {
				t.Fatalf("status %d with cookies %v, want 200 with refreshed cookies", res.StatusCode, res.Cookies())
			}
			want := e.Clock.Now().Add(tt.d)
			for _, c := range res.Cookies() {
				if !c.Expires.Equal(want) {
					t.Errorf("cookie %s expires %s, want %s", c.Name, c.Expires, want)
				}
			}
		})
	}
}

// TestWithRefusesSharedOptions: a derived Middleware may change only how its
// group reads credentials and answers; the rest is its parent's.
func TestWithRefusesSharedOptions(t *testing.T) {
	t.Parallel()
	e := middlewaretest.NewEnv(t)
	tests := []struct {
		name    string
		opt     middleware.Option
		wantErr string // "" for an accepted option
	}{
		{name: "cookie names are refused", opt: middleware.WithCookieNames("a", "b"), wantErr: "WithCookieNames"},
		{name: "the cookie domain is refused", opt: middleware.WithCookieDomain("example.com"), wantErr: "WithCookieDomain"},
		{name: "the cache size is refused", opt: middleware.WithCacheSize(10), wantErr: "WithCacheSize"},
		{name: "the clock is refused", opt: middleware.WithClock(time.Now), wantErr: "WithClock"},
		{name: "the maximum token age is refused", opt: middleware.WithMaxTokenAge(time.Minute), wantErr: "WithMaxTokenAge"},
		{name: "the session duration is refused", opt: middleware.WithSessionDuration(time.Hour), wantErr: "WithSessionDuration"},
		{name: "the upstream limit is refused", opt: middleware.WithUpstreamLimit(1, 1), wantErr: "WithUpstreamLimit"},
		{name: "the Retry-After is refused", opt: middleware.WithRetryAfter(time.Minute), wantErr: "WithRetryAfter"},
		{name: "JWKS options are refused", opt: middleware.WithJWKSOptions(), wantErr: "WithJWKSOptions"},
		{name: "a nil option is refused", opt: nil, wantErr: "nil option"},
		{name: "an error handler is accepted", opt: middleware.WithErrorHandler(func(http.ResponseWriter, *http.Request, error) {})},
		{name: "JWT sources are accepted", opt: middleware.WithJWTSources(middleware.TokenFromHeader)},
		{name: "session token sources are accepted", opt: middleware.WithSessionTokenSources()},
		{name: "M2M token sources are accepted", opt: middleware.WithM2MTokenSources(middleware.TokenFromHeader)},
		{name: "JSON-only answers are accepted", opt: middleware.WithJSONOnly()},
		{name: "a login URL is accepted", opt: middleware.WithLoginURL("/web/login")},
		{name: "a step-up URL is accepted", opt: middleware.WithStepUpURL("/web/step-up")},
		{name: "a return parameter is accepted", opt: middleware.WithReturnParam("next")},
		{name: "a nil logger is refused as New refuses it", opt: middleware.WithLogger(nil), wantErr: "nil logger"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, err := e.Middleware.With(tt.opt)
			if tt.wantErr == "" {
				if err != nil || d == nil {
					t.Fatalf("With = %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("With error = %v, want one containing %q", err, tt.wantErr)
			}
			if tt.opt != nil && !strings.Contains(tt.wantErr, "nil") && !errors.Is(err, middleware.ErrSharedOption) {
				t.Errorf("With error %v does not match ErrSharedOption", err)
			}
		})
	}
}

// TestWithChangesOnlyTheGroup: a bearer-only JSON group derived from a cookie
// web middleware answers its own way, and the parent keeps its behaviour.
func TestWithChangesOnlyTheGroup(t *testing.T) {
	t.Parallel()
	e := middlewaretest.NewEnv(t, middleware.WithLoginURL("/auth/login"))
	api, err := e.Middleware.With(
		middleware.WithJWTSources(middleware.TokenFromHeader),
		middleware.WithSessionTokenSources(),
		middleware.WithJSONOnly())
	if err != nil {
		t.Fatal(err)
	}
	tok, jwt := e.Login(t, e.MemberID)
	navigation := func(cookies []*http.Cookie, bearer string) *http.Request {
		r := httptest.NewRequest(http.MethodGet, "/reports", nil)
		r.Header.Set("Sec-Fetch-Mode", "navigate")
		r.Header.Set("Accept", "text/html")
		for _, c := range cookies {
			r.AddCookie(c)
		}
		if bearer != "" {
			r.Header.Set("Authorization", "Bearer "+bearer)
		}
		return r
	}
	tests := []struct {
		name       string
		m          *middleware.Middleware
		r          *http.Request
		wantStatus int
		wantBody   string // a prefix
	}{
		{"the web group redirects a navigation without a session", e.Middleware, navigation(nil, ""), http.StatusSeeOther, ""},
		{"the API group answers a navigation without a session with JSON", api, navigation(nil, ""), http.StatusUnauthorized, `{"error":{"code":"session_missing"`},
		{"the web group reads the session cookies", e.Middleware, navigation(e.SessionCookies(tok, jwt), ""), http.StatusOK, e.MemberID},
		{"the API group ignores the session cookies", api, navigation(e.SessionCookies(tok, jwt), ""), http.StatusUnauthorized, `{"error":{"code":"session_missing"`},
		{"the API group reads a bearer JWT", api, navigation(nil, jwt), http.StatusOK, e.MemberID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := serve(protected(tt.m), tt.r)
			body, _ := io.ReadAll(res.Body)
			if res.StatusCode != tt.wantStatus || !strings.HasPrefix(string(body), tt.wantBody) {
				t.Fatalf("status %d body %q, want %d with %q", res.StatusCode, body, tt.wantStatus, tt.wantBody)
			}
		})
	}

	t.Run("an error handler of the group leaves the parent's alone", func(t *testing.T) {
		teapot, err := e.Middleware.With(middleware.WithErrorHandler(func(w http.ResponseWriter, _ *http.Request, _ error) {
			w.WriteHeader(http.StatusTeapot)
		}))
		if err != nil {
			t.Fatal(err)
		}
		if res := serve(protected(teapot), jsonRequest(nil)); res.StatusCode != http.StatusTeapot {
			t.Errorf("group: status %d, want 418", res.StatusCode)
		}
		if res := serve(protected(e.Middleware), jsonRequest(nil)); res.StatusCode != http.StatusUnauthorized {
			t.Errorf("parent: status %d, want 401", res.StatusCode)
		}
	})
}

// TestWithSharesTheKeySetAndCaches: a group costs no JWKS poller of its own,
// and what one Middleware learnt from Stytch serves the other.
func TestWithSharesTheKeySetAndCaches(t *testing.T) {
	t.Parallel()
	e := middlewaretest.NewEnv(t)
	jwksPath := jwksPathPrefix + e.Emulator.ProjectID()
	fetched := e.Emulator.Calls(http.MethodGet, jwksPath)
	api, err := e.Middleware.With(middleware.WithJSONOnly())
	if err != nil {
		t.Fatal(err)
	}
	_, jwt := e.Login(t, e.MemberID)
	e.Clock.Advance(6 * time.Minute) // the JWT now needs Stytch's opinion
	for _, m := range []*middleware.Middleware{e.Middleware, api, api} {
		if res := serve(protected(m), bearer(jwt)); res.StatusCode != http.StatusOK {
			t.Fatalf("status %d, want 200", res.StatusCode)
		}
	}
	if n := e.AuthenticateCalls(); n != 1 {
		t.Errorf("%d sessions authenticate calls for one expired JWT through both, want 1", n)
	}
	if n := e.Emulator.Calls(http.MethodGet, jwksPath); n != fetched {
		t.Errorf("the group fetched the key set %d more times, want none", n-fetched)
	}
}

// TestClosingAGroupKeepsTheParentsKeySet: the derived Middleware owns
// nothing, so its Close leaves the shared key set refreshing.
func TestClosingAGroupKeepsTheParentsKeySet(t *testing.T) {
	t.Parallel()
	e := middlewaretest.NewEnv(t)
	api, err := e.Middleware.With(middleware.WithJSONOnly())
	if err != nil {
		t.Fatal(err)
	}
	api.Close()
	e.Emulator.RotateKey()
	_, jwt := e.Login(t, e.MemberID)
	for _, m := range []*middleware.Middleware{e.Middleware, api} {
		if res := serve(protected(m), bearer(jwt)); res.StatusCode != http.StatusOK {
			t.Fatalf("a JWT of a new key after the group's Close: status %d, want 200", res.StatusCode)
		}
	}
}

// TestPathGetters: the flows and other handlers read the configured paths
// instead of configuring them twice.
func TestPathGetters(t *testing.T) {
	t.Parallel()
	e := middlewaretest.NewEnv(t, middleware.WithLoginURL("/auth/login"), middleware.WithStepUpURL("/auth/step-up"),
		middleware.WithReturnParam("next"), middleware.WithRetryAfter(30*time.Second))
	m := e.Middleware
	if m.LoginURL() != "/auth/login" || m.StepUpURL() != "/auth/step-up" || m.ReturnParam() != "next" || m.RetryAfter() != 30*time.Second {
		t.Errorf("getters = %q %q %q %s", m.LoginURL(), m.StepUpURL(), m.ReturnParam(), m.RetryAfter())
	}
	d := middlewaretest.NewEnv(t).Middleware
	if d.LoginURL() != "" || d.StepUpURL() != "" || d.ReturnParam() != "return_to" || d.RetryAfter() != 5*time.Second {
		t.Errorf("default getters = %q %q %q %s", d.LoginURL(), d.StepUpURL(), d.ReturnParam(), d.RetryAfter())
	}
}

// TestDeferFailures: under a deferring context the middleware writes nothing
// but the cleared cookies, and hands its writer and request, the reason and
// the answer it would have written to the caller.
func TestDeferFailures(t *testing.T) {
	t.Parallel()
	e := middlewaretest.NewEnv(t)
	var (
		gotW      http.ResponseWriter
		gotR      *http.Request
		gotErr    error
		gotAnswer http.Handler
	)
	r := jsonRequest(e.SessionCookies("", "not.a.jwt"))
	r = r.WithContext(middleware.DeferFailures(r.Context(), func(w http.ResponseWriter, r *http.Request, err error, answer http.Handler) {
		gotW, gotR, gotErr, gotAnswer = w, r, err, answer
	}))
	w := httptest.NewRecorder()
	protected(e.Middleware).ServeHTTP(w, r)
	if gotW != w || gotR == nil || gotR.URL != r.URL {
		t.Errorf("recorded the writer %p and the request %v; want the ones the middleware was given", gotW, gotR)
	}
	if w.Code != http.StatusOK || w.Body.Len() != 0 {
		t.Errorf("the middleware answered %d %q; want nothing written", w.Code, w.Body)
	}
	if n := len(w.Result().Cookies()); n != 2 {
		t.Errorf("%d cookies written, want the 2 cleared session cookies", n)
	}
	if !errors.Is(gotErr, middleware.ErrInvalidToken) || gotAnswer == nil {
		t.Fatalf("recorded %v, %v; want ErrInvalidToken and an answer", gotErr, gotAnswer)
	}
	w = httptest.NewRecorder()
	gotAnswer.ServeHTTP(w, r)
	if w.Code != http.StatusUnauthorized || !strings.Contains(w.Body.String(), `"token_invalid"`) {
		t.Errorf("the deferred answer = %d %q, want the 401 token_invalid body", w.Code, w.Body)
	}

	t.Run("a nil record ends the deferral", func(t *testing.T) {
		r := jsonRequest(nil)
		ctx := middleware.DeferFailures(r.Context(), func(http.ResponseWriter, *http.Request, error, http.Handler) { t.Error("record called") })
		r = r.WithContext(middleware.DeferFailures(ctx, nil))
		if res := serve(protected(e.Middleware), r); res.StatusCode != http.StatusUnauthorized {
			t.Errorf("status %d, want the middleware's own 401", res.StatusCode)
		}
	})
}
