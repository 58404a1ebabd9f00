package b2bgin_test

import (
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/gin-gonic/gin"

	b2bgin "github.com/b2bauth/b2bauth/adapters/gin"
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

	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.GET("/me", b2bgin.RequireSession(m), func(c *gin.Context) {
		s, _ := b2bgin.Session(c)
		c.String(http.StatusOK, "organization "+s.OrganizationSlug)
	})
	r.GET("/reports", b2bgin.RequirePermission(m, "stytch.organization", "update.info.name"), func(c *gin.Context) {
		c.String(http.StatusOK, "renamed")
	})

	member, _ := emu.MemberID("acme", "ada@acme.test")
	_, jwt, err := emu.CreateSession(member)
	if err != nil {
		log.Fatal(err)
	}
	for _, path := range []string{"/me", "/reports"} {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.Header.Set("Authorization", "Bearer "+jwt)
		w := httptest.NewRecorder()
		r.ServeHTTP(w, req)
		fmt.Println(path, w.Code, w.Body.String())
	}
	// Output:
	// /me 200 organization acme
	// /reports 403 {"error":{"code":"permission_denied","message":"permission denied"}}
}
