package flows_test

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/b2bauth/b2bauth/emulator"
	"github.com/b2bauth/b2bauth/flows"
)

// emailRoute is a route of the flows that makes Stytch send an email.
type emailRoute struct {
	name string
	// path is the form's POST; stytch is Stytch's send call.
	path, stytch string
	// page is the GET of the flow's page once the email is sent, which
	// shows marker; next names it in JSON answers.
	page, marker, next string
	// form is where a browser is sent back with a refusal.
	form string
	// alike: the route answers every address alike, members' or not.
	alike bool
}

// emailRoutes are every route of the flows that makes Stytch send an email.
var emailRoutes = []emailRoute{
	{name: "a discovery link", path: "/auth/login", stytch: "/v1/b2b/magic_links/email/discovery/send",
		page: "/auth/login/check-email", marker: "We sent a sign-in link", next: "check_email", form: "/auth/login", alike: true},
	{name: "a discovery code", path: "/auth/login/code", stytch: "/v1/b2b/otps/email/discovery/send",
		page: "/auth/login/code", marker: "We emailed a code", next: "enter_code", form: "/auth/login", alike: true},
	{name: "an organization's link", path: "/auth/o/acme/email", stytch: "/v1/b2b/magic_links/email/login_or_signup",
		page: "/auth/o/acme/email", marker: "We sent a sign-in link", next: "check_email", form: "/auth/o/acme"},
	{name: "an organization's code", path: "/auth/o/acme/code", stytch: "/v1/b2b/otps/email/login_or_signup",
		page: "/auth/o/acme/code", marker: "We emailed a code", next: "enter_code", form: "/auth/o/acme"},
	{name: "a password reset link", path: "/auth/o/acme/password/reset/start", stytch: "/v1/b2b/passwords/email/reset/start",
		page: "/auth/o/acme/password/reset/start", marker: "we sent it a link to reset it", next: "check_email", form: "/auth/o/acme", alike: true},
}

const (
	annEmail    = "ann@acme.example"
	annPassword = "first-Strong-pass-481"
)

// emailsTo counts the emails the emulator sent to an address.
func emailsTo(h *harness, to string) int {
	n := 0
	for _, m := range h.emu.Outbox() {
		if m.Kind == emulator.KindEmail && strings.EqualFold(m.To, to) {
			n++
		}
	}
	return n
}

// expectDoubleSubmitAnsweredOnce submits the route's form for ann twice,
// the browser dropping the first answer (a double click), and checks that
// the second leads to the flow's page as the first would have, without
// telling the member to wait, and that the one email sent works in this
// browser, which took over the flow a link is bound to.
func (rt emailRoute) expectDoubleSubmitAnsweredOnce(t *testing.T, h *harness) {
	t.Helper()
	if res := h.lostAnswer(h.postRequest(rt.path, url.Values{"email": {annEmail}}, "text/html")); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("first submit = %d, want 303", res.StatusCode)
	}
	rt.expectSent(h, rt.askFor(h, annEmail, false), false)
	page := h.get(rt.page)
	if page.status != http.StatusOK || !strings.Contains(page.body, rt.marker) || !strings.Contains(page.body, annEmail) {
		t.Fatalf("the flow's page = %d, want it for %s:\n%s", page.status, annEmail, page.body)
	}
	if strings.Contains(page.body, "asked for less than") {
		t.Fatalf("the flow's page tells a member who asked once to wait:\n%s", page.body)
	}
	rt.useEmail(t, h)
}

// useEmail opens the link or enters the code of the last email the route
// sent to ann, and checks that it did its work.
func (rt emailRoute) useEmail(t *testing.T, h *harness) {
	t.Helper()
	if rt.next == "enter_code" {
		if a := h.postJSON(rt.path+"/verify", url.Values{"code": {h.emu.LastEmailCode(annEmail)}}); a.status != http.StatusOK {
			t.Fatalf("the emailed code = %d %s", a.status, a.body)
		}
		return
	}
	link, _, ok := h.emu.LastMagicLink(annEmail)
	if !ok {
		t.Fatal("no link was sent")
	}
	if a := h.get(link); a.status != http.StatusSeeOther || strings.HasPrefix(a.location, "/auth/login") || strings.HasPrefix(a.location, rt.form) {
		t.Fatalf("the emailed link = %d to %q, want it to go on", a.status, a.location)
	}
	if strings.Contains(rt.path, "/password/reset/") {
		h.expectDone(h.postJSON("/auth/password/reset", url.Values{"password": {"second-Strong-pass-630"}}), "/")
	}
}

