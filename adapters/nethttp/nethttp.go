// Package b2bhttp adapts b2bauth's session middleware to plain net/http
// routers such as http.ServeMux and chi, with the same functions as the gin
// and echo adapters (they also have Wrap, which net/http does not need). The
// core middleware is already net/http-shaped; this package only names its
// pieces the way the other adapters do.
package b2bhttp

import (
	"net/http"
	"time"

	"github.com/b2bauth/b2bauth/middleware"
)

// OptionalSession is [middleware.Middleware.OptionalSession].
func OptionalSession(m *middleware.Middleware) func(http.Handler) http.Handler {
	return m.OptionalSession
}

// RequireSession is [middleware.Middleware.RequireSession].
func RequireSession(m *middleware.Middleware) func(http.Handler) http.Handler {
	return m.RequireSession
}

// RequirePermission is [middleware.Middleware.RequirePermission].
func RequirePermission(m *middleware.Middleware, resource, action string) func(http.Handler) http.Handler {
	return m.RequirePermission(resource, action)
}

// RequireOrganizationPermission is [middleware.Middleware.RequirePermission]
// for a resource of the organization org reads from the request (see
// [middleware.InOrganization]), such as r.PathValue("org").
func RequireOrganizationPermission(m *middleware.Middleware, org func(*http.Request) string, resource, action string) func(http.Handler) http.Handler {
	return m.RequirePermission(resource, action, middleware.InOrganization(org))
}

// RequireRole is [middleware.Middleware.RequireRole].
func RequireRole(m *middleware.Middleware, role string) func(http.Handler) http.Handler {
	return m.RequireRole(role)
}

// RequireFreshFactor is [middleware.Middleware.RequireFreshFactor].
func RequireFreshFactor(m *middleware.Middleware, kind middleware.FactorKind, within time.Duration) func(http.Handler) http.Handler {
	return m.RequireFreshFactor(kind, within)
}

// RequireScopes is [middleware.Middleware.RequireScopes].
func RequireScopes(m *middleware.Middleware, scopes ...string) func(http.Handler) http.Handler {
	return m.RequireScopes(scopes...)
}

// RequireSessionOrScopes is [middleware.Middleware.RequireSessionOrScopes].
func RequireSessionOrScopes(m *middleware.Middleware, scopes ...string) func(http.Handler) http.Handler {
	return m.RequireSessionOrScopes(scopes...)
}

// M2MClient returns the M2M client attached to r.
func M2MClient(r *http.Request) (*middleware.M2MClient, bool) {
	return middleware.M2MClientFrom(r.Context())
}

// Session returns the session attached to r.
func Session(r *http.Request) (*middleware.Session, bool) {
	return middleware.SessionFrom(r.Context())
}

// Mount serves h (for example the login flows' handler) for every method
// at prefix, such as "/auth", and under it, on mux, as the gin and echo
// adapters do.
func Mount(mux *http.ServeMux, prefix string, h http.Handler) {
	mux.Handle(prefix, h)
	mux.Handle(prefix+"/", h)
}
