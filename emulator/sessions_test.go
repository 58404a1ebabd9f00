package emulator

import (
	"net/http"
	"reflect"
	"testing"
	"time"
)

func TestSessionsAuthenticate(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	token, jwt, err := f.CreateSession(f.alice)
	if err != nil {
		t.Fatal(err)
	}
	const path = "/v1/b2b/sessions/authenticate"

	t.Run("a session token authenticates and gets a fresh JWT", func(t *testing.T) {
		r := f.do(t, "POST", path, map[string]any{"session_token": token})
		wantOK(t, r)
		if r.str("session_token") != token || r.str("session_jwt") == "" {
			t.Fatalf("tokens: %s", r.raw)
		}
		if r.str("member_session", "member_id") != f.alice || r.str("organization", "organization_slug") != "acme" {
			t.Fatalf("session: %s", r.raw)
		}
		if r.get("verdict") != nil {
			t.Errorf("verdict without a check: %v", r.get("verdict"))
		}
		if got := r.get("member_session", "roles"); len(got.([]any)) != 2 {
			t.Errorf("roles = %v, want stytch_member and stytch_admin", got)
		}
		if r.str("member", "roles", "0", "sources", "0", "type") == "" {
			t.Errorf("member.roles lack sources: %s", r.raw)
		}
	})
	t.Run("a session JWT authenticates", func(t *testing.T) {
		wantOK(t, f.do(t, "POST", path, map[string]any{"session_jwt": jwt}))
	})
	t.Run("both a token and a JWT are refused", func(t *testing.T) {
		wantError(t, f.do(t, "POST", path, map[string]any{"session_token": token, "session_jwt": jwt}), 400, errBadRequest)
	})
	t.Run("neither a token nor a JWT is refused", func(t *testing.T) {
		wantError(t, f.do(t, "POST", path, map[string]any{}), 400, errBadRequest)
	})
	t.Run("an unknown token is not found", func(t *testing.T) {
		wantError(t, f.do(t, "POST", path, map[string]any{"session_token": "nope"}), 404, errSessionNotFound)
	})
	t.Run("a JWT with a bad signature is refused", func(t *testing.T) {
		wantError(t, f.do(t, "POST", path, map[string]any{"session_jwt": jwt[:len(jwt)-4] + "AAAA"}), 401, errInvalidSessionJWT)
	})
	t.Run("a duration out of range is refused", func(t *testing.T) {
		wantError(t, f.do(t, "POST", path, map[string]any{"session_token": token, "session_duration_minutes": 4}), 400, errBadRequest)
	})
	t.Run("reserved custom claims are refused", func(t *testing.T) {
		wantError(t, f.do(t, "POST", path, map[string]any{"session_token": token, "session_custom_claims": map[string]any{"sub": "x"}}), 400, errBadRequest)
	})
}

