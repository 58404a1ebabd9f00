// Package b2bgin adapts b2bauth's session middleware to gin.
//
// Every function wraps the framework-neutral middleware of
// github.com/b2bauth/b2bauth/middleware: the decisions, status codes,
// cookies and bodies are the core's. The enriched request is written back to
// c.Request, so the session lives on the request's context exactly as under
// net/http: read it with [Session], or with
// middleware.SessionFrom(c.Request.Context()). Nothing is stored in gin's
// own key-value store (c.Set).
//
//	r := gin.New()
//	b2bgin.Mount(r, "/auth", login) // the flows.Handler
//	r.GET("/dashboard", b2bgin.RequireSession(m), dashboard)
//	r.GET("/admin", b2bgin.RequirePermission(m, "reports", "write"), admin)
package b2bgin
