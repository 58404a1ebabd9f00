// Package routes wires the demo app into a gin engine with the b2bgin
// adapter.
package routes

import (
	"net/http"

	"github.com/gin-gonic/gin"

	b2bgin "github.com/b2bauth/b2bauth/adapters/gin"
	"github.com/b2bauth/b2bauth/examples/internal/demo"
	"github.com/b2bauth/b2bauth/middleware"
)

// New returns the app's gin engine: the login flows under demo.Prefix, the
// public home page, the dashboard for members, the admin page for members
// allowed to write reports, the settings page for members with a fresh
// second factor, the reports API for members and machines (read:reports),
// and the emulator outbox in emulator mode.
func New(app *demo.App) http.Handler {
	mw := app.Middleware
	r := gin.New()
	r.Use(gin.Recovery(), securityHeaders)
	b2bgin.Mount(r, demo.Prefix, app.Flows)
	r.GET(demo.PathHome, b2bgin.OptionalSession(mw), gin.WrapF(app.Pages.Home))
	r.GET(demo.PathDashboard, b2bgin.RequireSession(mw), gin.WrapF(app.Pages.Dashboard))
	r.GET(demo.PathAdmin, b2bgin.RequirePermission(mw, demo.AdminResource, demo.AdminAction), gin.WrapF(app.Pages.Admin))
	r.GET(demo.PathHealth, gin.WrapH(mw.HealthHandler()))
	r.GET(demo.PathReports, b2bgin.RequireSessionOrScopes(mw, demo.ReportsScope), gin.WrapF(demo.Reports))
	r.GET(demo.PathSettings, b2bgin.RequireFreshFactor(mw, middleware.MFAFactor, demo.SettingsFreshness), gin.WrapF(app.Pages.Settings))
	if app.Pages.Outbox != nil {
		r.GET(demo.PathOutbox, gin.WrapF(app.Pages.Outbox))
	}
	return r
}

func securityHeaders(c *gin.Context) {
	demo.SetSecurityHeaders(c.Writer.Header())
	c.Next()
}
