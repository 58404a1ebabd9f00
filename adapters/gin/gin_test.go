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
		fromCtx, inCtx := middleware.SessionFrom(c.Request.Context())
		if ok != inCtx || s != fromCtx {
			c.String(http.StatusInternalServerError, "Session and the request context disagree")
			return
		}
		if len(c.Keys) != 0 {
			// The session lives on the request context only.
			c.String(http.StatusInternalServerError, "adapter stored values in gin's context")
			return
		}
		cl, isM2M := b2bgin.M2MClient(c)
		if fromCtx, inCtx := middleware.M2MClientFrom(c.Request.Context()); isM2M != inCtx || cl != fromCtx || isM2M && ok {
			c.String(http.StatusInternalServerError, "M2MClient and the request context disagree, or a session beside it")
			return
		}
		if isM2M {
			c.String(http.StatusOK, middlewaretest.M2MBody(cl))
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
	r.GET("/orgs/:org/admin", b2bgin.RequireOrganizationPermission(m, middlewaretest.OrgFromPath, middlewaretest.Resource, middlewaretest.ActionWrite), show)
	r.GET("/role", b2bgin.RequireRole(m, "stytch_admin"), show)
	r.GET("/fresh", b2bgin.RequireFreshFactor(m, middleware.MFAFactor, 10*time.Minute), show)
	r.GET("/api", b2bgin.RequireScopes(m, middlewaretest.ScopeRead), show)
	r.GET("/either", b2bgin.RequireSessionOrScopes(m, middlewaretest.ScopeRead), show)
	r.GET("/skipped", b2bgin.RequireSession(m, b2bgin.WithSkipper(func(*gin.Context) bool { return true })), show)
	return r
}

func TestConformance(t *testing.T) {
	middlewaretest.RunConformance(t, mount)
}

func TestNilOptionsAreRefused(t *testing.T) {
	m := middlewaretest.NewEnv(t).Middleware
	for name, opt := range map[string]b2bgin.Option{"a nil option": nil, "a nil skipper": b2bgin.WithSkipper(nil)} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Fatal("RequireSession did not refuse it")
				}
			}()
			b2bgin.RequireSession(m, opt)
		})
	}
}
