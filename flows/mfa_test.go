package flows_test

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/b2bauth/b2bauth/emulator"
)

func totpCode(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	code, err := totp.GenerateCodeCustom(secret, at, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// TestTOTPEnrollment: a member without an authenticator app sets one up
// from the page (QR code, secret, recovery codes shown once) and logs in
// with a code computed from the secret shown.
func TestTOTPEnrollment(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	orgID := h.org(emulator.OrganizationSeed{Name: "Acme", Slug: "acme", MFAPolicy: "REQUIRED_FOR_ALL", AllowedMFAMethods: []string{"totp"}})
	memberID := h.member(emulator.MemberSeed{Organization: "acme", Email: "jack@acme.example"})
	h.discover("jack@acme.example", "/dashboard")

	m := h.selectOrg(orgID).json(t)
	if methods, _ := m["methods"].([]any); len(methods) != 1 || methods[0] != "totp" || m["totp_enrolled"] != false {
		t.Fatalf("select JSON = %v, want totp only, not enrolled", m)
	}
	a := h.step(h.post("/auth/mfa/totp/enroll", nil), "/auth/mfa/totp/enroll")
	if a.status != http.StatusOK {
		t.Fatalf("enroll = %d:\n%s", a.status, a.body)
	}
	if !strings.Contains(a.body, `src="data:image/png;base64,`) {
		t.Errorf("the enrollment page shows no QR code:\n%s", a.body)
	}
	match := regexp.MustCompile(`enter this key: <code>([A-Z2-7]+)</code>`).FindStringSubmatch(a.body)
	if match == nil {
		t.Fatalf("the enrollment page shows no secret:\n%s", a.body)
	}
	secret := match[1]
	codes := regexp.MustCompile(`<code>([a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4})</code>`).FindAllStringSubmatch(a.body, -1)
	if len(codes) == 0 {
		t.Errorf("the enrollment page shows no recovery codes")
	}
	if got := a.header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("enrollment page Cache-Control = %q, want no-store", got)
	}
	// Until its first code passes, the registration waits in the encrypted
	// flow cookie, unreadable in the cookie's value.
	if raw := h.flowCookie(); strings.Contains(raw, secret) || (len(codes) > 0 && strings.Contains(raw, codes[0][1])) {
		t.Fatal("the flow cookie shows the TOTP secret or a recovery code")
	}

	a = h.post("/auth/mfa/totp/verify", url.Values{"code": {totpCode(t, secret, h.clock.Now())}})
	if a.status != http.StatusSeeOther || a.location != "/dashboard" {
		t.Fatalf("TOTP verify = %d to %q:\n%s", a.status, a.location, a.body)
	}
	h.expectLoggedIn(memberID)
	if h.flowCookie() != "" {
		t.Error("the flow cookie, with the registration's secret, outlived the enrollment")
	}
}

// TestTOTPAndRecoveryCodes: an enrolled member passes MFA with a TOTP code,
// or with a recovery code that then works no more.
func TestTOTPAndRecoveryCodes(t *testing.T) {
	t.Parallel()
	const secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
	const recovery = "abcd-efgh-2345"
	tests := []struct {
		name  string
		path  string
		code  func(h *harness) string
		check func(t *testing.T, h *harness, orgID string)
	}{
		{
			name: "a TOTP code logs in",
			path: "/auth/mfa/totp/verify",
			code: func(h *harness) string { return totpCode(h.t, secret, h.clock.Now()) },
		},
		{
			name: "a recovery code logs in once",
			path: "/auth/mfa/recovery",
			code: func(*harness) string { return recovery },
			check: func(t *testing.T, h *harness, orgID string) {
				h.waitOutEmailCooldown()
				h.discover("kim@acme.example", "")
				h.selectOrg(orgID)
				a := h.postJSON("/auth/mfa/recovery", url.Values{"code": {recovery}})
				if a.status != http.StatusUnauthorized || a.errorCode(t) != "invalid_code" || a.json(t)["next"] != "mfa" {
					t.Fatalf("used recovery code = %d %s", a.status, a.body)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			orgID := h.org(emulator.OrganizationSeed{Name: "Acme", Slug: "acme", MFAPolicy: "REQUIRED_FOR_ALL"})
			memberID := h.member(emulator.MemberSeed{Organization: "acme", Email: "kim@acme.example",
				TOTPSecret: secret, RecoveryCodes: []string{recovery}})
			h.discover("kim@acme.example", "/dashboard")
			m := h.selectOrg(orgID).json(t)
			if m["totp_enrolled"] != true {
				t.Fatalf("select JSON = %v, want an enrolled member", m)
			}
			// No phone is enrolled and none may be added here: the member
			// uses the authenticator app or a recovery code.
			if methods, _ := m["methods"].([]any); len(methods) != 2 || methods[0] != "totp" || methods[1] != "recovery_code" {
				t.Fatalf("methods = %v, want totp, recovery_code", m["methods"])
			}
			if a := h.get("/auth/mfa"); !strings.Contains(a.body, "/auth/mfa/recovery") || strings.Contains(a.body, "/auth/mfa/totp/enroll") {
				t.Fatalf("MFA page of an enrolled member:\n%s", a.body)
			}
			h.expectDone(h.postJSON(tt.path, url.Values{"code": {tt.code(h)}}), "/dashboard")
			h.expectLoggedIn(memberID)
			if tt.check != nil {
				tt.check(t, h, orgID)
			}
		})
	}
}

// smsFlow logs in to a REQUIRED_FOR_ALL organization up to the point where
// Stytch has sent an SMS code.
func smsFlow(t *testing.T) (*harness, string) {
	h := newHarness(t)
	orgID := h.org(emulator.OrganizationSeed{Name: "Acme", Slug: "acme", MFAPolicy: "REQUIRED_FOR_ALL"})
	memberID := h.member(emulator.MemberSeed{Organization: "acme", Email: "lee@acme.example", Phone: phone, MFAPhoneNumberVerified: true})
	h.discover("lee@acme.example", "/dashboard")
	// The member chooses the organization once the link's resend cooldown
	// is over: a new sign-in within the SMS cooldown asks for a link again.
	h.waitOutEmailCooldown()
	if m := h.selectOrg(orgID).json(t); m["sms_sent"] != true {
		t.Fatalf("select JSON = %v, want an SMS sent", m)
	}
	return h, memberID
}

func wrongCode(code string) string {
	if code == "000000" {
		return "111111"
	}
	return "000000"
}

// TestWrongThenRightCode: a wrong code is a retryable error; the right one
// then logs in.
func TestWrongThenRightCode(t *testing.T) {
	t.Parallel()
	h, memberID := smsFlow(t)
	code := h.emu.LastSMSCode(phone)

	a := h.failure(h.post("/auth/mfa/sms/verify", url.Values{"code": {wrongCode(code)}}), "/auth/mfa")
	if !strings.Contains(a.body, "not right") || !strings.Contains(a.body, "/auth/mfa/sms/verify") {
		t.Fatalf("wrong code = %d, want the MFA page with a message:\n%s", a.status, a.body)
	}
	a = h.postJSON("/auth/mfa/sms/verify", url.Values{"code": {wrongCode(code)}})
	if a.status != http.StatusUnauthorized || a.errorCode(t) != "invalid_code" || a.json(t)["next"] != "mfa" {
		t.Fatalf("wrong code JSON = %d %s", a.status, a.body)
	}
	h.expectDone(h.postJSON("/auth/mfa/sms/verify", url.Values{"code": {code}}), "/dashboard")
	h.expectLoggedIn(memberID)
}

// TestExpiredCode: a code older than 2 minutes is refused as expired; a new
// one works.
func TestExpiredCode(t *testing.T) {
	t.Parallel()
	h, memberID := smsFlow(t)
	code := h.emu.LastSMSCode(phone)
	h.clock.Advance(3 * time.Minute)

	a := h.postJSON("/auth/mfa/sms/verify", url.Values{"code": {code}})
	if a.status != http.StatusUnauthorized || a.errorCode(t) != "code_expired" {
		t.Fatalf("expired code = %d %s", a.status, a.body)
	}
	if a = h.postJSON("/auth/mfa/sms/send", nil); a.status != http.StatusOK {
		t.Fatalf("resend = %d %s", a.status, a.body)
	}
	h.expectDone(h.postJSON("/auth/mfa/sms/verify", url.Values{"code": {h.emu.LastSMSCode(phone)}}), "/dashboard")
	h.expectLoggedIn(memberID)
}

// TestTooManyAttempts: the fifth wrong code locks the flow for five
// minutes, without asking Stytch meanwhile; afterwards a new code works.
func TestTooManyAttempts(t *testing.T) {
	t.Parallel()
	h, memberID := smsFlow(t)
	code := h.emu.LastSMSCode(phone)
	for i := 1; i <= 5; i++ {
		a := h.postJSON("/auth/mfa/sms/verify", url.Values{"code": {wrongCode(code)}})
		want, wantCode := http.StatusUnauthorized, "invalid_code"
		if i == 5 {
			want, wantCode = http.StatusTooManyRequests, "too_many_attempts"
		}
		if a.status != want || a.errorCode(t) != wantCode {
			t.Fatalf("attempt %d = %d %s, want %d %s", i, a.status, a.body, want, wantCode)
		}
		if got := a.header.Get("Retry-After"); i == 5 && got != "300" {
			t.Errorf("the attempt that locks: Retry-After %q, want 300", got)
		}
	}
	h.clock.Advance(time.Minute)
	if a := h.postJSON("/auth/mfa/sms/verify", url.Values{"code": {code}}); a.status != http.StatusTooManyRequests || a.header.Get("Retry-After") != "240" {
		t.Fatalf("an attempt while locked = %d (Retry-After %q) %s, want 429 with Retry-After 240", a.status, a.header.Get("Retry-After"), a.body)
	}
	calls := h.emu.Calls("POST", "/v1/b2b/otps/sms/authenticate")
	a := h.failure(h.post("/auth/mfa/sms/verify", url.Values{"code": {code}}), "/auth/mfa")
	if !strings.Contains(a.body, "verification is locked. You can try again in 4 minutes") {
		t.Fatalf("attempt while locked = %d:\n%s", a.status, a.body)
	}
	if n := h.emu.Calls("POST", "/v1/b2b/otps/sms/authenticate"); n != calls {
		t.Fatalf("a locked flow asked Stytch (%d calls, want %d)", n, calls)
	}

	h.clock.Advance(4 * time.Minute)
	if a = h.postJSON("/auth/mfa/sms/send", nil); a.status != http.StatusOK {
		t.Fatalf("send after the lock = %d %s", a.status, a.body)
	}
	h.expectDone(h.postJSON("/auth/mfa/sms/verify", url.Values{"code": {h.emu.LastSMSCode(phone)}}), "/dashboard")
	h.expectLoggedIn(memberID)
}

// TestStepsRefuseOtherSteps: a request of another step than the flow's is
// refused with a way back to the email form.
func TestStepsRefuseOtherSteps(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.org(emulator.OrganizationSeed{Name: "Acme", Slug: "acme"})
	h.member(emulator.MemberSeed{Organization: "acme", Email: "max@acme.example"})
	h.discover("max@acme.example", "")
	for _, path := range []string{"/auth/mfa/sms/send", "/auth/mfa/sms/verify", "/auth/mfa/totp/enroll", "/auth/mfa/recovery"} {
		h.waitOutEmailCooldown()
		h.discover("max@acme.example", "")
		a := h.postJSON(path, url.Values{"code": {"123456"}})
		if a.status != http.StatusConflict || a.errorCode(t) != "flow_step" || a.json(t)["next"] != "email" {
			t.Errorf("POST %s in the organization step = %d %s", path, a.status, a.body)
		}
	}
	if a := h.getJSON("/auth/mfa"); a.status != http.StatusUnauthorized || a.errorCode(t) != "flow_missing" {
		t.Errorf("GET /auth/mfa after a refused step = %d %s", a.status, a.body)
	}
}

// texts counts the SMS messages the emulator sent to a phone number.
func texts(h *harness, to string) int {
	n := 0
	for _, m := range h.emu.Outbox() {
		if m.Kind == emulator.KindSMS && m.To == to {
			n++
		}
	}
	return n
}

// TestChoosingTheOrganizationAgainDoesNotTextAgain: entering an
// organization makes Stytch text the member by itself, so choosing it again
// within the SMS cooldown must not enter it again, whether from its MFA page
// or from a new sign-in.
func TestChoosingTheOrganizationAgainDoesNotTextAgain(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// steps runs after the member entered acme (one text sent) and
		// returns the answer to check.
		steps     func(h *harness, acme string) answer
		wantCode  string // "" for the MFA step of acme
		wantTexts int    // to the acme phone, the first one included
	}{
		{"the same organization ten times", func(h *harness, acme string) answer {
			var a answer
			for range 10 {
				a = h.selectOrg(acme)
			}
			return a
		}, "", 1},
		{"the same organization after the cooldown", func(h *harness, acme string) answer {
			h.clock.Advance(31 * time.Second)
			return h.selectOrg(acme)
		}, "", 2},
		{"a new sign-in within the cooldown", func(h *harness, acme string) answer {
			h.discover("lee@acme.example", "/dashboard")
			return h.selectOrg(acme)
		}, "sms_cooldown", 1},
		{"the same organization soon after the member asked for another text", func(h *harness, acme string) answer {
			h.clock.Advance(31 * time.Second)
			if a := h.postJSON("/auth/mfa/sms/send", nil); a.status != http.StatusOK {
				h.t.Fatalf("send = %d %s", a.status, a.body)
			}
			h.clock.Advance(5 * time.Second)
			return h.selectOrg(acme)
		}, "", 2},
		{"a new sign-in soon after a step-up text", func(h *harness, acme string) answer {
			h.expectDone(h.postJSON("/auth/mfa/sms/verify", url.Values{"code": {h.emu.LastSMSCode(phone)}}), "/dashboard")
			h.clock.Advance(6 * time.Minute)
			if a := h.getJSON("/auth/step-up?return_to=/dashboard"); a.status != http.StatusOK {
				h.t.Fatalf("step-up = %d %s", a.status, a.body)
			}
			if a := h.postJSON("/auth/step-up/sms/send", nil); a.status != http.StatusOK {
				h.t.Fatalf("step-up send = %d %s", a.status, a.body)
			}
			h.clock.Advance(5 * time.Second)
			h.discover("lee@acme.example", "/dashboard")
			return h.selectOrg(acme)
		}, "sms_cooldown", 2},
		{"a new sign-in after the cooldown", func(h *harness, acme string) answer {
			h.clock.Advance(31 * time.Second)
			h.discover("lee@acme.example", "/dashboard")
			return h.selectOrg(acme)
		}, "", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h, memberID := smsFlow(t)
			acme, _ := h.emu.OrganizationID("acme")

			a := tt.steps(h, acme)
			if tt.wantCode == "" {
				if a.status != http.StatusOK || a.json(t)["next"] != "mfa" {
					t.Fatalf("answer = %d %s, want the MFA step", a.status, a.body)
				}
			} else if a.errorCode(t) != tt.wantCode {
				t.Fatalf("answer = %d %s, want %s", a.status, a.body, tt.wantCode)
			}
			if n := texts(h, phone); n != tt.wantTexts {
				t.Errorf("%d texts to the acme phone, want %d", n, tt.wantTexts)
			}
			if tt.wantCode != "" {
				return
			}
			// The member signs in with the last code, whichever it is.
			h.expectDone(h.postJSON("/auth/mfa/sms/verify", url.Values{"code": {h.emu.LastSMSCode(phone)}}), "/dashboard")
			h.expectLoggedIn(memberID)
		})
	}
}

