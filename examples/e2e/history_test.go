package e2e_test

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/b2bauth/b2bauth/examples/internal/demo"
)

// back goes one entry back in the tab's history, as the back button does.
// Unlike chromedp.NavigateBack it does not wait for a load event, which a
// page restored from the back/forward cache never fires.
func back() chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		res, err := cdp.Call(ctx, t, page.GetNavigationHistory, cdp.Empty{})
		if err != nil {
			return err
		}
		if res.CurrentIndex <= 0 || int(res.CurrentIndex) >= len(res.Entries) {
			return stepError("no page to go back to")
		}
		_, err = cdp.Call(ctx, t, page.NavigateToHistoryEntry, page.NavigateToHistoryEntryParams{EntryID: res.Entries[res.CurrentIndex-1].ID})
		return err
	})
}

// shown waits until the tab shows url and returns the text of its main
// element. It asks the page itself rather than chromedp's view of the DOM,
// which a page restored from the back/forward cache leaves stale; the
// browser's own error pages ("Confirm Form Resubmission") are at another
// URL and have no main element.
func shown(url string) chromedp.Action[string] {
	expr := `location.href === ` + strconv.Quote(url) + ` && document.querySelector("main") ? document.querySelector("main").innerText : ""`
	byValue := true
	return func(ctx context.Context, t *chromedp.Target) (string, error) {
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			// An evaluation during a navigation fails: it is asked again.
			res, err := cdp.Call(ctx, t, runtime.Evaluate, runtime.EvaluateParams{Expression: expr, ReturnByValue: &byValue})
			var text string
			if err == nil && res.ExceptionDetails == nil && json.Unmarshal(res.Result.Value, &text) == nil && text != "" {
				return text, nil
			}
			select {
			case <-ctx.Done():
				return "", ctx.Err()
			case <-tick.C:
			}
		}
	}
}

// expectStepAgain checks that the page of a step, shown at path after a
// form posted to action, comes back the same on a reload and on the back
// button from the page at away, never as the browser's "Confirm Form
// Resubmission" page, and that no form is sent again. It returns the text
// of the page, and leaves the tab on a fresh load of path.
func (s *session) expectStepAgain(step, action, path, away string) string {
	s.t.Helper()
	posts := s.posts.of(action)
	first := get(s, step+": at its own page", shown(s.base+path))
	s.run(step+": reload", chromedp.Reload())
	if again := get(s, step+": reloaded", shown(s.base+path)); again != first {
		s.fail(step+": reloaded", stepError("the page says "+again+"\nwant "+first))
	}
	s.navigate(step+": leave for "+away, s.base+away)
	s.run(step+": back", back())
	if again := get(s, step+": back", shown(s.base+path)); again != first {
		s.fail(step+": back", stepError("the page says "+again+"\nwant "+first))
	}
	if n := s.posts.of(action); n != posts {
		s.fail(step, stepError("the form to "+action+" was sent again"))
	}
	s.navigate(step+": open it again", s.base+path)
	return first
}

func TestBrowserBackAndReloadAfterAStep(t *testing.T) {
	p := demo.Prefix
	t.Run("the check-your-email page comes back on a reload and on the back button", func(t *testing.T) {
		t.Parallel()
		s := start(t)
		s.navigate("open the dashboard", s.base+demo.PathDashboard)
		s.run("enter the email",
			chromedp.SendKeys(chromedp.CSS(`#email`), demo.BobEmail),
			submit(p+"/login", `p.notice`),
		)
		if got := s.expectStepAgain("check your email", p+"/login", p+"/login/check-email", p+"/login"); !strings.Contains(got, demo.BobEmail) {
			s.fail("check your email", stepError("the page says "+got))
		}
	})
	t.Run("the code form comes back on a reload and on the back button", func(t *testing.T) {
		t.Parallel()
		s := start(t)
		s.navigate("open the login page", s.base+p+"/login")
		s.run("ask for a code",
			chromedp.SendKeys(chromedp.CSS(`#email`), demo.BobEmail),
			chromedp.Click(chromedp.CSS(`button[formaction="`+p+`/login/code"]`)),
			chromedp.WaitVisible(chromedp.CSS(`#code`)),
		)
		if got := s.expectStepAgain("code form", p+"/login/code", p+"/login/code", p+"/login"); !strings.Contains(got, demo.BobEmail) {
			s.fail("code form", stepError("the page says "+got))
		}
	})
	t.Run("the authenticator app's setup comes back, the same, on a reload and on the back button", func(t *testing.T) {
		t.Parallel()
		s := start(t)
		memberID := s.loginToMFA(demo.DaveEmail)
		s.run("set up an authenticator app", submit(p+"/mfa/totp/enroll", `#totp_code`))
		s.expectStepAgain("setup page", p+"/mfa/totp/enroll", p+"/mfa/totp/enroll", p+"/mfa")
		code := s.totpCode()
		s.run("enter the app's code",
			chromedp.SendKeys(chromedp.CSS(`#totp_code`), code),
			submit(p+"/mfa/totp/verify", `#member-id`),
		)
		s.expectDashboard(demo.AcmeSlug, memberID, demo.DaveEmail)
	})
}
