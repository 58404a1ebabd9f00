package middleware_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/b2bauth/b2bauth/client"
	"github.com/b2bauth/b2bauth/middleware"
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
