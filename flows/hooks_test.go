package flows_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/b2bauth/b2bauth/emulator"
	"github.com/b2bauth/b2bauth/flows"
	"github.com/b2bauth/b2bauth/middleware"
)

// logins records what the after-login hook saw.
type logins struct {
	mu   sync.Mutex
	seen []flows.Login
}

func (l *logins) hook(refuse func(*flows.Login) error) flows.AfterLoginFunc {
	return func(_ context.Context, in *flows.Login) error {
		l.mu.Lock()
		l.seen = append(l.seen, *in)
		l.mu.Unlock()
		if refuse != nil {
			return refuse(in)
		}
		return nil
	}
}

func (l *logins) last(t *testing.T) flows.Login {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.seen) == 0 {
		t.Fatal("the after-login hook was not called")
	}
	return l.seen[len(l.seen)-1]
}

const revokePath = "/v1/b2b/sessions/revoke"

func TestAfterLoginHook(t *testing.T) {
	t.Parallel()
	t.Run("it sees the member, organization, session and method of each login", func(t *testing.T) {
		t.Parallel()
		var l logins
		h := newHarness(t, flows.WithAfterLogin(l.hook(nil)))
		acme := h.org(emulator.OrganizationSeed{Name: "Acme", Slug: "acme"})
		alice := h.member(emulator.MemberSeed{Organization: "acme", Email: "alice@acme.test", Password: dianaPassword})
		h.discover("alice@acme.test", "")
		h.expectDone(h.selectOrg(acme), "/")
		got := l.last(t)
		if got.Member == nil || got.Member.EmailAddress != "alice@acme.test" || got.Organization == nil ||
			got.Organization.OrganizationID != acme || got.Session == nil || got.Session.MemberID != alice || got.Method != "magic_link" {
			t.Fatalf("hook saw %+v, want alice in acme by magic link", got)
		}
		h.postJSON("/auth/logout", url.Values{})
		h.expectDone(h.postJSON("/auth/o/acme/password", url.Values{"email": {"alice@acme.test"}, "password": {dianaPassword}}), "/")
		if got := l.last(t); got.Method != "password" || got.Switched {
			t.Fatalf("hook saw method %q switched %v, want password", got.Method, got.Switched)
		}
	})
	t.Run("a refusal revokes the session and shows its message", func(t *testing.T) {
		t.Parallel()
		var l logins
		h := newHarness(t, flows.WithAfterLogin(l.hook(func(*flows.Login) error {
			return flows.RefuseLogin("Your account is not set up yet. Ask your administrator.")
		})))
		acme := h.org(emulator.OrganizationSeed{Name: "Acme", Slug: "acme"})
		h.member(emulator.MemberSeed{Organization: "acme", Email: "alice@acme.test"})
		h.discover("alice@acme.test", "")
		a := h.selectOrg(acme)
		if a.status != http.StatusForbidden || a.errorCode(t) != "login_refused" || !strings.Contains(a.body, "not set up yet") {
			t.Fatalf("refused login = %d %s, want 403 login_refused with the message", a.status, a.body)
		}
		if n := h.emu.Calls(http.MethodPost, revokePath); n != 1 {
			t.Fatalf("sessions revoked at Stytch: %d, want 1", n)
		}
		if h.cookie("stytch_session") != "" || h.cookie("stytch_session_jwt") != "" {
			t.Fatal("a refused login wrote session cookies")
		}
		if d := h.get("/dashboard"); d.status == http.StatusOK {
			t.Fatal("a refused login opened the dashboard")
		}
	})
	t.Run("any other error refuses with a generic message", func(t *testing.T) {
		t.Parallel()
		var l logins
		h := newHarness(t, flows.WithAfterLogin(l.hook(func(*flows.Login) error { return errors.New("database down: dsn=secret") })))
		acme := h.org(emulator.OrganizationSeed{Name: "Acme", Slug: "acme"})
		h.member(emulator.MemberSeed{Organization: "acme", Email: "alice@acme.test"})
		h.discover("alice@acme.test", "")
		a := h.selectOrg(acme)
		if a.status != http.StatusForbidden || a.errorCode(t) != "login_refused" || strings.Contains(a.body, "dsn=secret") {
			t.Fatalf("failed hook = %d %s, want 403 login_refused without the cause", a.status, a.body)
		}
	})
	t.Run("a switch is reported as one", func(t *testing.T) {
		t.Parallel()
		var l logins
		f := newSwitchFixture(t, flows.WithAfterLogin(l.hook(nil)))
		f.postJSON("/auth/organizations/switch", url.Values{"organization_id": {f.globex}})
		if f.emu.LastSMSCode(phone) == "" {
			f.postJSON("/auth/mfa/sms/send", url.Values{})
		}
		f.expectDone(f.postJSON("/auth/mfa/sms/verify", url.Values{"code": {f.emu.LastSMSCode(phone)}}), "/")
		if got := l.last(t); !got.Switched || got.Organization.OrganizationID != f.globex {
			t.Fatalf("hook saw %+v, want a switch into globex", got)
		}
	})
}

