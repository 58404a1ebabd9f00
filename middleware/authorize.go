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
// session's roles grant action on resource in the session's organization,
// decided locally against the cached RBAC policy (Stytch's semantics: a role
// of the project or of the organization with a permission on the resource
// whose actions include the action or "*"). A logged-in member without the
// permission gets 403; requests without a session are handled as by
// [Middleware.RequireSession].
func (m *Middleware) RequirePermission(resource, action string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return m.enforce(next, func(r *http.Request, s *Session) error {
			return m.authorize(r.Context(), s, resource, action)
		})
	}
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
// perform action on resource. It returns nil when allowed, [ErrNoSession]
// when ctx carries no session, [ErrPermissionDenied] when denied and
// [ErrUnavailable] when the policy cannot be fetched.
func (m *Middleware) Authorize(ctx context.Context, resource, action string) error {
	s, ok := SessionFrom(ctx)
	if !ok {
		if err := FailureReason(ctx); err != nil {
			return err
		}
		return ErrNoSession.with(nil)
	}
	return m.authorize(ctx, s, resource, action)
}

func (m *Middleware) authorize(ctx context.Context, s *Session, resource, action string) error {
	err := m.cfg.authorizer.Authorize(ctx, s.OrganizationID, s.Roles, client.AuthorizationCheck{
		OrganizationID: s.OrganizationID,
		ResourceID:     resource,
		Action:         action,
	})
	switch {
	case err == nil:
		return nil
	case errors.Is(err, client.ErrAuthorizationDenied), errors.Is(err, client.ErrTenancyMismatch):
		return ErrPermissionDenied.with(err)
	default:
		return ErrUnavailable.with(err)
	}
}
