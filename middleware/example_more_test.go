package middleware_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"time"

	"github.com/b2bauth/b2bauth/client"
	"github.com/b2bauth/b2bauth/emulator"
	"github.com/b2bauth/b2bauth/middleware"
	"github.com/b2bauth/b2bauth/middleware/middlewaretest"
)

func ExampleMiddleware_RequireSession() {
	emu, c, cookies := exampleWorld()
	defer emu.Close()
	m := newMiddleware(c, middleware.WithLoginURL("/auth/login"))
	defer m.Close()

	h := m.RequireSession(hello)

	// API clients get the page or a JSON 401.
	fmt.Println(call(h, withCookies("/reports", cookies)))
	fmt.Println(call(h, withCookies("/reports", nil)))
	// A browser without a session goes to the login page and comes back.
	fmt.Println(navigate(h, "/reports?year=2025", nil))
	// Output:
	// 200 hello acme
	// 401 {"error":{"code":"session_missing","message":"no session"}}
	// 303 /auth/login?return_to=%2Freports%3Fyear%3D2025
}

func ExampleMiddleware_RequireRole() {
	emu, c, admin := exampleWorld()
	defer emu.Close()
	member := addMember(emu, emulator.MemberSeed{Email: "bob@acme.test"})
	m := newMiddleware(c)
	defer m.Close()

	h := m.RequireRole("stytch_admin")(hello)
	fmt.Println(call(h, withCookies("/admin", admin)))
	fmt.Println(call(h, withCookies("/admin", member)))
	// Output:
	// 200 hello acme
	// 403 {"error":{"code":"role_required","message":"role required"}}
}

// A session whose member entered an SMS code a minute ago passes the route
// that ExampleMiddleware_RequireFreshFactor refuses.
func ExampleMiddleware_RequireFreshFactor_recentSMS() {
	emu, c, _ := exampleWorld()
	defer emu.Close()
	cookies := addMember(emu,
		emulator.MemberSeed{Email: "bob@acme.test", Phone: "+15555550123", MFAPhoneNumberVerified: true},
		emulator.WithSessionFactors(
			emulator.Factor{Type: "magic_link", DeliveryMethod: "email", At: time.Now().Add(-time.Hour)},
			emulator.Factor{Type: "otp", DeliveryMethod: "sms", At: time.Now().Add(-time.Minute)},
		))
	m := newMiddleware(c)
	defer m.Close()

	h := m.RequireFreshFactor(middleware.MFAFactor, 10*time.Minute)(hello)
	fmt.Println(call(h, withCookies("/billing", cookies)))
	// Output: 200 hello acme
}

func ExampleMiddleware_Credentials() {
	emu, c, _ := exampleWorld()
	defer emu.Close()
	m := newMiddleware(c)
	defer m.Close()

	// Credentials reads what a request presents without verifying it, e.g. to
	// revoke a session on logout even when its JWT no longer verifies.
	r := httptest.NewRequest(http.MethodPost, "/logout", nil)
	r.Header.Set("Authorization", "Bearer header.jwt.value")
	r.AddCookie(&http.Cookie{Name: middleware.DefaultSessionCookie, Value: "opaque-session-token"})
	token, jwt := m.Credentials(r)
	fmt.Println(token)
	fmt.Println(jwt)
	// Output:
	// opaque-session-token
	// header.jwt.value
}

func ExampleMiddleware_SetSessionCookies() {
	emu, c, _ := exampleWorld()
	defer emu.Close()
	m := newMiddleware(c)
	defer m.Close()

	// A custom login handler writes the session Stytch returned with the
	// middleware's cookie settings, so the middleware finds it again.
	w := httptest.NewRecorder()
	expires := time.Date(2030, time.January, 2, 15, 4, 5, 0, time.UTC)
	m.SetSessionCookies(w, "session-token", "session.jwt.value", expires)
	for _, line := range w.Header().Values("Set-Cookie") {
		fmt.Println(line)
	}
	// Output:
	// stytch_session=session-token; Path=/; Expires=Wed, 02 Jan 2030 15:04:05 GMT; HttpOnly; Secure; SameSite=Lax
	// stytch_session_jwt=session.jwt.value; Path=/; Expires=Wed, 02 Jan 2030 15:04:05 GMT; HttpOnly; Secure; SameSite=Lax
}

