package middleware_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/b2bauth/b2bauth/client"
	"github.com/b2bauth/b2bauth/emulator"
	"github.com/b2bauth/b2bauth/middleware"
	"github.com/b2bauth/b2bauth/middleware/middlewaretest"
)

// outputCase runs a scenario that writes what it observes to out; the test
// compares that with want, ignoring leading and trailing space.
type outputCase struct {
	name string
	run  func(t *testing.T, out io.Writer)
	want string
}

func runOutputCases(t *testing.T, tests []outputCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var out bytes.Buffer
			tt.run(t, &out)
			if got, want := strings.TrimSpace(out.String()), strings.TrimSpace(tt.want); got != want {
				t.Errorf("got:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

// TestOptionEffects checks what each option does, as its doc comment says.
func TestOptionEffects(t *testing.T) {
	t.Parallel()
	runOutputCases(t, []outputCase{
		{
			// shows what the verified-JWT cache saves: the
			// signature check of a JWT seen before. Two members take turns; the key
			// lookups before each signature check are counted.
			name: "WithCacheSize saves the signature check of a JWT seen before",
			run: func(t *testing.T, out io.Writer) {
				emu, c, ada := newWorld(t)
				bob := addMember(t, emu, emulator.MemberSeed{Email: "bob@acme.test"})
				jwks, err := c.NewJWKS(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				defer jwks.Close()

				for _, size := range []int{10000, 1, 0} {
					var checks atomic.Int64
					m := newMiddleware(t, c,
						middleware.WithCacheSize(size),
						middleware.WithKeyfunc(func(t *jwt.Token) (any, error) {
							checks.Add(1)
							return jwks.Keyfunc(t)
						}))
					h := m.RequireSession(hello)
					for range 2 {
						call(h, withCookies("/", ada))
						call(h, withCookies("/", bob))
					}
					m.Close()
					fmt.Fprintf(out, "WithCacheSize(%d): 4 requests, %d signature checks\n", size, checks.Load())
				}
				// Cached or not, a valid JWT never costs a call to Stytch.
				fmt.Fprintln(out, "sessions authenticate calls:", emu.Calls(http.MethodPost, authenticatePath))
			},
			want: `WithCacheSize(10000): 4 requests, 2 signature checks
WithCacheSize(1): 4 requests, 4 signature checks
WithCacheSize(0): 4 requests, 4 signature checks
sessions authenticate calls: 0`,
		},
		{
			// fetches the key set through the application's own
			// HTTP client (an egress proxy, a tracing transport), and fetches it again at
			// most once an hour for JWTs naming a key it does not hold.
			name: "WithJWKSOptions fetches the key set through the given client after a rotation",
			run: func(t *testing.T, out io.Writer) {
				emu, c, _ := newWorld(t)

				keys := &countingTransport{}
				m := newMiddleware(t, c, middleware.WithJWKSOptions(
					client.WithJWKSHTTPClient(&http.Client{Transport: keys}),
					client.WithUnknownKIDInterval(time.Hour)))
				defer m.Close()
				fmt.Fprintln(out, "key set fetches after New:", keys.n.Load())

				// Stytch rotates its signing key: the first JWT with the new kid makes
				// the middleware fetch the key set again.
				emu.RotateKey()
				cookies := addMember(t, emu, emulator.MemberSeed{Email: "bob@acme.test"})
				fmt.Fprintln(out, call(m.RequireSession(hello), bearerRequest(cookies[1].Value)))
				fmt.Fprintln(out, "key set fetches after the rotation:", keys.n.Load())
			},
			want: `key set fetches after New: 1
200 hello acme
key set fetches after the rotation: 2`,
		},
		{
			// shares one key set between two middlewares, an API one
			// reading only the Authorization header and a browser one reading cookies:
			// one background refresh, one fetch. The key set belongs to the caller, who
			// closes it after the middlewares.
			name: "WithKeyfunc shares one key set fetch between two middlewares",
			run: func(t *testing.T, out io.Writer) {
				emu, c, cookies := newWorld(t)
				jwks, err := c.NewJWKS(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				defer jwks.Close()

				api := newMiddleware(t, c,
					middleware.WithKeyfunc(jwks.Keyfunc),
					middleware.WithJWTSources(middleware.TokenFromHeader),
					middleware.WithSessionTokenSources())
				defer api.Close()
				browser := newMiddleware(t, c, middleware.WithKeyfunc(jwks.Keyfunc), middleware.WithLoginURL("/auth/login"))
				defer browser.Close()

				fmt.Fprintln(out, call(api.RequireSession(hello), bearerRequest(cookies[1].Value)))
				fmt.Fprintln(out, call(browser.RequireSession(hello), withCookies("/", cookies)))
				fmt.Fprintln(out, "key set fetches:", emu.Calls(http.MethodGet, jwksPathPrefix+c.ProjectID()))
			},
			want: `200 hello acme
200 hello acme
key set fetches: 1`,
		},
		{
			// Stytch's clock runs 20 seconds ahead of this server's,
			// so a JWT it has just issued is not valid before (nbf) a time 20 seconds in
			// this server's future. A 30-second leeway absorbs the skew; without one the
			// JWT is refused until this server's clock catches up.
			name: "WithLeeway absorbs the skew of a Stytch clock running ahead",
			run: func(t *testing.T, out io.Writer) {
				clk := middlewaretest.NewClock(time.Date(2030, time.January, 2, 9, 0, 0, 0, time.UTC))
				stytchNow := func() time.Time { return clk.Now().Add(20 * time.Second) }
				_, c, cookies := newWorld(t, emulator.WithClock(stytchNow))

				for _, leeway := range []time.Duration{30 * time.Second, 0} {
					m := newMiddleware(t, c, middleware.WithClock(clk.Now), middleware.WithLeeway(leeway))
					fmt.Fprintf(out, "leeway %s: %s\n", leeway, call(m.RequireSession(hello), bearerRequest(cookies[1].Value)))
					m.Close()
				}
			},
			want: `leeway 30s: 200 hello acme
leeway 0s: 401 {"error":{"code":"token_invalid","message":"invalid session token"}}`,
		},
		{
			// logs why a request has no session, at debug level. A
			// member edits the signature of their JWT; the log names the reason, never
			// the credential.
			name: "WithLogger logs the reason for a refusal without the credential",
			run: func(t *testing.T, out io.Writer) {
				_, c, cookies := newWorld(t)

				var logs bytes.Buffer
				logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{
					Level: slog.LevelDebug,
					ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
						if a.Key == slog.TimeKey { // for a stable output
							return slog.Attr{}
						}
						return a
					},
				}))
				m := newMiddleware(t, c, middleware.WithLogger(logger))
				defer m.Close()

				forged := tamperSignature(cookies[1].Value)
				fmt.Fprintln(out, call(m.RequireSession(hello), bearerRequest(forged)))
				fmt.Fprint(out, logs.String())
				fmt.Fprintln(out, "the log holds the token:", strings.Contains(logs.String(), forged))
				fmt.Fprintln(out, "the log holds its signature:", strings.Contains(logs.String(), forged[strings.LastIndex(forged, ".")+1:]))
			},
			want: `401 {"error":{"code":"token_invalid","message":"invalid session token"}}
level=DEBUG msg="b2bauth: session rejected" reason="b2bauth: invalid session token: token signature is invalid: crypto/rsa: verification error"
the log holds the token: false
the log holds its signature: false`,
		},
		{
			// extends the session whenever the middleware
			// checks it with Stytch, here a request carrying only the session token ten
			// minutes into a one-hour session.
			name: "WithSessionDuration extends the session checked with Stytch",
			run: func(t *testing.T, out io.Writer) {
				clk := middlewaretest.NewClock(time.Date(2030, time.January, 2, 9, 0, 0, 0, time.UTC))
				_, c, cookies := newWorld(t, emulator.WithClock(clk.Now))
				clk.Advance(10 * time.Minute)

				expiresIn := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					s, _ := middleware.SessionFrom(r.Context())
					fmt.Fprint(w, "session expires in ", s.ExpiresAt.Sub(clk.Now()))
				})
				for _, opts := range [][]middleware.Option{
					{middleware.WithClock(clk.Now)},
					{middleware.WithClock(clk.Now), middleware.WithSessionDuration(8 * time.Hour)},
				} {
					m := newMiddleware(t, c, opts...)
					fmt.Fprintln(out, call(m.RequireSession(expiresIn), withCookies("/", cookies[:1])))
					m.Close()
				}
			},
			want: `200 session expires in 50m0s
200 session expires in 8h0m0s`,
		},
		{
			// shares the session cookies with the subdomains of
			// example.com, e.g. app.example.com and admin.example.com. Clearing them
			// names the same domain, or browsers would keep them.
			name: "WithCookieDomain sets and clears cookies on the domain",
			run: func(t *testing.T, out io.Writer) {
				_, c, _ := newWorld(t)
				m := newMiddleware(t, c, middleware.WithCookieDomain("example.com"))
				defer m.Close()

				w := httptest.NewRecorder()
				m.SetSessionCookies(w, "session-token", "", time.Time{})
				m.ClearSessionCookies(w)
				for _, line := range w.Header().Values("Set-Cookie") {
					fmt.Fprintln(out, line)
				}
			},
			want: `stytch_session=session-token; Path=/; Domain=example.com; HttpOnly; Secure; SameSite=Lax
stytch_session=; Path=/; Domain=example.com; Max-Age=0; HttpOnly; Secure; SameSite=Lax
stytch_session_jwt=; Path=/; Domain=example.com; Max-Age=0; HttpOnly; Secure; SameSite=Lax`,
		},
		{
			// runs the middleware on the test's clock, shared with the
			// emulator: moving it past the JWT's five minutes makes the middleware ask
			// Stytch, without waiting.
			name: "WithClock asks Stytch once the JWT is older than five minutes",
			run: func(t *testing.T, out io.Writer) {
				clk := middlewaretest.NewClock(time.Date(2030, time.January, 2, 9, 0, 0, 0, time.UTC))
				emu, c, cookies := newWorld(t, emulator.WithClock(clk.Now))
				m := newMiddleware(t, c, middleware.WithClock(clk.Now))
				defer m.Close()

				h := m.RequireSession(hello)
				for _, step := range []time.Duration{0, 4 * time.Minute, 2 * time.Minute} {
					clk.Advance(step)
					fmt.Fprintln(out, clk.Now().Format("15:04"), call(h, withCookies("/", cookies)),
						"- Stytch calls:", emu.Calls(http.MethodPost, authenticatePath))
				}
			},
			want: `09:00 200 hello acme - Stytch calls: 0
09:04 200 hello acme - Stytch calls: 0
09:06 200 hello acme - Stytch calls: 1`,
		},
		{
			name: "WithJWTSources replaces the default JWT sources",
			run: func(t *testing.T, out io.Writer) {
				_, c, cookies := newWorld(t)

				// A mobile app sends the session JWT in a header of its own; browsers
				// still send the cookie.
				m := newMiddleware(t, c, middleware.WithJWTSources(
					func(r *http.Request) string { return r.Header.Get("X-Session-JWT") },
					middleware.TokenFromCookie(middleware.DefaultJWTCookie),
				))
				defer m.Close()

				h := m.RequireSession(hello)
				r := httptest.NewRequest(http.MethodGet, "/", nil)
				r.Header.Set("X-Session-JWT", cookies[1].Value)
				fmt.Fprintln(out, call(h, r))

				// TokenFromHeader is no longer a source.
				r = httptest.NewRequest(http.MethodGet, "/", nil)
				r.Header.Set("Authorization", "Bearer "+cookies[1].Value)
				fmt.Fprintln(out, call(h, r))
			},
			want: `200 hello acme
401 {"error":{"code":"session_missing","message":"no session"}}`,
		},
		{
			name: "WithSessionTokenSources reads a token checked with Stytch",
			run: func(t *testing.T, out io.Writer) {
				emu, c, cookies := newWorld(t)
				m := newMiddleware(t, c, middleware.WithSessionTokenSources(
					func(r *http.Request) string { return r.Header.Get("X-Session-Token") },
				))
				defer m.Close()

				// An opaque session token is checked with Stytch on every request
				// that brings no JWT.
				r := httptest.NewRequest(http.MethodGet, "/", nil)
				r.Header.Set("X-Session-Token", cookies[0].Value)
				fmt.Fprintln(out, call(m.RequireSession(hello), r))
				fmt.Fprintln(out, emu.Calls(http.MethodPost, "/v1/b2b/sessions/authenticate"))
			},
			want: `200 hello acme
1`,
		},
		{
			name: "WithNavigationDetector keeps API paths from redirecting to login",
			run: func(t *testing.T, out io.Writer) {
				_, c, _ := newWorld(t)

				// Nothing under /api/ is ever redirected to the login page, even when a
				// browser opens it directly.
				m := newMiddleware(t, c,
					middleware.WithLoginURL("/auth/login"),
					middleware.WithNavigationDetector(func(r *http.Request) bool {
						return !strings.HasPrefix(r.URL.Path, "/api/") && middleware.IsNavigation(r)
					}))
				defer m.Close()

				h := m.RequireSession(hello)
				fmt.Fprintln(out, navigate(h, "/api/reports", nil))
				fmt.Fprintln(out, navigate(h, "/reports", nil))
			},
			want: `401
303 /auth/login?return_to=%2Freports`,
		},
		{
			name: "WithLoginURL and WithReturnParam shape the login redirect",
			run: func(t *testing.T, out io.Writer) {
				_, c, _ := newWorld(t)
				m := newMiddleware(t, c,
					middleware.WithLoginURL("/auth/login"),
					middleware.WithReturnParam("next"))
				defer m.Close()

				fmt.Fprintln(out, navigate(m.RequireSession(hello), "/reports?year=2025", nil))
			},
			want: `303 /auth/login?next=%2Freports%3Fyear%3D2025`,
		},
		{
			name: "WithStepUpURL redirects a navigation needing a fresh factor",
			run: func(t *testing.T, out io.Writer) {
				_, c, cookies := newWorld(t)
				m := newMiddleware(t, c, middleware.WithStepUpURL("/auth/step-up"))
				defer m.Close()

				h := m.RequireFreshFactor(middleware.MFAFactor, 10*time.Minute)(hello)
				fmt.Fprintln(out, navigate(h, "/billing", cookies))
			},
			want: `303 /auth/step-up?return_to=%2Fbilling`,
		},
		{
			name: "WithRetryAfter sets the 503 answer's Retry-After and keeps the cookies",
			run: func(t *testing.T, out io.Writer) {
				emu, c, cookies := newWorld(t)
				m := newMiddleware(t, c, middleware.WithRetryAfter(30*time.Second))
				defer m.Close()

				// Stytch is down and the request brings only a session token: the
				// session cannot be decided, which is not a logout.
				emu.SetFault(emulator.Fault{Path: "/v1/b2b/sessions/authenticate", Status: http.StatusServiceUnavailable})
				w := httptest.NewRecorder()
				m.RequireSession(hello).ServeHTTP(w, withCookies("/", cookies[:1]))
				fmt.Fprintln(out, w.Code, w.Header().Get("Retry-After"), len(w.Result().Cookies()))
			},
			want: `503 30 0`,
		},
		{
			name: "WithCookieNames refuses a __Host- cookie with a domain",
			run: func(t *testing.T, out io.Writer) {
				_, c, _ := newWorld(t)

				// __Host- cookies cannot be set for other hosts or paths: New checks the
				// settings a browser would refuse.
				_, err := middleware.New(c,
					middleware.WithCookieNames("__Host-session", "__Host-session_jwt"),
					middleware.WithCookieDomain("example.com"))
				fmt.Fprintln(out, err)

				m, err := middleware.New(c, middleware.WithCookieNames("__Host-session", "__Host-session_jwt"))
				if err != nil {
					t.Fatal(err)
				}
				defer m.Close()
				w := httptest.NewRecorder()
				m.SetSessionCookies(w, "session-token", "", time.Time{})
				fmt.Fprintln(out, w.Header().Get("Set-Cookie"))
			},
			want: `b2bauth: cookie "__Host-session": the __Host- prefix requires Secure, Path "/" and no Domain
__Host-session=session-token; Path=/; HttpOnly; Secure; SameSite=Lax`,
		},
		{
			name: "WithPolicyAuthorizer decides permissions in place of the policy",
			run: func(t *testing.T, out io.Writer) {
				_, c, cookies := newWorld(t)
				m := newMiddleware(t, c, middleware.WithPolicyAuthorizer(readOnly{}))
				defer m.Close()

				fmt.Fprintln(out, call(m.RequirePermission("documents", "read")(hello), withCookies("/", cookies)))
				fmt.Fprintln(out, call(m.RequirePermission("documents", "write")(hello), withCookies("/", cookies)))
			},
			want: `200 hello acme
403 {"error":{"code":"permission_denied","message":"permission denied"}}`,
		},
		{
			name: "WithMaxTokenAge asks Stytch about a JWT older than the age",
			run: func(t *testing.T, out io.Writer) {
				clk := middlewaretest.NewClock(time.Date(2030, time.January, 2, 9, 0, 0, 0, time.UTC))
				emu, c, cookies := newWorld(t, emulator.WithClock(clk.Now))
				// Roles removed at Stytch reach this service within a minute instead
				// of the JWT's five, at the cost of more calls to Stytch.
				m := newMiddleware(t, c, middleware.WithClock(clk.Now), middleware.WithMaxTokenAge(time.Minute))
				defer m.Close()

				h := m.RequireSession(hello)
				for range 2 {
					fmt.Fprintln(out, call(h, withCookies("/", cookies)), emu.Calls(http.MethodPost, "/v1/b2b/sessions/authenticate"))
					clk.Advance(2 * time.Minute)
				}
			},
			want: `200 hello acme 0
200 hello acme 1`,
		},
		{
			name: "WithInsecureCookies, WithCookiePath and WithSameSite shape the cookie",
			run: func(t *testing.T, out io.Writer) {
				_, c, _ := newWorld(t)

				// A development server on http://dev.internal:8080, under /app.
				m := newMiddleware(t, c,
					middleware.WithInsecureCookies(),
					middleware.WithCookiePath("/app"),
					middleware.WithSameSite(http.SameSiteStrictMode))
				defer m.Close()

				w := httptest.NewRecorder()
				m.SetSessionCookies(w, "session-token", "", time.Time{})
				fmt.Fprintln(out, w.Header().Get("Set-Cookie"))
			},
			want: `stytch_session=session-token; Path=/app; HttpOnly; SameSite=Strict`,
		},
		{
			name: "WithAuthenticator checks a lone session token through the given authenticator",
			run: func(t *testing.T, out io.Writer) {
				_, c, cookies := newWorld(t)
				var calls atomic.Int64
				m := newMiddleware(t, c, middleware.WithAuthenticator(meteredAuthenticator{next: c.Sessions, calls: &calls}))
				defer m.Close()

				// A JWT is verified locally; a lone session token is checked remotely.
				h := m.RequireSession(hello)
				fmt.Fprintln(out, call(h, withCookies("/", cookies)), calls.Load())
				fmt.Fprintln(out, call(h, withCookies("/", cookies[:1])), calls.Load())
			},
			want: `200 hello acme 0
200 hello acme 1`,
		},
	})
}

