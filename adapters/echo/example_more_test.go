package b2becho_test

import (
	"fmt"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	b2becho "github.com/b2bauth/b2bauth/adapters/echo"
	"github.com/b2bauth/b2bauth/emulator"
	"github.com/b2bauth/b2bauth/middleware"
)

func ExampleRequireSession() {
	emu, m := exampleWorld()
	defer emu.Close()
	defer m.Close()

	e := echo.New()
	e.GET("/me", func(c echo.Context) error {
		s, _ := b2becho.Session(c)
		return c.String(http.StatusOK, "hello, member of "+s.OrganizationSlug)
	}, b2becho.RequireSession(m))

	fmt.Println(exampleGet(e, "/me", exampleLogin(emu, "acme", "ada@acme.test")))
	fmt.Println(exampleGet(e, "/me", ""))
	fmt.Println(exampleGet(e, "/me", "not-a-jwt"))
	// Output:
	// 200 hello, member of acme
	// 401 {"message":"session_missing"}
	// 401 {"message":"token_invalid"}
}

func ExampleOptionalSession() {
	emu, m := exampleWorld()
	defer emu.Close()
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

	fmt.Println(exampleGet(e, "/", exampleLogin(emu, "acme", "bob@acme.test")))
	fmt.Println(exampleGet(e, "/", ""))
	fmt.Println(exampleGet(e, "/", "not-a-jwt"))
	// Output:
	// 200 welcome back, member of acme
	// 200 welcome, guest (session_missing)
	// 200 welcome, guest (token_invalid)
}

func ExampleRequirePermission() {
	emu, m := exampleWorld()
	defer emu.Close()
	defer m.Close()

	e := echo.New()
	// stytch_admin holds every permission of the project's policy; a plain
	// member may not delete members.
	e.DELETE("/members/:id", func(c echo.Context) error {
		return c.String(http.StatusOK, "member "+c.Param("id")+" deleted")
	}, b2becho.RequirePermission(m, "stytch.member", "delete"))

	for _, email := range []string{"ada@acme.test", "bob@acme.test"} {
		fmt.Println(email)
		fmt.Println(exampleDo(e, http.MethodDelete, "/members/42", exampleLogin(emu, "acme", email)))
	}
	// Output:
	// ada@acme.test
	// 200 member 42 deleted
	// bob@acme.test
	// 403 {"message":"permission_denied"}
}

func ExampleRequireRole() {
	emu, m := exampleWorld()
	defer emu.Close()
	defer m.Close()

	e := echo.New()
	e.GET("/admin", func(c echo.Context) error {
		return c.String(http.StatusOK, "admin console")
	}, b2becho.RequireRole(m, "stytch_admin"))

	fmt.Println(exampleGet(e, "/admin", exampleLogin(emu, "acme", "ada@acme.test")))
	fmt.Println(exampleGet(e, "/admin", exampleLogin(emu, "acme", "bob@acme.test")))
	fmt.Println(exampleGet(e, "/admin", ""))
	// Output:
	// 200 admin console
	// 403 {"message":"role_required"}
	// 401 {"message":"session_missing"}
}

func ExampleRequireFreshFactor() {
	emu, m := exampleWorld()
	defer emu.Close()
	defer m.Close()

	e := echo.New()
	e.POST("/billing", func(c echo.Context) error {
		return c.String(http.StatusOK, "billing updated")
	}, b2becho.RequireFreshFactor(m, middleware.MFAFactor, 10*time.Minute))

	// A session whose only factor is the email magic link must step up; one
	// that has just passed TOTP may go on.
	emailOnly := exampleLogin(emu, "acme", "ada@acme.test")
	withTOTP := exampleLogin(emu, "acme", "ada@acme.test", emulator.WithSessionFactors(
		emulator.Factor{Type: "magic_link", DeliveryMethod: "email"},
		emulator.Factor{Type: "totp", DeliveryMethod: "authenticator_app"},
	))
	fmt.Println(exampleDo(e, http.MethodPost, "/billing", emailOnly))
	fmt.Println(exampleDo(e, http.MethodPost, "/billing", withTOTP))
	// Output:
	// 403 {"message":"step_up_required"}
	// 200 billing updated
}

func ExampleSession() {
	emu, m := exampleWorld()
	defer emu.Close()
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

	jwt := exampleLogin(emu, "acme", "ada@acme.test")
	fmt.Println(exampleGet(e, "/me", jwt))
	// Without a b2bauth middleware in the chain, there is no session to read.
	fmt.Println(exampleGet(e, "/public", jwt))
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

	fmt.Println(exampleGet(e, "/auth/login", ""))
	fmt.Println(exampleDo(e, http.MethodPost, "/auth/magic-links/authenticate", ""))
	fmt.Println(exampleGet(e, "/auth", ""))
	fmt.Println(exampleGet(e, "/authz", ""))
	// Output:
	// 200 flows: GET /auth/login
	// 200 flows: POST /auth/magic-links/authenticate
	// 200 flows: GET /auth
	// 404 {"message":"Not Found"}
}

func ExampleWrap() {
	emu, m := exampleWorld()
	defer emu.Close()
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

	bob := exampleLogin(emu, "acme", "bob@acme.test")
	fmt.Println(exampleGet(e, "/acme/intranet", bob))
	fmt.Println(exampleGet(e, "/acme/coffee", bob))
	fmt.Println(exampleGet(e, "/acme/intranet", exampleLogin(emu, "globex", "carol@globex.test")))
	fmt.Println(exampleGet(e, "/acme/intranet", ""))
	// Output:
	// 200 acme intranet
	// 418 {"message":"no coffee here"}
	// 403 acme members only
	// 403 acme members only
}

func ExampleWithSkipper() {
	emu, m := exampleWorld()
	defer emu.Close()
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

	fmt.Println(exampleGet(e, "/health", ""))
	fmt.Println(exampleGet(e, "/reports", ""))
	fmt.Println(exampleGet(e, "/reports", exampleLogin(emu, "acme", "ada@acme.test")))
	// Output:
	// 200 ok (session verified: false)
	// 401 {"message":"session_missing"}
	// 200 reports
}
