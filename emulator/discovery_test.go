package emulator

import (
	"crypto/sha256"
	"encoding/base64"
	"net/url"
	"testing"
	"time"
)

// discover sends a discovery magic link and authenticates it.
func (f *fixture) discover(t *testing.T, email string) result {
	t.Helper()
	wantOK(t, f.do(t, "POST", "/v1/b2b/magic_links/email/discovery/send", map[string]any{
		"email_address": email, "discovery_redirect_url": "https://app.test/auth?x=1",
	}))
	_, token, ok := f.LastMagicLink(email)
	if !ok {
		t.Fatal("no magic link in the outbox")
	}
	r := f.do(t, "POST", "/v1/b2b/magic_links/discovery/authenticate", map[string]any{"discovery_magic_links_token": token})
	wantOK(t, r)
	return r
}

func TestMagicLinkDiscovery(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	const send, auth = "/v1/b2b/magic_links/email/discovery/send", "/v1/b2b/magic_links/discovery/authenticate"

	t.Run("send puts a discovery link in the outbox", func(t *testing.T) {
		wantOK(t, f.do(t, "POST", send, map[string]any{"email_address": "alice@acme.test", "discovery_redirect_url": "https://app.test/auth?x=1"}))
		link, token, ok := f.LastMagicLink("alice@acme.test")
		u, err := url.Parse(link)
		if !ok || err != nil || u.Host != "app.test" || u.Query().Get("stytch_token_type") != "discovery" ||
			u.Query().Get("token") != token || u.Query().Get("x") != "1" || len(token) != 44 {
			t.Fatalf("link %q token %q", link, token)
		}
	})
	t.Run("authenticate lists the organizations of the email", func(t *testing.T) {
		r := f.discover(t, "alice@acme.test")
		if r.str("email_address") != "alice@acme.test" || r.str("intermediate_session_token") == "" {
			t.Fatalf("got %s", r.raw)
		}
		want := f.clock.Now().Add(10 * time.Minute).Format(time.RFC3339)
		if r.str("intermediate_session_token_expires_at") != want {
			t.Errorf("IST expiry = %s, want %s", r.str("intermediate_session_token_expires_at"), want)
		}
		orgs := r.get("discovered_organizations").([]any)
		if len(orgs) != 2 {
			t.Fatalf("%d organizations: %s", len(orgs), r.raw)
		}
		acme := result{body: orgs[0].(map[string]any)}
		if acme.str("membership", "type") != "active_member" || acme.get("member_authenticated") != true ||
			acme.get("mfa_required") != nil || acme.str("membership", "member", "member_id") != f.alice {
			t.Errorf("acme: %v", acme.body)
		}
		globex := result{body: orgs[1].(map[string]any)}
		if globex.get("member_authenticated") != false || globex.get("mfa_required", "member_options", "mfa_phone_number") != "+15555550101" {
			t.Errorf("globex: %v", globex.body)
		}
		if globex.get("mfa_required", "secondary_auth_initiated") != nil {
			t.Errorf("discovery must not send SMS: %v", globex.get("mfa_required"))
		}
	})
	t.Run("an email of an allowed domain is eligible to join", func(t *testing.T) {
		r := f.discover(t, "carol@acme.test")
		d := result{body: r.get("discovered_organizations", "0").(map[string]any)}
		if d.str("membership", "type") != "eligible_to_join_by_email_domain" || d.str("membership", "details", "domain") != "acme.test" ||
			d.get("membership", "member") != nil {
			t.Fatalf("got %v", d.body)
		}
	})
	t.Run("a used link is refused", func(t *testing.T) {
		_, token, _ := f.LastMagicLink("carol@acme.test")
		wantError(t, f.do(t, "POST", auth, map[string]any{"discovery_magic_links_token": token}), 401, errUnableToAuthMagicLink)
	})
	t.Run("an expired link is refused", func(t *testing.T) {
		wantOK(t, f.do(t, "POST", send, map[string]any{"email_address": "dave@acme.test", "discovery_expiration_minutes": 5}))
		_, token, _ := f.LastMagicLink("dave@acme.test")
		f.clock.Advance(5 * time.Minute)
		wantError(t, f.do(t, "POST", auth, map[string]any{"discovery_magic_links_token": token}), 401, errUnableToAuthMagicLink)
	})
	t.Run("bad sends are refused", func(t *testing.T) {
		wantError(t, f.do(t, "POST", send, map[string]any{}), 400, errBadRequest)
		wantError(t, f.do(t, "POST", send, map[string]any{"email_address": "nope"}), 400, "invalid_email")
		wantError(t, f.do(t, "POST", send, map[string]any{"email_address": "a@b.c", "discovery_redirect_url": "javascript:alert(1)"}), 400, errBadRequest)
	})
}

