package b2bhttp_test

import (
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	b2bhttp "github.com/b2bauth/b2bauth/adapters/nethttp"
	"github.com/b2bauth/b2bauth/emulator"
	"github.com/b2bauth/b2bauth/middleware"
)

func ExampleRequireSession() {
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
	mux.Handle("GET /me", b2bhttp.RequireSession(m)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, _ := b2bhttp.Session(r)
		fmt.Fprint(w, "hello, member of ", s.OrganizationSlug)
	})))

	// login starts a session for a member and returns its JWT.
	login := func(org, email string) string {
		id, _ := emu.MemberID(org, email)
		_, jwt, err := emu.CreateSession(id)
		if err != nil {
			log.Fatal(err)
		}
		return jwt
	}
	// do serves a request, with jwt as its bearer token if any, and
	// returns the status and the body.
	do := func(method, path, jwt string) (int, string) {
		req := httptest.NewRequest(method, path, nil)
		if jwt != "" {
			req.Header.Set("Authorization", "Bearer "+jwt)
		}
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, req)
		return w.Code, strings.TrimSpace(w.Body.String())
	}

	fmt.Println(do(http.MethodGet, "/me", login("acme", "ada@acme.test")))
	fmt.Println(do(http.MethodGet, "/me", ""))
	fmt.Println(do(http.MethodGet, "/me", "not-a-jwt"))
	// Output:
	// 200 hello, member of acme
	// 401 {"error":{"code":"session_missing","message":"no session"}}
	// 401 {"error":{"code":"token_invalid","message":"invalid session token"}}
}

func ExampleOptionalSession() {
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
	m, err := middleware.New(c)
	if err != nil {
		log.Fatal(err)
	}
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

	// login starts a session for a member and returns its JWT.
	login := func(org, email string) string {
		id, _ := emu.MemberID(org, email)
		_, jwt, err := emu.CreateSession(id)
		if err != nil {
			log.Fatal(err)
		}
		return jwt
	}
	// do serves a request, with jwt as its bearer token if any, and
	// returns the status and the body.
	do := func(method, path, jwt string) (int, string) {
		req := httptest.NewRequest(method, path, nil)
		if jwt != "" {
			req.Header.Set("Authorization", "Bearer "+jwt)
		}
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, req)
		return w.Code, strings.TrimSpace(w.Body.String())
	}

	fmt.Println(do(http.MethodGet, "/", login("acme", "bob@acme.test")))
	fmt.Println(do(http.MethodGet, "/", ""))
	fmt.Println(do(http.MethodGet, "/", "not-a-jwt"))
	// Output:
	// 200 welcome back, member of acme
	// 200 welcome, guest (session_missing)
	// 200 welcome, guest (token_invalid)
}

func ExampleRequirePermission() {
	emu, err := emulator.New(emulator.WithSeed(emulator.Seed{
		Organizations: []emulator.OrganizationSeed{{Name: "Acme", Slug: "acme"}},
		Members: []emulator.MemberSeed{
			{Organization: "acme", Email: "ada@acme.test", Roles: []string{"stytch_admin"}},
			{Organization: "acme", Email: "bob@acme.test"},
		},
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
	// stytch_admin holds every permission of the project's policy; a plain
	// member may not delete members.
	mux.Handle("DELETE /members/{id}", b2bhttp.RequirePermission(m, "stytch.member", "delete")(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "member ", r.PathValue("id"), " deleted")
	})))

	// login starts a session for a member and returns its JWT.
	login := func(org, email string) string {
		id, _ := emu.MemberID(org, email)
		_, jwt, err := emu.CreateSession(id)
		if err != nil {
			log.Fatal(err)
		}
		return jwt
	}
	// do serves a request, with jwt as its bearer token if any, and
	// returns the status and the body.
	do := func(method, path, jwt string) (int, string) {
		req := httptest.NewRequest(method, path, nil)
		if jwt != "" {
			req.Header.Set("Authorization", "Bearer "+jwt)
		}
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, req)
		return w.Code, strings.TrimSpace(w.Body.String())
	}

	for _, email := range []string{"ada@acme.test", "bob@acme.test"} {
		fmt.Println(email)
		fmt.Println(do(http.MethodDelete, "/members/42", login("acme", email)))
	}
	// Output:
	// ada@acme.test
	// 200 member 42 deleted
	// bob@acme.test
	// 403 {"error":{"code":"permission_denied","message":"permission denied"}}
}

