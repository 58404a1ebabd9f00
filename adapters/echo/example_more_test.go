package b2becho_test

import (
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	b2becho "github.com/b2bauth/b2bauth/adapters/echo"
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

	e := echo.New()
	e.GET("/me", func(c echo.Context) error {
		s, _ := b2becho.Session(c)
		return c.String(http.StatusOK, "hello, member of "+s.OrganizationSlug)
	}, b2becho.RequireSession(m))

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
		e.ServeHTTP(w, req)
		return w.Code, strings.TrimSpace(w.Body.String())
	}

	fmt.Println(do(http.MethodGet, "/me", login("acme", "ada@acme.test")))
	fmt.Println(do(http.MethodGet, "/me", ""))
	fmt.Println(do(http.MethodGet, "/me", "not-a-jwt"))
	// Output:
	// 200 hello, member of acme
	// 401 {"message":"session_missing"}
	// 401 {"message":"token_invalid"}
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

	e := echo.New()
	e.GET("/", func(c echo.Context) error {
		if s, ok := b2becho.Session(c); ok {
			return c.String(http.StatusOK, "welcome back, member of "+s.OrganizationSlug)
		}
		// The reason the session is absent is on the request context too.
		code, _ := middleware.Code(middleware.FailureReason(c.Request().Context()))
		return c.String(http.StatusOK, "welcome, guest ("+code+")")
	}, b2becho.OptionalSession(m))

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
		e.ServeHTTP(w, req)
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

	e := echo.New()
	// stytch_admin holds every permission of the project's policy; a plain
	// member may not delete members.
	e.DELETE("/members/:id", func(c echo.Context) error {
		return c.String(http.StatusOK, "member "+c.Param("id")+" deleted")
	}, b2becho.RequirePermission(m, "stytch.member", "delete"))

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
		e.ServeHTTP(w, req)
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
	// 403 {"message":"permission_denied"}
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

	e := echo.New()
	e.GET("/admin", func(c echo.Context) error {
		return c.String(http.StatusOK, "admin console")
	}, b2becho.RequireRole(m, "stytch_admin"))

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
		e.ServeHTTP(w, req)
		return w.Code, strings.TrimSpace(w.Body.String())
	}

	fmt.Println(do(http.MethodGet, "/admin", login("acme", "ada@acme.test")))
	fmt.Println(do(http.MethodGet, "/admin", login("acme", "bob@acme.test")))
	fmt.Println(do(http.MethodGet, "/admin", ""))
	// Output:
	// 200 admin console
	// 403 {"message":"role_required"}
	// 401 {"message":"session_missing"}
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

	e := echo.New()
	e.POST("/billing", func(c echo.Context) error {
		return c.String(http.StatusOK, "billing updated")
	}, b2becho.RequireFreshFactor(m, middleware.MFAFactor, 10*time.Minute))

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
		e.ServeHTTP(w, req)
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
	// 403 {"message":"step_up_required"}
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

	e := echo.New()
	e.GET("/me", func(c echo.Context) error {
		s, ok := b2becho.Session(c)
		// Session reads the request's context, the one the core wrote:
		// code written for net/http finds the same session there.
		fromCtx, _ := middleware.SessionFrom(c.Request().Context())
		return c.String(http.StatusOK, fmt.Sprintf("ok=%v org=%s admin=%v same=%v",
			ok, s.OrganizationSlug, s.HasRole("stytch_admin"), s == fromCtx))
	}, b2becho.RequireSession(m))
	e.GET("/public", func(c echo.Context) error {
		_, ok := b2becho.Session(c)
		return c.String(http.StatusOK, fmt.Sprintf("ok=%v", ok))
	})

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
		e.ServeHTTP(w, req)
		return w.Code, strings.TrimSpace(w.Body.String())
	}

	jwt := login("acme", "ada@acme.test")
	fmt.Println(do(http.MethodGet, "/me", jwt))
	// Without a b2bauth middleware in the chain, there is no session to read.
	fmt.Println(do(http.MethodGet, "/public", jwt))
	// Output:
	// 200 ok=true org=acme admin=true same=true
	// 200 ok=false
}

