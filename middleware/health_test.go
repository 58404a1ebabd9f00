package middleware_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/b2bauth/b2bauth/client"
	"github.com/b2bauth/b2bauth/emulator"
	"github.com/b2bauth/b2bauth/middleware"
	"github.com/b2bauth/b2bauth/middleware/middlewaretest"
)

// healthOf reads m's health handler.
func healthOf(t *testing.T, m *middleware.Middleware) (int, middleware.HealthReport) {
	t.Helper()
	w := httptest.NewRecorder()
	m.HealthHandler().ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/healthz", nil))
	if ct := w.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	var rep middleware.HealthReport
	if err := json.Unmarshal(w.Body.Bytes(), &rep); err != nil {
		t.Fatalf("health body %q: %v", w.Body.String(), err)
	}
	return w.Code, rep
}

// middlewareFor builds a middleware for e's emulator with the given secret.
func middlewareFor(t *testing.T, e *middlewaretest.Env, secret string, opts ...middleware.Option) *middleware.Middleware {
	t.Helper()
	c, err := client.New(e.Emulator.ProjectID(), secret, client.WithBaseURL(e.Emulator.URL()))
	if err != nil {
		t.Fatal(err)
	}
	m, err := middleware.New(c, append([]middleware.Option{middleware.WithClock(e.Clock.Now)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Close)
	return m
}

func TestHealthHandler(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// setup returns the middleware to report on, after the requests
		// the case makes.
		setup       func(t *testing.T, e *middlewaretest.Env) *middleware.Middleware
		wantStatus  int
		wantHeld    bool
		wantClass   string // of the last upstream error, "" for none
		wantRefused bool
	}{
		{
			name:       "a middleware holding a key set is ready",
			setup:      func(t *testing.T, e *middlewaretest.Env) *middleware.Middleware { return e.Middleware },
			wantStatus: http.StatusOK, wantHeld: true,
		},
		{
			name: "a key set never fetched is not ready",
			setup: func(t *testing.T, e *middlewaretest.Env) *middleware.Middleware {
				e.Emulator.SetFault(emulator.Fault{Path: "/v1/b2b/sessions/jwks/" + e.Emulator.ProjectID(), Status: 500})
				return middlewareFor(t, e, e.Emulator.Secret(), middleware.WithJWKSOptions(client.WithStartWait(10*time.Second)))
			},
			wantStatus: http.StatusServiceUnavailable,
		},
		{
			name: "a wrong secret met by a request is not ready",
			setup: func(t *testing.T, e *middlewaretest.Env) *middleware.Middleware {
				m := middlewareFor(t, e, "secret-test-wrong")
				tok, _ := e.Login(t, e.MemberID)
				if res := serve(protected(m), jsonRequest(e.SessionCookies(tok, ""))); res.StatusCode != http.StatusServiceUnavailable {
					t.Errorf("request under a wrong secret: status %d, want 503", res.StatusCode)
				}
				return m
			},
			wantStatus: http.StatusServiceUnavailable, wantHeld: true, wantClass: middleware.UpstreamCredentialsRefused, wantRefused: true,
		},
		{
			name: "a wrong secret found by Check is not ready",
			setup: func(t *testing.T, e *middlewaretest.Env) *middleware.Middleware {
				m := middlewareFor(t, e, "secret-test-wrong")
				if err := m.Check(context.Background()); !errors.Is(err, client.ErrCredentialsRefused) {
					t.Errorf("Check = %v, want ErrCredentialsRefused", err)
				}
				return m
			},
			wantStatus: http.StatusServiceUnavailable, wantHeld: true, wantClass: middleware.UpstreamCredentialsRefused, wantRefused: true,
		},
		{
			name: "an outage of Stytch is reported but still ready",
			setup: func(t *testing.T, e *middlewaretest.Env) *middleware.Middleware {
				e.Emulator.SetFault(emulator.Fault{Path: "/v1/b2b/sessions/authenticate", Status: 503})
				_, jwtRaw := e.Login(t, e.MemberID)
				e.Clock.Advance(10 * time.Minute)
				serve(protected(e.Middleware), bearer(jwtRaw))
				return e.Middleware
			},
			wantStatus: http.StatusOK, wantHeld: true, wantClass: middleware.UpstreamServerError,
		},
		{
			name: "a refusal that is not about the session is reported but still ready",
			setup: func(t *testing.T, e *middlewaretest.Env) *middleware.Middleware {
				e.Emulator.SetFault(emulator.Fault{Path: "/v1/b2b/sessions/authenticate", Status: 400, ErrorType: "invalid_session_duration_minutes"})
				_, jwtRaw := e.Login(t, e.MemberID)
				e.Clock.Advance(10 * time.Minute)
				serve(protected(e.Middleware), bearer(jwtRaw))
				return e.Middleware
			},
			wantStatus: http.StatusOK, wantHeld: true, wantClass: middleware.UpstreamRequestRefused,
		},
		{
			name: "a session Stytch refused is no upstream error",
			setup: func(t *testing.T, e *middlewaretest.Env) *middleware.Middleware {
				serve(protected(e.Middleware), jsonRequest(e.SessionCookies("A-_0A-_0A-_0A-_0A-_0A-_0A-_0A-_0A-_0A-_0A-_0", "")))
				return e.Middleware
			},
			wantStatus: http.StatusOK, wantHeld: true,
		},
		{
			name: "accepted credentials found by Check leave it ready",
			setup: func(t *testing.T, e *middlewaretest.Env) *middleware.Middleware {
				if err := e.Middleware.Check(context.Background()); err != nil {
					t.Errorf("Check = %v, want nil", err)
				}
				return e.Middleware
			},
			wantStatus: http.StatusOK, wantHeld: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := middlewaretest.NewEnv(t)
			m := tt.setup(t, e)
			status, rep := healthOf(t, m)
			if status != tt.wantStatus || rep.Ready != (tt.wantStatus == http.StatusOK) {
				t.Errorf("status %d, ready %v; want %d", status, rep.Ready, tt.wantStatus)
			}
			if rep.KeySet == nil || rep.KeySet.Held != tt.wantHeld || (rep.KeySet.FetchedAt != nil) != tt.wantHeld ||
				rep.KeySet.AgeSeconds < 0 || tt.wantHeld && rep.KeySet.Keys < 1 {
				t.Errorf("key set = %+v, want held %v", rep.KeySet, tt.wantHeld)
			}
			var class string
			if rep.LastUpstreamError != nil {
				class = rep.LastUpstreamError.Class
				if rep.LastUpstreamError.At.IsZero() {
					t.Error("upstream error without a time")
				}
			}
			if class != tt.wantClass || rep.CredentialsRefused != tt.wantRefused {
				t.Errorf("last upstream error %q, credentials refused %v; want %q, %v", class, rep.CredentialsRefused, tt.wantClass, tt.wantRefused)
			}
		})
	}
}

// TestHealthWithAKeyfuncHasNoKeySet: keys from WithKeyfunc are the app's
// business; the report has no key set and is ready.
func TestHealthWithAKeyfuncHasNoKeySet(t *testing.T) {
	t.Parallel()
	e := middlewaretest.NewEnv(t)
	pub := e.PublicKey(t)
	m := middlewareFor(t, e, e.Emulator.Secret(), middleware.WithKeyfunc(func(*jwt.Token) (any, error) { return pub, nil }))
	status, rep := healthOf(t, m)
	if status != http.StatusOK || rep.KeySet != nil {
		t.Errorf("status %d, key set %+v; want 200 and none", status, rep.KeySet)
	}
}
