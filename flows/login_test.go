package flows_test

import (
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/b2bauth/b2bauth/emulator"
	"github.com/b2bauth/b2bauth/flows"
	"github.com/b2bauth/b2bauth/middleware"
)

const phone = "+15555550123"

// TestSMSLoginInTheBrowser walks the whole HTML flow: email, magic link,
// organization list, a REQUIRED_FOR_ALL organization, an SMS code from the
// emulator's outbox, and the dashboard behind the middleware.
func TestSMSLoginInTheBrowser(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	orgID := h.org(emulator.OrganizationSeed{Name: "Acme", Slug: "acme", MFAPolicy: "REQUIRED_FOR_ALL"})
	memberID := h.member(emulator.MemberSeed{Organization: "acme", Email: "alice@acme.example", Phone: phone})

	a := h.get("/auth/login?return_to=/dashboard")
	if a.status != http.StatusOK || !strings.Contains(a.body, `name="return_to" value="/dashboard"`) {
		t.Fatalf("login page = %d, want the form carrying the return path:\n%s", a.status, a.body)
	}
	a = h.step(h.post("/auth/login", url.Values{"email": {"alice@acme.example"}, "return_to": {"/dashboard"}}), "/auth/login/check-email")
	if a.status != http.StatusOK || !strings.Contains(a.body, "Check your email") {
		t.Fatalf("POST /auth/login = %d:\n%s", a.status, a.body)
	}
	if h.flowCookie() == "" {
		t.Fatal("no flow cookie after the email step")
	}

	link, _, _ := h.emu.LastMagicLink("alice@acme.example")
	if !strings.HasPrefix(link, h.srv.URL+"/auth/callback?") {
		t.Fatalf("magic link %q does not lead to the callback", link)
	}
	a = h.get(link)
	if a.status != http.StatusSeeOther || a.location != "/auth/organizations" {
		t.Fatalf("callback = %d to %q", a.status, a.location)
	}
	if got := a.header.Get("Referrer-Policy"); got != "no-referrer" {
		t.Errorf("callback Referrer-Policy = %q, want no-referrer", got)
	}
	state, err := flows.DecodeFlowCookie(h.flows, h.flowCookie())
	if err != nil {
		t.Fatal(err)
	}
	ist := jsonField(t, state, "ist")
	if ist == "" {
		t.Fatal("no intermediate session token in the flow")
	}

	a = h.get("/auth/organizations")
	if a.status != http.StatusOK || !strings.Contains(a.body, "Acme") || !strings.Contains(a.body, orgID) {
		t.Fatalf("organizations page = %d:\n%s", a.status, a.body)
	}
	assertNoSecret(t, a, ist)

	a = h.post("/auth/organizations/select", url.Values{"organization_id": {orgID}})
	if a.status != http.StatusSeeOther || a.location != "/auth/mfa" {
		t.Fatalf("select = %d to %q: %s", a.status, a.location, a.body)
	}
	a = h.get("/auth/mfa")
	if a.status != http.StatusOK || !strings.Contains(a.body, "•••••0123") {
		t.Fatalf("MFA page = %d, want the phone hint:\n%s", a.status, a.body)
	}
	assertNoSecret(t, a, ist)
	if strings.Contains(a.body, "/auth/mfa/sms/verify") {
		t.Fatal("the MFA page offers to verify a code before one was sent")
	}

	a = h.post("/auth/mfa/sms/send", nil)
	if a.status != http.StatusSeeOther || a.location != "/auth/mfa" {
		t.Fatalf("SMS send = %d to %q: %s", a.status, a.location, a.body)
	}
	a = h.get("/auth/mfa")
	if !strings.Contains(a.body, "/auth/mfa/sms/verify") {
		t.Fatalf("the MFA page has no code form after the send:\n%s", a.body)
	}
	code := h.emu.LastSMSCode(phone)
	if code == "" {
		t.Fatal("no SMS code in the outbox")
	}
	a = h.post("/auth/mfa/sms/verify", url.Values{"code": {code}})
	if a.status != http.StatusSeeOther || a.location != "/dashboard" {
		t.Fatalf("SMS verify = %d to %q: %s", a.status, a.location, a.body)
	}
	if h.flowCookie() != "" {
		t.Error("the flow cookie outlived the login")
	}
	h.expectLoggedIn(memberID)
}

