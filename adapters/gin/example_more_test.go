package b2bgin_test

import (
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	b2bgin "github.com/b2bauth/b2bauth/adapters/gin"
	"github.com/b2bauth/b2bauth/emulator"
	"github.com/b2bauth/b2bauth/middleware"
)

func ExampleRequireSession() {
	gin.SetMode(gin.ReleaseMode) // keeps gin's debug lines out of the output
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

	r := gin.New()
	r.GET("/me", b2bgin.RequireSession(m), func(c *gin.Context) {
		s, _ := b2bgin.Session(c)
		c.String(http.StatusOK, "hello, member of "+s.OrganizationSlug)
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
		r.ServeHTTP(w, req)
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
	gin.SetMode(gin.ReleaseMode) // keeps gin's debug lines out of the output
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

	r := gin.New()
	r.GET("/", b2bgin.OptionalSession(m), func(c *gin.Context) {
		if s, ok := b2bgin.Session(c); ok {
			c.String(http.StatusOK, "welcome back, member of "+s.OrganizationSlug)
			return
		}
		// The reason the session is absent is on the request context too.
		code, _ := middleware.Code(middleware.FailureReason(c.Request.Context()))
		c.String(http.StatusOK, "welcome, guest ("+code+")")
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
		r.ServeHTTP(w, req)
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
	gin.SetMode(gin.ReleaseMode) // keeps gin's debug lines out of the output
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

	r := gin.New()
	// stytch_admin holds every permission of the project's policy; a plain
	// member may not delete members.
	r.DELETE("/members/:id", b2bgin.RequirePermission(m, "stytch.member", "delete"), func(c *gin.Context) {
		c.String(http.StatusOK, "member "+c.Param("id")+" deleted")
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
		r.ServeHTTP(w, req)
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
	gin.SetMode(gin.ReleaseMode) // keeps gin's debug lines out of the output
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

	r := gin.New()
	r.GET("/admin", b2bgin.RequireRole(m, "stytch_admin"), func(c *gin.Context) {
		c.String(http.StatusOK, "admin console")
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
		r.ServeHTTP(w, req)
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
	gin.SetMode(gin.ReleaseMode) // keeps gin's debug lines out of the output
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

	r := gin.New()
	r.POST("/billing", b2bgin.RequireFreshFactor(m, middleware.MFAFactor, 10*time.Minute), func(c *gin.Context) {
		c.String(http.StatusOK, "billing updated")
	})

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
		r.ServeHTTP(w, req)
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
	gin.SetMode(gin.ReleaseMode) // keeps gin's debug lines out of the output
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

	r := gin.New()
	r.GET("/me", b2bgin.RequireSession(m), func(c *gin.Context) {
		s, ok := b2bgin.Session(c)
		// Session reads the request's context, the one the core wrote:
		// code written for net/http finds the same session there.
		fromCtx, _ := middleware.SessionFrom(c.Request.Context())
		c.String(http.StatusOK, fmt.Sprintf("ok=%v org=%s admin=%v same=%v",
			ok, s.OrganizationSlug, s.HasRole("stytch_admin"), s == fromCtx))
	})
	r.GET("/public", func(c *gin.Context) {
		_, ok := b2bgin.Session(c)
		c.String(http.StatusOK, fmt.Sprintf("ok=%v", ok))
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
		r.ServeHTTP(w, req)
		return w.Code, strings.TrimSpace(w.Body.String())
	}

	jwt := login("acme", "ada@acme.test")
	fmt.Println(do(http.MethodGet, "/me", jwt))
	// Without a b2bauth handler in the chain, there is no session to read.
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

	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	b2bgin.Mount(r, "/auth", flows)

	// do serves a request, with jwt as its bearer token if any, and
	// returns the status and the body.
	do := func(method, path, jwt string) (int, string) {
		req := httptest.NewRequest(method, path, nil)
		if jwt != "" {
			req.Header.Set("Authorization", "Bearer "+jwt)
		}
		w := httptest.NewRecorder()
		r.ServeHTTP(w, req)
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
	// 404 404 page not found
}

func ExampleWrap() {
	gin.SetMode(gin.ReleaseMode) // keeps gin's debug lines out of the output
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
	// the context the core fills; Wrap makes it a gin handler that aborts
	// the chain when it answers.
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

	r := gin.New()
	acme := r.Group("/acme", b2bgin.OptionalSession(m), b2bgin.Wrap(requireOrg("acme")))
	acme.GET("/intranet", func(c *gin.Context) {
		c.String(http.StatusOK, "acme intranet")
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
		r.ServeHTTP(w, req)
		return w.Code, strings.TrimSpace(w.Body.String())
	}

	fmt.Println(do(http.MethodGet, "/acme/intranet", login("acme", "bob@acme.test")))
	fmt.Println(do(http.MethodGet, "/acme/intranet", login("globex", "carol@globex.test")))
	fmt.Println(do(http.MethodGet, "/acme/intranet", ""))
	// Output:
	// 200 acme intranet
	// 403 acme members only
	// 403 acme members only
}
