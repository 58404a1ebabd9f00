package b2becho_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/gommon/log"

	b2becho "github.com/b2bauth/b2bauth/adapters/echo"
	"github.com/b2bauth/b2bauth/middleware"
	"github.com/b2bauth/b2bauth/middleware/middlewaretest"
)

// mount builds the conformance routes; the failures reach echo's
// HTTPErrorHandler, which b2becho.HTTPErrorHandler answers.
func mount(m *middleware.Middleware) http.Handler {
	e := routes(m)
	e.HTTPErrorHandler = b2becho.HTTPErrorHandler(e.DefaultHTTPErrorHandler)
	return e
}

// mountWritten builds them with the Middleware writing the answers.
func mountWritten(m *middleware.Middleware) http.Handler {
	return routes(m, b2becho.WithMiddlewareErrorHandler())
}

func routes(m *middleware.Middleware, opts ...b2becho.Option) *echo.Echo {
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
	e.GET("/me", show, b2becho.RequireSession(m, opts...))
	e.GET("/optional", show, b2becho.OptionalSession(m, opts...))
	e.GET("/admin", show, b2becho.RequirePermission(m, middlewaretest.Resource, middlewaretest.ActionWrite, opts...))
	e.GET("/orgs/:org/admin", show, b2becho.RequireOrganizationPermission(m, middlewaretest.OrgFromPath, middlewaretest.Resource, middlewaretest.ActionWrite, opts...))
	e.GET("/role", show, b2becho.RequireRole(m, "stytch_admin", opts...))
	e.GET("/fresh", show, b2becho.RequireFreshFactor(m, middleware.MFAFactor, 10*time.Minute, opts...))
	e.GET("/api", show, b2becho.Wrap(m.RequireScopes(middlewaretest.ScopeRead), opts...))
	e.GET("/either", show, b2becho.Wrap(m.RequireSessionOrScopes(middlewaretest.ScopeRead), opts...))
	e.GET("/skipped", show, b2becho.RequireSession(m, append(opts, b2becho.WithSkipper(func(echo.Context) bool { return true }))...))
	return e
}

func TestConformance(t *testing.T) {
	t.Run("with failures answered by echo's HTTPErrorHandler", func(t *testing.T) {
		middlewaretest.RunConformance(t, mount)
	})
	t.Run("with failures written by the middleware", func(t *testing.T) {
		middlewaretest.RunConformance(t, mountWritten)
	})
}

// TestFailuresReachEchosErrorHandler: as with echo-jwt, a refusal is an
// *echo.HTTPError carrying the b2bauth error, which errors.Is matches, and
// echo's own handler answers it unless the app installs HTTPErrorHandler.
func TestFailuresReachEchosErrorHandler(t *testing.T) {
	t.Parallel()
	env := middlewaretest.NewEnv(t)
	tests := []struct {
		name       string
		mw         echo.MiddlewareFunc
		wantStatus int
		wantCode   string
		wantIs     error
	}{
		{"a missing session is a 401 matching ErrNoSession", b2becho.RequireSession(env.Middleware), 401, "session_missing", middleware.ErrNoSession},
		{"a missing access token is a 401 matching ErrM2MTokenMissing", b2becho.RequireScopes(env.Middleware, middlewaretest.ScopeRead), 401, "access_token_missing", middleware.ErrM2MTokenMissing},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := echo.New()
			var got error
			e.HTTPErrorHandler = func(err error, c echo.Context) {
				got = err
				e.DefaultHTTPErrorHandler(err, c)
			}
			e.GET("/private", func(c echo.Context) error { return c.String(http.StatusOK, "secret") }, tt.mw)
			r := httptest.NewRequest(http.MethodGet, "/private", nil)
			w := httptest.NewRecorder()
			e.ServeHTTP(w, r)

			var he *echo.HTTPError
			if !errors.As(got, &he) || he.Code != tt.wantStatus || he.Message != tt.wantCode {
				t.Fatalf("error = %#v, want an *echo.HTTPError %d %q", got, tt.wantStatus, tt.wantCode)
			}
			if !errors.Is(got, tt.wantIs) || !errors.Is(he.Internal, tt.wantIs) {
				t.Errorf("errors.Is(%v, %v) = false", got, tt.wantIs)
			}
			if w.Code != tt.wantStatus || w.Body.String() != `{"message":"`+tt.wantCode+`"}`+"\n" {
				t.Errorf("echo answered %d %q", w.Code, w.Body)
			}
		})
	}
}

// TestHTTPErrorHandlerPassesOtherErrors: the app's own errors reach the next
// handler unchanged.
func TestHTTPErrorHandlerPassesOtherErrors(t *testing.T) {
	t.Parallel()
	e := echo.New()
	e.HTTPErrorHandler = b2becho.HTTPErrorHandler(func(err error, c echo.Context) {
		c.String(http.StatusTeapot, "app: "+err.Error())
	})
	e.GET("/boom", func(c echo.Context) error { return errors.New("boom") })
	w := httptest.NewRecorder()
	e.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/boom", nil))
	if w.Code != http.StatusTeapot || w.Body.String() != "app: boom" {
		t.Errorf("%d %q, want the app's 418", w.Code, w.Body)
	}
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

func TestNilOptionsAreRefused(t *testing.T) {
	m := middlewaretest.NewEnv(t).Middleware
	for name, opt := range map[string]b2becho.Option{"a nil option": nil, "a nil skipper": b2becho.WithSkipper(nil)} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Fatal("RequireSession did not refuse it")
				}
			}()
			b2becho.RequireSession(m, opt)
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

