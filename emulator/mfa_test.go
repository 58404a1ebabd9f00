package emulator

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
)

// bobIST returns an IST bound to bob after an exchange into acme (MFA required).
func (f *fixture) bobIST(t *testing.T) string {
	t.Helper()
	r := f.do(t, "POST", "/v1/b2b/discovery/intermediate_sessions/exchange", map[string]any{
		"intermediate_session_token": f.IntermediateSessionToken("bob@acme.test"), "organization_id": f.acme})
	wantOK(t, r)
	return r.str("intermediate_session_token")
}

func TestSMSOTP(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	const send, auth = "/v1/b2b/otps/sms/send", "/v1/b2b/otps/sms/authenticate"
	sendBob := func(t *testing.T, ist string) string {
		t.Helper()
		wantOK(t, f.do(t, "POST", send, map[string]any{"organization_id": f.acme, "member_id": f.bob, "intermediate_session_token": ist}))
		code := f.LastSMSCode("+15555550100")
		if len(code) != 6 {
			t.Fatalf("code %q", code)
		}
		return code
	}
	authBob := func(ist, code string) map[string]any {
		return map[string]any{"organization_id": f.acme, "member_id": f.bob, "intermediate_session_token": ist, "code": code}
	}
	wrong := func(code string) string {
		if code == "000000" {
			return "111111"
		}
		return "000000"
	}

	t.Run("the right code turns the IST into a session", func(t *testing.T) {
		ist := f.bobIST(t)
		code := sendBob(t, ist)
		r := f.do(t, "POST", auth, authBob(ist, code))
		wantOK(t, r)
		factors := r.get("member_session", "authentication_factors").([]any)
		if len(factors) != 2 || r.str("member_session", "authentication_factors", "1", "phone_number_factor", "phone_number") != "+15555550100" {
			t.Fatalf("factors = %v", factors)
		}
		wantError(t, f.do(t, "POST", auth, authBob(ist, code)), 404, errISTNotFound)
	})
	t.Run("a wrong code is refused", func(t *testing.T) {
		ist := f.bobIST(t)
		code := sendBob(t, ist)
		wantError(t, f.do(t, "POST", auth, authBob(ist, wrong(code))), 401, errUnableToAuthOTP)
		wantOK(t, f.do(t, "POST", auth, authBob(ist, code)))
	})
	t.Run("a code expires after two minutes", func(t *testing.T) {
		ist := f.bobIST(t)
		code := sendBob(t, ist)
		f.clock.Advance(2 * time.Minute)
		wantError(t, f.do(t, "POST", auth, authBob(ist, code)), 404, errOTPCodeNotFound)
	})
	t.Run("a new send invalidates the old code", func(t *testing.T) {
		ist := f.bobIST(t)
		old := sendBob(t, ist)
		fresh := sendBob(t, ist)
		if old != fresh {
			wantError(t, f.do(t, "POST", auth, authBob(ist, old)), 401, errUnableToAuthOTP)
		}
		wantOK(t, f.do(t, "POST", auth, authBob(ist, fresh)))
	})
	t.Run("five wrong tries kill the code", func(t *testing.T) {
		ist := f.bobIST(t)
		code := sendBob(t, ist)
		for range maxOTPAttempts {
			wantError(t, f.do(t, "POST", auth, authBob(ist, wrong(code))), 401, errUnableToAuthOTP)
		}
		wantError(t, f.do(t, "POST", auth, authBob(ist, code)), 404, errOTPCodeNotFound)
	})
	t.Run("a code cannot be used twice", func(t *testing.T) {
		tok, _, _ := f.CreateSession(f.bob)
		wantOK(t, f.do(t, "POST", send, map[string]any{"organization_id": f.acme, "member_id": f.bob}))
		code := f.LastSMSCode("+15555550100")
		body := map[string]any{"organization_id": f.acme, "member_id": f.bob, "session_token": tok, "code": code}
		r := f.do(t, "POST", auth, body)
		wantOK(t, r)
		if r.str("session_token") != tok {
			t.Errorf("step-up must keep the session token")
		}
		wantError(t, f.do(t, "POST", auth, body), 404, errOTPCodeNotFound)
	})
	t.Run("a new phone is set on send and verified on authenticate", func(t *testing.T) {
		m, err := f.AddMember(MemberSeed{Organization: "acme", Email: "frank@acme.test"})
		if err != nil {
			t.Fatal(err)
		}
		ist := f.IntermediateSessionToken("frank@acme.test")
		r := f.do(t, "POST", send, map[string]any{"organization_id": f.acme, "member_id": m, "mfa_phone_number": "+15555550177", "intermediate_session_token": ist})
		wantOK(t, r)
		if r.get("member", "mfa_phone_number_verified") != false {
			t.Errorf("verified before authenticate")
		}
		r = f.do(t, "POST", auth, map[string]any{"organization_id": f.acme, "member_id": m, "intermediate_session_token": ist,
			"code": f.LastSMSCode("+15555550177"), "set_mfa_enrollment": "enroll"})
		wantOK(t, r)
		if r.get("member", "mfa_phone_number_verified") != true || r.get("member", "mfa_enrolled") != true {
			t.Errorf("member = %v", r.get("member"))
		}
	})
	t.Run("invalid sends are refused", func(t *testing.T) {
		m, _ := f.AddMember(MemberSeed{Organization: "acme", Email: "gina@acme.test"})
		wantError(t, f.do(t, "POST", send, map[string]any{"organization_id": f.acme, "member_id": m}), 400, errBadRequest)
		wantError(t, f.do(t, "POST", send, map[string]any{"organization_id": f.acme, "member_id": m, "mfa_phone_number": "555"}), 400, errInvalidPhoneNumber)
		wantError(t, f.do(t, "POST", send, map[string]any{"organization_id": f.acme, "member_id": "member-test-none"}), 404, errMemberNotFound)
	})
	t.Run("an IST of another member is refused", func(t *testing.T) {
		ist := f.IntermediateSessionToken("alice@acme.test")
		wantError(t, f.do(t, "POST", send, map[string]any{"organization_id": f.acme, "member_id": f.bob, "intermediate_session_token": ist}), 400, errISTForOrganization)
	})
	t.Run("authenticate without an IST or session is refused", func(t *testing.T) {
		wantError(t, f.do(t, "POST", auth, map[string]any{"organization_id": f.acme, "member_id": f.bob, "code": "123456"}), 400, errBadRequest)
	})
	t.Run("an organization without SMS refuses it", func(t *testing.T) {
		org, _ := f.AddOrganization(OrganizationSeed{Name: "TOTP only", AllowedMFAMethods: []string{mfaTOTP}})
		m, _ := f.AddMember(MemberSeed{Organization: org, Email: "bob@acme.test", Phone: "+15555550100", MFAPhoneNumberVerified: true})
		wantError(t, f.do(t, "POST", send, map[string]any{"organization_id": org, "member_id": m}), 400, errMFAMethodNotAllowed)
	})
}

