// Command loadtarget is the server bench/run.sh loads with wrk: the demo app
// (package demo, wired by examples/nethttp/routes) in emulator mode, plus
// unprotected twins of protected routes, so that a pair of routes differs
// only by the session middleware, all on one server:
//
//	GET /                 the app's home page, behind OptionalSession
//	GET /dashboard        the app's dashboard, behind RequireSession
//	...                   the rest of the app's routes
//	GET /bench/dashboard  the same dashboard page, without the middleware
//	GET /bench/public     a tiny handler
//	GET /bench/protected  the same handler behind RequireSession
//
// /bench/dashboard serves the handler, security headers and member data of
// /dashboard: the session /dashboard would attach is verified once at start
// and attached to every request, whatever cookie it carries, so its answer
// is the very page /dashboard sends the member.
//
// It creates a session for a seeded member (gina@globex.test) with
// emulator.Server.CreateSession and prints, on stdout, the URL and the Cookie
// header a logged-in browser would send:
//
//	url http://127.0.0.1:18089
//	cookie stytch_session=...; stytch_session_jwt=...
//
// then serves until SIGINT or SIGTERM. Before printing, it checks that the
// routes above answer 200 to that cookie: a redirect to the login page
// would not count as an error for wrk. The session JWT is valid for 5
// minutes: after that, the protected routes still answer 200 but through a
// remote authentication on every request. Everything listens on loopback,
// and nothing is logged.
//
//	go run ./examples/cmd/loadtarget -addr 127.0.0.1:18089
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"time"

	"github.com/b2bauth/b2bauth/examples/internal/demo"
	"github.com/b2bauth/b2bauth/examples/nethttp/routes"
	"github.com/b2bauth/b2bauth/internal/interrupt"
	"github.com/b2bauth/b2bauth/middleware"
)

// The unprotected twins of protected routes, and the tiny protected one.
const (
	pathDashboardTwin = "/bench/dashboard"
	pathPublic        = "/bench/public"
	pathProtected     = "/bench/protected"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:18089", "loopback address to listen on")
	flag.Parse()
	ctx, stop := interrupt.Context(context.Background())
	err := run(ctx, *addr, os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadtarget:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, addr string, out io.Writer) error {
	t, err := newTarget(ctx, addr)
	if err != nil {
		return err
	}
	defer t.close()
	fmt.Fprintf(out, "url %s\n", t.url)
	fmt.Fprintf(out, "cookie %s\n", t.cookie)
	return t.serve(ctx)
}

// target is the listening server, the app behind it and the Cookie header
// of the logged-in member.
type target struct {
	app    *demo.App
	ln     net.Listener
	srv    *http.Server
	url    string
	cookie string
}

// newTarget starts the app and listens on addr, which must be a loopback
// address; call serve, then close.
func newTarget(ctx context.Context, addr string) (*target, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return nil, fmt.Errorf("address %q is not on the loopback interface", addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	// No project: emulator mode. Quiet, as logging would be measured too.
	app, err := demo.New(ctx, demo.Config{
		Addr:   ln.Addr().String(),
		Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		ln.Close()
		return nil, err
	}
	t := &target{app: app, ln: ln, url: "http://" + ln.Addr().String()}
	if t.cookie, err = memberCookie(app); err != nil {
		t.close()
		return nil, err
	}
	sess, err := verifiedSession(app, t.cookie)
	if err != nil {
		t.close()
		return nil, err
	}
	h := handler(app, sess)
	if err := checkRoutes(h, t.cookie); err != nil {
		t.close()
		return nil, err
	}
	t.srv = &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	return t, nil
}

// handler serves the app's routes and the bench routes; sess is the session
// /bench/dashboard shows.
func handler(app *demo.App, sess *middleware.Session) http.Handler {
	tiny := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, "hello\n")
	})
	mux := http.NewServeMux()
	mux.Handle("GET "+pathPublic, tiny)
	mux.Handle("GET "+pathProtected, app.Middleware.RequireSession(tiny))
	// Wrapped as routes.New wraps /dashboard, minus the middleware.
	mux.Handle("GET "+pathDashboardTwin, demo.SecurityHeaders(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		app.Pages.Dashboard(w, r.WithContext(middleware.NewContext(r.Context(), sess)))
	})))
	mux.Handle("/", routes.New(app))
	return mux
}

// memberCookie starts a session for Gina, a member of the organization whose
// MFA is optional (CreateSession needs no MFA either way), and returns the
// Cookie header a browser logged in as her sends.
func memberCookie(app *demo.App) (string, error) {
	memberID, ok := app.Emulator.MemberID(demo.GlobexSlug, demo.GinaEmail)
	if !ok {
		return "", errors.New("seeded member missing")
	}
	token, jwt, err := app.Emulator.CreateSession(memberID)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s=%s; %s=%s", middleware.DefaultSessionCookie, token, middleware.DefaultJWTCookie, jwt), nil
}

// verifiedSession returns the session the app's middleware attaches to a
// request carrying cookie.
func verifiedSession(app *demo.App, cookie string) (*middleware.Session, error) {
	var sess *middleware.Session
	h := app.Middleware.RequireSession(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		sess, _ = middleware.SessionFrom(r.Context())
	}))
	r := httptest.NewRequest(http.MethodGet, demo.PathDashboard, nil)
	r.Header.Set("Cookie", cookie)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if sess == nil {
		return nil, fmt.Errorf("the middleware refused the member's session cookie: status %d", w.Code)
	}
	return sess, nil
}

// checkRoutes makes sure every route run.sh loads answers 200 to the
// member's cookie.
func checkRoutes(h http.Handler, cookie string) error {
	for _, path := range []string{demo.PathHome, demo.PathDashboard, pathDashboardTwin, pathPublic, pathProtected} {
		r := httptest.NewRequest(http.MethodGet, path, nil)
		r.Header.Set("Cookie", cookie)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != http.StatusOK {
			return fmt.Errorf("GET %s with the session cookie: status %d, want 200", path, w.Code)
		}
	}
	return nil
}

// serve serves until ctx is done, then shuts down, waiting up to 5 seconds
// for requests in flight.
func (t *target) serve(ctx context.Context) error {
	errc := make(chan error, 1)
	go func() { errc <- t.srv.Serve(t.ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	err := t.srv.Shutdown(shutdownCtx)
	if serveErr := <-errc; !errors.Is(serveErr, http.ErrServerClosed) {
		err = errors.Join(err, serveErr)
	}
	return err
}

// close stops the app; serve must have returned, or never run.
func (t *target) close() {
	t.ln.Close()
	t.app.Close()
}
