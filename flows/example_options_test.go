package flows_test

import (
	"fmt"
	"log"
	"net/http"
	"net/url"
	"time"

	"github.com/b2bauth/b2bauth/flows"
	"github.com/b2bauth/b2bauth/middleware"
	"github.com/b2bauth/b2bauth/middleware/middlewaretest"
)

// ExampleWithSessionDuration makes the sessions of the login last eight
// hours instead of a week: the session cookies expire with them.
func ExampleWithSessionDuration() {
	clk := middlewaretest.NewClock(time.Date(2030, time.January, 2, 9, 0, 0, 0, time.UTC))
	emu, c, m := exampleStytchAt(clk.Now)
	defer emu.Close()
	defer m.Close()

	for _, opts := range [][]flows.Option{
		nil,
		{flows.WithSessionDuration(8 * time.Hour)},
	} {
		login := newLogin(c, m, append([]flows.Option{flows.WithClock(clk.Now)}, opts...)...)
		res, next := selectOrganization(login, emu, "acme", startLogin(login, emu, "ada@acme.test", ""))
		for _, cookie := range res.Cookies() {
			if cookie.Name == middleware.DefaultSessionCookie {
				fmt.Println(next, "- session cookie expires in", cookie.Expires.Sub(clk.Now()))
			}
		}
	}
	// Output:
	// 200 done / - session cookie expires in 168h0m0s
	// 200 done / - session cookie expires in 8h0m0s
}

// ExampleWithAfterLoginPath lands members on /dashboard after login unless
// the login page was opened with a return path.
func ExampleWithAfterLoginPath() {
	clk := middlewaretest.NewClock(time.Date(2030, time.January, 2, 9, 0, 0, 0, time.UTC))
	emu, c, m := exampleStytchAt(clk.Now)
	defer emu.Close()
	defer m.Close()
	login := newLogin(c, m, flows.WithClock(clk.Now), flows.WithAfterLoginPath("/dashboard"))

	_, next := selectOrganization(login, emu, "acme", startLogin(login, emu, "ada@acme.test", ""))
	fmt.Println(next)
	// Each sign-in emails a link to the same address: the clock moves past
	// the resend cooldown between them.
	clk.Advance(flows.DefaultEmailResendCooldown)
	_, next = selectOrganization(login, emu, "acme", startLogin(login, emu, "ada@acme.test", "/reports?year=2025"))
	fmt.Println(next)
	// A return path to another site is ignored.
	clk.Advance(flows.DefaultEmailResendCooldown)
	_, next = selectOrganization(login, emu, "acme", startLogin(login, emu, "ada@acme.test", "https://evil.example/"))
	fmt.Println(next)
	// Output:
	// 200 done /dashboard
	// 200 done /reports?year=2025
	// 200 done /dashboard
}

// ExampleWithSMSResendCooldown makes a member wait a minute between two SMS
// codes. Time is moved by hand with the clock of WithClock.
func ExampleWithSMSResendCooldown() {
	clk := middlewaretest.NewClock(time.Date(2030, time.January, 2, 9, 0, 0, 0, time.UTC))
	emu, c, m := exampleStytchAt(clk.Now)
	defer emu.Close()
	defer m.Close()
	login := newLogin(c, m, flows.WithClock(clk.Now), flows.WithSMSResendCooldown(time.Minute))

	res, next := selectOrganization(login, emu, "secure", startLogin(login, emu, "sam@secure.test", ""))
	fmt.Println(next)
	flow := flowCookie(res)
	for _, wait := range []time.Duration{0, 30 * time.Second, 30 * time.Second} {
		clk.Advance(wait)
		res, next = exchange(login, jsonRequest(http.MethodPost, "/auth/mfa/sms/send", nil, flow))
		if updated := flowCookie(res); updated != nil {
			flow = updated
		}
		fmt.Printf("after %s: %s (texts sent: %d)\n", wait, next, emu.Calls(http.MethodPost, smsSendPath))
	}
	// Output:
	// 200 mfa
	// after 0s: 200 mfa (texts sent: 1)
	// after 30s: 429 sms_cooldown mfa (texts sent: 1)
	// after 30s: 200 mfa (texts sent: 2)
}

// ExampleWithEmailResendCooldown makes an address wait a minute between two
// sign-in links. A request within the wait from a client whose flow does
// not wait for that link is refused with 429 and a Retry-After; Stytch is
// not asked.
func ExampleWithEmailResendCooldown() {
	clk := middlewaretest.NewClock(time.Date(2030, time.January, 2, 9, 0, 0, 0, time.UTC))
	emu, c, m := exampleStytchAt(clk.Now)
	defer emu.Close()
	defer m.Close()
	login := newLogin(c, m, flows.WithClock(clk.Now), flows.WithEmailResendCooldown(time.Minute))

	for _, wait := range []time.Duration{0, 30 * time.Second, 30 * time.Second} {
		clk.Advance(wait)
		res, next := exchange(login, jsonRequest(http.MethodPost, "/auth/login", map[string]string{"email": "ada@acme.test"}))
		fmt.Printf("after %s: %s %s (links sent: %d)\n", wait, next, res.Header.Get("Retry-After"),
			emu.Calls(http.MethodPost, "/v1/b2b/magic_links/email/discovery/send"))
	}
	// Output:
	// after 0s: 200 check_email  (links sent: 1)
	// after 30s: 429 email_cooldown email 30 (links sent: 1)
	// after 30s: 200 check_email  (links sent: 2)
}

// ExampleWithClock runs the flows on the clock of a test, shared with the
// emulator and the middleware, so the ten-minute flow lifetime passes without
// waiting.
func ExampleWithClock() {
	clk := middlewaretest.NewClock(time.Date(2030, time.January, 2, 9, 0, 0, 0, time.UTC))
	emu, c, m := exampleStytchAt(clk.Now)
	defer emu.Close()
	defer m.Close()
	login := newLogin(c, m, flows.WithClock(clk.Now))

	flow := startLogin(login, emu, "ada@acme.test", "")
	clk.Advance(9 * time.Minute)
	_, next := selectOrganization(login, emu, "acme", flow)
	fmt.Println(next)

	flow = startLogin(login, emu, "ada@acme.test", "")
	clk.Advance(11 * time.Minute)
	_, next = selectOrganization(login, emu, "acme", flow)
	fmt.Println(next)
	// Output:
	// 200 done /
	// 401 flow_expired email
}

// ExampleWithPrefix serves the flows under /account: the magic link leads
// back to /account/callback. The prefix is a path without a trailing slash.
func ExampleWithPrefix() {
	emu, c, m := exampleStytch(middleware.WithLoginURL("/account/login"))
	defer emu.Close()
	defer m.Close()

	_, err := flows.New(c, m,
		flows.WithCookieKeys(exampleKeys()),
		flows.WithPublicURL("https://app.example"),
		flows.WithPrefix("/account/"))
	fmt.Println(err)

	login := newLogin(c, m, flows.WithPrefix("/account"))
	_, next := exchange(login, jsonRequest(http.MethodPost, "/account/login", map[string]string{"email": "ada@acme.test"}))
	fmt.Println(next)
	link, _, _ := emu.LastMagicLink("ada@acme.test")
	u, err := url.Parse(link)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(u.Host + u.Path)
	// Output:
	// b2bauth: flows: prefix "/account/" must be a local path like "/auth" without a trailing slash
	// 200 check_email
	// app.example/account/callback
}
