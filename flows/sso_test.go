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

// TestSSOLoginFromTheOrganizationPage: /auth/o/{slug} → the identity
// provider (SAML or OIDC) → MFA → the page asked for, in the browser.
func TestSSOLoginFromTheOrganizationPage(t *testing.T) {
	t.Parallel()
	for _, conn := range []string{"saml-connection-test-initech", "oidc-connection-test-initech"} {
		t.Run("through "+conn, func(t *testing.T) {
			t.Parallel()
			f := newOrgFixture(t)
			a := f.post("/auth/o/initech/sso/start", url.Values{"connection_id": {conn}, "return_to": {"/dashboard"}})
			if a.status != http.StatusSeeOther || !strings.HasPrefix(a.location, f.emu.URL()+"/v1/public/sso/start?") {
				t.Fatalf("SSO start = %d to %q: %s", a.status, a.location, a.body)
			}
			start, _ := url.Parse(a.location)
			q := start.Query()
			if q.Get("connection_id") != conn || q.Get("pkce_code_challenge") == "" || q.Get("login_redirect_url") != f.srv.URL+"/auth/callback" {
				t.Fatalf("start URL %s", a.location)
			}
			verifier := jsonField(t, mustDecode(t, f.harness), "pkce")
			if verifier == "" || strings.Contains(a.location, verifier) {
				t.Fatal("the PKCE verifier is not kept in the flow cookie alone")
			}

			callback := f.signInAtIdP(a.location, "carol@initech.test")
			a = f.get(callback)
			if a.status != http.StatusSeeOther || a.location != "/auth/mfa" {
				t.Fatalf("callback = %d to %q: %s", a.status, a.location, a.body)
			}
			assertNoSecret(t, f.get("/auth/mfa"), jsonField(t, mustDecode(t, f.harness), "ist"))
			if a = f.post("/auth/mfa/sms/send", nil); a.status != http.StatusSeeOther {
				t.Fatalf("SMS send = %d: %s", a.status, a.body)
			}
			a = f.post("/auth/mfa/sms/verify", url.Values{"code": {f.emu.LastSMSCode(phone)}})
			if a.status != http.StatusSeeOther || a.location != "/dashboard" {
				t.Fatalf("SMS verify = %d to %q: %s", a.status, a.location, a.body)
			}
			f.expectLoggedIn(f.carol)
		})
	}
}

func mustDecode(t *testing.T, h *harness) string {
	t.Helper()
	state, err := flows.DecodeFlowCookie(h.flows, h.flowCookie())
	if err != nil {
		t.Fatal(err)
	}
	return state
}

// TestSSOCallbackRefusals: an SSO token only signs in the browser that
// started it, once, and as the organization's policy allows.
func TestSSOCallbackRefusals(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		run    func(t *testing.T, f *orgFixture) answer
		status int
		code   string
		// signedIn: the starting browser legitimately signed in before.
		signedIn bool
	}{
		{
			name: "a callback in another browser fails",
			run: func(t *testing.T, f *orgFixture) answer {
				callback := f.signInAtIdP(f.startAt("/auth/o/initech/sso/start", nil), "carol@initech.test")
				return newBrowser(f.harness).getJSON(callback)
			},
			status: 401, code: "link_invalid",
		},
		{
			name: "a callback in another browser with an SSO start of its own fails PKCE",
			run: func(t *testing.T, f *orgFixture) answer {
				callback := f.signInAtIdP(f.startAt("/auth/o/initech/sso/start", nil), "carol@initech.test")
				other := newBrowser(f.harness)
				other.startAt("/auth/o/initech/sso/start", nil)
				a := other.getJSON(callback)
				// The token is still good for the browser that started it.
				if ok := f.getJSON(callback); ok.status != http.StatusOK || ok.json(t)["next"] != "mfa" {
					t.Errorf("the starting browser's callback = %d %s", ok.status, ok.body)
				}
				return a
			},
			status: 401, code: "link_invalid",
		},
		{
			name: "a replayed SSO token is refused",
			run: func(t *testing.T, f *orgFixture) answer {
				f.member(emulator.MemberSeed{Organization: "hooli", Email: "gavin@hooli.test"})
				callback := f.signInAtIdP(f.startAt("/auth/o/hooli/sso/start", nil), "gavin@hooli.test")
				f.expectDone(f.getJSON(callback), "/")
				f.startAt("/auth/o/hooli/sso/start", nil)
				return f.getJSON(callback)
			},
			status: 401, code: "link_invalid", signedIn: true,
		},
		{
			name: "a new member where SSO JIT provisioning is off is refused",
			run: func(t *testing.T, f *orgFixture) answer {
				return f.getJSON(f.signInAtIdP(f.startAt("/auth/o/hooli/sso/start", nil), "newbie@hooli.test"))
			},
			status: 403, code: "jit_not_allowed",
		},
		{
			name: "an OAuth token does not continue an SSO start",
			run: func(t *testing.T, f *orgFixture) answer {
				f.startAt("/auth/o/initech/sso/start", nil)
				tok, err := f.emu.OAuthToken("acme", "eve@acme.test")
				if err != nil {
					t.Fatal(err)
				}
				return f.getJSON("/auth/callback?stytch_token_type=oauth&token=" + tok)
			},
			status: 401, code: "link_invalid",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newOrgFixture(t)
			a := tt.run(t, f)
			if a.status != tt.status || a.errorCode(t) != tt.code {
				t.Fatalf("answer %d %s, want %d %s", a.status, a.body, tt.status, tt.code)
			}
			if d := f.get("/dashboard"); !tt.signedIn && d.status == http.StatusOK {
				t.Fatal("a refused SSO login left a session")
			}
		})
	}
}

