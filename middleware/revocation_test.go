package middleware_test

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/b2bauth/b2bauth/client"
	"github.com/b2bauth/b2bauth/middleware"
	"github.com/b2bauth/b2bauth/middleware/middlewaretest"
)

// memoryFeed is a middleware.RevocationFeed within the process: every
// middleware subscribed to one feed plays a replica of one application.
type memoryFeed struct {
	mu        sync.Mutex
	subs      map[int]func(string)
	next      int
	published []string
	fail      error // returned by Publish, which then delivers nothing
}

func (f *memoryFeed) Publish(ctx context.Context, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail != nil {
		return f.fail
	}
	if err := ctx.Err(); err != nil {
		// As a feed on a network: nothing is sent once ctx is done.
		return err
	}
	f.published = append(f.published, id)
	for _, deliver := range f.subs {
		deliver(id)
	}
	return nil
}

func (f *memoryFeed) Subscribe(deliver func(string)) (func(), error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.subs == nil {
		f.subs = map[int]func(string){}
	}
	id := f.next
	f.next++
	f.subs[id] = deliver
	return func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		delete(f.subs, id)
	}, nil
}

func (f *memoryFeed) subscribers() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.subs)
}

func (f *memoryFeed) publishedIDs() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.published...)
}

// sessionIDOf returns the session id a JWT names, unverified.
func sessionIDOf(t *testing.T, raw string) string {
	t.Helper()
	s, _ := claimsOf(t, raw)["https://stytch.com/session"].(map[string]any)
	id, _ := s["id"].(string)
	if id == "" {
		t.Fatal("the JWT names no session")
	}
	return id
}