// TestMFAIsOfferedAsJSON checks the JSON shapes of the organization and MFA
// steps, including an SMS Stytch already sent during the exchange.
func TestMFAIsOfferedAsJSON(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	orgID := h.org(emulator.OrganizationSeed{Name: "Acme", Slug: "acme", MFAPolicy: "REQUIRED_FOR_ALL"})
	h.member(emulator.MemberSeed{Organization: "acme", Email: "alice@acme.example", Phone: phone, MFAPhoneNumberVerified: true})

	if a := h.getJSON("/auth/login"); a.json(t)["next"] != "email" {
		t.Fatalf("GET /auth/login JSON = %s", a.body)
	}
	h.discover("alice@acme.example", "")
	a := h.getJSON("/auth/organizations")
	m := a.json(t)
	orgs, _ := m["organizations"].([]any)
	if m["next"] != "select_organization" || m["can_create"] != true || len(orgs) != 1 {
		t.Fatalf("organizations JSON = %s", a.body)
	}
	o := orgs[0].(map[string]any)
	if o["id"] != orgID || o["name"] != "Acme" || o["slug"] != "acme" ||
		o["membership_type"] != "active_member" || o["mfa_required"] != true {
		t.Errorf("organization = %v", o)
	}

	a = h.selectOrg(orgID)
	m = a.json(t)
	if m["next"] != "mfa" || m["sms_sent"] != true || m["phone_hint"] != "+1•••••0123" || m["totp_enrolled"] != false {
		t.Fatalf("select JSON = %s", a.body)
	}
	// A member with a phone is offered that phone, not the enrollment of an
	// authenticator app.
	if methods, _ := m["methods"].([]any); len(methods) != 1 || methods[0] != "sms_otp" {
		t.Errorf("methods = %v, want [sms_otp]", m["methods"])
	}

	// Stytch sent a code during the exchange: a resend waits for the cooldown.
	a = h.postJSON("/auth/mfa/sms/send", nil)
	if a.status != http.StatusTooManyRequests || a.errorCode(t) != "sms_cooldown" || a.header.Get("Retry-After") != "30" {
		t.Fatalf("immediate resend = %d (Retry-After %q) %s, want 429 sms_cooldown with Retry-After 30", a.status, a.header.Get("Retry-After"), a.body)
	}
	h.clock.Advance(flows.DefaultSMSResendCooldown)
	if a = h.postJSON("/auth/mfa/sms/send", nil); a.status != http.StatusOK || a.json(t)["sms_sent"] != true {
		t.Fatalf("resend after the cooldown = %d %s", a.status, a.body)
	}
	h.expectDone(h.postJSON("/auth/mfa/sms/verify", url.Values{"code": {h.emu.LastSMSCode(phone)}}), "/")
}

// TestPhoneEnrollment: a member without an MFA phone enrolls one while
// sending the first code.
func TestPhoneEnrollment(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	orgID := h.org(emulator.OrganizationSeed{Name: "Acme", Slug: "acme", MFAPolicy: "REQUIRED_FOR_ALL", AllowedMFAMethods: []string{"sms_otp"}})
	memberID := h.member(emulator.MemberSeed{Organization: "acme", Email: "bob@acme.example"})
	h.discover("bob@acme.example", "/dashboard")

	m := h.selectOrg(orgID).json(t)
	if m["needs_phone"] != true || m["sms_sent"] != false {
		t.Fatalf("select JSON = %v, want a phone to enroll", m)
	}
	if a := h.get("/auth/mfa"); !strings.Contains(a.body, `name="phone_number"`) {
		t.Fatalf("MFA page asks for no phone number:\n%s", a.body)
	}
	a := h.postJSON("/auth/mfa/sms/send", url.Values{"phone_number": {"not a phone"}})
	if a.status != http.StatusBadRequest || a.errorCode(t) != "invalid_input" {
		t.Fatalf("bad phone = %d %s", a.status, a.body)
	}
	a = h.postJSON("/auth/mfa/sms/send", url.Values{"phone_number": {"+1 555 555 0199"}})
	if a.status != http.StatusOK || a.json(t)["phone_hint"] != "+1•••••0199" {
		t.Fatalf("enroll send = %d %s", a.status, a.body)
	}
	h.expectDone(h.postJSON("/auth/mfa/sms/verify", url.Values{"code": {h.emu.LastSMSCode("+15555550199")}}), "/dashboard")
	h.expectLoggedIn(memberID)
}

