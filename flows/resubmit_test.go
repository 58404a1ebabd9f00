package flows_test

import (
	"context"
	"io"
	"log"
	"net/http"
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
)

// finishedMFA signs lee in through MFA with the SMS code, as a browser
// would, and returns the flow cookie the verify was sent with.
func finishedMFA(t *testing.T) (h *harness, memberID, code, sentWith string) {
	t.Helper()
	h, memberID = smsFlow(t)
	code = h.emu.LastSMSCode(phone)
	sentWith = h.flowCookie()
	if a := h.post("/auth/mfa/sms/verify", url.Values{"code": {code}}); a.status != http.StatusSeeOther || a.location != "/dashboard" {
		t.Fatalf("first verify = %d to %q, want 303 to /dashboard: %s", a.status, a.location, a.body)
	}
	h.expectLoggedIn(memberID)
	return h, memberID, code, sentWith
}

// TestAFinishedSignInLeadsOn: a request of a sign-in that is already
// finished (a double click on the submit button, a reload of the POST, the
// back button to a step) from a browser that holds the session it made is
// sent on to where the sign-in was going, not told that the sign-in expired;
// a browser without a session is told to start again.
func TestAFinishedSignInLeadsOn(t *testing.T) {
	t.Parallel()
	t.Run("the forms of the MFA page post the return path, for a reload after sign-in", func(t *testing.T) {
		t.Parallel()
		h, _ := smsFlow(t)
		page := h.get("/auth/mfa")
		forms := strings.Count(page.body, "<form ")
		if n := strings.Count(page.body, `<input type="hidden" name="return_to" value="/dashboard">`); forms == 0 || n != forms {
			t.Fatalf("%d of %d forms post the return path:\n%s", n, forms, page.body)
		}
	})
	tests := []struct {
		name string
		// again repeats a request after the sign-in finished.
		again func(h *harness, code, sentWith string) answer
		// want is the redirect of a browser holding the session.
		want string
	}{
		{
			name: "a second submit of the right code, sent with the flow cookie of the first, leads to the return path",
			again: func(h *harness, code, sentWith string) answer {
				h.setCookie(flows.FlowCookieName(h.flows), sentWith)
				return h.post("/auth/mfa/sms/verify", url.Values{"code": {code}})
			},
			want: "/dashboard",
		},
		{
			name: "a reload of the verify POST, sent without a flow cookie, leads to the return path it posts",
			again: func(h *harness, code, _ string) answer {
				return h.post("/auth/mfa/sms/verify", url.Values{"code": {code}, "return_to": {"/dashboard"}})
			},
			want: "/dashboard",
		},
		{
			name: "a reload of the verify POST without a return path leads to the after-login path",
			again: func(h *harness, code, _ string) answer {
				return h.post("/auth/mfa/sms/verify", url.Values{"code": {code}})
			},
			want: flows.DefaultAfterLoginPath,
		},
		{
			name: "the back button to the MFA page leads to the after-login path",
			again: func(h *harness, _, _ string) answer {
				return h.get("/auth/mfa")
			},
			want: flows.DefaultAfterLoginPath,
		},
		{
			name: "a resend of the text, sent with the flow cookie of the verify, leads to the return path and texts nobody",
			again: func(h *harness, _, sentWith string) answer {
				h.setCookie(flows.FlowCookieName(h.flows), sentWith)
				return h.post("/auth/mfa/sms/send", nil)
			},
			want: "/dashboard",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h, memberID, code, sentWith := finishedMFA(t)
			sent := texts(h, phone)
			a := tt.again(h, code, sentWith)
			if a.status != http.StatusSeeOther || a.location != tt.want {
				t.Fatalf("repeated request = %d to %q, want 303 to %q: %s", a.status, a.location, tt.want, a.body)
			}
			if a.header.Get("Cache-Control") != "no-store" {
				t.Errorf("Cache-Control = %q, want no-store", a.header.Get("Cache-Control"))
			}
			h.expectLoggedIn(memberID)
			if n := texts(h, phone); n != sent {
				t.Errorf("%d texts after the repeated request, want %d", n, sent)
			}
			if h.flowCookie() != "" {
				t.Error("the finished flow's cookie is still in the browser")
			}

			// The same request from a browser with neither the flow nor a
			// session starts again, with the page saying so.
			other := newBrowser(h)
			a = other.post("/auth/mfa/sms/verify", url.Values{"code": {code}, "return_to": {"/dashboard"}})
			if a.status != http.StatusSeeOther || !strings.HasPrefix(a.location, "/auth/login") {
				t.Fatalf("repeated request without a session = %d to %q, want 303 to the email form", a.status, a.location)
			}
			if page := other.get(a.location); !strings.Contains(page.body, "start again") {
				t.Fatalf("the email form does not say to start again:\n%s", page.body)
			}
		})
	}
}