func ExampleMiddleware_ClearSessionCookies() {
	emu, c, _ := exampleWorld()
	defer emu.Close()
	m := newMiddleware(c)
	defer m.Close()

	w := httptest.NewRecorder()
	m.ClearSessionCookies(w)
	for _, line := range w.Header().Values("Set-Cookie") {
		fmt.Println(line)
	}
	// Output:
	// stytch_session=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Lax
	// stytch_session_jwt=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Lax
}

func ExampleMiddleware_DefaultErrorHandler() {
	emu, c, _ := exampleWorld()
	defer emu.Close()
	m := newMiddleware(c)
	defer m.Close()

	w := httptest.NewRecorder()
	r := httptest.NewRequest(http.MethodGet, "/reports", nil)
	m.DefaultErrorHandler(w, r, middleware.ErrUnavailable)
	fmt.Println(w.Code, w.Header().Get("Retry-After"), w.Header().Get("Cache-Control"))
	fmt.Print(w.Body.String())
	// Output:
	// 503 5 no-store
	// {"error":{"code":"stytch_unavailable","message":"authentication service unavailable"}}
}

func ExampleWithErrorHandler() {
	emu, c, _ := exampleWorld()
	defer emu.Close()

	// API clients get this service's own error shape; browsers keep the
	// default redirects and pages.
	var m *middleware.Middleware
	m, err := middleware.New(c,
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

	h := m.RequireSession(hello)
	fmt.Println(call(h, withCookies("/api/reports", nil)))
	fmt.Println(navigate(h, "/reports", nil))
	// Output:
	// 401 denied: session_missing
	// 303 /auth/login?return_to=%2Freports
}

func ExampleSessionFrom() {
	emu, c, cookies := exampleWorld()
	defer emu.Close()
	m := newMiddleware(c)
	defer m.Close()

	h := m.OptionalSession(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, ok := middleware.SessionFrom(r.Context())
		if !ok {
			fmt.Fprint(w, "guest")
			return
		}
		fmt.Fprint(w, s.OrganizationSlug, " ", s.Roles)
	}))
	fmt.Println(call(h, withCookies("/", cookies)))
	fmt.Println(call(h, withCookies("/", nil)))

	// A context the middleware never saw carries no session.
	_, ok := middleware.SessionFrom(context.Background())
	fmt.Println(ok)
	// Output:
	// 200 acme [stytch_member stytch_admin]
	// 200 guest
	// false
}

func ExampleFailureReason() {
	emu, c, cookies := exampleWorld()
	defer emu.Close()
	m := newMiddleware(c)
	defer m.Close()

	h := m.OptionalSession(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reason := middleware.FailureReason(r.Context())
		if reason == nil {
			fmt.Fprint(w, "signed in")
			return
		}
		code, _ := middleware.Code(reason)
		fmt.Fprint(w, code, " ", errors.Is(reason, middleware.ErrInvalidToken))
	}))
	garbage := []*http.Cookie{{Name: middleware.DefaultJWTCookie, Value: "not.a.jwt"}}
	fmt.Println(call(h, withCookies("/", cookies)))
	fmt.Println(call(h, withCookies("/", garbage)))
	// Output:
	// 200 signed in
	// 200 token_invalid true
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

