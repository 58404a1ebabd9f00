package b2bhttp_test

import (
	"fmt"
	"net/http"
	"time"

	b2bhttp "github.com/b2bauth/b2bauth/adapters/nethttp"
	"github.com/b2bauth/b2bauth/emulator"
	"github.com/b2bauth/b2bauth/middleware"
)

func ExampleRequireSession() {
	emu, m := exampleWorld()
	defer emu.Close()
	defer m.Close()

	mux := http.NewServeMux()
	mux.Handle("GET /me", b2bhttp.RequireSession(m)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, _ := b2bhttp.Session(r)
		fmt.Fprint(w, "hello, member of ", s.OrganizationSlug)
	})))

	fmt.Println(exampleGet(mux, "/me", exampleLogin(emu, "acme", "ada@acme.test")))
	fmt.Println(exampleGet(mux, "/me", ""))
	fmt.Println(exampleGet(mux, "/me", "not-a-jwt"))
	// Output:
	// 200 hello, member of acme
	// 401 {"error":{"code":"session_missing","message":"no session"}}
	// 401 {"error":{"code":"token_invalid","message":"invalid session token"}}
}

func ExampleOptionalSession() {
	emu, m := exampleWorld()
	defer emu.Close()
	defer m.Close()

	mux := http.NewServeMux()
	mux.Handle("GET /{$}", b2bhttp.OptionalSession(m)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s, ok := b2bhttp.Session(r); ok {
			fmt.Fprint(w, "welcome back, member of ", s.OrganizationSlug)
			return
		}
		code, _ := middleware.Code(middleware.FailureReason(r.Context()))
		fmt.Fprint(w, "welcome, guest (", code, ")")
	})))

	fmt.Println(exampleGet(mux, "/", exampleLogin(emu, "acme", "bob@acme.test")))
	fmt.Println(exampleGet(mux, "/", ""))
	fmt.Println(exampleGet(mux, "/", "not-a-jwt"))
	// Output:
	// 200 welcome back, member of acme
	// 200 welcome, guest (session_missing)
	// 200 welcome, guest (token_invalid)
}

func ExampleRequirePermission() {
	emu, m := exampleWorld()
	defer emu.Close()
	defer m.Close()

	mux := http.NewServeMux()
	// stytch_admin holds every permission of the project's policy; a plain
	// member may not delete members.
	mux.Handle("DELETE /members/{id}", b2bhttp.RequirePermission(m, "stytch.member", "delete")(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "member ", r.PathValue("id"), " deleted")
	})))

	for _, email := range []string{"ada@acme.test", "bob@acme.test"} {
		fmt.Println(email)
		fmt.Println(exampleDo(mux, http.MethodDelete, "/members/42", exampleLogin(emu, "acme", email)))
	}
	// Output:
	// ada@acme.test
	// 200 member 42 deleted
	// bob@acme.test
	// 403 {"error":{"code":"permission_denied","message":"permission denied"}}
}

func ExampleRequireRole() {
	emu, m := exampleWorld()
	defer emu.Close()
	defer m.Close()

	mux := http.NewServeMux()
	mux.Handle("GET /admin", b2bhttp.RequireRole(m, "stytch_admin")(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "admin console")
	})))

	fmt.Println(exampleGet(mux, "/admin", exampleLogin(emu, "acme", "ada@acme.test")))
	fmt.Println(exampleGet(mux, "/admin", exampleLogin(emu, "acme", "bob@acme.test")))
	fmt.Println(exampleGet(mux, "/admin", ""))
	// Output:
	// 200 admin console
	// 403 {"error":{"code":"role_required","message":"role required"}}
	// 401 {"error":{"code":"session_missing","message":"no session"}}
}

func ExampleRequireFreshFactor() {
	emu, m := exampleWorld()
	defer emu.Close()
	defer m.Close()

	mux := http.NewServeMux()
	mux.Handle("POST /billing", b2bhttp.RequireFreshFactor(m, middleware.MFAFactor, 10*time.Minute)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "billing updated")
	})))

	// A session whose only factor is the email magic link must step up; one
	// that has just passed TOTP may go on.
	emailOnly := exampleLogin(emu, "acme", "ada@acme.test")
	withTOTP := exampleLogin(emu, "acme", "ada@acme.test", emulator.WithSessionFactors(
		emulator.Factor{Type: "magic_link", DeliveryMethod: "email"},
		emulator.Factor{Type: "totp", DeliveryMethod: "authenticator_app"},
	))
	fmt.Println(exampleDo(mux, http.MethodPost, "/billing", emailOnly))
	fmt.Println(exampleDo(mux, http.MethodPost, "/billing", withTOTP))
	// Output:
	// 403 {"error":{"code":"step_up_required","message":"recent authentication required","factor":"mfa","within_seconds":600}}
	// 200 billing updated
}

func ExampleSession() {
	emu, m := exampleWorld()
	defer emu.Close()
	defer m.Close()

	show := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, ok := b2bhttp.Session(r)
		if !ok {
			fmt.Fprint(w, "ok=false")
			return
		}
		fmt.Fprintf(w, "ok=true org=%s admin=%v", s.OrganizationSlug, s.HasRole("stytch_admin"))
	})
	mux := http.NewServeMux()
	mux.Handle("GET /me", b2bhttp.RequireSession(m)(show))
	mux.Handle("GET /public", show)

	jwt := exampleLogin(emu, "acme", "ada@acme.test")
	fmt.Println(exampleGet(mux, "/me", jwt))
	// Without a b2bauth middleware in the chain, there is no session to read.
	fmt.Println(exampleGet(mux, "/public", jwt))
	// Output:
	// 200 ok=true org=acme admin=true
	// 200 ok=false
}

func ExampleMount() {
	// flows is a stand-in for the login flows' handler, which serves every
	// path under its prefix.
	flows := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "flows: ", r.Method, " ", r.URL.Path)
	})

	mux := http.NewServeMux()
	b2bhttp.Mount(mux, "/auth", flows)

	fmt.Println(exampleGet(mux, "/auth", ""))
	fmt.Println(exampleGet(mux, "/auth/login", ""))
	fmt.Println(exampleDo(mux, http.MethodPost, "/auth/magic-links/authenticate", ""))
	fmt.Println(exampleGet(mux, "/authz", ""))
	// Output:
	// 200 flows: GET /auth
	// 200 flows: GET /auth/login
	// 200 flows: POST /auth/magic-links/authenticate
	// 404 404 page not found
}
