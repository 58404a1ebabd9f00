package b2becho_test

import (
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/labstack/echo/v4"

	b2becho "github.com/b2bauth/b2bauth/adapters/echo"
	"github.com/b2bauth/b2bauth/emulator"
	"github.com/b2bauth/b2bauth/middleware"
)

// Example protects an echo app: a cookie web group and a bearer-only JSON
// API group share one Middleware (one key set refresh), and refusals reach
// echo's HTTPErrorHandler, which answers them as the Middleware does.
func Example() {
	emu, err := emulator.New(emulator.WithSeed(emulator.Seed{
		Organizations: []emulator.OrganizationSeed{{Name: "Acme", Slug: "acme"}},
		Members:       []emulator.MemberSeed{{Organization: "acme", Email: "bob@acme.test"}},
	}))
	if err != nil {
		log.Fatal(err)
	}
	defer emu.Close()
	c, err := emu.Client()
	if err != nil {
		log.Fatal(err)
	}
	m, err := middleware.New(c, middleware.WithLoginURL("/auth/login"))
	if err != nil {
		log.Fatal(err)
	}
	defer m.Close() // also ends the key set of the groups derived from m
	api, err := m.With(
		middleware.WithJWTSources(middleware.TokenFromHeader),
		middleware.WithSessionTokenSources(),
		middleware.WithJSONOnly())
	if err != nil {
		log.Fatal(err)
	}

	e := echo.New()
	e.HTTPErrorHandler = b2becho.HTTPErrorHandler(e.DefaultHTTPErrorHandler)
	show := func(c echo.Context) error {
		s, _ := b2becho.Session(c)
		return c.String(http.StatusOK, "organization "+s.OrganizationSlug)
	}
	e.Group("/app", b2becho.RequireSession(m)).GET("/home", show)
	e.Group("/api", b2becho.RequireSession(api)).GET("/me", show)

	member, _ := emu.MemberID("acme", "bob@acme.test")
	_, jwt, err := emu.CreateSession(member)
	if err != nil {
		log.Fatal(err)
	}
	for _, tc := range []struct{ path, bearer string }{
		{"/app/home", ""}, {"/api/me", ""}, {"/api/me", jwt},
	} {
		r := httptest.NewRequest(http.MethodGet, tc.path, nil)
		r.Header.Set("Accept", "text/html") // a browser
		if tc.bearer != "" {
			r.Header.Set("Authorization", "Bearer "+tc.bearer)
		}
		w := httptest.NewRecorder()
		e.ServeHTTP(w, r)
		answer := strings.TrimSpace(w.Body.String())
		if loc := w.Header().Get("Location"); loc != "" {
			answer = loc
		}
		fmt.Println(tc.path, w.Code, answer)
	}
	// Output:
	// /app/home 303 /auth/login?return_to=%2Fapp%2Fhome
	// /api/me 401 {"error":{"code":"session_missing","message":"no session"}}
	// /api/me 200 organization acme
}
