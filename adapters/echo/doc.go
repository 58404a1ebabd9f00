// Package b2becho adapts b2bauth's session middleware to echo.
//
// Every function wraps the framework-neutral middleware of
// github.com/b2bauth/b2bauth/middleware: the decisions, status codes and
// cookies are the core's. A refused request is returned to echo's
// HTTPErrorHandler as an *echo.HTTPError whose Internal is the b2bauth error,
// as echo-jwt does (see [Wrap]); install [HTTPErrorHandler] to answer it as
// the core's error handler would, or give [WithMiddlewareErrorHandler] to let
// the core write the answer itself. The enriched request is written back with
// c.SetRequest, so the session lives on the request's context exactly as
// under net/http: read it with [Session], or with
// middleware.SessionFrom(c.Request().Context()). The session is not stored
// in echo's own key-value store (c.Set); only a refusal is, for
// [HTTPErrorHandler], under the key "b2bauth.failure".
//
//	e := echo.New()
//	e.HTTPErrorHandler = b2becho.HTTPErrorHandler(e.DefaultHTTPErrorHandler)
//	b2becho.Mount(e, "/auth", login) // the flows.Handler
//	e.GET("/dashboard", dashboard, b2becho.RequireSession(m))
package b2becho