func ExampleError() {
	emu, c, _ := exampleWorld()
	defer emu.Close()
	cookies := addMember(emu, emulator.MemberSeed{Email: "bob@acme.test"})

	// The member logged out elsewhere: Stytch no longer knows the session.
	if _, err := c.Sessions.Revoke(context.Background(), &client.SessionsRevokeParams{SessionToken: cookies[0].Value}); err != nil {
		log.Fatal(err)
	}

	m := newMiddleware(c, middleware.WithErrorHandler(func(w http.ResponseWriter, r *http.Request, err error) {
		var e *middleware.Error
		if errors.As(err, &e) {
			fmt.Println(e.Code, e.Status, e.Message())
		}
		fmt.Println(errors.Is(err, middleware.ErrSessionInvalid))
		// The cause is Stytch's answer.
		var apiErr *client.Error
		if errors.As(err, &apiErr) {
			fmt.Println(apiErr.ErrorType)
		}
		w.WriteHeader(http.StatusUnauthorized)
	}))
	defer m.Close()

	// Only the session token: it is checked with Stytch.
	m.RequireSession(hello).ServeHTTP(httptest.NewRecorder(), withCookies("/", cookies[:1]))
	// Output:
	// session_invalid 401 session expired or revoked
	// true
	// session_not_found
}

func ExampleStepUpError() {
	emu, c, cookies := exampleWorld()
	defer emu.Close()
	m := newMiddleware(c, middleware.WithErrorHandler(func(w http.ResponseWriter, r *http.Request, err error) {
		var stepUp *middleware.StepUpError
		if errors.As(err, &stepUp) {
			fmt.Println(stepUp.Kind, stepUp.Within, errors.Is(err, middleware.ErrStepUpRequired))
		}
		w.WriteHeader(http.StatusForbidden)
	}))
	defer m.Close()

	h := m.RequireFreshFactor(middleware.MFAFactor, 15*time.Minute)(hello)
	h.ServeHTTP(httptest.NewRecorder(), withCookies("/billing", cookies))
	// Output: mfa 15m0s true
}

func ExampleWithJWTSources() {
	emu, c, cookies := exampleWorld()
	defer emu.Close()

	// A mobile app sends the session JWT in a header of its own; browsers
	// still send the cookie.
	m := newMiddleware(c, middleware.WithJWTSources(
		func(r *http.Request) string { return r.Header.Get("X-Session-JWT") },
		middleware.TokenFromCookie(middleware.DefaultJWTCookie),
	))
	defer m.Close()

	h := m.RequireSession(hello)
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("X-Session-JWT", cookies[1].Value)
	fmt.Println(call(h, r))

	// TokenFromHeader is no longer a source.
	r = httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("Authorization", "Bearer "+cookies[1].Value)
	fmt.Println(call(h, r))
	// Output:
	// 200 hello acme
	// 401 {"error":{"code":"session_missing","message":"no session"}}
}

