package middlewaretest

import (
	"context"
	"crypto/rsa"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/MicahParks/jwkset"

	"github.com/b2bauth/b2bauth/client"
	"github.com/b2bauth/b2bauth/emulator"
	"github.com/b2bauth/b2bauth/middleware"
)

// Clock is a manual clock shared by the emulator and the middleware. It is
// safe for concurrent use, and reading it takes no lock, so that a
// benchmark on it measures the middleware rather than the clock.
type Clock struct {
	start   time.Time
	elapsed atomic.Int64 // nanoseconds advanced since start
}

// NewClock returns a clock reading start.
func NewClock(start time.Time) *Clock { return &Clock{start: start} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	return c.start.Add(time.Duration(c.elapsed.Load()))
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.elapsed.Add(int64(d))
}

// Env is a seeded emulator with a client and a middleware for it.
type Env struct {
	Emulator   *emulator.Server
	Client     *client.Client
	Middleware *middleware.Middleware
	Clock      *Clock

	// OrganizationID is the "acme" organization's id.
	OrganizationID string
	// AdminID holds stytch_admin; MemberID holds only stytch_member;
	// EditorID holds the custom "editor" role (documents: *). All three are
	// members of "acme".
	AdminID, MemberID, EditorID string
	// M2MClientID is an M2M client holding [ScopeRead] and [ScopeWrite],
	// with secret M2MSecret.
	M2MClientID, M2MSecret string
	// OtherOrganizationID is the "globex" organization's id;
	// OtherEditorID, a member of it, holds the "editor" role there.
	OtherOrganizationID, OtherEditorID string
}

// Scopes of the seeded M2M client.
const (
	ScopeRead  = "read:reports"
	ScopeWrite = "write:reports"
)

// Resource and actions of the seeded RBAC policy.
const (
	Resource    = "documents"
	ActionRead  = "read"
	ActionWrite = "write"
)

// EnvOption configures [NewEnv]: a middleware.Option, given to the
// middleware after the clock, or one of [WithSeed], [WithEmulatorOptions],
// [WithMiddlewareOptions] and [WithClientOptions]. NewEnv fails the test on
// any other value (a nil one included).
type EnvOption any

// envConfig is what the EnvOptions set.
type envConfig struct {
	seed       *emulator.Seed
	emulator   []emulator.Option
	client     []client.Option
	middleware []middleware.Option
}

// envOption is one of this package's EnvOptions.
type envOption func(*envConfig)

// WithSeed replaces the default seed (see [DefaultSeed]) with the app's own.
// The ids of [Env] are then filled only for the organizations "acme" and
// "globex", the members and the M2M client of the default seed that seed
// also holds; find the others with [Env.Member] or the emulator.
func WithSeed(seed emulator.Seed) EnvOption {
	return envOption(func(c *envConfig) { c.seed = &seed })
}

// WithEmulatorOptions adds options to the emulator, after its clock and
// seed (emulator.WithClock, emulator.WithSeed).
func WithEmulatorOptions(opts ...emulator.Option) EnvOption {
	return envOption(func(c *envConfig) { c.emulator = append(c.emulator, opts...) })
}

// WithClientOptions adds options to the client of the emulator.
func WithClientOptions(opts ...client.Option) EnvOption {
	return envOption(func(c *envConfig) { c.client = append(c.client, opts...) })
}

// WithMiddlewareOptions adds options to the middleware, after its clock;
// the same as passing them to [NewEnv] directly.
func WithMiddlewareOptions(opts ...middleware.Option) EnvOption {
	return envOption(func(c *envConfig) { c.middleware = append(c.middleware, opts...) })
}

