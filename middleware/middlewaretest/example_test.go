package middlewaretest_test

import (
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/b2bauth/b2bauth/emulator"
	"github.com/b2bauth/b2bauth/middleware"
	"github.com/b2bauth/b2bauth/middleware/middlewaretest"
)

// mount is the Mount of a plain net/http router. An adapter builds the same
// routes with its framework's router, middleware and session accessor.
func mount(m *middleware.Middleware) http.Handler {
	show := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, ok := middleware.SessionFrom(r.Context())
		if !ok {
			io.WriteString(w, middlewaretest.AnonymousBody(middleware.FailureReason(r.Context())))
			return
		}
		io.WriteString(w, middlewaretest.Body(s))
	})
	mux := http.NewServeMux()
	mux.Handle("GET /me", m.RequireSession(show))
	mux.Handle("GET /optional", m.OptionalSession(show))
	mux.Handle("GET /admin", m.RequirePermission(middlewaretest.Resource, middlewaretest.ActionWrite)(show))
	mux.Handle("GET /role", m.RequireRole("stytch_admin")(show))
	mux.Handle("GET /fresh", m.RequireFreshFactor(middleware.MFAFactor, 10*time.Minute)(show))
	return mux
}

// ExampleRunConformance shows an adapter's conformance test. It needs the
// test's *testing.T, so it is compiled but not run here.
func ExampleRunConformance() {
	// In the adapter's _test.go file:
	conformance := func(t *testing.T) {
		middlewaretest.RunConformance(t, mount)
	}
	_ = conformance // func TestConformance(t *testing.T) { ... }
}

// ExampleNewEnv shows a test of an application handler against a seeded
// emulator. It needs the test's testing.TB, so it is compiled but not run
// here.
func ExampleNewEnv() {
	// In a _test.go file:
	testDocuments := func(t *testing.T) {
		e := middlewaretest.NewEnv(t)
		h := e.Middleware.RequirePermission(middlewaretest.Resource, middlewaretest.ActionWrite)(
			http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "saved") }))
		save := func(token, jwt string) int {
			r := httptest.NewRequest(http.MethodPost, "/documents/1", nil)
			for _, c := range e.SessionCookies(token, jwt) {
				r.AddCookie(c)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			return w.Code
		}

		if code := save(e.Login(t, e.MemberID)); code != http.StatusForbidden {
			t.Errorf("a member saved a document: status %d", code)
		}
		token, jwt := e.Login(t, e.EditorID)
		if code := save(token, jwt); code != http.StatusOK {
			t.Errorf("an editor could not save a document: status %d", code)
		}
		// Six minutes later the JWT has aged out and is checked with Stytch.
		e.Clock.Advance(6 * time.Minute)
		if code := save(token, jwt); code != http.StatusOK || e.AuthenticateCalls() != 1 {
			t.Errorf("status %d after %d sessions authenticate calls, want 200 after 1", code, e.AuthenticateCalls())
		}
	}
	_ = testDocuments // func TestDocuments(t *testing.T) { ... }
}

// ExampleNewEnv_appHandler tests an app's own handler with the app's own
// organizations and login URL, and a real signed session. It needs the
// test's *testing.T, so it is compiled but not run here.
func ExampleNewEnv_appHandler() {
	// In a _test.go file of the app:
	testInvoices := func(t *testing.T) {
		e := middlewaretest.NewEnv(t,
			middlewaretest.WithSeed(emulator.Seed{
				Organizations: []emulator.OrganizationSeed{{Name: "Initech", Slug: "initech"}},
				Members:       []emulator.MemberSeed{{Organization: "initech", Email: "peter@initech.test"}},
			}),
			middlewaretest.WithMiddlewareOptions(middleware.WithLoginURL("/auth/login")))
		invoices := e.Middleware.RequireSession(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s, _ := middleware.SessionFrom(r.Context())
			io.WriteString(w, "invoices of "+s.OrganizationID)
		}))

		peter := e.Member(t, "initech", "peter@initech.test")
		r := e.SignIn(t, httptest.NewRequest(http.MethodGet, "/invoices", nil), peter)
		w := httptest.NewRecorder()
		invoices.ServeHTTP(w, r)
		if w.Code != http.StatusOK {
			t.Errorf("status %d, want 200", w.Code)
		}
	}
	_ = testInvoices // func TestInvoices(t *testing.T) { ... }
}

