package middleware_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/b2bauth/b2bauth/client"
	"github.com/b2bauth/b2bauth/emulator"
	"github.com/b2bauth/b2bauth/middleware"
	"github.com/b2bauth/b2bauth/middleware/middlewaretest"
)

// gatedAuthenticator counts remote checks and holds each until released.
type gatedAuthenticator struct {
	calls   atomic.Int64
	release chan struct{}
}

func (g *gatedAuthenticator) Authenticate(ctx context.Context, p *client.SessionsAuthenticateParams) (*client.SessionsAuthenticateResponse, error) {
	g.calls.Add(1)
	<-g.release
	now := time.Now()
	later := now.Add(time.Hour)
	return &client.SessionsAuthenticateResponse{
		MemberSession: client.MemberSession{MemberSessionID: "member-session-test-1", MemberID: "member-test-1",
			OrganizationID: "organization-test-1", StartedAt: &now, ExpiresAt: &later},
	}, nil
}

// TestHerdIsCoalescedDeterministically proves the coalescing without timing:
// in a synctest bubble, synctest.Wait returns once all 200 requests are
// blocked, and only then is the single upstream call let through.
func TestHerdIsCoalescedDeterministically(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	synctest.Test(t, func(t *testing.T) {
		c, err := client.New("project-test-herd", "secret", client.WithBaseURL("http://127.0.0.1:1"))
		if err != nil {
			t.Fatal(err)
		}
		gate := &gatedAuthenticator{release: make(chan struct{})}
		m, err := middleware.New(c,
			middleware.WithKeyfunc(func(*jwt.Token) (any, error) { return &key.PublicKey, nil }),
			middleware.WithAuthenticator(gate),
			middleware.WithPolicyAuthorizer(denyAll{}))
		if err != nil {
			t.Fatal(err)
		}
		defer m.Close()
		now := time.Now()
		expired, err := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims{
			"iss": "stytch.com/project-test-herd", "aud": []string{"project-test-herd"}, "sub": "member-test-1",
			"iat": now.Add(-10 * time.Minute).Unix(), "nbf": now.Add(-10 * time.Minute).Unix(), "exp": now.Add(-5 * time.Minute).Unix(),
		}).SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		h := protected(m)
		const n = 200
		statuses := make([]int, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				statuses[i] = serve(h, jsonRequest([]*http.Cookie{
					{Name: middleware.DefaultSessionCookie, Value: "session-token-test-herd"},
					{Name: middleware.DefaultJWTCookie, Value: expired},
				})).StatusCode
			})
		}
		synctest.Wait() // every request is now blocked on the one upstream call
		if got := gate.calls.Load(); got != 1 {
			t.Fatalf("%d identical concurrent fallbacks made %d upstream calls, want 1", n, got)
		}
		close(gate.release)
		wg.Wait()
		for i, s := range statuses {
			if s != http.StatusOK {
				t.Fatalf("request %d: status %d", i, s)
			}
		}
	})
}

// heldJWKS answers requests in process through h, so that a synctest bubble
// sees every goroutine block durably, and holds JWKS answers back while
// holding. It counts JWKS requests on arrival (the emulator counts them only
// once they are let through).
type heldJWKS struct {
	h       http.Handler
	mu      sync.Mutex
	release chan struct{} // nil: answer at once
	calls   int
}

func (t *heldJWKS) jwksCalls() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.calls
}

// hold makes JWKS answers wait until the returned channel is closed.
func (t *heldJWKS) hold() chan struct{} {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.release = make(chan struct{})
	return t.release
}

func (t *heldJWKS) RoundTrip(r *http.Request) (*http.Response, error) {
	isJWKS := strings.HasPrefix(r.URL.Path, jwksPathPrefix)
	t.mu.Lock()
	release := t.release
	if isJWKS {
		t.calls++
	}
	t.mu.Unlock()
	if release != nil && isJWKS {
		select {
		case <-release:
		case <-r.Context().Done():
			return nil, r.Context().Err()
		}
	}
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, r)
	return rec.Result(), nil
}

// jwksWorld is an emulator with one member, reached in process through a
// heldJWKS, and a middleware for it; build it inside the synctest bubble.
type jwksWorld struct {
	emu    *emulator.Server
	member string
	held   *heldJWKS
	m      *middleware.Middleware
}

