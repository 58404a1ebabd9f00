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

	"github.com/b2bauth/b2bauth/client"
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

func ExampleMiddleware_RequireSession() {
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
	defer m.Close()

	h := m.RequireSession(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, _ := middleware.SessionFrom(r.Context())
		fmt.Fprint(w, "hello ", s.OrganizationSlug)
	}))

	// API clients get the page or a JSON 401.
	ada, _ := emu.MemberID("acme", "ada@acme.test")
	_, jwt, err := emu.CreateSession(ada)
	if err != nil {
		log.Fatal(err)
	}
	for _, auth := range []string{"Bearer " + jwt, ""} {
		r := httptest.NewRequest(http.MethodGet, "/reports", nil)
		r.Header.Set("Authorization", auth)
		r.Header.Set("Accept", "application/json")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		fmt.Println(w.Code, strings.TrimSpace(w.Body.String()))
	}

	// A browser without a session goes to the login page and comes back.
	r := httptest.NewRequest(http.MethodGet, "/reports?year=2025", nil)
	r.Header.Set("Sec-Fetch-Mode", "navigate")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	fmt.Println(w.Code, w.Header().Get("Location"))
	// Output:
	// 200 hello acme
	// 401 {"error":{"code":"session_missing","message":"no session"}}
	// 303 /auth/login?return_to=%2Freports%3Fyear%3D2025
}

func ExampleMiddleware_OptionalSession() {
	emu, err := emulator.New()
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

	h := m.OptionalSession(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := middleware.SessionFrom(r.Context()); !ok {
			code, _ := middleware.Code(middleware.FailureReason(r.Context()))
			fmt.Fprint(w, "welcome, guest (", code, ")")
		}
	}))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
	fmt.Println(w.Code, w.Body.String())
	// Output: 200 welcome, guest (session_missing)
}

func ExampleMiddleware_Authorize() {
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

	ada, _ := emu.MemberID("acme", "ada@acme.test")
	_, jwt, err := emu.CreateSession(ada)
	if err != nil {
		log.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodPost, "/settings", nil)
	r.Header.Set("Authorization", "Bearer "+jwt)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	fmt.Println(w.Code, w.Body.String())
	// Output: 200 settings saved
}

// A route guarding the documents of the organization named in its path
// refuses an admin of another organization with the tenancy reason.
func ExampleInOrganization() {
	emu, err := emulator.New(emulator.WithSeed(emulator.Seed{
		Organizations: []emulator.OrganizationSeed{{Name: "Acme", Slug: "acme"}, {Name: "Globex", Slug: "globex"}},
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
	mux.Handle("GET /orgs/{org}/documents", m.RequirePermission("stytch.member", "delete", middleware.InOrganization(
		func(r *http.Request) string { return r.PathValue("org") },
	))(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "documents")
	})))

	ada, _ := emu.MemberID("acme", "ada@acme.test")
	_, jwt, err := emu.CreateSession(ada)
	if err != nil {
		log.Fatal(err)
	}
	for _, slug := range []string{"acme", "globex"} {
		org, _ := emu.OrganizationID(slug)
		r := httptest.NewRequest(http.MethodGet, "/orgs/"+org+"/documents", nil)
		r.Header.Set("Authorization", "Bearer "+jwt)
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, r)
		fmt.Println(slug, w.Code, strings.TrimSpace(w.Body.String()))
	}
	// Output:
	// acme 200 documents
	// globex 403 {"error":{"code":"session_authorization_tenancy_error","message":"resource of another organization"}}
}

func ExampleMiddleware_RequireFreshFactor() {
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
	m, err := middleware.New(c, middleware.WithStepUpURL("/auth/step-up"))
	if err != nil {
		log.Fatal(err)
	}
	defer m.Close()

	// The session was started with an email magic link only: a route that
	// wants a second factor from the last ten minutes asks for a step-up.
	h := m.RequireFreshFactor(middleware.MFAFactor, 10*time.Minute)(http.NotFoundHandler())
	ada, _ := emu.MemberID("acme", "ada@acme.test")
	_, jwt, err := emu.CreateSession(ada)
	if err != nil {
		log.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodGet, "/billing", nil)
	r.Header.Set("Authorization", "Bearer "+jwt)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	fmt.Println(w.Code, strings.TrimSpace(w.Body.String()))
	// Output: 403 {"error":{"code":"step_up_required","message":"recent authentication required","factor":"mfa","within_seconds":600}}
}

