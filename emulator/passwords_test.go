package emulator

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

const (
	goodPassword  = "correct horse battery staple"
	otherPassword = "Violet-Orbit-Lantern-42"
)

// withPassword adds a member with a password to an organization.
func withPassword(t *testing.T, f *fixture, org, email, password string) string {
	t.Helper()
	id, err := f.AddMember(MemberSeed{Organization: org, Email: email, Password: password,
		Phone: "+15555550123", MFAPhoneNumberVerified: true})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestPasswordStrengthCheck(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	tests := []struct {
		name     string
		password string
		email    string
		valid    bool
		breached bool
		maxScore int
	}{
		{name: "a breached password is refused", password: "password", breached: true, maxScore: 0},
		{name: "a common word with a digit and symbol is refused", password: "Password1!", maxScore: 0},
		{name: "a short password is refused", password: "aB3$x", maxScore: 1},
		{name: "repeated characters are refused", password: "aaaaaaaaaaaa", maxScore: 2},
		{name: "a password holding the email is refused", password: "Zyxel-carolyn-2026!", email: "carolyn@acme.test", maxScore: 1},
		{name: "four unrelated words pass", password: goodPassword, valid: true, maxScore: 4},
		{name: "a long mixed password passes", password: otherPassword, valid: true, maxScore: 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := f.do(t, "POST", "/v1/b2b/passwords/strength_check", map[string]any{"password": tt.password, "email_address": tt.email})
			wantOK(t, r)
			score, _ := r.get("score").(float64)
			if r.get("valid_password") != tt.valid || r.get("breached_password") != tt.breached || int(score) > tt.maxScore {
				t.Fatalf("got %s", r.raw)
			}
			if tt.valid && score < minValidScore {
				t.Errorf("valid with score %v", score)
			}
			if r.str("strength_policy") != strengthZxcvbn || r.get("breach_detection_on_create") != true {
				t.Errorf("policy fields: %s", r.raw)
			}
			suggestions, ok := r.get("zxcvbn_feedback", "suggestions").([]any)
			if !ok {
				t.Fatalf("zxcvbn_feedback.suggestions is not a list: %s", r.raw)
			}
			if !tt.valid && (r.str("zxcvbn_feedback", "warning") == "" || len(suggestions) == 0) {
				t.Errorf("no feedback for a refused password: %s", r.raw)
			}
			if _, ok := r.get("luds_feedback", "missing_complexity").(float64); !ok {
				t.Errorf("luds_feedback lacks missing_complexity: %s", r.raw)
			}
		})
	}
	t.Run("a missing password is refused", func(t *testing.T) {
		t.Parallel()
		wantError(t, f.do(t, "POST", "/v1/b2b/passwords/strength_check", map[string]any{}), 400, errBadRequest)
	})
}