func ExampleMount() {
	// flows is a stand-in for the login flows' handler, which serves every
	// path under its prefix.
	flows := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "flows: ", r.Method, " ", r.URL.Path)
	})

	e := echo.New()
	b2becho.Mount(e, "/auth", flows)

	// do serves a request, with jwt as its bearer token if any, and
	// returns the status and the body.
	do := func(method, path, jwt string) (int, string) {
		req := httptest.NewRequest(method, path, nil)
		if jwt != "" {
			req.Header.Set("Authorization", "Bearer "+jwt)
		}
		w := httptest.NewRecorder()
		e.ServeHTTP(w, req)
		return w.Code, strings.TrimSpace(w.Body.String())
	}

	fmt.Println(do(http.MethodGet, "/auth/login", ""))
	fmt.Println(do(http.MethodPost, "/auth/magic-links/authenticate", ""))
	fmt.Println(do(http.MethodGet, "/auth", ""))
	fmt.Println(do(http.MethodGet, "/authz", ""))
	// Output:
	// 200 flows: GET /auth/login
	// 200 flows: POST /auth/magic-links/authenticate
	// 200 flows: GET /auth
	// 404 {"message":"Not Found"}
}

func ExampleWrap() {
	emu, err := emulator.New(emulator.WithSeed(emulator.Seed{
		Organizations: []emulator.OrganizationSeed{{Name: "Acme", Slug: "acme"}, {Name: "Globex", Slug: "globex"}},
		Members: []emulator.MemberSeed{
			{Organization: "acme", Email: "bob@acme.test"},
			{Organization: "globex", Email: "carol@globex.test"},
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

	// requireOrg is an enforcement of your own, written for net/http against
	// the context the core fills; Wrap makes it an echo middleware.
	requireOrg := func(slug string) func(http.Handler) http.Handler {
		return func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if s, ok := middleware.SessionFrom(r.Context()); !ok || s.OrganizationSlug != slug {
					http.Error(w, slug+" members only", http.StatusForbidden)
					return
				}
				next.ServeHTTP(w, r)
			})
		}
	}

	e := echo.New()
	acme := e.Group("/acme", b2becho.OptionalSession(m), b2becho.Wrap(requireOrg("acme")))
	acme.GET("/intranet", func(c echo.Context) error {
		return c.String(http.StatusOK, "acme intranet")
	})
	// The error the handler returns passes through Wrap to echo's error
	// handler.
	acme.GET("/coffee", func(echo.Context) error {
		return echo.NewHTTPError(http.StatusTeapot, "no coffee here")
	})

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
		e.ServeHTTP(w, req)
		return w.Code, strings.TrimSpace(w.Body.String())
	}

	bob := login("acme", "bob@acme.test")
	fmt.Println(do(http.MethodGet, "/acme/intranet", bob))
	fmt.Println(do(http.MethodGet, "/acme/coffee", bob))
	fmt.Println(do(http.MethodGet, "/acme/intranet", login("globex", "carol@globex.test")))
	fmt.Println(do(http.MethodGet, "/acme/intranet", ""))
	// Output:
	// 200 acme intranet
	// 418 {"message":"no coffee here"}
	// 403 acme members only
	// 403 acme members only
}

func ExampleWithSkipper() {
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

	e := echo.New()
	// Every route needs a session, except the health check the skipper
	// selects.
	e.Use(b2becho.RequireSession(m, b2becho.WithSkipper(func(c echo.Context) bool {
		return c.Request().URL.Path == "/health"
	})))
	e.GET("/health", func(c echo.Context) error {
		_, ok := b2becho.Session(c)
		return c.String(http.StatusOK, fmt.Sprintf("ok (session verified: %v)", ok))
	})
	e.GET("/reports", func(c echo.Context) error {
		return c.String(http.StatusOK, "reports")
	})

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
		e.ServeHTTP(w, req)
		return w.Code, strings.TrimSpace(w.Body.String())
	}

	fmt.Println(do(http.MethodGet, "/health", ""))
	fmt.Println(do(http.MethodGet, "/reports", ""))
	fmt.Println(do(http.MethodGet, "/reports", login("acme", "ada@acme.test")))
	// Output:
	// 200 ok (session verified: false)
	// 401 {"message":"session_missing"}
	// 200 reports
}
