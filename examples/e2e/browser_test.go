// Package e2e_test drives the net/http example app with a real headless
// Chromium through the DevTools protocol (chromedp): the login with a magic
// link and an SMS code, the login with OAuth at the emulator's provider
// page (across origins, under the app's Content-Security-Policy), SSO at the
// emulated identity provider from an organization's login page and from the
// organization choice, the RBAC refusal, the logout, and the enrollment of an
// authenticator app. Without Chromium the tests are skipped, unless
// B2BAUTH_REQUIRE_BROWSER=1 (set in CI) makes that a failure.
package e2e_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp/totp"

	"github.com/b2bauth/b2bauth/examples/internal/demo"
	nethttproutes "github.com/b2bauth/b2bauth/examples/nethttp/routes"
)

// stepTimeout bounds every browser step, so a broken page fails the test
// instead of hanging it.
const stepTimeout = 30 * time.Second

// chromium returns the path of the browser, skipping the test when there
// is none (failing it when B2BAUTH_REQUIRE_BROWSER=1).
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("B2BAUTH_REQUIRE_BROWSER") == "1" {
		t.Fatal("chromium not found and B2BAUTH_REQUIRE_BROWSER=1: install it (apt-get install -y chromium)")
	}
	t.Skip("chromium not found: install it (apt-get install -y chromium) or set B2BAUTH_REQUIRE_BROWSER=1 to fail instead")
	return ""
}

// session is the app under test and one fresh browser pointed at it.
type session struct {
	t    *testing.T
	app  *demo.App
	base string
	tab  context.Context
	// posts counts the POSTs the app received, by path.
	posts *postCounter
	// scriptsOff is set once the page's scripts are turned off.
	scriptsOff bool
}

// postCounter counts the POSTs a handler receives, by path.
type postCounter struct {
	mu sync.Mutex
	n  map[string]int
}

// count wraps next, counting its POSTs.
func (c *postCounter) count(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			c.mu.Lock()
			c.n[r.URL.Path]++
			c.mu.Unlock()
		}
		next.ServeHTTP(w, r)
	})
}

// of returns the number of POSTs to path so far.
func (c *postCounter) of(path string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[path]
}

// start serves the net/http app over plain http on 127.0.0.1 (a secure
// context for the browser, so Secure cookies work) and starts a headless
// browser with a fresh profile. Both stop when the test ends.
func start(t *testing.T) *session {
	t.Helper()
	exe := chromium(t)

	srv := httptest.NewUnstartedServer(nil)
	base := "http://" + srv.Listener.Addr().String()
	app, err := demo.New(context.Background(), demo.Config{
		PublicURL: base,
		Logger:    slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn})),
	})
	if err != nil {
		srv.Close()
		t.Fatal(err)
	}
	t.Cleanup(app.Close)
	posts := &postCounter{n: map[string]int{}}
	srv.Config.Handler = posts.count(nethttproutes.New(app))
	srv.Start()
	t.Cleanup(srv.Close)

	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		// Chromium still looks up Google's hosts (autofill, updates,
		// accounts) with the flags above: every name but loopback's is
		// made unknown, so the tests send nothing beyond this machine.
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WSURLReadTimeout(stepTimeout),
	)
	tab, cancelTab := chromedp.NewContext(allocCtx, chromedp.WithErrorf(t.Logf))
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc()
	})
	// The first call starts the browser, which lives as long as the context
	// of that call: it is not run under a step's timeout. WSURLReadTimeout
	// bounds the start.
	if err := chromedp.Do(tab); err != nil {
		t.Fatalf("start %s: %v", exe, err)
	}
	return &session{t: t, app: app, base: base, tab: tab, posts: posts}
}

// run performs one named step within stepTimeout; on failure it saves a
// screenshot and fails the test.
func (s *session) run(name string, actions ...chromedp.Action[chromedp.Void]) {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(s.tab, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		s.fail(name, err)
	}
}

// get performs one named step that reads a value, within stepTimeout; on
// failure it saves a screenshot and fails the test.
func get[T any](s *session, name string, action chromedp.Action[T]) T {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(s.tab, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, action)
	if err != nil {
		s.fail(name, err)
	}
	return v
}

// navigate opens a URL within stepTimeout and returns the HTTP status of
// the page the browser ends on.
func (s *session) navigate(name, url string) int64 {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(s.tab, stepTimeout)
	defer cancel()
	res, err := chromedp.RunResponse(ctx, chromedp.Navigate(url))
	if err != nil {
		s.fail(name, err)
	}
	if res == nil {
		s.fail(name, errNoResponse)
	}
	return res.Status
}

