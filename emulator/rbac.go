package emulator

import (
	"fmt"
	"net/http"
	"slices"
)

// Policy is a project's RBAC policy, in the wire shape of GET
// /v1/b2b/rbac/policy.
type Policy struct {
	Roles     []Role     `json:"roles"`
	Resources []Resource `json:"resources"`
	Scopes    []Scope    `json:"scopes"`
}

// Role grants permissions to the members holding it.
type Role struct {
	RoleID      string       `json:"role_id"`
	Description string       `json:"description"`
	Permissions []Permission `json:"permissions"`
}

// Permission allows actions ("*" for all) on a resource.
type Permission struct {
	ResourceID string   `json:"resource_id"`
	Actions    []string `json:"actions"`
}

// Resource is something roles act on, with the actions it supports.
type Resource struct {
	ResourceID  string   `json:"resource_id"`
	Description string   `json:"description"`
	Actions     []string `json:"actions"`
}

// Scope groups permissions for OAuth clients; the emulator only reports them.
type Scope struct {
	Scope       string       `json:"scope"`
	Description string       `json:"description"`
	Permissions []Permission `json:"permissions"`
}

// projectPolicy holds the custom part of the policy; the default roles are
// derived when rendered, so stytch_admin always covers every resource.
type projectPolicy struct {
	resources []Resource
	roles     []Role
	scopes    []Scope
}

func defaultPolicy() projectPolicy {
	return projectPolicy{resources: []Resource{
		{ResourceID: "stytch.organization", Description: "Stytch organization", Actions: []string{"update.info.name", "update.info.slug", "update.settings.mfa-policy", "update.settings.allowed-mfa-methods", "delete"}},
		{ResourceID: "stytch.member", Description: "Stytch members", Actions: []string{"create", "search", "update.info.name", "update.settings.roles", "delete"}},
		{ResourceID: "stytch.sso", Description: "Stytch SSO connections", Actions: []string{"create", "update", "delete"}},
		{ResourceID: "stytch.scim", Description: "Stytch SCIM connections", Actions: []string{"create", "update", "delete"}},
		{ResourceID: "stytch.self", Description: "The member itself", Actions: []string{"update.info.name", "update.info.mfa-phone", "delete"}},
	}}
}

func (p *projectPolicy) resource(id string) *Resource {
	for i := range p.resources {
		if p.resources[i].ResourceID == id {
			return &p.resources[i]
		}
	}
	return nil
}

// validateRole checks that a role names known resources and actions.
func (p *projectPolicy) validateRole(r Role) error {
	if r.RoleID == "" {
		return fmt.Errorf("role_id is required")
	}
	if r.RoleID == roleAdmin || r.RoleID == roleMember {
		return fmt.Errorf("role %q is built in", r.RoleID)
	}
	for _, perm := range r.Permissions {
		res := p.resource(perm.ResourceID)
		if res == nil {
			return fmt.Errorf("role %q: unknown resource %q", r.RoleID, perm.ResourceID)
		}
		for _, a := range perm.Actions {
			if a != "*" && !slices.Contains(res.Actions, a) {
				return fmt.Errorf("role %q: resource %q has no action %q", r.RoleID, perm.ResourceID, a)
			}
		}
	}
	return nil
}

// render returns the full policy with the default roles.
func (p *projectPolicy) render() Policy {
	admin := Role{RoleID: roleAdmin, Description: "Granted to members who create an organization; all permissions."}
	for _, res := range p.resources {
		admin.Permissions = append(admin.Permissions, Permission{ResourceID: res.ResourceID, Actions: []string{"*"}})
	}
	memberRole := Role{RoleID: roleMember, Description: "Granted to every member.", Permissions: []Permission{
		{ResourceID: "stytch.self", Actions: []string{"*"}},
	}}
	if p.resource("stytch.self") == nil {
		memberRole.Permissions = []Permission{}
	}
	roles := append([]Role{admin, memberRole}, p.roles...)
	out := Policy{Roles: []Role{}, Resources: []Resource{}, Scopes: nonNil(p.scopes)}
	for _, r := range roles {
		r.Permissions = nonNil(r.Permissions)
		out.Roles = append(out.Roles, r)
	}
	for _, r := range p.resources {
		r.Actions = nonNil(r.Actions)
		out.Resources = append(out.Resources, r)
	}
	return out
}

// AddResource adds a resource to the project policy, or replaces the one
// with the same id.
func (s *Server) AddResource(r Resource) error {
	if r.ResourceID == "" {
		return fmt.Errorf("b2bauth: emulator: resource_id is required")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if old := s.policy.resource(r.ResourceID); old != nil {
		*old = r
		return nil
	}
	s.policy.resources = append(s.policy.resources, r)
	return nil
}

// AddRole adds a project-wide custom role, or replaces the one with the same
// id. Its permissions must name resources of the policy (see [Server.AddResource]).
func (s *Server) AddRole(r Role) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.policy.validateRole(r); err != nil {
		return fmt.Errorf("b2bauth: emulator: %w", err)
	}
	s.policy.roles = replaceRole(s.policy.roles, r)
	return nil
}

