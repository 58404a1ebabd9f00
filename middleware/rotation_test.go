package middleware_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/b2bauth/b2bauth/client"
	"github.com/b2bauth/b2bauth/emulator"
	"github.com/b2bauth/b2bauth/middleware"
	"github.com/b2bauth/b2bauth/middleware/middlewaretest"
)

// TestProjectSecretRotation: a project secret is rotated at Stytch by
// creating a new one, giving it to every replica, then deleting the old.
// A replica still holding the deleted secret keeps its members signed in:
// JWTs verify locally (the key set is fetched without credentials), and
// what needs Stytch is an outage, never a logout.
func TestProjectSecretRotation(t *testing.T) {
	t.Parallel()
	e := middlewaretest.NewEnv(t)
	stale, err := client.New(e.Emulator.ProjectID(), "secret-test-deleted-00000000", client.WithBaseURL(e.Emulator.URL()))
	if err != nil {
		t.Fatal(err)
	}
	staleMW, err := middleware.New(stale, middleware.WithClock(e.Clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(staleMW.Close)
	tok, jwtRaw := e.Login(t, e.MemberID)

	t.Run("a fresh JWT verifies on the replica with the deleted secret", func(t *testing.T) {
		res := serve(protected(staleMW), jsonRequest(e.SessionCookies(tok, jwtRaw)))
		if res.StatusCode != http.StatusOK || len(res.Cookies()) != 0 {
			t.Fatalf("status %d, cookies %v, want 200 and none written", res.StatusCode, res.Cookies())
		}
	})
	e.Clock.Advance(6 * time.Minute)
	t.Run("a JWT too old is an outage on the replica with the deleted secret, cookies kept", func(t *testing.T) {
		res := serve(protected(staleMW), jsonRequest(e.SessionCookies(tok, jwtRaw)))
		if res.StatusCode != http.StatusServiceUnavailable || res.Header.Get("Retry-After") == "" {
			t.Fatalf("status %d, Retry-After %q, want 503 with Retry-After", res.StatusCode, res.Header.Get("Retry-After"))
		}
		if len(res.Cookies()) != 0 {
			t.Errorf("cookies written for a refused project secret: %v", res.Cookies())
		}
	})
	t.Run("the replica with the new secret serves the same member", func(t *testing.T) {
		res := serve(protected(e.Middleware), jsonRequest(e.SessionCookies(tok, jwtRaw)))
		if res.StatusCode != http.StatusOK {
			t.Fatalf("status %d, want 200", res.StatusCode)
		}
	})
}

// TestSigningKeyRotation: Stytch rotates its signing key by publishing a
// new one, signing with it, and later unpublishing the old. Members signed
// in before stay signed in through every step.
func TestSigningKeyRotation(t *testing.T) {
	t.Parallel()
	e := middlewaretest.NewEnv(t)
	tok, jwtRaw := e.Login(t, e.MemberID)
	ok := func(t *testing.T, tok, jwtRaw string) {
		t.Helper()
		res := serve(protected(e.Middleware), jsonRequest(e.SessionCookies(tok, jwtRaw)))
		if res.StatusCode != http.StatusOK {
			t.Fatalf("status %d, want 200", res.StatusCode)
		}
	}
	e.Emulator.RotateKey()
	t.Run("a JWT of the old key verifies while both keys are published", func(t *testing.T) {
		ok(t, tok, jwtRaw)
	})
	t.Run("a JWT of the new key verifies at once", func(t *testing.T) {
		tok2, jwt2 := e.Login(t, e.AdminID)
		ok(t, tok2, jwt2)
	})
	e.Emulator.RotateKey(emulator.WithDropOldKeys())
	t.Run("a member signed in before the old key is unpublished stays signed in", func(t *testing.T) {
		tok3, jwt3 := e.Login(t, e.EditorID)
		ok(t, tok3, jwt3)
		ok(t, tok, jwtRaw)
	})
}
