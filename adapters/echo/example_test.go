package b2becho_test

import (
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	b2becho "github.com/b2bauth/b2bauth/adapters/echo"
)

func Example() {
	emu, m := exampleWorld()
	defer emu.Close()
	defer m.Close()

	e := echo.New()
	e.GET("/me", func(c echo.Context) error {
		s, _ := b2becho.Session(c)
		return c.String(http.StatusOK, "organization "+s.OrganizationSlug)
	}, b2becho.RequireSession(m))
	e.GET("/admin", func(c echo.Context) error {
		return c.String(http.StatusOK, "welcome")
	}, b2becho.RequireRole(m, "stytch_admin"))

	// bob@acme.test is a plain member, without the stytch_admin role.
	jwt := exampleLogin(emu, "acme", "bob@acme.test")
	for _, path := range []string{"/me", "/admin"} {
		code, body := exampleGet(e, path, jwt)
		fmt.Println(path, code, body)
	}
	// Output:
	// /me 200 organization acme
	// /admin 403 {"error":{"code":"role_required","message":"role required"}}
}