func TestPasswordAuthenticate(t *testing.T) {
	t.Parallel()
	const path = "/v1/b2b/passwords/authenticate"
	f := newFixture(t)
	carol := withPassword(t, f, f.acme, "carol@acme.test", goodPassword)
	withPassword(t, f, f.globex, "carol@acme.test", goodPassword)

	t.Run("the right password logs in with a password factor", func(t *testing.T) {
		r := f.do(t, "POST", path, map[string]any{"organization_id": f.acme, "email_address": "carol@acme.test", "password": goodPassword})
		wantOK(t, r)
		if r.get("member_authenticated") != true || r.str("session_jwt") == "" || r.str("member_id") != carol || r.str("organization_id") != f.acme {
			t.Fatalf("got %s", r.raw)
		}
		if r.str("member_session", "authentication_factors", "0", "type") != "password" ||
			r.str("member_session", "authentication_factors", "0", "delivery_method") != "knowledge" {
			t.Fatalf("factors: %v", r.get("member_session", "authentication_factors"))
		}
		if r.str("member", "member_password_id") == "" {
			t.Errorf("member_password_id is empty: %s", r.raw)
		}
		if bytes.Contains(r.raw, []byte(goodPassword)) {
			t.Errorf("the answer holds the password: %s", r.raw)
		}
	})
	t.Run("MFA required returns an IST that an SMS code completes", func(t *testing.T) {
		r := f.do(t, "POST", path, map[string]any{"organization_id": f.globex, "email_address": "carol@acme.test", "password": goodPassword})
		wantOK(t, r)
		if r.get("member_authenticated") != false || r.str("intermediate_session_token") == "" || r.get("mfa_required") == nil {
			t.Fatalf("got %s", r.raw)
		}
		m := f.do(t, "POST", "/v1/b2b/otps/sms/authenticate", map[string]any{
			"organization_id": f.globex, "member_id": r.str("member_id"), "code": f.LastSMSCode("+15555550123"),
			"intermediate_session_token": r.str("intermediate_session_token")})
		wantOK(t, m)
		if m.str("member_session", "authentication_factors", "0", "type") != "password" {
			t.Fatalf("factors: %v", m.get("member_session", "authentication_factors"))
		}
	})
	refusals := []struct {
		name  string
		email string
		pass  string
	}{
		{"a wrong password is refused", "carol@acme.test", "wrong " + goodPassword},
		{"an unknown email is refused alike", "nobody@acme.test", goodPassword},
		{"a member without a password is refused alike", "alice@acme.test", goodPassword},
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			wantError(t, f.do(t, "POST", path, map[string]any{"organization_id": f.acme, "email_address": tt.email, "password": tt.pass}),
				http.StatusUnauthorized, errUnauthorizedCredentials)
		})
	}
	t.Run("a missing password is a bad request", func(t *testing.T) {
		wantError(t, f.do(t, "POST", path, map[string]any{"organization_id": f.acme, "email_address": "carol@acme.test"}), 400, errBadRequest)
	})
}

func TestPasswordHashNotPlainText(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	id := withPassword(t, f, f.acme, "carol@acme.test", goodPassword)
	f.mu.Lock()
	m := f.members[id]
	hash := bytes.Clone(m.password.hash)
	f.mu.Unlock()
	if bytes.Contains(hash, []byte(goodPassword)) || bytes.Contains(hash, []byte("horse")) {
		t.Fatalf("the stored hash holds the password: %q", hash)
	}
	if !bytes.HasPrefix(hash, []byte("$2a$")) {
		t.Fatalf("stored %q, want a bcrypt hash", hash)
	}
	t.Run("a password longer than bcrypt's 72 bytes counts in full", func(t *testing.T) {
		long := strings.Repeat("lantern-orbit-", 6)
		lid := withPassword(t, f, f.acme, "dave@acme.test", long+"one")
		f.mu.Lock()
		defer f.mu.Unlock()
		if f.members[lid].checkPassword(long+"two") || !f.members[lid].checkPassword(long+"one") {
			t.Fatal("the password is cut at 72 bytes")
		}
	})
}

func TestPasswordDiscoveryAuthenticate(t *testing.T) {
	t.Parallel()
	const path = "/v1/b2b/passwords/discovery/authenticate"
	f := newFixture(t)
	withPassword(t, f, f.acme, "carol@acme.test", goodPassword)
	t.Run("the right password starts an IST", func(t *testing.T) {
		r := f.do(t, "POST", path, map[string]any{"email_address": "carol@acme.test", "password": goodPassword})
		wantOK(t, r)
		if r.str("intermediate_session_token") == "" || r.str("email_address") != "carol@acme.test" ||
			r.str("discovered_organizations", "0", "organization", "organization_slug") != "acme" {
			t.Fatalf("got %s", r.raw)
		}
	})
	t.Run("a wrong password is refused", func(t *testing.T) {
		wantError(t, f.do(t, "POST", path, map[string]any{"email_address": "carol@acme.test", "password": otherPassword}), 401, errUnauthorizedCredentials)
	})
}

