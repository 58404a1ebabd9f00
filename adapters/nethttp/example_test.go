package b2bhttp_test

import (
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	b2bhttp "github.com/b2bauth/b2bauth/adapters/nethttp"
	"github.com/b2bauth/b2bauth/emulator"
	"github.com/b2bauth/b2bauth/middleware"
)

func Example() {
	emu, err := emulator.New(emulator.WithSeed(emulator.Seed{
		Organizations: []emulator.OrganizationSeed{{Name: "Acme", Slug: "acme"}},
		Members:       []emulator.MemberSeed{{Organization: "acme", Email: "ada@acme.test", Roles: []string{"stytch_admin"}}},
	}))
	if err != nil {
		log.Fatal(err)
	}
	defer emu.Close()
	c, err := emu.Client()
	if err != nil {
		log.Fatal(err)
	}
	m, err := middleware.New(c)
	if err != nil {
		log.Fatal(err)
	}
	defer m.Close()

	mux := http.NewServeMux()
	mux.Handle("GET /admin", b2bhttp.RequireRole(m, "stytch_admin")(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, _ := b2bhttp.Session(r)
		fmt.Fprint(w, "welcome to ", s.OrganizationSlug)
	})))

	ada, _ := emu.MemberID("acme", "ada@acme.test")
	_, jwt, err := emu.CreateSession(ada)
	if err != nil {
		log.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodGet, "/admin", nil)
	r.Header.Set("Authorization", "Bearer "+jwt)
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, r)
	fmt.Println(w.Code, w.Body)
	// Output: 200 welcome to acme
}
