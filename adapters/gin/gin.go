package b2bgin

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/b2bauth/b2bauth/middleware"
)

// Option configures the gin handlers.
type Option interface {
	apply(*config)
}

type config struct {
	skipper func(*gin.Context) bool
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// WithSkipper sets a skipper, as echo's: requests it selects bypass
// b2bauth and go on down the chain. Default: skip nothing. A nil skipper
// makes [Wrap] panic, as a nil option does: the route is set up wrongly.
func WithSkipper(skip func(*gin.Context) bool) Option {
	return optionFunc(func(c *config) {
		if skip == nil {
			panic("b2bgin: WithSkipper(nil)")
		}
		c.skipper = skip
	})
}

// Wrap turns a net/http middleware of the core into a gin handler. The
// route's parameters are given to the core as the request's path values
// (r.PathValue("org") for a route /orgs/:org), and the request the core
// passes on is written back to c.Request, so what it attached to the context
// reaches the next handlers. When the core rejects the request (it has
// written the answer, with the Middleware's error handler), the chain is
// aborted. The next handlers keep writing to c.Writer: a writer mw passes
// on in place of the one it was given (a recorder of its own) is not used
// after it, as gin offers no public way to make its writer of another. The
// core's middlewares pass theirs on unchanged; wrap the response in a gin
// middleware instead.
func Wrap(mw func(http.Handler) http.Handler, opts ...Option) gin.HandlerFunc {
	var cfg config
	for _, o := range opts {
		if o == nil {
			// As echo-jwt does with a bad configuration: the route is
			// being set up, and a silent default would hide the mistake.
			panic("b2bgin: nil option")
		}
		o.apply(&cfg)
	}
	return func(c *gin.Context) {
		if cfg.skipper != nil && cfg.skipper(c) {
			c.Next()
			return
		}
		withPathValues(c)
		passed := false
		mw(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
			passed = true
			c.Request = r
			c.Next()
		})).ServeHTTP(c.Writer, c.Request)
		if !passed {
			c.Abort()
		}
	}
}

// withPathValues makes c's route parameters readable with
// c.Request.PathValue, on a copy of the request when one differs.
func withPathValues(c *gin.Context) {
	var r *http.Request
	for _, p := range c.Params {
		if c.Request.PathValue(p.Key) == p.Value {
			continue
		}
		if r == nil {
			r = c.Request.WithContext(c.Request.Context())
		}
		r.SetPathValue(p.Key, p.Value)
	}
	if r != nil {
		c.Request = r
	}
}

// OptionalSession is [middleware.Middleware.OptionalSession] for gin.
func OptionalSession(m *middleware.Middleware, opts ...Option) gin.HandlerFunc {
	return Wrap(m.OptionalSession, opts...)
}

// RequireSession is [middleware.Middleware.RequireSession] for gin.
func RequireSession(m *middleware.Middleware, opts ...Option) gin.HandlerFunc {
	return Wrap(m.RequireSession, opts...)
}

// RequirePermission is [middleware.Middleware.RequirePermission] for gin.
func RequirePermission(m *middleware.Middleware, resource, action string, opts ...Option) gin.HandlerFunc {
	return Wrap(m.RequirePermission(resource, action), opts...)
}

// RequireOrganizationPermission is [middleware.Middleware.RequirePermission]
// for gin, for a resource of the organization org reads from the request
// (see [middleware.InOrganization]): for a route /orgs/:org,
// r.PathValue("org").
func RequireOrganizationPermission(m *middleware.Middleware, org func(*http.Request) string, resource, action string, opts ...Option) gin.HandlerFunc {
	return Wrap(m.RequirePermission(resource, action, middleware.InOrganization(org)), opts...)
}

// RequireRole is [middleware.Middleware.RequireRole] for gin.
func RequireRole(m *middleware.Middleware, role string, opts ...Option) gin.HandlerFunc {
	return Wrap(m.RequireRole(role), opts...)
}

// RequireFreshFactor is [middleware.Middleware.RequireFreshFactor] for gin.
func RequireFreshFactor(m *middleware.Middleware, kind middleware.FactorKind, within time.Duration, opts ...Option) gin.HandlerFunc {
	return Wrap(m.RequireFreshFactor(kind, within), opts...)
}

// RequireScopes is [middleware.Middleware.RequireScopes] for gin. The scopes
// take the variadic place of the options: with options such as
// [WithSkipper], write Wrap(m.RequireScopes(scopes...), opts...).
func RequireScopes(m *middleware.Middleware, scopes ...string) gin.HandlerFunc {
	return Wrap(m.RequireScopes(scopes...))
}

// RequireSessionOrScopes is [middleware.Middleware.RequireSessionOrScopes]
// for gin; with options, write Wrap(m.RequireSessionOrScopes(scopes...),
// opts...).
func RequireSessionOrScopes(m *middleware.Middleware, scopes ...string) gin.HandlerFunc {
	return Wrap(m.RequireSessionOrScopes(scopes...))
}

// M2MClient returns the M2M client one of this package's handlers attached
// to c.Request's context; it is middleware.M2MClientFrom(c.Request.Context()).
func M2MClient(c *gin.Context) (*middleware.M2MClient, bool) {
	return middleware.M2MClientFrom(c.Request.Context())
}

// Session returns the session one of this package's handlers attached to
// c.Request's context; it is middleware.SessionFrom(c.Request.Context()).
func Session(c *gin.Context) (*middleware.Session, bool) {
	return middleware.SessionFrom(c.Request.Context())
}

// Mount serves h (for example the login flows' handler) for every method
// under prefix, such as "/auth".
func Mount(r gin.IRoutes, prefix string, h http.Handler) {
	r.Any(prefix, gin.WrapH(h))
	r.Any(prefix+"/*path", gin.WrapH(h))
}
