package middleware_test

import (
	"bytes"
	"context"
	"fmt"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/b2bauth/b2bauth/client"
	"github.com/b2bauth/b2bauth/emulator"
	"github.com/b2bauth/b2bauth/middleware"
	"github.com/b2bauth/b2bauth/middleware/middlewaretest"
)

// ExampleWithCacheSize shows what the verified-JWT cache saves: the
// signature check of a JWT seen before. Two members take turns; the key
// lookups before each signature check are counted.
func ExampleWithCacheSize() {
	emu, c, ada := exampleWorld()
	defer emu.Close()
	bob := addMember(emu, emulator.MemberSeed{Email: "bob@acme.test"})
	jwks, err := c.NewJWKS(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	defer jwks.Close()

	for _, size := range []int{10000, 1, 0} {
		var checks atomic.Int64
		m := newMiddleware(c,
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
		fmt.Printf("WithCacheSize(%d): 4 requests, %d signature checks\n", size, checks.Load())
	}
	// Cached or not, a valid JWT never costs a call to Stytch.
	fmt.Println("sessions authenticate calls:", emu.Calls(http.MethodPost, authenticatePath))
	// Output:
	// WithCacheSize(10000): 4 requests, 2 signature checks
	// WithCacheSize(1): 4 requests, 4 signature checks
	// WithCacheSize(0): 4 requests, 4 signature checks
	// sessions authenticate calls: 0
}

// ExampleWithJWKSOptions fetches the key set through the application's own
// HTTP client (an egress proxy, a tracing transport), and fetches it again at
// most once an hour for JWTs naming a key it does not hold.
func ExampleWithJWKSOptions() {
	emu, c, _ := exampleWorld()
	defer emu.Close()

	keys := &countingTransport{}
	m := newMiddleware(c, middleware.WithJWKSOptions(
		client.WithJWKSHTTPClient(&http.Client{Transport: keys}),
		client.WithUnknownKIDInterval(time.Hour)))
	defer m.Close()
	fmt.Println("key set fetches after New:", keys.n.Load())

	// Stytch rotates its signing key: the first JWT with the new kid makes
	// the middleware fetch the key set again.
	emu.RotateKey()
	cookies := addMember(emu, emulator.MemberSeed{Email: "bob@acme.test"})
	fmt.Println(call(m.RequireSession(hello), bearerRequest(cookies[1].Value)))
	fmt.Println("key set fetches after the rotation:", keys.n.Load())
	// Output:
	// key set fetches after New: 1
	// 200 hello acme
	// key set fetches after the rotation: 2
}

// ExampleWithKeyfunc shares one key set between two middlewares, an API one
// reading only the Authorization header and a browser one reading cookies:
// one background refresh, one fetch. The key set belongs to the caller, who
// closes it after the middlewares.
func ExampleWithKeyfunc() {
	emu, c, cookies := exampleWorld()
	defer emu.Close()
	jwks, err := c.NewJWKS(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	defer jwks.Close()

	api := newMiddleware(c,
		middleware.WithKeyfunc(jwks.Keyfunc),
		middleware.WithJWTSources(middleware.TokenFromHeader),
		middleware.WithSessionTokenSources())
	defer api.Close()
	browser := newMiddleware(c, middleware.WithKeyfunc(jwks.Keyfunc), middleware.WithLoginURL("/auth/login"))
	defer browser.Close()

	fmt.Println(call(api.RequireSession(hello), bearerRequest(cookies[1].Value)))
	fmt.Println(call(browser.RequireSession(hello), withCookies("/", cookies)))
	fmt.Println("key set fetches:", emu.Calls(http.MethodGet, jwksPathPrefix+c.ProjectID()))
	// Output:
	// 200 hello acme
	// 200 hello acme
	// key set fetches: 1
}

// ExampleWithLeeway: Stytch's clock runs 20 seconds ahead of this server's,
// so a JWT it has just issued is not valid before (nbf) a time 20 seconds in
// this server's future. A 30-second leeway absorbs the skew; without one the
// JWT is refused until this server's clock catches up.
func ExampleWithLeeway() {
	clk := middlewaretest.NewClock(time.Date(2030, time.January, 2, 9, 0, 0, 0, time.UTC))
	stytchNow := func() time.Time { return clk.Now().Add(20 * time.Second) }
	emu, c, cookies := exampleWorld(emulator.WithClock(stytchNow))
	defer emu.Close()

	for _, leeway := range []time.Duration{30 * time.Second, 0} {
		m := newMiddleware(c, middleware.WithClock(clk.Now), middleware.WithLeeway(leeway))
		fmt.Printf("leeway %s: %s\n", leeway, call(m.RequireSession(hello), bearerRequest(cookies[1].Value)))
		m.Close()
	}
	// Output:
	// leeway 30s: 200 hello acme
	// leeway 0s: 401 {"error":{"code":"token_invalid","message":"invalid session token"}}
}

// ExampleWithLogger logs why a request has no session, at debug level. A
// member edits the signature of their JWT; the log names the reason, never
// the credential.
func ExampleWithLogger() {
	emu, c, cookies := exampleWorld()
	defer emu.Close()

	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{
		Level: slog.LevelDebug,
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey { // for a stable example output
				return slog.Attr{}
			}
			return a
		},
	}))
	m := newMiddleware(c, middleware.WithLogger(logger))
	defer m.Close()

	forged := tamperSignature(cookies[1].Value)
	fmt.Println(call(m.RequireSession(hello), bearerRequest(forged)))
	fmt.Print(logs.String())
	fmt.Println("the log holds the token:", strings.Contains(logs.String(), forged))
	fmt.Println("the log holds its signature:", strings.Contains(logs.String(), forged[strings.LastIndex(forged, ".")+1:]))
	// Output:
	// 401 {"error":{"code":"token_invalid","message":"invalid session token"}}
	// level=DEBUG msg="b2bauth: session rejected" reason="b2bauth: invalid session token: token signature is invalid: crypto/rsa: verification error"
	// the log holds the token: false
	// the log holds its signature: false
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

// ExampleWithSessionDuration extends the session whenever the middleware
// checks it with Stytch, here a request carrying only the session token ten
// minutes into a one-hour session.
func ExampleWithSessionDuration() {
	clk := middlewaretest.NewClock(time.Date(2030, time.January, 2, 9, 0, 0, 0, time.UTC))
	emu, c, cookies := exampleWorld(emulator.WithClock(clk.Now))
	defer emu.Close()
	clk.Advance(10 * time.Minute)

	expiresIn := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, _ := middleware.SessionFrom(r.Context())
		fmt.Fprint(w, "session expires in ", s.ExpiresAt.Sub(clk.Now()))
	})
	for _, opts := range [][]middleware.Option{
		{middleware.WithClock(clk.Now)},
		{middleware.WithClock(clk.Now), middleware.WithSessionDuration(8 * time.Hour)},
	} {
		m := newMiddleware(c, opts...)
		fmt.Println(call(m.RequireSession(expiresIn), withCookies("/", cookies[:1])))
		m.Close()
	}
	// Output:
	// 200 session expires in 50m0s
	// 200 session expires in 8h0m0s
}