// TestMethodEffects checks the middleware's methods and the session and
// error accessors from a handler's side.
func TestMethodEffects(t *testing.T) {
	t.Parallel()
	runOutputCases(t, []outputCase{
		{
			// closes the middleware once the server using it has
			// stopped: requests still in flight can verify JWTs until then.
			name: "Close after the server stops leaves requests in flight verified",
			run: func(t *testing.T, out io.Writer) {
				_, c, cookies := newWorld(t)
				m := newMiddleware(t, c)

				srv := httptest.NewServer(m.RequireSession(hello))
				r, err := http.NewRequest(http.MethodGet, srv.URL+"/", nil)
				if err != nil {
					t.Fatal(err)
				}
				r.AddCookie(cookies[1])
				res, err := srv.Client().Do(r)
				if err != nil {
					t.Fatal(err)
				}
				res.Body.Close()
				fmt.Fprintln(out, res.StatusCode)

				srv.Close() // waits for requests in flight
				m.Close()   // then stops the background key set refresh
			},
			want: `200`,
		},
		{
			name: "RequireRole lets the role in and refuses a plain member",
			run: func(t *testing.T, out io.Writer) {
				emu, c, admin := newWorld(t)
				member := addMember(t, emu, emulator.MemberSeed{Email: "bob@acme.test"})
				m := newMiddleware(t, c)
				defer m.Close()

				h := m.RequireRole("stytch_admin")(hello)
				fmt.Fprintln(out, call(h, withCookies("/admin", admin)))
				fmt.Fprintln(out, call(h, withCookies("/admin", member)))
			},
			want: `200 hello acme
403 {"error":{"code":"role_required","message":"role required"}}`,
		},
		{
			// A session whose member entered an SMS code a minute ago passes the route
			// that ExampleMiddleware_RequireFreshFactor refuses for a magic link only.
			name: "RequireFreshFactor lets in a session with an SMS code a minute old",
			run: func(t *testing.T, out io.Writer) {
				emu, c, _ := newWorld(t)
				cookies := addMember(t, emu,
					emulator.MemberSeed{Email: "bob@acme.test", Phone: "+15555550123", MFAPhoneNumberVerified: true},
					emulator.WithSessionFactors(
						emulator.Factor{Type: "magic_link", DeliveryMethod: "email", At: time.Now().Add(-time.Hour)},
						emulator.Factor{Type: "otp", DeliveryMethod: "sms", At: time.Now().Add(-time.Minute)},
					))
				m := newMiddleware(t, c)
				defer m.Close()

				h := m.RequireFreshFactor(middleware.MFAFactor, 10*time.Minute)(hello)
				fmt.Fprintln(out, call(h, withCookies("/billing", cookies)))
			},
			want: `200 hello acme`,
		},
		{
			name: "Credentials reads the token and JWT without verifying them",
			run: func(t *testing.T, out io.Writer) {
				_, c, _ := newWorld(t)
				m := newMiddleware(t, c)
				defer m.Close()

				// Credentials reads what a request presents without verifying it, e.g. to
				// revoke a session on logout even when its JWT no longer verifies.
				r := httptest.NewRequest(http.MethodPost, "/logout", nil)
				r.Header.Set("Authorization", "Bearer header.jwt.value")
				r.AddCookie(&http.Cookie{Name: middleware.DefaultSessionCookie, Value: "opaque-session-token"})
				token, jwt := m.Credentials(r)
				fmt.Fprintln(out, token)
				fmt.Fprintln(out, jwt)
			},
			want: `opaque-session-token
header.jwt.value`,
		},
		{
			name: "SetSessionCookies writes both cookies with the middleware's settings",
			run: func(t *testing.T, out io.Writer) {
				_, c, _ := newWorld(t)
				m := newMiddleware(t, c)
				defer m.Close()

				// A custom login handler writes the session Stytch returned with the
				// middleware's cookie settings, so the middleware finds it again.
				w := httptest.NewRecorder()
				expires := time.Date(2030, time.January, 2, 15, 4, 5, 0, time.UTC)
				m.SetSessionCookies(w, "session-token", "session.jwt.value", expires)
				for _, line := range w.Header().Values("Set-Cookie") {
					fmt.Fprintln(out, line)
				}
			},
			want: `stytch_session=session-token; Path=/; Expires=Wed, 02 Jan 2030 15:04:05 GMT; HttpOnly; Secure; SameSite=Lax
stytch_session_jwt=session.jwt.value; Path=/; Expires=Wed, 02 Jan 2030 15:04:05 GMT; HttpOnly; Secure; SameSite=Lax`,
		},
		{
			name: "ClearSessionCookies expires both cookies",
			run: func(t *testing.T, out io.Writer) {
				_, c, _ := newWorld(t)
				m := newMiddleware(t, c)
				defer m.Close()

				w := httptest.NewRecorder()
				m.ClearSessionCookies(w)
				for _, line := range w.Header().Values("Set-Cookie") {
					fmt.Fprintln(out, line)
				}
			},
			want: `stytch_session=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Lax
stytch_session_jwt=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Lax`,
		},
		{
			name: "DefaultErrorHandler answers an outage with 503 and Retry-After",
			run: func(t *testing.T, out io.Writer) {
				_, c, _ := newWorld(t)
				m := newMiddleware(t, c)
				defer m.Close()

				w := httptest.NewRecorder()
				r := httptest.NewRequest(http.MethodGet, "/reports", nil)
				m.DefaultErrorHandler(w, r, middleware.ErrUnavailable)
				fmt.Fprintln(out, w.Code, w.Header().Get("Retry-After"), w.Header().Get("Cache-Control"))
				fmt.Fprint(out, w.Body.String())
			},
			want: `503 5 no-store
{"error":{"code":"stytch_unavailable","message":"authentication service unavailable"}}`,
		},
		{
			name: "SessionFrom finds the session only where the middleware put one",
			run: func(t *testing.T, out io.Writer) {
				_, c, cookies := newWorld(t)
				m := newMiddleware(t, c)
				defer m.Close()

				h := m.OptionalSession(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					s, ok := middleware.SessionFrom(r.Context())
					if !ok {
						fmt.Fprint(w, "guest")
						return
					}
					fmt.Fprint(w, s.OrganizationSlug, " ", s.Roles)
				}))
				fmt.Fprintln(out, call(h, withCookies("/", cookies)))
				fmt.Fprintln(out, call(h, withCookies("/", nil)))

				// A context the middleware never saw carries no session.
				_, ok := middleware.SessionFrom(context.Background())
				fmt.Fprintln(out, ok)
			},
			want: `200 acme [stytch_member stytch_admin]
200 guest
false`,
		},
		{
			name: "FailureReason names why an optional session is absent",
			run: func(t *testing.T, out io.Writer) {
				_, c, cookies := newWorld(t)
				m := newMiddleware(t, c)
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
				fmt.Fprintln(out, call(h, withCookies("/", cookies)))
				fmt.Fprintln(out, call(h, withCookies("/", garbage)))
			},
			want: `200 signed in
200 token_invalid true`,
		},
		{
			name: "Error of a revoked session carries Stytch's answer as its cause",
			run: func(t *testing.T, out io.Writer) {
				emu, c, _ := newWorld(t)
				cookies := addMember(t, emu, emulator.MemberSeed{Email: "bob@acme.test"})

				// The member logged out elsewhere: Stytch no longer knows the session.
				if _, err := c.Sessions.Revoke(context.Background(), &client.SessionsRevokeParams{SessionToken: cookies[0].Value}); err != nil {
					t.Fatal(err)
				}

				m := newMiddleware(t, c, middleware.WithErrorHandler(func(w http.ResponseWriter, r *http.Request, err error) {
					var e *middleware.Error
					if errors.As(err, &e) {
						fmt.Fprintln(out, e.Code, e.Status, e.Message())
					}
					fmt.Fprintln(out, errors.Is(err, middleware.ErrSessionInvalid))
					// The cause is Stytch's answer.
					var apiErr *client.Error
					if errors.As(err, &apiErr) {
						fmt.Fprintln(out, apiErr.ErrorType)
					}
					w.WriteHeader(http.StatusUnauthorized)
				}))
				defer m.Close()

				// Only the session token: it is checked with Stytch.
				m.RequireSession(hello).ServeHTTP(httptest.NewRecorder(), withCookies("/", cookies[:1]))
			},
			want: `session_invalid 401 session expired or revoked
true
session_not_found`,
		},
		{
			name: "StepUpError carries the factor kind and window asked for",
			run: func(t *testing.T, out io.Writer) {
				_, c, cookies := newWorld(t)
				m := newMiddleware(t, c, middleware.WithErrorHandler(func(w http.ResponseWriter, r *http.Request, err error) {
					var stepUp *middleware.StepUpError
					if errors.As(err, &stepUp) {
						fmt.Fprintln(out, stepUp.Kind, stepUp.Within, errors.Is(err, middleware.ErrStepUpRequired))
					}
					w.WriteHeader(http.StatusForbidden)
				}))
				defer m.Close()

				h := m.RequireFreshFactor(middleware.MFAFactor, 15*time.Minute)(hello)
				h.ServeHTTP(httptest.NewRecorder(), withCookies("/billing", cookies))
			},
			want: `mfa 15m0s true`,
		},
		{
			name: "Session.CustomClaims reads the session's custom claims",
			run: func(t *testing.T, out io.Writer) {
				emu, c, _ := newWorld(t)
				cookies := addMember(t, emu, emulator.MemberSeed{Email: "bob@acme.test"},
					emulator.WithSessionCustomClaims(map[string]any{"plan": "enterprise"}))
				m := newMiddleware(t, c)
				defer m.Close()

				h := m.RequireSession(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					s, _ := middleware.SessionFrom(r.Context())
					fmt.Fprint(w, "plan ", s.CustomClaims()["plan"])
				}))
				fmt.Fprintln(out, call(h, withCookies("/", cookies)))
			},
			want: `200 plan enterprise`,
		},
	})
}

// tamperSignature changes one character in the middle of a JWT's signature.
func tamperSignature(jwt string) string {
	i := strings.LastIndex(jwt, ".") + 20
	swap := byte('A')
	if jwt[i] == 'A' {
		swap = 'B'
	}
	return jwt[:i] + string(swap) + jwt[i+1:]
}

// readOnly is a PolicyAuthorizer that allows reading and nothing else.
type readOnly struct{}

func (readOnly) Authorize(_ context.Context, _ string, _ []string, check client.AuthorizationCheck) error {
	if check.Action == "read" {
		return nil
	}
	return client.ErrAuthorizationDenied
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