// wrapped puts mw behind a recorder and a request carrying a tag, and
// reports the status the recorder saw to seen.
func wrapped(mw func(http.Handler) http.Handler, seen *int) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		inner := mw(next)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			rec := &recorder{ResponseWriter: w}
			inner.ServeHTTP(rec, r.WithContext(context.WithValue(r.Context(), tagKey{}, "tagged")))
			*seen = rec.status
		})
	}
}

// TestRefusalFurtherDownGoesThroughItsWrappers: a plain net/http b2bauth
// middleware further down an echo chain, behind net/http wrappers of its
// own, answers its refusal through the writer and with the request it was
// given, so the wrappers' headers, logs and timeouts still apply.
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
	ok := func(c echo.Context) error { return c.String(http.StatusOK, "secret") }
	tests := []struct {
		name  string
		chain func(e *echo.Echo, seen *int)
		check func(t *testing.T, w *httptest.ResponseRecorder, seen int)
	}{
		{
			name: "a recorder in between sees the refusal and adds its header",
			chain: func(e *echo.Echo, seen *int) {
				e.GET("/private", ok, b2becho.OptionalSession(env.Middleware), echo.WrapMiddleware(wrapped(env.Middleware.RequireSession, seen)))
			},
			check: func(t *testing.T, w *httptest.ResponseRecorder, seen int) {
				if seen != http.StatusUnauthorized || w.Header().Get("X-Wrapped") != "yes" {
					t.Errorf("the recorder saw %d, the answer has X-Wrapped %q; want 401 and yes", seen, w.Header().Get("X-Wrapped"))
				}
			},
		},
		{
			name: "the error handler is given the request the wrapper passed on",
			chain: func(e *echo.Echo, seen *int) {
				e.GET("/private", ok, b2becho.OptionalSession(env.Middleware), echo.WrapMiddleware(wrapped(tagging.RequireSession, seen)))
			},
			check: func(t *testing.T, w *httptest.ResponseRecorder, _ int) {
				if got := strings.TrimSpace(w.Body.String()); got != "refused tagged" {
					t.Errorf("body %q, want the error handler's %q", got, "refused tagged")
				}
			},
		},
		{
			name: "http.TimeoutHandler in between writes the refusal it buffered",
			chain: func(e *echo.Echo, _ *int) {
				timeout := func(next http.Handler) http.Handler {
					return http.TimeoutHandler(env.Middleware.RequireSession(next), time.Hour, "timed out")
				}
				e.GET("/private", ok, b2becho.OptionalSession(env.Middleware), echo.WrapMiddleware(timeout))
			},
			check: func(t *testing.T, w *httptest.ResponseRecorder, _ int) {
				if strings.Count(w.Body.String(), `"session_missing"`) != 1 {
					t.Errorf("body %q, want the one 401 session_missing answer", w.Body)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := echo.New()
			e.HTTPErrorHandler = b2becho.HTTPErrorHandler(e.DefaultHTTPErrorHandler)
			var logged bytes.Buffer
			e.Logger.SetOutput(&logged)
			e.Logger.SetLevel(log.WARN)
			var seen int
			tt.chain(e, &seen)
			r := httptest.NewRequest(http.MethodGet, "/private", nil)
			r.Header.Set("Accept", "application/json")
			w := httptest.NewRecorder()
			e.ServeHTTP(w, r)
			if w.Code != http.StatusUnauthorized || strings.Contains(w.Body.String(), "secret") {
				t.Fatalf("answered %d %q, want a 401 refusal", w.Code, w.Body)
			}
			if strings.Contains(logged.String(), "already committed") {
				// The refusal went around a wrapper, which then
				// answered a second time.
				t.Errorf("echo logged %q", logged.String())
			}
			tt.check(t, w, seen)
		})
	}
}

// TestWrapKeepsTheWriterItIsPassed: a net/http middleware given to Wrap
// that wraps the writer (a status recorder for an access log, a header of
// its own) sees what the echo handlers after it write, as with echo's
// WrapMiddleware.
func TestWrapKeepsTheWriterItIsPassed(t *testing.T) {
	t.Parallel()
	env := middlewaretest.NewEnv(t)
	tests := []struct {
		name string
		mw   func(http.Handler) http.Handler
	}{
		{"an application's own middleware", func(next http.Handler) http.Handler { return next }},
		{"a core middleware", env.Middleware.OptionalSession},
	}
	for _, tt := range tests {
		t.Run(tt.name+" behind a recorder sees the handler's answer", func(t *testing.T) {
			t.Parallel()
			var seen int
			e := echo.New()
			e.GET("/", func(c echo.Context) error { return c.String(http.StatusAccepted, "ok") }, b2becho.Wrap(wrapped(tt.mw, &seen)))
			w := httptest.NewRecorder()
			e.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
			if w.Code != http.StatusAccepted || w.Body.String() != "ok" {
				t.Fatalf("answered %d %q, want 202 ok", w.Code, w.Body)
			}
			if seen != http.StatusAccepted || w.Header().Get("X-Wrapped") != "yes" {
				t.Errorf("the recorder saw %d, the answer has X-Wrapped %q; want 202 and yes", seen, w.Header().Get("X-Wrapped"))
			}
		})
	}
}