// ExampleWithCookieDomain shares the session cookies with the subdomains of
// example.com, e.g. app.example.com and admin.example.com. Clearing them
// names the same domain, or browsers would keep them.
func ExampleWithCookieDomain() {
	emu, c, _ := exampleWorld()
	defer emu.Close()
	m := newMiddleware(c, middleware.WithCookieDomain("example.com"))
	defer m.Close()

	w := httptest.NewRecorder()
	m.SetSessionCookies(w, "session-token", "", time.Time{})
	m.ClearSessionCookies(w)
	for _, line := range w.Header().Values("Set-Cookie") {
		fmt.Println(line)
	}
	// Output:
	// stytch_session=session-token; Path=/; Domain=example.com; HttpOnly; Secure; SameSite=Lax
	// stytch_session=; Path=/; Domain=example.com; Max-Age=0; HttpOnly; Secure; SameSite=Lax
	// stytch_session_jwt=; Path=/; Domain=example.com; Max-Age=0; HttpOnly; Secure; SameSite=Lax
}

// ExampleWithClock runs the middleware on the test's clock, shared with the
// emulator: moving it past the JWT's five minutes makes the middleware ask
// Stytch, without waiting.
func ExampleWithClock() {
	clk := middlewaretest.NewClock(time.Date(2030, time.January, 2, 9, 0, 0, 0, time.UTC))
	emu, c, cookies := exampleWorld(emulator.WithClock(clk.Now))
	defer emu.Close()
	m := newMiddleware(c, middleware.WithClock(clk.Now))
	defer m.Close()

	h := m.RequireSession(hello)
	for _, step := range []time.Duration{0, 4 * time.Minute, 2 * time.Minute} {
		clk.Advance(step)
		fmt.Println(clk.Now().Format("15:04"), call(h, withCookies("/", cookies)),
			"- Stytch calls:", emu.Calls(http.MethodPost, authenticatePath))
	}
	// Output:
	// 09:00 200 hello acme - Stytch calls: 0
	// 09:04 200 hello acme - Stytch calls: 0
	// 09:06 200 hello acme - Stytch calls: 1
}

func ExampleFactorKind_String() {
	// Kinds print as the "factor" field of step-up answers names them.
	fmt.Println(middleware.AnyFactor, middleware.MFAFactor)
	fmt.Printf("step up: %s within %s\n", middleware.MFAFactor, 10*time.Minute)
	// Output:
	// any mfa
	// step up: mfa within 10m0s
}

// ExampleMiddleware_Close closes the middleware once the server using it has
// stopped: requests still in flight can verify JWTs until then.
func ExampleMiddleware_Close() {
	emu, c, cookies := exampleWorld()
	defer emu.Close()
	m := newMiddleware(c)

	srv := httptest.NewServer(m.RequireSession(hello))
	r, err := http.NewRequest(http.MethodGet, srv.URL+"/", nil)
	if err != nil {
		log.Fatal(err)
	}
	r.AddCookie(cookies[1])
	res, err := srv.Client().Do(r)
	if err != nil {
		log.Fatal(err)
	}
	res.Body.Close()
	fmt.Println(res.StatusCode)

	srv.Close() // waits for requests in flight
	m.Close()   // then stops the background key set refresh
	// Output: 200
}
