package middleware_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/b2bauth/b2bauth/emulator"
	"github.com/b2bauth/b2bauth/middleware"
	"github.com/b2bauth/b2bauth/middleware/middlewaretest"
)

// verifications records what a middleware.Observer is told.
type verifications struct {
	mu   sync.Mutex
	seen []middleware.Verification
}

func (o *verifications) Verified(_ context.Context, v middleware.Verification) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.seen = append(o.seen, v)
}

func (o *verifications) all() []middleware.Verification {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]middleware.Verification(nil), o.seen...)
}

// TestObserverIsToldWhichSourceDecided walks every path of a verification
// and checks the source and outcome the observer is told of, request by
// request.
func TestObserverIsToldWhichSourceDecided(t *testing.T) {
	t.Parallel()
	type step struct {
		source  middleware.Source
		outcome string
	}
	made := strings.Repeat("A-_0", 11) // a plausible token Stytch never issued
	tests := []struct {
		name string
		opts []middleware.Option
		// run serves the requests of the case through h.
		run  func(t *testing.T, e *middlewaretest.Env, h http.Handler)
		want []step
	}{
		{
			name: "a fresh JWT is verified locally, then served from the cache",
			run: func(t *testing.T, e *middlewaretest.Env, h http.Handler) {
				tok, jwtRaw := e.Login(t, e.MemberID)
				serve(h, jsonRequest(e.SessionCookies(tok, jwtRaw)))
				serve(h, jsonRequest(e.SessionCookies(tok, jwtRaw)))
			},
			want: []step{{middleware.SourceLocal, "ok"}, {middleware.SourceJWTCache, "ok"}},
		},
		{
			name: "a request without credentials is decided by none",
			run: func(t *testing.T, e *middlewaretest.Env, h http.Handler) {
				serve(h, jsonRequest(nil))
			},
			want: []step{{middleware.SourceNone, "session_missing"}},
		},
		{
			name: "a badly signed JWT is refused locally",
			run: func(t *testing.T, e *middlewaretest.Env, h http.Handler) {
				_, jwtRaw := e.Login(t, e.MemberID)
				serve(h, bearer(jwtRaw+"x"))
			},
			want: []step{{middleware.SourceLocal, "token_invalid"}},
		},
		{
			name: "a made-up session token is refused by Stytch, then by the refusal cache",
			run: func(t *testing.T, e *middlewaretest.Env, h http.Handler) {
				serve(h, jsonRequest(e.SessionCookies(made, "")))
				serve(h, jsonRequest(e.SessionCookies(made, "")))
			},
			want: []step{{middleware.SourceRemote, "session_invalid"}, {middleware.SourceRefusalCache, "session_invalid"}},
		},
		{
			name: "an expired JWT alone is judged by Stytch, then by the verdict cache",
			run: func(t *testing.T, e *middlewaretest.Env, h http.Handler) {
				_, jwtRaw := e.Login(t, e.MemberID)
				e.Clock.Advance(6 * time.Minute)
				serve(h, bearer(jwtRaw))
				serve(h, bearer(jwtRaw))
			},
			want: []step{{middleware.SourceRemote, "ok"}, {middleware.SourceVerdictCache, "ok"}},
		},
		{
			name: "an outage answers an expired JWT with unavailable and serves a too-old one",
			opts: []middleware.Option{middleware.WithMaxTokenAge(time.Minute)},
			run: func(t *testing.T, e *middlewaretest.Env, h http.Handler) {
				e.Emulator.SetFault(emulator.Fault{Path: "/v1/b2b/sessions/authenticate", Status: 503})
				_, jwtRaw := e.Login(t, e.MemberID)
				e.Clock.Advance(2 * time.Minute)
				serve(h, bearer(jwtRaw))
				e.Clock.Advance(5 * time.Minute)
				serve(h, bearer(jwtRaw))
			},
			want: []step{{middleware.SourceOutage, "ok"}, {middleware.SourceOutage, "stytch_unavailable"}},
		},
		{
			name: "a session token past the upstream limit is refused by the limit",
			opts: []middleware.Option{middleware.WithUpstreamLimit(0.001, 1)},
			run: func(t *testing.T, e *middlewaretest.Env, h http.Handler) {
				serve(h, jsonRequest(e.SessionCookies(made, "")))
				serve(h, jsonRequest(e.SessionCookies(made[1:], "")))
			},
			want: []step{{middleware.SourceRemote, "session_invalid"}, {middleware.SourceUpstreamLimit, "stytch_unavailable"}},
		},
		{
			name: "duplicate cookies are decided by the same sources",
			run: func(t *testing.T, e *middlewaretest.Env, h http.Handler) {
				tok, jwtRaw := e.Login(t, e.MemberID)
				r := jsonRequest(nil)
				r.Header.Add("Cookie", middleware.DefaultJWTCookie+"=garbage.jwt")
				r.Header.Add("Cookie", middleware.DefaultJWTCookie+"="+jwtRaw)
				r.Header.Add("Cookie", middleware.DefaultSessionCookie+"="+tok)
				serve(h, r)
			},
			want: []step{{middleware.SourceLocal, "ok"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			obs := &verifications{}
			e := middlewaretest.NewEnv(t, middlewaretest.WithMiddlewareOptions(append(tt.opts, middleware.WithObserver(obs))...))
			// Two middlewares of one instance in a chain decide once.
			h := e.Middleware.OptionalSession(protected(e.Middleware))
			tt.run(t, e, h)
			got := obs.all()
			if len(got) != len(tt.want) {
				t.Fatalf("observer told of %d verifications, want %d: %+v", len(got), len(tt.want), got)
			}
			for i, v := range got {
				if v.Source != tt.want[i].source || v.Outcome() != tt.want[i].outcome {
					t.Errorf("verification %d: source %s, outcome %s; want %s, %s (err %v)",
						i, v.Source, v.Outcome(), tt.want[i].source, tt.want[i].outcome, v.Err)
				}
				if (v.Session != nil) != (v.Outcome() == "ok") || v.Duration < 0 {
					t.Errorf("verification %d: session %v with outcome %s, duration %v", i, v.Session != nil, v.Outcome(), v.Duration)
				}
			}
		})
	}
}

func TestSourceNames(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for s := middleware.SourceNone; s <= middleware.SourceUpstreamLimit; s++ {
		name := s.String()
		if name == "" || name == "unknown" || seen[name] {
			t.Errorf("source %d has the name %q", s, name)
		}
		seen[name] = true
	}
	if got := middleware.Source(200).String(); got != "unknown" {
		t.Errorf("an undefined source is named %q, want unknown", got)
	}
}

func TestWithObserverRefusesNil(t *testing.T) {
	t.Parallel()
	e := middlewaretest.NewEnv(t)
	if _, err := middleware.New(e.Client, middleware.WithObserver(nil)); err == nil {
		t.Fatal("New accepted a nil observer")
	}
}

// TestStatsCountTheCaches: Stats reports the entries of each cache.
func TestStatsCountTheCaches(t *testing.T) {
	t.Parallel()
	e := middlewaretest.NewEnv(t, middleware.WithCacheSize(8))
	h := protected(e.Middleware)
	if got := e.Middleware.Stats(); got != (middleware.Stats{CacheCapacity: 8}) {
		t.Fatalf("stats of a new middleware = %+v", got)
	}
	_, jwtRaw := e.Login(t, e.MemberID)
	serve(h, bearer(jwtRaw))
	serve(h, jsonRequest(e.SessionCookies(strings.Repeat("B", 44), "")))
	e.Clock.Advance(6 * time.Minute)
	serve(h, bearer(jwtRaw))
	want := middleware.Stats{CachedJWTs: 1, CachedVerdicts: 1, CachedRefusals: 1, CacheCapacity: 8}
	if got := e.Middleware.Stats(); got != want {
		t.Errorf("stats = %+v, want %+v", got, want)
	}
}

type discardObserver struct{}

func (discardObserver) Verified(context.Context, middleware.Verification) {}

// BenchmarkObservedRepeat is BenchmarkRequireSession/repeat with an
// observer that does nothing: the cost of the hook itself.
func BenchmarkObservedRepeat(b *testing.B) {
	e := middlewaretest.NewEnv(b, middleware.WithObserver(discardObserver{}))
	h := e.Middleware.RequireSession(okHandler)
	r := cookieRequest(e.Login(b, e.MemberID))
	w := middlewaretest.NewDiscard()
	h.ServeHTTP(w, r)
	b.ReportAllocs()
	for b.Loop() {
		h.ServeHTTP(w, r)
	}
}

// TestObserverIsToldOfAccessTokens: RequireScopes tells the observer of each
// access token it verifies, with the client, as it does of sessions.
func TestObserverIsToldOfAccessTokens(t *testing.T) {
	t.Parallel()
	obs := &verifications{}
	e := middlewaretest.NewEnv(t, middlewaretest.WithMiddlewareOptions(middleware.WithObserver(obs)))
	h := e.Middleware.RequireScopes(middlewaretest.ScopeRead)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	token := e.M2MToken(t, middlewaretest.ScopeRead)
	for _, auth := range []string{"Bearer " + token, "Bearer " + token, "Bearer not.a.token", ""} {
		r := httptest.NewRequest(http.MethodGet, "/api", nil)
		if auth != "" {
			r.Header.Set("Authorization", auth)
		}
		h.ServeHTTP(httptest.NewRecorder(), r)
	}
	want := []struct {
		source  middleware.Source
		outcome string
		client  bool
	}{
		{middleware.SourceLocal, "ok", true},
		{middleware.SourceJWTCache, "ok", true},
		{middleware.SourceLocal, "access_token_invalid", false},
		{middleware.SourceNone, "access_token_missing", false},
	}
	got := obs.all()
	if len(got) != len(want) {
		t.Fatalf("observer told of %d verifications, want %d", len(got), len(want))
	}
	for i, v := range got {
		if v.Source != want[i].source || v.Outcome() != want[i].outcome || (v.Client != nil) != want[i].client || v.Session != nil {
			t.Errorf("verification %d: source %s, outcome %s, client %v, session %v; want %s, %s, client %v",
				i, v.Source, v.Outcome(), v.Client != nil, v.Session != nil, want[i].source, want[i].outcome, want[i].client)
		}
	}
	if got[0].Client.ClientID != e.M2MClientID {
		t.Errorf("client %q, want %q", got[0].Client.ClientID, e.M2MClientID)
	}
}
