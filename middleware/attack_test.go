package middleware_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/b2bauth/b2bauth/emulator"
	"github.com/b2bauth/b2bauth/middleware"
	"github.com/b2bauth/b2bauth/middleware/middlewaretest"
)

// TestStepUpNeedsAFreshSecondFactor: RequireFreshFactor(MFAFactor) passes
// only a second factor authenticated within the window; a fresh primary
// factor or a stale second one is refused.
func TestStepUpNeedsAFreshSecondFactor(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		factors func(now time.Time) []emulator.Factor
		want    int
	}{
		{"a fresh email factor is not a second factor", func(now time.Time) []emulator.Factor {
			return []emulator.Factor{{Type: "magic_link", DeliveryMethod: "email", At: now}}
		}, http.StatusForbidden},
		{"an SMS factor older than the window is refused", func(now time.Time) []emulator.Factor {
			return []emulator.Factor{{Type: "otp", DeliveryMethod: "sms", At: now.Add(-11 * time.Minute)}}
		}, http.StatusForbidden},
		{"a fresh SMS factor passes", func(now time.Time) []emulator.Factor {
			return []emulator.Factor{{Type: "otp", DeliveryMethod: "sms", At: now.Add(-time.Minute)}}
		}, http.StatusOK},
		{"a fresh authenticator app factor passes", func(now time.Time) []emulator.Factor {
			return []emulator.Factor{{Type: "totp", DeliveryMethod: "authenticator_app", At: now}}
		}, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := middlewaretest.NewEnv(t)
			_, jwt, err := e.Emulator.CreateSession(e.MemberID, emulator.WithSessionFactors(tt.factors(e.Clock.Now())...))
			if err != nil {
				t.Fatal(err)
			}
			h := e.Middleware.RequireFreshFactor(middleware.MFAFactor, 10*time.Minute)(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
			if res := serve(h, bearer(jwt)); res.StatusCode != tt.want {
				t.Fatalf("status = %d, want %d", res.StatusCode, tt.want)
			}
		})
	}
}

// TestExpiredForeignJWTsStayLocal: an expired JWT is only worth Stytch's
// opinion when it is otherwise ours; with another issuer or audience it is
// refused without an upstream call.
func TestExpiredForeignJWTsStayLocal(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		mutate func(c map[string]any)
	}{
		{"an expired JWT of another issuer", func(c map[string]any) { c["iss"] = "stytch.com/project-test-other" }},
		{"an expired JWT of another audience", func(c map[string]any) { c["aud"] = []string{"project-test-other"} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := middlewaretest.NewEnv(t)
			_, valid := e.Login(t, e.MemberID)
			c := claimsOf(t, valid)
			tt.mutate(c)
			past := e.Clock.Now().Add(-time.Hour)
			c["iat"], c["nbf"], c["exp"] = past.Unix(), past.Unix(), past.Add(5*time.Minute).Unix()
			tok, err := e.Emulator.SignJWT(c, nil)
			if err != nil {
				t.Fatal(err)
			}
			e.Emulator.ResetCalls()
			if res := serve(protected(e.Middleware), bearer(tok)); res.StatusCode != http.StatusUnauthorized {
				t.Fatalf("status = %d, want 401", res.StatusCode)
			}
			if n := e.AuthenticateCalls(); n != 0 {
				t.Fatalf("%d upstream authenticate calls, want 0", n)
			}
		})
	}
}
