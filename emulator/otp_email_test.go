package emulator

import (
	"net/http"
	"slices"
	"testing"
	"time"
)

// wrongCode returns a six-digit code other than code.
func wrongCode(code string) string {
	if code == "000000" {
		return "111111"
	}
	return "000000"
}

func TestEmailOTPDiscovery(t *testing.T) {
	t.Parallel()
	const send, auth = "/v1/b2b/otps/email/discovery/send", "/v1/b2b/otps/email/discovery/authenticate"
	const email = "alice@acme.test"
	sendCode := func(t *testing.T, f *fixture) string {
		t.Helper()
		wantOK(t, f.do(t, "POST", send, map[string]any{"email_address": email}))
		code := f.LastEmailCode(email)
		if len(code) != 6 {
			t.Fatalf("code %q, want 6 digits", code)
		}
		return code
	}
	authWith := func(t *testing.T, f *fixture, code string) result {
		t.Helper()
		return f.do(t, "POST", auth, map[string]any{"email_address": email, "code": code})
	}

	t.Run("the right code starts an intermediate session and lists the organizations", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		r := authWith(t, f, sendCode(t, f))
		wantOK(t, r)
		if r.str("intermediate_session_token") == "" || r.str("intermediate_session_token_expires_at") == "" || r.str("email_address") != email {
			t.Fatalf("got %s", r.raw)
		}
		if n := len(r.get("discovered_organizations").([]any)); n != 2 {
			t.Fatalf("%d discovered organizations, want acme and globex: %s", n, r.raw)
		}
		x := f.do(t, "POST", "/v1/b2b/discovery/intermediate_sessions/exchange", map[string]any{
			"intermediate_session_token": r.str("intermediate_session_token"), "organization_id": f.acme})
		wantOK(t, x)
		if x.str("member_session", "authentication_factors", "0", "type") != "otp" ||
			x.str("member_session", "authentication_factors", "0", "delivery_method") != "email" ||
			x.str("member_session", "authentication_factors", "0", "email_factor", "email_address") != email {
			t.Fatalf("factor: %v", x.get("member_session", "authentication_factors"))
		}
	})
	t.Run("a wrong code is refused", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		wantError(t, authWith(t, f, wrongCode(sendCode(t, f))), http.StatusUnauthorized, errUnableToAuthOTP)
	})
	t.Run("an expired code is not found", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		code := sendCode(t, f)
		f.clock.Advance(10 * time.Minute)
		wantError(t, authWith(t, f, code), http.StatusNotFound, errOTPCodeNotFound)
	})
	t.Run("a shorter expiration is honoured", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		wantOK(t, f.do(t, "POST", send, map[string]any{"email_address": email, "discovery_expiration_minutes": 2}))
		f.clock.Advance(2 * time.Minute)
		wantError(t, authWith(t, f, f.LastEmailCode(email)), http.StatusNotFound, errOTPCodeNotFound)
	})
	t.Run("five wrong tries kill the code", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		code := sendCode(t, f)
		for range maxOTPAttempts {
			wantError(t, authWith(t, f, wrongCode(code)), http.StatusUnauthorized, errUnableToAuthOTP)
		}
		wantError(t, authWith(t, f, code), http.StatusNotFound, errOTPCodeNotFound)
	})
	t.Run("a code works once", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		code := sendCode(t, f)
		wantOK(t, authWith(t, f, code))
		wantError(t, authWith(t, f, code), http.StatusNotFound, errOTPCodeNotFound)
	})
	t.Run("a new send replaces the previous code", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		old := sendCode(t, f)
		fresh := sendCode(t, f)
		if old != fresh {
			wantError(t, authWith(t, f, old), http.StatusUnauthorized, errUnableToAuthOTP)
		}
		wantOK(t, authWith(t, f, fresh))
	})
	t.Run("an expiration out of range is refused", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		for _, minutes := range []int{1, 16} {
			wantError(t, f.do(t, "POST", send, map[string]any{"email_address": email, "discovery_expiration_minutes": minutes}), 400, errBadRequest)
		}
	})
	t.Run("a malformed email is refused", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		wantError(t, f.do(t, "POST", send, map[string]any{"email_address": "not-an-email"}), 400, "invalid_email")
	})
}

