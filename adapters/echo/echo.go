package b2becho

import (
	"errors"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	echomw "github.com/labstack/echo/v4/middleware"

	"github.com/b2bauth/b2bauth/middleware"
)

// Option configures the echo middlewares.
type Option interface {
	apply(*config)
}

type config struct {
	skipper echomw.Skipper
	// written: the Middleware's error handler writes the answers, instead
	// of echo's HTTPErrorHandler.
	written bool
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// WithSkipper sets echo's Skipper: requests it selects bypass b2bauth.
// Default: skip nothing. A nil skipper makes [Wrap] panic, as a nil option
// does: the route is set up wrongly.
func WithSkipper(s echomw.Skipper) Option {
	return optionFunc(func(c *config) {
		if s == nil {
			panic("b2becho: WithSkipper(nil)")
		}
		c.skipper = s
	})
}

// WithMiddlewareErrorHandler makes the Middleware's own error handler
// (middleware.WithErrorHandler, default
// [middleware.Middleware.DefaultErrorHandler]: redirects of browser
// navigations to the login URL, JSON bodies, Retry-After) write the answer
// to a refused request, and return nil to echo. Default: the failure is
// returned to echo's HTTPErrorHandler (see [Wrap]).
func WithMiddlewareErrorHandler() Option {
	return optionFunc(func(c *config) { c.written = true })
}

// failureKey is the echo.Context key of the failure Wrap returned, for
// HTTPErrorHandler.
const failureKey = "b2bauth.failure"

// failure is a refusal returned to echo, with the answer the Middleware
// would have written.
type failure struct {
	err    *echo.HTTPError
	answer http.Handler
}

// Wrap turns a net/http middleware of the core into an echo middleware. The
// route's parameters are given to the core as the request's path values
// (r.PathValue("org") for a route /orgs/:org), and the request the core
// passes on is written back with c.SetRequest, so what it attached to the
// context reaches the next handlers; a writer it passes on in place of the
// one it was given becomes c.Response()'s, as echo's WrapMiddleware does, so
// a middleware of the application's own that wraps the writer sees what the
// next handlers write. The error returned by the next handler is passed
// through.
//
// A refused request reaches echo's HTTPErrorHandler, as with echo-jwt: Wrap
// returns an *echo.HTTPError whose Code is the answer's status (401, 403,
// 503...), whose Message is the machine-readable code of middleware.Code
// ("session_missing"...) and whose Internal is the b2bauth error, so
// errors.Is(err, middleware.ErrNoSession) and errors.As work on it. The
// cookies of an invalid session are already cleared. Install
// [HTTPErrorHandler] to answer these as the Middleware's error handler does,
// or give [WithMiddlewareErrorHandler] to let it write them directly.
func Wrap(mw func(http.Handler) http.Handler, opts ...Option) echo.MiddlewareFunc {
	cfg := config{skipper: echomw.DefaultSkipper}
	for _, o := range opts {
		if o == nil {
			// As echo-jwt does with a bad configuration: the route is
			// being set up, and a silent default would hide the mistake.
			panic("b2becho: nil option")
		}
		o.apply(&cfg)
	}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if cfg.skipper(c) {
				return next(c)
			}
			withPathValues(c)
			var (
				err    error
				passed bool
				failed error
				answer http.Handler
			)
			r := c.Request()
			if !cfg.written {
				r = r.WithContext(middleware.DeferFailures(r.Context(), func(w http.ResponseWriter, r *http.Request, e error, a http.Handler) {
					if passed {
						// A b2bauth middleware further down, outside
						// this package's, refused: answer as it would,
						// through the writer it was given, so the
						// net/http wrappers around it see the answer.
						a.ServeHTTP(w, r)
						return
					}
					failed, answer = e, a
				}))
			}
			mw(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				passed = true
				c.SetRequest(r)
				if w != http.ResponseWriter(c.Response()) {
					// mw wrapped the writer (a recorder of its own): the
					// next handlers write through it, as with echo's
					// WrapMiddleware.
					c.SetResponse(echo.NewResponse(w, c.Echo()))
				}
				err = next(c)
			})).ServeHTTP(c.Response(), r)
			if failed != nil {
				code, status := middleware.Code(failed)
				he := &echo.HTTPError{Code: status, Message: code, Internal: failed}
				c.Set(failureKey, &failure{err: he, answer: answer})
				return he
			}
			return err
		}
	}
}

