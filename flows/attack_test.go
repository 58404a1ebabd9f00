package flows_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/b2bauth/b2bauth/client"
	"github.com/b2bauth/b2bauth/emulator"
	"github.com/b2bauth/b2bauth/flows"
)

const attackTOTPSecret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

// wrongTOTP returns a code that no accepted TOTP step (now and its
// neighbours) produces.
func wrongTOTP(t *testing.T, at time.Time) string {
	t.Helper()
	valid := map[string]bool{}
	for _, d := range []time.Duration{-30 * time.Second, 0, 30 * time.Second} {
		valid[totpCode(t, attackTOTPSecret, at.Add(d))] = true
	}
	for _, c := range []string{"000000", "111111", "222222", "333333"} {
		if !valid[c] {
			return c
		}
	}
	t.Fatal("no wrong TOTP code found")
	return ""
}

// TestWrongCodeLimitCannotBeReset: the lock after five wrong codes holds
// whatever the browser does with its flow cookie. Stytch (here the
// emulator) does not count wrong TOTP codes, so a lock that a replayed or
// restarted flow undoes lets a six-digit code be guessed without limit.
func TestWrongCodeLimitCannotBeReset(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// start puts a browser into a flow whose codes post to verifyPath.
		start      func(t *testing.T) *harness
		verifyPath string
		// reset is what the attacker does once the flow is locked; saved is
		// the flow cookie from before the first wrong code.
		reset func(t *testing.T, h *harness, saved string)
	}{
		{
			name:       "replaying the MFA flow cookie from before the wrong codes keeps the lock",
			start:      mfaTOTPFlow,
			verifyPath: "/auth/mfa/totp/verify",
			reset: func(t *testing.T, h *harness, saved string) {
				h.setCookie(flows.FlowCookieName(h.flows), saved)
			},
		},
		{
			name:       "choosing the organization again keeps the lock",
			start:      mfaTOTPFlow,
			verifyPath: "/auth/mfa/totp/verify",
			reset: func(t *testing.T, h *harness, _ string) {
				orgID, _ := h.emu.OrganizationID("acme")
				if a := h.selectOrg(orgID); a.status != http.StatusOK || a.json(t)["next"] != "mfa" {
					t.Fatalf("select again = %d %s", a.status, a.body)
				}
			},
		},
		{
			name: "dropping the step-up flow cookie and starting again keeps the lock",
			start: func(t *testing.T) *harness {
				h, _ := loggedIn(t, emulator.MemberSeed{Email: "sam@acme.example", TOTPSecret: attackTOTPSecret})
				if a := h.getJSON("/auth/step-up?return_to=/sensitive"); a.status != http.StatusOK {
					t.Fatalf("step-up = %d %s", a.status, a.body)
				}
				return h
			},
			verifyPath: "/auth/step-up/totp/verify",
			reset: func(t *testing.T, h *harness, _ string) {
				h.setCookie(flows.StepUpCookieName(h.flows), "")
				if a := h.getJSON("/auth/step-up?return_to=/sensitive"); a.status != http.StatusOK {
					t.Fatalf("step-up again = %d %s", a.status, a.body)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := tt.start(t)
			saved := h.flowCookie()
			for i := 1; i <= 5; i++ {
				h.postJSON(tt.verifyPath, url.Values{"code": {wrongTOTP(t, h.clock.Now())}})
			}
			tt.reset(t, h, saved)
			// The right code now proves that the lock was undone.
			a := h.postJSON(tt.verifyPath, url.Values{"code": {totpCode(t, attackTOTPSecret, h.clock.Now())}})
			if a.status != http.StatusTooManyRequests || a.errorCode(t) != "too_many_attempts" {
				t.Fatalf("code after the reset = %d %s, want 429 too_many_attempts", a.status, a.body)
			}

			h.clock.Advance(5 * time.Minute)
			a = h.postJSON(tt.verifyPath, url.Values{"code": {totpCode(t, attackTOTPSecret, h.clock.Now())}})
			if a.status != http.StatusOK || a.json(t)["next"] != "done" {
				t.Fatalf("right code after the lock = %d %s", a.status, a.body)
			}
		})
	}
}

