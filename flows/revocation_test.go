package flows_test

import (
	"net/http"
	"testing"

	"github.com/b2bauth/b2bauth/emulator"
)

// TestLogoutRefusesTheSessionsCachedJWT: a JWT copied before the logout is
// refused at once by the middleware that had verified it, without waiting
// for its maximum age and without asking Stytch.
func TestLogoutRefusesTheSessionsCachedJWT(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		fault bool
	}{
		{"after Stytch revoked the session", false},
		{"also when Stytch failed to revoke it", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h, _ := loggedIn(t, emulator.MemberSeed{Email: "copy@acme.example"})
			jwtRaw := h.cookie("stytch_session_jwt")
			if tt.fault {
				h.emu.SetFault(emulator.Fault{Path: "/v1/b2b/sessions/revoke", Status: http.StatusInternalServerError})
			}
			if a := h.post("/auth/logout", nil); a.status != http.StatusSeeOther {
				t.Fatalf("logout = %d: %s", a.status, a.body)
			}
			calls := h.emu.Calls(http.MethodPost, "/v1/b2b/sessions/authenticate")
			req, _ := http.NewRequest(http.MethodGet, h.url("/dashboard"), nil)
			req.Header.Set("Accept", "application/json")
			req.Header.Set("Authorization", "Bearer "+jwtRaw)
			if a := h.do(req); a.status != http.StatusUnauthorized {
				t.Fatalf("dashboard with the copied JWT = %d %q, want 401", a.status, a.body)
			}
			if n := h.emu.Calls(http.MethodPost, "/v1/b2b/sessions/authenticate"); n != calls {
				t.Fatalf("%d upstream calls, want none", n-calls)
			}
		})
	}
}
