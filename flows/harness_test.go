package flows_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/b2bauth/b2bauth/client"
	"github.com/b2bauth/b2bauth/emulator"
	"github.com/b2bauth/b2bauth/flows"
	"github.com/b2bauth/b2bauth/middleware"
)

// fakeClock is the one clock of a test, shared by the emulator, the
// middleware and the flows.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
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

var testKeys = flows.KeyPair{
	Hash:  bytes.Repeat([]byte{1}, 32),
	Block: bytes.Repeat([]byte{2}, 32),
}

// harness is an app using the flows, served over TLS, with Stytch played by
// the emulator and a browser with a cookie jar.
type harness struct {
	t      *testing.T
	clock  *fakeClock
	emu    *emulator.Server
	client *client.Client
	mw     *middleware.Middleware
	flows  *flows.Handler
	// front is the handler that serves /auth/: h.flows unless a test
	// routes the requests to another replica (see serveWith).
	front   *atomic.Pointer[flows.Handler]
	srv     *httptest.Server
	browser *http.Client
}

// testPublicToken is the emulator's public token, for OAuth starts.
const testPublicToken = "public-token-test-flows"

// newHarness starts the app. The flows get the public URL, keys and clock,
// then opts.
func newHarness(t *testing.T, opts ...flows.Option) *harness {
	t.Helper()
	return newHarnessWith(t, nil, opts...)
}

// newHarnessWith is newHarness with more options for the middleware, after
// its clock, login and step-up URLs.
func newHarnessWith(t *testing.T, mwOpts []middleware.Option, opts ...flows.Option) *harness {
	t.Helper()
	// The clock starts at the real time: the cookie jar expires cookies by
	// the real clock.
	h := &harness{t: t, clock: &fakeClock{now: time.Now().UTC().Truncate(time.Second)}}
	h.emu = emulator.NewTest(t, emulator.WithClock(h.clock.Now), emulator.WithPublicToken(testPublicToken))
	var err error
	h.client, err = client.New(h.emu.ProjectID(), h.emu.Secret(), client.WithBaseURL(h.emu.URL()))
	if err != nil {
		t.Fatal(err)
	}
	h.mw, err = middleware.New(h.client, append([]middleware.Option{
		middleware.WithClock(h.clock.Now),
		middleware.WithLoginURL("/auth/login"),
		middleware.WithStepUpURL("/auth/step-up")}, mwOpts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.mw.Close)

	mux := http.NewServeMux()
	h.srv = httptest.NewUnstartedServer(mux)
	h.srv.StartTLS()
	t.Cleanup(h.srv.Close)

	all := append([]flows.Option{
		flows.WithCookieKeys(testKeys),
		flows.WithPublicURL(h.srv.URL),
		flows.WithClock(h.clock.Now),
	}, opts...)
	h.flows, err = flows.New(h.client, h.mw, all...)
	if err != nil {
		t.Fatal(err)
	}
	h.front = new(atomic.Pointer[flows.Handler])
	h.front.Store(h.flows)
	mux.Handle("/auth/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.front.Load().ServeHTTP(w, r)
	}))
	mux.Handle("GET /dashboard", h.mw.RequireSession(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, _ := middleware.SessionFrom(r.Context())
		io.WriteString(w, "dashboard of "+s.MemberID)
	})))
	mux.Handle("GET /sensitive", h.mw.RequireSession(h.mw.RequireFreshFactor(middleware.MFAFactor, 5*time.Minute)(
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, "sensitive")
		}))))
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "home") })

	h.browser = h.srv.Client()
	h.browser.Jar, _ = cookiejar.New(nil)
	h.browser.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return h
}

// answer is a read response.
type answer struct {
	status   int
	header   http.Header
	body     string
	location string
}

// json decodes the body.
func (a answer) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(a.body), &m); err != nil {
		t.Fatalf("body is not JSON (%v): %s", err, a.body)
	}
	return m
}

// errorCode returns the error code of a JSON error body.
func (a answer) errorCode(t *testing.T) string {
	t.Helper()
	e, _ := a.json(t)["error"].(map[string]any)
	code, _ := e["code"].(string)
	return code
}

func (h *harness) do(req *http.Request) answer {
	h.t.Helper()
	res, err := h.browser.Do(req)
	if err != nil {
		h.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return answer{status: res.StatusCode, header: res.Header, body: string(b), location: res.Header.Get("Location")}
}

// get fetches an app path (or absolute URL) as a browser page.
func (h *harness) get(path string) answer {
	h.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, h.url(path), nil)
	req.Header.Set("Accept", "text/html")
	return h.do(req)
}

// getJSON fetches an app path asking for JSON.
func (h *harness) getJSON(path string) answer {
	h.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, h.url(path), nil)
	req.Header.Set("Accept", "application/json")
	return h.do(req)
}

// post submits a form like a browser.
func (h *harness) post(path string, form url.Values) answer {
	h.t.Helper()
	return h.do(h.postRequest(path, form, "text/html"))
}

// postJSON submits a form asking for JSON.
func (h *harness) postJSON(path string, form url.Values) answer {
	h.t.Helper()
	return h.do(h.postRequest(path, form, "application/json"))
}

