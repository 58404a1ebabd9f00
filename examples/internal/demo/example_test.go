package demo_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/b2bauth/b2bauth/examples/internal/demo"
)

func ExampleNew() {
	// No Stytch project configured: the app starts the seeded emulator.
	app, err := demo.New(context.Background(), demo.Config{
		Addr:   "localhost:8080",
		Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer app.Close()
	fmt.Println(app.Emulator != nil, app.Config.PublicURL, app.Flows.Prefix())

	// Wire it into a router; here net/http's.
	mux := http.NewServeMux()
	mux.Handle(demo.Prefix+"/", app.Flows)
	mux.Handle("GET "+demo.PathDashboard, app.Middleware.RequireSession(app.Pages.Dashboard))

	req := httptest.NewRequest(http.MethodGet, demo.PathDashboard, nil)
	req.Header.Set("Accept", "text/html")
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, req)
	fmt.Println(rec.Code, rec.Header().Get("Location"))
	// Output:
	// true http://localhost:8080 /auth
	// 303 /auth/login?return_to=%2Fdashboard
}

func ExampleConfigFromEnv() {
	env := map[string]string{
		"ADDR":                "0.0.0.0:9000",
		"B2BAUTH_COOKIE_KEYS": "0101010101010101010101010101010101010101010101010101010101010101:02020202020202020202020202020202",
	}
	cfg, err := demo.ConfigFromEnv(func(k string) string { return env[k] })
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(cfg.Addr, cfg.PublicURL, len(cfg.CookieKeys), cfg.ProjectID == "")

	_, err = demo.ConfigFromEnv(func(k string) string {
		if k == "STYTCH_PROJECT_ID" {
			return "project-test-123"
		}
		return ""
	})
	fmt.Println(err)
	// Output:
	// 0.0.0.0:9000 http://localhost:9000 1 true
	// demo: set both STYTCH_PROJECT_ID and STYTCH_SECRET, or neither to use the emulator
}

func ExampleSeed() {
	seed := demo.Seed()
	for _, o := range seed.Organizations {
		fmt.Println(o.Slug, o.MFAPolicy)
	}
	for _, m := range seed.Members {
		fmt.Println(m.Organization, m.Email, m.Roles)
	}
	// Output:
	// acme REQUIRED_FOR_ALL
	// globex OPTIONAL
	// initech REQUIRED_FOR_ALL
	// umbrella OPTIONAL
	// hooli OPTIONAL
	// acme alice@acme.test [stytch_admin]
	// acme bob@acme.test []
	// acme carol@acme.test [reports_editor]
	// acme dave@acme.test []
	// globex alice@acme.test []
	// globex gina@globex.test []
	// initech ivan@initech.test []
	// umbrella uma@umbrella.test []
}

func ExampleSecurityHeaders() {
	h := demo.SecurityHeaders(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	fmt.Println(rec.Header().Get("Content-Security-Policy"))
	fmt.Println(rec.Header().Get("X-Frame-Options"))
	// Output:
	// default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'
	// DENY
}

func ExampleApp_Banner() {
	app, err := demo.New(context.Background(), demo.Config{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer app.Close()
	// The emulator's port and project id are new on every start.
	fmt.Println(strings.NewReplacer(app.Emulator.URL(), "EMULATOR_URL", app.Emulator.ProjectID(), "PROJECT_ID").Replace(app.Banner()))
	// Output:
	// open http://localhost:8080, log in as alice@acme.test (or bob@acme.test, carol@acme.test, dave@acme.test, gina@globex.test); magic links and SMS codes are printed here and at http://localhost:8080/dev/outbox
	// machines get an access token for http://localhost:8080/api/reports with: curl -s -d grant_type=client_credentials -d client_id=m2m-client-test-reports-exporter -d client_secret=demo-reports-exporter-secret EMULATOR_URL/v1/public/PROJECT_ID/oauth2/token
}