// askFor posts the route's form for address, as a browser or a JSON client.
func (rt emailRoute) askFor(h *harness, address string, json bool) answer {
	h.t.Helper()
	form := url.Values{"email": {address}}
	if json {
		return h.postJSON(rt.path, form)
	}
	return h.post(rt.path, form)
}

// expectSent checks the answer of a request whose email was sent.
func (rt emailRoute) expectSent(h *harness, a answer, json bool) {
	h.t.Helper()
	if json {
		if a.status != http.StatusOK || a.json(h.t)["next"] != rt.next {
			h.t.Fatalf("POST %s = %d %s, want 200 %s", rt.path, a.status, a.body, rt.next)
		}
		return
	}
	if a.status != http.StatusSeeOther || a.location != rt.page {
		h.t.Fatalf("POST %s = %d to %q, want 303 to %s: %s", rt.path, a.status, a.location, rt.page, a.body)
	}
}

// cooldownHarness is a harness with the organization acme, whose member
// ann has a password, and the steps of the flows on steps.
func cooldownHarness(t *testing.T, steps *stepLog) *harness {
	t.Helper()
	h := newHarness(t, flows.WithObserver(steps))
	h.org(emulator.OrganizationSeed{Name: "Acme", Slug: "acme"})
	h.member(emulator.MemberSeed{Organization: "acme", Email: annEmail, Password: annPassword})
	h.member(emulator.MemberSeed{Organization: "acme", Email: "bob@acme.example"})
	return h
}

