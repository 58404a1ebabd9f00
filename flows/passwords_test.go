package flows_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/b2bauth/b2bauth/client"
	"github.com/b2bauth/b2bauth/emulator"
	"github.com/b2bauth/b2bauth/flows"
)

const (
	dianaPassword = "correct-horse-battery-staple-42"
	strongNew     = "violet-Quarry-917-lantern-Drift"
)

// passwordFixture has acme with diana, who has a password, and a logger
// that must never see it.
type passwordFixture struct {
	*harness
	acme, diana string
	logs        *syncBuffer
}

func newPasswordFixture(t *testing.T) *passwordFixture {
	t.Helper()
	logs := &syncBuffer{}
	f := &passwordFixture{harness: newHarness(t, flows.WithLogger(slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))), logs: logs}
	f.acme = f.org(emulator.OrganizationSeed{Name: "Acme", Slug: "acme"})
	f.diana = f.member(emulator.MemberSeed{Organization: "acme", Email: "diana@acme.test", Password: dianaPassword})
	t.Cleanup(func() {
		for _, p := range []string{dianaPassword, strongNew, "password1"} {
			if strings.Contains(logs.String(), p) {
				t.Errorf("a password was logged:\n%s", logs.String())
			}
		}
	})
	return f
}

// resetLink asks for a reset link for diana at acme and returns it.
func (f *passwordFixture) resetLink() string {
	f.t.Helper()
	a := f.postJSON("/auth/o/acme/password/reset/start", url.Values{"email": {"diana@acme.test"}})
	if a.status != http.StatusOK {
		f.t.Fatalf("reset start = %d %s", a.status, a.body)
	}
	link, _, ok := f.emu.LastMagicLink("diana@acme.test")
	if !ok || !strings.Contains(link, "stytch_token_type=multi_tenant_passwords") {
		f.t.Fatalf("no reset link emailed: %q", link)
	}
	return link
}

func TestPasswordLogin(t *testing.T) {
	t.Parallel()
	t.Run("the right password at the organization page signs in", func(t *testing.T) {
		t.Parallel()
		f := newPasswordFixture(t)
		f.expectDone(f.postJSON("/auth/o/acme/password", url.Values{"email": {"diana@acme.test"}, "password": {dianaPassword}}), "/")
		f.expectLoggedIn(f.diana)
	})
	t.Run("the right password on the login page leads to the organizations", func(t *testing.T) {
		t.Parallel()
		f := newPasswordFixture(t)
		a := f.postJSON("/auth/login/password", url.Values{"email": {"diana@acme.test"}, "password": {dianaPassword}})
		if a.status != http.StatusOK || jsonField(t, a.body, "redirect") != "/auth/organizations" {
			t.Fatalf("discovery password = %d %s", a.status, a.body)
		}
		f.expectDone(f.selectOrg(f.acme), "/")
		f.expectLoggedIn(f.diana)
	})
	t.Run("a wrong password is refused without saying which field was wrong", func(t *testing.T) {
		t.Parallel()
		f := newPasswordFixture(t)
		for _, path := range []string{"/auth/o/acme/password", "/auth/login/password"} {
			a := f.postJSON(path, url.Values{"email": {"diana@acme.test"}, "password": {"password1"}})
			if a.status != http.StatusUnauthorized || a.errorCode(t) != "invalid_password" {
				t.Errorf("%s with a wrong password = %d %s, want 401 invalid_password", path, a.status, a.body)
			}
			page := f.post(path, url.Values{"email": {"diana@acme.test"}, "password": {"password1"}})
			assertNoSecret(t, page, "password1")
		}
	})
	t.Run("a password that must be reset leads to the reset page", func(t *testing.T) {
		t.Parallel()
		f := newPasswordFixture(t)
		if _, err := f.client.Passwords.EmailRequireReset(context.Background(), &client.PasswordsEmailRequireResetParams{
			OrganizationID: f.acme, EmailAddress: "diana@acme.test"}); err != nil {
			t.Fatal(err)
		}
		page := f.post("/auth/o/acme/password", url.Values{"email": {"diana@acme.test"}, "password": {dianaPassword}})
		if page.status != http.StatusForbidden || !strings.Contains(page.body, `action="/auth/o/acme/password/reset/start"`) ||
			!strings.Contains(page.body, `action="/auth/o/acme/password/change"`) {
			t.Fatalf("reset required = %d, want the reset page:\n%s", page.status, page.body)
		}
		assertNoSecret(t, page, dianaPassword)
		// The way out: a new password with the current one.
		f.expectDone(f.postJSON("/auth/o/acme/password/change", url.Values{"email": {"diana@acme.test"},
			"existing_password": {dianaPassword}, "new_password": {strongNew}}), "/")
		f.expectLoggedIn(f.diana)
	})
	t.Run("a weak new password is refused with Stytch's advice", func(t *testing.T) {
		t.Parallel()
		f := newPasswordFixture(t)
		page := f.post("/auth/o/acme/password/change", url.Values{"email": {"diana@acme.test"},
			"existing_password": {dianaPassword}, "new_password": {"password1"}})
		if page.status != http.StatusUnprocessableEntity || !strings.Contains(page.body, "weak_password") && !strings.Contains(page.body, "not strong enough") {
			t.Fatalf("weak password = %d, want 422 with advice:\n%s", page.status, page.body)
		}
		assertNoSecret(t, page, "password1")
		a := f.postJSON("/auth/o/acme/password", url.Values{"email": {"diana@acme.test"}, "password": {dianaPassword}})
		f.expectDone(a, "/") // the old password still works
	})
}