// TestLoginWithoutMFA: an OPTIONAL organization and a member not enrolled
// get a session right at the organization choice.
func TestLoginWithoutMFA(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	orgID := h.org(emulator.OrganizationSeed{Name: "Acme", Slug: "acme"})
	memberID := h.member(emulator.MemberSeed{Organization: "acme", Email: "carol@acme.example"})
	h.discover("carol@acme.example", "/dashboard?tab=2")

	a := h.post("/auth/organizations/select", url.Values{"organization_id": {orgID}})
	if a.status != http.StatusSeeOther || a.location != "/dashboard?tab=2" {
		t.Fatalf("select = %d to %q: %s", a.status, a.location, a.body)
	}
	h.expectLoggedIn(memberID)
}

// TestCreateOrganization: the discovered email creates an organization and
// enters it as its first member.
func TestCreateOrganization(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	taken := h.org(emulator.OrganizationSeed{Name: "Taken", Slug: "taken"})
	_ = taken
	h.discover("dave@new.example", "/dashboard")

	a := h.getJSON("/auth/organizations")
	if orgs, _ := a.json(t)["organizations"].([]any); orgs == nil || len(orgs) != 0 {
		t.Fatalf("organizations of a new email = %s, want an empty list", a.body)
	}
	a = h.postJSON("/auth/organizations/create", url.Values{"organization_name": {"Taken too"}, "organization_slug": {"taken"}})
	if a.status != http.StatusConflict || a.errorCode(t) != "slug_taken" || a.json(t)["next"] != "select_organization" {
		t.Fatalf("create with a taken slug = %d %s", a.status, a.body)
	}
	a = h.postJSON("/auth/organizations/create", url.Values{"organization_name": {"Newco"}})
	if a.status != http.StatusBadRequest || a.errorCode(t) != "invalid_input" {
		t.Fatalf("create without slug = %d %s", a.status, a.body)
	}
	// A typo in the slug is the member's to fix: the sign-in goes on.
	for _, slug := range []string{"n", "new co", "newco\u200b", "new/co", strings.Repeat("n", 129)} {
		a = h.postJSON("/auth/organizations/create", url.Values{"organization_name": {"Newco"}, "organization_slug": {slug}})
		if a.status != http.StatusBadRequest || a.errorCode(t) != "invalid_input" || a.json(t)["next"] != "select_organization" {
			t.Fatalf("create with slug %q = %d %s", slug, a.status, a.body)
		}
	}
	a = h.post("/auth/organizations/create", url.Values{"organization_name": {"Newco"}, "organization_slug": {"NewCo"}})
	if a.status != http.StatusSeeOther || a.location != "/dashboard" {
		t.Fatalf("create = %d to %q: %s", a.status, a.location, a.body)
	}
	orgID, ok := h.emu.OrganizationID("newco")
	if !ok {
		t.Fatal("the organization was not created")
	}
	memberID, ok := h.emu.MemberID(orgID, "dave@new.example")
	if !ok {
		t.Fatal("the creator is not a member")
	}
	h.expectLoggedIn(memberID)
}

// TestCreateOrganizationRefusesDotDotSlug: ".." passes Stytch's slug rule,
// but browsers resolve /auth/o/.. to /auth/, so the organization's own login
// page could never be opened and its forms would post to the discovery
// routes. The creation form refuses it as a typo, and the sign-in goes on.
func TestCreateOrganizationRefusesDotDotSlug(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, slug string }{
		{"two dots are refused", ".."},
		{"two dots around spaces are refused", " .. "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			h.discover("dave@new.example", "/dashboard")
			a := h.postJSON("/auth/organizations/create", url.Values{"organization_name": {"Dots"}, "organization_slug": {tt.slug}})
			if a.status != http.StatusBadRequest || a.errorCode(t) != "invalid_input" || a.json(t)["next"] != "select_organization" {
				t.Fatalf("create with slug %q = %d %s", tt.slug, a.status, a.body)
			}
			if _, ok := h.emu.OrganizationID(".."); ok {
				t.Fatal("an organization with the slug \"..\" was created")
			}
			if a := h.post("/auth/organizations/create", url.Values{"organization_name": {"Dots"}, "organization_slug": {"dots"}}); a.status != http.StatusSeeOther || a.location != "/dashboard" {
				t.Fatalf("create after the refusal = %d to %q: %s", a.status, a.location, a.body)
			}
		})
	}
}