func TestMagicLinkPKCE(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	const send, auth = "/v1/b2b/magic_links/email/discovery/send", "/v1/b2b/magic_links/discovery/authenticate"
	verifier := "a-verifier-of-enough-length-0123456789-abcdefgh"
	sum := sha256.Sum256([]byte(verifier))
	challenge := base64.RawURLEncoding.EncodeToString(sum[:])
	wantOK(t, f.do(t, "POST", send, map[string]any{"email_address": "alice@acme.test", "pkce_code_challenge": challenge}))
	_, token, _ := f.LastMagicLink("alice@acme.test")
	tests := []struct {
		name     string
		verifier string
	}{
		{"a link opened without the verifier fails", ""},
		{"a link opened with another verifier fails", "someone-elses-verifier-0123456789-abcdefghijk"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantError(t, f.do(t, "POST", auth, map[string]any{"discovery_magic_links_token": token, "pkce_code_verifier": tt.verifier}), 401, errPKCEMismatch)
		})
	}
	t.Run("the right verifier passes", func(t *testing.T) {
		wantOK(t, f.do(t, "POST", auth, map[string]any{"discovery_magic_links_token": token, "pkce_code_verifier": verifier}))
	})
	t.Run("a verifier for a link without challenge fails", func(t *testing.T) {
		wantOK(t, f.do(t, "POST", send, map[string]any{"email_address": "bob@acme.test"}))
		_, token, _ := f.LastMagicLink("bob@acme.test")
		wantError(t, f.do(t, "POST", auth, map[string]any{"discovery_magic_links_token": token, "pkce_code_verifier": verifier}), 401, errPKCEMismatch)
	})
}

func TestOAuthDiscovery(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	const path = "/v1/b2b/oauth/discovery/authenticate"
	tok := f.OAuthDiscoveryToken("alice@acme.test")
	r := f.do(t, "POST", path, map[string]any{"discovery_oauth_token": tok})
	wantOK(t, r)
	if r.str("email_address") != "alice@acme.test" || r.str("provider_type") != "Google" || len(r.get("discovered_organizations").([]any)) != 2 {
		t.Fatalf("got %s", r.raw)
	}
	x := f.do(t, "POST", "/v1/b2b/discovery/intermediate_sessions/exchange", map[string]any{
		"intermediate_session_token": r.str("intermediate_session_token"), "organization_id": f.acme})
	wantOK(t, x)
	if x.str("member_session", "authentication_factors", "0", "delivery_method") != "oauth_google" {
		t.Errorf("factor: %v", x.get("member_session", "authentication_factors"))
	}
	t.Run("a used token is refused", func(t *testing.T) {
		wantError(t, f.do(t, "POST", path, map[string]any{"discovery_oauth_token": tok}), 404, errOAuthTokenNotFound)
	})
	t.Run("a PKCE-bound token needs its verifier", func(t *testing.T) {
		sum := sha256.Sum256([]byte("v"))
		tok := f.OAuthDiscoveryToken("alice@acme.test", WithPKCEChallenge(base64.RawURLEncoding.EncodeToString(sum[:])), WithProvider("microsoft"))
		wantError(t, f.do(t, "POST", path, map[string]any{"discovery_oauth_token": tok, "pkce_code_verifier": "w"}), 401, errPKCEMismatch)
		r := f.do(t, "POST", path, map[string]any{"discovery_oauth_token": tok, "pkce_code_verifier": "v"})
		wantOK(t, r)
		if r.str("provider_type") != "Microsoft" {
			t.Errorf("provider_type = %s", r.str("provider_type"))
		}
	})
	t.Run("a missing token is refused", func(t *testing.T) {
		wantError(t, f.do(t, "POST", path, map[string]any{}), 400, errBadRequest)
	})
}