// ExampleMount serves the conformance routes of a net/http router by hand,
// as RunConformance does through every case of its table.
func ExampleMount() {
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
	m, err := middleware.New(c, middleware.WithLoginURL(middlewaretest.LoginURL))
	if err != nil {
		log.Fatal(err)
	}
	defer m.Close()

	memberID, _ := emu.MemberID("acme", "ada@acme.test")
	orgID, _ := emu.OrganizationID("acme")
	_, jwt, err := emu.CreateSession(memberID)
	if err != nil {
		log.Fatal(err)
	}
	want := middlewaretest.Body(&middleware.Session{MemberID: memberID, OrganizationID: orgID})

	h := mount(m)
	for _, path := range []string{"/me", "/role", "/optional"} {
		r := httptest.NewRequest(http.MethodGet, path, nil)
		r.Header.Set("Authorization", "Bearer "+jwt)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		fmt.Println(path, w.Code, w.Body.String() == want)
	}

	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/optional", nil))
	fmt.Println("/optional", w.Code, w.Body.String())
	// Output:
	// /me 200 true
	// /role 200 true
	// /optional 200 true
	// /optional 200 anonymous reason=session_missing
}

func ExampleBody() {
	s := &middleware.Session{MemberID: "member-test-1", OrganizationID: "organization-test-1"}
	fmt.Println(middlewaretest.Body(s))
	// Output: member=member-test-1 org=organization-test-1
}

func ExampleAnonymousBody() {
	fmt.Println(middlewaretest.AnonymousBody(middleware.ErrNoSession))
	fmt.Println(middlewaretest.AnonymousBody(fmt.Errorf("jwt: %w", middleware.ErrInvalidToken)))
	fmt.Println(middlewaretest.AnonymousBody(nil))
	// Output:
	// anonymous reason=session_missing
	// anonymous reason=token_invalid
	// anonymous reason=none
}

// ExampleClock moves the emulator and the middleware through time together:
// a session JWT older than the maximum token age (5 minutes) is checked with
// Stytch again, without sleeping.
func ExampleClock() {
	clk := middlewaretest.NewClock(time.Date(2030, time.January, 2, 9, 0, 0, 0, time.UTC))
	emu, err := emulator.New(emulator.WithClock(clk.Now), emulator.WithSeed(emulator.Seed{
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
	m, err := middleware.New(c, middleware.WithClock(clk.Now))
	if err != nil {
		log.Fatal(err)
	}
	defer m.Close()

	memberID, _ := emu.MemberID("acme", "ada@acme.test")
	token, jwt, err := emu.CreateSession(memberID)
	if err != nil {
		log.Fatal(err)
	}
	h := m.RequireSession(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	visit := func() {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.AddCookie(&http.Cookie{Name: middleware.DefaultSessionCookie, Value: token})
		r.AddCookie(&http.Cookie{Name: middleware.DefaultJWTCookie, Value: jwt})
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		fmt.Println(clk.Now().Format(time.Kitchen), w.Code, emu.Calls(http.MethodPost, "/v1/b2b/sessions/authenticate"))
	}

	visit()
	clk.Advance(6 * time.Minute)
	visit()
	// Output:
	// 9:00AM 200 0
	// 9:06AM 200 1
}

func ExampleNewDiscard() {
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

	// In a benchmark, the handler writes into a Discard instead of a
	// recorder; its headers are still there to check.
	h := m.RequireSession(http.NotFoundHandler())
	w := middlewaretest.NewDiscard()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
	fmt.Println(w.Header().Get("Content-Type"), w.Header().Get("Cache-Control"))
	// Output: application/json no-store
}
