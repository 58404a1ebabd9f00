package middlewaretest

import (
	"context"
	"crypto/rsa"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/MicahParks/jwkset"

	"github.com/b2bauth/b2bauth/client"
	"github.com/b2bauth/b2bauth/emulator"
	"github.com/b2bauth/b2bauth/middleware"
)

// Clock is a manual clock shared by the emulator and the middleware. It is
// safe for concurrent use.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock reading start.
func NewClock(start time.Time) *Clock { return &Clock{now: start} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
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

// NewEnv starts a seeded emulator and builds a client and a middleware for
// it, all on one manual clock. The middleware gets opts after the clock.
// Everything is closed when the test ends.
func NewEnv(tb testing.TB, opts ...middleware.Option) *Env {
	tb.Helper()
	return NewEnvWithClient(tb, nil, opts...)
}

// NewEnvWithClient is [NewEnv] with options for the client too.
func NewEnvWithClient(tb testing.TB, clientOpts []client.Option, opts ...middleware.Option) *Env {
	tb.Helper()
	clk := NewClock(time.Now().UTC().Truncate(time.Second))
	seed := emulator.Seed{
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
		M2MClients: []emulator.M2MClientSeed{{ID: "m2m-client-test-reports", Secret: "reports-client-secret",
			Name: "reports", Scopes: []string{ScopeRead, ScopeWrite}, CustomClaims: map[string]any{"tenant": "acme"}}},
	}
	emu := emulator.NewTest(tb, emulator.WithClock(clk.Now), emulator.WithSeed(seed))
	c, err := emu.Client(clientOpts...)
	if err != nil {
		tb.Fatal(err)
	}
	m, err := middleware.New(c, append([]middleware.Option{middleware.WithClock(clk.Now)}, opts...)...)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(m.Close)
	e := &Env{Emulator: emu, Client: c, Middleware: m, Clock: clk,
		M2MClientID: "m2m-client-test-reports", M2MSecret: "reports-client-secret"}
	var ok bool
	if e.OrganizationID, ok = emu.OrganizationID("acme"); !ok {
		tb.Fatal("seeded organization missing")
	}
	if e.OtherOrganizationID, ok = emu.OrganizationID("globex"); !ok {
		tb.Fatal("seeded organization missing")
	}
	if e.OtherEditorID, ok = emu.MemberID("globex", "editor@globex.test"); !ok {
		tb.Fatal("seeded member editor@globex.test missing")
	}
	for _, p := range []struct {
		id    *string
		email string
	}{{&e.AdminID, "admin@acme.test"}, {&e.MemberID, "member@acme.test"}, {&e.EditorID, "editor@acme.test"}} {
		if *p.id, ok = emu.MemberID("acme", p.email); !ok {
			tb.Fatalf("seeded member %s missing", p.email)
		}
	}
	return e
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