// TestEveryEmailRouteHasAResendCooldown: every route that makes Stytch
// send an email sends at most one of its kind to an address per cooldown.
// Within it Stytch is not asked: the browser whose flow waits for that
// email is led to the flow's page again, with a notice; any other request
// gets the form with a message saying when to ask again (429 email_cooldown
// and Retry-After for JSON clients). A send Stytch refused does not start
// the wait; one whose outcome is unknown keeps it.
func TestEveryEmailRouteHasAResendCooldown(t *testing.T) {
	t.Parallel()
	scenarios := []struct {
		name string
		run  func(t *testing.T, h *harness, rt emailRoute, steps *stepLog)
		// emails is how many emails ann gets in all.
		emails int
	}{
		{"a request from another browser within the cooldown sends nothing and says when to ask again", func(t *testing.T, h *harness, rt emailRoute, _ *stepLog) {
			// Both browsers drew the form first, and hold an id each.
			h.get(rt.form)
			rt.expectSent(h, rt.askFor(h, annEmail, false), false)
			h.clock.Advance(10 * time.Second)
			other := newBrowser(h)
			other.get(rt.form)
			a := rt.askFor(other, annEmail, false)
			if a.status != http.StatusSeeOther || a.location != rt.form {
				t.Fatalf("second request = %d to %q, want 303 to the form %s", a.status, a.location, rt.form)
			}
			page := other.get(a.location)
			if page.status != http.StatusOK || !strings.Contains(page.body, "asked for moments ago") ||
				!strings.Contains(page.body, "you can ask for another in 20 seconds") || !strings.Contains(page.body, annEmail) {
				t.Fatalf("the form after the second request = %d, want the cooldown message and the address:\n%s", page.status, page.body)
			}
		}, 1},
		{"a JSON client within the cooldown gets 429 with Retry-After", func(t *testing.T, h *harness, rt emailRoute, steps *stepLog) {
			rt.expectSent(h, rt.askFor(h, annEmail, true), true)
			h.clock.Advance(10 * time.Second)
			steps.take()
			a := rt.askFor(newBrowser(h), annEmail, true)
			if a.status != http.StatusTooManyRequests || a.errorCode(t) != "email_cooldown" || a.json(t)["next"] != "email" {
				t.Fatalf("second request = %d %s, want 429 email_cooldown", a.status, a.body)
			}
			if got := a.header.Get("Retry-After"); got != "20" {
				t.Errorf("Retry-After = %q, want 20", got)
			}
			if s := steps.take(); len(s) != 1 || !errors.Is(s[0].Err, flows.ErrEmailCooldown) {
				t.Errorf("observed steps %+v, want one failing with ErrEmailCooldown", s)
			}
		}, 1},
		{"the same browser asking again is led to its flow's page with a notice", func(t *testing.T, h *harness, rt emailRoute, _ *stepLog) {
			rt.expectSent(h, rt.askFor(h, annEmail, false), false)
			h.clock.Advance(10 * time.Second)
			rt.expectSent(h, rt.askFor(h, annEmail, false), false)
			page := h.get(rt.page)
			if page.status != http.StatusOK || !strings.Contains(page.body, rt.marker) ||
				!strings.Contains(page.body, "asked for less than 11 seconds ago") || !strings.Contains(page.body, "you can ask for another in 20 seconds") {
				t.Fatalf("the flow's page = %d, want it with the notice:\n%s", page.status, page.body)
			}
			if !strings.Contains(page.body, `role="status" id="info"`) || strings.Contains(page.body, `id="error"`) {
				t.Fatalf("the notice is shown as an error; want it as information:\n%s", page.body)
			}
			if page = h.get(rt.page); strings.Contains(page.body, "asked for less than") {
				t.Error("the notice is shown again on a reload")
			}
		}, 1},
		{"the same JSON client asking again gets 429 naming its flow's step", func(t *testing.T, h *harness, rt emailRoute, _ *stepLog) {
			rt.expectSent(h, rt.askFor(h, annEmail, true), true)
			a := rt.askFor(h, annEmail, true)
			if a.status != http.StatusTooManyRequests || a.errorCode(t) != "email_cooldown" || a.json(t)["next"] != rt.next {
				t.Fatalf("second request = %d %s, want 429 email_cooldown with next %s", a.status, a.body, rt.next)
			}
			if got := a.header.Get("Retry-After"); got != "30" {
				t.Errorf("Retry-After = %q, want 30", got)
			}
		}, 1},
		{"another email is sent once the cooldown is over", func(t *testing.T, h *harness, rt emailRoute, _ *stepLog) {
			rt.expectSent(h, rt.askFor(h, annEmail, false), false)
			h.waitOutEmailCooldown()
			other := newBrowser(h)
			rt.expectSent(other, rt.askFor(other, annEmail, false), false)
		}, 2},
		{"a send Stytch refused does not start the cooldown", func(t *testing.T, h *harness, rt emailRoute, _ *stepLog) {
			h.emu.SetFault(emulator.Fault{Path: rt.stytch, Status: http.StatusBadRequest, ErrorType: "invalid_email"})
			if a := rt.askFor(h, annEmail, true); a.status == http.StatusOK || a.status == http.StatusTooManyRequests {
				t.Fatalf("refused send = %d %s, want the refusal", a.status, a.body)
			}
			h.emu.ClearFaults()
			rt.expectSent(h, rt.askFor(newBrowser(h), annEmail, true), true)
		}, 1},
		{"a send Stytch failed does not start the cooldown", func(t *testing.T, h *harness, rt emailRoute, _ *stepLog) {
			h.emu.SetFault(emulator.Fault{Path: rt.stytch, Status: http.StatusServiceUnavailable})
			if a := rt.askFor(h, annEmail, true); a.status != http.StatusServiceUnavailable {
				t.Fatalf("send during an outage = %d %s, want 503", a.status, a.body)
			}
			h.emu.ClearFaults()
			rt.expectSent(h, rt.askFor(newBrowser(h), annEmail, true), true)
		}, 1},
		{"a send whose outcome is unknown keeps the cooldown", func(t *testing.T, h *harness, rt emailRoute, _ *stepLog) {
			h.emu.SetFault(emulator.Fault{Path: rt.stytch, Drop: true})
			if a := rt.askFor(h, annEmail, true); a.status != http.StatusServiceUnavailable {
				t.Fatalf("send without an answer = %d %s, want 503", a.status, a.body)
			}
			h.emu.ClearFaults()
			if a := rt.askFor(newBrowser(h), annEmail, true); a.status != http.StatusTooManyRequests || a.errorCode(t) != "email_cooldown" {
				t.Fatalf("request after the outage = %d %s, want 429 email_cooldown", a.status, a.body)
			}
			if n := h.emu.Calls(http.MethodPost, rt.stytch); n != 1 {
				t.Errorf("Stytch asked %d times, want once", n)
			}
		}, 0},
		{"a double submit sends one email and leads to the flow's page", func(t *testing.T, h *harness, rt emailRoute, _ *stepLog) {
			// The browser holds the flow of an earlier sign-in (another
			// address); the second submit carries it too, as the
			// browser never kept the first one's answer.
			h.discover("bob@acme.example", "")
			rt.expectDoubleSubmitAnsweredOnce(t, h)
		}, 1},
		{"a double submit of a browser's first form sends one email and leads to the flow's page", func(t *testing.T, h *harness, rt emailRoute, _ *stepLog) {
			// No flow yet: only the browser's id, which drawing the
			// form gave it, tells the second submit from another
			// browser's.
			if a := h.get(rt.form); a.status != http.StatusOK {
				t.Fatalf("GET %s = %d", rt.form, a.status)
			}
			rt.expectDoubleSubmitAnsweredOnce(t, h)
		}, 1},
		{"an email asked for again once the last one was used is sent at once", func(t *testing.T, h *harness, rt emailRoute, _ *stepLog) {
			// Back at the form after the link or code signed the member
			// in: the used email cannot serve again.
			rt.expectSent(h, rt.askFor(h, annEmail, false), false)
			rt.useEmail(t, h)
			rt.expectSent(h, rt.askFor(h, annEmail, false), false)
			if page := h.get(rt.page); strings.Contains(page.body, "asked for less than") {
				t.Fatalf("the flow's page says no new email was sent:\n%s", page.body)
			}
		}, 2},
		{"a double submit of a resend sends one email whose link works here", func(t *testing.T, h *harness, rt emailRoute, _ *stepLog) {
			rt.expectSent(h, rt.askFor(h, annEmail, false), false)
			h.waitOutEmailCooldown()
			if res := h.lostAnswer(h.postRequest(rt.path, url.Values{"email": {annEmail}}, "text/html")); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("first submit of the resend = %d, want 303", res.StatusCode)
			}
			rt.expectSent(h, rt.askFor(h, annEmail, false), false)
			if link, _, ok := h.emu.LastMagicLink(annEmail); ok {
				if a := h.get(link); a.status != http.StatusSeeOther || strings.HasPrefix(a.location, "/auth/login") || strings.HasPrefix(a.location, rt.form) {
					t.Fatalf("the resent link = %d to %q, want it to go on", a.status, a.location)
				}
			}
		}, 2},
		{"concurrent requests send one email", func(t *testing.T, h *harness, rt emailRoute, _ *stepLog) {
			h.emu.SetFault(emulator.Fault{Path: rt.stytch, Latency: 100 * time.Millisecond})
			var (
				wg       sync.WaitGroup
				statuses [3]int
			)
			for i := range statuses {
				b := newBrowser(h)
				wg.Go(func() { statuses[i] = rt.askFor(b, annEmail, true).status })
			}
			wg.Wait()
			sent := 0
			for _, s := range statuses {
				if s == http.StatusOK {
					sent++
				} else if s != http.StatusTooManyRequests {
					t.Errorf("a concurrent request = %d, want 200 or 429", s)
				}
			}
			if sent != 1 {
				t.Errorf("%d requests answered as sent, want 1: %v", sent, statuses)
			}
		}, 1},
	}
	for _, rt := range emailRoutes {
		t.Run(rt.name, func(t *testing.T) {
			t.Parallel()
			for _, sc := range scenarios {
				t.Run(sc.name, func(t *testing.T) {
					t.Parallel()
					steps := &stepLog{}
					h := cooldownHarness(t, steps)
					sc.run(t, h, rt, steps)
					if n := emailsTo(h, annEmail); n != sc.emails {
						t.Errorf("%d emails to %s, want %d", n, annEmail, sc.emails)
					}
				})
			}
		})
	}
}

