package emulator

import (
	"log/slog"
	"time"
)

// Option configures a [Server] built by [New] or [NewTest]. New rejects a nil
// Option and an invalid value (an empty project id or secret, a nil clock or
// logger) with an error, never falling back to a default.
type Option interface {
	apply(*config)
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	projectID   string
	secret      string
	clock       func() time.Time
	addr        string
	seed        *Seed
	logger      *slog.Logger
	keyFile     string
	redirectURL string
	publicToken string
}

func defaultConfig() config {
	return config{
		projectID:   "project-test-" + newUUID(),
		secret:      "secret-test-" + newToken(),
		clock:       time.Now,
		addr:        "127.0.0.1:0",
		logger:      slog.New(slog.DiscardHandler),
		redirectURL: "http://localhost:3000/authenticate",
		publicToken: "public-token-test-" + newUUID(),
	}
}

// WithProjectID sets the project id the server answers for (default: a random
// "project-test-<uuid>"). It is the basic-auth user name, the JWT audience and
// part of the JWT issuer and of the JWKS path.
func WithProjectID(id string) Option {
	return optionFunc(func(c *config) { c.projectID = id })
}

// WithSecret sets the project secret checked by HTTP basic auth (default: random).
func WithSecret(secret string) Option {
	return optionFunc(func(c *config) { c.secret = secret })
}

// WithClock sets the clock every expiry, JWT time and TOTP code is computed
// from (default time.Now). Tests move time by returning a later instant; the
// server never sleeps to expire anything.
func WithClock(now func() time.Time) Option {
	return optionFunc(func(c *config) { c.clock = now })
}

// WithAddr sets the TCP address [New] listens on (default "127.0.0.1:0", a
// random free port on the loopback interface).
func WithAddr(addr string) Option {
	return optionFunc(func(c *config) { c.addr = addr })
}

// WithSeed loads organizations, members and RBAC roles when the server starts;
// see [Server.ApplySeed].
func WithSeed(seed Seed) Option {
	return optionFunc(func(c *config) { c.seed = &seed })
}

// WithLogger sets where the server logs what it "sends" (magic links, SMS
// codes) and internal failures (default: discard).
func WithLogger(l *slog.Logger) Option {
	return optionFunc(func(c *config) { c.logger = l })
}

// WithKeyFile keeps the JWT signing keys in a PEM file (PKCS #8 "PRIVATE KEY"
// blocks, the last one signs), so that key ids and signatures stay valid across
// restarts. The file is created with a fresh key when it does not exist.
// Default: a fresh key in memory per server.
func WithKeyFile(path string) Option {
	return optionFunc(func(c *config) { c.keyFile = path })
}

// WithDiscoveryRedirectURL sets the redirect URL used by magic link discovery
// sends that give none (default "http://localhost:3000/authenticate").
func WithDiscoveryRedirectURL(u string) Option {
	return optionFunc(func(c *config) { c.redirectURL = u })
}

// WithPublicToken sets the public token the public OAuth start endpoints
// accept (default a random "public-token-test-<uuid>").
func WithPublicToken(token string) Option {
	return optionFunc(func(c *config) { c.publicToken = token })
}
