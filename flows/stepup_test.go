package flows_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/b2bauth/b2bauth/client"
	"github.com/b2bauth/b2bauth/emulator"
	"github.com/b2bauth/b2bauth/flows"
)

// loggedIn logs a member of an OPTIONAL organization in without MFA and
// returns the harness (with opts) and the member id.
func loggedIn(t *testing.T, seed emulator.MemberSeed, opts ...flows.Option) (*harness, string) {
	t.Helper()
	h := newHarness(t, opts...)
	orgID := h.org(emulator.OrganizationSeed{Name: "Acme", Slug: "acme"})
	seed.Organization = "acme"
	memberID := h.member(seed)
	h.discover(seed.Email, "")
	h.expectDone(h.selectOrg(orgID), "/")
	h.expectLoggedIn(memberID)
	return h, memberID
}

// TestStepUpWithSMS: a sensitive page sends the member to the step-up page;
// an SMS code adds a fresh factor to the session and leads back.
func TestStepUpWithSMS(t *testing.T) {
	t.Parallel()
	h, _ := loggedIn(t, emulator.MemberSeed{Email: "quinn@acme.example", Phone: phone, MFAPhoneNumberVerified: true})
	before := h.cookie("stytch_session_jwt")

	a := h.get("/sensitive")
	if a.status != http.StatusSeeOther || a.location != "/auth/step-up?return_to=%2Fsensitive" {
		t.Fatalf("sensitive page without a fresh factor = %d to %q", a.status, a.location)
	}
	a = h.get(a.location)
	if a.status != http.StatusOK || !strings.Contains(a.body, "/auth/step-up/sms/send") {
		t.Fatalf("step-up page = %d:\n%s", a.status, a.body)
	}
	a = h.post("/auth/step-up/sms/send", nil)
	if a.status != http.StatusSeeOther || a.location != "/auth/step-up?return_to=%2Fsensitive" {
		t.Fatalf("step-up send = %d to %q: %s", a.status, a.location, a.body)
	}
	code := h.emu.LastSMSCode(phone)
	a = h.postJSON("/auth/step-up/sms/verify", url.Values{"code": {wrongCode(code)}})
	if a.status != http.StatusUnauthorized || a.errorCode(t) != "invalid_code" || a.json(t)["next"] != "step_up" {
		t.Fatalf("wrong step-up code = %d %s", a.status, a.body)
	}
	a = h.post("/auth/step-up/sms/verify", url.Values{"code": {code}})
	if a.status != http.StatusSeeOther || a.location != "/sensitive" {
		t.Fatalf("step-up verify = %d to %q: %s", a.status, a.location, a.body)
	}
	if h.cookie("stytch_session_jwt") == before {
		t.Error("the session JWT cookie was not refreshed")
	}
	if a = h.get("/sensitive"); a.status != http.StatusOK || a.body != "sensitive" {
		t.Fatalf("sensitive page after step-up = %d %q", a.status, a.body)
	}
}

// TestStepUpWithTOTP: an authenticator app code works too.
func TestStepUpWithTOTP(t *testing.T) {
	t.Parallel()
	const secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
	h, _ := loggedIn(t, emulator.MemberSeed{Email: "rita@acme.example", TOTPSecret: secret})

	m := h.getJSON("/auth/step-up?return_to=/sensitive").json(t)
	if m["next"] != "step_up" {
		t.Fatalf("step-up JSON = %v", m)
	}
	a := h.post("/auth/step-up/totp/verify", url.Values{"code": {totpCode(t, secret, h.clock.Now())}})
	if a.status != http.StatusSeeOther || a.location != "/sensitive" {
		t.Fatalf("step-up TOTP = %d to %q: %s", a.status, a.location, a.body)
	}
	if a = h.get("/sensitive"); a.status != http.StatusOK {
		t.Fatalf("sensitive page after step-up = %d %q", a.status, a.body)
	}
}

// TestStepUpNeedsASession: without a session the step-up routes send the
// member to sign in.
func TestStepUpNeedsASession(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	a := h.getJSON("/auth/step-up?return_to=/sensitive")
	if a.status != http.StatusUnauthorized || a.errorCode(t) != "session_required" || a.json(t)["next"] != "email" {
		t.Fatalf("step-up without a session = %d %s", a.status, a.body)
	}
	a = h.post("/auth/step-up/totp/verify", url.Values{"code": {"123456"}})
	if a.status != http.StatusUnauthorized || !strings.Contains(a.body, `action="/auth/login"`) {
		t.Fatalf("step-up verify without a session = %d:\n%s", a.status, a.body)
	}
}

// TestLogout: the session is revoked and every cookie cleared, also when
// Stytch fails.
func TestLogout(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		fault       bool
		wantRevoked bool
	}{
		{"logout revokes the session", false, true},
		{"logout clears the cookies when Stytch fails", true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h, _ := loggedIn(t, emulator.MemberSeed{Email: "sam@acme.example"})
			token := h.cookie("stytch_session")
			h.setCookie("__Host-b2bauth_flow", "leftover")
			h.setCookie(flows.StepUpCookieName(h.flows), "leftover")
			if tt.fault {
				h.emu.SetFault(emulator.Fault{Path: "/v1/b2b/sessions/revoke", Status: http.StatusInternalServerError})
			}

			a := h.post("/auth/logout", nil)
			if a.status != http.StatusSeeOther || a.location != "/" {
				t.Fatalf("logout = %d to %q: %s", a.status, a.location, a.body)
			}
			for _, name := range []string{"stytch_session", "stytch_session_jwt", "__Host-b2bauth_flow", flows.StepUpCookieName(h.flows)} {
				if v := h.cookie(name); v != "" {
					t.Errorf("cookie %s survived the logout", name)
				}
			}
			if a = h.get("/dashboard"); a.status != http.StatusSeeOther {
				t.Errorf("dashboard after logout = %d", a.status)
			}

			h.emu.ClearFaults()
			_, err := h.client.Sessions.Authenticate(context.Background(), &client.SessionsAuthenticateParams{SessionToken: token})
			var apiErr *client.Error
			revoked := errors.As(err, &apiErr) && apiErr.ErrorType == "session_not_found"
			if revoked != tt.wantRevoked {
				t.Errorf("session revoked = %v (err %v), want %v", revoked, err, tt.wantRevoked)
			}
		})
	}
}

// TestLogoutAsJSON answers {"next":"done"}.
func TestLogoutAsJSON(t *testing.T) {
	t.Parallel()
	h, _ := loggedIn(t, emulator.MemberSeed{Email: "tess@acme.example"})
	h.clock.Advance(time.Minute)
	a := h.postJSON("/auth/logout", nil)
	if a.status != http.StatusOK || a.json(t)["next"] != "done" {
		t.Fatalf("logout JSON = %d %s", a.status, a.body)
	}
}
