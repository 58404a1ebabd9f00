package demo

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/b2bauth/b2bauth/emulator"
	"github.com/b2bauth/b2bauth/flows"
	"github.com/b2bauth/b2bauth/middleware"
)

// Defaults of [Config].
const (
	// DefaultAddr is where the app listens unless ADDR says otherwise.
	DefaultAddr = "localhost:8080"
	// DefaultEmulatorAddr is where the embedded emulator listens unless
	// EMULATOR_ADDR says otherwise: a random port of the loopback interface.
	DefaultEmulatorAddr = "127.0.0.1:0"
)

// The project of the embedded emulator. They are fixed so that another demo
// process can use the same emulator (STYTCH_API_URL, STYTCH_PROJECT_ID,
// STYTCH_SECRET); the emulator is a local test double and listens on the
// loopback interface, so they guard nothing.
const (
	EmulatorProjectID = "project-test-00000000-0000-4000-8000-00000000de70"
	EmulatorSecret    = "secret-test-demo-emulator"
)

// Config is the demo app's configuration. The zero value runs the app
// against an embedded emulator on [DefaultAddr]; [ConfigFromEnv] fills it
// from the environment.
type Config struct {
	// ProjectID and Secret select a Stytch project (STYTCH_PROJECT_ID,
	// STYTCH_SECRET). When both are empty the embedded emulator is started
	// instead; one without the other is an error.
	ProjectID string
	Secret    string
	// APIURL is the Stytch API's base URL (STYTCH_API_URL), for a project
	// served elsewhere than Stytch's default for its id: a standalone
	// emulator, or the embedded emulator of another demo process (its
	// project is [EmulatorProjectID] with [EmulatorSecret]). Only with
	// ProjectID. Default "": Stytch's API for the project id.
	APIURL string
	// PublicToken is the project's public token (STYTCH_PUBLIC_TOKEN): with
	// it the login page also offers "Continue with Google". In emulator mode
	// the emulator's token is used and Google and Microsoft are offered.
	PublicToken string

	// Addr is the listen address of [App.ListenAndServe] (ADDR). Default
	// [DefaultAddr].
	Addr string
	// PublicURL is the URL browsers reach the app at (PUBLIC_URL): the magic
	// link leads back to it. Default "http://" + Addr, with "localhost" for
	// an empty or wildcard host.
	PublicURL string

	// CookieKeys encrypt the login flow cookie (B2BAUTH_COOKIE_KEYS, see
	// [flows.ParseCookieKeys]). Replicas behind one load balancer must share them.
	// Default: random keys for this run, so a sign-in in progress does not
	// survive a restart.
	CookieKeys []flows.KeyPair

	// RedisURL names a Redis (REDIS_URL, e.g. "redis://localhost:6379/0")
	// that replicas of the app share: the login handlers' limits (wrong
	// codes, SMS and email cooldowns, entries in flight) hold across them, and a
	// logout on one is honoured by all within about a second. Default "":
	// each process keeps its limits in memory.
	RedisURL string

	// EmulatorAddr is the listen address of the embedded emulator
	// (EMULATOR_ADDR). Default [DefaultEmulatorAddr].
	EmulatorAddr string
	// Emulator, when set, is used instead of starting one: replicas of the
	// app share it as they would share a Stytch project. [App.Close] leaves
	// it running.
	Emulator *emulator.Server

	// Logger receives the app's, the middleware's, the flows' and the
	// emulator's logs, including the magic links and SMS codes the emulator
	// "sends". Default: text to Console.
	Logger *slog.Logger
	// Console is where the start-up banner and the default logger write.
	// Default io.Discard when Logger is set, else os.Stderr.
	Console io.Writer
	// Clock is the time source of the emulator, the middleware and the
	// flows; tests move a fake clock instead of sleeping. Default time.Now.
	Clock func() time.Time
	// MiddlewareOptions are passed to middleware.New after the app's own
	// (login and step-up URLs, Clock, Logger, insecure cookies), so they
	// may override them; the soak test, for example, shrinks the
	// verified-JWT cache with middleware.WithCacheSize. Not read from the
	// environment. Default none.
	MiddlewareOptions []middleware.Option
}

// ConfigFromEnv reads a [Config] from the environment through getenv
// (os.Getenv in a program): STYTCH_PROJECT_ID, STYTCH_SECRET, STYTCH_API_URL,
// STYTCH_PUBLIC_TOKEN, ADDR, PUBLIC_URL, B2BAUTH_COOKIE_KEYS, REDIS_URL and
// EMULATOR_ADDR, each filling the [Config] field that names it. Unset
// variables keep the defaults.
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	cfg := Config{
		ProjectID:    strings.TrimSpace(getenv("STYTCH_PROJECT_ID")),
		Secret:       strings.TrimSpace(getenv("STYTCH_SECRET")),
		APIURL:       strings.TrimSpace(getenv("STYTCH_API_URL")),
		PublicToken:  strings.TrimSpace(getenv("STYTCH_PUBLIC_TOKEN")),
		Addr:         strings.TrimSpace(getenv("ADDR")),
		PublicURL:    strings.TrimSpace(getenv("PUBLIC_URL")),
		EmulatorAddr: strings.TrimSpace(getenv("EMULATOR_ADDR")),
		RedisURL:     strings.TrimSpace(getenv("REDIS_URL")),
	}
	if keys := strings.TrimSpace(getenv("B2BAUTH_COOKIE_KEYS")); keys != "" {
		var err error
		if cfg.CookieKeys, err = flows.ParseCookieKeys(keys); err != nil {
			return Config{}, fmt.Errorf("B2BAUTH_COOKIE_KEYS: %w", err)
		}
	}
	return cfg, cfg.resolve()
}

// resolve fills the defaults and checks the settings.
func (c *Config) resolve() error {
	if (c.ProjectID == "") != (c.Secret == "") {
		return errors.New("demo: set both STYTCH_PROJECT_ID and STYTCH_SECRET, or neither to use the emulator")
	}
	if c.APIURL != "" {
		u, err := url.Parse(c.APIURL)
		if c.ProjectID == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("demo: STYTCH_API_URL %q must be an absolute http(s) URL, given with STYTCH_PROJECT_ID", c.APIURL)
		}
	}
	if c.Addr == "" {
		c.Addr = DefaultAddr
	}
	if c.EmulatorAddr == "" {
		c.EmulatorAddr = DefaultEmulatorAddr
	}
	if c.PublicURL == "" {
		host, port, err := net.SplitHostPort(c.Addr)
		if err != nil {
			return fmt.Errorf("demo: listen address %q: %w", c.Addr, err)
		}
		if host == "" || net.ParseIP(host) != nil && net.ParseIP(host).IsUnspecified() {
			host = "localhost"
		}
		c.PublicURL = "http://" + net.JoinHostPort(host, port)
	}
	u, err := url.Parse(c.PublicURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("demo: public URL %q must be an absolute http(s) URL", c.PublicURL)
	}
	c.PublicURL = strings.TrimRight(c.PublicURL, "/")
	if c.Clock == nil {
		c.Clock = time.Now
	}
	return nil
}
