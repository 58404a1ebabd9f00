package middleware_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/b2bauth/b2bauth/middleware"
)

func ExampleNew() {
	emu, c, cookies := exampleWorld()
	defer emu.Close()

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

	fmt.Println(call(mux, withCookies("/dashboard", cookies)))
	fmt.Println(call(mux, withCookies("/dashboard", nil)))
	// Output:
	// 200 hello admin=true of acme
	// 401 {"error":{"code":"session_missing","message":"no session"}}
}

func ExampleMiddleware_RequirePermission() {
	emu, c, cookies := exampleWorld()
	defer emu.Close()
	m := newMiddleware(c)
	defer m.Close()

	// stytch_admin holds every permission of the project's policy.
	admin := m.RequirePermission("stytch.member", "delete")(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "member deleted")
	}))
	fmt.Println(call(admin, withCookies("/members/42", cookies)))
	// Output: 200 member deleted
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