// TestADoubleSubmitEntersOnce: two choices of the organization in flight at
// once (a double click) make Stytch text the member once.
func TestADoubleSubmitEntersOnce(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	acme := h.org(emulator.OrganizationSeed{Name: "Acme", Slug: "acme", MFAPolicy: "REQUIRED_FOR_ALL"})
	h.member(emulator.MemberSeed{Organization: "acme", Email: "lee@acme.example", Phone: phone, MFAPhoneNumberVerified: true})
	h.discover("lee@acme.example", "/dashboard")
	// Holds each exchange long enough for both to be in flight.
	h.emu.SetFault(emulator.Fault{Path: "/v1/b2b/discovery/intermediate_sessions/exchange", Latency: 300 * time.Millisecond})

	var wg sync.WaitGroup
	statuses := make([]int, 2)
	for i := range statuses {
		wg.Go(func() {
			res, err := h.browser.Do(h.postRequest("/auth/organizations/select", url.Values{"organization_id": {acme}}, "application/json"))
			if err != nil {
				t.Error(err)
				return
			}
			res.Body.Close()
			statuses[i] = res.StatusCode
		})
	}
	wg.Wait()
	if n := texts(h, phone); n != 1 {
		t.Errorf("%d texts after a double submit (statuses %v), want 1", n, statuses)
	}
	if !slices.Contains(statuses, http.StatusOK) {
		t.Errorf("statuses %v, want one entry to succeed", statuses)
	}
}

