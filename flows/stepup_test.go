package flows_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
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
	a = h.failure(h.post("/auth/step-up/totp/verify", url.Values{"code": {"123456"}}), "/auth/login")
	if !strings.Contains(a.body, `action="/auth/login"`) || !strings.Contains(a.body, "Please sign in again.") {
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

// stepUpMember logs a member of an organization whose MFA is optional in
// without MFA, with the flows built with opts.
func stepUpMember(t *testing.T, seed emulator.MemberSeed, opts ...flows.Option) (*harness, string) {
	t.Helper()
	h := newHarness(t, opts...)
	orgID := h.org(emulator.OrganizationSeed{Name: "Globex", Slug: "globex", MFAPolicy: "OPTIONAL"})
	seed.Organization = "globex"
	memberID := h.member(seed)
	h.discover(seed.Email, "")
	h.expectDone(h.selectOrg(orgID), "/")
	h.expectLoggedIn(memberID)
	return h, memberID
}

// TestStepUpOffersOnlyTheMemberFactors: the step-up page offers the second
// factors the member has, or their enrollment when they have none, and its
// Cancel link never leads back to the page that asked for the step-up.
func TestStepUpOffersOnlyTheMemberFactors(t *testing.T) {
	t.Parallel()
	const secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
	tests := []struct {
		name        string
		seed        emulator.MemberSeed
		methods     []any
		needsPhone  bool
		has, hasNot []string
	}{
		{"a member with a phone is offered a text to it only",
			emulator.MemberSeed{Email: "pia@globex.example", Phone: phone, MFAPhoneNumberVerified: true},
			[]any{"sms_otp"}, false,
			[]string{`action="/auth/step-up/sms/send"`, "•••••0123"},
			[]string{"/auth/step-up/totp/", `name="phone_number"`}},
		{"a member with an authenticator app is offered its code only",
			emulator.MemberSeed{Email: "ray@globex.example", TOTPSecret: secret},
			[]any{"totp"}, true,
			[]string{`action="/auth/step-up/totp/verify"`},
			[]string{"/auth/step-up/sms/", "/auth/step-up/totp/enroll", "Text me a code"}},
		{"a member with a phone not verified yet is offered a text to it only",
			emulator.MemberSeed{Email: "una@globex.example", Phone: phone},
			[]any{"sms_otp"}, false,
			[]string{`action="/auth/step-up/sms/send"`, "•••••0123"},
			[]string{"/auth/step-up/totp/", `name="phone_number"`}},
		{"a member without a second factor is offered to set one up",
			emulator.MemberSeed{Email: "gus@globex.example"},
			[]any{"sms_otp", "totp"}, true,
			[]string{`id="step-up-enroll"`, `name="phone_number"`, `action="/auth/step-up/sms/send"`, `action="/auth/step-up/totp/enroll"`},
			[]string{`action="/auth/step-up/totp/verify"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h, _ := stepUpMember(t, tt.seed)
			m := h.getJSON("/auth/step-up?return_to=/sensitive").json(t)
			if !slices.Equal(m["methods"].([]any), tt.methods) || m["needs_phone"] != tt.needsPhone || m["back"] != "/" {
				t.Fatalf("step-up JSON = %v, want methods %v, needs_phone %v, back /", m, tt.methods, tt.needsPhone)
			}
			a := h.get("/auth/step-up?return_to=%2Fsensitive")
			if a.status != http.StatusOK {
				t.Fatalf("step-up page = %d:\n%s", a.status, a.body)
			}
			for _, s := range tt.has {
				if !strings.Contains(a.body, s) {
					t.Errorf("the step-up page lacks %s:\n%s", s, a.body)
				}
			}
			for _, s := range append(tt.hasNot, `href="/sensitive"`, `id="step-up-closed"`) {
				if strings.Contains(a.body, s) {
					t.Errorf("the step-up page shows %s:\n%s", s, a.body)
				}
			}
			if !strings.Contains(a.body, `<a href="/">Cancel</a>`) {
				t.Errorf("the step-up page has no Cancel link to the after-login path:\n%s", a.body)
			}
		})
	}
}

// TestStepUpCancelNeverLoops: Cancel leads to the after-login path, or home
// when the after-login path is the page asking for the step-up.
func TestStepUpCancelNeverLoops(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		afterLogin string
		want       string
	}{
		{"cancel leads to the after-login path", "/dashboard", "/dashboard"},
		{"cancel leads home when the after-login path asks for the step-up", "/sensitive", "/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, flows.WithAfterLoginPath(tt.afterLogin))
			orgID := h.org(emulator.OrganizationSeed{Name: "Globex", Slug: "globex", MFAPolicy: "OPTIONAL"})
			h.member(emulator.MemberSeed{Organization: "globex", Email: "cy@globex.example", Phone: phone, MFAPhoneNumberVerified: true})
			h.discover("cy@globex.example", "")
			h.expectDone(h.selectOrg(orgID), tt.afterLogin)
			a := h.get("/auth/step-up?return_to=%2Fsensitive")
			if a.status != http.StatusOK || !strings.Contains(a.body, `<a href="`+tt.want+`">Cancel</a>`) {
				t.Fatalf("step-up page = %d, want Cancel to %s:\n%s", a.status, tt.want, a.body)
			}
			if m := h.getJSON("/auth/step-up?return_to=/sensitive").json(t); m["back"] != tt.want {
				t.Fatalf("step-up JSON back = %v, want %s", m["back"], tt.want)
			}
		})
	}
}

// TestStepUpEnrollsAMemberWithoutASecondFactor: a member of an organization
// whose MFA is optional, with no phone and no authenticator app, sets one
// up from the step-up page and reaches the page that asked for it.
func TestStepUpEnrollsAMemberWithoutASecondFactor(t *testing.T) {
	t.Parallel()
	t.Run("a phone number entered on the page gets the code", func(t *testing.T) {
		t.Parallel()
		h, _ := stepUpMember(t, emulator.MemberSeed{Email: "gil@globex.example"})
		h.get("/auth/step-up?return_to=%2Fsensitive")
		a := h.failure(h.post("/auth/step-up/sms/send", nil), "/auth/step-up?return_to=%2Fsensitive")
		if strings.Contains(a.body, `action="/auth/login"`) || !strings.Contains(a.body, `name="phone_number"`) || !strings.Contains(a.body, "international format") {
			t.Fatalf("Text me a code without a number = %d, want the step-up page asking for it:\n%s", a.status, a.body)
		}
		h.expectLoggedInAnyone()
		a = h.post("/auth/step-up/sms/send", url.Values{"phone_number": {phone}})
		if a.status != http.StatusSeeOther || a.location != "/auth/step-up?return_to=%2Fsensitive" {
			t.Fatalf("step-up send to a new number = %d to %q:\n%s", a.status, a.location, a.body)
		}
		code := h.emu.LastSMSCode(phone)
		if code == "" {
			t.Fatal("no code was sent to the new number")
		}
		a = h.post("/auth/step-up/sms/verify", url.Values{"code": {code}})
		if a.status != http.StatusSeeOther || a.location != "/sensitive" {
			t.Fatalf("step-up verify = %d to %q:\n%s", a.status, a.location, a.body)
		}
		if a = h.get("/sensitive"); a.status != http.StatusOK || a.body != "sensitive" {
			t.Fatalf("sensitive page after the enrollment = %d %q", a.status, a.body)
		}
	})
	t.Run("an authenticator app set up on the page gives the code", func(t *testing.T) {
		t.Parallel()
		h, _ := stepUpMember(t, emulator.MemberSeed{Email: "hal@globex.example"})
		h.get("/auth/step-up?return_to=%2Fsensitive")
		a := h.step(h.post("/auth/step-up/totp/enroll", nil), "/auth/step-up/totp/enroll")
		first := shownEnrollment(t, a)
		if a.status != http.StatusOK || first.secret == "" || !first.qr || !strings.Contains(a.body, `action="/auth/step-up/totp/verify"`) ||
			!strings.Contains(a.body, `<a href="/">Cancel</a>`) {
			t.Fatalf("step-up setup page = %d:\n%s", a.status, a.body)
		}
		a = h.failure(h.post("/auth/step-up/totp/verify", url.Values{"code": {wrongCode(totpCode(t, first.secret, h.clock.Now()))}}), "/auth/step-up?return_to=%2Fsensitive")
		if again := shownEnrollment(t, a); !strings.Contains(a.body, "not right") || again.secret != first.secret || !slices.Equal(again.codes, first.codes) || !again.qr {
			t.Fatalf("wrong first code = %d, want the same setup page:\n%s", a.status, a.body)
		}
		if again := shownEnrollment(t, h.step(h.post("/auth/step-up/totp/enroll", nil), "/auth/step-up/totp/enroll")); again.secret != first.secret {
			t.Fatalf("a second submit shows secret %q, want %q", again.secret, first.secret)
		}
		if n := h.emu.Calls(http.MethodPost, "/v1/b2b/totp"); n != 1 {
			t.Errorf("Stytch was asked to create %d registrations, want 1", n)
		}
		a = h.post("/auth/step-up/totp/verify", url.Values{"code": {totpCode(t, first.secret, h.clock.Now())}})
		if a.status != http.StatusSeeOther || a.location != "/sensitive" {
			t.Fatalf("step-up TOTP verify = %d to %q:\n%s", a.status, a.location, a.body)
		}
		if a = h.get("/sensitive"); a.status != http.StatusOK {
			t.Fatalf("sensitive page after the enrollment = %d %q", a.status, a.body)
		}
	})
}

// TestStepUpClosedWithoutEnrollment: with WithStepUpEnrollment(false) a
// member without a second factor learns why the page is closed to them and
// gets a way back; the factor routes refuse them without asking Stytch.
func TestStepUpClosedWithoutEnrollment(t *testing.T) {
	t.Parallel()
	h, _ := stepUpMember(t, emulator.MemberSeed{Email: "ida@globex.example"}, flows.WithStepUpEnrollment(false))
	a := h.get("/auth/step-up?return_to=%2Fsensitive")
	if a.status != http.StatusOK || !strings.Contains(a.body, `id="step-up-closed"`) || !strings.Contains(a.body, `<a href="/">Back</a>`) {
		t.Fatalf("step-up page = %d, want the closed page:\n%s", a.status, a.body)
	}
	for _, s := range []string{"<form", `href="/sensitive"`} {
		if strings.Contains(a.body, s) {
			t.Errorf("the closed page shows %s:\n%s", s, a.body)
		}
	}
	if m := h.getJSON("/auth/step-up?return_to=/sensitive").json(t); len(m["methods"].([]any)) != 0 || m["back"] != "/" {
		t.Fatalf("step-up JSON = %v, want no methods and back /", m)
	}
	h.emu.ResetCalls()
	for _, path := range []string{"/auth/step-up/sms/send", "/auth/step-up/totp/enroll"} {
		a = h.postJSON(path, url.Values{"phone_number": {phone}})
		if a.status != http.StatusForbidden || a.errorCode(t) != "method_not_allowed" || a.json(t)["next"] != "step_up" {
			t.Errorf("%s = %d %s, want 403 method_not_allowed, next step_up", path, a.status, a.body)
		}
	}
	for _, p := range []string{"/v1/b2b/otps/sms/send", "/v1/b2b/totp"} {
		if n := h.emu.Calls(http.MethodPost, p); n != 0 {
			t.Errorf("%s reached Stytch %d times", p, n)
		}
	}
	h.expectLoggedInAnyone()
}

// TestStepUpOversizeReturnPathDoesNotDenyTheFactors: a step-up page refused
// for its return path, before the member's factors are known, says what
// went wrong and offers to start again; it once showed the page of a
// closed step-up, telling a member with a phone that the account had no
// second factor.
func TestStepUpOversizeReturnPathDoesNotDenyTheFactors(t *testing.T) {
	t.Parallel()
	path := "/auth/step-up?return_to=" + url.QueryEscape("/"+strings.Repeat("a", 2000))
	tests := []struct {
		name string
		// browser returns a browser, signed in or not.
		browser func(t *testing.T) *harness
	}{
		{"a member with a text message factor is not told there is none", func(t *testing.T) *harness {
			h, _ := loggedIn(t, emulator.MemberSeed{Email: "quinn@acme.example", Phone: phone, MFAPhoneNumberVerified: true})
			return h
		}},
		{"a visitor without a session is not told about factors", func(t *testing.T) *harness {
			return newHarness(t)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := tt.browser(t).get(path)
			if a.status != http.StatusBadRequest || !strings.Contains(a.body, "too long") {
				t.Fatalf("step-up with an oversize return path = %d, want 400 saying why:\n%s", a.status, a.body)
			}
			if strings.Contains(a.body, `id="step-up-closed"`) || strings.Contains(a.body, "none set up") {
				t.Fatalf("the refusal says the account has no second factor:\n%s", a.body)
			}
			if !strings.Contains(a.body, `href="/auth/step-up"`) {
				t.Fatalf("the refusal offers no way to start the step-up again:\n%s", a.body)
			}
		})
	}
}

// TestStepUpFailuresKeepTheMemberSignedIn: a step-up that cannot go on
// leads back to the step-up, never to the sign-in page.
func TestStepUpFailuresKeepTheMemberSignedIn(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		setup func(h *harness)
	}{
		{"a step-up whose cookie is gone", func(h *harness) {
			h.setCookie(flows.StepUpCookieName(h.flows), "")
		}},
		{"a step-up Stytch refuses for a reason the flows do not know", func(h *harness) {
			h.emu.SetFault(emulator.Fault{Path: "/v1/b2b/otps/sms/send", Status: http.StatusBadRequest, ErrorType: "unexpected_error_type"})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h, _ := stepUpMember(t, emulator.MemberSeed{Email: "kim@globex.example", Phone: phone, MFAPhoneNumberVerified: true})
			h.get("/auth/step-up?return_to=%2Fsensitive")
			tt.setup(h)
			// The return path is lost with the cookie: the step-up
			// starts again all the same.
			a := h.post("/auth/step-up/sms/send", nil)
			if a.status != http.StatusSeeOther || !strings.HasPrefix(a.location, "/auth/step-up") {
				t.Fatalf("failed step-up = %d to %q, want 303 to the step-up", a.status, a.location)
			}
			a = h.get(a.location)
			if strings.Contains(a.body, `action="/auth/login"`) || strings.Contains(a.body, "Enter your email") ||
				!strings.Contains(a.body, `action="/auth/step-up/sms/send"`) || !strings.Contains(a.body, "Start it again") {
				t.Fatalf("failed step-up = %d, want a way back to the step-up:\n%s", a.status, a.body)
			}
			h.get("/auth/step-up?return_to=%2Fsensitive")
			if a = h.postJSON("/auth/step-up/sms/send", nil); a.json(t)["next"] != "step_up" {
				t.Fatalf("failed step-up JSON = %d %s, want next step_up", a.status, a.body)
			}
			h.expectLoggedInAnyone()
		})
	}
}