// TestDiscoveryIntoAnSSOOnlyOrganization: a member discovered by email who
// picks an organization requiring SSO is sent to its SSO with the
// intermediate session, and ends in a session there.
func TestDiscoveryIntoAnSSOOnlyOrganization(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// enter brings the browser to the organization choice.
		enter func(t *testing.T, f *orgFixture)
		idp   string // the email signing in at the IdP
		code  string // the failure expected, or "" for a session
		ret   string // where the session leads
	}{
		{
			name:  "the discovered organization names SSO",
			enter: func(t *testing.T, f *orgFixture) { f.discover("carol@initech.test", "/dashboard") },
			idp:   "carol@initech.test",
			ret:   "/dashboard",
		},
		{
			name: "the exchange answer names SSO when the list was not kept",
			enter: func(t *testing.T, f *orgFixture) {
				v, err := flows.EncodeFlowCookie(f.flows, f.emu.IntermediateSessionToken("carol@initech.test"), f.clock.Now().Add(5*time.Minute))
				if err != nil {
					t.Fatal(err)
				}
				f.setCookie(flows.FlowCookieName(f.flows), v)
			},
			idp: "carol@initech.test",
			ret: "/",
		},
		{
			name:  "signing in at the IdP as someone else is refused",
			enter: func(t *testing.T, f *orgFixture) { f.discover("carol@initech.test", "/dashboard") },
			idp:   "mallory@initech.test",
			code:  "email_mismatch",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newOrgFixture(t)
			tt.enter(t, f)
			a := f.selectOrg(f.initech)
			m := a.json(t)
			target, _ := m["redirect"].(string)
			if a.status != http.StatusOK || m["next"] != "sso" || !strings.Contains(target, "organization_id="+f.initech) {
				t.Fatalf("select = %d %s, want SSO next", a.status, a.body)
			}
			ist := jsonField(t, mustDecode(t, f.harness), "ist")
			if ist == "" || strings.Contains(target, ist) {
				t.Fatal("the intermediate session is not kept in the flow cookie alone")
			}
			a = f.getJSON(f.signInAtIdP(target, tt.idp))
			if tt.code != "" {
				if a.errorCode(t) != tt.code {
					t.Fatalf("callback = %d %s, want %s", a.status, a.body, tt.code)
				}
				return
			}
			if m = a.json(t); a.status != http.StatusOK || m["next"] != "mfa" {
				t.Fatalf("callback = %d %s, want MFA", a.status, a.body)
			}
			if a = f.postJSON("/auth/mfa/sms/send", nil); a.status != http.StatusOK {
				t.Fatalf("SMS send = %d %s", a.status, a.body)
			}
			f.expectDone(f.postJSON("/auth/mfa/sms/verify", url.Values{"code": {f.emu.LastSMSCode(phone)}}), tt.ret)
			f.expectLoggedIn(f.carol)
		})
	}
}
