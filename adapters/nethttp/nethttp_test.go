package b2bhttp_test

import (
	"net/http"
	"testing"
	"time"

	b2bhttp "github.com/b2bauth/b2bauth/adapters/nethttp"
	"github.com/b2bauth/b2bauth/middleware"
	"github.com/b2bauth/b2bauth/middleware/middlewaretest"
)

func mount(m *middleware.Middleware) http.Handler {
	mux := http.NewServeMux()
	show := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, ok := b2bhttp.Session(r)
		if cl, isM2M := b2bhttp.M2MClient(r); isM2M {
			if ok {
				http.Error(w, "a session and an M2M client on one request", http.StatusInternalServerError)
				return
			}
			w.Write([]byte(middlewaretest.M2MBody(cl)))
			return
		}
		if !ok {
			w.Write([]byte(middlewaretest.AnonymousBody(middleware.FailureReason(r.Context()))))
			return
		}
		w.Write([]byte(middlewaretest.Body(s)))
	})
	mux.Handle("GET /me", b2bhttp.RequireSession(m)(show))
	mux.Handle("GET /optional", b2bhttp.OptionalSession(m)(show))
	mux.Handle("GET /admin", b2bhttp.RequirePermission(m, middlewaretest.Resource, middlewaretest.ActionWrite)(show))
	mux.Handle("GET /orgs/{org}/admin", b2bhttp.RequireOrganizationPermission(m, middlewaretest.OrgFromPath, middlewaretest.Resource, middlewaretest.ActionWrite)(show))
	mux.Handle("GET /role", b2bhttp.RequireRole(m, "stytch_admin")(show))
	mux.Handle("GET /fresh", b2bhttp.RequireFreshFactor(m, middleware.MFAFactor, 10*time.Minute)(show))
	mux.Handle("GET /api", b2bhttp.RequireScopes(m, middlewaretest.ScopeRead)(show))
	mux.Handle("GET /either", b2bhttp.RequireSessionOrScopes(m, middlewaretest.ScopeRead)(show))
	mux.Handle("GET /skipped", b2bhttp.RequireSession(m, b2bhttp.WithSkipper(func(*http.Request) bool { return true }))(show))
	return mux
}

func TestConformance(t *testing.T) {
	middlewaretest.RunConformance(t, mount)
}

func TestNilOptionsAreRefused(t *testing.T) {
	m := middlewaretest.NewEnv(t).Middleware
	for name, opt := range map[string]b2bhttp.Option{"a nil option": nil, "a nil skipper": b2bhttp.WithSkipper(nil)} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Fatal("Wrap did not refuse it")
				}
			}()
			b2bhttp.Wrap(m.RequireSession, opt)
		})
	}
}
