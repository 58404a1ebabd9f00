package flows_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/b2bauth/b2bauth/emulator"
	"github.com/b2bauth/b2bauth/flows"
)

// codeFixture has acme (any method) with alice, and codeless (magic links
// only) with bob.
type codeFixture struct {
	*harness
	acme, alice string
}

func newCodeFixture(t *testing.T, opts ...flows.Option) *codeFixture {
	t.Helper()
	f := &codeFixture{harness: newHarness(t, opts...)}
	f.acme = f.org(emulator.OrganizationSeed{Name: "Acme", Slug: "acme"})
	f.alice = f.member(emulator.MemberSeed{Organization: "acme", Email: "alice@acme.test"})
	f.org(emulator.OrganizationSeed{Name: "Codeless", Slug: "codeless", AllowedAuthMethods: []string{"magic_link"}})
	f.member(emulator.MemberSeed{Organization: "codeless", Email: "bob@codeless.test"})
	return f
}

// sendCode asks for a discovery code and returns it.
func (f *codeFixture) sendCode(email string) string {
	f.t.Helper()
	a := f.postJSON("/auth/login/code", url.Values{"email": {email}})
	if a.status != http.StatusOK || jsonField(f.t, a.body, "next") != "enter_code" {
		f.t.Fatalf("POST /auth/login/code = %d %s", a.status, a.body)
	}
	code := f.emu.LastEmailCode(email)
	if code == "" {
		f.t.Fatalf("no code emailed to %s", email)
	}
	return code
}

// wrong returns a six-digit code other than code.
func wrong(code string) string {
	if code == "000000" {
		return "111111"
	}
	return "000000"
}

func TestEmailCodeDiscovery(t *testing.T) {
	t.Parallel()
	t.Run("the right code leads to the organizations and into one", func(t *testing.T) {
		t.Parallel()
		f := newCodeFixture(t)
		code := f.sendCode("alice@acme.test")
		a := f.postJSON("/auth/login/code/verify", url.Values{"code": {code}})
		if a.status != http.StatusOK || jsonField(t, a.body, "redirect") != "/auth/organizations" {
			t.Fatalf("verify = %d %s", a.status, a.body)
		}
		f.expectDone(f.selectOrg(f.acme), "/")
		f.expectLoggedIn(f.alice)
	})
	t.Run("a wrong code is refused and the right one still works", func(t *testing.T) {
		t.Parallel()
		f := newCodeFixture(t)
		code := f.sendCode("alice@acme.test")
		a := f.postJSON("/auth/login/code/verify", url.Values{"code": {wrong(code)}})
		if a.status != http.StatusUnauthorized || a.errorCode(t) != "invalid_code" || jsonField(t, a.body, "next") != "enter_code" {
			t.Fatalf("wrong code = %d %s, want 401 invalid_code with next enter_code", a.status, a.body)
		}
		page := f.failure(f.post("/auth/login/code/verify", url.Values{"code": {wrong(code)}}), "/auth/login/code")
		if !strings.Contains(page.body, `action="/auth/login/code/verify"`) {
			t.Fatalf("wrong code page = %d, want the code form again:\n%s", page.status, page.body)
		}
		a = f.postJSON("/auth/login/code/verify", url.Values{"code": {code}})
		if a.status != http.StatusOK {
			t.Fatalf("right code after wrong ones = %d %s", a.status, a.body)
		}
	})
	t.Run("an expired code says it expired", func(t *testing.T) {
		t.Parallel()
		f := newCodeFixture(t)
		code := f.sendCode("alice@acme.test")
		f.clock.Advance(9 * time.Minute)
		f.postJSON("/auth/login/code/verify", url.Values{"code": {wrong(code)}}) // keeps the flow alive
		f.clock.Advance(2 * time.Minute)
		a := f.postJSON("/auth/login/code/verify", url.Values{"code": {code}})
		if a.status != http.StatusUnauthorized || a.errorCode(t) != "code_expired" || !strings.Contains(a.body, "expired") {
			t.Fatalf("expired code = %d %s, want 401 code_expired", a.status, a.body)
		}
	})
	t.Run("five wrong codes lock the address even in a new flow", func(t *testing.T) {
		t.Parallel()
		f := newCodeFixture(t)
		code := f.sendCode("alice@acme.test")
		var a answer
		for range 5 {
			a = f.postJSON("/auth/login/code/verify", url.Values{"code": {wrong(code)}})
		}
		if a.status != http.StatusTooManyRequests || a.errorCode(t) != "too_many_attempts" {
			t.Fatalf("fifth wrong code = %d %s, want 429 too_many_attempts", a.status, a.body)
		}
		other := newBrowser(f.harness)
		fresh := &codeFixture{harness: other}
		other.waitOutEmailCooldown()
		code = fresh.sendCode("alice@acme.test")
		a = other.postJSON("/auth/login/code/verify", url.Values{"code": {code}})
		if a.status != http.StatusTooManyRequests {
			t.Fatalf("right code in a new flow while locked = %d %s, want 429", a.status, a.body)
		}
		f.clock.Advance(5*time.Minute + time.Second)
		code = fresh.sendCode("alice@acme.test")
		if a = other.postJSON("/auth/login/code/verify", url.Values{"code": {code}}); a.status != http.StatusOK {
			t.Fatalf("new code after the lock = %d %s", a.status, a.body)
		}
	})
	t.Run("a code is refused when the handler does not offer codes", func(t *testing.T) {
		t.Parallel()
		f := newCodeFixture(t, flows.WithPrimaryMethods("magic_link"))
		a := f.postJSON("/auth/login/code", url.Values{"email": {"alice@acme.test"}})
		if a.status != http.StatusForbidden || a.errorCode(t) != "auth_method_not_allowed" {
			t.Fatalf("code with codes off = %d %s, want 403", a.status, a.body)
		}
		if page := f.get("/auth/login"); strings.Contains(page.body, "/login/code") || strings.Contains(page.body, "/login/password") {
			t.Fatalf("the login page offers a method that is off:\n%s", page.body)
		}
	})
	t.Run("the login page offers codes and passwords by default", func(t *testing.T) {
		t.Parallel()
		f := newCodeFixture(t)
		page := f.get("/auth/login")
		for _, want := range []string{`formaction="/auth/login/code"`, `action="/auth/login/password"`, `action="/auth/login"`} {
			if !strings.Contains(page.body, want) {
				t.Errorf("the login page lacks %s:\n%s", want, page.body)
			}
		}
	})
}