// TestReturnPathsStayLocal: return paths that leave the site end at the
// after-login path.
func TestReturnPathsStayLocal(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, returnTo, want string
	}{
		{"a local path is kept", "/dashboard?x=1", "/dashboard?x=1"},
		{"a protocol-relative URL is dropped", "//evil.example/x", "/after"},
		{"an absolute URL is dropped", "https://evil.example/x", "/after"},
		{"a backslash path is dropped", `/\evil.example`, "/after"},
		{"a javascript URL is dropped", "javascript:alert(1)", "/after"},
		{"a header injection is dropped", "/ok\r\nLocation: https://evil.example", "/after"},
		{"no return path means the default", "", "/after"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, flows.WithAfterLoginPath("/after"))
			orgID := h.org(emulator.OrganizationSeed{Name: "Acme", Slug: "acme"})
			h.member(emulator.MemberSeed{Organization: "acme", Email: "erin@acme.example"})

			if a := h.get("/auth/login?return_to=" + url.QueryEscape(tt.returnTo)); strings.Contains(a.body, "evil") {
				t.Fatalf("the login page carries the unsafe return path:\n%s", a.body)
			}
			h.discover("erin@acme.example", tt.returnTo)
			a := h.post("/auth/organizations/select", url.Values{"organization_id": {orgID}})
			if a.status != http.StatusSeeOther || a.location != tt.want {
				t.Fatalf("after login: %d to %q, want %q", a.status, a.location, tt.want)
			}
		})
	}
}

// TestCrossSitePostsAreRefused: every POST is checked for its origin.
func TestCrossSitePostsAreRefused(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	tests := []struct {
		name   string
		header map[string]string
		want   int
	}{
		{"a cross-site fetch metadata header", map[string]string{"Sec-Fetch-Site": "cross-site"}, http.StatusForbidden},
		{"a same-site but cross-origin request", map[string]string{"Sec-Fetch-Site": "same-site"}, http.StatusForbidden},
		{"an Origin of another host", map[string]string{"Origin": "https://evil.example"}, http.StatusForbidden},
		{"a same-origin request", map[string]string{"Sec-Fetch-Site": "same-origin"}, http.StatusOK},
		{"the app's own Origin", map[string]string{"Origin": h.srv.URL}, http.StatusOK},
		{"a non-browser client without either header", nil, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.waitOutEmailCooldown()
			for _, path := range []string{"/auth/login", "/auth/logout"} {
				req, _ := http.NewRequest(http.MethodPost, h.url(path), strings.NewReader("email=frank%40acme.example"))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.Header.Set("Accept", "application/json")
				for k, v := range tt.header {
					req.Header.Set(k, v)
				}
				a := h.do(req)
				if a.status != tt.want {
					t.Errorf("POST %s = %d, want %d: %s", path, a.status, tt.want, a.body)
				}
				if tt.want == http.StatusForbidden && a.errorCode(t) != "cross_origin" {
					t.Errorf("POST %s error = %s", path, a.body)
				}
			}
		})
	}
}

// TestExpiredFlowLeadsBackToEmail: an intermediate session older than 10
// minutes sends the member back to the email form with a message.
func TestExpiredFlowLeadsBackToEmail(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	orgID := h.org(emulator.OrganizationSeed{Name: "Acme", Slug: "acme"})
	h.member(emulator.MemberSeed{Organization: "acme", Email: "gina@acme.example"})
	h.discover("gina@acme.example", "/dashboard")
	h.clock.Advance(11 * time.Minute)

	a := h.failure(h.post("/auth/organizations/select", url.Values{"organization_id": {orgID}}), "/auth/login?return_to=%2Fdashboard")
	if !strings.Contains(a.body, "expired") ||
		!strings.Contains(a.body, `action="/auth/login"`) || !strings.Contains(a.body, `value="/dashboard"`) {
		t.Fatalf("select after 11 minutes = %d, want the email form with a message:\n%s", a.status, a.body)
	}
	if h.flowCookie() != "" {
		t.Error("the expired flow cookie was kept")
	}
	a = h.getJSON("/auth/organizations")
	if a.status != http.StatusUnauthorized || a.errorCode(t) != "flow_missing" || a.json(t)["next"] != "email" {
		t.Fatalf("organizations without a flow = %d %s", a.status, a.body)
	}
}

