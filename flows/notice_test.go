package flows_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/b2bauth/b2bauth/emulator"
	"github.com/b2bauth/b2bauth/flows"
)

// failure checks a browser failure answered by post/redirect/get: a 303 to
// location with the message in a cookie. It returns the page there, which
// must be a 200 (a reload asks nothing again).
func (h *harness) failure(a answer, location string) answer {
	h.t.Helper()
	if a.status != http.StatusSeeOther || a.location != location {
		h.t.Fatalf("failure = %d to %q, want 303 to %q: %s", a.status, a.location, location, a.body)
	}
	page := h.get(location)
	if page.status != http.StatusOK {
		h.t.Fatalf("GET %s after the failure = %d: %s", location, page.status, page.body)
	}
	return page
}

// TestFailuresRedirectToTheirPage: a failed form or callback answers a
// browser with a 303 to the page of its step, which shows the message once;
// the address bar never keeps a token and a reload submits nothing.
func TestFailuresRedirectToTheirPage(t *testing.T) {
	t.Parallel()
	t.Run("a wrong code leads back to the MFA page, whose message shows once", func(t *testing.T) {
		t.Parallel()
		h, _ := smsFlow(t)
		code := h.emu.LastSMSCode(phone)
		a := h.failure(h.post("/auth/mfa/sms/verify", url.Values{"code": {wrongCode(code)}}), "/auth/mfa")
		if !strings.Contains(a.body, "not right") || !strings.Contains(a.body, `id="sms_code"`) {
			t.Fatalf("MFA page after a wrong code:\n%s", a.body)
		}
		if a = h.get("/auth/mfa"); a.status != http.StatusOK || strings.Contains(a.body, "not right") {
			t.Fatalf("MFA page reloaded = %d, still with the message:\n%s", a.status, a.body)
		}
	})
	t.Run("a bogus magic link leads to the email form without its token", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		h.postJSON("/auth/login", url.Values{"email": {"kim@acme.example"}, "return_to": {"/reports"}})
		a := h.failure(h.get("/auth/callback?stytch_token_type=discovery&token=bogus-token"), "/auth/login?return_to=%2Freports")
		if !strings.Contains(a.body, "invalid or has expired") || strings.Contains(a.body, "bogus-token") ||
			!strings.Contains(a.body, `value="/reports"`) {
			t.Fatalf("email form after a bogus link:\n%s", a.body)
		}
	})
	t.Run("a message is shown only on the page it is for", func(t *testing.T) {
		t.Parallel()
		h, _ := smsFlow(t)
		a := h.post("/auth/mfa/sms/verify", url.Values{"code": {wrongCode(h.emu.LastSMSCode(phone))}})
		if a.status != http.StatusSeeOther {
			t.Fatalf("wrong code = %d", a.status)
		}
		if a = h.get("/auth/login"); strings.Contains(a.body, "not right") {
			t.Fatalf("the email form shows the MFA page's message:\n%s", a.body)
		}
		if a = h.get("/auth/mfa"); strings.Contains(a.body, "not right") {
			t.Fatalf("the message outlived the page that dropped it:\n%s", a.body)
		}
	})
	t.Run("a forged notice cookie shows nothing", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		h.setCookie(flows.NoticeCookieName(h.flows), "forged-message")
		if a := h.get("/auth/login"); a.status != http.StatusOK || strings.Contains(a.body, `class="error"`) {
			t.Fatalf("email form with a forged notice = %d:\n%s", a.status, a.body)
		}
	})
	t.Run("an outage is shown in place, where the form retries", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		h.emu.SetFault(emulator.Fault{Path: "/v1/b2b/magic_links/email/discovery/send", Status: http.StatusServiceUnavailable})
		a := h.post("/auth/login", url.Values{"email": {"kim@acme.example"}})
		if a.status != http.StatusServiceUnavailable || !strings.Contains(a.body, "not answering") {
			t.Fatalf("login during an outage = %d:\n%s", a.status, a.body)
		}
	})
	t.Run("JSON clients get the status and the error as before", func(t *testing.T) {
		t.Parallel()
		h, _ := smsFlow(t)
		a := h.postJSON("/auth/mfa/sms/verify", url.Values{"code": {wrongCode(h.emu.LastSMSCode(phone))}})
		if a.status != http.StatusUnauthorized || a.errorCode(t) != "invalid_code" || h.cookie(flows.NoticeCookieName(h.flows)) != "" {
			t.Fatalf("wrong code JSON = %d %s", a.status, a.body)
		}
	})
}

// TestWaitsSayWhenTheMemberCanActAgain: the SMS cooldown and the lockout
// name the time they end, which needs no script to count down.
func TestWaitsSayWhenTheMemberCanActAgain(t *testing.T) {
	t.Parallel()
	t.Run("the cooldown says when a new code can be asked for and keeps the code box", func(t *testing.T) {
		t.Parallel()
		h, _ := smsFlow(t)
		h.clock.Advance(5 * time.Second)
		at := h.clock.Now().Add(25 * time.Second).UTC().Format(time.TimeOnly)
		a := h.failure(h.post("/auth/mfa/sms/send", nil), "/auth/mfa")
		if !strings.Contains(a.body, "in 25 seconds (at "+at+" UTC)") || !strings.Contains(a.body, `id="sms_code"`) {
			t.Fatalf("MFA page after an early resend, want %s and the code box:\n%s", at, a.body)
		}
	})
	t.Run("the fifth wrong code says it was wrong and until when the member is locked", func(t *testing.T) {
		t.Parallel()
		h, _ := smsFlow(t)
		code := h.emu.LastSMSCode(phone)
		for range 4 {
			h.postJSON("/auth/mfa/sms/verify", url.Values{"code": {wrongCode(code)}})
		}
		at := h.clock.Now().Add(5 * time.Minute).UTC().Format(time.TimeOnly)
		a := h.failure(h.post("/auth/mfa/sms/verify", url.Values{"code": {wrongCode(code)}}), "/auth/mfa")
		if !strings.Contains(a.body, "That code is not right, and it was the fifth wrong one") ||
			!strings.Contains(a.body, "in 5 minutes (at "+at+" UTC)") {
			t.Fatalf("MFA page after the fifth wrong code, want the lock until %s:\n%s", at, a.body)
		}
	})
}