func ExampleRequireRole() {
	emu, err := emulator.New(emulator.WithSeed(emulator.Seed{
		Organizations: []emulator.OrganizationSeed{{Name: "Acme", Slug: "acme"}},
		Members: []emulator.MemberSeed{
			{Organization: "acme", Email: "ada@acme.test", Roles: []string{"stytch_admin"}},
			{Organization: "acme", Email: "bob@acme.test"},
		},
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
		fmt.Fprint(w, "admin console")
	})))

	// login starts a session for a member and returns its JWT.
	login := func(org, email string) string {
		id, _ := emu.MemberID(org, email)
		_, jwt, err := emu.CreateSession(id)
		if err != nil {
			log.Fatal(err)
		}
		return jwt
	}
	// do serves a request, with jwt as its bearer token if any, and
	// returns the status and the body.
	do := func(method, path, jwt string) (int, string) {
		req := httptest.NewRequest(method, path, nil)
		if jwt != "" {
			req.Header.Set("Authorization", "Bearer "+jwt)
		}
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, req)
		return w.Code, strings.TrimSpace(w.Body.String())
	}

	fmt.Println(do(http.MethodGet, "/admin", login("acme", "ada@acme.test")))
	fmt.Println(do(http.MethodGet, "/admin", login("acme", "bob@acme.test")))
	fmt.Println(do(http.MethodGet, "/admin", ""))
	// Output:
	// 200 admin console
	// 403 {"error":{"code":"role_required","message":"role required"}}
	// 401 {"error":{"code":"session_missing","message":"no session"}}
}

func ExampleRequireFreshFactor() {
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
	mux.Handle("POST /billing", b2bhttp.RequireFreshFactor(m, middleware.MFAFactor, 10*time.Minute)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "billing updated")
	})))

	// login starts a session for a member and returns its JWT.
	login := func(org, email string, opts ...emulator.SessionOption) string {
		id, _ := emu.MemberID(org, email)
		_, jwt, err := emu.CreateSession(id, opts...)
		if err != nil {
			log.Fatal(err)
		}
		return jwt
	}
	// do serves a request, with jwt as its bearer token if any, and
	// returns the status and the body.
	do := func(method, path, jwt string) (int, string) {
		req := httptest.NewRequest(method, path, nil)
		if jwt != "" {
			req.Header.Set("Authorization", "Bearer "+jwt)
		}
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, req)
		return w.Code, strings.TrimSpace(w.Body.String())
	}

	// A session whose only factor is the email magic link must step up; one
	// that has just passed TOTP may go on.
	emailOnly := login("acme", "ada@acme.test")
	withTOTP := login("acme", "ada@acme.test", emulator.WithSessionFactors(
		emulator.Factor{Type: "magic_link", DeliveryMethod: "email"},
		emulator.Factor{Type: "totp", DeliveryMethod: "authenticator_app"},
	))
	fmt.Println(do(http.MethodPost, "/billing", emailOnly))
	fmt.Println(do(http.MethodPost, "/billing", withTOTP))
	// Output:
	// 403 {"error":{"code":"step_up_required","message":"recent authentication required","factor":"mfa","within_seconds":600}}
	// 200 billing updated
}

func ExampleSession() {
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

	// login starts a session for a member and returns its JWT.
	login := func(org, email string) string {
		id, _ := emu.MemberID(org, email)
		_, jwt, err := emu.CreateSession(id)
		if err != nil {
			log.Fatal(err)
		}
		return jwt
	}
	// do serves a request, with jwt as its bearer token if any, and
	// returns the status and the body.
	do := func(method, path, jwt string) (int, string) {
		req := httptest.NewRequest(method, path, nil)
		if jwt != "" {
			req.Header.Set("Authorization", "Bearer "+jwt)
		}
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, req)
		return w.Code, strings.TrimSpace(w.Body.String())
	}

	jwt := login("acme", "ada@acme.test")
	fmt.Println(do(http.MethodGet, "/me", jwt))
	// Without a b2bauth middleware in the chain, there is no session to read.
	fmt.Println(do(http.MethodGet, "/public", jwt))
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

	// do serves a request, with jwt as its bearer token if any, and
	// returns the status and the body.
	do := func(method, path, jwt string) (int, string) {
		req := httptest.NewRequest(method, path, nil)
		if jwt != "" {
			req.Header.Set("Authorization", "Bearer "+jwt)
		}
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, req)
		return w.Code, strings.TrimSpace(w.Body.String())
	}

	fmt.Println(do(http.MethodGet, "/auth", ""))
	fmt.Println(do(http.MethodGet, "/auth/login", ""))
	fmt.Println(do(http.MethodPost, "/auth/magic-links/authenticate", ""))
	fmt.Println(do(http.MethodGet, "/authz", ""))
	// Output:
	// 200 flows: GET /auth
	// 200 flows: GET /auth/login
	// 200 flows: POST /auth/magic-links/authenticate
	// 404 404 page not found
}