func TestSessionLifetime(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	const path = "/v1/b2b/sessions/authenticate"
	token, jwt, err := f.CreateSession(f.alice, WithSessionDuration(30*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(10 * time.Minute)
	t.Run("an expired JWT of a live session is accepted", func(t *testing.T) {
		wantOK(t, f.do(t, "POST", path, map[string]any{"session_jwt": jwt}))
	})
	t.Run("session_duration_minutes extends the session", func(t *testing.T) {
		r := f.do(t, "POST", path, map[string]any{"session_token": token, "session_duration_minutes": 60})
		wantOK(t, r)
		want := f.clock.Now().Add(time.Hour).Format(time.RFC3339)
		if got := r.str("member_session", "expires_at"); got != want {
			t.Fatalf("expires_at = %s, want %s", got, want)
		}
	})
	t.Run("an expired session is not found", func(t *testing.T) {
		f.clock.Advance(61 * time.Minute)
		wantError(t, f.do(t, "POST", path, map[string]any{"session_token": token}), 404, errSessionNotFound)
		wantError(t, f.do(t, "POST", path, map[string]any{"session_jwt": jwt}), 404, errSessionNotFound)
	})
}

func TestSessionsRevoke(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	const revoke, auth = "/v1/b2b/sessions/revoke", "/v1/b2b/sessions/authenticate"
	tests := []struct {
		name string
		body func(token, jwt, id string) map[string]any
	}{
		{"revoking by session token ends the session", func(tok, _, _ string) map[string]any { return map[string]any{"session_token": tok} }},
		{"revoking by session JWT ends the session", func(_, jwt, _ string) map[string]any { return map[string]any{"session_jwt": jwt} }},
		{"revoking by member_session_id ends the session", func(_, _, id string) map[string]any { return map[string]any{"member_session_id": id} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			token, jwt, err := f.CreateSession(f.alice)
			if err != nil {
				t.Fatal(err)
			}
			a := f.do(t, "POST", auth, map[string]any{"session_token": token})
			wantOK(t, a)
			wantOK(t, f.do(t, "POST", revoke, tt.body(token, jwt, a.str("member_session", "member_session_id"))))
			wantError(t, f.do(t, "POST", auth, map[string]any{"session_token": token}), 404, errSessionNotFound)
			wantError(t, f.do(t, "POST", auth, map[string]any{"session_jwt": jwt}), 404, errSessionNotFound)
			wantError(t, f.do(t, "POST", revoke, tt.body(token, jwt, a.str("member_session", "member_session_id"))), 404, errSessionNotFound)
		})
	}
	t.Run("revoking by member_id ends all the member's sessions", func(t *testing.T) {
		t1, _, _ := f.CreateSession(f.bob)
		t2, _, _ := f.CreateSession(f.bob)
		wantOK(t, f.do(t, "POST", revoke, map[string]any{"member_id": f.bob}))
		for _, tok := range []string{t1, t2} {
			wantError(t, f.do(t, "POST", auth, map[string]any{"session_token": tok}), 404, errSessionNotFound)
		}
	})
	t.Run("revoking with nothing is refused", func(t *testing.T) {
		wantError(t, f.do(t, "POST", revoke, map[string]any{}), 400, errBadRequest)
	})
}

func TestSessionsGet(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	_, _, _ = f.CreateSession(f.alice)
	tok, _, _ := f.CreateSession(f.alice)
	wantOK(t, f.do(t, "POST", "/v1/b2b/sessions/revoke", map[string]any{"session_token": tok}))
	t.Run("live sessions are listed", func(t *testing.T) {
		r := f.do(t, "GET", "/v1/b2b/sessions?organization_id="+f.acme+"&member_id="+f.alice, nil)
		wantOK(t, r)
		if n := len(r.get("member_sessions").([]any)); n != 1 {
			t.Fatalf("%d sessions, want 1: %s", n, r.raw)
		}
	})
	t.Run("a member without sessions gets an empty list", func(t *testing.T) {
		r := f.do(t, "GET", "/v1/b2b/sessions?organization_id="+f.acme+"&member_id="+f.bob, nil)
		wantOK(t, r)
		if list, ok := r.get("member_sessions").([]any); !ok || len(list) != 0 {
			t.Fatalf("member_sessions = %v", r.get("member_sessions"))
		}
	})
	t.Run("an unknown member is not found", func(t *testing.T) {
		wantError(t, f.do(t, "GET", "/v1/b2b/sessions?organization_id="+f.acme+"&member_id=member-test-x", nil), 404, errMemberNotFound)
	})
	t.Run("an unknown organization is not found", func(t *testing.T) {
		wantError(t, f.do(t, "GET", "/v1/b2b/sessions?organization_id=organization-test-x&member_id="+f.alice, nil), 404, errOrganizationNotFound)
	})
	t.Run("a malformed organization id is invalid", func(t *testing.T) {
		wantError(t, f.do(t, "GET", "/v1/b2b/sessions?organization_id=x&member_id="+f.alice, nil), 400, errInvalidOrganizationID)
	})
	t.Run("missing parameters are refused", func(t *testing.T) {
		wantError(t, f.do(t, "GET", "/v1/b2b/sessions", nil), 400, errBadRequest)
	})
}

func TestSessionsExchange(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	const path = "/v1/b2b/sessions/exchange"
	token, _, _ := f.CreateSession(f.alice)
	t.Run("exchange into an organization requiring MFA returns an IST", func(t *testing.T) {
		r := f.do(t, "POST", path, map[string]any{"session_token": token, "organization_id": f.globex})
		wantOK(t, r)
		if r.get("member_authenticated") != false || r.str("intermediate_session_token") == "" || r.str("session_token") != "" {
			t.Fatalf("got %s", r.raw)
		}
		if r.str("mfa_required", "member_options", "mfa_phone_number") != "+15555550101" || r.str("mfa_required", "secondary_auth_initiated") != "sms_otp" {
			t.Fatalf("mfa_required = %v", r.get("mfa_required"))
		}
		if r.str("intermediate_session_token_expires_at") == "" || r.str("member_id") != f.aliceGlobex {
			t.Fatalf("got %s", r.raw)
		}
		code := f.LastSMSCode("+15555550101")
		r = f.do(t, "POST", "/v1/b2b/otps/sms/authenticate", map[string]any{
			"organization_id": f.globex, "member_id": f.aliceGlobex, "code": code,
			"intermediate_session_token": r.str("intermediate_session_token"),
		})
		wantOK(t, r)
		if r.str("member_session", "organization_id") != f.globex || len(r.get("member_session", "authentication_factors").([]any)) != 2 {
			t.Fatalf("got %s", r.raw)
		}
	})
	t.Run("exchange to an organization without the member is refused", func(t *testing.T) {
		other, err := f.AddOrganization(OrganizationSeed{Name: "Initech"})
		if err != nil {
			t.Fatal(err)
		}
		wantError(t, f.do(t, "POST", path, map[string]any{"session_token": token, "organization_id": other}), 404, errMemberNotFound)
	})
	t.Run("exchange to the same organization is refused", func(t *testing.T) {
		wantError(t, f.do(t, "POST", path, map[string]any{"session_token": token, "organization_id": f.acme}), 400, errBadRequest)
	})
	t.Run("exchange with a revoked session is refused", func(t *testing.T) {
		tok, _, _ := f.CreateSession(f.alice)
		wantOK(t, f.do(t, "POST", "/v1/b2b/sessions/revoke", map[string]any{"session_token": tok}))
		wantError(t, f.do(t, "POST", path, map[string]any{"session_token": tok, "organization_id": f.globex}), 404, errSessionNotFound)
	})
	t.Run("exchange into an organization without MFA returns a session", func(t *testing.T) {
		tok, _, _ := f.CreateSession(f.aliceGlobex)
		r := f.do(t, "POST", path, map[string]any{"session_token": tok, "organization_id": f.acme})
		wantOK(t, r)
		if r.get("member_authenticated") != true || r.str("session_token") == "" || r.get("mfa_required") != nil {
			t.Fatalf("got %s", r.raw)
		}
	})
}

func TestSessionsMigrate(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	const path = "/v1/b2b/sessions/migrate"
	tok := f.MigrationToken("alice@acme.test")
	r := f.do(t, "POST", path, map[string]any{"session_token": tok, "organization_id": f.acme})
	wantOK(t, r)
	if r.str("member_id") != f.alice || r.str("session_jwt") == "" {
		t.Fatalf("got %s", r.raw)
	}
	wantError(t, f.do(t, "POST", path, map[string]any{"session_token": tok, "organization_id": f.acme}), http.StatusUnauthorized, errUnableToAuthMagicLink)
}

func TestAuthorizationCheck(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	const path = "/v1/b2b/sessions/authenticate"
	_, bobJWT, _ := f.CreateSession(f.bob)
	_, aliceJWT, _ := f.CreateSession(f.alice)
	_, auditorJWT, _ := f.CreateSession(f.aliceGlobex)
	check := func(org, res, action string) map[string]any {
		return map[string]any{"organization_id": org, "resource_id": res, "action": action}
	}
	tests := []struct {
		name     string
		jwt      string
		check    map[string]any
		status   int
		errType  string
		granting string
	}{
		{"a custom project role grants its action", bobJWT, check(f.acme, "documents", "write"), 200, "", "editor"},
		{"a custom project role denies other actions", bobJWT, check(f.acme, "documents", "delete"), 403, errAuthorization, ""},
		{"stytch_admin grants everything", aliceJWT, check(f.acme, "documents", "delete"), 200, "", "stytch_admin"},
		{"stytch_member grants stytch.self", bobJWT, check(f.acme, "stytch.self", "delete"), 200, "", "stytch_member"},
		{"an organization's own role grants its action", auditorJWT, check(f.globex, "documents", "read"), 200, "", "auditor"},
		{"an organization's own role denies other actions", auditorJWT, check(f.globex, "documents", "write"), 403, errAuthorization, ""},
		{"a check naming another organization is a tenancy error", bobJWT, check(f.globex, "documents", "read"), 403, errAuthorizationTenancy, ""},
		{"an incomplete check is refused", bobJWT, check(f.acme, "", "read"), 400, errBadRequest, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := f.do(t, "POST", path, map[string]any{"session_jwt": tt.jwt, "authorization_check": tt.check})
			if tt.status != 200 {
				wantError(t, r, tt.status, tt.errType)
				return
			}
			wantOK(t, r)
			if r.get("verdict", "authorized") != true || r.str("verdict", "granting_roles", "0") != tt.granting {
				t.Fatalf("verdict = %v", r.get("verdict"))
			}
		})
	}
}

func TestCustomClaimsMerge(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		old, add  map[string]any
		wantAfter map[string]any
	}{
		{"a new claim is added", map[string]any{"a": 1.0}, map[string]any{"b": 2.0}, map[string]any{"a": 1.0, "b": 2.0}},
		{"a value replaces", map[string]any{"a": 1.0}, map[string]any{"a": "x"}, map[string]any{"a": "x"}},
		{"null deletes", map[string]any{"a": 1.0, "b": 2.0}, map[string]any{"a": nil}, map[string]any{"b": 2.0}},
		{"objects merge key by key", map[string]any{"e": map[string]any{"x": 1.0, "y": 2.0}},
			map[string]any{"e": map[string]any{"x": nil, "z": 3.0}}, map[string]any{"e": map[string]any{"y": 2.0, "z": 3.0}}},
		{"an object replaces a scalar", map[string]any{"e": 1.0}, map[string]any{"e": map[string]any{"x": 1.0}}, map[string]any{"e": map[string]any{"x": 1.0}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			token, _, err := f.CreateSession(f.alice, WithSessionCustomClaims(tt.old))
			if err != nil {
				t.Fatal(err)
			}
			r := f.do(t, "POST", "/v1/b2b/sessions/authenticate", map[string]any{"session_token": token, "session_custom_claims": tt.add})
			wantOK(t, r)
			if got := r.get("member_session", "custom_claims"); !reflect.DeepEqual(got, tt.wantAfter) {
				t.Errorf("custom claims %v, want %v", got, tt.wantAfter)
			}
		})
	}
}
