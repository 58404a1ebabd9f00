package redisstore_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/b2bauth/b2bauth/client"
	"github.com/b2bauth/b2bauth/emulator"
	"github.com/b2bauth/b2bauth/flows"
	"github.com/b2bauth/b2bauth/middleware"
	redisstore "github.com/b2bauth/b2bauth/stores/redis"
)

var testKeys = flows.KeyPair{Hash: bytes.Repeat([]byte{1}, 32), Block: bytes.Repeat([]byte{2}, 32)}

const (
	exchangePath     = "/v1/b2b/discovery/intermediate_sessions/exchange"
	authenticatePath = "/v1/b2b/sessions/authenticate"
	smsSendPath      = "/v1/b2b/otps/sms/send"
	linkSendPath     = "/v1/b2b/magic_links/email/discovery/send"
	testPhone        = "+15555550123"
)

// replica is one instance of an application using the login handlers, on
// its own port, with its own Redis client.
type replica struct {
	mw        *middleware.Middleware
	flows     *flows.Handler
	srv       *httptest.Server
	delivered chan string // ids the revocation feed delivered
}

// cluster is two replicas of one application: one Stytch project (the
// emulator), one Redis, one set of cookie keys, nothing else shared.
type cluster struct {
	t        *testing.T
	redis    *redisServer
	emu      *emulator.Server
	client   *client.Client
	replicas [2]*replica
	browser  *http.Client
}

// observedFeed reports every id its subscriber was handed, once handled.
type observedFeed struct {
	*redisstore.Revocations
	delivered chan string
}

func (f observedFeed) Subscribe(deliver func(string)) (func(), error) {
	return f.Revocations.Subscribe(func(id string) {
		deliver(id)
		select {
		case f.delivered <- id:
		default:
		}
	})
}

// newCluster starts the replicas on srv's Redis, or on stores in their own
// memory when srv is nil (each instance counting for itself, as without
// this module).
func newCluster(t *testing.T, srv *redisServer) *cluster {
	t.Helper()
	c := &cluster{t: t, redis: srv, emu: emulator.NewTest(t)}
	var err error
	if c.client, err = c.emu.Client(); err != nil {
		t.Fatal(err)
	}
	for i := range c.replicas {
		r := &replica{delivered: make(chan string, 16)}
		var mwOpts []middleware.Option
		var flowOpts []flows.Option
		if srv != nil {
			rdb := srv.Client(t)
			store, err := redisstore.New(rdb, c.emu.ProjectID())
			if err != nil {
				t.Fatal(err)
			}
			feed, err := redisstore.NewRevocations(rdb, c.emu.ProjectID(), redisstore.WithRetry(20*time.Millisecond))
			if err != nil {
				t.Fatal(err)
			}
			mwOpts = append(mwOpts, middleware.WithRevocations(observedFeed{feed, r.delivered}))
			flowOpts = append(flowOpts, flows.WithStore(store))
		}
		if r.mw, err = middleware.New(c.client, append([]middleware.Option{middleware.WithLoginURL("/auth/login")}, mwOpts...)...); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(r.mw.Close)
		mux := http.NewServeMux()
		r.srv = httptest.NewUnstartedServer(mux)
		r.srv.StartTLS()
		t.Cleanup(r.srv.Close)
		if r.flows, err = flows.New(c.client, r.mw, append([]flows.Option{
			flows.WithCookieKeys(testKeys), flows.WithPublicURL(r.srv.URL)}, flowOpts...)...); err != nil {
			t.Fatal(err)
		}
		mux.Handle("/auth/", r.flows)
		mux.Handle("GET /dashboard", r.mw.RequireSession(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s, _ := middleware.SessionFrom(r.Context())
			io.WriteString(w, "dashboard of "+s.MemberID)
		})))
		c.replicas[i] = r
	}
	// Both replicas serve the same test certificate; cookies belong to the
	// host, not the port, so the browser's cookies reach both.
	c.browser = c.replicas[0].srv.Client()
	c.browser.Jar, _ = cookiejar.New(nil)
	c.browser.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return c
}

// answer is a read response.
type answer struct {
	status int
	body   string
}

