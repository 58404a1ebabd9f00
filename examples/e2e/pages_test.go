package e2e_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/b2bauth/b2bauth/emulator"
	"github.com/b2bauth/b2bauth/examples/internal/demo"
)

// TestBrowserPages walks every page of every flow and audits each (see
// auditor.audit): accessibility by axe-core at a laptop's and a phone's
// viewport, and a screenshot of each for the README's gallery.
func TestBrowserPages(t *testing.T) {
	t.Run("walks every page of every flow without a serious accessibility violation", func(t *testing.T) {
		s := start(t)
		a := newAuditor(t)
		emu := s.app.Emulator
		p := demo.Prefix

		s.navigate("open the home page", s.base+"/")
		a.audit(s, "home")

		s.navigate("open the dashboard", s.base+demo.PathDashboard)
		s.run("see the email form", chromedp.WaitVisible(chromedp.CSS(`#email`)))
		a.audit(s, "login")

		s.navigate("open a bogus link", s.base+p+"/callback?stytch_token_type=discovery&token=bogus-token")
		s.run("see the message", chromedp.WaitVisible(chromedp.CSS(`#error`)))
		if loc := s.location(); strings.Contains(loc, "token") {
			s.fail("bogus link", stepError("the address bar keeps the token: "+loc))
		}
		a.audit(s, "login-error")

		emu.SetFault(emulator.Fault{Path: "/v1/b2b/magic_links/email/discovery/send", Status: 503})
		s.run("enter an email during an outage",
			chromedp.SendKeys(chromedp.CSS(`#email`), demo.BobEmail),
			submit(p+"/login", `#error`))
		a.audit(s, "error-outage")
		emu.ClearFaults()

		s.navigate("open the login", s.base+p+"/login?return_to=%2Fdashboard")
		s.run("enter the email",
			chromedp.SendKeys(chromedp.CSS(`#email`), demo.AliceEmail),
			submit(p+"/login", `p.notice`))
		a.audit(s, "check-email")

		link, _, ok := emu.LastMagicLink(demo.AliceEmail)
		if !ok {
			t.Fatal("no magic link sent")
		}
		s.navigate("open the magic link", link)
		s.run("see the organizations", chromedp.WaitVisible(chromedp.CSS(`ul.orgs`)))
		a.audit(s, "organizations")
		s.run("open the creation form",
			chromedp.Click(chromedp.Search(`//summary[contains(., "Create an organization")]`)),
			chromedp.WaitVisible(chromedp.CSS(`#organization_name`)))
		a.audit(s, "organization-create")

		acme, _ := emu.OrganizationID(demo.AcmeSlug)
		s.navigate("open the login", s.base+p+"/login")
		s.run("enter Carol's email",
			chromedp.SendKeys(chromedp.CSS(`#email`), demo.CarolEmail),
			submit(p+"/login", `p.notice`))
		link, _, _ = emu.LastMagicLink(demo.CarolEmail)
		s.navigate("open Carol's link", link)
		s.run("choose Acme", chooseOrganization(acme, `#totp_code`))
		a.audit(s, "mfa-totp")

		s.loginToMFA(demo.BobEmail)
		a.audit(s, "mfa")
		s.run("ask for an SMS code", submit(p+"/mfa/sms/send", `#sms_code`))
		a.audit(s, "mfa-sms-sent")
		s.run("ask again at once", submit(p+"/mfa/sms/send", `#error`))
		if got := s.text(`#error`); !strings.Contains(got, "UTC") {
			s.fail("cooldown", stepError("message "+got))
		}
		a.audit(s, "mfa-sms-cooldown")
		s.run("enter a wrong code",
			chromedp.SendKeys(chromedp.CSS(`#sms_code`), "000000"),
			submit(p+"/mfa/sms/verify", `#error`))
		s.expectAt("a failure leads back to the MFA page", p+"/mfa")
		a.audit(s, "mfa-wrong-code")
		s.run("enter the code",
			chromedp.SendKeys(chromedp.CSS(`#sms_code`), emu.LastSMSCode(demo.BobPhone)),
			submit(p+"/mfa/sms/verify", `#member-id`))
		a.audit(s, "dashboard")
		s.navigate("open admin as a plain member", s.base+demo.PathAdmin)
		a.audit(s, "refusal-forbidden")
		s.navigate("open the outbox", s.base+demo.PathOutbox)
		a.audit(s, "outbox")

		s.navigate("open the login", s.base+p+"/login")
		s.run("enter Gina's email",
			chromedp.SendKeys(chromedp.CSS(`#email`), demo.GinaEmail),
			submit(p+"/login", `p.notice`))
		link, _, _ = emu.LastMagicLink(demo.GinaEmail)
		globex, _ := emu.OrganizationID(demo.GlobexSlug)
		s.navigate("open Gina's link", link)
		s.run("choose Globex", chooseOrganization(globex, `#member-id`))
		s.navigate("open the settings", s.base+demo.PathSettings)
		s.run("see the step-up", chromedp.WaitVisible(chromedp.CSS(`#step-up-enroll`)))
		a.audit(s, "step-up")
		s.run("set up an app", submit(p+"/step-up/totp/enroll", `#totp_code`))
		a.audit(s, "totp-enroll")

		s.navigate("open Umbrella's login page", s.base+p+"/o/"+demo.UmbrellaSlug)
		a.audit(s, "organization-login")
		s.navigate("open an unknown organization's page", s.base+p+"/o/no-such-organization")
		a.audit(s, "organization-not-found")

		t.Logf("accessibility: %d minor or moderate violations in all", a.minor)
	})
}
