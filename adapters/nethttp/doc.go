// Package b2bhttp adapts b2bauth's session middleware to plain net/http
// routers such as http.ServeMux and chi, with the same functions as the gin
// and echo adapters. The core middleware is already net/http-shaped; this
// package only names its pieces the way the other adapters do, and adds
// their skipper option.
//
//	mux := http.NewServeMux()
//	b2bhttp.Mount(mux, "/auth", login) // the flows.Handler
//	mux.Handle("GET /dashboard", b2bhttp.RequireSession(m)(dashboard))
//	mux.Handle("GET /admin", b2bhttp.RequirePermission(m, "reports", "write")(admin))
package b2bhttp
