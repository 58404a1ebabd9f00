package middleware_test

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/b2bauth/b2bauth/middleware"
	"github.com/b2bauth/b2bauth/middleware/middlewaretest"
)

// TestClaimRules: Stytch's JWTs name a member and an organization and were
// not issued in the future; one that breaks a rule is ErrInvalidToken,
// decided without asking Stytch.
func TestClaimRules(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		mutate  func(c map[string]any, now time.Time)
		wantErr error // nil: served
	}{
		{"a JWT issued within the leeway of now is served", func(c map[string]any, now time.Time) {
			c["iat"] = now.Add(20 * time.Second).Unix()
		}, nil},
		{"a JWT issued beyond the leeway in the future is refused", func(c map[string]any, now time.Time) {
			c["iat"] = now.Add(2 * time.Minute).Unix()
		}, middleware.ErrInvalidToken},
		{"a JWT without sub is refused", func(c map[string]any, _ time.Time) {
			delete(c, "sub")
		}, middleware.ErrInvalidToken},
		{"a JWT with an empty sub is refused", func(c map[string]any, _ time.Time) {
			c["sub"] = ""
		}, middleware.ErrInvalidToken},
		{"a JWT without the organization claim is refused", func(c map[string]any, _ time.Time) {
			delete(c, "https://stytch.com/organization")
		}, middleware.ErrInvalidToken},
		{"a JWT whose organization claim lacks organization_id is refused", func(c map[string]any, _ time.Time) {
			c["https://stytch.com/organization"] = map[string]any{"slug": "acme"}
		}, middleware.ErrInvalidToken},
		{"an expired JWT without the organization claim is refused without asking Stytch", func(c map[string]any, now time.Time) {
			delete(c, "https://stytch.com/organization")
			past := now.Add(-time.Hour)
			c["iat"], c["nbf"], c["exp"] = past.Unix(), past.Unix(), past.Add(5*time.Minute).Unix()
		}, middleware.ErrInvalidToken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := middlewaretest.NewEnv(t)
			_, valid := e.Login(t, e.MemberID)
			c := claimsOf(t, valid)
			tt.mutate(c, e.Clock.Now())
			tok, err := e.Emulator.SignJWT(c, nil)
			if err != nil {
				t.Fatal(err)
			}
			e.Emulator.ResetCalls()
			var reason error
			h := e.Middleware.OptionalSession(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
				reason = middleware.FailureReason(r.Context())
			}))
			serve(h, bearer(tok))
			switch {
			case tt.wantErr == nil && reason != nil:
				t.Fatalf("refused: %v", reason)
			case tt.wantErr != nil && !errors.Is(reason, tt.wantErr):
				t.Fatalf("reason = %v, want %v", reason, tt.wantErr)
			}
			if n := e.AuthenticateCalls(); n != 0 {
				t.Errorf("%d upstream authenticate calls, want 0", n)
			}
		})
	}
}
