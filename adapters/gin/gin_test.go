package b2bgin_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	b2bgin "github.com/b2bauth/b2bauth/adapters/gin"
	"github.com/b2bauth/b2bauth/middleware"
	"github.com/b2bauth/b2bauth/middleware/middlewaretest"
)

func mount(m *middleware.Middleware) http.Handler {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	show := func(c *gin.Context) {
		s, ok := b2bgin.Session(c)
		v, inGin := c.Get(b2bgin.ContextKey)
		if ok != inGin || (inGin && v.(*middleware.Session) != s) {
			c.String(http.StatusInternalServerError, "gin context and request context disagree")
			return
		}
		if !ok {
			c.String(http.StatusOK, middlewaretest.AnonymousBody(middleware.FailureReason(c.Request.Context())))
			return
		}
		c.String(http.StatusOK, middlewaretest.Body(s))
	}
	r.GET("/me", b2bgin.RequireSession(m), show)
	r.GET("/optional", b2bgin.OptionalSession(m), show)
	r.GET("/admin", b2bgin.RequirePermission(m, middlewaretest.Resource, middlewaretest.ActionWrite), show)
	r.GET("/role", b2bgin.RequireRole(m, "stytch_admin"), show)
	r.GET("/fresh", b2bgin.RequireFreshFactor(m, middleware.MFAFactor, 10*time.Minute), show)
	return r
}

func TestConformance(t *testing.T) {
	middlewaretest.RunConformance(t, mount)
}