// TestTheEmailCooldownTellsNoAddressFromAnother: the routes that answer
// every address alike (discovery, a password reset) still do within the
// cooldown: a member's address and an unknown one get the same answers,
// the second request within the wait included.
func TestTheEmailCooldownTellsNoAddressFromAnother(t *testing.T) {
	t.Parallel()
	for _, rt := range emailRoutes {
		if !rt.alike {
			continue // an organization's sign-in tells members apart already (see SECURITY.md)
		}
		t.Run(rt.name, func(t *testing.T) {
			t.Parallel()
			h := cooldownHarness(t, &stepLog{})
			var answers [2][2]answer
			for i, address := range []string{annEmail, "nobody@elsewhere.example"} {
				answers[i][0] = rt.askFor(newBrowser(h), address, true)
				answers[i][1] = rt.askFor(newBrowser(h), address, true)
			}
			for j, what := range []string{"first", "second"} {
				known, unknown := answers[0][j], answers[1][j]
				if known.status != unknown.status || known.body != unknown.body ||
					known.header.Get("Retry-After") != unknown.header.Get("Retry-After") {
					t.Errorf("%s request: a member's address = %d %s, an unknown one = %d %s",
						what, known.status, known.body, unknown.status, unknown.body)
				}
			}
			if answers[0][1].status != http.StatusTooManyRequests {
				t.Errorf("second request = %d %s, want 429", answers[0][1].status, answers[0][1].body)
			}
		})
	}
}