// s256 is the PKCE S256 challenge of a verifier.
func s256(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// resetLink starts a reset by email and returns the token of the link sent.
func resetLink(t *testing.T, f *fixture, org, email string, extra map[string]any) string {
	t.Helper()
	body := map[string]any{"organization_id": org, "email_address": email, "reset_password_redirect_url": "http://localhost:3000/reset"}
	for k, v := range extra {
		body[k] = v
	}
	r := f.do(t, "POST", "/v1/b2b/passwords/email/reset/start", body)
	wantOK(t, r)
	link, token, ok := f.LastMagicLink(email)
	if !ok {
		t.Fatal("no reset link sent")
	}
	u, err := url.Parse(link)
	if err != nil || u.Query().Get("stytch_token_type") != "multi_tenant_passwords" || u.Query().Get("token") != token || u.Path != "/reset" {
		t.Fatalf("link %q", link)
	}
	return token
}

func TestPasswordResetByEmail(t *testing.T) {
	t.Parallel()
	const reset, auth = "/v1/b2b/passwords/email/reset", "/v1/b2b/passwords/authenticate"
	login := func(t *testing.T, f *fixture, password string) result {
		t.Helper()
		return f.do(t, "POST", auth, map[string]any{"organization_id": f.acme, "email_address": "carol@acme.test", "password": password})
	}

	t.Run("a link sets the password once", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		withPassword(t, f, f.acme, "carol@acme.test", goodPassword)
		token := resetLink(t, f, f.acme, "carol@acme.test", nil)
		r := f.do(t, "POST", reset, map[string]any{"password_reset_token": token, "password": otherPassword})
		wantOK(t, r)
		if r.str("session_token") == "" || r.get("member_authenticated") != true {
			t.Fatalf("got %s", r.raw)
		}
		wantError(t, f.do(t, "POST", reset, map[string]any{"password_reset_token": token, "password": "Another-Strong-Pass-77"}),
			http.StatusUnauthorized, errUnableToAuthMagicLink)
		wantOK(t, login(t, f, otherPassword))
		wantError(t, login(t, f, goodPassword), 401, errUnauthorizedCredentials)
	})
	t.Run("a weak password is refused with feedback and the link still works", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		withPassword(t, f, f.acme, "carol@acme.test", goodPassword)
		token := resetLink(t, f, f.acme, "carol@acme.test", nil)
		r := f.do(t, "POST", reset, map[string]any{"password_reset_token": token, "password": "Password1!"})
		wantError(t, r, 400, errWeakPassword)
		if r.str("error_details", "zxcvbn_feedback", "warning") == "" || r.get("error_details", "zxcvbn_feedback", "suggestions") == nil {
			t.Fatalf("no feedback: %s", r.raw)
		}
		wantOK(t, f.do(t, "POST", reset, map[string]any{"password_reset_token": token, "password": otherPassword}))
	})
	t.Run("an expired link is refused", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		withPassword(t, f, f.acme, "carol@acme.test", goodPassword)
		token := resetLink(t, f, f.acme, "carol@acme.test", map[string]any{"reset_password_expiration_minutes": 5})
		f.clock.Advance(5 * time.Minute)
		wantError(t, f.do(t, "POST", reset, map[string]any{"password_reset_token": token, "password": otherPassword}), 401, errUnableToAuthMagicLink)
	})
	t.Run("a PKCE-bound link needs its verifier", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		withPassword(t, f, f.acme, "carol@acme.test", goodPassword)
		verifier := "reset-verifier-0123456789-0123456789-0123456789"
		token := resetLink(t, f, f.acme, "carol@acme.test", map[string]any{"code_challenge": s256(verifier)})
		wantError(t, f.do(t, "POST", reset, map[string]any{"password_reset_token": token, "password": otherPassword, "code_verifier": "other-" + verifier}),
			401, errPKCEMismatch)
		wantOK(t, f.do(t, "POST", reset, map[string]any{"password_reset_token": token, "password": otherPassword, "code_verifier": verifier}))
	})
	t.Run("a member without a password may set one", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		token := resetLink(t, f, f.acme, "alice@acme.test", nil)
		wantOK(t, f.do(t, "POST", reset, map[string]any{"password_reset_token": token, "password": otherPassword}))
		wantOK(t, f.do(t, "POST", auth, map[string]any{"organization_id": f.acme, "email_address": "alice@acme.test", "password": otherPassword}))
	})
	t.Run("an unknown member is not found", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		wantError(t, f.do(t, "POST", "/v1/b2b/passwords/email/reset/start", map[string]any{"organization_id": f.acme, "email_address": "nobody@acme.test"}),
			404, errMemberNotFound)
	})
}