func TestTOTP(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	const create, auth = "/v1/b2b/totp", "/v1/b2b/totp/authenticate"
	authBob := func(ist, code string) map[string]any {
		return map[string]any{"organization_id": f.acme, "member_id": f.bob, "intermediate_session_token": ist, "code": code}
	}
	t.Run("a real TOTP code passes once", func(t *testing.T) {
		code, err := totp.GenerateCode(bobSecret, f.clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		if helper, _ := f.TOTPCode(f.bob); helper != code {
			t.Fatalf("TOTPCode = %s, want %s", helper, code)
		}
		r := f.do(t, "POST", auth, authBob(f.bobIST(t), code))
		wantOK(t, r)
		if r.str("member_session", "authentication_factors", "1", "type") != "totp" {
			t.Errorf("factors = %v", r.get("member_session", "authentication_factors"))
		}
		wantError(t, f.do(t, "POST", auth, authBob(f.bobIST(t), code)), 401, errTOTPCodeAlreadyUsed)
	})
	t.Run("the next time step passes", func(t *testing.T) {
		f.clock.Advance(30 * time.Second)
		code, _ := f.TOTPCode(f.bob)
		wantOK(t, f.do(t, "POST", auth, authBob(f.bobIST(t), code)))
	})
	t.Run("a wrong code is refused", func(t *testing.T) {
		f.clock.Advance(30 * time.Second)
		code, _ := f.TOTPCode(f.bob)
		bad := "000000"
		if code == bad {
			bad = "111111"
		}
		wantError(t, f.do(t, "POST", auth, authBob(f.bobIST(t), bad)), 401, errInvalidTOTPCode)
		wantError(t, f.do(t, "POST", auth, authBob(f.bobIST(t), "12")), 401, errInvalidTOTPCode)
	})
	t.Run("a code from long ago is refused", func(t *testing.T) {
		old, _ := totp.GenerateCode(bobSecret, f.clock.Now().Add(-5*time.Minute))
		wantError(t, f.do(t, "POST", auth, authBob(f.bobIST(t), old)), 401, errInvalidTOTPCode)
	})
	t.Run("create gives a secret, a PNG QR code and recovery codes", func(t *testing.T) {
		m, _ := f.AddMember(MemberSeed{Organization: "acme", Email: "hank@acme.test"})
		ist := f.IntermediateSessionToken("hank@acme.test")
		r := f.do(t, "POST", create, map[string]any{"organization_id": f.acme, "member_id": m, "intermediate_session_token": ist})
		wantOK(t, r)
		qr, ok := strings.CutPrefix(r.str("qr_code"), "data:image/png;base64,")
		png, err := base64.StdEncoding.DecodeString(qr)
		if !ok || err != nil || !strings.HasPrefix(string(png), "\x89PNG") {
			t.Fatalf("qr_code is not a PNG data URL: %.60s", r.str("qr_code"))
		}
		if !strings.HasPrefix(r.str("totp_registration_id"), "totp-test-") || len(r.get("recovery_codes").([]any)) != 10 {
			t.Fatalf("got %s", r.raw)
		}
		if r.str("member", "totp_registration_id") != "" {
			t.Errorf("registration active before its first code")
		}
		code, _ := totp.GenerateCode(r.str("secret"), f.clock.Now())
		a := f.do(t, "POST", auth, map[string]any{"organization_id": f.acme, "member_id": m, "intermediate_session_token": ist, "code": code})
		wantOK(t, a)
		if a.str("member", "totp_registration_id") != r.str("totp_registration_id") {
			t.Errorf("registration not active: %v", a.get("member"))
		}
		again := f.do(t, "POST", create, map[string]any{"organization_id": f.acme, "member_id": m})
		wantError(t, again, 400, errActiveTOTPExists)
	})
	t.Run("a member without TOTP cannot authenticate one", func(t *testing.T) {
		wantError(t, f.do(t, "POST", auth, map[string]any{"organization_id": f.acme, "member_id": f.alice,
			"intermediate_session_token": f.IntermediateSessionToken("alice@acme.test"), "code": "123456"}), 404, errTOTPNotFound)
	})
	t.Run("migrate imports a secret", func(t *testing.T) {
		m, _ := f.AddMember(MemberSeed{Organization: "acme", Email: "ivy@acme.test"})
		r := f.do(t, "POST", "/v1/b2b/totp/migrate", map[string]any{"organization_id": f.acme, "member_id": m, "secret": bobSecret, "recovery_codes": []string{"abcd-efgh-ijkl"}})
		wantOK(t, r)
		if r.str("member", "totp_registration_id") == "" || r.str("recovery_codes", "0") != "abcd-efgh-ijkl" {
			t.Fatalf("got %s", r.raw)
		}
		wantError(t, f.do(t, "POST", "/v1/b2b/totp/migrate", map[string]any{"organization_id": f.acme, "member_id": m, "secret": bobSecret}), 400, errActiveTOTPExists)
		wantError(t, f.do(t, "POST", "/v1/b2b/totp/migrate", map[string]any{"organization_id": f.acme, "member_id": f.alice, "secret": "not base32!"}), 400, errBadRequest)
	})
}

// TestTOTPCreateDrawsLongLabels: the QR code carries the organization's
// name twice and the member's address, which Stytch does not bound. A
// registration never fails for its labels: a URL too long for medium error
// correction is drawn with low, one too long for any QR code gets none and
// the secret is typed in.
func TestTOTPCreateDrawsLongLabels(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for i, c := range []struct {
		name   string
		orgLen int
		rune   string
		wantQR bool
	}{
		{"a short name is drawn", 4, "a", true},
		{"a name too long for medium error correction is drawn with low", 1300, "a", true},
		{"a name of accented letters, escaped in the URL, is drawn", 200, "é", true},
		{"a name too long for any QR code leaves the secret to type in", 2000, "a", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			slug := fmt.Sprintf("long-%d", i)
			org, err := f.AddOrganization(OrganizationSeed{Name: strings.Repeat(c.rune, c.orgLen), Slug: slug})
			if err != nil {
				t.Fatal(err)
			}
			email := fmt.Sprintf("m%d@long.test", i)
			m, err := f.AddMember(MemberSeed{Organization: slug, Email: email})
			if err != nil {
				t.Fatal(err)
			}
			r := f.do(t, "POST", "/v1/b2b/totp", map[string]any{"organization_id": org, "member_id": m})
			wantOK(t, r)
			if r.str("secret") == "" {
				t.Fatalf("no secret: %s", r.raw)
			}
			qr := r.str("qr_code")
			if !c.wantQR {
				if qr != "" {
					t.Fatalf("qr_code = %.60s, want none", qr)
				}
				return
			}
			b64, ok := strings.CutPrefix(qr, "data:image/png;base64,")
			raw, err := base64.StdEncoding.DecodeString(b64)
			if !ok || err != nil {
				t.Fatalf("qr_code is not a PNG data URL: %.60s", qr)
			}
			img, err := png.Decode(bytes.NewReader(raw))
			if err != nil {
				t.Fatal(err)
			}
			if b := img.Bounds(); b.Dx() < 200 || b.Dx() != b.Dy() {
				t.Fatalf("QR code of %v, want a square of 200 pixels or more", b)
			}
		})
	}
}

