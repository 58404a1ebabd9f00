package emulator

import (
	"slices"
	"testing"
)

func TestPolicy(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	r := f.do(t, "GET", "/v1/b2b/rbac/policy", nil)
	wantOK(t, r)
	var ids []string
	for _, role := range r.get("policy", "roles").([]any) {
		ids = append(ids, role.(map[string]any)["role_id"].(string))
	}
	if !slices.Equal(ids, []string{roleAdmin, roleMember, "editor"}) {
		t.Fatalf("roles = %v", ids)
	}
	admin := result{body: r.get("policy", "roles", "0").(map[string]any)}
	resources := r.get("policy", "resources").([]any)
	if len(admin.get("permissions").([]any)) != len(resources) || admin.str("permissions", "0", "actions", "0") != "*" {
		t.Errorf("stytch_admin must have * on every resource: %v", admin.body)
	}
	if _, ok := r.get("policy", "scopes").([]any); !ok {
		t.Errorf("scopes = %v", r.get("policy", "scopes"))
	}

	t.Run("the organization policy lists its own roles", func(t *testing.T) {
		r := f.do(t, "GET", "/v1/b2b/rbac/organizations/"+f.globex, nil)
		wantOK(t, r)
		if r.str("org_policy", "roles", "0", "role_id") != "auditor" {
			t.Fatalf("got %s", r.raw)
		}
		r = f.do(t, "GET", "/v1/b2b/rbac/organizations/"+f.acme, nil)
		wantOK(t, r)
		if roles, ok := r.get("org_policy", "roles").([]any); !ok || len(roles) != 0 {
			t.Fatalf("got %s", r.raw)
		}
		wantError(t, f.do(t, "GET", "/v1/b2b/rbac/organizations/organization-test-none", nil), 404, errOrganizationNotFound)
	})
	t.Run("roles must name known resources and actions", func(t *testing.T) {
		if err := f.AddRole(Role{RoleID: "x", Permissions: []Permission{{ResourceID: "nothing", Actions: []string{"*"}}}}); err == nil {
			t.Error("unknown resource accepted")
		}
		if err := f.AddRole(Role{RoleID: "x", Permissions: []Permission{{ResourceID: "documents", Actions: []string{"fly"}}}}); err == nil {
			t.Error("unknown action accepted")
		}
		if err := f.AddRole(Role{RoleID: roleAdmin}); err == nil {
			t.Error("a built-in role was replaced")
		}
	})
	t.Run("SetPolicy replaces the custom part and keeps the defaults", func(t *testing.T) {
		err := f.SetPolicy(Policy{
			Resources: []Resource{{ResourceID: "invoices", Actions: []string{"pay"}}},
			Roles:     []Role{{RoleID: "payer", Permissions: []Permission{{ResourceID: "invoices", Actions: []string{"pay"}}}}},
		})
		if err != nil {
			t.Fatal(err)
		}
		r := f.do(t, "GET", "/v1/b2b/rbac/policy", nil)
		if r.str("policy", "roles", "2", "role_id") != "payer" || r.str("policy", "roles", "0", "permissions", "0", "resource_id") != "invoices" {
			t.Fatalf("got %s", r.raw)
		}
	})
	t.Run("an organization role is added at run time", func(t *testing.T) {
		if err := f.AddResource(Resource{ResourceID: "reports", Actions: []string{"read"}}); err != nil {
			t.Fatal(err)
		}
		if err := f.AddOrganizationRole(f.acme, Role{RoleID: "reader", Permissions: []Permission{{ResourceID: "reports", Actions: []string{"read"}}}}); err != nil {
			t.Fatal(err)
		}
		m, err := f.AddMember(MemberSeed{Organization: "acme", Email: "rita@acme.test", Roles: []string{"reader"}})
		if err != nil {
			t.Fatal(err)
		}
		_, jwt, _ := f.CreateSession(m)
		r := f.do(t, "POST", "/v1/b2b/sessions/authenticate", map[string]any{"session_jwt": jwt,
			"authorization_check": map[string]any{"organization_id": f.acme, "resource_id": "reports", "action": "read"}})
		wantOK(t, r)
		if r.str("verdict", "granting_roles", "0") != "reader" {
			t.Fatalf("verdict = %v", r.get("verdict"))
		}
	})
}
