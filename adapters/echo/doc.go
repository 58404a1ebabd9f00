// Package b2becho adapts b2bauth's session middleware to echo.
//
// Every function wraps the framework-neutral middleware of
// github.com/b2bauth/b2bauth/middleware: the decisions, status codes,
// cookies and bodies are the core's (a rejected request is answered by the
// core's error handler, so the middleware returns nil for it rather than an
// echo error). The enriched request is written back with c.SetRequest, so
// the session lives on the request's context exactly as under net/http: read
// it with [Session], or with middleware.SessionFrom(c.Request().Context()).
// Nothing is stored in echo's own key-value store (c.Set).
package b2becho
