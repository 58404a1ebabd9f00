package demo

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/b2bauth/b2bauth/client"
	"github.com/b2bauth/b2bauth/emulator"
	"github.com/b2bauth/b2bauth/flows"
	"github.com/b2bauth/b2bauth/middleware"
	redisstore "github.com/b2bauth/b2bauth/stores/redis"
)

// Prefix is where the login flows are mounted.
const Prefix = flows.DefaultPrefix

// shutdownTimeout bounds the wait for requests in flight on shutdown.
const shutdownTimeout = 10 * time.Second

// App is the demo application without its router: each example mounts
// Flows under [Prefix] and serves Pages behind Middleware with its
// framework's adapter.
type App struct {
	// Config is the configuration with its defaults filled in.
	Config Config
	// Client talks to Stytch or to the emulator.
	Client *client.Client
	// Middleware verifies sessions; its login URL is Prefix+"/login" and its
	// step-up URL Prefix+"/step-up".
	Middleware *middleware.Middleware
	// Flows serves the login, MFA, step-up and logout routes under Prefix.
	Flows *flows.Handler
	// Pages are the app's own pages.
	Pages Pages
	// Emulator is the Stytch emulator the app talks to, or nil when it
	// talks to Stytch.
	Emulator *emulator.Server
	// Logger is the app's logger.
	Logger *slog.Logger

	closeEmulator bool
	redis         *redis.Client // with Config.RedisURL
}

// New builds the app from cfg: it starts the emulator unless cfg names a
// Stytch project or an emulator, then creates the client, the middleware,
// the flows and the pages. Call [App.Close] when done.
func New(ctx context.Context, cfg Config) (*App, error) {
	if err := cfg.resolve(); err != nil {
		return nil, err
	}
	if cfg.Console == nil {
		cfg.Console = os.Stderr
		if cfg.Logger != nil {
			cfg.Console = io.Discard
		}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(cfg.Console, nil))
	}
	a := &App{Config: cfg, Logger: cfg.Logger}
	if err := a.start(ctx); err != nil {
		a.Close()
		return nil, err
	}
	return a, nil
}

func (a *App) start(ctx context.Context) error {
	cfg := &a.Config
	var err error
	switch {
	case cfg.ProjectID != "":
		opts := []client.Option{client.WithLogger(a.Logger)}
		if cfg.APIURL != "" {
			opts = append(opts, client.WithBaseURL(cfg.APIURL))
		}
		a.Client, err = client.New(cfg.ProjectID, cfg.Secret, opts...)
	default:
		if a.Emulator = cfg.Emulator; a.Emulator == nil {
			a.Emulator, err = emulator.New(
				emulator.WithAddr(cfg.EmulatorAddr),
				// Fixed, so that a second demo process can share this
				// emulator (STYTCH_API_URL): it is a local test double.
				emulator.WithProjectID(EmulatorProjectID),
				emulator.WithSecret(EmulatorSecret),
				emulator.WithSeed(Seed()),
				emulator.WithClock(cfg.Clock),
				emulator.WithLogger(a.Logger),
			)
			if err != nil {
				return err
			}
			a.closeEmulator = true
			a.Logger.InfoContext(ctx, "started the Stytch emulator; it keeps everything in memory, so sessions end on restart",
				"url", a.Emulator.URL())
		}
		if !loopbackAddr(cfg.Addr) {
			a.Logger.WarnContext(ctx, PathOutbox+" shows sign-in links and codes to anyone who can reach the app: "+
				"listen on localhost in emulator mode", "addr", cfg.Addr)
		}
		a.Client, err = a.Emulator.Client(client.WithLogger(a.Logger))
	}
	if err != nil {
		return err
	}

	if len(cfg.CookieKeys) == 0 {
		cfg.CookieKeys = []flows.KeyPair{{Hash: randomBytes(32), Block: randomBytes(32)}}
		a.Logger.WarnContext(ctx, "B2BAUTH_COOKIE_KEYS is not set: the login flow cookie uses random keys for this run, "+
			"so sign-ins in progress end on restart and replicas cannot continue each other's flows")
	}

	mwOpts := []middleware.Option{
		middleware.WithLoginURL(Prefix + "/login"),
		middleware.WithStepUpURL(Prefix + "/step-up"),
		middleware.WithClock(cfg.Clock),
		middleware.WithLogger(a.Logger),
	}
	if insecureOrigin(cfg.PublicURL) {
		// Browsers drop Secure cookies sent over plain http, except to
		// localhost, which they treat as a secure context.
		a.Logger.WarnContext(ctx, "the public URL is plain http and not localhost: session cookies are not Secure", "public_url", cfg.PublicURL)
		mwOpts = append(mwOpts, middleware.WithInsecureCookies())
	}
	var flowStore []flows.Option
	if cfg.RedisURL != "" {
		opts, err := redis.ParseURL(cfg.RedisURL)
		if err != nil {
			return fmt.Errorf("demo: REDIS_URL: %w", err)
		}
		// Short bounds: an unreachable Redis is an outage of a login step
		// (503), not a hung request.
		opts.DialTimeout, opts.ReadTimeout, opts.WriteTimeout = 500*time.Millisecond, 500*time.Millisecond, 500*time.Millisecond
		a.redis = redis.NewClient(opts)
		store, err := redisstore.New(a.redis, a.Client.ProjectID())
		if err != nil {
			return err
		}
		feed, err := redisstore.NewRevocations(a.redis, a.Client.ProjectID(), redisstore.WithLogger(a.Logger))
		if err != nil {
			return err
		}
		mwOpts = append(mwOpts, middleware.WithRevocations(feed))
		flowStore = append(flowStore, flows.WithStore(store))
		a.Logger.InfoContext(ctx, "login limits and revocations are shared through Redis", "addr", opts.Addr)
	}
	mwOpts = append(mwOpts, cfg.MiddlewareOptions...)
	if a.Middleware, err = middleware.New(a.Client, mwOpts...); err != nil {
		return err
	}
	if err := a.checkCredentials(ctx); err != nil {
		return err
	}
	flowOpts := []flows.Option{
		flows.WithPrefix(Prefix),
		flows.WithCookieKeys(cfg.CookieKeys...),
		flows.WithPublicURL(cfg.PublicURL),
		flows.WithAfterLoginPath(PathDashboard),
		flows.WithClock(cfg.Clock),
		flows.WithLogger(a.Logger),
		flows.WithBranding(flows.Branding{ProductName: "b2bauth demo"}),
	}
	flowOpts = append(flowOpts, flowStore...)
	switch {
	case a.Emulator != nil:
		flowOpts = append(flowOpts, flows.WithOAuth(a.Emulator.PublicToken(), "google", "microsoft"))
	case cfg.PublicToken != "":
		flowOpts = append(flowOpts, flows.WithOAuth(cfg.PublicToken, "google"))
	}
	a.Flows, err = flows.New(a.Client, a.Middleware, flowOpts...)
	if err != nil {
		return err
	}
	a.Pages, err = newPages(a.Emulator, a.Middleware, a.Logger, cfg.PublicURL)
	return err
}

