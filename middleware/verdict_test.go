package middleware_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/b2bauth/b2bauth/client"
	"github.com/b2bauth/b2bauth/emulator"
	"github.com/b2bauth/b2bauth/middleware"
	"github.com/b2bauth/b2bauth/middleware/middlewaretest"
)

// reasonOf serves r through OptionalSession and returns the failure reason.
func reasonOf(t *testing.T, m *middleware.Middleware, r *http.Request) (*http.Response, error) {
	t.Helper()
	var reason error
	h := m.OptionalSession(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		reason = middleware.FailureReason(r.Context())
	}))
	res := serve(h, r)
	return res, reason
}

// TestMalformedSessionTokensCostNoUpstreamCall: a session token that is not
// shaped like Stytch's (URL-safe base64, 20 to 256 characters) is refused
// locally, from a cookie or from a header.
func TestMalformedSessionTokensCostNoUpstreamCall(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		token string
	}{
		{"a 5 character token", "token"},
		{"a 19 character token", strings.Repeat("a", 19)},
		{"a 257 character token", strings.Repeat("a", 257)},
		{"a token with standard base64 characters", strings.Repeat("a", 40) + "+/=="},
		{"a token with a space", strings.Repeat("a", 22) + " " + strings.Repeat("a", 21)},
		{"a token with non-ASCII bytes", strings.Repeat("a", 40) + "é"},
	}
	fromHeader := func(r *http.Request) string { return r.Header.Get("X-Session-Token") }
	for _, tt := range tests {
		for _, via := range []string{"cookie", "header"} {
			t.Run(tt.name+" via "+via, func(t *testing.T) {
				t.Parallel()
				e := middlewaretest.NewEnv(t, middleware.WithSessionTokenSources(middleware.TokenFromCookie(middleware.DefaultSessionCookie), fromHeader))
				r := jsonRequest(nil)
				if via == "cookie" {
					r.Header.Set("Cookie", middleware.DefaultSessionCookie+"="+tt.token)
				} else {
					r.Header.Set("X-Session-Token", tt.token)
				}
				for range 3 {
					if _, reason := reasonOf(t, e.Middleware, r); !errors.Is(reason, middleware.ErrInvalidToken) {
						t.Fatalf("reason = %v, want ErrInvalidToken", reason)
					}
				}
				if n := e.AuthenticateCalls(); n != 0 {
					t.Errorf("%d upstream calls, want 0", n)
				}
			})
		}
	}
}

// TestAPlausibleSessionTokenIsAskedAbout: the shape check is generous and
// bounded, never an exact length: tokens of 20, 44 and 256 URL-safe
// characters all reach Stytch, and a real one is served.
func TestAPlausibleSessionTokenIsAskedAbout(t *testing.T) {
	t.Parallel()
	for _, n := range []int{20, 44, 256} {
		e := middlewaretest.NewEnv(t)
		_, reason := reasonOf(t, e.Middleware, jsonRequest(e.SessionCookies(strings.Repeat("A-_0", 64)[:n], "")))
		if !errors.Is(reason, middleware.ErrSessionInvalid) {
			t.Errorf("%d characters: reason = %v, want Stytch's ErrSessionInvalid", n, reason)
		}
		if got := e.AuthenticateCalls(); got != 1 {
			t.Errorf("%d characters: %d upstream calls, want 1", n, got)
		}
	}
	e := middlewaretest.NewEnv(t)
	tok, _ := e.Login(t, e.MemberID)
	if _, reason := reasonOf(t, e.Middleware, jsonRequest(e.SessionCookies(tok, ""))); reason != nil {
		t.Errorf("a live session token alone: %v", reason)
	}
}

// TestARefusedCredentialCostsOneUpstreamCall: Stytch's refusal of a token
// or of an expired JWT is remembered for a minute, so repeating it does
// not ask again (the cookies are still cleared each time); after the minute
// Stytch is asked once more.
func TestARefusedCredentialCostsOneUpstreamCall(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		request func(t *testing.T, e *middlewaretest.Env) *http.Request
		cleared bool
	}{
		{"a made-up session token cookie", func(t *testing.T, e *middlewaretest.Env) *http.Request {
			return jsonRequest(e.SessionCookies(strings.Repeat("x", 44), ""))
		}, true},
		{"a revoked session token with an expired JWT cookie", func(t *testing.T, e *middlewaretest.Env) *http.Request {
			tok, jwt := e.Login(t, e.MemberID)
			if _, err := e.Client.Sessions.Revoke(t.Context(), &client.SessionsRevokeParams{SessionToken: tok}); err != nil {
				t.Fatal(err)
			}
			e.Clock.Advance(6 * time.Minute)
			return jsonRequest(e.SessionCookies(tok, jwt))
		}, true},
		{"an expired bearer JWT of a revoked session", func(t *testing.T, e *middlewaretest.Env) *http.Request {
			tok, jwt := e.Login(t, e.MemberID)
			if _, err := e.Client.Sessions.Revoke(t.Context(), &client.SessionsRevokeParams{SessionToken: tok}); err != nil {
				t.Fatal(err)
			}
			e.Clock.Advance(6 * time.Minute)
			return bearer(jwt)
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := middlewaretest.NewEnv(t)
			r := tt.request(t, e)
			e.Emulator.ResetCalls()
			for i := range 5 {
				res := serve(protected(e.Middleware), r)
				if res.StatusCode != http.StatusUnauthorized {
					t.Fatalf("request %d: status %d, want 401", i, res.StatusCode)
				}
				if cleared := len(res.Cookies()) == 2; cleared != tt.cleared {
					t.Errorf("request %d: cookies cleared = %v, want %v", i, cleared, tt.cleared)
				}
			}
			if n := e.AuthenticateCalls(); n != 1 {
				t.Errorf("5 identical refused requests made %d upstream calls, want 1", n)
			}
			e.Clock.Advance(time.Minute)
			serve(protected(e.Middleware), r)
			if n := e.AuthenticateCalls(); n != 2 {
				t.Errorf("after the refusal memory: %d upstream calls in all, want 2", n)
			}
		})
	}
}