func newJWKSWorld(t *testing.T, emu *emulator.Server, member string, clk *middlewaretest.Clock) *jwksWorld {
	t.Helper()
	held := &heldJWKS{h: emu.Handler()}
	c, err := client.New(emu.ProjectID(), emu.Secret(), client.WithBaseURL("http://stytch.invalid"),
		client.WithHTTPClient(&http.Client{Transport: held}))
	if err != nil {
		t.Fatal(err)
	}
	m, err := middleware.New(c, middleware.WithClock(clk.Now), middleware.WithPolicyAuthorizer(denyAll{}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Close)
	return &jwksWorld{emu: emu, member: member, held: held, m: m}
}

// jwtCookies mints n sessions and returns, for each, the JWT cookie alone:
// no session token to fall back on, so a JWT refused locally is a 401.
func (w *jwksWorld) jwtCookies(t *testing.T, n int) [][]*http.Cookie {
	t.Helper()
	out := make([][]*http.Cookie, n)
	for i := range out {
		_, jwtRaw, err := w.emu.CreateSession(w.member)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = []*http.Cookie{{Name: middleware.DefaultJWTCookie, Value: jwtRaw}}
	}
	return out
}

// TestKeyRotationHerdWaitsForOneRefresh sends JWTs of a freshly rotated key
// while the one refresh that brings the key is held back: every request
// waits for it, none is refused, no cookie is cleared and Stytch is not
// asked.
func TestKeyRotationHerdWaitsForOneRefresh(t *testing.T) {
	clk := middlewaretest.NewClock(time.Now().UTC().Truncate(time.Second))
	emu := emulator.NewTest(t, emulator.WithClock(clk.Now))
	org, err := emu.AddOrganization(emulator.OrganizationSeed{Name: "Acme"})
	if err != nil {
		t.Fatal(err)
	}
	member, err := emu.AddMember(emulator.MemberSeed{Organization: org, Email: "a@acme.test"})
	if err != nil {
		t.Fatal(err)
	}
	// answer serves one request of JWT cookies and reports its status and
	// whether it set or cleared a cookie.
	type answer struct {
		status  int
		cookies int
	}
	answerOf := func(h http.Handler, r *http.Request) answer {
		res := serve(h, r)
		return answer{status: res.StatusCode, cookies: len(res.Cookies())}
	}

	t.Run("fifty JWTs of a rotated key all wait for one refresh", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			w := newJWKSWorld(t, emu, member, clk)
			emu.RotateKey()
			herd := w.jwtCookies(t, 50)
			emu.ResetCalls()
			before := w.held.jwksCalls()
			release := w.held.hold()
			h := protected(w.m)
			answers := make([]answer, len(herd))
			var wg sync.WaitGroup
			for i, cookies := range herd {
				wg.Go(func() { answers[i] = answerOf(h, jsonRequest(cookies)) })
			}
			synctest.Wait() // every request now waits for the refresh
			if n := w.held.jwksCalls() - before; n != 1 {
				t.Fatalf("%d JWKS fetches while the herd waits, want 1", n)
			}
			close(release)
			wg.Wait()
			for i, a := range answers {
				if a.status != http.StatusOK || a.cookies != 0 {
					t.Errorf("request %d: status %d with %d cookies set or cleared, want 200 and none", i, a.status, a.cookies)
				}
			}
			if n := w.held.jwksCalls() - before; n != 1 {
				t.Errorf("%d JWKS fetches, want 1", n)
			}
			if n := emu.Calls(http.MethodPost, "/v1/b2b/sessions/authenticate"); n != 0 {
				t.Errorf("%d sessions authenticate calls, want 0", n)
			}
		})
	})

	t.Run("a client leaving mid-refresh does not abort it for the next ones", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			w := newJWKSWorld(t, emu, member, clk)
			emu.RotateKey()
			cookies := w.jwtCookies(t, 11)
			emu.ResetCalls()
			release := w.held.hold()
			h := protected(w.m)
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan struct{})
			go func() {
				defer close(done)
				serve(h, jsonRequest(cookies[0]).WithContext(ctx))
			}()
			synctest.Wait()
			cancel() // the client disconnects while the refresh runs
			<-done
			close(release)
			synctest.Wait()

			emu.ResetCalls()
			before := w.held.jwksCalls()
			for i, c := range cookies[1:] {
				if a := answerOf(h, jsonRequest(c)); a.status != http.StatusOK || a.cookies != 0 {
					t.Errorf("request %d after the refresh: status %d with %d cookies set or cleared, want 200 and none", i, a.status, a.cookies)
				}
			}
			if n := w.held.jwksCalls() - before; n != 0 {
				t.Errorf("%d more JWKS fetches, want 0: the refresh should have completed", n)
			}
			if n := emu.Calls(http.MethodPost, "/v1/b2b/sessions/authenticate"); n != 0 {
				t.Errorf("%d sessions authenticate calls, want 0", n)
			}
		})
	})
}

// TestNewDoesNotHangOnASlowJWKS holds the first JWKS answer back: New
// returns after the start wait, and a request then waits at most the key
// wait before it answers 503 while Stytch cannot vouch for the JWT either.
func TestNewDoesNotHangOnASlowJWKS(t *testing.T) {
	clk := middlewaretest.NewClock(time.Now().UTC().Truncate(time.Second))
	emu := emulator.NewTest(t, emulator.WithClock(clk.Now))
	org, err := emu.AddOrganization(emulator.OrganizationSeed{Name: "Acme"})
	if err != nil {
		t.Fatal(err)
	}
	member, err := emu.AddMember(emulator.MemberSeed{Organization: org, Email: "a@acme.test"})
	if err != nil {
		t.Fatal(err)
	}
	_, jwtRaw, err := emu.CreateSession(member)
	if err != nil {
		t.Fatal(err)
	}
	emu.SetFault(emulator.Fault{Path: "/v1/b2b/sessions/authenticate", Status: http.StatusServiceUnavailable})
	synctest.Test(t, func(t *testing.T) {
		held := &heldJWKS{h: emu.Handler()}
		release := held.hold() // the key set takes longer than the client's 10 s timeout
		defer close(release)
		c, err := client.New(emu.ProjectID(), emu.Secret(), client.WithBaseURL("http://stytch.invalid"),
			client.WithHTTPClient(&http.Client{Transport: held}))
		if err != nil {
			t.Fatal(err)
		}
		began := time.Now()
		m, err := middleware.New(c, middleware.WithClock(clk.Now), middleware.WithPolicyAuthorizer(denyAll{}))
		if err != nil {
			t.Fatal(err)
		}
		defer m.Close()
		if d := time.Since(began); d != client.DefaultJWKSStartWait {
			t.Errorf("New took %v, want %v", d, client.DefaultJWKSStartWait)
		}

		began = time.Now()
		res := serve(protected(m), bearer(jwtRaw))
		if d := time.Since(began); d != client.DefaultJWKSKeyWait {
			t.Errorf("the first request waited %v, want %v", d, client.DefaultJWKSKeyWait)
		}
		if res.StatusCode != http.StatusServiceUnavailable {
			t.Errorf("status %d, want 503", res.StatusCode)
		}
	})
}
