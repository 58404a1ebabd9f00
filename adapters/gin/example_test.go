package b2bgin_test

import (
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/gin-gonic/gin"

	b2bgin "github.com/b2bauth/b2bauth/adapters/gin"
	"github.com/b2bauth/b2bauth/emulator"
	"github.com/b2bauth/b2bauth/middleware"
)

// Example protects a gin app: a cookie web group and a bearer-only JSON API
// group share one Middleware (one key set refresh), and the API's health
// check is skipped.
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

	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	show := func(c *gin.Context) {
		s, _ := b2bgin.Session(c)
		c.String(http.StatusOK, "organization "+s.OrganizationSlug)
	}
	r.Group("/app", b2bgin.RequireSession(m)).GET("/home", show)
	apiGroup := r.Group("/api", b2bgin.RequireSession(api,
		b2bgin.WithSkipper(func(c *gin.Context) bool { return c.Request.URL.Path == "/api/health" })))
	apiGroup.GET("/me", show)
	apiGroup.GET("/health", func(c *gin.Context) { c.String(http.StatusOK, "ok") })

	member, _ := emu.MemberID("acme", "bob@acme.test")
	_, jwt, err := emu.CreateSession(member)
	if err != nil {
		log.Fatal(err)
	}
	for _, tc := range []struct{ path, bearer string }{
		{"/app/home", ""}, {"/api/me", ""}, {"/api/me", jwt}, {"/api/health", ""},
	} {
		req := httptest.NewRequest(http.MethodGet, tc.path, nil)
		req.Header.Set("Accept", "text/html") // a browser
		if tc.bearer != "" {
			req.Header.Set("Authorization", "Bearer "+tc.bearer)
		}
		w := httptest.NewRecorder()
		r.ServeHTTP(w, req)
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
	// /api/health 200 ok
}