func ExampleWithSessionTokenSources() {
	emu, c, cookies := exampleWorld()
	defer emu.Close()
	m := newMiddleware(c, middleware.WithSessionTokenSources(
		func(r *http.Request) string { return r.Header.Get("X-Session-Token") },
	))
	defer m.Close()

	// An opaque session token is checked with Stytch on every request
	// that brings no JWT.
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("X-Session-Token", cookies[0].Value)
	fmt.Println(call(m.RequireSession(hello), r))
	fmt.Println(emu.Calls(http.MethodPost, "/v1/b2b/sessions/authenticate"))
	// Output:
	// 200 hello acme
	// 1
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

func ExampleWithNavigationDetector() {
	emu, c, _ := exampleWorld()
	defer emu.Close()

	// Nothing under /api/ is ever redirected to the login page, even when a
	// browser opens it directly.
	m := newMiddleware(c,
		middleware.WithLoginURL("/auth/login"),
		middleware.WithNavigationDetector(func(r *http.Request) bool {
			return !strings.HasPrefix(r.URL.Path, "/api/") && middleware.IsNavigation(r)
		}))
	defer m.Close()

	h := m.RequireSession(hello)
	fmt.Println(navigate(h, "/api/reports", nil))
	fmt.Println(navigate(h, "/reports", nil))
	// Output:
	// 401
	// 303 /auth/login?return_to=%2Freports
}

func ExampleWithLoginURL() {
	emu, c, _ := exampleWorld()
	defer emu.Close()
	m := newMiddleware(c,
		middleware.WithLoginURL("/auth/login"),
		middleware.WithReturnParam("next"))
	defer m.Close()

	fmt.Println(navigate(m.RequireSession(hello), "/reports?year=2025", nil))
	// Output: 303 /auth/login?next=%2Freports%3Fyear%3D2025
}

func ExampleWithStepUpURL() {
	emu, c, cookies := exampleWorld()
	defer emu.Close()
	m := newMiddleware(c, middleware.WithStepUpURL("/auth/step-up"))
	defer m.Close()

	h := m.RequireFreshFactor(middleware.MFAFactor, 10*time.Minute)(hello)
	fmt.Println(navigate(h, "/billing", cookies))
	// Output: 303 /auth/step-up?return_to=%2Fbilling
}

func ExampleWithRetryAfter() {
	emu, c, cookies := exampleWorld()
	defer emu.Close()
	m := newMiddleware(c, middleware.WithRetryAfter(30*time.Second))
	defer m.Close()

	// Stytch is down and the request brings only a session token: the
	// session cannot be decided, which is not a logout.
	emu.SetFault(emulator.Fault{Path: "/v1/b2b/sessions/authenticate", Status: http.StatusServiceUnavailable})
	w := httptest.NewRecorder()
	m.RequireSession(hello).ServeHTTP(w, withCookies("/", cookies[:1]))
	fmt.Println(w.Code, w.Header().Get("Retry-After"), len(w.Result().Cookies()))
	// Output: 503 30 0
}

func ExampleWithCookieNames() {
	emu, c, _ := exampleWorld()
	defer emu.Close()

	// __Host- cookies cannot be set for other hosts or paths: New checks the
	// settings a browser would refuse.
	_, err := middleware.New(c,
		middleware.WithCookieNames("__Host-session", "__Host-session_jwt"),
		middleware.WithCookieDomain("example.com"))
	fmt.Println(err)

	m, err := middleware.New(c, middleware.WithCookieNames("__Host-session", "__Host-session_jwt"))
	if err != nil {
		log.Fatal(err)
	}
	defer m.Close()
	w := httptest.NewRecorder()
	m.SetSessionCookies(w, "session-token", "", time.Time{})
	fmt.Println(w.Header().Get("Set-Cookie"))
	// Output:
	// b2bauth: cookie "__Host-session": the __Host- prefix requires Secure, Path "/" and no Domain
	// __Host-session=session-token; Path=/; HttpOnly; Secure; SameSite=Lax
}

// readOnly is a PolicyAuthorizer that allows reading and nothing else.
type readOnly struct{}

func (readOnly) Authorize(_ context.Context, _ string, _ []string, check client.AuthorizationCheck) error {
	if check.Action == "read" {
		return nil
	}
	return client.ErrAuthorizationDenied
}

func ExampleWithPolicyAuthorizer() {
	emu, c, cookies := exampleWorld()
	defer emu.Close()
	m := newMiddleware(c, middleware.WithPolicyAuthorizer(readOnly{}))
	defer m.Close()

	fmt.Println(call(m.RequirePermission("documents", "read")(hello), withCookies("/", cookies)))
	fmt.Println(call(m.RequirePermission("documents", "write")(hello), withCookies("/", cookies)))
	// Output:
	// 200 hello acme
	// 403 {"error":{"code":"permission_denied","message":"permission denied"}}
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

func ExampleSession_CustomClaims() {
	emu, c, _ := exampleWorld()
	defer emu.Close()
	cookies := addMember(emu, emulator.MemberSeed{Email: "bob@acme.test"},
		emulator.WithSessionCustomClaims(map[string]any{"plan": "enterprise"}))
	m := newMiddleware(c)
	defer m.Close()

	h := m.RequireSession(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, _ := middleware.SessionFrom(r.Context())
		fmt.Fprint(w, "plan ", s.CustomClaims()["plan"])
	}))
	fmt.Println(call(h, withCookies("/", cookies)))
	// Output: 200 plan enterprise
}