// TestAFinishedSignInLeadsOnForJSONClients: a JSON client that repeats the
// last step of a finished sign-in gets the answer of the first.
func TestAFinishedSignInLeadsOnForJSONClients(t *testing.T) {
	t.Parallel()
	h, memberID, code, sentWith := finishedMFA(t)
	h.setCookie(flows.FlowCookieName(h.flows), sentWith)
	h.expectDone(h.postJSON("/auth/mfa/sms/verify", url.Values{"code": {code}}), "/dashboard")
	h.expectLoggedIn(memberID)
}

// TestAnExpiredSignInOfAnotherOrganizationStartsAgain: a member signed in to
// one organization whose sign-in to another one expired is told to start
// again, not sent on as if the second sign-in had finished.
func TestAnExpiredSignInOfAnotherOrganizationStartsAgain(t *testing.T) {
	t.Parallel()
	h, _, _, _ := finishedMFA(t)
	globex := h.org(emulator.OrganizationSeed{Name: "Globex", Slug: "globex", MFAPolicy: "REQUIRED_FOR_ALL"})
	h.member(emulator.MemberSeed{Organization: "globex", Email: "lee@acme.example", Phone: "+15550001111", MFAPhoneNumberVerified: true})
	h.discover("lee@acme.example", "/dashboard")
	if m := h.selectOrg(globex).json(t); m["next"] != "mfa" {
		t.Fatalf("select JSON = %v, want MFA", m)
	}
	h.clock.Advance(11 * time.Minute)
	a := h.postJSON("/auth/mfa/sms/verify", url.Values{"code": {"123456"}})
	if a.status != http.StatusUnauthorized || a.errorCode(t) != "flow_expired" {
		t.Fatalf("verify of the expired sign-in = %d %s, want 401 flow_expired", a.status, a.body)
	}
}

// TestADoubleClickOnVerifySignsInOnce: two submits of the right code in
// flight at once (a double click, the second sent with the cookies of the
// first) both lead to the return path, whichever of them Stytch answers
// first, and neither counts as a wrong code.
func TestADoubleClickOnVerifySignsInOnce(t *testing.T) {
	t.Parallel()
	h, memberID := smsFlow(t)
	code := h.emu.LastSMSCode(phone)
	// Holds each check long enough for both to be in flight.
	h.emu.SetFault(emulator.Fault{Path: "/v1/b2b/otps/sms/authenticate", Latency: 200 * time.Millisecond})
	var wg sync.WaitGroup
	answers := make([]answer, 2)
	for i := range answers {
		wg.Go(func() {
			res, err := h.browser.Do(h.postRequest("/auth/mfa/sms/verify", url.Values{"code": {code}}, "text/html"))
			if err != nil {
				t.Error(err)
				return
			}
			res.Body.Close()
			answers[i] = answer{status: res.StatusCode, location: res.Header.Get("Location")}
		})
	}
	wg.Wait()
	for i, a := range answers {
		if a.status != http.StatusSeeOther || a.location != "/dashboard" {
			t.Errorf("submit %d = %d to %q, want 303 to /dashboard", i+1, a.status, a.location)
		}
	}
	h.expectLoggedIn(memberID)
}

// TestAFinishedStepUpLeadsOn: a second submit of the right step-up code,
// sent with the cookies of the first (a double click), leads to the page
// that asked for the step-up, and is not counted as a wrong code.
func TestAFinishedStepUpLeadsOn(t *testing.T) {
	t.Parallel()
	h, _ := loggedIn(t, emulator.MemberSeed{Email: "quinn@acme.example", Phone: phone, MFAPhoneNumberVerified: true})
	if a := h.get("/auth/step-up?return_to=%2Fsensitive"); a.status != http.StatusOK {
		t.Fatalf("step-up page = %d", a.status)
	}
	if a := h.post("/auth/step-up/sms/send", nil); a.status != http.StatusSeeOther {
		t.Fatalf("step-up send = %d %s", a.status, a.body)
	}
	code := h.emu.LastSMSCode(phone)
	names := []string{flows.StepUpCookieName(h.flows), "stytch_session", "stytch_session_jwt"}
	sentWith := map[string]string{}
	for _, n := range names {
		sentWith[n] = h.cookie(n)
	}
	if a := h.post("/auth/step-up/sms/verify", url.Values{"code": {code}}); a.status != http.StatusSeeOther || a.location != "/sensitive" {
		t.Fatalf("first verify = %d to %q: %s", a.status, a.location, a.body)
	}
	for _, n := range names {
		h.setCookie(n, sentWith[n])
	}
	a := h.post("/auth/step-up/sms/verify", url.Values{"code": {code}})
	if a.status != http.StatusSeeOther || a.location != "/sensitive" {
		t.Fatalf("second verify = %d to %q, want 303 to /sensitive: %s", a.status, a.location, a.body)
	}
	if h.cookie(flows.StepUpCookieName(h.flows)) != "" {
		t.Error("the finished step-up's cookie is still in the browser")
	}
}