func TestEmailCodeOrganization(t *testing.T) {
	t.Parallel()
	t.Run("the organization page offers a code and the code signs in", func(t *testing.T) {
		t.Parallel()
		f := newCodeFixture(t)
		if page := f.get("/auth/o/acme"); !strings.Contains(page.body, `action="/auth/o/acme/code"`) {
			t.Fatalf("the page of acme offers no code:\n%s", page.body)
		}
		a := f.postJSON("/auth/o/acme/code", url.Values{"email": {"alice@acme.test"}})
		if a.status != http.StatusOK || jsonField(t, a.body, "next") != "enter_code" {
			t.Fatalf("send = %d %s", a.status, a.body)
		}
		code := f.emu.LastEmailCode("alice@acme.test")
		if a = f.postJSON("/auth/o/acme/code/verify", url.Values{"code": {wrong(code)}}); a.errorCode(t) != "invalid_code" {
			t.Fatalf("wrong code = %d %s", a.status, a.body)
		}
		f.expectDone(f.postJSON("/auth/o/acme/code/verify", url.Values{"code": {code}}), "/")
		f.expectLoggedIn(f.alice)
	})
	t.Run("an organization that allows no codes neither offers nor sends one", func(t *testing.T) {
		t.Parallel()
		f := newCodeFixture(t)
		if page := f.get("/auth/o/codeless"); strings.Contains(page.body, "/codeless/code\"") || strings.Contains(page.body, "/codeless/password\"") {
			t.Fatalf("the page of codeless offers a code or a password:\n%s", page.body)
		}
		a := f.postJSON("/auth/o/codeless/code", url.Values{"email": {"bob@codeless.test"}})
		if a.status != http.StatusForbidden || a.errorCode(t) != "auth_method_not_allowed" {
			t.Fatalf("code at codeless = %d %s, want 403", a.status, a.body)
		}
		if f.emu.LastEmailCode("bob@codeless.test") != "" {
			t.Fatal("a code was emailed anyway")
		}
	})
	t.Run("a code of one organization does not open another", func(t *testing.T) {
		t.Parallel()
		f := newCodeFixture(t)
		f.postJSON("/auth/o/acme/code", url.Values{"email": {"alice@acme.test"}})
		code := f.emu.LastEmailCode("alice@acme.test")
		a := f.postJSON("/auth/o/codeless/code/verify", url.Values{"code": {code}})
		if a.status != http.StatusConflict {
			t.Fatalf("verify at another organization = %d %s, want 409", a.status, a.body)
		}
	})
}