// replica is a second middleware of the Env's project, sharing its clock.
func replica(t *testing.T, e *middlewaretest.Env, opts ...middleware.Option) *middleware.Middleware {
	t.Helper()
	m, err := middleware.New(e.Client, append([]middleware.Option{middleware.WithClock(e.Clock.Now)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Close)
	return m
}

func expectStatus(t *testing.T, what string, h http.Handler, r *http.Request, want int) {
	t.Helper()
	if res := serve(h, r); res.StatusCode != want {
		t.Fatalf("%s: status %d, want %d", what, res.StatusCode, want)
	}
}

func TestRevocation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		run  func(t *testing.T, e *middlewaretest.Env, feed *memoryFeed)
	}{
		{"a revoked session's cached JWT is refused without asking Stytch", func(t *testing.T, e *middlewaretest.Env, feed *memoryFeed) {
			_, jwtRaw := e.Login(t, e.MemberID)
			h := protected(e.Middleware)
			expectStatus(t, "before the revocation", h, bearer(jwtRaw), http.StatusOK)
			if err := e.Middleware.Revoke(context.Background(), sessionIDOf(t, jwtRaw)); err != nil {
				t.Fatal(err)
			}
			res := serve(h, bearer(jwtRaw))
			if res.StatusCode != http.StatusUnauthorized {
				t.Fatalf("after the revocation: status %d, want 401", res.StatusCode)
			}
			if n := e.AuthenticateCalls(); n != 0 {
				t.Fatalf("%d upstream calls, want none", n)
			}
		}},
		{"a revocation on one replica reaches the cache of another through the feed", func(t *testing.T, e *middlewaretest.Env, feed *memoryFeed) {
			b := replica(t, e, middleware.WithRevocations(feed))
			_, jwtRaw := e.Login(t, e.MemberID)
			hb := protected(b)
			expectStatus(t, "B before the revocation", hb, bearer(jwtRaw), http.StatusOK)
			if err := e.Middleware.Revoke(context.Background(), sessionIDOf(t, jwtRaw)); err != nil {
				t.Fatal(err)
			}
			expectStatus(t, "B after the revocation on A", hb, bearer(jwtRaw), http.StatusUnauthorized)
			if n := e.AuthenticateCalls(); n != 0 {
				t.Fatalf("%d upstream calls, want none", n)
			}
		}},
		{"a revocation whose request was cancelled still reaches another replica", func(t *testing.T, e *middlewaretest.Env, feed *memoryFeed) {
			// The browser went away after asking to log out.
			b := replica(t, e, middleware.WithRevocations(feed))
			_, jwtRaw := e.Login(t, e.MemberID)
			hb := protected(b)
			expectStatus(t, "B before the revocation", hb, bearer(jwtRaw), http.StatusOK)
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			if err := e.Middleware.Revoke(ctx, sessionIDOf(t, jwtRaw)); err != nil {
				t.Fatal(err)
			}
			expectStatus(t, "B after the revocation on A", hb, bearer(jwtRaw), http.StatusUnauthorized)
		}},
		{"an expired JWT Stytch already vouched for is refused once its session is revoked", func(t *testing.T, e *middlewaretest.Env, feed *memoryFeed) {
			b := replica(t, e, middleware.WithRevocations(feed))
			_, jwtRaw := e.Login(t, e.MemberID)
			e.Clock.Advance(6 * time.Minute) // the JWT lives 5 minutes
			hb := protected(b)
			expectStatus(t, "B with the expired JWT, judged by Stytch", hb, bearer(jwtRaw), http.StatusOK)
			if err := e.Middleware.Revoke(context.Background(), sessionIDOf(t, jwtRaw)); err != nil {
				t.Fatal(err)
			}
			expectStatus(t, "B after the revocation on A", hb, bearer(jwtRaw), http.StatusUnauthorized)
			if n := e.AuthenticateCalls(); n != 1 {
				t.Fatalf("%d upstream calls, want only the first judgement", n)
			}
		}},
		{"other sessions are served as before", func(t *testing.T, e *middlewaretest.Env, feed *memoryFeed) {
			_, revoked := e.Login(t, e.MemberID)
			_, other := e.Login(t, e.MemberID)
			e.Middleware.Revoke(context.Background(), sessionIDOf(t, revoked))
			expectStatus(t, "another session", protected(e.Middleware), bearer(other), http.StatusOK)
		}},
		{"a revoked JWT with a valid session token cookie is judged by Stytch with the token", func(t *testing.T, e *middlewaretest.Env, feed *memoryFeed) {
			token, _ := e.Login(t, e.MemberID)
			_, strayJWT := e.Login(t, e.MemberID)
			e.Middleware.Revoke(context.Background(), sessionIDOf(t, strayJWT))
			expectStatus(t, "token with a revoked JWT cookie", protected(e.Middleware),
				jsonRequest(e.SessionCookies(token, strayJWT)), http.StatusOK)
			if n := e.AuthenticateCalls(); n != 1 {
				t.Fatalf("%d upstream calls, want the token's one", n)
			}
		}},
		{"the refusal ends once the JWTs have passed their maximum age", func(t *testing.T, e *middlewaretest.Env, feed *memoryFeed) {
			token, jwtRaw := e.Login(t, e.MemberID)
			e.Middleware.Revoke(context.Background(), sessionIDOf(t, jwtRaw))
			e.Clock.Advance(5*time.Minute + 31*time.Second)
			// Stytch still honours the session (it was revoked here only):
			// its new JWT is served again.
			expectStatus(t, "after the maximum age", protected(e.Middleware),
				jsonRequest(e.SessionCookies(token, jwtRaw)), http.StatusOK)
		}},
		{"a session Stytch says is gone is published with the id of its verified JWT", func(t *testing.T, e *middlewaretest.Env, feed *memoryFeed) {
			b := replica(t, e, middleware.WithRevocations(feed))
			a := replica(t, e, middleware.WithRevocations(feed))
			token, old := e.Login(t, e.MemberID)
			// B caches a fresh JWT of the session.
			e.Clock.Advance(4 * time.Minute)
			res, err := e.Client.Sessions.Authenticate(context.Background(), &client.SessionsAuthenticateParams{SessionToken: token})
			if err != nil {
				t.Fatal(err)
			}
			fresh := res.SessionJWT
			expectStatus(t, "B with the fresh JWT", protected(b), bearer(fresh), http.StatusOK)
			if _, err := e.Client.Sessions.Revoke(context.Background(), &client.SessionsRevokeParams{SessionToken: token}); err != nil {
				t.Fatal(err)
			}
			// A sees the old JWT past its age and asks Stytch.
			e.Clock.Advance(2 * time.Minute)
			expectStatus(t, "A with the old JWT", protected(a), bearer(old), http.StatusUnauthorized)
			if got := feed.publishedIDs(); len(got) != 1 || got[0] != sessionIDOf(t, old) {
				t.Fatalf("published %q, want the session's id", got)
			}
			calls := e.AuthenticateCalls()
			expectStatus(t, "B with the fresh JWT", protected(b), bearer(fresh), http.StatusUnauthorized)
			if n := e.AuthenticateCalls(); n != calls {
				t.Fatal("B asked Stytch")
			}
		}},
		{"a token Stytch says is gone presented with a bearer JWT publishes nothing", func(t *testing.T, e *middlewaretest.Env, feed *memoryFeed) {
			a := replica(t, e, middleware.WithRevocations(feed), middleware.WithSessionTokenSources(
				func(r *http.Request) string { return r.Header.Get("X-Session-Token") }))
			victim, _ := e.Login(t, e.MemberID)
			_, victimJWT := e.Login(t, e.MemberID)
			e.Client.Sessions.Revoke(context.Background(), &client.SessionsRevokeParams{SessionToken: victim})
			e.Clock.Advance(10 * time.Minute)
			r := jsonRequest(e.SessionCookies("", victimJWT))
			r.Header.Set("X-Session-Token", victim)
			serve(protected(a), r)
			if got := feed.publishedIDs(); len(got) != 0 {
				t.Fatalf("published %q for a token and JWT not written together", got)
			}
		}},
		{"a forged JWT Stytch refuses publishes nothing", func(t *testing.T, e *middlewaretest.Env, feed *memoryFeed) {
			a := replica(t, e, middleware.WithRevocations(feed))
			_, jwtRaw := e.Login(t, e.MemberID)
			e.Clock.Advance(10 * time.Minute)
			serve(protected(a), bearer(tamperSignature(jwtRaw)))
			if got := feed.publishedIDs(); len(got) != 0 {
				t.Fatalf("published %q for a forged JWT", got)
			}
		}},
		{"a failing feed still refuses the session here and reports the error", func(t *testing.T, e *middlewaretest.Env, feed *memoryFeed) {
			feed.fail = errors.New("feed down")
			a := replica(t, e, middleware.WithRevocations(feed))
			_, jwtRaw := e.Login(t, e.MemberID)
			if err := a.Revoke(context.Background(), sessionIDOf(t, jwtRaw)); err == nil {
				t.Fatal("Revoke hid the feed's error")
			}
			expectStatus(t, "after the failed publication", protected(a), bearer(jwtRaw), http.StatusUnauthorized)
		}},
		{"Close ends the subscription", func(t *testing.T, e *middlewaretest.Env, feed *memoryFeed) {
			a := replica(t, e, middleware.WithRevocations(feed))
			if n := feed.subscribers(); n != 2 {
				t.Fatalf("%d subscribers, want the Env's and a's", n)
			}
			a.Close()
			if n := feed.subscribers(); n != 1 {
				t.Fatalf("%d subscribers after a.Close, want the Env's", n)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			feed := &memoryFeed{}
			e := middlewaretest.NewEnv(t, middleware.WithRevocations(feed))
			tt.run(t, e, feed)
		})
	}
}

func TestWithRevocationsRefusesNil(t *testing.T) {
	t.Parallel()
	c, err := client.New("project-test-offline", "secret", client.WithBaseURL("http://127.0.0.1:1"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := middleware.New(c, middleware.WithRevocations(nil)); err == nil {
		t.Fatal("New accepted a nil feed")
	}
}

// BenchmarkRequireSessionWithRevocations is the repeat path of
// BenchmarkRequireSession with a feed and 1000 other sessions revoked: the
// cost of the lookup on every request. repeat_parallel_decide is the hit
// path of BenchmarkRequireSession/repeat_parallel_decide with those
// revocations, from every CPU at once (run with -cpu 1,2): the lookup takes
// no lock, so its time per request halves at 2 CPUs.
func BenchmarkRequireSessionWithRevocations(b *testing.B) {
	b.Run("repeat_parallel_decide", func(b *testing.B) {
		e := middlewaretest.NewEnv(b, middleware.WithClock(time.Now), middleware.WithRevocations(&memoryFeed{}))
		for i := range 1000 {
			e.Middleware.Revoke(context.Background(), "member-session-test-"+strconv.Itoa(i))
		}
		parallelRepeat(b, e, decideOnly(e.Middleware))
	})
	b.Run("repeat", func(b *testing.B) {
		e := middlewaretest.NewEnv(b, middleware.WithRevocations(&memoryFeed{}))
		for i := range 1000 {
			e.Middleware.Revoke(context.Background(), "member-session-test-"+strconv.Itoa(i))
		}
		h := e.Middleware.RequireSession(okHandler)
		r := cookieRequest(e.Login(b, e.MemberID))
		w := middlewaretest.NewDiscard()
		h.ServeHTTP(w, r)
		b.ReportAllocs()
		for b.Loop() {
			h.ServeHTTP(w, r)
		}
		if n := e.AuthenticateCalls(); n != 0 {
			b.Fatalf("%d upstream calls", n)
		}
	})
}