func ExampleMiddleware_RequireScopes() {
	emu, err := emulator.New(emulator.WithSeed(emulator.Seed{
		M2MClients: []emulator.M2MClientSeed{{ID: "m2m-client-test-reports", Scopes: []string{"read:reports", "write:reports"}}},
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

	h := m.RequireScopes("write:reports")(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		machine, _ := middleware.M2MClientFrom(r.Context())
		fmt.Fprint(w, "report saved for ", machine.ClientID)
	}))
	// A token granting every scope of the client, then one granting reading only.
	for _, scopes := range [][]string{nil, {"read:reports"}} {
		token, err := emu.M2MToken("m2m-client-test-reports", scopes...)
		if err != nil {
			log.Fatal(err)
		}
		r := httptest.NewRequest(http.MethodPost, "/reports", nil)
		r.Header.Set("Authorization", "Bearer "+token)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		fmt.Println(w.Code, strings.TrimSpace(w.Body.String()))
	}
	// Output:
	// 200 report saved for m2m-client-test-reports
	// 403 {"error":{"code":"insufficient_scope","message":"insufficient scope"}}
}

func ExampleWithErrorHandler() {
	emu, err := emulator.New()
	if err != nil {
		log.Fatal(err)
	}
	defer emu.Close()
	c, err := emu.Client()
	if err != nil {
		log.Fatal(err)
	}

	// API clients get this service's own error shape; browsers keep the
	// default redirects and pages.
	var m *middleware.Middleware
	m, err = middleware.New(c,
		middleware.WithLoginURL("/auth/login"),
		middleware.WithErrorHandler(func(w http.ResponseWriter, r *http.Request, err error) {
			if middleware.IsNavigation(r) {
				m.DefaultErrorHandler(w, r, err)
				return
			}
			code, status := middleware.Code(err)
			http.Error(w, "denied: "+code, status)
		}))
	if err != nil {
		log.Fatal(err)
	}
	defer m.Close()

	h := m.RequireSession(http.NotFoundHandler())
	for _, mode := range []string{"cors", "navigate"} {
		r := httptest.NewRequest(http.MethodGet, "/reports", nil)
		r.Header.Set("Sec-Fetch-Mode", mode)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if loc := w.Header().Get("Location"); loc != "" {
			fmt.Println(w.Code, loc)
		} else {
			fmt.Println(w.Code, strings.TrimSpace(w.Body.String()))
		}
	}
	// Output:
	// 401 denied: session_missing
	// 303 /auth/login?return_to=%2Freports
}

func ExampleCode() {
	for _, err := range []error{
		middleware.ErrNoSession,
		fmt.Errorf("reports: %w", middleware.ErrPermissionDenied),
		&middleware.StepUpError{Kind: middleware.MFAFactor, Within: 5 * time.Minute},
		middleware.ErrUnavailable,
		errors.New("something else"),
	} {
		fmt.Println(middleware.Code(err))
	}
	// Output:
	// session_missing 401
	// permission_denied 403
	// step_up_required 403
	// stytch_unavailable 503
	// internal_error 500
}

func ExampleTokenFromCookie() {
	src := middleware.TokenFromCookie("app_jwt")
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("Cookie", `theme=dark; app_jwt="eyJhbGciOiJSUzI1NiJ9.e30.c2ln"`)
	fmt.Println(src(r))
	fmt.Printf("%q\n", middleware.TokenFromCookie("other")(r))
	// Output:
	// eyJhbGciOiJSUzI1NiJ9.e30.c2ln
	// ""
}

func ExampleIsNavigation() {
	page := httptest.NewRequest(http.MethodGet, "/reports", nil)
	page.Header.Set("Sec-Fetch-Mode", "navigate")

	fetch := httptest.NewRequest(http.MethodGet, "/api/reports", nil)
	fetch.Header.Set("Sec-Fetch-Mode", "cors")
	fetch.Header.Set("Accept", "text/html")

	// Without Fetch metadata, a GET asking for HTML.
	old := httptest.NewRequest(http.MethodGet, "/reports", nil)
	old.Header.Set("Accept", "text/html,application/xhtml+xml")

	form := httptest.NewRequest(http.MethodPost, "/reports", nil)
	form.Header.Set("Accept", "text/html")

	for _, r := range []*http.Request{page, fetch, old, form} {
		fmt.Println(r.Method, r.URL.Path, middleware.IsNavigation(r))
	}
	// Output:
	// GET /reports true
	// GET /api/reports false
	// GET /reports true
	// POST /reports false
}

func ExampleSession_LastFactorAt() {
	at := func(hh, mm int) *time.Time {
		t := time.Date(2030, time.January, 2, hh, mm, 0, 0, time.UTC)
		return &t
	}
	s := &middleware.Session{AuthenticationFactors: []client.AuthenticationFactor{
		{Type: "magic_link", DeliveryMethod: "email", LastAuthenticatedAt: at(9, 30)},
		{Type: "totp", DeliveryMethod: "authenticator_app", LastAuthenticatedAt: at(9, 0)},
	}}
	fmt.Println(s.LastFactorAt(middleware.AnyFactor).Format(time.Kitchen))
	fmt.Println(s.LastFactorAt(middleware.MFAFactor).Format(time.Kitchen))
	fmt.Println((&middleware.Session{}).LastFactorAt(middleware.MFAFactor).IsZero())
	// Output:
	// 9:30AM
	// 9:00AM
	// true
}

func ExampleFactorKind_String() {
	// Kinds print as the "factor" field of step-up answers names them.
	fmt.Println(middleware.AnyFactor, middleware.MFAFactor)
	fmt.Printf("step up: %s within %s\n", middleware.MFAFactor, 10*time.Minute)
	// Output:
	// any mfa
	// step up: mfa within 10m0s
}