// TestParallelWrongCodesCountBeforeStytchAnswers: codes sent in parallel
// with one flow cookie cannot each pass the attempt check made before the
// others were counted: Stytch is asked at most five times.
func TestParallelWrongCodesCountBeforeStytchAnswers(t *testing.T) {
	t.Parallel()
	h := mfaTOTPFlow(t)
	const path = "/v1/b2b/totp/authenticate"
	// Stytch answering slowly keeps every guess in flight at once.
	h.emu.SetFault(emulator.Fault{Path: path, Latency: 300 * time.Millisecond})
	calls := h.emu.Calls(http.MethodPost, path)
	wrong := wrongTOTP(t, h.clock.Now())
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			req := h.postRequest("/auth/mfa/totp/verify", url.Values{"code": {wrong}}, "application/json")
			if res, err := h.browser.Do(req); err == nil {
				res.Body.Close()
			}
		})
	}
	wg.Wait()
	if n := h.emu.Calls(http.MethodPost, path) - calls; n > 5 {
		t.Fatalf("20 parallel guesses reached Stytch %d times, want at most 5", n)
	}
}

// mfaTOTPFlow leaves a browser in the MFA step of a member with an
// authenticator app.
func mfaTOTPFlow(t *testing.T) *harness {
	t.Helper()
	h := newHarness(t)
	orgID := h.org(emulator.OrganizationSeed{Name: "Acme", Slug: "acme", MFAPolicy: "REQUIRED_FOR_ALL"})
	h.member(emulator.MemberSeed{Organization: "acme", Email: "pat@acme.example", TOTPSecret: attackTOTPSecret})
	h.discover("pat@acme.example", "/dashboard")
	if a := h.selectOrg(orgID); a.status != http.StatusOK || a.json(t)["next"] != "mfa" {
		t.Fatalf("select = %d %s", a.status, a.body)
	}
	return h
}

// TestSMSCooldownCannotBeReset: the wait between two texts holds per member
// on the server. A cooldown kept only in the flow cookie would let anyone
// holding the victim's first factor text their phone again and again by
// choosing the organization again or restarting the step-up.
func TestSMSCooldownCannotBeReset(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		start    func(t *testing.T) *harness
		sendPath string
		// restart begins a new flow of the same member, one whose cookie
		// has never seen a text.
		restart func(t *testing.T, h *harness)
	}{
		{
			name:     "choosing the organization again keeps the cooldown",
			start:    mfaSMSOnDemandFlow,
			sendPath: "/auth/mfa/sms/send",
			restart: func(t *testing.T, h *harness) {
				orgID, _ := h.emu.OrganizationID("acme")
				a := h.selectOrg(orgID)
				if a.status != http.StatusOK || a.json(t)["next"] != "mfa" || a.json(t)["sms_sent"] != false {
					t.Fatalf("select again = %d %s, want MFA without a text sent", a.status, a.body)
				}
			},
		},
		{
			name: "dropping the step-up flow cookie and starting again keeps the cooldown",
			start: func(t *testing.T) *harness {
				h, _ := loggedIn(t, emulator.MemberSeed{Email: "uma@acme.example", Phone: phone, MFAPhoneNumberVerified: true})
				if a := h.getJSON("/auth/step-up?return_to=/sensitive"); a.status != http.StatusOK {
					t.Fatalf("step-up = %d %s", a.status, a.body)
				}
				return h
			},
			sendPath: "/auth/step-up/sms/send",
			restart: func(t *testing.T, h *harness) {
				h.setCookie(flows.StepUpCookieName(h.flows), "")
				a := h.getJSON("/auth/step-up?return_to=/sensitive")
				if a.status != http.StatusOK || a.json(t)["sms_sent"] != false {
					t.Fatalf("step-up again = %d %s, want a flow without a text sent", a.status, a.body)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := tt.start(t)
			if a := h.postJSON(tt.sendPath, nil); a.status != http.StatusOK || a.json(t)["sms_sent"] != true {
				t.Fatalf("first send = %d %s", a.status, a.body)
			}
			texts := h.emu.Calls(http.MethodPost, "/v1/b2b/otps/sms/send")

			tt.restart(t, h)
			h.clock.Advance(flows.DefaultSMSResendCooldown - time.Second)
			a := h.postJSON(tt.sendPath, nil)
			if a.status != http.StatusTooManyRequests || a.errorCode(t) != "sms_cooldown" {
				t.Fatalf("send in a new flow within the cooldown = %d %s, want 429 sms_cooldown", a.status, a.body)
			}
			if n := h.emu.Calls(http.MethodPost, "/v1/b2b/otps/sms/send"); n != texts {
				t.Fatalf("a refused send reached Stytch (%d calls, want %d)", n, texts)
			}

			h.clock.Advance(time.Second)
			if a = h.postJSON(tt.sendPath, nil); a.status != http.StatusOK || a.json(t)["sms_sent"] != true {
				t.Fatalf("send after the cooldown = %d %s", a.status, a.body)
			}
		})
	}
}

