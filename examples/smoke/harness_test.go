package smoke_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/b2bauth/b2bauth/examples/internal/demo"
	"github.com/b2bauth/b2bauth/flows"
	"github.com/b2bauth/b2bauth/middleware"
)

func TestMain(m *testing.M) {
	// Gin's debug mode prints every route; the tests do not need it.
	gin.SetMode(gin.ReleaseMode)
	os.Exit(m.Run())
}

// fakeClock is the one clock of a test, shared by the emulator, the
// middleware and the flows.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *fakeClock {
	// It starts at the real time: the cookie jar expires cookies by the
	// real clock.
	return &fakeClock{now: time.Now().UTC().Truncate(time.Second)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// testKeys are the flow cookie keys every replica of a test shares.
var testKeys = []flows.KeyPair{{Hash: bytes.Repeat([]byte{1}, 32), Block: bytes.Repeat([]byte{2}, 32)}}

// server is one running instance of an example app.
type server struct {
	app *demo.App
	srv *httptest.Server
}

// startApp builds an app with cfg (public URL, keys, clock and logger filled
// in when unset) and serves the handler routes returns over TLS. Both stop
// when the test ends.
func startApp(t *testing.T, routes func(*demo.App) http.Handler, cfg demo.Config) *server {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	// httptest names the server by its listener: the URL is known before
	// the app needs it for its magic links.
	if cfg.PublicURL == "" {
		cfg.PublicURL = "https://" + srv.Listener.Addr().String()
	}
	if cfg.CookieKeys == nil {
		cfg.CookieKeys = testKeys
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	app, err := demo.New(context.Background(), cfg)
	if err != nil {
		srv.Close()
		t.Fatal(err)
	}
	t.Cleanup(app.Close)
	srv.Config.Handler = routes(app)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return &server{app: app, srv: srv}
}

// browser is a cookie-jar client that does not follow redirects, so each
// step's answer is checked.
type browser struct {
	t      *testing.T
	client *http.Client
}

func newBrowser(t *testing.T, s *server) *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	c := s.srv.Client()
	c.Jar = jar
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &browser{t: t, client: c}
}

// answer is a read response.
type answer struct {
	status   int
	header   http.Header
	location string
	body     string
}

func (b *browser) do(req *http.Request) answer {
	b.t.Helper()
	// A browser navigation: the middleware redirects to the login page and
	// the flows answer with pages.
	req.Header.Set("Accept", "text/html")
	res, err := b.client.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		b.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	return answer{status: res.StatusCode, header: res.Header, location: res.Header.Get("Location"), body: string(body)}
}

func (b *browser) get(u string) answer {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.do(req)
}

func (b *browser) post(u string, form url.Values) answer {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

// sessionCookies returns the session cookies the jar holds for s.
func (b *browser) sessionCookies(s *server) []*http.Cookie {
	u, _ := url.Parse(s.srv.URL)
	var out []*http.Cookie
	for _, c := range b.client.Jar.Cookies(u) {
		if c.Name == middleware.DefaultSessionCookie || c.Name == middleware.DefaultJWTCookie {
			out = append(out, c)
		}
	}
	return out
}

// setCookies puts cookies into the jar for s, as an attacker replaying
// copied cookies would.
func (b *browser) setCookies(s *server, cookies []*http.Cookie) {
	u, _ := url.Parse(s.srv.URL)
	for _, c := range cookies {
		c.Path, c.Secure, c.HttpOnly = "/", true, true
	}
	b.client.Jar.SetCookies(u, cookies)
}

// expect fails the test unless a has the status, the location (when want
// is not "") and every fragment in its body.
func expect(t *testing.T, step string, a answer, status int, location string, fragments ...string) {
	t.Helper()
	if a.status != status {
		t.Fatalf("%s: status %d, want %d; location %q; body:\n%s", step, a.status, status, a.location, a.body)
	}
	if location != "" && a.location != location {
		t.Fatalf("%s: redirect to %q, want %q", step, a.location, location)
	}
	for _, f := range fragments {
		if !strings.Contains(a.body, f) {
			t.Fatalf("%s: body lacks %q:\n%s", step, f, a.body)
		}
	}
}

// member is a seeded member to log in as.
type member struct {
	email, phone, org string
}

var (
	alice = member{demo.AliceEmail, demo.AlicePhone, demo.AcmeSlug}
	bob   = member{demo.BobEmail, demo.BobPhone, demo.AcmeSlug}
)

// login walks the whole browser login of m into its organization, which
// requires MFA by SMS: the dashboard redirects to the login page, the email
// form sends a magic link, the link (read from the emulator's outbox) leads
// to the organization list, the choice to the MFA page, and the SMS code
// (read from the outbox) to the dashboard. Step i is sent to
// replicas[i%len(replicas)], all sharing one emulator: a flow is not bound
// to the replica that started it. It returns the member id.
func login(t *testing.T, b *browser, m member, replicas ...*server) string {
	t.Helper()
	step := 0
	at := func(path string) string {
		s := replicas[step%len(replicas)]
		step++
		return s.srv.URL + path
	}
	emu := replicas[0].app.Emulator
	orgID, ok := emu.OrganizationID(m.org)
	if !ok {
		t.Fatalf("no organization %q", m.org)
	}
	memberID, ok := emu.MemberID(orgID, m.email)
	if !ok {
		t.Fatalf("no member %s in %s", m.email, m.org)
	}

	loginURL := demo.Prefix + "/login?return_to=%2Fdashboard"
	expect(t, "anonymous dashboard", b.get(at(demo.PathDashboard)), http.StatusSeeOther, loginURL)
	expect(t, "login page", b.get(at(loginURL)), http.StatusOK, "", `name="email"`, `value="/dashboard"`)
	expect(t, "email entry", b.post(at(demo.Prefix+"/login"), url.Values{"email": {m.email}, "return_to": {"/dashboard"}}),
		http.StatusSeeOther, demo.Prefix+"/login/check-email")
	expect(t, "check your email", b.get(at(demo.Prefix+"/login/check-email")), http.StatusOK, "", "Check your email", m.email)

	link, _, ok := emu.LastMagicLink(m.email)
	if !ok {
		t.Fatalf("no magic link sent to %s", m.email)
	}
	// The link names the public URL; a load balancer would send it to any
	// replica.
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	expect(t, "magic link", b.get(at(u.RequestURI())), http.StatusSeeOther, demo.Prefix+"/organizations")
	expect(t, "organization list", b.get(at(demo.Prefix+"/organizations")), http.StatusOK, "", "Acme", orgID)
	expect(t, "organization choice", b.post(at(demo.Prefix+"/organizations/select"), url.Values{"organization_id": {orgID}}),
		http.StatusSeeOther, demo.Prefix+"/mfa")
	expect(t, "MFA page", b.get(at(demo.Prefix+"/mfa")), http.StatusOK, "", "Text me a code")

	a := b.post(at(demo.Prefix+"/mfa/sms/send"), url.Values{})
	expect(t, "SMS send", a, http.StatusSeeOther, "")
	if !strings.HasPrefix(a.location, demo.Prefix+"/mfa") {
		t.Fatalf("SMS send: redirect to %q, want the MFA page", a.location)
	}
	code := emu.LastSMSCode(m.phone)
	if code == "" {
		t.Fatalf("no SMS code sent to %s", m.phone)
	}
	expect(t, "SMS verify", b.post(at(demo.Prefix+"/mfa/sms/verify"), url.Values{"code": {code}}),
		http.StatusSeeOther, demo.PathDashboard)
	return memberID
}

// loginWithoutMFA logs m in to an organization whose MFA is optional and
// for which m has none yet: the magic link, the organization choice, and
// the dashboard at once. It returns the member id.
func loginWithoutMFA(t *testing.T, b *browser, m member, s *server) string {
	t.Helper()
	emu := s.app.Emulator
	orgID, ok := emu.OrganizationID(m.org)
	if !ok {
		t.Fatalf("no organization %q", m.org)
	}
	memberID, ok := emu.MemberID(orgID, m.email)
	if !ok {
		t.Fatalf("no member %s in %s", m.email, m.org)
	}
	expect(t, "email entry", b.post(s.srv.URL+demo.Prefix+"/login", url.Values{"email": {m.email}, "return_to": {demo.PathDashboard}}),
		http.StatusSeeOther, demo.Prefix+"/login/check-email")
	expect(t, "check your email", b.get(s.srv.URL+demo.Prefix+"/login/check-email"), http.StatusOK, "", "Check your email")
	link, _, ok := emu.LastMagicLink(m.email)
	if !ok {
		t.Fatalf("no magic link sent to %s", m.email)
	}
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	expect(t, "magic link", b.get(s.srv.URL+u.RequestURI()), http.StatusSeeOther, demo.Prefix+"/organizations")
	expect(t, "organization choice", b.post(s.srv.URL+demo.Prefix+"/organizations/select", url.Values{"organization_id": {orgID}}),
		http.StatusSeeOther, demo.PathDashboard)
	return memberID
}

// expectDashboard checks that the dashboard shows m's session in its
// organization.
func expectDashboard(t *testing.T, b *browser, s *server, m member, memberID string, roles ...string) {
	t.Helper()
	orgID, _ := s.app.Emulator.OrganizationID(m.org)
	a := b.get(s.srv.URL + demo.PathDashboard)
	want := []string{memberID, m.email, orgID, `<span id="organization-slug">` + m.org + `</span>`}
	for _, r := range roles {
		want = append(want, "<code>"+r+"</code>")
	}
	expect(t, "dashboard", a, http.StatusOK, "", want...)
}
