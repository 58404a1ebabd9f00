package b2becho_test

import (
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/labstack/echo/v4"

	b2becho "github.com/b2bauth/b2bauth/adapters/echo"
	"github.com/b2bauth/b2bauth/client"
	"github.com/b2bauth/b2bauth/emulator"
	"github.com/b2bauth/b2bauth/middleware"
)

func Example() {
	emu, err := emulator.New(emulator.WithSeed(emulator.Seed{
		Organizations: []emulator.OrganizationSeed{{Name: "Acme", Slug: "acme"}},
		Members:       []emulator.MemberSeed{{Organization: "acme", Email: "ada@acme.test"}},
	}))
	if err != nil {
		log.Fatal(err)
	}
	defer emu.Close()
	c, err := client.New(emu.ProjectID(), emu.Secret(), client.WithBaseURL(emu.URL()))
	if err != nil {
		log.Fatal(err)
	}
	m, err := middleware.New(c)
	if err != nil {
		log.Fatal(err)
	}
	defer m.Close()

	e := echo.New()
	e.GET("/me", func(c echo.Context) error {
		s, _ := b2becho.Session(c)
		return c.String(http.StatusOK, "organization "+s.OrganizationSlug)
	}, b2becho.RequireSession(m))
	e.GET("/admin", func(c echo.Context) error {
		return c.String(http.StatusOK, "welcome")
	}, b2becho.RequireRole(m, "stytch_admin"))

	member, _ := emu.MemberID("acme", "ada@acme.test")
	_, jwt, err := emu.CreateSession(member)
	if err != nil {
		log.Fatal(err)
	}
	for _, path := range []string{"/me", "/admin"} {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.Header.Set("Authorization", "Bearer "+jwt)
		w := httptest.NewRecorder()
		e.ServeHTTP(w, req)
		fmt.Println(path, w.Code, w.Body.String())
	}
	// Output:
	// /me 200 organization acme
	// /admin 403 {"error":{"code":"role_required","message":"role required"}}
}