func TestEmailOTPOrganizationLogin(t *testing.T) {
	t.Parallel()
	const send, auth = "/v1/b2b/otps/email/login_or_signup", "/v1/b2b/otps/email/authenticate"

	t.Run("a member of an organization without MFA gets a session", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		r := f.do(t, "POST", send, map[string]any{"organization_id": f.acme, "email_address": "alice@acme.test"})
		wantOK(t, r)
		if r.get("member_created") != false || r.str("member_id") != f.alice {
			t.Fatalf("got %s", r.raw)
		}
		r = f.do(t, "POST", auth, map[string]any{"organization_id": f.acme, "email_address": "alice@acme.test",
			"code": f.LastEmailCode("alice@acme.test"), "session_duration_minutes": 30})
		wantOK(t, r)
		if r.get("member_authenticated") != true || r.str("session_token") == "" || r.str("session_jwt") == "" ||
			r.str("organization_id") != f.acme || r.get("mfa_required") != nil {
			t.Fatalf("got %s", r.raw)
		}
		if r.str("member_session", "authentication_factors", "0", "email_factor", "email_address") != "alice@acme.test" {
			t.Fatalf("factor: %v", r.get("member_session", "authentication_factors"))
		}
	})
	t.Run("MFA required returns the IST, and the SMS step keeps the email factor", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		wantOK(t, f.do(t, "POST", send, map[string]any{"organization_id": f.globex, "email_address": "alice@acme.test"}))
		r := f.do(t, "POST", auth, map[string]any{"organization_id": f.globex, "email_address": "alice@acme.test",
			"code": f.LastEmailCode("alice@acme.test")})
		wantOK(t, r)
		if r.get("member_authenticated") != false || r.str("session_token") != "" || r.str("intermediate_session_token") == "" ||
			r.str("mfa_required", "secondary_auth_initiated") != mfaSMS {
			t.Fatalf("got %s", r.raw)
		}
		m := f.do(t, "POST", "/v1/b2b/otps/sms/authenticate", map[string]any{
			"organization_id": f.globex, "member_id": f.aliceGlobex, "code": f.LastSMSCode("+15555550101"),
			"intermediate_session_token": r.str("intermediate_session_token")})
		wantOK(t, m)
		factors := m.get("member_session", "authentication_factors").([]any)
		if len(factors) != 2 || m.str("member_session", "authentication_factors", "0", "delivery_method") != "email" ||
			m.str("member_session", "authentication_factors", "1", "delivery_method") != "sms" {
			t.Fatalf("factors: %v", factors)
		}
	})
	t.Run("a code passed with an IST adds its factor to the IST's", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		ist := f.IntermediateSessionToken("alice@acme.test")
		wantOK(t, f.do(t, "POST", send, map[string]any{"organization_id": f.globex, "email_address": "alice@acme.test"}))
		r := f.do(t, "POST", auth, map[string]any{"organization_id": f.globex, "email_address": "alice@acme.test",
			"code": f.LastEmailCode("alice@acme.test"), "intermediate_session_token": ist})
		wantOK(t, r)
		if r.str("intermediate_session_token") != ist || r.get("member_authenticated") != false {
			t.Fatalf("got %s", r.raw)
		}
		m := f.do(t, "POST", "/v1/b2b/otps/sms/authenticate", map[string]any{
			"organization_id": f.globex, "member_id": f.aliceGlobex, "code": f.LastSMSCode("+15555550101"),
			"intermediate_session_token": ist})
		wantOK(t, m)
		var got []string
		for _, v := range m.get("member_session", "authentication_factors").([]any) {
			fa := v.(map[string]any)
			got = append(got, fa["type"].(string)+"/"+fa["delivery_method"].(string))
		}
		if want := []string{"magic_link/email", "otp/email", "otp/sms"}; !slices.Equal(got, want) {
			t.Fatalf("factors %v, want %v", got, want)
		}
	})
	t.Run("a new address of an allowed domain signs up as a pending member", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		r := f.do(t, "POST", send, map[string]any{"organization_id": f.acme, "email_address": "carol@acme.test"})
		wantOK(t, r)
		if r.get("member_created") != true || r.str("member", "status") != memberPending {
			t.Fatalf("got %s", r.raw)
		}
		if subject := f.Outbox()[len(f.Outbox())-1].Subject; subject != "Your signup code" {
			t.Errorf("subject %q", subject)
		}
		r = f.do(t, "POST", auth, map[string]any{"organization_id": f.acme, "email_address": "carol@acme.test", "code": f.LastEmailCode("carol@acme.test")})
		wantOK(t, r)
		if r.str("member", "status") != memberActive || r.str("session_token") == "" {
			t.Fatalf("got %s", r.raw)
		}
	})
	t.Run("an address that may not join is not found", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		wantError(t, f.do(t, "POST", send, map[string]any{"organization_id": f.acme, "email_address": "eve@evil.test"}), 404, errMemberNotFound)
	})
	t.Run("a code of one organization does not work in another", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		wantOK(t, f.do(t, "POST", send, map[string]any{"organization_id": f.acme, "email_address": "alice@acme.test"}))
		wantError(t, f.do(t, "POST", auth, map[string]any{"organization_id": f.globex, "email_address": "alice@acme.test",
			"code": f.LastEmailCode("alice@acme.test")}), 404, errOTPCodeNotFound)
	})
	t.Run("wrong, expired and exhausted codes are refused", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		body := func(code string) map[string]any {
			return map[string]any{"organization_id": f.acme, "email_address": "alice@acme.test", "code": code}
		}
		wantOK(t, f.do(t, "POST", send, map[string]any{"organization_id": f.acme, "email_address": "alice@acme.test", "login_expiration_minutes": 5}))
		code := f.LastEmailCode("alice@acme.test")
		wantError(t, f.do(t, "POST", auth, body(wrongCode(code))), 401, errUnableToAuthOTP)
		f.clock.Advance(5 * time.Minute)
		wantError(t, f.do(t, "POST", auth, body(code)), 404, errOTPCodeNotFound)

		wantOK(t, f.do(t, "POST", send, map[string]any{"organization_id": f.acme, "email_address": "alice@acme.test"}))
		code = f.LastEmailCode("alice@acme.test")
		for range maxOTPAttempts {
			wantError(t, f.do(t, "POST", auth, body(wrongCode(code))), 401, errUnableToAuthOTP)
		}
		wantError(t, f.do(t, "POST", auth, body(code)), 404, errOTPCodeNotFound)
	})
	t.Run("an IST of another email is refused", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		wantOK(t, f.do(t, "POST", send, map[string]any{"organization_id": f.acme, "email_address": "alice@acme.test"}))
		wantError(t, f.do(t, "POST", auth, map[string]any{"organization_id": f.acme, "email_address": "alice@acme.test",
			"code": f.LastEmailCode("alice@acme.test"), "intermediate_session_token": f.IntermediateSessionToken("bob@acme.test")}),
			400, errISTForOrganization)
	})
	t.Run("a session of the same member gains the factor", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		token, _, err := f.CreateSession(f.alice)
		if err != nil {
			t.Fatal(err)
		}
		wantOK(t, f.do(t, "POST", send, map[string]any{"organization_id": f.acme, "email_address": "alice@acme.test"}))
		r := f.do(t, "POST", auth, map[string]any{"organization_id": f.acme, "email_address": "alice@acme.test",
			"code": f.LastEmailCode("alice@acme.test"), "session_token": token})
		wantOK(t, r)
		if r.str("session_token") != token || len(r.get("member_session", "authentication_factors").([]any)) != 2 {
			t.Fatalf("got %s", r.raw)
		}
	})
}