// enrollmentShown is what an authenticator setup page shows.
type enrollmentShown struct {
	secret string
	codes  []string
	qr     bool
}

// shownEnrollment reads the setup page, or the JSON answer, of a TOTP
// enrollment.
func shownEnrollment(t *testing.T, a answer) enrollmentShown {
	t.Helper()
	if strings.HasPrefix(a.header.Get("Content-Type"), "application/json") {
		m := a.json(t)
		var codes []string
		list, _ := m["recovery_codes"].([]any)
		for _, c := range list {
			s, _ := c.(string)
			codes = append(codes, s)
		}
		secret, _ := m["secret"].(string)
		qr, _ := m["qr_code"].(string)
		return enrollmentShown{secret: secret, codes: codes, qr: strings.HasPrefix(qr, "data:image/png;base64,")}
	}
	var e enrollmentShown
	if match := regexp.MustCompile(`enter this key: <code>([A-Z2-7]+)</code>`).FindStringSubmatch(a.body); match != nil {
		e.secret = match[1]
	}
	for _, c := range regexp.MustCompile(`<code>([a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4})</code>`).FindAllStringSubmatch(a.body, -1) {
		e.codes = append(e.codes, c[1])
	}
	e.qr = strings.Contains(a.body, `src="data:image/png;base64,`)
	return e
}