// TestAnOutageIsNotRememberedAsARefusal: only Stytch's refusal is
// remembered; a failed call is retried on the next request.
func TestAnOutageIsNotRememberedAsARefusal(t *testing.T) {
	t.Parallel()
	e := middlewaretest.NewEnv(t)
	tok, jwt := e.Login(t, e.MemberID)
	e.Clock.Advance(6 * time.Minute)
	e.Emulator.SetFault(emulator.Fault{Path: "/v1/b2b/sessions/authenticate", Status: 503})
	if res := serve(protected(e.Middleware), jsonRequest(e.SessionCookies(tok, jwt))); res.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("during the outage: status %d, want 503", res.StatusCode)
	}
	e.Emulator.ClearFaults()
	if res := serve(protected(e.Middleware), jsonRequest(e.SessionCookies(tok, jwt))); res.StatusCode != http.StatusOK {
		t.Fatalf("after the outage: status %d, want 200", res.StatusCode)
	}
}

// TestAnExpiredBearerJWTIsJudgedOncePerWindow: Stytch's answer for an
// expired JWT of a live session is reused until the maximum token age has
// passed, or the session ends if that comes first.
func TestAnExpiredBearerJWTIsJudgedOncePerWindow(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		session time.Duration
		steps   []time.Duration // clock moves before each request
		want    []int           // upstream calls so far after each request
	}{
		{"a long session is asked again once per maximum token age", time.Hour,
			[]time.Duration{0, time.Second, 4 * time.Minute, 58 * time.Second, time.Second, time.Minute},
			[]int{1, 1, 1, 1, 2, 2}},
		{"a session ending sooner is asked again at its end", 8 * time.Minute,
			[]time.Duration{0, time.Minute, time.Minute},
			[]int{1, 1, 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := middlewaretest.NewEnv(t)
			_, jwt, err := e.Emulator.CreateSession(e.MemberID, emulator.WithSessionDuration(tt.session))
			if err != nil {
				t.Fatal(err)
			}
			e.Clock.Advance(6 * time.Minute) // the JWT lives 5 minutes
			e.Emulator.ResetCalls()
			for i, d := range tt.steps {
				e.Clock.Advance(d)
				res := serve(protected(e.Middleware), bearer(jwt))
				wantStatus := http.StatusOK
				if tt.session < time.Hour && i == len(tt.steps)-1 {
					wantStatus = http.StatusUnauthorized // the session has ended
				}
				if res.StatusCode != wantStatus {
					t.Fatalf("request %d: status %d, want %d", i, res.StatusCode, wantStatus)
				}
				if n := e.AuthenticateCalls(); n != tt.want[i] {
					t.Fatalf("after request %d: %d upstream calls, want %d", i, n, tt.want[i])
				}
			}
		})
	}
}

// TestUpstreamLimit: with WithUpstreamLimit, session tokens Stytch must
// judge are sent at the configured rate and the excess is a 503 that keeps
// the cookies; JWT fallbacks are not limited.
func TestUpstreamLimit(t *testing.T) {
	t.Parallel()
	e := middlewaretest.NewEnv(t, middleware.WithUpstreamLimit(1, 2))
	junk := func(i int) *http.Request {
		return jsonRequest(e.SessionCookies(strings.Repeat(string(rune('a'+i)), 44), ""))
	}
	for i := range 2 {
		if res := serve(protected(e.Middleware), junk(i)); res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("token %d within the burst: status %d, want 401 from Stytch", i, res.StatusCode)
		}
	}
	res, reason := reasonOf(t, e.Middleware, junk(2))
	if !errors.Is(reason, middleware.ErrUnavailable) || !errors.Is(reason, middleware.ErrUpstreamLimited) {
		t.Fatalf("past the burst: reason %v, want ErrUnavailable wrapping ErrUpstreamLimited", reason)
	}
	if len(res.Cookies()) != 0 {
		t.Errorf("past the burst the cookies were touched: %v", res.Cookies())
	}
	if n := e.AuthenticateCalls(); n != 2 {
		t.Errorf("%d upstream calls, want 2", n)
	}
	_, jwt := e.Login(t, e.MemberID)
	e.Clock.Advance(6 * time.Minute)
	e.Emulator.ResetCalls()
	if res := serve(protected(e.Middleware), bearer(jwt)); res.StatusCode != http.StatusOK {
		t.Errorf("an expired JWT while the limit was reached: status %d, want 200", res.StatusCode)
	}
	// Six minutes regained the whole burst.
	for i := 3; i < 5; i++ {
		if res := serve(protected(e.Middleware), junk(i)); res.StatusCode != http.StatusUnauthorized {
			t.Errorf("token %d after the wait: status %d, want 401 from Stytch", i, res.StatusCode)
		}
	}
	if res := serve(protected(e.Middleware), junk(5)); res.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("token 5 past the regained burst: status %d, want 503", res.StatusCode)
	}
}

func TestUpstreamLimitOptionIsValidated(t *testing.T) {
	t.Parallel()
	c, err := client.New("project-test-x", "secret", client.WithBaseURL("http://127.0.0.1:1"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name  string
		rate  float64
		burst int
	}{{"a negative rate", -1, 1}, {"a rate without burst", 5, 0}} {
		if m, err := middleware.New(c, middleware.WithUpstreamLimit(tt.rate, tt.burst)); err == nil {
			m.Close()
			t.Errorf("%s: New accepted it", tt.name)
		}
	}
}