func TestIntermediateSessionExchange(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	const path = "/v1/b2b/discovery/intermediate_sessions/exchange"
	t.Run("exchange without MFA consumes the IST and starts a session", func(t *testing.T) {
		ist := f.discover(t, "alice@acme.test").str("intermediate_session_token")
		r := f.do(t, "POST", path, map[string]any{"intermediate_session_token": ist, "organization_id": f.acme, "session_duration_minutes": 120})
		wantOK(t, r)
		if r.get("member_authenticated") != true || r.str("session_token") == "" || r.str("session_jwt") == "" ||
			r.str("intermediate_session_token") != "" || r.get("intermediate_session_token_expires_at") != nil {
			t.Fatalf("got %s", r.raw)
		}
		want := f.clock.Now().Add(2 * time.Hour).Format(time.RFC3339)
		if r.str("member_session", "expires_at") != want {
			t.Errorf("expires_at = %s, want %s", r.str("member_session", "expires_at"), want)
		}
		wantError(t, f.do(t, "POST", path, map[string]any{"intermediate_session_token": ist, "organization_id": f.acme}), 404, errISTNotFound)
	})
	t.Run("exchange with MFA required returns the IST unconsumed", func(t *testing.T) {
		ist := f.discover(t, "bob@acme.test").str("intermediate_session_token")
		r := f.do(t, "POST", path, map[string]any{"intermediate_session_token": ist, "organization_id": f.acme})
		wantOK(t, r)
		if r.get("member_authenticated") != false || r.str("intermediate_session_token") != ist || r.str("session_token") != "" ||
			r.get("member_session") != nil || r.str("intermediate_session_token_expires_at") == "" {
			t.Fatalf("got %s", r.raw)
		}
		opts := r.get("mfa_required", "member_options").(map[string]any)
		if opts["mfa_phone_number"] != "+15555550100" || opts["totp_registration_id"] == "" {
			t.Errorf("member_options = %v", opts)
		}
		if r.get("mfa_required", "secondary_auth_initiated") != nil {
			t.Errorf("bob has TOTP, no SMS should be sent: %v", r.get("mfa_required"))
		}
	})
	t.Run("an IST held by one organization's MFA step enters another", func(t *testing.T) {
		// Stytch: the IST an exchange returns for MFA can be exchanged
		// into a different organization, or create a new one.
		ist := f.discover(t, "alice@acme.test").str("intermediate_session_token")
		r := f.do(t, "POST", path, map[string]any{"intermediate_session_token": ist, "organization_id": f.globex})
		wantOK(t, r)
		if r.get("member_authenticated") != false || r.str("intermediate_session_token") != ist {
			t.Fatalf("globex requires MFA; got %s", r.raw)
		}
		r = f.do(t, "POST", path, map[string]any{"intermediate_session_token": ist, "organization_id": f.acme})
		wantOK(t, r)
		if r.get("member_authenticated") != true || r.str("member_session", "organization_id") != f.acme || r.str("member_id") != f.alice {
			t.Fatalf("acme requires no MFA; got %s", r.raw)
		}
		wantError(t, f.do(t, "POST", path, map[string]any{"intermediate_session_token": ist, "organization_id": f.globex}), 404, errISTNotFound)
	})
	t.Run("an IST held by an MFA step creates an organization", func(t *testing.T) {
		ist := f.discover(t, "alice@acme.test").str("intermediate_session_token")
		wantOK(t, f.do(t, "POST", path, map[string]any{"intermediate_session_token": ist, "organization_id": f.globex}))
		r := f.do(t, "POST", "/v1/b2b/discovery/organizations/create", map[string]any{"intermediate_session_token": ist, "organization_name": "Alice's New Co"})
		wantOK(t, r)
		if r.get("member_authenticated") != true || r.str("organization", "organization_name") != "Alice's New Co" {
			t.Fatalf("got %s", r.raw)
		}
	})
	t.Run("an email of an allowed domain joins just in time", func(t *testing.T) {
		ist := f.discover(t, "erin@acme.test").str("intermediate_session_token")
		r := f.do(t, "POST", path, map[string]any{"intermediate_session_token": ist, "organization_id": f.acme})
		wantOK(t, r)
		if r.str("member", "email_address") != "erin@acme.test" || r.str("member", "status") != "active" {
			t.Fatalf("got %s", r.raw)
		}
	})
	t.Run("an expired IST is not found", func(t *testing.T) {
		ist := f.IntermediateSessionToken("alice@acme.test")
		f.clock.Advance(10 * time.Minute)
		wantError(t, f.do(t, "POST", path, map[string]any{"intermediate_session_token": ist, "organization_id": f.acme}), 404, errISTNotFound)
	})
	t.Run("an unknown IST is not found", func(t *testing.T) {
		wantError(t, f.do(t, "POST", path, map[string]any{"intermediate_session_token": "nope", "organization_id": f.acme}), 404, errISTNotFound)
	})
	t.Run("an organization the email cannot enter is refused", func(t *testing.T) {
		ist := f.IntermediateSessionToken("mallory@evil.test")
		wantError(t, f.do(t, "POST", path, map[string]any{"intermediate_session_token": ist, "organization_id": f.acme}), 404, errMemberNotFound)
	})
	t.Run("an unknown organization is not found", func(t *testing.T) {
		ist := f.IntermediateSessionToken("alice@acme.test")
		wantError(t, f.do(t, "POST", path, map[string]any{"intermediate_session_token": ist, "organization_id": "organization-test-none"}), 404, errOrganizationNotFound)
	})
}