// mfaSMSOnDemandFlow leaves a browser in the MFA step of a member with a
// verified phone and an authenticator app as the default, so Stytch sends
// no text by itself when the organization is chosen.
func mfaSMSOnDemandFlow(t *testing.T) *harness {
	t.Helper()
	h := newHarness(t)
	orgID := h.org(emulator.OrganizationSeed{Name: "Acme", Slug: "acme", MFAPolicy: "REQUIRED_FOR_ALL"})
	h.member(emulator.MemberSeed{Organization: "acme", Email: "vic@acme.example", Phone: phone,
		MFAPhoneNumberVerified: true, TOTPSecret: attackTOTPSecret, DefaultMFAMethod: "totp"})
	h.discover("vic@acme.example", "/dashboard")
	if a := h.selectOrg(orgID); a.status != http.StatusOK || a.json(t)["next"] != "mfa" || a.json(t)["sms_sent"] != false {
		t.Fatalf("select = %d %s, want MFA without a text sent", a.status, a.body)
	}
	return h
}

// TestStepUpLeavesTheLoginFlowAlone: GET /step-up is a link anyone can make
// a browser follow, so it must not end a sign-in in progress. Step-up flows
// live in their own cookie: a step-up started with a session, or refused
// without one, leaves the login flow cookie as it was, and the sign-in goes
// on.
func TestStepUpLeavesTheLoginFlowAlone(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// setup leaves the browser in the organization step of a sign-in,
		// logged in or not.
		setup      func(t *testing.T) (h *harness, orgID string)
		wantStepUp int
	}{
		{
			name: "a step-up refused for want of a session keeps the sign-in",
			setup: func(t *testing.T) (*harness, string) {
				h := newHarness(t)
				orgID := h.org(emulator.OrganizationSeed{Name: "Acme", Slug: "acme"})
				h.member(emulator.MemberSeed{Organization: "acme", Email: "wes@acme.example"})
				h.discover("wes@acme.example", "/dashboard")
				return h, orgID
			},
			wantStepUp: http.StatusUnauthorized,
		},
		{
			name: "a step-up started by a logged-in member keeps the sign-in",
			setup: func(t *testing.T) (*harness, string) {
				h, _ := loggedIn(t, emulator.MemberSeed{Email: "wes@acme.example", Phone: phone, MFAPhoneNumberVerified: true})
				orgID, _ := h.emu.OrganizationID("acme")
				h.waitOutEmailCooldown()
				h.discover("wes@acme.example", "/dashboard")
				return h, orgID
			},
			wantStepUp: http.StatusOK,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h, orgID := tt.setup(t)
			login := h.flowCookie()
			if login == "" {
				t.Fatal("no login flow cookie after discovery")
			}
			for _, get := range []func(string) answer{h.get, h.getJSON} {
				if a := get("/auth/step-up?return_to=/sensitive"); a.status != tt.wantStepUp {
					t.Fatalf("step-up = %d, want %d: %s", a.status, tt.wantStepUp, a.body)
				}
				if got := h.flowCookie(); got != login {
					t.Fatal("GET /auth/step-up changed the login flow cookie")
				}
			}
			h.expectDone(h.selectOrg(orgID), "/dashboard")
		})
	}
}