func ExampleWithMaxTokenAge() {
	clk := middlewaretest.NewClock(time.Date(2030, time.January, 2, 9, 0, 0, 0, time.UTC))
	emu, c, cookies := exampleWorld(emulator.WithClock(clk.Now))
	defer emu.Close()
	// Roles removed at Stytch reach this service within a minute instead
	// of the JWT's five, at the cost of more calls to Stytch.
	m := newMiddleware(c, middleware.WithClock(clk.Now), middleware.WithMaxTokenAge(time.Minute))
	defer m.Close()

	h := m.RequireSession(hello)
	for range 2 {
		fmt.Println(call(h, withCookies("/", cookies)), emu.Calls(http.MethodPost, "/v1/b2b/sessions/authenticate"))
		clk.Advance(2 * time.Minute)
	}
	// Output:
	// 200 hello acme 0
	// 200 hello acme 1
}

func ExampleWithInsecureCookies() {
	emu, c, _ := exampleWorld()
	defer emu.Close()

	// A development server on http://dev.internal:8080, under /app.
	m := newMiddleware(c,
		middleware.WithInsecureCookies(),
		middleware.WithCookiePath("/app"),
		middleware.WithSameSite(http.SameSiteStrictMode))
	defer m.Close()

	w := httptest.NewRecorder()
	m.SetSessionCookies(w, "session-token", "", time.Time{})
	fmt.Println(w.Header().Get("Set-Cookie"))
	// Output: stytch_session=session-token; Path=/app; HttpOnly; SameSite=Strict
}

// meteredAuthenticator counts the sessions authenticate calls the
// middleware makes, e.g. for a metric.
type meteredAuthenticator struct {
	next  middleware.SessionAuthenticator
	calls *atomic.Int64
}

func (a meteredAuthenticator) Authenticate(ctx context.Context, p *client.SessionsAuthenticateParams) (*client.SessionsAuthenticateResponse, error) {
	a.calls.Add(1)
	return a.next.Authenticate(ctx, p)
}

func ExampleWithAuthenticator() {
	emu, c, cookies := exampleWorld()
	defer emu.Close()
	var calls atomic.Int64
	m := newMiddleware(c, middleware.WithAuthenticator(meteredAuthenticator{next: c.Sessions, calls: &calls}))
	defer m.Close()

	// A JWT is verified locally; a lone session token is checked remotely.
	h := m.RequireSession(hello)
	fmt.Println(call(h, withCookies("/", cookies)), calls.Load())
	fmt.Println(call(h, withCookies("/", cookies[:1])), calls.Load())
	// Output:
	// 200 hello acme 0
	// 200 hello acme 1
}

// A route guarding the documents of the organization named in its path
// refuses an admin of another organization with the tenancy reason.
func ExampleInOrganization() {
	emu, c, cookies := exampleWorld()
	defer emu.Close()
	m := newMiddleware(c)
	defer m.Close()
	acme, _ := emu.OrganizationID("acme")
	other, err := emu.AddOrganization(emulator.OrganizationSeed{Name: "Globex", Slug: "globex"})
	if err != nil {
		log.Fatal(err)
	}

	mux := http.NewServeMux()
	mux.Handle("GET /orgs/{org}/documents", m.RequirePermission("stytch.member", "delete", middleware.InOrganization(
		func(r *http.Request) string { return r.PathValue("org") },
	))(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "documents of ", r.PathValue("org"))
	})))
	fmt.Println(call(mux, withCookies("/orgs/"+acme+"/documents", cookies)) == "200 documents of "+acme)
	fmt.Println(call(mux, withCookies("/orgs/"+other+"/documents", cookies)))
	// Output:
	// true
	// 403 {"error":{"code":"session_authorization_tenancy_error","message":"resource of another organization"}}
}