func (a answer) field(t *testing.T, key string) any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(a.body), &m); err != nil {
		t.Fatalf("body is not JSON (%v): %s", err, a.body)
	}
	if key == "code" {
		e, _ := m["error"].(map[string]any)
		return e["code"]
	}
	return m[key]
}

func (c *cluster) do(req *http.Request) answer {
	c.t.Helper()
	res, err := c.browser.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return answer{res.StatusCode, string(b)}
}

// post submits a form to replica i, asking for JSON.
func (c *cluster) post(i int, path string, form url.Values) answer {
	c.t.Helper()
	return c.do(c.postRequest(i, path, form))
}

func (c *cluster) postRequest(i int, path string, form url.Values) *http.Request {
	req, _ := http.NewRequest(http.MethodPost, c.replicas[i].srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	return req
}

// dashboard fetches /dashboard from replica i with the session JWT as a
// bearer token (no cookies).
func (c *cluster) dashboard(i int, jwt string) answer {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.replicas[i].srv.URL+"/dashboard", nil)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", "Bearer "+jwt)
	res, err := c.replicas[i].srv.Client().Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return answer{res.StatusCode, string(b)}
}

func (c *cluster) cookie(name string) string {
	u, _ := url.Parse(c.replicas[0].srv.URL)
	for _, k := range c.browser.Jar.Cookies(u) {
		if k.Name == name {
			return k.Value
		}
	}
	return ""
}

// newBrowser returns the cluster seen from another browser (an empty jar).
func (c *cluster) newBrowser() *cluster {
	other := *c
	jar, _ := cookiejar.New(nil)
	other.browser = &http.Client{Transport: c.browser.Transport, Jar: jar, CheckRedirect: c.browser.CheckRedirect}
	return &other
}

// setCookie puts a cookie into the browser's jar.
func (c *cluster) setCookie(name, value string) {
	u, _ := url.Parse(c.replicas[0].srv.URL)
	c.browser.Jar.SetCookies(u, []*http.Cookie{{Name: name, Value: value, Path: "/", Secure: true, HttpOnly: true}})
}

// flowCookieName is the flow cookie of handlers on an https public URL.
const flowCookieName = "__Host-b2bauth_flow"

func (c *cluster) flowCookie() string { return c.cookie(flowCookieName) }

// member adds an organization of its own and a member of it.
func (c *cluster) member(slug, policy string, seed emulator.MemberSeed) (orgID, memberID string) {
	c.t.Helper()
	orgID, err := c.emu.AddOrganization(emulator.OrganizationSeed{Name: slug, Slug: slug, MFAPolicy: policy})
	if err != nil {
		c.t.Fatal(err)
	}
	seed.Organization = slug
	if memberID, err = c.emu.AddMember(seed); err != nil {
		c.t.Fatal(err)
	}
	return orgID, memberID
}

// discover enters email on replica i and follows the magic link.
func (c *cluster) discover(i int, email string) {
	c.t.Helper()
	if a := c.post(i, "/auth/login", url.Values{"email": {email}}); a.status != http.StatusOK {
		c.t.Fatalf("POST /auth/login = %d %s", a.status, a.body)
	}
	link, _, ok := c.emu.LastMagicLink(email)
	if !ok {
		c.t.Fatalf("no magic link sent to %s", email)
	}
	req, _ := http.NewRequest(http.MethodGet, link, nil)
	req.Header.Set("Accept", "text/html")
	if a := c.do(req); a.status != http.StatusSeeOther {
		c.t.Fatalf("callback = %d %s", a.status, a.body)
	}
}

// discoverByCode enters email on replica i for a code and enters it.
func (c *cluster) discoverByCode(i int, email string) {
	c.t.Helper()
	if a := c.post(i, "/auth/login/code", url.Values{"email": {email}}); a.status != http.StatusOK {
		c.t.Fatalf("POST /auth/login/code = %d %s", a.status, a.body)
	}
	if a := c.post(i, "/auth/login/code/verify", url.Values{"code": {c.emu.LastEmailCode(email)}}); a.status != http.StatusOK {
		c.t.Fatalf("POST /auth/login/code/verify = %d %s", a.status, a.body)
	}
}

func (c *cluster) selectOrg(i int, orgID string) answer {
	c.t.Helper()
	return c.post(i, "/auth/organizations/select", url.Values{"organization_id": {orgID}})
}

