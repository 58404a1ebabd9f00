package flows_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/b2bauth/b2bauth/emulator"
	"github.com/b2bauth/b2bauth/flows"
)

// TestOversizeReturnPathIsRefusedBeforeStytch: a return path too long for
// the flow cookie is refused with 400 wherever it enters, before Stytch is
// asked: once, a path of 2,000 bytes sent the magic link and then failed
// with 500 saving the flow.
func TestOversizeReturnPathIsRefusedBeforeStytch(t *testing.T) {
	t.Parallel()
	oversize := map[string]string{
		"of 2,000 bytes": "/" + strings.Repeat("a", 1999),
		"of 1,025 bytes": "/" + strings.Repeat("a", 1024),
		"of 60 KB":       "/" + strings.Repeat("a", 60<<10),
		"that JSON escapes to more than 1,024 bytes": "/" + strings.Repeat("<", 200),
	}
	entries := []struct {
		name string
		// send asks with the return path and returns the answer.
		send func(h *harness, returnTo string) answer
	}{
		{"sending the magic link", func(h *harness, rt string) answer {
			return h.postJSON("/auth/login", url.Values{"email": {"ivy@acme.example"}, "return_to": {rt}})
		}},
		{"sending the magic link from the form", func(h *harness, rt string) answer {
			return h.post("/auth/login", url.Values{"email": {"ivy@acme.example"}, "return_to": {rt}})
		}},
		{"starting OAuth", func(h *harness, rt string) answer {
			return h.postJSON("/auth/oauth/start", url.Values{"provider": {"google"}, "return_to": {rt}})
		}},
		{"opening the login page", func(h *harness, rt string) answer {
			return h.get("/auth/login?return_to=" + url.QueryEscape(rt))
		}},
		{"opening the login page as JSON", func(h *harness, rt string) answer {
			return h.getJSON("/auth/login?return_to=" + url.QueryEscape(rt))
		}},
		{"starting a step-up", func(h *harness, rt string) answer {
			return h.getJSON("/auth/step-up?return_to=" + url.QueryEscape(rt))
		}},
	}
	// One logged-in browser: every refusal leaves it as it was.
	h, _ := loggedIn(t, emulator.MemberSeed{Email: "ivy@acme.example"}, flows.WithOAuth(testPublicToken, "google"))
	for size, rt := range oversize {
		for _, e := range entries {
			t.Run(e.name+" with a return path "+size+" is refused", func(t *testing.T) {
				sends := len(h.emu.Outbox())
				flow, stepUp := h.flowCookie(), h.cookie(flows.StepUpCookieName(h.flows))
				a := e.send(h, rt)
				if a.status == http.StatusSeeOther && strings.HasPrefix(a.location, "/auth/login") {
					// A browser's form: post/redirect/get, to the email form.
					a = h.get(a.location)
					if !strings.Contains(a.body, "too long") {
						t.Fatalf("email form after the refusal: %.300s", a.body)
					}
				} else if a.status != http.StatusBadRequest {
					t.Fatalf("status %d, want 400: %.300s", a.status, a.body)
				}
				if strings.HasPrefix(a.header.Get("Content-Type"), "application/json") && a.errorCode(t) != "invalid_input" {
					t.Errorf("error %s, want invalid_input", a.body)
				}
				if strings.Contains(a.body, strings.Repeat("a", 1000)) || strings.Contains(a.body, strings.Repeat("&lt;", 200)) {
					t.Error("the answer carries the return path")
				}
				if n := len(h.emu.Outbox()); n != sends {
					t.Errorf("%d messages sent", n-sends)
				}
				if h.flowCookie() != flow || h.cookie(flows.StepUpCookieName(h.flows)) != stepUp {
					t.Error("a flow cookie was written")
				}
			})
		}
	}
}