type stepError string

func (e stepError) Error() string { return string(e) }

const errNoResponse = stepError("no response")

// fail saves a screenshot of the page and fails the test.
func (s *session) fail(name string, err error) {
	s.t.Helper()
	if path, url, shotErr := s.screenshot(name); shotErr != nil {
		s.t.Logf("screenshot failed: %v", shotErr)
	} else {
		s.t.Logf("screenshot of %s saved to %s", url, path)
	}
	if s.posts != nil {
		s.posts.mu.Lock()
		s.t.Logf("POSTs received: %v", s.posts.n)
		s.posts.mu.Unlock()
	}
	s.t.Fatalf("%s: %v", name, err)
}

var unsafeName = regexp.MustCompile(`[^a-zA-Z0-9_-]+`)

// screenshot saves the page into $B2BAUTH_SCREENSHOTS, or a new temporary
// directory kept after the test so the file can be looked at.
func (s *session) screenshot(name string) (file, url string, err error) {
	dir := os.Getenv("B2BAUTH_SCREENSHOTS")
	if dir == "" {
		if dir, err = os.MkdirTemp("", "b2bauth-e2e-"); err != nil {
			return "", "", err
		}
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", "", err
	}
	file = filepath.Join(dir, unsafeName.ReplaceAllString(s.t.Name()+"-"+name, "_")+".png")
	ctx, cancel := context.WithTimeout(s.tab, 10*time.Second)
	defer cancel()
	if url, err = chromedp.Run(ctx, chromedp.Location()); err != nil {
		return "", "", err
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		return "", "", err
	}
	return file, url, os.WriteFile(file, png, 0o644)
}

// location returns the page's URL.
func (s *session) location() string {
	s.t.Helper()
	return get(s, "read the location", chromedp.Location())
}

// text returns the visible text of the element sel.
func (s *session) text(sel string) string {
	s.t.Helper()
	return get(s, "read "+sel, chromedp.Text(chromedp.CSS(sel), chromedp.NodeVisible))
}

// expectAt fails unless the page is at path (with its query).
func (s *session) expectAt(step, path string) {
	s.t.Helper()
	if got := s.location(); got != s.base+path {
		s.fail(step, stepError("at "+got+", want "+s.base+path))
	}
}

// totpSecret reads the key an authenticator app setup page shows.
func (s *session) totpSecret() string {
	s.t.Helper()
	return strings.TrimSpace(get(s, "read the secret",
		chromedp.Text(chromedp.Search(`//p[contains(., "Or enter this key")]/code`), chromedp.NodeVisible)))
}

// totpCode is the code an authenticator app set up with the key the page
// shows gives now (the emulator runs on the real clock in these tests).
func (s *session) totpCode() string {
	s.t.Helper()
	secret := s.totpSecret()
	code, err := totp.GenerateCode(secret, time.Now())
	if err != nil {
		s.t.Fatalf("TOTP code from secret %q: %v", secret, err)
	}
	return code
}

// submit clicks the button of the form posting to action and waits for
// the next page's selector. It waits for the page to be left first: the
// selector may be on the page the form is on too (an error shown there
// before, a notice), and finding it there would end the step while the
// browser is still on its way.
func submit(action, next string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		markPage,
		chromedp.Click(chromedp.CSS(`form[action="`+action+`"] button[type=submit]`)),
		chromedp.WaitNotPresent(chromedp.CSS(`#`+pageMark)),
		chromedp.WaitVisible(chromedp.CSS(next)),
	)
}

// pageMark is the id of an element markPage adds to the page shown, which
// the next page lacks.
const pageMark = "b2bauth-e2e-left-behind"

// markPage adds an element with the id pageMark to the page shown.
func markPage(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
	_, err := chromedp.Evaluate[bool](`(() => {
		const e = document.createElement("i");
		e.id = "`+pageMark+`";
		e.hidden = true;
		document.body.append(e);
		return true;
	})()`)(ctx, t)
	return chromedp.Void{}, err
}

// chooseOrganization clicks the button of the organization orgID on the
// organization choice page and waits for the next page's selector.
func chooseOrganization(orgID, next string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.WaitVisible(chromedp.CSS(`ul.orgs`)),
		chromedp.Click(chromedp.Search(`//input[@name="organization_id" and @value="`+orgID+`"]/following-sibling::button`)),
		chromedp.WaitVisible(chromedp.CSS(next)),
	)
}

// loginToMFA walks the login of email up to the MFA page of the Acme
// organization (MFA required for all) and returns the member's id.
func (s *session) loginToMFA(email string) string {
	s.t.Helper()
	return s.loginTo(email, `form[action="`+demo.Prefix+`/mfa/sms/send"]`)
}

