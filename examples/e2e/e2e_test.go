package e2e_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/b2bauth/b2bauth/examples/internal/demo"
	"github.com/b2bauth/b2bauth/middleware"
)

func TestBrowser(t *testing.T) {
	t.Run("logs a member in with a magic link and an SMS code, refuses admin, and logs out", func(t *testing.T) {
		t.Parallel()
		s := start(t)
		memberID := s.loginToMFA(demo.BobEmail)

		s.run("ask for an SMS code", submit(demo.Prefix+"/mfa/sms/send", `#sms_code`))
		code := s.app.Emulator.LastSMSCode(demo.BobPhone)
		if code == "" {
			t.Fatalf("no SMS code sent to %s", demo.BobPhone)
		}
		s.run("enter the SMS code",
			chromedp.SendKeys(chromedp.CSS(`#sms_code`), code),
			submit(demo.Prefix+"/mfa/sms/verify", `#member-id`),
		)
		s.expectDashboard(demo.AcmeSlug, memberID, demo.BobEmail)
		names := s.cookieNames()
		if !slices.Contains(names, middleware.DefaultSessionCookie) || !slices.Contains(names, middleware.DefaultJWTCookie) {
			t.Fatalf("cookies %v, want the session cookies", names)
		}

		if status := s.navigate("open admin", s.base+demo.PathAdmin); status != http.StatusForbidden {
			s.fail("admin refused", stepError("status "+http.StatusText(int(status))))
		}
		if got := s.text(`h1`); got != "You don't have access to this page" {
			s.fail("admin refused", stepError("heading "+got))
		}

		s.navigate("back to the dashboard", s.base+demo.PathDashboard)
		s.run("log out", chromedp.WaitVisible(chromedp.CSS(`#logout`)), submit(demo.Prefix+"/logout", `#login`))
		s.expectAt("home after logout", "/")
		for _, name := range s.cookieNames() {
			if name == middleware.DefaultSessionCookie || name == middleware.DefaultJWTCookie {
				t.Fatalf("cookie %s kept after logout", name)
			}
		}
		s.navigate("open the dashboard after logout", s.base+demo.PathDashboard)
		s.run("see the email form again", chromedp.WaitVisible(chromedp.CSS(`#email`)))
		s.expectAt("redirected to login after logout", demo.Prefix+"/login?return_to=%2Fdashboard")
	})

	t.Run("logs a member in with a password and switches organizations through MFA", func(t *testing.T) {
		t.Parallel()
		s := start(t)
		emu := s.app.Emulator
		globex, _ := emu.OrganizationID(demo.GlobexSlug)
		acme, _ := emu.OrganizationID(demo.AcmeSlug)
		inGlobex, _ := emu.MemberID(globex, demo.AliceEmail)
		inAcme, _ := emu.MemberID(acme, demo.AliceEmail)

		s.navigate("open Globex's login page", s.base+demo.Prefix+"/o/"+demo.GlobexSlug)
		s.run("sign in with the password",
			chromedp.WaitVisible(chromedp.CSS(`#password`)),
			chromedp.SendKeys(chromedp.CSS(`#password-email`), demo.AliceEmail),
			chromedp.SendKeys(chromedp.CSS(`#password`), demo.AlicePassword),
			submit(demo.Prefix+"/o/"+demo.GlobexSlug+"/password", `#member-id`),
		)
		s.expectDashboard(demo.GlobexSlug, inGlobex, demo.AliceEmail)
		if got := s.text(`#current-organization`); got != demo.GlobexSlug {
			s.fail("current organization", stepError("menu shows "+got))
		}

		s.run("open the switcher",
			chromedp.Click(chromedp.CSS(`#switch-organization`)),
			chromedp.WaitVisible(chromedp.CSS(`ul.orgs`)),
		)
		s.run("switch to Acme", chooseOrganization(acme, `form[action="`+demo.Prefix+`/mfa/sms/send"]`))
		s.verifySMS(demo.AlicePhone)
		s.expectDashboard(demo.AcmeSlug, inAcme, demo.AliceEmail)
	})

	t.Run("logs a member in with OAuth at the emulated provider", func(t *testing.T) {
		t.Parallel()
		s := start(t)
		emu := s.app.Emulator
		orgID, _ := emu.OrganizationID(demo.GlobexSlug)
		memberID, ok := emu.MemberID(orgID, demo.GinaEmail)
		if !ok {
			t.Fatalf("no member %s in globex", demo.GinaEmail)
		}

		s.navigate("open the dashboard", s.base+demo.PathDashboard)
		s.expectAt("redirected to login", demo.Prefix+"/login?return_to=%2Fdashboard")
		// The button's form posts to the app, which answers a 303 to another
		// origin (the emulator's port): the app's Content-Security-Policy
		// must let the browser follow it (Chromium checks form-action on
		// every redirect after a submission).
		consent := `form[action="/_emulator/oauth/consent"]`
		s.run("continue with google",
			chromedp.Click(chromedp.Search(`//form[@action="`+demo.Prefix+`/oauth/start"]/button[normalize-space()="Continue with Google"]`)),
			chromedp.WaitVisible(chromedp.CSS(consent)),
		)
		if got, want := s.location(), emu.URL()+"/v1/b2b/public/oauth/google/discovery/start?"; !strings.HasPrefix(got, want) {
			s.fail("at the provider", stepError("at "+got+", want "+want+"..."))
		}
		if got := s.text(`h1`); got != "Sign in with Google" {
			s.fail("provider page", stepError("heading "+got))
		}

		s.run("sign in at the provider",
			chromedp.SendKeys(chromedp.CSS(consent+` #email`), demo.GinaEmail),
			submit("/_emulator/oauth/consent", `ul.orgs`),
		)
		s.expectAt("back on the organization choice", demo.Prefix+"/organizations")
		// Globex's MFA is optional and Gina has no second factor: no MFA step.
		s.run("choose Globex", chooseOrganization(orgID, `#member-id`))
		// The OAuth JWT names no address: the dashboard reads the member.
		s.expectDashboard(demo.GlobexSlug, memberID, demo.GinaEmail)
		if got := s.text(`#factors`); !strings.Contains(got, "oauth_google") {
			s.fail("dashboard factors", stepError("factors "+got))
		}
	})

	t.Run("logs a member in with SSO from the organization's login page", func(t *testing.T) {
		t.Parallel()
		s := start(t)
		orgID, _ := s.app.Emulator.OrganizationID(demo.InitechSlug)
		memberID, ok := s.app.Emulator.MemberID(orgID, demo.IvanEmail)
		if !ok {
			t.Fatalf("no member %s in initech", demo.IvanEmail)
		}
		s.navigate("open Initech's login page", s.base+demo.Prefix+"/o/"+demo.InitechSlug)
		if got := s.text(`h1`); got != "Sign in to Initech" {
			s.fail("organization login page", stepError("heading "+got))
		}
		// Initech allows SSO only: no email form.
		s.run("no email form", chromedp.WaitNotPresent(chromedp.CSS(`#email`)))
		s.ssoToMFA(`//form[@action="`+demo.Prefix+`/o/`+demo.InitechSlug+`/sso/start"]/button[normalize-space()="Continue with Okta"]`, demo.IvanEmail)
		s.verifySMS(demo.IvanPhone)
		// A SAML session names no email factor.
		s.expectDashboard(demo.InitechSlug, memberID, demo.IvanEmail)
		if got := s.text(`#factors`); !strings.Contains(got, "sso_saml") {
			s.fail("dashboard factors", stepError("factors "+got))
		}
	})

	t.Run("leads a discovered member into an SSO-only organization through its SSO", func(t *testing.T) {
		t.Parallel()
		s := start(t)
		emu := s.app.Emulator
		orgID, _ := emu.OrganizationID(demo.InitechSlug)
		memberID, _ := emu.MemberID(orgID, demo.IvanEmail)
		s.navigate("open the dashboard", s.base+demo.PathDashboard)
		s.run("enter the email",
			chromedp.SendKeys(chromedp.CSS(`#email`), demo.IvanEmail),
			submit(demo.Prefix+"/login", `p.notice`),
		)
		link, _, ok := emu.LastMagicLink(demo.IvanEmail)
		if !ok {
			t.Fatalf("no magic link sent to %s", demo.IvanEmail)
		}
		s.navigate("open the magic link", link)
		s.run("see the organization choice", chromedp.WaitVisible(chromedp.CSS(`ul.orgs`)))
		s.ssoToMFA(`//input[@name="organization_id" and @value="`+orgID+`"]/following-sibling::button`, demo.IvanEmail)
		s.verifySMS(demo.IvanPhone)
		s.expectDashboard(demo.InitechSlug, memberID, demo.IvanEmail)
		if got := s.text(`#factors`); !strings.Contains(got, "sso_saml") || !strings.Contains(got, "magic_link") {
			s.fail("dashboard factors", stepError("factors "+got))
		}
	})

	t.Run("enrolls an authenticator app during login", func(t *testing.T) {
		t.Parallel()
		s := start(t)
		memberID := s.loginToMFA(demo.DaveEmail)

		s.run("set up an authenticator app",
			submit(demo.Prefix+"/mfa/totp/enroll", `#totp_code`),
		)
		code := s.totpCode()
		s.run("enter the app's code",
			chromedp.SendKeys(chromedp.CSS(`#totp_code`), code),
			submit(demo.Prefix+"/mfa/totp/verify", `#member-id`),
		)
		s.expectDashboard(demo.AcmeSlug, memberID, demo.DaveEmail)
		if got := s.text(`#factors`); !strings.Contains(got, "authenticator_app") {
			s.fail("dashboard factors", stepError("factors "+got))
		}
	})
}
