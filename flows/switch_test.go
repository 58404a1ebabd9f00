package flows_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/b2bauth/b2bauth/emulator"
	"github.com/b2bauth/b2bauth/flows"
)

// switchFixture has alice in acme (no MFA) and in globex (MFA required, by
// SMS), signed in to acme.
type switchFixture struct {
	*harness
	acme, globex           string
	aliceAcme, aliceGlobex string
}

func newSwitchFixture(t *testing.T, opts ...flows.Option) *switchFixture {
	t.Helper()
	f := &switchFixture{harness: newHarness(t, opts...)}
	f.acme = f.org(emulator.OrganizationSeed{Name: "Acme", Slug: "acme"})
	f.globex = f.org(emulator.OrganizationSeed{Name: "Globex", Slug: "globex", MFAPolicy: "REQUIRED_FOR_ALL", AllowedMFAMethods: []string{"sms_otp"}})
	f.aliceAcme = f.member(emulator.MemberSeed{Organization: "acme", Email: "alice@example.test"})
	f.aliceGlobex = f.member(emulator.MemberSeed{Organization: "globex", Email: "alice@example.test", Phone: phone, MFAPhoneNumberVerified: true})
	f.discover("alice@example.test", "")
	f.expectDone(f.selectOrg(f.acme), "/")
	f.expectLoggedIn(f.aliceAcme)
	return f
}

func TestOrganizationSwitch(t *testing.T) {
	t.Parallel()
	t.Run("a signed-in member sees their other organizations", func(t *testing.T) {
		t.Parallel()
		f := newSwitchFixture(t)
		a := f.getJSON("/auth/organizations")
		if a.status != http.StatusOK {
			t.Fatalf("GET /auth/organizations = %d %s", a.status, a.body)
		}
		m := a.json(t)
		current, _ := m["current"].(map[string]any)
		orgs, _ := m["organizations"].([]any)
		if m["next"] != "switch_organization" || current["id"] != f.acme || len(orgs) != 1 || orgs[0].(map[string]any)["id"] != f.globex {
			t.Fatalf("switcher = %s, want acme current and globex to switch to", a.body)
		}
		if page := f.get("/auth/organizations"); page.status != http.StatusOK || !strings.Contains(page.body, `action="/auth/organizations/switch"`) {
			t.Fatalf("switcher page = %d:\n%s", page.status, page.body)
		}
	})
	t.Run("switching into an organization that requires MFA goes through it", func(t *testing.T) {
		t.Parallel()
		f := newSwitchFixture(t)
		a := f.postJSON("/auth/organizations/switch", url.Values{"organization_id": {f.globex}})
		if a.status != http.StatusOK || jsonField(t, a.body, "next") != "mfa" {
			t.Fatalf("switch to globex = %d %s, want MFA", a.status, a.body)
		}
		// Until MFA passes, the member is still signed in to acme.
		f.expectLoggedIn(f.aliceAcme)
		if a.json(t)["sms_sent"] != true {
			if s := f.postJSON("/auth/mfa/sms/send", url.Values{}); s.status != http.StatusOK {
				t.Fatalf("sms send = %d %s", s.status, s.body)
			}
		}
		code := f.emu.LastSMSCode(phone)
		f.expectDone(f.postJSON("/auth/mfa/sms/verify", url.Values{"code": {code}}), "/")
		f.expectLoggedIn(f.aliceGlobex)
	})
	t.Run("switching into an organization without MFA replaces the session at once", func(t *testing.T) {
		t.Parallel()
		f := newSwitchFixture(t)
		a := f.postJSON("/auth/organizations/switch", url.Values{"organization_id": {f.globex}})
		if a.status != http.StatusOK {
			t.Fatalf("switch = %d %s", a.status, a.body)
		}
		if a.json(t)["sms_sent"] != true {
			f.postJSON("/auth/mfa/sms/send", url.Values{})
		}
		f.expectDone(f.postJSON("/auth/mfa/sms/verify", url.Values{"code": {f.emu.LastSMSCode(phone)}}), "/")
		f.expectDone(f.postJSON("/auth/organizations/switch", url.Values{"organization_id": {f.acme}, "return_to": {"/dashboard"}}), "/dashboard")
		f.expectLoggedIn(f.aliceAcme)
	})
	t.Run("a switch without a session is refused", func(t *testing.T) {
		t.Parallel()
		f := newSwitchFixture(t)
		other := newBrowser(f.harness)
		a := other.postJSON("/auth/organizations/switch", url.Values{"organization_id": {f.globex}})
		if a.status != http.StatusUnauthorized || a.errorCode(t) != "session_required" {
			t.Fatalf("switch without a session = %d %s, want 401", a.status, a.body)
		}
		if a := other.getJSON("/auth/organizations"); a.status != http.StatusUnauthorized {
			t.Fatalf("GET /auth/organizations without session or flow = %d, want 401", a.status)
		}
	})
	t.Run("a switch to an organization the member is not in keeps the session", func(t *testing.T) {
		t.Parallel()
		f := newSwitchFixture(t)
		other := f.org(emulator.OrganizationSeed{Name: "Other", Slug: "other"})
		a := f.postJSON("/auth/organizations/switch", url.Values{"organization_id": {other}})
		if a.status < 400 || a.status >= 500 || jsonField(t, a.body, "next") != "switch_organization" {
			t.Fatalf("switch to a stranger's organization = %d %s, want a 4xx back to the switcher", a.status, a.body)
		}
		f.expectLoggedIn(f.aliceAcme)
	})
}