// TestEnrolledMembersCannotEnrollAnotherFactor: someone holding only the
// member's inbox gets past the email step; a member who already has a phone
// or an authenticator app must then use it, not enroll a device of the
// attacker's.
func TestEnrolledMembersCannotEnrollAnotherFactor(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		seed   emulator.MemberSeed
		path   string
		form   url.Values
		status int
	}{
		{"a member with an authenticator app cannot add a phone",
			emulator.MemberSeed{Email: "ann@acme.example", TOTPSecret: attackTOTPSecret},
			"/auth/mfa/sms/send", url.Values{"phone_number": {"+15555550199"}}, http.StatusForbidden},
		{"a member with a phone cannot add an authenticator app",
			emulator.MemberSeed{Email: "ben@acme.example", Phone: "+15555550123", MFAPhoneNumberVerified: true},
			"/auth/mfa/totp/enroll", nil, http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			orgID := h.org(emulator.OrganizationSeed{Name: "Acme", Slug: "acme", MFAPolicy: "REQUIRED_FOR_ALL"})
			seed := tt.seed
			seed.Organization = "acme"
			h.member(seed)
			h.discover(seed.Email, "")
			if a := h.selectOrg(orgID); a.json(t)["next"] != "mfa" {
				t.Fatalf("select = %d %s", a.status, a.body)
			}
			h.emu.ResetCalls()
			a := h.postJSON(tt.path, tt.form)
			if a.status != tt.status || a.errorCode(t) != "method_not_allowed" {
				t.Fatalf("%s = %d %s, want %d method_not_allowed", tt.path, a.status, a.body, tt.status)
			}
			for _, p := range []string{"/v1/b2b/otps/sms/send", "/v1/b2b/totp"} {
				if n := h.emu.Calls(http.MethodPost, p); n != 0 {
					t.Errorf("%s reached Stytch %d times", p, n)
				}
			}
		})
	}
}

// TestPlantedDiscoveryTokensNeedThisBrowsersPKCE: Stytch's public OAuth
// start, and any other sender of discovery links, may issue a discovery
// token bound to no PKCE challenge. An attacker signs in at their provider
// with such a start and sends the callback URL to a victim whose browser
// is in a sign-in without a PKCE verifier of its own (an email code was
// asked for): the token must be refused there, not sign the victim's
// browser in as the attacker.
func TestPlantedDiscoveryTokensNeedThisBrowsersPKCE(t *testing.T) {
	t.Parallel()
	const attacker = "mallory@evil.example"
	tests := []struct {
		name string
		// plant returns the callback path of the attacker's token.
		plant func(t *testing.T, h *harness) string
	}{
		{"an OAuth discovery token without a PKCE challenge is refused", func(t *testing.T, h *harness) string {
			return "/auth/callback?stytch_token_type=discovery_oauth&token=" + url.QueryEscape(h.emu.OAuthDiscoveryToken(attacker))
		}},
		{"a discovery magic link without a PKCE challenge is refused", func(t *testing.T, h *harness) string {
			if _, err := h.client.MagicLinks.DiscoverySend(t.Context(), &client.MagicLinksDiscoverySendParams{
				EmailAddress: attacker, DiscoveryRedirectURL: h.srv.URL + "/auth/callback",
			}); err != nil {
				t.Fatal(err)
			}
			link, _, ok := h.emu.LastMagicLink(attacker)
			if !ok {
				t.Fatal("no link sent to the attacker")
			}
			return link
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newCodeFixture(t, flows.WithOAuth(testPublicToken, "google"))
			f.org(emulator.OrganizationSeed{Name: "Evil", Slug: "evil"})
			f.member(emulator.MemberSeed{Organization: "evil", Email: attacker})
			code := f.sendCode("alice@acme.test")
			before := f.flowCookie()

			a := f.getJSON(tt.plant(t, f.harness))
			if a.status != http.StatusUnauthorized || a.errorCode(t) != "link_invalid" {
				t.Fatalf("planted callback = %d %s, want 401 link_invalid", a.status, a.body)
			}
			if n := f.emu.Calls(http.MethodPost, "/v1/b2b/oauth/discovery/authenticate") +
				f.emu.Calls(http.MethodPost, "/v1/b2b/magic_links/discovery/authenticate"); n != 0 {
				t.Errorf("the planted token reached Stytch %d times", n)
			}
			if f.flowCookie() != before {
				t.Error("the planted callback changed the sign-in in progress")
			}
			// The victim's own sign-in goes on.
			a = f.postJSON("/auth/login/code/verify", url.Values{"code": {code}})
			if a.status != http.StatusOK || jsonField(t, a.body, "redirect") != "/auth/organizations" {
				t.Fatalf("the victim's code then = %d %s", a.status, a.body)
			}
			if orgs := f.getJSON("/auth/organizations"); strings.Contains(orgs.body, "evil") {
				t.Fatalf("the victim's browser holds the attacker's organizations: %s", orgs.body)
			}
		})
	}
}