// TestLongestReturnPathGoesThroughMFA: the longest return path accepted
// goes through every step of a sign-in with MFA and leads back.
func TestLongestReturnPathGoesThroughMFA(t *testing.T) {
	t.Parallel()
	for name, rt := range map[string]string{
		"a path of 1,024 bytes":                   "/" + strings.Repeat("a", 1023),
		"a path that JSON escapes to 1,021 bytes": "/" + strings.Repeat("&", 170),
	} {
		t.Run(name+" leads back after MFA", func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			orgID := h.org(emulator.OrganizationSeed{Name: "Acme", Slug: "acme", MFAPolicy: "REQUIRED_FOR_ALL"})
			h.member(emulator.MemberSeed{Organization: "acme", Email: "lia@acme.example", TOTPSecret: attackTOTPSecret})
			h.discover("lia@acme.example", rt)
			if a := h.selectOrg(orgID); a.status != http.StatusOK || a.json(t)["next"] != "mfa" {
				t.Fatalf("select = %d %s", a.status, a.body)
			}
			h.expectDone(h.postJSON("/auth/mfa/totp/verify", url.Values{"code": {totpCode(t, attackTOTPSecret, h.clock.Now())}}), rt)
		})
	}
}

// TestUseAnotherEmailKeepsTheReturnPath: the "Use another email" link of
// the organization list starts again at the email form with the return
// path of the sign-in, so that the other address also leads back to the
// page that asked for a sign-in.
func TestUseAnotherEmailKeepsTheReturnPath(t *testing.T) {
	t.Parallel()
	for _, rt := range []string{"/reports", "/reports?tab=a&x=<1>"} {
		t.Run("the link of a sign-in returning to "+rt+" keeps it", func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			h.org(emulator.OrganizationSeed{Name: "Acme", Slug: "acme"})
			h.member(emulator.MemberSeed{Organization: "acme", Email: "uma@acme.example"})
			h.discover("uma@acme.example", rt)
			page := h.get("/auth/organizations")
			m := regexp.MustCompile(`<a href="([^"]*)">Use another email</a>`).FindStringSubmatch(page.body)
			if m == nil {
				t.Fatalf("no \"Use another email\" link on the organization list:\n%s", page.body)
			}
			form := h.get(html.UnescapeString(m[1]))
			if form.status != http.StatusOK {
				t.Fatalf("GET %s = %d", m[1], form.status)
			}
			want := `<input type="hidden" name="return_to" value="` + html.EscapeString(rt) + `">`
			if !strings.Contains(strings.ReplaceAll(form.body, "&#39;", "'"), want) {
				t.Fatalf("the email form reached by %q does not post the return path %q:\n%s", m[1], rt, form.body)
			}
		})
	}
}

// TestLinksBackToTheSignInKeepTheReturnPath: the pages that send a member
// back to the start of the sign-in keep where the sign-in was going, as the
// organization list's "Use another email" does.
func TestLinksBackToTheSignInKeepTheReturnPath(t *testing.T) {
	t.Parallel()
	const rt = "/reports?tab=a&x=1"
	tests := []struct {
		name string
		link string
		// page returns the page holding the link.
		page func(f *passwordFixture) answer
	}{
		{"an unknown organization's page", "Sign in with your email", func(f *passwordFixture) answer {
			return f.get("/auth/o/nowhere?return_to=" + url.QueryEscape(rt))
		}},
		{"the page of a reset link sent", "Back to sign-in", func(f *passwordFixture) answer {
			return f.step(f.post("/auth/o/acme/password/reset/start", url.Values{"email": {"diana@acme.test"}, "return_to": {rt}}), "/auth/o/acme/password/reset/start")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name+" keeps it in its "+tt.link+" link", func(t *testing.T) {
			t.Parallel()
			f := newPasswordFixture(t)
			page := tt.page(f)
			m := regexp.MustCompile(`<a[^>]* href="([^"]*)">` + tt.link + `</a>`).FindStringSubmatch(page.body)
			if m == nil {
				t.Fatalf("no %q link on the page (%d):\n%s", tt.link, page.status, page.body)
			}
			form := f.get(html.UnescapeString(m[1]))
			want := `<input type="hidden" name="return_to" value="` + html.EscapeString(rt) + `">`
			if form.status != http.StatusOK || !strings.Contains(form.body, want) {
				t.Fatalf("the email form reached by %q (%d) does not post the return path %q:\n%s", m[1], form.status, rt, form.body)
			}
		})
	}
}