func TestRecoveryCodes(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	const recover = "/v1/b2b/recovery_codes/recover"
	body := func(ist, code string) map[string]any {
		return map[string]any{"organization_id": f.acme, "member_id": f.bob, "intermediate_session_token": ist, "recovery_code": code}
	}
	t.Run("a recovery code passes once", func(t *testing.T) {
		r := f.do(t, "POST", recover, body(f.bobIST(t), "aaaa-bbbb-cccc"))
		wantOK(t, r)
		if n, ok := r.get("recovery_codes_remaining").(float64); !ok || n != 1 {
			t.Fatalf("recovery_codes_remaining = %v", r.get("recovery_codes_remaining"))
		}
		if r.str("member_session", "authentication_factors", "1", "type") != "recovery_codes" {
			t.Errorf("factors = %v", r.get("member_session", "authentication_factors"))
		}
		wantError(t, f.do(t, "POST", recover, body(f.bobIST(t), "aaaa-bbbb-cccc")), 401, errUnableToAuthRecoveryCode)
	})
	t.Run("the last code leaves zero, written as a number", func(t *testing.T) {
		r := f.do(t, "POST", recover, body(f.bobIST(t), "DDDD-EEEE-FFFF"))
		wantOK(t, r)
		if !strings.Contains(string(r.raw), `"recovery_codes_remaining":0`) {
			t.Fatalf("got %s", r.raw)
		}
	})
	t.Run("a wrong code is refused", func(t *testing.T) {
		wantError(t, f.do(t, "POST", recover, body(f.bobIST(t), "zzzz-zzzz-zzzz")), 401, errUnableToAuthRecoveryCode)
		wantError(t, f.do(t, "POST", recover, body(f.bobIST(t), "short")), 400, errInvalidRecoveryCode)
	})
	t.Run("get and rotate", func(t *testing.T) {
		get := "/v1/b2b/recovery_codes/" + f.acme + "/" + f.bob
		r := f.do(t, "GET", get, nil)
		wantOK(t, r)
		if list := r.get("recovery_codes").([]any); len(list) != 0 {
			t.Fatalf("codes left: %v", list)
		}
		r = f.do(t, "POST", "/v1/b2b/recovery_codes/rotate", map[string]any{"organization_id": f.acme, "member_id": f.bob})
		wantOK(t, r)
		codes := r.get("recovery_codes").([]any)
		if len(codes) != 10 {
			t.Fatalf("rotate gave %d codes", len(codes))
		}
		wantOK(t, f.do(t, "POST", recover, body(f.bobIST(t), codes[3].(string))))
		if n := len(f.do(t, "GET", get, nil).get("recovery_codes").([]any)); n != 9 {
			t.Errorf("%d codes after one use", n)
		}
	})
	t.Run("a member without TOTP has no recovery codes", func(t *testing.T) {
		wantError(t, f.do(t, "GET", "/v1/b2b/recovery_codes/"+f.acme+"/"+f.alice, nil), 404, errRecoveryCodesNotFound)
		wantError(t, f.do(t, "POST", "/v1/b2b/recovery_codes/rotate", map[string]any{"organization_id": f.acme, "member_id": f.alice}), 404, errRecoveryCodesNotFound)
	})
}
