// Package routes wires the demo app into an echo server with the b2becho
// adapter.
package routes

import (
	"net/http"

	"github.com/labstack/echo/v4"
	echomw "github.com/labstack/echo/v4/middleware"

	b2becho "github.com/b2bauth/b2bauth/adapters/echo"
	"github.com/b2bauth/b2bauth/examples/internal/demo"
	"github.com/b2bauth/b2bauth/middleware"
)

// New returns the app's echo server: the login flows under demo.Prefix, the
// public home page, the dashboard for members, the admin page for members
// allowed to write reports, the settings page for members with a fresh
// second factor, the reports API for members and machines (read:reports),
// and the emulator outbox in emulator mode.
func New(app *demo.App) http.Handler {
	mw := app.Middleware
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	// b2bauth's refusals reach echo's error handler; this one answers them
	// as the middleware does (redirects to the login page, JSON bodies).
	e.HTTPErrorHandler = b2becho.HTTPErrorHandler(e.DefaultHTTPErrorHandler)
	e.Use(echomw.Recover(), echo.WrapMiddleware(demo.SecurityHeaders))
	b2becho.Mount(e, demo.Prefix, app.Flows)
	e.GET(demo.PathHome, echo.WrapHandler(app.Pages.Home), b2becho.OptionalSession(mw))
	e.GET(demo.PathDashboard, echo.WrapHandler(app.Pages.Dashboard), b2becho.RequireSession(mw))
	e.GET(demo.PathAdmin, echo.WrapHandler(app.Pages.Admin), b2becho.RequirePermission(mw, demo.AdminResource, demo.AdminAction))
	e.GET(demo.PathHealth, echo.WrapHandler(mw.HealthHandler()))
	e.GET(demo.PathReports, echo.WrapHandler(http.HandlerFunc(demo.Reports)), b2becho.RequireSessionOrScopes(mw, demo.ReportsScope))
	e.GET(demo.PathSettings, echo.WrapHandler(app.Pages.Settings), b2becho.RequireFreshFactor(mw, middleware.MFAFactor, demo.SettingsFreshness))
	if app.Pages.Outbox != nil {
		e.GET(demo.PathOutbox, echo.WrapHandler(app.Pages.Outbox))
	}
	return e
}
