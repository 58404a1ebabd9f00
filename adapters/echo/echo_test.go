package b2becho_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	b2becho "github.com/b2bauth/b2bauth/adapters/echo"
	"github.com/b2bauth/b2bauth/middleware"
	"github.com/b2bauth/b2bauth/middleware/middlewaretest"
)

func mount(m *middleware.Middleware) http.Handler {
	e := echo.New()
	show := func(c echo.Context) error {
		s, ok := b2becho.Session(c)
		fromCtx, inCtx := middleware.SessionFrom(c.Request().Context())
		if ok != inCtx || s != fromCtx {
			return c.String(http.StatusInternalServerError, "Session and the request context disagree")
		}
		cl, isM2M := b2becho.M2MClient(c)
		if fromCtx, inCtx := middleware.M2MClientFrom(c.Request().Context()); isM2M != inCtx || cl != fromCtx || isM2M && ok {
			return c.String(http.StatusInternalServerError, "M2MClient and the request context disagree, or a session beside it")
		}
		if isM2M {
			return c.String(http.StatusOK, middlewaretest.M2MBody(cl))
		}
		if !ok {
			return c.String(http.StatusOK, middlewaretest.AnonymousBody(middleware.FailureReason(c.Request().Context())))
		}
		return c.String(http.StatusOK, middlewaretest.Body(s))
	}
	e.GET("/me", show, b2becho.RequireSession(m))
	e.GET("/optional", show, b2becho.OptionalSession(m))
	e.GET("/admin", show, b2becho.RequirePermission(m, middlewaretest.Resource, middlewaretest.ActionWrite))
	e.GET("/orgs/:org/admin", show, b2becho.RequireOrganizationPermission(m, middlewaretest.OrgFromPath, middlewaretest.Resource, middlewaretest.ActionWrite))
	e.GET("/role", show, b2becho.RequireRole(m, "stytch_admin"))
	e.GET("/fresh", show, b2becho.RequireFreshFactor(m, middleware.MFAFactor, 10*time.Minute))
	e.GET("/api", show, b2becho.RequireScopes(m, middlewaretest.ScopeRead))
	e.GET("/either", show, b2becho.RequireSessionOrScopes(m, middlewaretest.ScopeRead))
	return e
}

func TestConformance(t *testing.T) {
	middlewaretest.RunConformance(t, mount)
}

func TestSkipperBypasses(t *testing.T) {
	e := echo.New()
	m := middlewaretest.NewEnv(t).Middleware
	skip := b2becho.WithSkipper(func(c echo.Context) bool { return c.Request().URL.Path == "/health" })
	e.Use(b2becho.RequireSession(m, skip))
	e.GET("/health", func(c echo.Context) error { return c.String(http.StatusOK, "ok") })
	e.GET("/private", func(c echo.Context) error { return c.String(http.StatusOK, "secret") })
	for _, tc := range []struct {
		path   string
		status int
	}{{"/health", 200}, {"/private", 401}} {
		w := httptestRecorder(e, tc.path)
		if w != tc.status {
			t.Errorf("%s: status %d, want %d", tc.path, w, tc.status)
		}
	}
}

func httptestRecorder(h http.Handler, path string) int {
	r := httptest.NewRequest(http.MethodGet, path, nil)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w.Code
}

func TestNilOptionsKeepTheDefaults(t *testing.T) {
	e := echo.New()
	m := middlewaretest.NewEnv(t).Middleware
	e.Use(b2becho.RequireSession(m, nil, b2becho.WithSkipper(nil)))
	e.GET("/private", func(c echo.Context) error { return c.String(http.StatusOK, "secret") })
	if got := httptestRecorder(e, "/private"); got != http.StatusUnauthorized {
		t.Fatalf("status %d, want 401", got)
	}
}