// TestADoubleClickOnAnOrganizationThatTextsLeadsToTheCode: choosing an
// organization whose members are texted a code on entry, twice (a double
// click, the second sent with the cookies of the first, whose answer the
// browser may never have kept), leads both times to the code page of the
// one text sent, not to the organization list with the SMS cooldown.
func TestADoubleClickOnAnOrganizationThatTextsLeadsToTheCode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// json asks for JSON answers.
		json bool
	}{
		{name: "a browser's second click leads to the code page of the text sent"},
		{name: "a JSON client's second choice gets the MFA step of the text sent", json: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			orgID := h.org(emulator.OrganizationSeed{Name: "Acme", Slug: "acme", MFAPolicy: "REQUIRED_FOR_ALL"})
			memberID := h.member(emulator.MemberSeed{Organization: "acme", Email: "lee@acme.example", Phone: phone, MFAPhoneNumberVerified: true})
			h.discover("lee@acme.example", "/dashboard")
			sentWith := h.flowCookie()
			choose := func() answer {
				form := url.Values{"organization_id": {orgID}}
				if tt.json {
					return h.postJSON("/auth/organizations/select", form)
				}
				return h.post("/auth/organizations/select", form)
			}
			first := choose()
			if n := texts(h, phone); n != 1 {
				t.Fatalf("%d texts after the first choice, want 1", n)
			}
			h.setCookie(flows.FlowCookieName(h.flows), sentWith)
			second := choose()
			if second.status != first.status || second.location != first.location {
				t.Fatalf("second choice = %d to %q, want %d to %q as the first: %s",
					second.status, second.location, first.status, first.location, second.body)
			}
			if tt.json {
				if m := second.json(t); m["next"] != "mfa" || m["sms_sent"] != true {
					t.Fatalf("second choice JSON = %v, want the MFA step with the text sent", m)
				}
			} else if page := h.get(second.location); page.status != http.StatusOK || !strings.Contains(page.body, "We sent a code") {
				t.Fatalf("page after the second choice = %d, want the code page:\n%s", page.status, page.body)
			}
			if n := texts(h, phone); n != 1 {
				t.Errorf("%d texts after the second choice, want 1", n)
			}
			verify := url.Values{"code": {h.emu.LastSMSCode(phone)}}
			if tt.json {
				h.expectDone(h.postJSON("/auth/mfa/sms/verify", verify), "/dashboard")
			} else if a := h.post("/auth/mfa/sms/verify", verify); a.status != http.StatusSeeOther || a.location != "/dashboard" {
				t.Fatalf("verify = %d to %q, want 303 to /dashboard: %s", a.status, a.location, a.body)
			}
			h.expectLoggedIn(memberID)
		})
	}
}