func TestAfterLogout(t *testing.T) {
	t.Parallel()
	t.Run("the hook sees the session and the member lands on the configured path", func(t *testing.T) {
		t.Parallel()
		var mu sync.Mutex
		var seen *middleware.Session
		h := newHarness(t, flows.WithAfterLogoutPath("/goodbye"), flows.WithAfterLogout(func(_ context.Context, s *middleware.Session) {
			mu.Lock()
			seen = s
			mu.Unlock()
		}))
		acme := h.org(emulator.OrganizationSeed{Name: "Acme", Slug: "acme"})
		alice := h.member(emulator.MemberSeed{Organization: "acme", Email: "alice@acme.test"})
		h.discover("alice@acme.test", "")
		h.expectDone(h.selectOrg(acme), "/")
		a := h.post("/auth/logout", url.Values{})
		if a.status != http.StatusSeeOther || a.location != "/goodbye" {
			t.Fatalf("logout = %d to %q, want /goodbye", a.status, a.location)
		}
		mu.Lock()
		defer mu.Unlock()
		if seen == nil || seen.MemberID != alice {
			t.Fatalf("after-logout hook saw %+v, want alice's session", seen)
		}
	})
	t.Run("an after-logout path to another site is refused", func(t *testing.T) {
		t.Parallel()
		for _, p := range []string{"https://evil.example/", "//evil.example", "goodbye", ""} {
			if _, err := flows.New(newClient(t), newMiddleware(t), flows.WithCookieKeys(testKeys),
				flows.WithPublicURL("https://app.example"), flows.WithAfterLogoutPath(p)); err == nil {
				t.Errorf("WithAfterLogoutPath(%q) was accepted", p)
			}
		}
	})
}

func TestOrganizationCreation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		opts  []flows.Option
		allow bool
	}{
		{"creation is on by default", nil, true},
		{"creation off hides the form and refuses the route", []flows.Option{flows.WithOrganizationCreation(false)}, false},
		{"a policy refusing the address refuses creation", []flows.Option{flows.WithOrganizationCreationPolicy(
			func(_ context.Context, email string) bool { return strings.HasSuffix(email, "@staff.test") })}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, tt.opts...)
			h.discover("founder@newco.test", "")
			a := h.getJSON("/auth/organizations")
			if a.json(t)["can_create"] != tt.allow {
				t.Fatalf("can_create in %s, want %v", a.body, tt.allow)
			}
			if page := h.get("/auth/organizations"); strings.Contains(page.body, "/organizations/create") != tt.allow {
				t.Fatalf("create form shown = %v, want %v", !tt.allow, tt.allow)
			}
			a = h.postJSON("/auth/organizations/create", url.Values{"organization_name": {"Newco"}, "organization_slug": {"newco"}})
			if tt.allow {
				h.expectDone(a, "/")
				return
			}
			if a.status != http.StatusForbidden || a.errorCode(t) != "organization_creation_not_allowed" {
				t.Fatalf("create = %d %s, want 403 organization_creation_not_allowed", a.status, a.body)
			}
			if _, ok := h.emu.OrganizationID("newco"); ok {
				t.Fatal("the organization was created anyway")
			}
		})
	}
}