// checkCredentials asks Stytch, once at start, whether it accepts the
// project credentials: a wrong secret stops the app with a clear message
// instead of answering 503 to every request that needs Stytch. An outage
// is only logged: the app starts and waits for Stytch.
func (a *App) checkCredentials(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	err := a.Middleware.Check(ctx)
	switch {
	case errors.Is(err, client.ErrCredentialsRefused):
		a.Logger.ErrorContext(ctx, "Stytch refused the project credentials: check STYTCH_PROJECT_ID and STYTCH_SECRET "+
			"(the secret of that project, test or live as the id says)", "project_id", a.Client.ProjectID())
		return fmt.Errorf("stytch refused the credentials of project %s: check STYTCH_PROJECT_ID and STYTCH_SECRET", a.Client.ProjectID())
	case err != nil:
		a.Logger.WarnContext(ctx, "could not check the project credentials with Stytch; starting anyway, see "+PathHealth, "error", err)
	}
	return nil
}

// Close stops the middleware's background work and the emulator the app
// started.
func (a *App) Close() {
	if a.Middleware != nil {
		a.Middleware.Close()
	}
	if a.redis != nil {
		a.redis.Close()
	}
	if a.closeEmulator {
		a.Emulator.Close()
	}
}

// Banner is what to tell the person who started the app: where to open it
// and how to log in.
func (a *App) Banner() string {
	if a.Emulator == nil {
		return fmt.Sprintf("open %s and log in with a member of your Stytch project; /admin needs the permission %s:%s",
			a.Config.PublicURL, AdminResource, AdminAction)
	}
	return fmt.Sprintf("open %s, log in as %s (or %s, %s, %s, %s); magic links and SMS codes are printed here and at %s%s\n"+
		"machines get an access token for %s%s with: curl -s -d grant_type=client_credentials -d client_id=%s -d client_secret=%s %s/v1/public/%s/oauth2/token",
		a.Config.PublicURL, AliceEmail, BobEmail, CarolEmail, DaveEmail, GinaEmail, a.Config.PublicURL, PathOutbox,
		a.Config.PublicURL, PathReports, ReportsClientID, ReportsClientSecret, a.Emulator.URL(), a.Emulator.ProjectID())
}

// ListenAndServe serves h on Config.Addr, prints the banner, and shuts
// down gracefully when ctx is done (for example on SIGINT), waiting up to 10
// seconds for requests in flight.
func (a *App) ListenAndServe(ctx context.Context, h http.Handler) error {
	ln, err := net.Listen("tcp", a.Config.Addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(a.Logger.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	fmt.Fprintf(a.Config.Console, "listening on %s\n%s\n", ln.Addr(), a.Banner())

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	a.Logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
	defer cancel()
	err = srv.Shutdown(shutdownCtx)
	if serveErr := <-served; !errors.Is(serveErr, http.ErrServerClosed) {
		err = errors.Join(err, serveErr)
	}
	return err
}

// insecureOrigin reports a plain http URL whose host browsers do not treat
// as a secure context.
func insecureOrigin(publicURL string) bool {
	u, err := url.Parse(publicURL)
	if err != nil || u.Scheme != "http" {
		return false
	}
	host := u.Hostname()
	if host == "localhost" {
		return false
	}
	ip := net.ParseIP(host)
	return ip == nil || !ip.IsLoopback()
}

// loopbackAddr reports whether a listen address accepts only local
// connections.
func loopbackAddr(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails: crypto/rand panics instead
	return b
}

// Run is an example's whole program: it reads the configuration through
// getenv, builds the [App], serves the handler routes returns for it until
// ctx is done, and closes the app.
func Run(ctx context.Context, getenv func(string) string, routes func(*App) http.Handler) error {
	cfg, err := ConfigFromEnv(getenv)
	if err != nil {
		return err
	}
	app, err := New(ctx, cfg)
	if err != nil {
		return err
	}
	defer app.Close()
	return app.ListenAndServe(ctx, routes(app))
}
