package middleware

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/b2bauth/b2bauth/client"
)

// RequirePermission returns a middleware that calls next only when the
// session's roles grant action on resource, decided locally against the
// cached RBAC policy (Stytch's semantics: a role of the project or of the
// organization with a permission on the resource whose actions include the
// action or "*"). The resource belongs to the session's own organization
// unless [InOrganization] names its organization: a session of another one
// is then refused with [ErrTenancy] (403), whatever its roles. A logged-in
// member without the permission gets [ErrPermissionDenied] (403); requests
// without a session are handled as by [Middleware.RequireSession].
func (m *Middleware) RequirePermission(resource, action string, opts ...PermissionOption) func(http.Handler) http.Handler {
	var cfg permissionConfig
	for _, o := range opts {
		if o != nil {
			o.applyPermission(&cfg)
		}
	}
	return func(next http.Handler) http.Handler {
		return m.enforce(next, func(r *http.Request, s *Session) error {
			if cfg.organization == nil {
				return m.authorize(r.Context(), s, s.OrganizationID, resource, action)
			}
			return m.authorizeIn(r.Context(), s, cfg.organization(r), resource, action)
		})
	}
}

// PermissionOption configures the check of [Middleware.RequirePermission].
type PermissionOption interface {
	applyPermission(*permissionConfig)
}

type permissionConfig struct {
	organization func(*http.Request) string
}

type permissionOptionFunc func(*permissionConfig)

func (f permissionOptionFunc) applyPermission(c *permissionConfig) { f(c) }

// InOrganization names the organization owning the resource a route guards,
// read from each request by org, typically from the path:
//
//	m.RequirePermission("documents", "write", middleware.InOrganization(
//		func(r *http.Request) string { return r.PathValue("org") }))
//
// A session of another organization is refused with [ErrTenancy] (403,
// Stytch's "session_authorization_tenancy_error") before its roles are
// looked at, so an editor of one organization cannot act on another's
// resources; a request for which org returns "" is refused the same way, as
// its resource's organization is unknown. The adapters make their routers'
// parameters readable with r.PathValue. Default: the session's own
// organization. InOrganization panics on a nil org when the route is built.
func InOrganization(org func(*http.Request) string) PermissionOption {
	if org == nil {
		panic("b2bauth: InOrganization with a nil function")
	}
	return permissionOptionFunc(func(c *permissionConfig) { c.organization = org })
}

// RequireRole returns a middleware that calls next only when the session
// holds role; otherwise 403.
func (m *Middleware) RequireRole(role string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return m.enforce(next, func(_ *http.Request, s *Session) error {
			if s.HasRole(role) {
				return nil
			}
			return ErrRoleRequired.with(fmt.Errorf("member lacks role %q", role))
		})
	}
}

// RequireFreshFactor returns a middleware for sensitive routes: the session
// must hold a factor of kind authenticated within the last within, else the
// request is refused with a *[StepUpError] (403 "step_up_required", or a
// redirect to the step-up URL for browser navigations, see [WithStepUpURL]).
func (m *Middleware) RequireFreshFactor(kind FactorKind, within time.Duration) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return m.enforce(next, func(_ *http.Request, s *Session) error {
			last := s.LastFactorAt(kind)
			if !last.IsZero() && m.cfg.now().Sub(last) <= within {
				return nil
			}
			return &StepUpError{Kind: kind, Within: within}
		})
	}
}

// Authorize checks inside a handler that the session attached to ctx may
// perform action on resource of the session's own organization. It returns
// nil when allowed, [ErrNoSession] when ctx carries no session,
// [ErrPermissionDenied] when denied and [ErrUnavailable] when the policy
// cannot be fetched.
func (m *Middleware) Authorize(ctx context.Context, resource, action string) error {
	s, err := sessionToAuthorize(ctx)
	if err != nil {
		return err
	}
	return m.authorize(ctx, s, s.OrganizationID, resource, action)
}

// AuthorizeInOrganization is [Middleware.Authorize] for a resource owned by
// organizationID: a session of another organization, or an empty
// organizationID, gets [ErrTenancy] whatever its roles.
func (m *Middleware) AuthorizeInOrganization(ctx context.Context, organizationID, resource, action string) error {
	s, err := sessionToAuthorize(ctx)
	if err != nil {
		return err
	}
	return m.authorizeIn(ctx, s, organizationID, resource, action)
}

// authorizeIn is authorize for a resource of a named organization, which
// must be known.
func (m *Middleware) authorizeIn(ctx context.Context, s *Session, org, resource, action string) error {
	if org == "" {
		return ErrTenancy.with(errors.New("the resource's organization is unknown"))
	}
	return m.authorize(ctx, s, org, resource, action)
}

func sessionToAuthorize(ctx context.Context) (*Session, error) {
	s, ok := SessionFrom(ctx)
	if !ok {
		if err := FailureReason(ctx); err != nil {
			return nil, err
		}
		return nil, ErrNoSession.with(nil)
	}
	return s, nil
}

// authorize checks action on resource of organization org for s.
func (m *Middleware) authorize(ctx context.Context, s *Session, org, resource, action string) error {
	if org != s.OrganizationID {
		// Decided before the policy is fetched, as no role can grant it:
		// the answer does not depend on Stytch being reachable.
		return ErrTenancy.with(fmt.Errorf("session of organization %q, resource of organization %q", s.OrganizationID, org))
	}
	err := m.cfg.authorizer.Authorize(ctx, s.OrganizationID, s.Roles, client.AuthorizationCheck{
		OrganizationID: org,
		ResourceID:     resource,
		Action:         action,
	})
	switch {
	case err == nil:
		return nil
	case errors.Is(err, client.ErrTenancyMismatch):
		return ErrTenancy.with(err)
	case errors.Is(err, client.ErrAuthorizationDenied):
		return ErrPermissionDenied.with(err)
	default:
		return ErrUnavailable.with(err)
	}
}
