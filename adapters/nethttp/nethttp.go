package b2bhttp

import (
	"net/http"
	"time"

	"github.com/b2bauth/b2bauth/middleware"
)

// Option configures the middlewares of this package.
type Option interface {
	apply(*config)
}

type config struct {
	skipper func(*http.Request) bool
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// WithSkipper sets a skipper, as echo's: requests it selects bypass
// b2bauth. Default: skip nothing. A nil skipper makes [Wrap] panic, as a
// nil option does: the route is set up wrongly.
func WithSkipper(skip func(*http.Request) bool) Option {
	return optionFunc(func(c *config) {
		if skip == nil {
			panic("b2bhttp: WithSkipper(nil)")
		}
		c.skipper = skip
	})
}

// Wrap applies opts to a net/http middleware of the core. Without options
// it returns mw itself.
func Wrap(mw func(http.Handler) http.Handler, opts ...Option) func(http.Handler) http.Handler {
	var cfg config
	for _, o := range opts {
		if o == nil {
			// As echo-jwt does with a bad configuration: the route is
			// being set up, and a silent default would hide the mistake.
			panic("b2bhttp: nil option")
		}
		o.apply(&cfg)
	}
	if cfg.skipper == nil {
		return mw
	}
	return func(next http.Handler) http.Handler {
		guarded := mw(next)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if cfg.skipper(r) {
				next.ServeHTTP(w, r)
				return
			}
			guarded.ServeHTTP(w, r)
		})
	}
}

// OptionalSession is [middleware.Middleware.OptionalSession].
func OptionalSession(m *middleware.Middleware, opts ...Option) func(http.Handler) http.Handler {
	return Wrap(m.OptionalSession, opts...)
}

// RequireSession is [middleware.Middleware.RequireSession].
func RequireSession(m *middleware.Middleware, opts ...Option) func(http.Handler) http.Handler {
	return Wrap(m.RequireSession, opts...)
}

// RequirePermission is [middleware.Middleware.RequirePermission].
func RequirePermission(m *middleware.Middleware, resource, action string, opts ...Option) func(http.Handler) http.Handler {
	return Wrap(m.RequirePermission(resource, action), opts...)
}

// RequireOrganizationPermission is [middleware.Middleware.RequirePermission]
// for a resource of the organization org reads from the request (see
// [middleware.InOrganization]), such as r.PathValue("org").
func RequireOrganizationPermission(m *middleware.Middleware, org func(*http.Request) string, resource, action string, opts ...Option) func(http.Handler) http.Handler {
	return Wrap(m.RequirePermission(resource, action, middleware.InOrganization(org)), opts...)
}

// RequireRole is [middleware.Middleware.RequireRole].
func RequireRole(m *middleware.Middleware, role string, opts ...Option) func(http.Handler) http.Handler {
	return Wrap(m.RequireRole(role), opts...)
}

// RequireFreshFactor is [middleware.Middleware.RequireFreshFactor].
func RequireFreshFactor(m *middleware.Middleware, kind middleware.FactorKind, within time.Duration, opts ...Option) func(http.Handler) http.Handler {
	return Wrap(m.RequireFreshFactor(kind, within), opts...)
}

// RequireScopes is [middleware.Middleware.RequireScopes]. The scopes take
// the variadic place of the options: with options such as [WithSkipper],
// write Wrap(m.RequireScopes(scopes...), opts...).
func RequireScopes(m *middleware.Middleware, scopes ...string) func(http.Handler) http.Handler {
	return m.RequireScopes(scopes...)
}

// RequireSessionOrScopes is [middleware.Middleware.RequireSessionOrScopes];
// with options, write Wrap(m.RequireSessionOrScopes(scopes...), opts...).
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
