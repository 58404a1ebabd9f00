package middleware_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/b2bauth/b2bauth/emulator"
	"github.com/b2bauth/b2bauth/middleware"
)

func ExampleNew() {
	emu, err := emulator.New(emulator.WithSeed(emulator.Seed{
		Organizations: []emulator.OrganizationSeed{{Name: "Acme", Slug: "acme"}},
		Members:       []emulator.MemberSeed{{Organization: "acme", Email: "ada@acme.test", Roles: []string{"stytch_admin"}}},
	}))
	if err != nil {
		log.Fatal(err)
	}
	defer emu.Close()
	c, err := emu.Client() // in production: client.New(projectID, secret)
	if err != nil {
		log.Fatal(err)
	}

	m, err := middleware.New(c, middleware.WithLoginURL("/auth/login"))
	if err != nil {
		log.Fatal(err)
	}
	defer m.Close()

	mux := http.NewServeMux()
	mux.Handle("GET /dashboard", m.RequireSession(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, _ := middleware.SessionFrom(r.Context())
		fmt.Fprintf(w, "hello admin=%v of %s", s.HasRole("stytch_admin"), s.OrganizationSlug)
	})))

	ada, _ := emu.MemberID("acme", "ada@acme.test")
	token, jwt, err := emu.CreateSession(ada)
	if err != nil {
		log.Fatal(err)
	}
	for _, cookies := range [][]*http.Cookie{
		{{Name: middleware.DefaultSessionCookie, Value: token}, {Name: middleware.DefaultJWTCookie, Value: jwt}},
		nil,
	} {
		r := httptest.NewRequest(http.MethodGet, "/dashboard", nil)
		for _, c := range cookies {
			r.AddCookie(c)
		}
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, r)
		fmt.Println(w.Code, strings.TrimSpace(w.Body.String()))
	}
	// Output:
	// 200 hello admin=true of acme
	// 401 {"error":{"code":"session_missing","message":"no session"}}
}

// ExampleMiddleware_With derives a group for a bearer-only JSON API from a
// cookie web middleware: they share one key set and their caches.
func ExampleMiddleware_With() {
	emu, err := emulator.New(emulator.WithSeed(emulator.Seed{
		Organizations: []emulator.OrganizationSeed{{Name: "Acme", Slug: "acme"}},
		Members:       []emulator.MemberSeed{{Organization: "acme", Email: "ada@acme.test"}},
	}))
	if err != nil {
		log.Fatal(err)
	}
	defer emu.Close()
	c, err := emu.Client()
	if err != nil {
		log.Fatal(err)
	}
	m, err := middleware.New(c, middleware.WithLoginURL("/auth/login"))
	if err != nil {
		log.Fatal(err)
	}
	defer m.Close() // the groups' key set too: a group's Close does nothing

	api, err := m.With(
		middleware.WithJWTSources(middleware.TokenFromHeader),
		middleware.WithSessionTokenSources(),
		middleware.WithJSONOnly())
	if err != nil {
		log.Fatal(err)
	}
	_, err = m.With(middleware.WithCacheSize(10))
	fmt.Println(errors.Is(err, middleware.ErrSharedOption))

	hello := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "hello") })
	for _, h := range []http.Handler{m.RequireSession(hello), api.RequireSession(hello)} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("Accept", "text/html") // a browser navigation, without a session
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		fmt.Println(w.Code, w.Header().Get("Content-Type"))
	}
	// Output:
	// true
	// 303 text/html; charset=utf-8
	// 401 application/json
}

func ExampleMiddleware_RequirePermission() {
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

	// stytch_admin holds every permission of the project's policy; a plain
	// member does not hold this one.
	remove := m.RequirePermission("stytch.member", "delete")(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "member deleted")
	}))
	for _, email := range []string{"ada@acme.test", "bob@acme.test"} {
		id, _ := emu.MemberID("acme", email)
		_, jwt, err := emu.CreateSession(id)
		if err != nil {
			log.Fatal(err)
		}
		r := httptest.NewRequest(http.MethodDelete, "/members/42", nil)
		r.Header.Set("Authorization", "Bearer "+jwt)
		w := httptest.NewRecorder()
		remove.ServeHTTP(w, r)
		fmt.Println(email, w.Code, strings.TrimSpace(w.Body.String()))
	}
	// Output:
	// ada@acme.test 200 member deleted
	// bob@acme.test 403 {"error":{"code":"permission_denied","message":"permission denied"}}
}

func ExampleMiddleware_OptionalSession() {
	emu, c, _ := exampleWorld()
	defer emu.Close()
	m := newMiddleware(c)
	defer m.Close()

	h := m.OptionalSession(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := middleware.SessionFrom(r.Context()); !ok {
			code, _ := middleware.Code(middleware.FailureReason(r.Context()))
			fmt.Fprint(w, "welcome, guest (", code, ")")
		}
	}))
	fmt.Println(call(h, withCookies("/", nil)))
	// Output: 200 welcome, guest (session_missing)
}

func ExampleMiddleware_Authorize() {
	emu, c, cookies := exampleWorld()
	defer emu.Close()
	m := newMiddleware(c)
	defer m.Close()

	h := m.RequireSession(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := m.Authorize(r.Context(), "stytch.organization", "update.settings.sso-config")
		switch {
		case errors.Is(err, middleware.ErrPermissionDenied):
			http.Error(w, "not yours to change", http.StatusForbidden)
		case err != nil:
			http.Error(w, "try again later", http.StatusServiceUnavailable)
		default:
			fmt.Fprint(w, "settings saved")
		}
	}))
	fmt.Println(call(h, withCookies("/settings", cookies)))
	// Output: 200 settings saved
}

func ExampleMiddleware_RequireFreshFactor() {
	emu, c, cookies := exampleWorld()
	defer emu.Close()
	m := newMiddleware(c, middleware.WithStepUpURL("/auth/step-up"))
	defer m.Close()

	// The session was started with an email magic link only: a route that
	// wants a second factor from the last ten minutes asks for a step-up.
	h := m.RequireFreshFactor(middleware.MFAFactor, 10*time.Minute)(http.NotFoundHandler())
	fmt.Println(call(h, withCookies("/billing", cookies)))
	// Output: 403 {"error":{"code":"step_up_required","message":"recent authentication required","factor":"mfa","within_seconds":600}}
}

func ExampleNewContext() {
	// Handlers that read the session can be tested without the middleware.
	s := &middleware.Session{MemberID: "member-test-1", Roles: []string{"stytch_member"}}
	r := httptest.NewRequest(http.MethodGet, "/", nil).WithContext(middleware.NewContext(context.Background(), s))
	got, ok := middleware.SessionFrom(r.Context())
	fmt.Println(got.MemberID, ok, got.HasRole("stytch_admin"))
	// Output: member-test-1 true false
}

func ExampleTokenFromHeader() {
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("Authorization", "Bearer eyJhbGciOiJSUzI1NiJ9.e30.c2ln")
	fmt.Println(middleware.TokenFromHeader(r))
	// Output: eyJhbGciOiJSUzI1NiJ9.e30.c2ln
}

func ExampleIsSafeReturnPath() {
	for _, p := range []string{"/admin?tab=roles", "//evil.example", "https://evil.example"} {
		fmt.Println(p, middleware.IsSafeReturnPath(p))
	}
	// Output:
	// /admin?tab=roles true
	// //evil.example false
	// https://evil.example false
}