// TestALongOrganizationNameDoesNotBreakTOTPEnrollment: the organization's
// name and the member's address label the authenticator app's entry, and
// the pending registration waits with them in the flow cookie for its first
// code. Names are set by an organization's administrators (or its creator
// at discovery) and Stytch bounds neither: long ones once failed the setup
// with 500 flow_too_large, and ended the sign-in, after Stytch had created
// the registration.
func TestALongOrganizationNameDoesNotBreakTOTPEnrollment(t *testing.T) {
	t.Parallel()
	// Stytch's QR code of the registration holds the name twice and the
	// address once, and must still be drawable.
	for _, size := range []int{850, 950} {
		t.Run(fmt.Sprintf("a name of %d bytes and an address of 254 leave the setup working", size), func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			orgID := h.org(emulator.OrganizationSeed{Name: strings.Repeat("A", size), Slug: "acme",
				MFAPolicy: "REQUIRED_FOR_ALL", AllowedMFAMethods: []string{"totp"}})
			email := strings.Repeat("n", 64) + "@" + strings.Repeat("a", 60) + "." + strings.Repeat("c", 60) + "." + strings.Repeat("m", 59) + ".example"
			if len(email) != 254 {
				t.Fatalf("address of %d bytes", len(email))
			}
			h.member(emulator.MemberSeed{Organization: "acme", Email: email})
			h.discover(email, "/dashboard")
			if a := h.selectOrg(orgID); a.status != http.StatusOK || a.json(t)["next"] != "mfa" {
				t.Fatalf("select = %d %s", a.status, a.body)
			}
			a := h.postJSON("/auth/mfa/totp/enroll", nil)
			if a.status != http.StatusOK {
				t.Fatalf("enroll = %d %s, want 200", a.status, a.body)
			}
			e := shownEnrollment(t, a)
			if e.secret == "" || len(e.codes) == 0 || !e.qr {
				t.Fatalf("enrollment shown = %+v", e)
			}
			// Shown again, the same registration: it was kept.
			if again := shownEnrollment(t, h.postJSON("/auth/mfa/totp/enroll", nil)); again.secret != e.secret {
				t.Fatal("the setup shown again has another secret")
			}
			h.expectDone(h.postJSON("/auth/mfa/totp/verify", url.Values{"code": {totpCode(t, e.secret, h.clock.Now())}}), "/dashboard")
		})
	}
}