// TestStytchDownKeepsTheFlow: an outage, or Stytch refusing the project's
// own credentials, answers 503 with a try-again page and keeps the flow for
// the retry.
func TestStytchDownKeepsTheFlow(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name  string
		fault emulator.Fault
	}{
		{"stytch answers 503", emulator.Fault{Status: http.StatusServiceUnavailable}},
		{"stytch refuses the project credentials", emulator.Fault{Status: http.StatusUnauthorized, ErrorType: "unauthorized_credentials"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			testStytchDownKeepsTheFlow(t, tt.fault)
		})
	}
}

// TestOutagesCarryTheMiddlewaresRetryAfter: the flows answer an outage with
// the Retry-After configured once, on the middleware.
func TestOutagesCarryTheMiddlewaresRetryAfter(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		mw   []middleware.Option
		want string
	}{
		{"the middleware's default is used", nil, "5"},
		{"the middleware's setting is used", []middleware.Option{middleware.WithRetryAfter(42 * time.Second)}, "42"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarnessWith(t, tt.mw)
			h.emu.SetFault(emulator.Fault{Path: "/v1/b2b/magic_links/email/discovery/send", Status: http.StatusServiceUnavailable})
			a := h.post("/auth/login", url.Values{"email": {"hank@acme.example"}})
			if a.status != http.StatusServiceUnavailable || a.header.Get("Retry-After") != tt.want {
				t.Fatalf("login during an outage = %d with Retry-After %q, want 503 with %q", a.status, a.header.Get("Retry-After"), tt.want)
			}
		})
	}
}

func testStytchDownKeepsTheFlow(t *testing.T, fault emulator.Fault) {
	h := newHarness(t)
	orgID := h.org(emulator.OrganizationSeed{Name: "Acme", Slug: "acme"})
	memberID := h.member(emulator.MemberSeed{Organization: "acme", Email: "hank@acme.example"})
	h.discover("hank@acme.example", "")
	before := h.flowCookie()

	fault.Path = "/v1/b2b/discovery/intermediate_sessions/exchange"
	h.emu.SetFault(fault)
	a := h.post("/auth/organizations/select", url.Values{"organization_id": {orgID}})
	if a.status != http.StatusServiceUnavailable || !strings.Contains(a.body, "try again") ||
		!strings.Contains(a.body, `href="/auth/organizations"`) || a.header.Get("Retry-After") == "" {
		t.Fatalf("select during an outage = %d:\n%s", a.status, a.body)
	}
	if h.flowCookie() != before {
		t.Fatal("the outage changed the flow cookie")
	}
	a = h.selectOrg(orgID)
	if a.status != http.StatusServiceUnavailable || a.errorCode(t) != "stytch_unavailable" || a.json(t)["next"] != "select_organization" {
		t.Fatalf("JSON select during an outage = %d %s", a.status, a.body)
	}

	h.emu.ClearFaults()
	h.expectDone(h.selectOrg(orgID), "/")
	h.expectLoggedIn(memberID)
}

// TestMagicLinkNeedsTheBrowserThatAskedForIt: PKCE binds the link to the
// flow cookie.
func TestMagicLinkNeedsTheBrowserThatAskedForIt(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.org(emulator.OrganizationSeed{Name: "Acme", Slug: "acme"})
	h.member(emulator.MemberSeed{Organization: "acme", Email: "ivy@acme.example"})
	h.postJSON("/auth/login", url.Values{"email": {"ivy@acme.example"}})
	link, _, _ := h.emu.LastMagicLink("ivy@acme.example")

	other := newBrowser(h)
	a := other.failure(other.get(link), "/auth/login")
	if !strings.Contains(a.body, "another browser") || strings.Contains(a.body, "token") {
		t.Fatalf("link in another browser = %d:\n%s", a.status, a.body)
	}
	if a = h.get(link); a.status != http.StatusSeeOther {
		t.Fatalf("link in the asking browser = %d: %s", a.status, a.body)
	}
	if a = h.get(link); a.status != http.StatusSeeOther || a.location != "/auth/organizations" {
		t.Fatalf("link opened twice = %d to %q, want the organization list again: %s", a.status, a.location, a.body)
	}
}