func TestPasswordReset(t *testing.T) {
	t.Parallel()
	t.Run("a reset link sets a new password and signs in, once", func(t *testing.T) {
		t.Parallel()
		f := newPasswordFixture(t)
		link := f.resetLink()
		a := f.get(link)
		if a.status != http.StatusSeeOther || a.location != "/auth/password/reset" {
			t.Fatalf("reset link = %d to %q, want the reset form", a.status, a.location)
		}
		if page := f.get("/auth/password/reset"); page.status != http.StatusOK || !strings.Contains(page.body, `name="password"`) {
			t.Fatalf("reset form = %d:\n%s", page.status, page.body)
		}
		weak := f.postJSON("/auth/password/reset", url.Values{"password": {"password1"}})
		if weak.status != http.StatusUnprocessableEntity || weak.errorCode(t) != "weak_password" || !strings.Contains(weak.body, "not strong enough") {
			t.Fatalf("weak password = %d %s, want 422 weak_password with advice", weak.status, weak.body)
		}
		f.expectDone(f.postJSON("/auth/password/reset", url.Values{"password": {strongNew}}), "/")
		f.expectLoggedIn(f.diana)

		// Replayed: the flow is over, and Stytch refuses the used token.
		again := f.get(link)
		if again.status != http.StatusUnauthorized && again.status != http.StatusSeeOther {
			t.Fatalf("replayed link = %d %s", again.status, again.body)
		}
		// A reload of the reset form's POST by the signed-in member leads
		// on; it sets nothing.
		f.expectDone(f.postJSON("/auth/password/reset", url.Values{"password": {"another-Strong-pass-771"}}), "/")
		if a := newBrowser(f.harness).postJSON("/auth/password/reset", url.Values{"password": {"another-Strong-pass-771"}}); a.status == http.StatusOK {
			t.Fatalf("a replayed reset link set a password: %s", a.body)
		}
		if a := f.postJSON("/auth/o/acme/password", url.Values{"email": {"diana@acme.test"}, "password": {"another-Strong-pass-771"}}); a.status == http.StatusOK {
			t.Fatalf("the replayed reset set its password: %s", a.body)
		}
		f.expectDone(f.postJSON("/auth/o/acme/password", url.Values{"email": {"diana@acme.test"}, "password": {strongNew}}), "/")
	})
	t.Run("a reset link opened in another browser is refused", func(t *testing.T) {
		t.Parallel()
		f := newPasswordFixture(t)
		link := f.resetLink()
		other := newBrowser(f.harness)
		// Refused where it lands (a browser is sent to the page of its
		// step with the message), and no reset form opens there.
		if a := other.get(link); a.status != http.StatusUnauthorized && a.status != http.StatusSeeOther || a.location == "/auth/password/reset" {
			t.Fatalf("link in another browser = %d to %q, want a refusal", a.status, a.location)
		}
		if a := other.postJSON("/auth/password/reset", url.Values{"password": {strongNew}}); a.status == http.StatusOK {
			t.Fatalf("the other browser set a password: %s", a.body)
		}
	})
	t.Run("a used reset link is refused in a new reset flow", func(t *testing.T) {
		t.Parallel()
		f := newPasswordFixture(t)
		link := f.resetLink()
		f.get(link)
		f.expectDone(f.postJSON("/auth/password/reset", url.Values{"password": {strongNew}}), "/")
		f.waitOutEmailCooldown()
		f.resetLink() // a new flow in this browser
		f.get(link)   // the old link, with the new flow's verifier
		a := f.postJSON("/auth/password/reset", url.Values{"password": {"another-Strong-pass-771"}})
		if a.status != http.StatusUnauthorized || a.errorCode(t) != "link_invalid" {
			t.Fatalf("used link in a new flow = %d %s, want 401 link_invalid", a.status, a.body)
		}
	})
	t.Run("an unknown address gets the same answer as a member", func(t *testing.T) {
		t.Parallel()
		f := newPasswordFixture(t)
		a := f.postJSON("/auth/o/acme/password/reset/start", url.Values{"email": {"nobody@acme.test"}})
		if a.status != http.StatusOK {
			t.Fatalf("reset start for an unknown address = %d %s", a.status, a.body)
		}
	})
	t.Run("no password appears in a URL or the flow cookie", func(t *testing.T) {
		t.Parallel()
		f := newPasswordFixture(t)
		link := f.resetLink()
		f.get(link)
		a := f.post("/auth/password/reset", url.Values{"password": {"password1"}})
		assertNoSecret(t, a, "password1")
		if strings.Contains(f.flowCookie(), "password1") {
			t.Fatal("the flow cookie holds the password")
		}
	})
}