// TestAPanickingStepGivesItsTurnUp: a step that panics (here in the
// after-login hook) gives up the turn of its browser's flow (see
// oneAtATime), so that the browser's next request of the flow runs
// instead of waiting for ever.
func TestAPanickingStepGivesItsTurnUp(t *testing.T) {
	t.Parallel()
	var panicked atomic.Bool
	h := newHarness(t, flows.WithAfterLogin(func(context.Context, *flows.Login) error {
		if panicked.CompareAndSwap(false, true) {
			panic("after-login hook failed")
		}
		return nil
	}))
	h.srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	orgID := h.org(emulator.OrganizationSeed{Name: "Acme", Slug: "acme"})
	h.member(emulator.MemberSeed{Organization: "acme", Email: "lee@acme.example"})
	h.discover("lee@acme.example", "/dashboard")
	if res, err := h.browser.Do(h.postRequest("/auth/organizations/select", url.Values{"organization_id": {orgID}}, "application/json")); err == nil {
		res.Body.Close()
		t.Fatalf("the panicking choice was answered %d", res.StatusCode)
	}
	if !panicked.Load() {
		t.Fatal("the hook was not called")
	}
	// Bounds the wait of a turn never given up.
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	res, err := h.browser.Do(h.postRequest("/auth/organizations/select", url.Values{"organization_id": {orgID}}, "application/json").WithContext(ctx))
	if err != nil {
		t.Fatalf("the choice after the panic: %v", err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	// Stytch used the intermediate session in the entry the hook broke
	// off: the member starts again, and is told so.
	if a := (answer{status: res.StatusCode, header: res.Header, body: string(b)}); a.status != http.StatusUnauthorized || a.errorCode(t) != "flow_expired" {
		t.Fatalf("the choice after the panic = %d %s, want 401 flow_expired", a.status, a.body)
	}
}

// TestALostAnswerOfTheSignInIsWrittenAgain: a browser may cancel the
// request that finishes a sign-in and drop its answer, with the session
// cookies (a double click without the busy-state script: Chromium sends the
// form twice and shows the second answer). The second request, finding the
// flow finished, writes the session again, unless Stytch no longer has it.
func TestALostAnswerOfTheSignInIsWrittenAgain(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		meanwhile func(h *harness, token string)
		signedIn  bool
	}{
		{"a session still alive is written again", func(*harness, string) {}, true},
		{"a session ended meanwhile is not", func(h *harness, token string) {
			if _, err := h.client.Sessions.Revoke(t.Context(), &client.SessionsRevokeParams{SessionToken: token}); err != nil {
				t.Fatal(err)
			}
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h, memberID := smsFlow(t)
			code := h.emu.LastSMSCode(phone)
			// The first verify signs in; its answer never reaches the
			// browser's cookie jar.
			res := h.lostAnswer(h.postRequest("/auth/mfa/sms/verify", url.Values{"code": {code}}, "text/html"))
			var token string
			for _, c := range res.Cookies() {
				if c.Name == "stytch_session" {
					token = c.Value
				}
			}
			if res.StatusCode != http.StatusSeeOther || token == "" {
				t.Fatalf("first verify = %d with session token %q, want 303 and a session", res.StatusCode, token)
			}
			if h.cookie("stytch_session") != "" {
				t.Fatal("the browser holds the session of the lost answer")
			}
			tt.meanwhile(h, token)

			h.expectDone(h.postJSON("/auth/mfa/sms/verify", url.Values{"code": {code}}), "/dashboard")
			if h.flowCookie() != "" {
				t.Error("the finished flow's cookie is still in the browser")
			}
			if !tt.signedIn {
				if a := h.get("/dashboard"); a.status == http.StatusOK {
					t.Fatalf("signed in with a session ended at Stytch: %s", a.body)
				}
				return
			}
			h.expectLoggedIn(memberID)
			if got := h.cookie("stytch_session"); got != token {
				t.Errorf("the session written again has token %q, want the finished flow's", got)
			}
		})
	}
}

// TestAStepRunsToItsEndWhenItsBrowserLeaves: a browser gives a request up
// when a second click starts another navigation. The step still runs to
// its end: Stytch may already have acted on it (the code used up), and the
// request of the second click, queued behind it, needs its outcome.
func TestAStepRunsToItsEndWhenItsBrowserLeaves(t *testing.T) {
	t.Parallel()
	h, memberID := smsFlow(t)
	code := h.emu.LastSMSCode(phone)
	req := httptest.NewRequest(http.MethodPost, h.url("/auth/mfa/sms/verify"), strings.NewReader(url.Values{"code": {code}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for _, c := range h.browser.Jar.Cookies(req.URL) {
		req.AddCookie(c)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	w := httptest.NewRecorder()
	h.flows.ServeHTTP(w, req.WithContext(ctx))
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/dashboard" {
		t.Fatalf("verify given up by its browser = %d to %q, want 303 to /dashboard: %s", w.Code, w.Header().Get("Location"), w.Body)
	}
	// The browser, which never got that answer, sends the form again.
	h.expectDone(h.postJSON("/auth/mfa/sms/verify", url.Values{"code": {code}}), "/dashboard")
	h.expectLoggedIn(memberID)
}

// TestATextSentForALostAnswerCanBeEntered: a double click on "Text me a
// code" whose first request the browser gave up sends one text; the second
// request, sent with the flow cookie of before, meets the cooldown, and
// the page it leads to asks for the code of the text sent.
func TestATextSentForALostAnswerCanBeEntered(t *testing.T) {
	t.Parallel()
	h := mfaSMSOnDemandFlow(t)
	if res := h.lostAnswer(h.postRequest("/auth/mfa/sms/send", nil, "text/html")); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("first send = %d, want 303", res.StatusCode)
	}
	code := h.emu.LastSMSCode(phone)
	if code == "" {
		t.Fatal("no text sent")
	}
	a := h.post("/auth/mfa/sms/send", nil)
	if a.status != http.StatusSeeOther || a.location != "/auth/mfa" {
		t.Fatalf("second send = %d to %q, want 303 to the MFA page", a.status, a.location)
	}
	page := h.get(a.location)
	if !strings.Contains(page.body, `id="sms_code"`) || !strings.Contains(page.body, "texted moments ago") {
		t.Fatalf("the MFA page after the cooldown asks for no code:\n%s", page.body)
	}
	if n := h.emu.Calls(http.MethodPost, "/v1/b2b/otps/sms/send"); n != 1 {
		t.Errorf("%d texts, want 1", n)
	}
	h.expectDone(h.postJSON("/auth/mfa/sms/verify", url.Values{"code": {code}}), "/dashboard")
}