func TestPrimaryRequired(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	org, err := f.AddOrganization(OrganizationSeed{Name: "SSO Only", AllowedAuthMethods: []string{"google_oauth"}})
	if err != nil {
		t.Fatal(err)
	}
	m, err := f.AddMember(MemberSeed{Organization: org, Email: "alice@acme.test"})
	if err != nil {
		t.Fatal(err)
	}
	ist := f.IntermediateSessionToken("alice@acme.test")
	r := f.do(t, "POST", "/v1/b2b/discovery/intermediate_sessions/exchange", map[string]any{"intermediate_session_token": ist, "organization_id": org})
	wantOK(t, r)
	if r.get("member_authenticated") != false || r.str("primary_required", "allowed_auth_methods", "0") != "google_oauth" || r.get("mfa_required") != nil {
		t.Fatalf("got %s", r.raw)
	}
	wantError(t, f.do(t, "POST", "/v1/b2b/otps/sms/send", map[string]any{"organization_id": org, "member_id": m, "intermediate_session_token": ist, "mfa_phone_number": "+15555550199"}),
		400, errInsufficientFactors)
}

func TestOrganizationsCreateAndList(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	const create, list = "/v1/b2b/discovery/organizations/create", "/v1/b2b/discovery/organizations"
	ist := f.IntermediateSessionToken("zoe@new.test")
	r := f.do(t, "POST", create, map[string]any{"intermediate_session_token": ist, "organization_name": "New Co", "organization_slug": "new-co"})
	wantOK(t, r)
	if r.get("member_authenticated") != true || r.str("organization", "organization_slug") != "new-co" || r.str("session_token") == "" {
		t.Fatalf("got %s", r.raw)
	}
	if r.str("member", "roles", "1", "role_id") != roleAdmin || r.get("member", "is_admin") != true {
		t.Errorf("creator is not stytch_admin: %v", r.get("member", "roles"))
	}
	token := r.str("session_token")
	t.Run("the IST is consumed", func(t *testing.T) {
		wantError(t, f.do(t, "POST", create, map[string]any{"intermediate_session_token": ist, "organization_name": "Other"}), 404, errISTNotFound)
	})
	t.Run("a taken slug is refused", func(t *testing.T) {
		ist := f.IntermediateSessionToken("zoe@new.test")
		wantError(t, f.do(t, "POST", create, map[string]any{"intermediate_session_token": ist, "organization_name": "X", "organization_slug": "acme"}), 400, errSlugAlreadyUsed)
	})
	t.Run("a missing name is refused", func(t *testing.T) {
		ist := f.IntermediateSessionToken("zoe@new.test")
		wantError(t, f.do(t, "POST", create, map[string]any{"intermediate_session_token": ist}), 400, errBadRequest)
	})
	t.Run("an organization requiring MFA asks its creator for MFA", func(t *testing.T) {
		ist := f.IntermediateSessionToken("zoe@new.test")
		r := f.do(t, "POST", create, map[string]any{"intermediate_session_token": ist, "organization_name": "Strict", "mfa_policy": mfaPolicyRequired})
		wantOK(t, r)
		if r.get("member_authenticated") != false || r.get("mfa_required") == nil || r.get("mfa_required", "member_options") != nil {
			t.Fatalf("got %s", r.raw)
		}
	})
	t.Run("list takes a session", func(t *testing.T) {
		r := f.do(t, "POST", list, map[string]any{"session_token": token})
		wantOK(t, r)
		if r.str("email_address") != "zoe@new.test" || len(r.get("discovered_organizations").([]any)) != 2 {
			t.Fatalf("got %s", r.raw)
		}
	})
	t.Run("list takes an IST", func(t *testing.T) {
		r := f.do(t, "POST", list, map[string]any{"intermediate_session_token": f.IntermediateSessionToken("alice@acme.test")})
		wantOK(t, r)
		if len(r.get("discovered_organizations").([]any)) != 2 {
			t.Fatalf("got %s", r.raw)
		}
	})
	t.Run("list without credentials is refused", func(t *testing.T) {
		wantError(t, f.do(t, "POST", list, map[string]any{}), 400, errBadRequest)
	})
}
