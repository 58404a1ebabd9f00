package demo_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/b2bauth/b2bauth/examples/internal/demo"
	"github.com/b2bauth/b2bauth/middleware"
)

func TestNewMiddlewareOptions(t *testing.T) {
	t.Parallel()
	t.Run("override the app's own middleware options", func(t *testing.T) {
		t.Parallel()
		app, err := demo.New(t.Context(), demo.Config{
			Logger:            slog.New(slog.DiscardHandler),
			MiddlewareOptions: []middleware.Option{middleware.WithJSONOnly()},
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(app.Close)
		req := httptest.NewRequest(http.MethodGet, demo.PathDashboard, nil)
		req.Header.Set("Accept", "text/html")
		rec := httptest.NewRecorder()
		app.Middleware.RequireSession(app.Pages.Dashboard).ServeHTTP(rec, req)
		if rec.Code != http.StatusUnauthorized || !strings.HasPrefix(rec.Body.String(), `{"error":`) {
			t.Errorf("status %d, body %q; want a JSON 401 instead of the redirect to the login page", rec.Code, rec.Body)
		}
	})
	t.Run("make New fail when the login URL is not the flows'", func(t *testing.T) {
		t.Parallel()
		app, err := demo.New(t.Context(), demo.Config{
			Logger:            slog.New(slog.DiscardHandler),
			MiddlewareOptions: []middleware.Option{middleware.WithLoginURL("/elsewhere/login")},
		})
		if err == nil {
			app.Close()
			t.Fatal("New accepted a login URL the flows do not serve")
		}
	})
	t.Run("make New fail when one is invalid", func(t *testing.T) {
		t.Parallel()
		app, err := demo.New(t.Context(), demo.Config{
			Logger:            slog.New(slog.DiscardHandler),
			MiddlewareOptions: []middleware.Option{middleware.WithCacheSize(-1)},
		})
		if err == nil {
			app.Close()
			t.Fatal("New accepted a negative cache size")
		}
	})
}

// TestNewChecksTheCredentialsAndIsReady: New asks Stytch about the project
// credentials at start (one RBAC policy read), and the app it returns
// reports ready at its health path.
func TestNewChecksTheCredentialsAndIsReady(t *testing.T) {
	t.Parallel()
	app, err := demo.New(t.Context(), demo.Config{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(app.Close)
	if n := app.Emulator.Calls(http.MethodGet, "/v1/b2b/rbac/policy"); n < 1 {
		t.Errorf("%d credential checks at start, want at least 1", n)
	}
	rec := httptest.NewRecorder()
	app.Middleware.HealthHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, demo.PathHealth, nil))
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"ready":true`) {
		t.Errorf("health = %d %s, want 200 and ready", rec.Code, rec.Body.String())
	}
}