// TestMalformedCallbackTokensNeverReachStytch: a callback is a link anyone
// can make a browser follow, or send in a loop; a token that cannot be one
// of Stytch's (too short, too long, or with characters outside the URL-safe
// alphabet) is refused without an upstream call, whatever flow the browser
// is in.
func TestMalformedCallbackTokensNeverReachStytch(t *testing.T) {
	t.Parallel()
	tokens := map[string]string{
		"a token of 10 KB":                strings.Repeat("A", 10<<10),
		"a token of 257 bytes":            strings.Repeat("A", 257),
		"a token of 19 bytes":             strings.Repeat("A", 19),
		"a token with a quote":            strings.Repeat("A", 30) + `"`,
		"a token with a space":            strings.Repeat("A", 30) + " x",
		"a token with a control":          strings.Repeat("A", 30) + "\x00",
		"a token with non-ASCII":          strings.Repeat("A", 30) + "é",
		"a token with markup":             "<script>alert(1)</script>" + strings.Repeat("A", 20),
		"a token with a query of its own": strings.Repeat("A", 30) + "&token=x",
	}
	types := []string{"discovery", "discovery_oauth", "multi_tenant_magic_links", "oauth", "sso", "multi_tenant_passwords"}
	h := newHarness(t, flows.WithOAuth(testPublicToken, "google"))
	h.org(emulator.OrganizationSeed{Name: "Acme", Slug: "acme"})
	h.member(emulator.MemberSeed{Organization: "acme", Email: "kim@acme.example"})
	h.postJSON("/auth/login", url.Values{"email": {"kim@acme.example"}})
	link, _, _ := h.emu.LastMagicLink("kim@acme.example")
	before := h.flowCookie()
	for name, token := range tokens {
		for _, typ := range types {
			t.Run(name+" of type "+typ+" is refused", func(t *testing.T) {
				h.emu.ResetCalls()
				a := h.getJSON("/auth/callback?stytch_token_type=" + typ + "&token=" + url.QueryEscape(token))
				if a.status != http.StatusUnauthorized || a.errorCode(t) != "link_invalid" {
					t.Fatalf("callback = %d %.300s, want 401 link_invalid", a.status, a.body)
				}
				for _, p := range []string{"/v1/b2b/magic_links/discovery/authenticate", "/v1/b2b/oauth/discovery/authenticate",
					"/v1/b2b/magic_links/authenticate", "/v1/b2b/oauth/authenticate", "/v1/b2b/sso/authenticate"} {
					if n := h.emu.Calls(http.MethodPost, p); n != 0 {
						t.Errorf("%s reached Stytch %d times", p, n)
					}
				}
				if h.flowCookie() != before {
					t.Error("the callback changed the sign-in in progress")
				}
			})
		}
	}
	// The member's own link still works.
	if a := h.get(link); a.status != http.StatusSeeOther || a.location != "/auth/organizations" {
		t.Fatalf("the member's own link then = %d to %q: %s", a.status, a.location, a.body)
	}
}

// TestAHeadOfTheCallbackUsesNothingUp: a HEAD of a sign-in link (a mail
// scanner checking it) gets an empty page and leaves the one-time token to
// the member's own click.
func TestAHeadOfTheCallbackUsesNothingUp(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.org(emulator.OrganizationSeed{Name: "Acme", Slug: "acme"})
	h.member(emulator.MemberSeed{Organization: "acme", Email: "kim@acme.example"})
	h.postJSON("/auth/login", url.Values{"email": {"kim@acme.example"}})
	link, _, _ := h.emu.LastMagicLink("kim@acme.example")
	before := h.flowCookie()
	h.emu.ResetCalls()
	req, _ := http.NewRequest(http.MethodHead, h.url(link), nil)
	if a := h.do(req); a.status != http.StatusOK || a.body != "" {
		t.Fatalf("HEAD = %d %q, want 200 and no body", a.status, a.body)
	}
	if n := h.emu.Calls(http.MethodPost, "/v1/b2b/magic_links/discovery/authenticate"); n != 0 {
		t.Errorf("a HEAD authenticated the token %d times", n)
	}
	if h.flowCookie() != before {
		t.Error("a HEAD changed the sign-in in progress")
	}
	if a := h.get(link); a.status != http.StatusSeeOther || a.location != "/auth/organizations" {
		t.Fatalf("the member's click after the HEAD = %d to %q: %s", a.status, a.location, a.body)
	}
}