// DefaultSeed is the seed of [NewEnv] without [WithSeed]: the organizations
// "acme" and "globex"; in acme, admin@acme.test (stytch_admin),
// member@acme.test (stytch_member only) and editor@acme.test (the custom
// "editor" role, [Resource]: *); in globex, editor@globex.test (editor);
// and the M2M client "m2m-client-test-reports" with [ScopeRead] and
// [ScopeWrite].
func DefaultSeed() emulator.Seed {
	return emulator.Seed{
		Organizations: []emulator.OrganizationSeed{{Name: "Acme", Slug: "acme"}, {Name: "Globex", Slug: "globex"}},
		Members: []emulator.MemberSeed{
			{Organization: "acme", Email: "admin@acme.test", Roles: []string{"stytch_admin"}},
			{Organization: "acme", Email: "member@acme.test"},
			{Organization: "acme", Email: "editor@acme.test", Roles: []string{"editor"}},
			{Organization: "globex", Email: "editor@globex.test", Roles: []string{"editor"}},
		},
		Resources: []emulator.Resource{{ResourceID: Resource, Actions: []string{ActionRead, ActionWrite}}},
		Roles: []emulator.Role{
			{RoleID: "editor", Permissions: []emulator.Permission{{ResourceID: Resource, Actions: []string{"*"}}}},
		},
		M2MClients: []emulator.M2MClientSeed{{ID: defaultM2MClientID, Secret: defaultM2MSecret,
			Name: "reports", Scopes: []string{ScopeRead, ScopeWrite}, CustomClaims: map[string]any{"tenant": "acme"}}},
	}
}

const (
	defaultM2MClientID = "m2m-client-test-reports"
	defaultM2MSecret   = "reports-client-secret"
)

// NewEnv starts a seeded emulator and builds a client and a middleware for
// it, all on one manual clock. The seed is [DefaultSeed] unless [WithSeed]
// gives the app's own; opts also take options for the emulator, the client
// and the middleware (see [EnvOption]). Everything is closed when the test
// ends; a failure to start fails the test.
func NewEnv(tb testing.TB, opts ...EnvOption) *Env {
	tb.Helper()
	var cfg envConfig
	for i, o := range opts {
		switch o := o.(type) {
		case envOption:
			o(&cfg)
		case middleware.Option:
			cfg.middleware = append(cfg.middleware, o)
		default:
			tb.Fatalf("b2bauth: middlewaretest: option %d of NewEnv is a %T, not an EnvOption", i+1, o)
		}
	}
	return newEnv(tb, cfg)
}

// NewEnvWithClient is [NewEnv] with options for the client too; the same as
// NewEnv(tb, WithClientOptions(clientOpts...), WithMiddlewareOptions(opts...)).
func NewEnvWithClient(tb testing.TB, clientOpts []client.Option, opts ...middleware.Option) *Env {
	tb.Helper()
	return newEnv(tb, envConfig{client: clientOpts, middleware: opts})
}

func newEnv(tb testing.TB, cfg envConfig) *Env {
	tb.Helper()
	clk := NewClock(time.Now().UTC().Truncate(time.Second))
	seed := DefaultSeed()
	if cfg.seed != nil {
		seed = *cfg.seed
	}
	emu := emulator.NewTest(tb, append([]emulator.Option{emulator.WithClock(clk.Now), emulator.WithSeed(seed)}, cfg.emulator...)...)
	c, err := emu.Client(cfg.client...)
	if err != nil {
		tb.Fatal(err)
	}
	m, err := middleware.New(c, append([]middleware.Option{middleware.WithClock(clk.Now)}, cfg.middleware...)...)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(m.Close)
	e := &Env{Emulator: emu, Client: c, Middleware: m, Clock: clk}
	for _, mc := range seed.M2MClients {
		if mc.ID == defaultM2MClientID {
			e.M2MClientID, e.M2MSecret = mc.ID, mc.Secret
		}
	}
	e.OrganizationID, _ = emu.OrganizationID("acme")
	e.OtherOrganizationID, _ = emu.OrganizationID("globex")
	e.OtherEditorID, _ = emu.MemberID("globex", "editor@globex.test")
	e.AdminID, _ = emu.MemberID("acme", "admin@acme.test")
	e.MemberID, _ = emu.MemberID("acme", "member@acme.test")
	e.EditorID, _ = emu.MemberID("acme", "editor@acme.test")
	if cfg.seed == nil && (e.OrganizationID == "" || e.OtherOrganizationID == "" || e.OtherEditorID == "" ||
		e.AdminID == "" || e.MemberID == "" || e.EditorID == "") {
		tb.Fatal("b2bauth: middlewaretest: the default seed is incomplete")
	}
	return e
}

