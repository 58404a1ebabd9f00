package b2bgin_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
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

// tagKey is the context key of the value wrapped puts on the request.
type tagKey struct{}

// recorder is a writer wrapper of the kind compression, logging and
// http.TimeoutHandler put in a chain: it adds a header to the answer and
// records its status.
type recorder struct {
	http.ResponseWriter
	status int
}

func (w *recorder) WriteHeader(status int) {
	w.status = status
	w.Header().Set("X-Wrapped", "yes")
	w.ResponseWriter.WriteHeader(status)
}

// TestRefusalFurtherDownGoesThroughItsWrappers: a plain net/http b2bauth
// middleware further down a gin chain, behind a net/http wrapper of its
// own, answers its refusal through the writer and with the request it was
// given (gin defers no failure), so the wrapper's headers and logs still
// apply.
func TestRefusalFurtherDownGoesThroughItsWrappers(t *testing.T) {
	t.Parallel()
	env := middlewaretest.NewEnv(t)
	tagging, err := env.Middleware.With(middleware.WithErrorHandler(func(w http.ResponseWriter, r *http.Request, err error) {
		tag, _ := r.Context().Value(tagKey{}).(string)
		http.Error(w, "refused "+tag, http.StatusUnauthorized)
	}))
	if err != nil {
		t.Fatal(err)
	}
	secret := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "secret") })
	var seen int
	wrapped := func(inner http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			rec := &recorder{ResponseWriter: w}
			inner.ServeHTTP(rec, r.WithContext(context.WithValue(r.Context(), tagKey{}, "tagged")))
			seen = rec.status
		})
	}
	gin.SetMode(gin.ReleaseMode)
	g := gin.New()
	g.GET("/private", b2bgin.OptionalSession(env.Middleware), gin.WrapH(wrapped(tagging.RequireSession(secret))))
	g.GET("/timeout", b2bgin.OptionalSession(env.Middleware), gin.WrapH(http.TimeoutHandler(env.Middleware.RequireSession(secret), time.Hour, "timed out")))
	tests := []struct {
		name, path string
		check      func(t *testing.T, w *httptest.ResponseRecorder)
	}{
		{"a recorder in between sees the refusal and adds its header", "/private", func(t *testing.T, w *httptest.ResponseRecorder) {
			if seen != http.StatusUnauthorized || w.Header().Get("X-Wrapped") != "yes" {
				t.Errorf("the recorder saw %d, the answer has X-Wrapped %q; want 401 and yes", seen, w.Header().Get("X-Wrapped"))
			}
		}},
		{"the error handler is given the request the wrapper passed on", "/private", func(t *testing.T, w *httptest.ResponseRecorder) {
			if got := strings.TrimSpace(w.Body.String()); got != "refused tagged" {
				t.Errorf("body %q, want the error handler's %q", got, "refused tagged")
			}
		}},
		{"http.TimeoutHandler in between writes the refusal it buffered", "/timeout", func(t *testing.T, w *httptest.ResponseRecorder) {
			if strings.Count(w.Body.String(), `"session_missing"`) != 1 {
				t.Errorf("body %q, want the one 401 session_missing answer", w.Body)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, tt.path, nil)
			r.Header.Set("Accept", "application/json")
			w := httptest.NewRecorder()
			g.ServeHTTP(w, r)
			if w.Code != http.StatusUnauthorized || strings.Contains(w.Body.String(), "secret") {
				t.Fatalf("answered %d %q, want a 401 refusal", w.Code, w.Body)
			}
			tt.check(t, w)
		})
	}
}