// TestALogoutOutlivesItsBrowser: a member who clicks "Log out" and closes
// the tab at once cancels the request's context while it runs, or while it
// waits for a step of the same browser's step-up still in flight. The
// session must still end at Stytch: the browser may never have received
// the answer that clears its cookies, and a shared computer would keep the
// member signed in.
func TestALogoutOutlivesItsBrowser(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// inFlight, if set, starts a flow in the browser and holds the
		// turn of its requests, as a step in flight does, until the
		// returned func is called.
		inFlight func(t *testing.T, h *harness) func(*http.Request) func()
	}{
		{name: "a logout whose browser left ends the session"},
		{
			name: "a logout whose browser left while a step of its step-up was in flight ends the session",
			inFlight: func(t *testing.T, h *harness) func(*http.Request) func() {
				if a := h.get("/auth/step-up?return_to=%2Fsensitive"); a.status != http.StatusOK {
					t.Fatalf("step-up page = %d", a.status)
				}
				if h.cookie(flows.StepUpCookieName(h.flows)) == "" {
					t.Fatal("the step-up page set no flow cookie")
				}
				return func(r *http.Request) func() {
					release, err := flows.HoldFlowTurn(h.flows, r)
					if err != nil {
						t.Fatal(err)
					}
					return release
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h, memberID := loggedIn(t, emulator.MemberSeed{Email: "sam@acme.example", Phone: phone, MFAPhoneNumberVerified: true})
			h.expectLoggedIn(memberID)
			var hold func(*http.Request) func()
			if tt.inFlight != nil {
				hold = tt.inFlight(t, h)
			}
			token := h.cookie("stytch_session")
			req := httptest.NewRequest(http.MethodPost, h.url("/auth/logout"), nil)
			for _, c := range h.browser.Jar.Cookies(req.URL) {
				req.AddCookie(c)
			}
			if hold != nil {
				defer hold(req)()
			}
			ctx, cancel := context.WithCancel(t.Context())
			cancel()
			w := httptest.NewRecorder()
			h.flows.ServeHTTP(w, req.WithContext(ctx))
			_, err := h.client.Sessions.Authenticate(t.Context(), &client.SessionsAuthenticateParams{SessionToken: token})
			var apiErr *client.Error
			if !errors.As(err, &apiErr) || apiErr.ErrorType != "session_not_found" {
				t.Fatalf("the session after a logout whose browser left: %v, want session_not_found", err)
			}
		})
	}
}

// TestLogoutEndsTheSessionItServed: a browser whose session token cookie
// does not name its session (stale, or written by another application of
// the site) is still served by its verified JWT; its logout must end that
// session at Stytch, not only try the token and leave the session alive
// for whoever holds it.
func TestLogoutEndsTheSessionItServed(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		token string
	}{
		{"a token of no session leaves the session served to be revoked", strings.Repeat("A", 44)},
		{"a token of no plausible shape leaves the session served to be revoked", "junk"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h, memberID := loggedIn(t, emulator.MemberSeed{Email: "sam@acme.example"})
			token := h.cookie("stytch_session")
			h.setCookie("stytch_session", tt.token)
			h.expectLoggedIn(memberID)
			if a := h.post("/auth/logout", nil); a.status != http.StatusSeeOther {
				t.Fatalf("logout = %d: %s", a.status, a.body)
			}
			_, err := h.client.Sessions.Authenticate(t.Context(), &client.SessionsAuthenticateParams{SessionToken: token})
			var apiErr *client.Error
			if !errors.As(err, &apiErr) || apiErr.ErrorType != "session_not_found" {
				t.Fatalf("the session after the logout: %v, want session_not_found", err)
			}
		})
	}
}