// Member returns the id of the member of the organization with that slug
// and email, failing the test when there is none: for the members of a seed
// given with [WithSeed].
func (e *Env) Member(tb testing.TB, organizationSlug, email string) string {
	tb.Helper()
	id, ok := e.Emulator.MemberID(organizationSlug, email)
	if !ok {
		tb.Fatalf("b2bauth: middlewaretest: no member %s in organization %q", email, organizationSlug)
	}
	return id
}

// SignIn starts a session for memberID at the emulator (see
// emulator.Server.CreateSession for opts, such as its factors) and adds the
// session cookies a browser would hold to r, which it returns.
func (e *Env) SignIn(tb testing.TB, r *http.Request, memberID string, opts ...emulator.SessionOption) *http.Request {
	tb.Helper()
	token, jwt, err := e.Emulator.CreateSession(memberID, opts...)
	if err != nil {
		tb.Fatal(err)
	}
	for _, c := range e.SessionCookies(token, jwt) {
		r.AddCookie(c)
	}
	return r
}

// Login creates a session for memberID at the emulator and returns its
// session token and JWT.
func (e *Env) Login(tb testing.TB, memberID string) (token, jwt string) {
	tb.Helper()
	token, jwt, err := e.Emulator.CreateSession(memberID)
	if err != nil {
		tb.Fatal(err)
	}
	return token, jwt
}

// M2MToken returns an access token of the seeded M2M client narrowed to
// scopes (all of its scopes when none are given).
func (e *Env) M2MToken(tb testing.TB, scopes ...string) string {
	tb.Helper()
	tok, err := e.Emulator.M2MToken(e.M2MClientID, scopes...)
	if err != nil {
		tb.Fatal(err)
	}
	return tok
}

// SessionCookies returns the cookies a browser holds after login.
func (e *Env) SessionCookies(token, jwt string) []*http.Cookie {
	var cs []*http.Cookie
	if token != "" {
		cs = append(cs, &http.Cookie{Name: middleware.DefaultSessionCookie, Value: token})
	}
	if jwt != "" {
		cs = append(cs, &http.Cookie{Name: middleware.DefaultJWTCookie, Value: jwt})
	}
	return cs
}

// AuthenticateCalls counts sessions authenticate calls the emulator received.
func (e *Env) AuthenticateCalls() int {
	return e.Emulator.Calls(http.MethodPost, "/v1/b2b/sessions/authenticate")
}

// PublicKey returns the emulator's newest signing key, read from the JWKS
// it publishes.
func (e *Env) PublicKey(tb testing.TB) *rsa.PublicKey {
	tb.Helper()
	res, err := e.Client.Sessions.GetJWKS(context.Background(), &client.SessionsGetJWKSParams{ProjectID: e.Client.ProjectID()})
	if err != nil {
		tb.Fatal(err)
	}
	k := res.Keys[len(res.Keys)-1]
	jwk, err := jwkset.NewJWKFromMarshal(jwkset.JWKMarshal{KTY: jwkset.KtyRSA, KID: k.Kid, N: k.N, E: k.E},
		jwkset.JWKMarshalOptions{}, jwkset.JWKValidateOptions{})
	if err != nil {
		tb.Fatal(err)
	}
	pub, ok := jwk.Key().(*rsa.PublicKey)
	if !ok {
		tb.Fatalf("JWK %s is not an RSA public key", k.Kid)
	}
	return pub
}

// Discard is an http.ResponseWriter that keeps nothing, so benchmarks
// measure the handler rather than a recorder. Use NewDiscard.
type Discard struct{ h http.Header }

// NewDiscard returns a Discard with an empty header map.
func NewDiscard() *Discard { return &Discard{h: http.Header{}} }

// Header implements http.ResponseWriter.
func (d *Discard) Header() http.Header { return d.h }

// Write implements http.ResponseWriter and keeps nothing.
func (d *Discard) Write(b []byte) (int, error) { return len(b), nil }

// WriteHeader implements http.ResponseWriter and keeps nothing.
func (d *Discard) WriteHeader(int) {}
