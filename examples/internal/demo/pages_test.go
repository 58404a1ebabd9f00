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

// TestOutboxAnswersOnlyTheAppsOwnHost: the outbox lists every sign-in link
// and code, and a loopback listener does not keep other sites from it: a
// page whose host name an attacker rebinds to 127.0.0.1 reaches the app
// with its own name in Host. Only the public URL's host and loopback names
// are served.
func TestOutboxAnswersOnlyTheAppsOwnHost(t *testing.T) {
	t.Parallel()
	app, err := demo.New(t.Context(), demo.Config{Logger: slog.New(slog.DiscardHandler), PublicURL: "http://demo.example:8080"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(app.Close)
	tests := []struct {
		name, host string
		want       int
	}{
		{"the public URL's host is served", "demo.example:8080", http.StatusOK},
		{"localhost is served", "localhost:8080", http.StatusOK},
		{"a loopback address is served", "127.0.0.1:8080", http.StatusOK},
		{"an IPv6 loopback address is served", "[::1]:8080", http.StatusOK},
		{"a rebound host name is refused", "evil.example:8080", http.StatusMisdirectedRequest},
		{"a host name under localhost's is refused", "localhost.evil.example:8080", http.StatusMisdirectedRequest},
		{"a request without a host is refused", "", http.StatusMisdirectedRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req := httptest.NewRequest(http.MethodGet, demo.PathOutbox, nil)
			req.Host = tt.host
			rec := httptest.NewRecorder()
			app.Pages.Outbox.ServeHTTP(rec, req)
			if rec.Code != tt.want {
				t.Fatalf("outbox for Host %q = %d, want %d:\n%.300s", tt.host, rec.Code, tt.want, rec.Body.String())
			}
			if served := strings.Contains(rec.Body.String(), "<h1>Outbox</h1>"); served != (tt.want == http.StatusOK) {
				t.Errorf("outbox shown = %v for Host %q", served, tt.host)
			}
		})
	}
}
