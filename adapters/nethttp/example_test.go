package b2bhttp_test

import (
	"fmt"
	"net/http"

	b2bhttp "github.com/b2bauth/b2bauth/adapters/nethttp"
)

func Example() {
	emu, m := exampleWorld()
	defer emu.Close()
	defer m.Close()

	mux := http.NewServeMux()
	mux.Handle("GET /admin", b2bhttp.RequireRole(m, "stytch_admin")(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, _ := b2bhttp.Session(r)
		fmt.Fprint(w, "welcome to ", s.OrganizationSlug)
	})))

	fmt.Println(exampleGet(mux, "/admin", exampleLogin(emu, "acme", "ada@acme.test")))
	// Output: 200 welcome to acme
}
