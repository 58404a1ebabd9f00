package flows_test

import (
	"fmt"
	"log"
	"net/http"
	"net/url"
	"time"

	"github.com/b2bauth/b2bauth/client"
	"github.com/b2bauth/b2bauth/emulator"
	"github.com/b2bauth/b2bauth/flows"
	"github.com/b2bauth/b2bauth/middleware"
	"github.com/b2bauth/b2bauth/middleware/middlewaretest"
)

// smsSendPath is Stytch's SMS one-time passcode send call.
const smsSendPath = "/v1/b2b/otps/sms/send"

// exampleStytchAt is exampleStytch with the emulator and the middleware on
// the clock now. The seed adds "secure", an organization requiring MFA for
// all, whose member sam@secure.test has a verified phone and an
// authenticator app as the default method, so no text is sent before he
// asks for one.
func exampleStytchAt(now func() time.Time) (*emulator.Server, *client.Client, *middleware.Middleware) {
	emu, err := emulator.New(
		emulator.WithClock(now),
		emulator.WithSeed(emulator.Seed{
			Organizations: []emulator.OrganizationSeed{
				{Name: "Acme", Slug: "acme"},
				{Name: "Secure", Slug: "secure", MFAPolicy: client.MFAPolicyRequiredForAll},
			},
			Members: []emulator.MemberSeed{
				{Organization: "acme", Email: "ada@acme.test"},
				{Organization: "secure", Email: "sam@secure.test", Phone: "+15555550101", MFAPhoneNumberVerified: true,
					TOTPSecret: "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", DefaultMFAMethod: client.MFAMethodTOTP},
			},
		}))
	if err != nil {
		log.Fatal(err)
	}
	c, err := client.New(emu.ProjectID(), emu.Secret(), client.WithBaseURL(emu.URL()))
	if err != nil {
		log.Fatal(err)
	}
	m, err := middleware.New(c, middleware.WithClock(now), middleware.WithLoginURL("/auth/login"))
	if err != nil {
		log.Fatal(err)
	}
	return emu, c, m
}

// startLogin runs the email step and the magic link of a JSON client, with
// returnTo as the return path if not empty, and returns the flow cookie
// waiting for the organization choice.
func startLogin(h http.Handler, emu *emulator.Server, email, returnTo string) *http.Cookie {
	body := map[string]string{"email": email}
	if returnTo != "" {
		body["return_to"] = returnTo
	}
	res, next := exchange(h, jsonRequest(http.MethodPost, "/auth/login", body))
	if next != "200 check_email" {
		log.Fatalf("POST /auth/login: %s", next)
	}
	_, token, _ := emu.LastMagicLink(email)
	res, next = exchange(h, jsonRequest(http.MethodGet,
		"/auth/callback?stytch_token_type=discovery&token="+url.QueryEscape(token), nil, flowCookie(res)))
	if next != "200 select_organization /auth/organizations" {
		log.Fatalf("GET /auth/callback: %s", next)
	}
	return flowCookie(res)
}

// selectOrganization posts the choice of the organization with this slug.
func selectOrganization(h http.Handler, emu *emulator.Server, slug string, flow *http.Cookie) (*http.Response, string) {
	id, _ := emu.OrganizationID(slug)
	return exchange(h, jsonRequest(http.MethodPost, "/auth/organizations/select", map[string]string{"organization_id": id}, flow))
}

// ExampleWithSessionDuration makes the sessions of the login last eight
// hours instead of a week: the session cookies expire with them.
func ExampleWithSessionDuration() {
	clk := middlewaretest.NewClock(time.Date(2030, time.January, 2, 9, 0, 0, 0, time.UTC))
	emu, c, m := exampleStytchAt(clk.Now)
	defer emu.Close()
	defer m.Close()

	for _, opts := range [][]flows.Option{
		nil,
		{flows.WithSessionDuration(8 * 60)},
	} {
		login, err := flows.New(c, m, append([]flows.Option{
			flows.WithCookieKeys(exampleKeys()),
			flows.WithPublicURL("https://app.example"),
			flows.WithClock(clk.Now),
		}, opts...)...)
		if err != nil {
			log.Fatal(err)
		}
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
	emu, c, m := exampleStytch()
	defer emu.Close()
	defer m.Close()
	login, err := flows.New(c, m,
		flows.WithCookieKeys(exampleKeys()),
		flows.WithPublicURL("https://app.example"),
		flows.WithAfterLoginPath("/dashboard"))
	if err != nil {
		log.Fatal(err)
	}

	_, next := selectOrganization(login, emu, "acme", startLogin(login, emu, "ada@acme.test", ""))
	fmt.Println(next)
	_, next = selectOrganization(login, emu, "acme", startLogin(login, emu, "ada@acme.test", "/reports?year=2025"))
	fmt.Println(next)
	// A return path to another site is ignored.
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
	login, err := flows.New(c, m,
		flows.WithCookieKeys(exampleKeys()),
		flows.WithPublicURL("https://app.example"),
		flows.WithClock(clk.Now),
		flows.WithSMSResendCooldown(time.Minute))
	if err != nil {
		log.Fatal(err)
	}

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

// ExampleWithClock runs the flows on the clock of a test, shared with the
// emulator and the middleware, so the ten-minute flow lifetime passes without
// waiting.
func ExampleWithClock() {
	clk := middlewaretest.NewClock(time.Date(2030, time.January, 2, 9, 0, 0, 0, time.UTC))
	emu, c, m := exampleStytchAt(clk.Now)
	defer emu.Close()
	defer m.Close()
	login, err := flows.New(c, m,
		flows.WithCookieKeys(exampleKeys()),
		flows.WithPublicURL("https://app.example"),
		flows.WithClock(clk.Now))
	if err != nil {
		log.Fatal(err)
	}

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
	emu, c, m := exampleStytch()
	defer emu.Close()
	defer m.Close()

	_, err := flows.New(c, m,
		flows.WithCookieKeys(exampleKeys()),
		flows.WithPublicURL("https://app.example"),
		flows.WithPrefix("/account/"))
	fmt.Println(err)

	login, err := flows.New(c, m,
		flows.WithCookieKeys(exampleKeys()),
		flows.WithPublicURL("https://app.example"),
		flows.WithPrefix("/account"))
	if err != nil {
		log.Fatal(err)
	}
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
