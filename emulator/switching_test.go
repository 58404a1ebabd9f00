package emulator

import "testing"

// Organization switching: sessions exchange and the discovery list called
// with a session, beyond the cases of TestSessionsExchange.
func TestOrganizationSwitching(t *testing.T) {
	t.Parallel()
	const exchange, list = "/v1/b2b/sessions/exchange", "/v1/b2b/discovery/organizations"

	t.Run("a session JWT lists the member's organizations with a hint", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		_, jwt, err := f.CreateSession(f.alice)
		if err != nil {
			t.Fatal(err)
		}
		r := f.do(t, "POST", list, map[string]any{"session_jwt": jwt})
		wantOK(t, r)
		if r.str("email_address") != "alice@acme.test" || r.str("organization_id_hint") != f.acme || len(r.get("discovered_organizations").([]any)) != 2 {
			t.Fatalf("got %s", r.raw)
		}
	})
	t.Run("a session JWT switches to an organization without MFA", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		_, jwt, err := f.CreateSession(f.aliceGlobex)
		if err != nil {
			t.Fatal(err)
		}
		r := f.do(t, "POST", exchange, map[string]any{"session_jwt": jwt, "organization_id": f.acme})
		wantOK(t, r)
		if r.get("member_authenticated") != true || r.str("member_session", "organization_id") != f.acme || r.str("session_jwt") == "" {
			t.Fatalf("got %s", r.raw)
		}
	})
	t.Run("an email OTP session switches to an organization allowing only email OTP", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		only, token := emailOTPOnlyOrganization(t, f)
		r := f.do(t, "POST", exchange, map[string]any{"session_token": token, "organization_id": only})
		wantOK(t, r)
		if r.get("member_authenticated") != true || r.get("primary_required") != nil {
			t.Fatalf("got %s", r.raw)
		}
		token, _, err := f.CreateSession(f.alice)
		if err != nil {
			t.Fatal(err)
		}
		r = f.do(t, "POST", exchange, map[string]any{"session_token": token, "organization_id": only})
		wantOK(t, r)
		if r.get("member_authenticated") != false || r.str("primary_required", "allowed_auth_methods", "0") != "email_otp" {
			t.Fatalf("a magic link session entered an email-OTP-only organization: %s", r.raw)
		}
	})
	t.Run("an email OTP session lists an email-OTP-only organization as enterable", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		only, token := emailOTPOnlyOrganization(t, f)
		r := f.do(t, "POST", list, map[string]any{"session_token": token})
		wantOK(t, r)
		found := false
		for _, d := range r.get("discovered_organizations").([]any) {
			d := result{body: d.(map[string]any)}
			if d.str("organization", "organization_id") == only {
				found = true
				if d.get("primary_required") != nil || d.get("member_authenticated") != true {
					t.Errorf("an email OTP factor must satisfy email_otp: %v", d.body)
				}
			}
		}
		if !found {
			t.Fatalf("organization not listed: %s", r.raw)
		}
	})
}

// emailOTPOnlyOrganization adds an organization allowing only email OTP with
// alice as a member, and returns it with a session of alice at acme that
// logged in by email OTP.
func emailOTPOnlyOrganization(t *testing.T, f *fixture) (orgID, sessionToken string) {
	t.Helper()
	only, err := f.AddOrganization(OrganizationSeed{Name: "Only OTP", AllowedAuthMethods: []string{"email_otp"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.AddMember(MemberSeed{Organization: only, Email: "alice@acme.test"}); err != nil {
		t.Fatal(err)
	}
	token, _, err := f.CreateSession(f.alice, WithSessionFactors(Factor{Type: "otp", DeliveryMethod: "email"}))
	if err != nil {
		t.Fatal(err)
	}
	return only, token
}