// TestInvalidEmail shows the form again.
func TestInvalidEmail(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	for _, email := range []string{"", "not-an-email", "Jo <jo@x.example>"} {
		a := h.failure(h.post("/auth/login", url.Values{"email": {email}}), "/auth/login")
		if !strings.Contains(a.body, "valid email") || !strings.Contains(a.body, `value="`+template.HTMLEscapeString(email)+`"`) {
			t.Errorf("email %q = %d:\n%s", email, a.status, a.body)
		}
	}
	if n := h.emu.Calls("POST", "/v1/b2b/magic_links/email/discovery/send"); n != 0 {
		t.Errorf("%d magic link sends for invalid emails", n)
	}
}

// TestSecretsStayOutOfAnswersAndLogs: the intermediate session token and the
// codes appear in no JSON body and no log line.
func TestSecretsStayOutOfAnswersAndLogs(t *testing.T) {
	t.Parallel()
	var logs syncBuffer
	h := newHarness(t, flows.WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	orgID := h.org(emulator.OrganizationSeed{Name: "Acme", Slug: "acme", MFAPolicy: "REQUIRED_FOR_ALL"})
	h.member(emulator.MemberSeed{Organization: "acme", Email: "uma@acme.example", Phone: phone, MFAPhoneNumberVerified: true})
	h.discover("uma@acme.example", "")
	state, _ := flows.DecodeFlowCookie(h.flows, h.flowCookie())
	ist := jsonField(t, state, "ist")

	answers := []answer{h.getJSON("/auth/organizations"), h.selectOrg(orgID), h.getJSON("/auth/mfa")}
	code := h.emu.LastSMSCode(phone)
	answers = append(answers,
		h.postJSON("/auth/mfa/sms/verify", url.Values{"code": {wrongCode(code)}}),
		h.postJSON("/auth/mfa/sms/send", nil))
	h.clock.Advance(11 * time.Minute)
	answers = append(answers, h.postJSON("/auth/mfa/sms/verify", url.Values{"code": {code}}))
	for _, a := range answers {
		assertNoSecret(t, a, ist)
	}
	if logs.Len() == 0 {
		t.Fatal("nothing was logged")
	}
	for _, secret := range []string{ist, code} {
		if strings.Contains(logs.String(), secret) {
			t.Fatalf("the logs reveal a secret:\n%s", logs.String())
		}
	}
}

// TestOAuthDiscovery: the login page starts OAuth with PKCE, the emulated
// provider sends the browser back, and only the browser that started the
// flow can finish it.
func TestOAuthDiscovery(t *testing.T) {
	t.Parallel()
	h := newHarness(t, flows.WithOAuth(testPublicToken, "google"))
	orgID := h.org(emulator.OrganizationSeed{Name: "Acme", Slug: "acme"})
	memberID := h.member(emulator.MemberSeed{Organization: "acme", Email: "vic@acme.example"})

	if a := h.get("/auth/login"); !strings.Contains(a.body, `action="/auth/oauth/start"`) {
		t.Fatalf("the login page offers no OAuth sign-in: %s", a.body)
	}
	start := h.post("/auth/oauth/start", url.Values{"provider": {"google"}, "return_to": {"/reports"}})
	if start.status != http.StatusSeeOther || !strings.HasPrefix(start.location, h.emu.URL()+"/v1/b2b/public/oauth/google/discovery/start?") {
		t.Fatalf("OAuth start = %d to %q", start.status, start.location)
	}
	if strings.Contains(start.location, "verifier") || !strings.Contains(start.location, "pkce_code_challenge=") {
		t.Fatalf("the start URL must carry the PKCE challenge only: %s", start.location)
	}
	if a := h.do(mustRequest(t, http.MethodGet, start.location, nil)); a.status != http.StatusOK {
		t.Fatalf("provider page = %d: %s", a.status, a.body)
	}
	startURL, _ := url.Parse(start.location)
	consent := h.do(mustRequest(t, http.MethodPost, h.emu.URL()+"/_emulator/oauth/consent", url.Values{
		"provider": {"google"}, "email": {"vic@acme.example"},
		"discovery_redirect_url": {startURL.Query().Get("discovery_redirect_url")},
		"pkce_code_challenge":    {startURL.Query().Get("pkce_code_challenge")},
	}))
	if consent.status != http.StatusSeeOther || !strings.HasPrefix(consent.location, h.srv.URL+"/auth/callback?") {
		t.Fatalf("provider consent = %d to %q", consent.status, consent.location)
	}
	a := h.do(mustRequest(t, http.MethodGet, consent.location, nil))
	if a.status != http.StatusSeeOther || a.location != "/auth/organizations" {
		t.Fatalf("OAuth callback = %d to %q: %s", a.status, a.location, a.body)
	}
	h.expectDone(h.selectOrg(orgID), "/reports")
	h.expectLoggedIn(memberID)

	// A token this browser did not start (planted by a link, or for another
	// browser's flow) and tokens of other kinds are refused; a browser
	// signed in already is sent on, still signed in as itself.
	planted := h.emu.OAuthDiscoveryToken("mallory@evil.example")
	fresh := newBrowser(h)
	for _, target := range []string{
		"/auth/callback?stytch_token_type=discovery_oauth&token=" + url.QueryEscape(planted),
		"/auth/callback?stytch_token_type=unknown&token=x",
		"/auth/callback?stytch_token_type=discovery",
	} {
		if a := fresh.getJSON(target); a.status != http.StatusUnauthorized || a.errorCode(t) != "link_invalid" {
			t.Errorf("GET %s = %d %s, want link_invalid", target, a.status, a.body)
		}
	}
	h.expectDone(h.getJSON("/auth/callback?stytch_token_type=discovery_oauth&token="+url.QueryEscape(planted)), "/")
	h.expectLoggedIn(memberID)
	a = h.failure(h.post("/auth/oauth/start", url.Values{"provider": {"myspace"}, "return_to": {"/reports"}}), "/auth/login?return_to=%2Freports")
	if !strings.Contains(a.body, "not offered") || !strings.Contains(a.body, "Continue with Google") {
		t.Errorf("an unoffered provider leads to %s", a.body)
	}
}

func mustRequest(t *testing.T, method, target string, form url.Values) *http.Request {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	r, err := http.NewRequest(method, target, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	return r
}

// TestLinksCannotEndASignIn: any site can make a browser follow a link, so
// a GET that fails (a bogus callback, the page of another step) must leave
// the sign-in in progress alone.
func TestLinksCannotEndASignIn(t *testing.T) {
	t.Parallel()
	for _, path := range []string{
		"/auth/callback?stytch_token_type=discovery&token=bogus",
		"/auth/callback?stytch_token_type=discovery_oauth&token=bogus",
		"/auth/callback?stytch_token_type=sso&token=bogus",
		"/auth/callback?stytch_token_type=oauth&token=bogus",
		"/auth/callback?stytch_token_type=multi_tenant_magic_links&token=bogus",
		"/auth/mfa",
		"/auth/organizations",
	} {
		t.Run(path, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			h.org(emulator.OrganizationSeed{Name: "Acme", Slug: "acme"})
			h.member(emulator.MemberSeed{Organization: "acme", Email: "kim@acme.example"})
			h.postJSON("/auth/login", url.Values{"email": {"kim@acme.example"}})
			link, _, _ := h.emu.LastMagicLink("kim@acme.example")
			before := h.flowCookie()

			req, err := http.NewRequest(http.MethodGet, h.url(path), nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Sec-Fetch-Site", "cross-site")
			// A callback's failure leads to the email form (without
			// the token in the address bar); a page's is shown in place.
			if a := h.do(req); a.status < 400 && (a.status != http.StatusSeeOther || !strings.HasPrefix(a.location, "/auth/login")) {
				t.Fatalf("GET %s = %d, want a refusal", path, a.status)
			}
			if h.flowCookie() != before {
				t.Fatalf("GET %s changed the flow cookie", path)
			}
			if a := h.get(link); a.status != http.StatusSeeOther || a.location != "/auth/organizations" {
				t.Fatalf("the member's own link then = %d to %q: %s", a.status, a.location, a.body)
			}
		})
	}
}