// SetPolicy replaces the project policy's resources, custom roles and scopes.
// stytch_admin (every action on every resource) and stytch_member are always
// added; roles with those ids in p are ignored.
func (s *Server) SetPolicy(p Policy) error {
	next := projectPolicy{resources: slices.Clone(p.Resources), scopes: slices.Clone(p.Scopes)}
	for _, r := range p.Roles {
		if r.RoleID == roleAdmin || r.RoleID == roleMember {
			continue
		}
		if err := next.validateRole(r); err != nil {
			return fmt.Errorf("b2bauth: emulator: %w", err)
		}
		next.roles = replaceRole(next.roles, r)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.policy = next
	return nil
}

// AddOrganizationRole adds a custom role to one organization's policy, or
// replaces the one with the same id.
func (s *Server) AddOrganizationRole(organizationID string, r Role) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.orgs[organizationID]
	if o == nil {
		return fmt.Errorf("b2bauth: emulator: unknown organization %q", organizationID)
	}
	if err := s.policy.validateRole(r); err != nil {
		return fmt.Errorf("b2bauth: emulator: %w", err)
	}
	o.customRoles = replaceRole(o.customRoles, r)
	return nil
}

func replaceRole(roles []Role, r Role) []Role {
	for i := range roles {
		if roles[i].RoleID == r.RoleID {
			out := slices.Clone(roles)
			out[i] = r
			return out
		}
	}
	return append(slices.Clone(roles), r)
}

// roleExists reports whether a role id is defined for members of o.
func (s *Server) roleExists(o *organization, id string) bool {
	if id == roleAdmin || id == roleMember {
		return true
	}
	has := func(r Role) bool { return r.RoleID == id }
	return slices.ContainsFunc(s.policy.roles, has) || slices.ContainsFunc(o.customRoles, has)
}

// grantingRoles lists the roles that allow action on resource, using the
// project policy and the organization's policy, as the SDK's local check does.
func (s *Server) grantingRoles(o *organization, roleIDs []string, resource, action string) []string {
	all := append(s.policy.render().Roles, o.customRoles...)
	granting := []string{}
	for _, r := range all {
		if !slices.Contains(roleIDs, r.RoleID) || slices.Contains(granting, r.RoleID) {
			continue
		}
		for _, p := range r.Permissions {
			if p.ResourceID == resource && (slices.Contains(p.Actions, "*") || slices.Contains(p.Actions, action)) {
				granting = append(granting, r.RoleID)
				break
			}
		}
	}
	return granting
}

// authorize answers an authorization_check for a session of org o.
func (s *Server) authorize(o *organization, m *member, check *wireAuthorizationCheck) (*wireVerdict, error) {
	if check == nil {
		return nil, nil
	}
	if check.OrganizationID == "" || check.ResourceID == "" || check.Action == "" {
		return nil, badRequest("authorization_check needs organization_id, resource_id and action").withDetail("field", "authorization_check")
	}
	if check.OrganizationID != o.id {
		return nil, forbidden(errAuthorizationTenancy, fmt.Sprintf(
			"the session's organization %s does not match the authorization check's organization %s", o.id, check.OrganizationID))
	}
	granting := s.grantingRoles(o, m.roleIDs(), check.ResourceID, check.Action)
	if len(granting) == 0 {
		return nil, forbidden(errAuthorization, fmt.Sprintf(
			"the member is not authorized to perform %s on %s", check.Action, check.ResourceID))
	}
	return &wireVerdict{Authorized: true, GrantingRoles: granting}, nil
}

type policyResponse struct {
	envelope
	Policy Policy `json:"policy"`
}

type orgPolicyResponse struct {
	envelope
	OrgPolicy orgPolicy `json:"org_policy"`
}

type orgPolicy struct {
	Roles []Role `json:"roles"`
}

func (s *Server) handlePolicy(r *http.Request) (response, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return &policyResponse{Policy: s.policy.render()}, nil
}

func (s *Server) handleOrgPolicy(r *http.Request) (response, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, err := s.lookupOrg(r.PathValue("organization_id"))
	if err != nil {
		return nil, err
	}
	roles := []Role{}
	for _, role := range o.customRoles {
		role.Permissions = nonNil(role.Permissions)
		roles = append(roles, role)
	}
	return &orgPolicyResponse{OrgPolicy: orgPolicy{Roles: roles}}, nil
}
