// Package b2bgin adapts b2bauth's session middleware to gin.
//
// Every function wraps the framework-neutral middleware of
// github.com/b2bauth/b2bauth/middleware: the decisions, status codes,
// cookies and bodies are the core's. The enriched request is written back to
// c.Request, so middleware.SessionFrom(c.Request.Context()) works in gin
// handlers exactly as under net/http; the session is also stored under
// [ContextKey] for c.Get.
package b2bgin
