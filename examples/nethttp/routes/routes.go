// Package routes wires the demo app into net/http's ServeMux with the
// b2bhttp adapter.
package routes

import (
	"net/http"

	b2bhttp "github.com/b2bauth/b2bauth/adapters/nethttp"
	"github.com/b2bauth/b2bauth/examples/internal/demo"
	"github.com/b2bauth/b2bauth/middleware"
)

// New returns the app's handler: the login flows under demo.Prefix, the
// public home page, the dashboard for members, the admin page for members
// allowed to write reports, the settings page for members with a fresh
// second factor, the reports API for members and machines (read:reports),
// and the emulator outbox in emulator mode.
func New(app *demo.App) http.Handler {
	mw := app.Middleware
	mux := http.NewServeMux()
	b2bhttp.Mount(mux, demo.Prefix, app.Flows)
	mux.Handle("GET /{$}", b2bhttp.OptionalSession(mw)(app.Pages.Home))
	mux.Handle("GET "+demo.PathDashboard, b2bhttp.RequireSession(mw)(app.Pages.Dashboard))
	mux.Handle("GET "+demo.PathAdmin, b2bhttp.RequirePermission(mw, demo.AdminResource, demo.AdminAction)(app.Pages.Admin))
	mux.Handle("GET "+demo.PathSettings, b2bhttp.RequireFreshFactor(mw, middleware.MFAFactor, demo.SettingsFreshness)(app.Pages.Settings))
	mux.Handle("GET "+demo.PathHealth, mw.HealthHandler())
	mux.Handle("GET "+demo.PathReports, b2bhttp.RequireSessionOrScopes(mw, demo.ReportsScope)(http.HandlerFunc(demo.Reports)))
	if app.Pages.Outbox != nil {
		mux.Handle("GET "+demo.PathOutbox, app.Pages.Outbox)
	}
	return demo.SecurityHeaders(mux)
}