func TestPasswordMustBeReset(t *testing.T) {
	t.Parallel()
	const auth = "/v1/b2b/passwords/authenticate"
	f := newFixture(t)
	carol := withPassword(t, f, f.acme, "carol@acme.test", goodPassword)
	wantOK(t, f.do(t, "POST", "/v1/b2b/passwords/email/require_reset", map[string]any{"organization_id": f.acme, "member_id": carol}))
	body := map[string]any{"organization_id": f.acme, "email_address": "carol@acme.test", "password": goodPassword}

	t.Run("the right password answers member_reset_password", func(t *testing.T) {
		wantError(t, f.do(t, "POST", auth, body), 400, errMemberResetPassword)
	})
	t.Run("a wrong password still answers unauthorized_credentials", func(t *testing.T) {
		wantError(t, f.do(t, "POST", auth, map[string]any{"organization_id": f.acme, "email_address": "carol@acme.test", "password": otherPassword}),
			401, errUnauthorizedCredentials)
	})
	t.Run("discovery answers member_reset_password too", func(t *testing.T) {
		wantError(t, f.do(t, "POST", "/v1/b2b/passwords/discovery/authenticate", map[string]any{"email_address": "carol@acme.test", "password": goodPassword}),
			400, errMemberResetPassword)
	})
	t.Run("a reset with the existing password lifts it", func(t *testing.T) {
		r := f.do(t, "POST", "/v1/b2b/passwords/existing_password/reset", map[string]any{"organization_id": f.acme,
			"email_address": "carol@acme.test", "existing_password": goodPassword, "new_password": otherPassword})
		wantOK(t, r)
		if r.str("session_token") == "" {
			t.Fatalf("got %s", r.raw)
		}
		body["password"] = otherPassword
		wantOK(t, f.do(t, "POST", auth, body))
	})
	t.Run("a member without a password cannot be required to reset", func(t *testing.T) {
		wantError(t, f.do(t, "POST", "/v1/b2b/passwords/email/require_reset", map[string]any{"organization_id": f.acme, "email_address": "alice@acme.test"}),
			404, errMemberPasswordNotFound)
	})
}

func TestExistingPasswordReset(t *testing.T) {
	t.Parallel()
	const path = "/v1/b2b/passwords/existing_password/reset"
	f := newFixture(t)
	withPassword(t, f, f.acme, "carol@acme.test", goodPassword)
	tests := []struct {
		name          string
		existing, new string
		status        int
		errType       string
	}{
		{"a wrong existing password is refused", otherPassword, "Another-Strong-Pass-77", 401, errUnauthorizedCredentials},
		{"a weak new password is refused", goodPassword, "qwerty123", 400, errWeakPassword},
		{"the same password is refused", goodPassword, goodPassword, 400, errBadRequest},
		{"a missing new password is refused", goodPassword, "", 400, errBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantError(t, f.do(t, "POST", path, map[string]any{"organization_id": f.acme, "email_address": "carol@acme.test",
				"existing_password": tt.existing, "new_password": tt.new}), tt.status, tt.errType)
		})
	}
	t.Run("the right existing password and a strong new one succeed", func(t *testing.T) {
		wantOK(t, f.do(t, "POST", path, map[string]any{"organization_id": f.acme, "email_address": "carol@acme.test",
			"existing_password": goodPassword, "new_password": otherPassword}))
	})
}
