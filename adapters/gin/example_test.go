package b2bgin_test

import (
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	b2bgin "github.com/b2bauth/b2bauth/adapters/gin"
)

func Example() {
	emu, m := exampleWorld()
	defer emu.Close()
	defer m.Close()

	r := gin.New()
	r.GET("/me", b2bgin.RequireSession(m), func(c *gin.Context) {
		s, _ := b2bgin.Session(c)
		c.String(http.StatusOK, "organization "+s.OrganizationSlug)
	})
	r.GET("/reports", b2bgin.RequirePermission(m, "stytch.organization", "update.info.name"), func(c *gin.Context) {
		c.String(http.StatusOK, "renamed")
	})

	// bob@acme.test is a plain member: no permission to rename the organization.
	jwt := exampleLogin(emu, "acme", "bob@acme.test")
	for _, path := range []string{"/me", "/reports"} {
		code, body := exampleGet(r, path, jwt)
		fmt.Println(path, code, body)
	}
	// Output:
	// /me 200 organization acme
	// /reports 403 {"error":{"code":"permission_denied","message":"permission denied"}}
}