// TestAStoreOutageRefusesEmailsAsAnOutage: a guard store that fails leaves
// the cooldown unknown: the email form answers 503 without asking Stytch,
// as the SMS cooldown does, and the flow in the browser is kept.
func TestAStoreOutageRefusesEmailsAsAnOutage(t *testing.T) {
	t.Parallel()
	for _, rt := range emailRoutes {
		t.Run(rt.name, func(t *testing.T) {
			t.Parallel()
			h, store := storeHarness(t)
			h.org(emulator.OrganizationSeed{Name: "Acme", Slug: "acme"})
			h.member(emulator.MemberSeed{Organization: "acme", Email: annEmail, Password: annPassword})
			rt.expectSent(h, rt.askFor(h, annEmail, true), true)
			flow := h.flowCookie()
			h.waitOutEmailCooldown()

			store.failing.Store(true)
			if a := rt.askFor(h, annEmail, true); a.status != http.StatusServiceUnavailable || a.errorCode(t) != "stytch_unavailable" {
				t.Fatalf("JSON request with the store down = %d %s, want 503", a.status, a.body)
			}
			if a := rt.askFor(h, annEmail, false); a.status != http.StatusServiceUnavailable || !strings.Contains(a.body, "Try again") && !strings.Contains(a.body, "try again") {
				t.Fatalf("form with the store down = %d, want the outage page:\n%s", a.status, a.body)
			}
			if n := h.emu.Calls(http.MethodPost, rt.stytch); n != 1 {
				t.Errorf("Stytch asked %d times, want only before the outage", n)
			}
			if h.flowCookie() != flow {
				t.Error("the flow cookie changed")
			}
			store.failing.Store(false)
			rt.expectSent(h, rt.askFor(h, annEmail, true), true)
		})
	}
}

