package emulator

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadSeed(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "seed.json")
	data := `{
	  "resources": [{"resource_id": "documents", "actions": ["read"]}],
	  "roles": [{"role_id": "reader", "permissions": [{"resource_id": "documents", "actions": ["read"]}]}],
	  "organizations": [{"organization_name": "Acme", "organization_slug": "acme", "mfa_policy": "REQUIRED_FOR_ALL",
	                     "allowed_mfa_methods": ["totp"], "email_allowed_domains": ["acme.test"]}],
	  "members": [{"organization": "acme", "email_address": "Ann@Acme.test", "roles": ["reader"],
	               "mfa_phone_number": "+15555550123", "mfa_phone_number_verified": true,
	               "totp_secret": "JBSWY3DPEHPK3PXP"}]
	}`
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	seed, err := LoadSeed(path)
	if err != nil {
		t.Fatal(err)
	}
	f := NewTest(t, WithSeed(seed))
	org, ok := f.OrganizationID("acme")
	if !ok || !strings.HasPrefix(org, "organization-test-") {
		t.Fatalf("organization id %q", org)
	}
	m, ok := f.MemberID(org, "ann@acme.test")
	if !ok || !strings.HasPrefix(m, "member-test-") {
		t.Fatalf("member id %q", m)
	}
	if code, err := f.TOTPCode(m); err != nil || len(code) != 6 {
		t.Fatalf("TOTPCode = %q, %v", code, err)
	}
	r := f.do(t, "GET", "/v1/b2b/sessions?organization_id="+org+"&member_id="+m, nil)
	wantOK(t, r)

	t.Run("a seed that is not JSON is refused", func(t *testing.T) {
		bad := filepath.Join(t.TempDir(), "bad.json")
		_ = os.WriteFile(bad, []byte("{"), 0o600)
		if _, err := LoadSeed(bad); err == nil {
			t.Fatal("accepted")
		}
		if _, err := LoadSeed(filepath.Join(t.TempDir(), "missing.json")); err == nil {
			t.Fatal("accepted a missing file")
		}
	})
}

func TestSeedValidation(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	orgs := []struct {
		name string
		seed OrganizationSeed
	}{
		{"a nameless organization is refused", OrganizationSeed{}},
		{"a taken slug is refused", OrganizationSeed{Name: "Acme"}},
		{"a bad slug is refused", OrganizationSeed{Name: "X", Slug: "A B"}},
		{"a bad MFA policy is refused", OrganizationSeed{Name: "Y", MFAPolicy: "SOMETIMES"}},
		{"a bad MFA method is refused", OrganizationSeed{Name: "Z", AllowedMFAMethods: []string{"carrier_pigeon"}}},
	}
	for _, tt := range orgs {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := f.AddOrganization(tt.seed); err == nil {
				t.Fatal("accepted")
			}
		})
	}
	members := []struct {
		name string
		seed MemberSeed
	}{
		{"an unknown organization is refused", MemberSeed{Organization: "nowhere", Email: "a@b.test"}},
		{"a bad email is refused", MemberSeed{Organization: "acme", Email: "nope"}},
		{"a duplicate email is refused", MemberSeed{Organization: "acme", Email: "ALICE@acme.test"}},
		{"a bad phone is refused", MemberSeed{Organization: "acme", Email: "p@acme.test", Phone: "12345"}},
		{"an unknown role is refused", MemberSeed{Organization: "acme", Email: "r@acme.test", Roles: []string{"god"}}},
		{"a bad TOTP secret is refused", MemberSeed{Organization: "acme", Email: "s@acme.test", TOTPSecret: "!!"}},
		{"a bad status is refused", MemberSeed{Organization: "acme", Email: "u@acme.test", Status: "zombie"}},
	}
	for _, tt := range members {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := f.AddMember(tt.seed); err == nil {
				t.Fatal("accepted")
			}
		})
	}
	t.Run("an invited member shows as invited and becomes active on login", func(t *testing.T) {
		if _, err := f.AddMember(MemberSeed{Organization: "acme", Email: "ines@acme.test", Status: "invited"}); err != nil {
			t.Fatal(err)
		}
		r := f.do(t, "POST", "/v1/b2b/discovery/organizations", map[string]any{"intermediate_session_token": f.IntermediateSessionToken("ines@acme.test")})
		if r.str("discovered_organizations", "0", "membership", "type") != "invited_member" {
			t.Fatalf("got %s", r.raw)
		}
		x := f.do(t, "POST", "/v1/b2b/discovery/intermediate_sessions/exchange", map[string]any{
			"intermediate_session_token": f.IntermediateSessionToken("ines@acme.test"), "organization_id": f.acme})
		wantOK(t, x)
		if x.str("member", "status") != "active" {
			t.Fatalf("status = %s", x.str("member", "status"))
		}
	})
}