// TestTOTPEnrollmentIsIdempotent: the secret and recovery codes shown by the
// setup page stay those of the member's registration until its first code
// passes, whatever reloads, double submits or wrong codes come first.
func TestTOTPEnrollmentIsIdempotent(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// again repeats the setup step after the first one and returns the
		// page then shown.
		again func(h *harness) answer
		// status is the answer's status to again.
		status int
	}{
		{"a reload of the setup page shows the same registration", func(h *harness) answer {
			return h.get("/auth/mfa/totp/enroll")
		}, http.StatusOK},
		{"a second submit of the setup form shows the same registration", func(h *harness) answer {
			return h.step(h.post("/auth/mfa/totp/enroll", nil), "/auth/mfa/totp/enroll")
		}, http.StatusOK},
		{"a second submit as JSON answers the same registration", func(h *harness) answer {
			return h.postJSON("/auth/mfa/totp/enroll", nil)
		}, http.StatusOK},
		{"a wrong first code keeps the QR code, the secret and the recovery codes on the page", func(h *harness) answer {
			return h.failure(h.post("/auth/mfa/totp/verify", url.Values{"code": {"000000"}}), "/auth/mfa")
		}, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			orgID := h.org(emulator.OrganizationSeed{Name: "Acme", Slug: "acme", MFAPolicy: "REQUIRED_FOR_ALL", AllowedMFAMethods: []string{"totp"}})
			memberID := h.member(emulator.MemberSeed{Organization: "acme", Email: "jill@acme.example"})
			h.discover("jill@acme.example", "/dashboard")
			h.selectOrg(orgID)

			first := shownEnrollment(t, h.step(h.post("/auth/mfa/totp/enroll", nil), "/auth/mfa/totp/enroll"))
			if first.secret == "" || len(first.codes) == 0 || !first.qr {
				t.Fatalf("first setup page = %+v", first)
			}
			a := tt.again(h)
			if a.status != tt.status {
				t.Fatalf("repeated step = %d, want %d:\n%s", a.status, tt.status, a.body)
			}
			again := shownEnrollment(t, a)
			if again.secret != first.secret || !slices.Equal(again.codes, first.codes) || !again.qr {
				t.Fatalf("repeated step shows %+v, want the first registration %+v:\n%s", again, first, a.body)
			}
			if !strings.Contains(a.body, `action="/auth/mfa/totp/verify"`) && !strings.HasPrefix(a.header.Get("Content-Type"), "application/json") {
				t.Errorf("the setup page has no form for the app's code:\n%s", a.body)
			}
			if n := h.emu.Calls(http.MethodPost, "/v1/b2b/totp"); n != 1 {
				t.Errorf("Stytch was asked to create %d registrations, want 1", n)
			}

			h.clock.Advance(30 * time.Second)
			a = h.post("/auth/mfa/totp/verify", url.Values{"code": {totpCode(t, first.secret, h.clock.Now())}})
			if a.status != http.StatusSeeOther || a.location != "/dashboard" {
				t.Fatalf("code of the first secret = %d to %q:\n%s", a.status, a.location, a.body)
			}
			h.expectLoggedIn(memberID)
		})
	}
}