func (h *harness) postRequest(path string, form url.Values, accept string) *http.Request {
	req, _ := http.NewRequest(http.MethodPost, h.url(path), strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", accept)
	return req
}

// lostAnswer sends req with the browser's cookies and returns the answer
// without letting the browser keep it: the request of a double click that
// the browser cancelled, after the server finished it.
func (h *harness) lostAnswer(req *http.Request) *http.Response {
	h.t.Helper()
	for _, c := range h.browser.Jar.Cookies(req.URL) {
		req.AddCookie(c)
	}
	lost := &http.Client{Transport: h.browser.Transport, CheckRedirect: h.browser.CheckRedirect}
	res, err := lost.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	res.Body.Close()
	return res
}

func (h *harness) url(path string) string {
	if strings.HasPrefix(path, "https://") {
		return path
	}
	return h.srv.URL + path
}

// cookie returns the jar's value of the named cookie, or "".
func (h *harness) cookie(name string) string {
	u, _ := url.Parse(h.srv.URL)
	for _, c := range h.browser.Jar.Cookies(u) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

// setCookie puts a cookie into the jar.
func (h *harness) setCookie(name, value string) {
	u, _ := url.Parse(h.srv.URL)
	h.browser.Jar.SetCookies(u, []*http.Cookie{{Name: name, Value: value, Path: "/", Secure: true, HttpOnly: true}})
}

// serveWith makes f, another replica of the app, serve the next requests
// to /auth/.
func (h *harness) serveWith(f *flows.Handler) { h.front.Store(f) }

func (h *harness) flowCookie() string { return h.cookie(flows.FlowCookieName(h.flows)) }

// org adds an organization.
func (h *harness) org(seed emulator.OrganizationSeed) string {
	h.t.Helper()
	id, err := h.emu.AddOrganization(seed)
	if err != nil {
		h.t.Fatal(err)
	}
	return id
}

// member adds a member.
func (h *harness) member(seed emulator.MemberSeed) string {
	h.t.Helper()
	id, err := h.emu.AddMember(seed)
	if err != nil {
		h.t.Fatal(err)
	}
	return id
}

// discover runs email entry and the magic link and expects the organization
// list next.
func (h *harness) discover(email, returnTo string) {
	h.t.Helper()
	if a := h.postJSON("/auth/login", url.Values{"email": {email}, "return_to": {returnTo}}); a.status != http.StatusOK {
		h.t.Fatalf("POST /auth/login = %d %s", a.status, a.body)
	}
	link, _, ok := h.emu.LastMagicLink(email)
	if !ok {
		h.t.Fatalf("no magic link sent to %s", email)
	}
	a := h.get(link)
	if a.status != http.StatusSeeOther || a.location != "/auth/organizations" {
		h.t.Fatalf("callback = %d to %q, want 303 to /auth/organizations: %s", a.status, a.location, a.body)
	}
}

// waitOutEmailCooldown moves the clock to the end of the wait between two
// emails of one kind to an address (flows.DefaultEmailResendCooldown).
func (h *harness) waitOutEmailCooldown() { h.clock.Advance(flows.DefaultEmailResendCooldown) }

// selectOrg posts the organization choice, asking for JSON.
func (h *harness) selectOrg(orgID string) answer {
	h.t.Helper()
	return h.postJSON("/auth/organizations/select", url.Values{"organization_id": {orgID}})
}

// expectDone checks a JSON "done" answer leading to want.
func (h *harness) expectDone(a answer, want string) {
	h.t.Helper()
	if a.status != http.StatusOK {
		h.t.Fatalf("status %d, want 200: %s", a.status, a.body)
	}
	m := a.json(h.t)
	if m["next"] != "done" || m["redirect"] != want {
		h.t.Fatalf("answer %s, want next done to %q", a.body, want)
	}
}

// expectLoggedIn checks that the middleware accepts the session cookies.
func (h *harness) expectLoggedIn(memberID string) {
	h.t.Helper()
	a := h.get("/dashboard")
	if a.status != http.StatusOK || a.body != "dashboard of "+memberID {
		h.t.Fatalf("GET /dashboard = %d %q, want the dashboard of %s", a.status, a.body, memberID)
	}
}

// newBrowser returns the harness seen from another browser (an empty jar).
func newBrowser(h *harness) *harness {
	other := *h
	jar, _ := cookiejar.New(nil)
	other.browser = &http.Client{Transport: h.browser.Transport, Jar: jar, CheckRedirect: h.browser.CheckRedirect}
	return &other
}

// jsonField returns a string field of a JSON object.
func jsonField(t *testing.T, obj, key string) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(obj), &m); err != nil {
		t.Fatal(err)
	}
	s, _ := m[key].(string)
	return s
}

// assertNoSecret checks that an answer shows a secret nowhere.
func assertNoSecret(t *testing.T, a answer, secret string) {
	t.Helper()
	if secret == "" {
		return
	}
	if strings.Contains(a.body, secret) || strings.Contains(a.location, secret) {
		t.Fatalf("the answer reveals a secret:\n%s", a.body)
	}
	for _, vs := range a.header {
		for _, v := range vs {
			if strings.Contains(v, secret) && !strings.Contains(v, "b2bauth_flow") {
				t.Fatalf("a header reveals a secret: %s", v)
			}
		}
	}
}

// newClient returns a client of a project nobody answers for, for tests
// that never reach Stytch.
func newClient(tb testing.TB) *client.Client {
	tb.Helper()
	c, err := client.New("project-test-offline", "secret", client.WithBaseURL("http://127.0.0.1:1"))
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// newMiddleware returns a middleware for tests that never reach Stytch.
func newMiddleware(tb testing.TB) *middleware.Middleware {
	tb.Helper()
	m, err := middleware.New(newClient(tb))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(m.Close)
	return m
}

// syncBuffer is a bytes.Buffer safe for a logger and a test.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func (b *syncBuffer) Len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Len()
}

// expectLoggedInAnyone checks that the middleware still accepts the
// session cookies.
func (h *harness) expectLoggedInAnyone() {
	h.t.Helper()
	if a := h.get("/dashboard"); a.status != http.StatusOK {
		h.t.Fatalf("GET /dashboard = %d, want the member still signed in", a.status)
	}
}