// TestAResentLinkKeepsTheFirstOneWorking: an email form sent again once
// the resend cooldown is over ("try again" on the "check your email" page)
// sends another link; the link of either email goes on in this browser,
// whichever route sent them.
func TestAResentLinkKeepsTheFirstOneWorking(t *testing.T) {
	t.Parallel()
	for _, rt := range emailRoutes {
		if rt.next != "check_email" {
			continue // a code, not a link
		}
		t.Run(rt.name, func(t *testing.T) {
			t.Parallel()
			h := cooldownHarness(t, &stepLog{})
			rt.expectSent(h, rt.askFor(h, annEmail, false), false)
			first, _, ok := h.emu.LastMagicLink(annEmail)
			if !ok {
				t.Fatal("no link was sent")
			}
			h.waitOutEmailCooldown()
			rt.expectSent(h, rt.askFor(h, annEmail, false), false)
			if second, _, _ := h.emu.LastMagicLink(annEmail); second == first {
				t.Fatal("no second link was sent")
			}
			if a := h.get(first); a.status != http.StatusSeeOther || strings.HasPrefix(a.location, "/auth/login") || strings.HasPrefix(a.location, rt.form) {
				t.Fatalf("the first link = %d to %q, want it to go on: %s", a.status, a.location, a.body)
			}
			if strings.Contains(rt.path, "/password/reset/") {
				// The verifier is checked when the new password is set.
				h.expectDone(h.postJSON("/auth/password/reset", url.Values{"password": {"second-Strong-pass-630"}}), "/")
			}
		})
	}
}

// TestADoubleSubmitIsAnsweredAsTheFirstSendEnds: the second submit of a
// browser whose first request still waits for Stytch (a double click
// without the busy-state script) is answered once that send ends: with the
// flow's page when the email went out, with Stytch's refusal when it sent
// nothing. The page of an email is never shown for one that was not sent.
func TestADoubleSubmitIsAnsweredAsTheFirstSendEnds(t *testing.T) {
	t.Parallel()
	outcomes := []struct {
		name  string
		fault emulator.Fault
		sent  bool
	}{
		{name: "the flow's page when the email goes out", sent: true},
		{name: "the refusal when Stytch sends nothing", fault: emulator.Fault{Status: http.StatusBadRequest, ErrorType: "invalid_email"}},
	}
	for _, rt := range emailRoutes {
		for _, o := range outcomes {
			t.Run(rt.name+" gets "+o.name, func(t *testing.T) {
				t.Parallel()
				h, store := storeHarness(t)
				store.stored = make(chan struct{}, 4)
				h.org(emulator.OrganizationSeed{Name: "Acme", Slug: "acme"})
				h.member(emulator.MemberSeed{Organization: "acme", Email: annEmail, Password: annPassword})
				h.get(rt.form)
				f := o.fault
				f.Path, f.Latency = rt.stytch, 300*time.Millisecond
				h.emu.SetFault(f)

				first := make(chan int, 1)
				go func() {
					first <- h.lostAnswer(h.postRequest(rt.path, url.Values{"email": {annEmail}}, "text/html")).StatusCode
				}()
				<-store.stored // the first request reserved the email and is asking Stytch
				second := rt.askFor(h, annEmail, false)
				if s := <-first; s != http.StatusSeeOther {
					t.Fatalf("first submit = %d, want 303", s)
				}
				if o.sent {
					rt.expectSent(h, second, false)
					if n := emailsTo(h, annEmail); n != 1 {
						t.Errorf("%d emails to %s, want 1", n, annEmail)
					}
					return
				}
				if second.status != http.StatusSeeOther || second.location != rt.form {
					t.Fatalf("second submit = %d to %q, want 303 to the form %s with the refusal", second.status, second.location, rt.form)
				}
				if page := h.get(second.location); page.status != http.StatusBadRequest && page.status != http.StatusOK ||
					!strings.Contains(page.body, `id="error"`) {
					t.Fatalf("the form after the second submit = %d, want it with the refusal:\n%s", page.status, page.body)
				}
				if n := emailsTo(h, annEmail); n != 0 {
					t.Errorf("%d emails to %s, want none", n, annEmail)
				}
			})
		}
	}
}