// totpCodes returns the member's current TOTP code and a wrong one.
func (c *cluster) totpCodes(memberID string) (right, wrong string) {
	c.t.Helper()
	right, err := c.emu.TOTPCode(memberID)
	if err != nil {
		c.t.Fatal(err)
	}
	n, _ := strconv.Atoi(right)
	return right, fmt.Sprintf("%06d", (n+500000)%1000000)
}

const totpSecret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

func expect(t *testing.T, what string, a answer, status int, code string) {
	t.Helper()
	if a.status != status || code != "" && a.field(t, "code") != code {
		t.Fatalf("%s = %d %s, want %d %s", what, a.status, a.body, status, code)
	}
}

func TestReplicasShareLimits(t *testing.T) {
	t.Parallel()
	srv := startRedis(t, false)
	tests := []struct {
		name string
		run  func(t *testing.T, c *cluster)
	}{
		{"five wrong codes spread across both replicas lock the member on both", func(t *testing.T, c *cluster) {
			orgID, memberID := c.member("lock", "REQUIRED_FOR_ALL", emulator.MemberSeed{Email: "lo@lock.example", TOTPSecret: totpSecret})
			c.discover(0, "lo@lock.example")
			if a := c.selectOrg(1, orgID); a.field(t, "next") != "mfa" {
				t.Fatalf("select = %d %s", a.status, a.body)
			}
			// Every guess replays the flow cookie from before the first:
			// only the replicas' guard can count them.
			saved := c.flowCookie()
			right, wrong := c.totpCodes(memberID)
			for i := range 5 {
				c.setCookie(flowCookieName, saved)
				a := c.post(i%2, "/auth/mfa/totp/verify", url.Values{"code": {wrong}})
				if a.status != http.StatusUnauthorized && a.status != http.StatusTooManyRequests {
					t.Fatalf("wrong code %d = %d %s", i+1, a.status, a.body)
				}
			}
			for i := range 2 {
				c.setCookie(flowCookieName, saved)
				expect(t, "the right code on replica "+strconv.Itoa(i), c.post(i, "/auth/mfa/totp/verify", url.Values{"code": {right}}),
					http.StatusTooManyRequests, "too_many_attempts")
			}
		}},
		{"an SMS sent through one replica starts the cooldown on the other", func(t *testing.T, c *cluster) {
			orgID, _ := c.member("sms", "REQUIRED_FOR_ALL", emulator.MemberSeed{Email: "sam@sms.example", Phone: testPhone, MFAPhoneNumberVerified: true})
			c.discover(0, "sam@sms.example")
			if a := c.selectOrg(0, orgID); a.field(t, "sms_sent") != true {
				t.Fatalf("select = %d %s, want an SMS sent on entry", a.status, a.body)
			}
			sends, exchanges := c.emu.Calls(http.MethodPost, smsSendPath), c.emu.Calls(http.MethodPost, exchangePath)
			// A new flow in another browser, through the other replica:
			// only the replicas' guard knows of the text. It signs in with
			// an email code: a second link within the email cooldown
			// would be refused, and Redis keeps the real time.
			other := c.newBrowser()
			other.discoverByCode(1, "sam@sms.example")
			expect(t, "entering again through the other replica", other.selectOrg(1, orgID), http.StatusTooManyRequests, "sms_cooldown")
			if n := c.emu.Calls(http.MethodPost, exchangePath) - exchanges; n != 0 {
				t.Fatalf("Stytch entered (and texted) %d more times", n)
			}
			if n := c.emu.Calls(http.MethodPost, smsSendPath) - sends; n != 0 {
				t.Fatalf("%d more SMS sent", n)
			}
		}},
		{"an email asked for through one replica starts the cooldown on the other", func(t *testing.T, c *cluster) {
			c.member("mail", "OPTIONAL", emulator.MemberSeed{Email: "mo@mail.example"})
			if a := c.post(0, "/auth/login", url.Values{"email": {"mo@mail.example"}}); a.status != http.StatusOK {
				t.Fatalf("POST /auth/login = %d %s", a.status, a.body)
			}
			sends := c.emu.Calls(http.MethodPost, linkSendPath)
			expect(t, "a link asked for again through the other replica", c.newBrowser().post(1, "/auth/login", url.Values{"email": {"MO@mail.example "}}),
				http.StatusTooManyRequests, "email_cooldown")
			if n := c.emu.Calls(http.MethodPost, linkSendPath) - sends; n != 0 {
				t.Fatalf("%d more links sent", n)
			}
		}},
		{"two concurrent entries into one organization through both replicas enter once", func(t *testing.T, c *cluster) {
			orgID, _ := c.member("entry", "REQUIRED_FOR_ALL", emulator.MemberSeed{Email: "eve@entry.example", Phone: testPhone, MFAPhoneNumberVerified: true})
			c.discover(0, "eve@entry.example")
			exchanges := c.emu.Calls(http.MethodPost, exchangePath)
			c.emu.SetFault(emulator.Fault{Path: exchangePath, Latency: 300 * time.Millisecond})
			var (
				wg       sync.WaitGroup
				mu       sync.Mutex
				statuses = map[int]int{}
			)
			for i := range 2 {
				req := c.postRequest(i, "/auth/organizations/select", url.Values{"organization_id": {orgID}})
				wg.Go(func() {
					res, err := c.browser.Do(req)
					if err != nil {
						t.Error(err)
						return
					}
					res.Body.Close()
					mu.Lock()
					statuses[res.StatusCode]++
					mu.Unlock()
				})
			}
			wg.Wait()
			c.emu.ClearFaults()
			if n := c.emu.Calls(http.MethodPost, exchangePath) - exchanges; n != 1 || statuses[http.StatusOK] != 1 {
				t.Fatalf("%d exchanges at Stytch, statuses %v, want one entry", n, statuses)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.run(t, newCluster(t, srv))
		})
	}
}

// login walks a member without MFA through replica i and returns the
// session JWT the browser holds.
func (c *cluster) login(i int, slug string) (jwt, memberID string) {
	c.t.Helper()
	email := "max@" + slug + ".example"
	orgID, memberID := c.member(slug, "OPTIONAL", emulator.MemberSeed{Email: email})
	c.discover(i, email)
	if a := c.selectOrg(i, orgID); a.status != http.StatusOK || a.field(c.t, "next") != "done" {
		c.t.Fatalf("select = %d %s, want done", a.status, a.body)
	}
	jwt = c.cookie(middleware.DefaultJWTCookie)
	if jwt == "" {
		c.t.Fatal("no session JWT cookie after login")
	}
	return jwt, memberID
}

// awaitRevocation waits up to a second for replica i to be handed a
// revoked session id.
func (c *cluster) awaitRevocation(i int) {
	c.t.Helper()
	select {
	case <-c.replicas[i].delivered:
	case <-time.After(time.Second):
		c.t.Fatalf("replica %d was handed no revocation within 1s", i)
	}
}

func TestRevocationReachesEveryReplica(t *testing.T) {
	t.Parallel()
	c := newCluster(t, startRedis(t, false))
	jwt, memberID := c.login(0, "revoke")
	if a := c.dashboard(1, jwt); a.status != http.StatusOK || a.body != "dashboard of "+memberID {
		t.Fatalf("B before the logout = %d %s", a.status, a.body)
	}
	if a := c.post(0, "/auth/logout", nil); a.status != http.StatusOK {
		t.Fatalf("logout on A = %d %s", a.status, a.body)
	}
	c.awaitRevocation(1)
	calls := c.emu.Calls(http.MethodPost, authenticatePath)
	expect(t, "B after the logout on A", c.dashboard(1, jwt), http.StatusUnauthorized, "session_invalid")
	if n := c.emu.Calls(http.MethodPost, authenticatePath) - calls; n != 0 {
		t.Fatalf("B asked Stytch %d times", n)
	}
}

// numSub returns how many clients listen on the project's revocation
// channel.
func numSub(t *testing.T, rdb *redis.Client, project string) int64 {
	t.Helper()
	m, err := rdb.PubSubNumSub(context.Background(), "b2bauth:{"+project+"}:revoked").Result()
	if err != nil {
		return -1
	}
	return m["b2bauth:{"+project+"}:revoked"]
}

// eventually waits up to d for cond, checking it every 10 ms.
func eventually(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(d)
	for !cond() {
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatalf("%s: not within %s", what, d)
		}
	}
}
