package e2e_test

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp/totp"

	"github.com/b2bauth/b2bauth/emulator"
	"github.com/b2bauth/b2bauth/examples/internal/demo"
)

// doubleClick clicks the element sel twice in quick succession, as a
// member does: two presses and releases at the element's centre, the
// second counted as a double click, with nothing awaited in between. The
// first click's submission may be cancelled by the second's, as Chromium
// does when a form is submitted again before its answer.
func doubleClick(sel string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		if _, err := chromedp.ScrollIntoView(chromedp.CSS(sel), chromedp.NodeVisible)(ctx, t); err != nil {
			return err
		}
		box, err := chromedp.Dimensions(chromedp.CSS(sel), chromedp.NodeVisible)(ctx, t)
		if err != nil {
			return err
		}
		q := box.Content
		x, y := (q[0]+q[2]+q[4]+q[6])/4, (q[1]+q[3]+q[5]+q[7])/4
		for _, count := range []int64{1, 2} {
			for _, typ := range []input.DispatchMouseEventType{input.DispatchMouseEventTypeMousePressed, input.DispatchMouseEventTypeMouseReleased} {
				if _, err := cdp.Call(ctx, t, input.DispatchMouseEvent, input.DispatchMouseEventParams{
					Type: typ, X: x, Y: y, Button: input.MouseButtonLeft, ClickCount: count,
				}); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// button is the submit button of the form posting to action.
func button(action string) string {
	return `form[action="` + action + `"] button[type=submit]`
}

// withoutScripts turns the page's scripts off in the browser, as for a
// member whose browser does not run them or has not loaded the busy-state
// script yet: a double click then sends the form twice.
func (s *session) withoutScripts() {
	s.t.Helper()
	s.run("turn scripts off", chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		return err
	}))
}

// expectNoError fails if the page shows an error message.
func (s *session) expectNoError(step string) {
	s.t.Helper()
	s.run(step+": no error shown", chromedp.WaitNotPresent(chromedp.CSS(`#error`)))
}

// noteDoubled logs how many POSTs path got: Chromium sends a double
// click's form once or twice, depending on when the second click comes.
func (s *session) noteDoubled(path string) {
	s.t.Helper()
	s.t.Logf("%s: the app got %d POSTs", path, s.posts.of(path))
}

// browserModes are the ways a page's forms are double-clicked: with the
// busy-state script the flows ship, and without it.
var browserModes = []struct {
	name       string
	scriptsOff bool
}{
	{"with the busy-state script", false},
	{"without scripts", true},
}

// startMode starts a session in the mode.
func startMode(t *testing.T, scriptsOff bool) *session {
	s := start(t)
	if scriptsOff {
		s.scriptsOff = true
		s.withoutScripts()
	}
	return s
}

func TestBrowserRepeatedSteps(t *testing.T) {
	p := demo.Prefix
	for _, mode := range browserModes {
		t.Run("a double click on every button of a sign-in by text message leads to the dashboard, "+mode.name, func(t *testing.T) {
			t.Parallel()
			s := startMode(t, mode.scriptsOff)
			a := newAuditor(t)
			emu := s.app.Emulator
			acme, _ := emu.OrganizationID(demo.AcmeSlug)
			memberID, _ := emu.MemberID(acme, demo.BobEmail)

			s.navigate("open the dashboard", s.base+demo.PathDashboard)
			s.run("enter the email",
				chromedp.SendKeys(chromedp.CSS(`#email`), demo.BobEmail),
				doubleClick(button(p+"/login")),
				chromedp.WaitVisible(chromedp.CSS(`p.notice`)),
			)
			s.noteDoubled(p + "/login")
			s.expectNoError("check your email")
			link, _, ok := emu.LastMagicLink(demo.BobEmail)
			if !ok {
				t.Fatal("no magic link sent")
			}
			s.navigate("open the magic link", link)
			s.run("double-click Acme",
				chromedp.WaitVisible(chromedp.CSS(`ul.orgs`)),
				doubleClick(`input[name="organization_id"][value="`+acme+`"] ~ button`),
				chromedp.WaitVisible(chromedp.CSS(button(p+"/mfa/sms/send"))),
			)
			s.noteDoubled(p + "/organizations/select")
			s.expectAt("on the MFA page", p+"/mfa")
			s.expectNoError("MFA page")

			s.run("double-click Text me a code",
				doubleClick(button(p+"/mfa/sms/send")),
				chromedp.WaitVisible(chromedp.CSS(`#sms_code`)),
			)
			s.noteDoubled(p + "/mfa/sms/send")
			if !mode.scriptsOff {
				a.audit(s, "mfa-sms-double-send")
			}
			code := emu.LastSMSCode(demo.BobPhone)
			if code == "" {
				t.Fatal("no SMS code sent")
			}
			s.run("double-click Verify",
				chromedp.SendKeys(chromedp.CSS(`#sms_code`), code),
				doubleClick(button(p+"/mfa/sms/verify")),
			)
			s.noteDoubled(p + "/mfa/sms/verify")
			s.expectDashboard(demo.AcmeSlug, memberID, demo.BobEmail)
		})

		t.Run("a double click on every button of an authenticator app's setup leads to the dashboard, "+mode.name, func(t *testing.T) {
			t.Parallel()
			s := startMode(t, mode.scriptsOff)
			memberID := s.loginToMFA(demo.DaveEmail)
			s.run("double-click Set up an authenticator app",
				doubleClick(button(p+"/mfa/totp/enroll")),
				chromedp.WaitVisible(chromedp.CSS(`#totp_code`)),
			)
			s.noteDoubled(p + "/mfa/totp/enroll")
			s.expectNoError("setup page")
			code := s.totpCode()
			s.run("double-click Verify",
				chromedp.SendKeys(chromedp.CSS(`#totp_code`), code),
				doubleClick(button(p+"/mfa/totp/verify")),
			)
			s.noteDoubled(p + "/mfa/totp/verify")
			s.expectDashboard(demo.AcmeSlug, memberID, demo.DaveEmail)
		})

		t.Run("a double click on Verify of an authenticator app's code and of a recovery code leads to the dashboard, "+mode.name, func(t *testing.T) {
			t.Parallel()
			s := startMode(t, mode.scriptsOff)
			emu := s.app.Emulator
			const rita, ritaCode = "rita@acme.test", "ab12-cd34-ef56"
			memberID, err := emu.AddMember(emulator.MemberSeed{
				Organization: demo.AcmeSlug, Email: rita, Name: "Rita Recovery",
				TOTPSecret: demo.CarolTOTPSecret, MFAEnrolled: true, DefaultMFAMethod: "totp",
				RecoveryCodes: []string{ritaCode},
			})
			if err != nil {
				t.Fatal(err)
			}
			carolID := s.loginTo(demo.CarolEmail, `#totp_code`)
			code, err := emu.TOTPCode(carolID)
			if err != nil {
				t.Fatal(err)
			}
			s.run("double-click Verify",
				chromedp.SendKeys(chromedp.CSS(`#totp_code`), code),
				doubleClick(button(p+"/mfa/totp/verify")),
			)
			s.noteDoubled(p + "/mfa/totp/verify")
			s.expectDashboard(demo.AcmeSlug, carolID, demo.CarolEmail)

			s.run("log out", submit(p+"/logout", `#login`))
			s.loginTo(rita, `#totp_code`)
			s.run("double-click Use recovery code",
				chromedp.Click(chromedp.Search(`//summary[contains(., "Use a recovery code")]`)),
				chromedp.SendKeys(chromedp.CSS(`#recovery_code`), ritaCode),
				doubleClick(button(p+"/mfa/recovery")),
			)
			s.noteDoubled(p + "/mfa/recovery")
			s.expectDashboard(demo.AcmeSlug, memberID, rita)
		})
	}

	t.Run("a reload of the authenticator app's setup shows the same key, and of the dashboard the dashboard", func(t *testing.T) {
		t.Parallel()
		s := start(t)
		memberID := s.loginToMFA(demo.DaveEmail)
		s.run("set up an authenticator app", submit(p+"/mfa/totp/enroll", `#totp_code`))
		secret := s.totpSecret()
		s.run("reload the setup page", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`#totp_code`)))
		if again := s.totpSecret(); again != secret {
			s.fail("reload of the setup", stepError("the key changed from "+secret+" to "+again))
		}
		code, err := totp.GenerateCode(secret, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		s.run("enter the app's code",
			chromedp.SendKeys(chromedp.CSS(`#totp_code`), code),
			submit(p+"/mfa/totp/verify", `#member-id`),
		)
		s.expectDashboard(demo.AcmeSlug, memberID, demo.DaveEmail)
		s.run("reload the dashboard", chromedp.Reload())
		s.expectDashboard(demo.AcmeSlug, memberID, demo.DaveEmail)

		// The page before is the setup, the answer of a POST that Chromium
		// will not send again from the history: it shows its own
		// ERR_CACHE_MISS page there, which the flows cannot change.
	})

	t.Run("the back button after sign-in shows the switcher, and a magic link opened again the dashboard", func(t *testing.T) {
		t.Parallel()
		s := start(t)
		a := newAuditor(t)
		emu := s.app.Emulator
		globex, _ := emu.OrganizationID(demo.GlobexSlug)
		memberID, _ := emu.MemberID(globex, demo.GinaEmail)
		s.navigate("open the dashboard", s.base+demo.PathDashboard)
		s.run("enter the email",
			chromedp.SendKeys(chromedp.CSS(`#email`), demo.GinaEmail),
			submit(p+"/login", `p.notice`))
		link, _, _ := emu.LastMagicLink(demo.GinaEmail)
		s.navigate("open the magic link", link)
		s.run("choose Globex", chooseOrganization(globex, `#member-id`))
		s.expectDashboard(demo.GlobexSlug, memberID, demo.GinaEmail)
		s.run("go back to the organization choice", chromedp.NavigateBack())
		s.expectNoError("back to the organization choice")
		s.expectAt("at the switcher", p+"/organizations")
		// A member of one organization has nothing to switch to: the page
		// still leads back to the app.
		s.run("leave the switcher",
			chromedp.Click(chromedp.CSS(`#switch-back`)),
			chromedp.WaitVisible(chromedp.CSS(`#logout`)))
		s.expectAt("home, signed in", "/")
		s.navigate("open the switcher", s.base+p+"/organizations")
		s.run("see the switcher", chromedp.WaitVisible(chromedp.CSS(`#switch-back`)))
		a.audit(s, "switcher-alone")
		s.navigate("open the magic link again", link)
		s.expectNoError("link opened again")
		s.expectDashboard(demo.GlobexSlug, memberID, demo.GinaEmail)
	})

	t.Run("two tabs at the MFA page end signed in when the second is used after the first signed in", func(t *testing.T) {
		t.Parallel()
		s := start(t)
		memberID := s.loginToMFA(demo.BobEmail)

		// The second tab of the same browser shares its cookies.
		tab2, cancel := chromedp.NewContext(s.tab)
		defer cancel()
		if err := chromedp.Do(tab2); err != nil {
			t.Fatalf("open a second tab: %v", err)
		}
		first := s.tab
		s.tab = tab2
		s.navigate("open the MFA page in a second tab", s.base+p+"/mfa")
		s.run("see it in the second tab", chromedp.WaitVisible(chromedp.CSS(button(p+"/mfa/sms/send"))))

		s.tab = first
		s.verifySMS(demo.BobPhone)
		s.expectDashboard(demo.AcmeSlug, memberID, demo.BobEmail)
		code := s.app.Emulator.LastSMSCode(demo.BobPhone)

		s.tab = tab2
		s.run("ask for a code in the second tab", submit(p+"/mfa/sms/send", `#member-id`))
		s.expectNoError("second tab")
		s.expectDashboard(demo.AcmeSlug, memberID, demo.BobEmail)
		if again := s.app.Emulator.LastSMSCode(demo.BobPhone); again != code {
			t.Fatal("the second tab texted the member again after sign-in")
		}
	})

	t.Run("a member at one organization's MFA page who chooses another organization signs in there", func(t *testing.T) {
		t.Parallel()
		s := start(t)
		emu := s.app.Emulator
		acme, _ := emu.OrganizationID(demo.AcmeSlug)
		globex, _ := emu.OrganizationID(demo.GlobexSlug)
		inGlobex, _ := emu.MemberID(globex, demo.AliceEmail)

		s.navigate("open the dashboard", s.base+demo.PathDashboard)
		s.run("enter the email",
			chromedp.SendKeys(chromedp.CSS(`#email`), demo.AliceEmail),
			submit(p+"/login", `p.notice`))
		link, _, _ := emu.LastMagicLink(demo.AliceEmail)
		s.navigate("open the magic link", link)
		s.run("choose Acme", chooseOrganization(acme, button(p+"/mfa/sms/send")))
		s.run("choose another organization",
			chromedp.Click(chromedp.Search(`//a[normalize-space()="Choose another organization"]`)),
			chromedp.WaitVisible(chromedp.CSS(`ul.orgs`)))
		s.run("choose Globex", chooseOrganization(globex, `#member-id`))
		s.expectDashboard(demo.GlobexSlug, inGlobex, demo.AliceEmail)
	})
}
