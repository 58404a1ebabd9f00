package middleware_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/b2bauth/b2bauth/client"
	"github.com/b2bauth/b2bauth/middleware"
)

// countingAuthenticator records remote calls and refuses every session.
type countingAuthenticator struct{ calls atomic.Int64 }

func (a *countingAuthenticator) Authenticate(context.Context, *client.SessionsAuthenticateParams) (*client.SessionsAuthenticateResponse, error) {
	a.calls.Add(1)
	return nil, &client.Error{StatusCode: http.StatusNotFound, ErrorType: "session_not_found"}
}

// FuzzAuthenticate feeds arbitrary credentials through the bearer header and
// the JWT cookie. Whatever arrives, the middleware must answer 401 without
// panicking, and junk (nothing signed by the key) must never cost an
// upstream call.
func FuzzAuthenticate(f *testing.F) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		f.Fatal(err)
	}
	c, err := client.New("project-test-fuzz", "secret", client.WithBaseURL("http://127.0.0.1:1"))
	if err != nil {
		f.Fatal(err)
	}
	auth := &countingAuthenticator{}
	now := time.Unix(1_800_000_000, 0)
	m, err := middleware.New(c,
		middleware.WithClock(func() time.Time { return now }),
		middleware.WithKeyfunc(func(*jwt.Token) (any, error) { return &key.PublicKey, nil }),
		middleware.WithAuthenticator(auth),
		middleware.WithPolicyAuthorizer(denyAll{}),
	)
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(m.Close)
	h := protected(m)
	f.Fuzz(func(t *testing.T, token string) {
		before := auth.calls.Load()
		for _, r := range []*http.Request{bearerRaw(token), jsonRequest([]*http.Cookie{{Name: middleware.DefaultJWTCookie, Value: token}})} {
			res := serve(h, r)
			if res.StatusCode != http.StatusUnauthorized {
				t.Fatalf("status %d for %q", res.StatusCode, token)
			}
		}
		if n := auth.calls.Load() - before; n != 0 {
			t.Fatalf("junk credential %q cost %d upstream calls", token, n)
		}
	})
}

func bearerRaw(token string) *http.Request {
	r := jsonRequest(nil)
	r.Header["Authorization"] = []string{"Bearer " + token}
	return r
}

type denyAll struct{}

func (denyAll) Authorize(context.Context, string, []string, client.AuthorizationCheck) error {
	return client.ErrAuthorizationDenied
}
