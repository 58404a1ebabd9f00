package emulator

import (
	"testing"
)

// TestAuthenticateAnswersUseTheSDKFieldNames checks the fields that differ
// between the organization-scoped authenticate calls, as the official Go SDK
// (v18) names them in each response type: a field under another name
// decodes to its zero value there.
func TestAuthenticateAnswersUseTheSDKFieldNames(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		call    func(t *testing.T, f *ssoFixture) result
		want    map[string]any // field → value ("*" for any non-empty string)
		without []string
	}{
		{
			name: "SSO authenticate says reset_session, as the SDK's sso response does",
			call: func(t *testing.T, f *ssoFixture) result {
				tok, err := f.SSOToken(f.saml, "carol@initech.test")
				if err != nil {
					t.Fatal(err)
				}
				return f.do(t, "POST", "/v1/b2b/sso/authenticate", map[string]any{"sso_token": tok})
			},
			want:    map[string]any{"reset_session": false, "organization_id": "*"},
			without: []string{"reset_sessions"},
		},
		{
			name: "magic link authenticate keeps reset_sessions and method_id",
			call: func(t *testing.T, f *ssoFixture) result {
				wantOK(t, f.do(t, "POST", "/v1/b2b/magic_links/email/login_or_signup",
					map[string]any{"organization_id": f.acme, "email_address": "alice@acme.test"}))
				_, tok, _ := f.LastMagicLink("alice@acme.test")
				return f.do(t, "POST", "/v1/b2b/magic_links/authenticate", map[string]any{"magic_links_token": tok})
			},
			want:    map[string]any{"reset_sessions": false, "method_id": "*"},
			without: []string{"reset_session"},
		},
		{
			name: "OAuth authenticate keeps reset_sessions",
			call: func(t *testing.T, f *ssoFixture) result {
				tok, err := f.OAuthToken("acme", "alice@acme.test")
				if err != nil {
					t.Fatal(err)
				}
				return f.do(t, "POST", "/v1/b2b/oauth/authenticate", map[string]any{"oauth_token": tok})
			},
			want:    map[string]any{"reset_sessions": false, "provider_type": "*"},
			without: []string{"reset_session"},
		},
		{
			name: "email OTP authenticate names the email as method_id and has no reset flag",
			call: func(t *testing.T, f *ssoFixture) result {
				wantOK(t, f.do(t, "POST", "/v1/b2b/otps/email/login_or_signup",
					map[string]any{"organization_id": f.acme, "email_address": "alice@acme.test"}))
				return f.do(t, "POST", "/v1/b2b/otps/email/authenticate", map[string]any{"organization_id": f.acme,
					"email_address": "alice@acme.test", "code": f.LastEmailCode("alice@acme.test")})
			},
			want:    map[string]any{"method_id": "*", "organization_id": "*"},
			without: []string{"reset_sessions", "reset_session"},
		},
		{
			name: "password authenticate has no reset flag",
			call: func(t *testing.T, f *ssoFixture) result {
				withPassword(t, f.fixture, f.acme, "carol@acme.test", goodPassword)
				return f.do(t, "POST", "/v1/b2b/passwords/authenticate", map[string]any{"organization_id": f.acme,
					"email_address": "carol@acme.test", "password": goodPassword})
			},
			want:    map[string]any{"organization_id": "*"},
			without: []string{"reset_sessions", "reset_session", "method_id"},
		},
		{
			name: "password reset by email names the member's email id and has no reset flag",
			call: func(t *testing.T, f *ssoFixture) result {
				withPassword(t, f.fixture, f.acme, "carol@acme.test", goodPassword)
				tok := resetLink(t, f.fixture, f.acme, "carol@acme.test", nil)
				return f.do(t, "POST", "/v1/b2b/passwords/email/reset", map[string]any{"password_reset_token": tok, "password": otherPassword})
			},
			want:    map[string]any{"member_email_id": "*"},
			without: []string{"reset_sessions", "reset_session"},
		},
		{
			name: "existing password reset has no reset flag",
			call: func(t *testing.T, f *ssoFixture) result {
				withPassword(t, f.fixture, f.acme, "carol@acme.test", goodPassword)
				return f.do(t, "POST", "/v1/b2b/passwords/existing_password/reset", map[string]any{"organization_id": f.acme,
					"email_address": "carol@acme.test", "existing_password": goodPassword, "new_password": otherPassword})
			},
			without: []string{"reset_sessions", "reset_session"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newSSOFixture(t, LoginPolicy{}, "")
			r := tc.call(t, f)
			wantOK(t, r)
			for k, v := range tc.want {
				got, ok := r.body[k]
				switch {
				case !ok:
					t.Errorf("%s is missing", k)
				case v == "*":
					if s, _ := got.(string); s == "" {
						t.Errorf("%s = %v, want a non-empty string", k, got)
					}
				case got != v:
					t.Errorf("%s = %v, want %v", k, got, v)
				}
			}
			for _, k := range tc.without {
				if _, ok := r.body[k]; ok {
					t.Errorf("%s is not in the SDK's response type, got %v", k, r.body[k])
				}
			}
		})
	}
}

// TestOrganizationsCarryTheConnectedAppPolicy checks the organization object
// has the connected-app fields of the SDK's Organization type, as a string
// and a list, never absent or null.
func TestOrganizationsCarryTheConnectedAppPolicy(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	r := f.do(t, "GET", "/v1/b2b/organizations/"+f.acme, nil)
	wantOK(t, r)
	for _, k := range []string{"first_party_connected_apps_allowed_type", "third_party_connected_apps_allowed_type"} {
		if got := r.str("organization", k); got != "ALL_ALLOWED" {
			t.Errorf("%s = %q, want ALL_ALLOWED: %s", k, got, r.raw)
		}
	}
	for _, k := range []string{"allowed_first_party_connected_apps", "allowed_third_party_connected_apps"} {
		if l, ok := r.get("organization", k).([]any); !ok || len(l) != 0 {
			t.Errorf("%s = %v, want []", k, r.get("organization", k))
		}
	}
}