// loginTo walks the login of email up to the MFA page of the Acme
// organization, waiting there for the selector next, and returns the
// member's id.
func (s *session) loginTo(email, next string) string {
	s.t.Helper()
	emu := s.app.Emulator
	orgID, _ := emu.OrganizationID(demo.AcmeSlug)
	memberID, ok := emu.MemberID(orgID, email)
	if !ok {
		s.t.Fatalf("no member %s in acme", email)
	}

	s.navigate("open the dashboard", s.base+demo.PathDashboard)
	s.run("see the email form", chromedp.WaitVisible(chromedp.CSS(`#email`)))
	s.expectAt("redirected to login", demo.Prefix+"/login?return_to=%2Fdashboard")

	s.run("enter the email",
		chromedp.SendKeys(chromedp.CSS(`#email`), email),
		submit(demo.Prefix+"/login", `p.notice`),
	)
	if got := s.text(`p.notice`); !strings.Contains(got, email) {
		s.fail("check your email", stepError("notice "+got))
	}

	link, _, ok := emu.LastMagicLink(email)
	if !ok {
		s.t.Fatalf("no magic link sent to %s", email)
	}
	s.navigate("open the magic link", link)
	s.run("choose Acme", chooseOrganization(orgID, next))
	s.expectAt("on the MFA page", demo.Prefix+"/mfa")
	return memberID
}

// expectDashboard checks that the dashboard shows the member of the
// organization orgSlug with email, or with no email row when email is ""
// (a member whose address the app cannot read).
func (s *session) expectDashboard(orgSlug, memberID, email string) {
	s.t.Helper()
	s.run("see the dashboard", chromedp.WaitVisible(chromedp.CSS(`#member-id`)))
	s.expectAt("on the dashboard", demo.PathDashboard)
	if got := s.text(`#member-id`); got != memberID {
		s.fail("dashboard member", stepError("member "+got+", want "+memberID))
	}
	if email == "" {
		s.run("dashboard without email", chromedp.WaitNotPresent(chromedp.CSS(`#email`)))
	} else if got := s.text(`#email`); got != email {
		s.fail("dashboard email", stepError("email "+got+", want "+email))
	}
	if got := s.text(`#organization-slug`); got != orgSlug {
		s.fail("dashboard organization", stepError("organization "+got+", want "+orgSlug))
	}
}

// cookieNames returns the names of the browser's cookies for the app.
func (s *session) cookieNames() []string {
	s.t.Helper()
	res := get(s, "read the cookies", func(ctx context.Context, t *chromedp.Target) (network.GetCookiesResult, error) {
		return cdp.Call(ctx, t, network.GetCookies, network.GetCookiesParams{URLs: []string{s.base}})
	})
	var names []string
	for _, c := range res.Cookies {
		names = append(names, c.Name)
	}
	return names
}

// ssoToMFA clicks the button (an XPath) that starts SSO, signs in as email
// at the emulated identity provider and waits for the MFA page.
func (s *session) ssoToMFA(button, email string) {
	s.t.Helper()
	consent := `form[action="/_emulator/sso/consent"]`
	s.run("start SSO",
		chromedp.Click(chromedp.Search(button)),
		chromedp.WaitVisible(chromedp.CSS(consent)),
	)
	if got, want := s.location(), s.app.Emulator.URL()+"/v1/public/sso/start?"; !strings.HasPrefix(got, want) {
		s.fail("at the identity provider", stepError("at "+got+", want "+want+"..."))
	}
	s.run("sign in at the identity provider",
		chromedp.SendKeys(chromedp.CSS(consent+` #email`), email),
		submit("/_emulator/sso/consent", `form[action="`+demo.Prefix+`/mfa/sms/send"]`),
	)
	s.expectAt("on the MFA page", demo.Prefix+"/mfa")
}

// verifySMS asks for an SMS code on the MFA page, enters the one sent to
// phone and waits for the dashboard.
func (s *session) verifySMS(phone string) {
	s.t.Helper()
	s.run("ask for an SMS code", submit(demo.Prefix+"/mfa/sms/send", `#sms_code`))
	code := s.app.Emulator.LastSMSCode(phone)
	if code == "" {
		s.t.Fatalf("no SMS code sent to %s", phone)
	}
	s.run("enter the SMS code",
		chromedp.SendKeys(chromedp.CSS(`#sms_code`), code),
		submit(demo.Prefix+"/mfa/sms/verify", `#member-id`),
	)
}