// HTTPErrorHandler returns an echo HTTPErrorHandler that answers the
// failures this package's middlewares return as their Middleware's error
// handler would (middleware.WithErrorHandler, default
// [middleware.Middleware.DefaultErrorHandler]), each with the error handler
// of the Middleware that refused (so a group made with
// middleware.Middleware.With keeps its own), and passes every other error
// to next (e.DefaultHTTPErrorHandler when nil):
//
//	e.HTTPErrorHandler = b2becho.HTTPErrorHandler(e.DefaultHTTPErrorHandler)
func HTTPErrorHandler(next echo.HTTPErrorHandler) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if f, ok := c.Get(failureKey).(*failure); ok && errors.Is(err, f.err) {
			if !c.Response().Committed {
				f.answer.ServeHTTP(c.Response(), c.Request())
			}
			return
		}
		if next == nil {
			c.Echo().DefaultHTTPErrorHandler(err, c)
			return
		}
		next(err, c)
	}
}

// withPathValues makes c's route parameters readable with
// c.Request().PathValue, on a copy of the request when one differs.
func withPathValues(c echo.Context) {
	names, values := c.ParamNames(), c.ParamValues()
	var r *http.Request
	for i, name := range names {
		if i >= len(values) || c.Request().PathValue(name) == values[i] {
			continue
		}
		if r == nil {
			r = c.Request().WithContext(c.Request().Context())
		}
		r.SetPathValue(name, values[i])
	}
	if r != nil {
		c.SetRequest(r)
	}
}

// OptionalSession is [middleware.Middleware.OptionalSession] for echo.
func OptionalSession(m *middleware.Middleware, opts ...Option) echo.MiddlewareFunc {
	return Wrap(m.OptionalSession, opts...)
}

// RequireSession is [middleware.Middleware.RequireSession] for echo.
func RequireSession(m *middleware.Middleware, opts ...Option) echo.MiddlewareFunc {
	return Wrap(m.RequireSession, opts...)
}

// RequirePermission is [middleware.Middleware.RequirePermission] for echo.
func RequirePermission(m *middleware.Middleware, resource, action string, opts ...Option) echo.MiddlewareFunc {
	return Wrap(m.RequirePermission(resource, action), opts...)
}

// RequireOrganizationPermission is [middleware.Middleware.RequirePermission]
// for echo, for a resource of the organization org reads from the request
// (see [middleware.InOrganization]): for a route /orgs/:org,
// r.PathValue("org").
func RequireOrganizationPermission(m *middleware.Middleware, org func(*http.Request) string, resource, action string, opts ...Option) echo.MiddlewareFunc {
	return Wrap(m.RequirePermission(resource, action, middleware.InOrganization(org)), opts...)
}

// RequireRole is [middleware.Middleware.RequireRole] for echo.
func RequireRole(m *middleware.Middleware, role string, opts ...Option) echo.MiddlewareFunc {
	return Wrap(m.RequireRole(role), opts...)
}

// RequireFreshFactor is [middleware.Middleware.RequireFreshFactor] for echo.
func RequireFreshFactor(m *middleware.Middleware, kind middleware.FactorKind, within time.Duration, opts ...Option) echo.MiddlewareFunc {
	return Wrap(m.RequireFreshFactor(kind, within), opts...)
}

// RequireScopes is [middleware.Middleware.RequireScopes] for echo. The
// scopes take the variadic place of the options: with options such as
// [WithSkipper], write Wrap(m.RequireScopes(scopes...), opts...).
func RequireScopes(m *middleware.Middleware, scopes ...string) echo.MiddlewareFunc {
	return Wrap(m.RequireScopes(scopes...))
}

// RequireSessionOrScopes is [middleware.Middleware.RequireSessionOrScopes]
// for echo; with options, write Wrap(m.RequireSessionOrScopes(scopes...),
// opts...).
func RequireSessionOrScopes(m *middleware.Middleware, scopes ...string) echo.MiddlewareFunc {
	return Wrap(m.RequireSessionOrScopes(scopes...))
}

// M2MClient returns the M2M client one of this package's middlewares
// attached to c's request context; it is
// middleware.M2MClientFrom(c.Request().Context()).
func M2MClient(c echo.Context) (*middleware.M2MClient, bool) {
	return middleware.M2MClientFrom(c.Request().Context())
}

// Session returns the session one of this package's middlewares attached to
// c's request context; it is middleware.SessionFrom(c.Request().Context()).
func Session(c echo.Context) (*middleware.Session, bool) {
	return middleware.SessionFrom(c.Request().Context())
}

// Mount serves h (for example the login flows' handler) for every method
// under prefix, such as "/auth".
func Mount(e *echo.Echo, prefix string, h http.Handler) {
	e.Any(prefix, echo.WrapHandler(h))
	e.Any(prefix+"/*", echo.WrapHandler(h))
}
