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

// TestNavigationShowsWhatTheMemberMayUse: the Admin link is shown only to
// members whose roles grant the admin page's permission, and the dashboard
// names the member and the organization.
func TestNavigationShowsWhatTheMemberMayUse(t *testing.T) {
	t.Parallel()
	app, err := demo.New(t.Context(), demo.Config{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(app.Close)
	orgID, _ := app.Emulator.OrganizationID(demo.AcmeSlug)
	for _, tt := range []struct {
		name, email string
		admin       bool
	}{
		{"an admin sees the Admin link", demo.AliceEmail, true},
		{"a plain member does not", demo.BobEmail, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			memberID, _ := app.Emulator.MemberID(orgID, tt.email)
			token, jwt, err := app.Emulator.CreateSession(memberID)
			if err != nil {
				t.Fatal(err)
			}
			req := httptest.NewRequest(http.MethodGet, demo.PathDashboard, nil)
			req.Header.Set("Accept", "text/html")
			req.AddCookie(&http.Cookie{Name: middleware.DefaultSessionCookie, Value: token})
			req.AddCookie(&http.Cookie{Name: middleware.DefaultJWTCookie, Value: jwt})
			rec := httptest.NewRecorder()
			app.Middleware.RequireSession(app.Pages.Dashboard).ServeHTTP(rec, req)
			body := rec.Body.String()
			if rec.Code != http.StatusOK {
				t.Fatalf("dashboard = %d: %s", rec.Code, body)
			}
			if got := strings.Contains(body, `id="admin-link"`); got != tt.admin {
				t.Errorf("Admin link shown = %v, want %v", got, tt.admin)
			}
			for _, want := range []string{`<span id="email">` + tt.email + `</span>`, `<span id="organization-slug">` + demo.AcmeSlug + `</span>`, memberID} {
				if !strings.Contains(body, want) {
					t.Errorf("dashboard lacks %q", want)
				}
			}
		})
	}
}

// TestPageTitlesNameThePageThenTheProduct: each page's title names the page,
// then the product once, as the login pages' titles do.
func TestPageTitlesNameThePageThenTheProduct(t *testing.T) {
	t.Parallel()
	app, err := demo.New(t.Context(), demo.Config{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(app.Close)
	tests := []struct {
		name  string
		page  http.Handler
		title string
	}{
		{"the home page is titled Home", app.Middleware.OptionalSession(app.Pages.Home), "<title>Home · b2bauth demo</title>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			tt.page.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, demo.PathHome, nil))
			if body := rec.Body.String(); !strings.Contains(body, tt.title) {
				t.Errorf("page lacks %q:\n%.300s", tt.title, body)
			}
		})
	}
}
