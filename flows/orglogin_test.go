package flows_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/b2bauth/b2bauth/client"
	"github.com/b2bauth/b2bauth/emulator"
	"github.com/b2bauth/b2bauth/flows"
)

// orgFixture is an app whose flows start SSO and OAuth with the emulator's
// public token, with the organizations of the organization login tests:
//   - initech: SSO only (a SAML and an OIDC connection), MFA required for
//     all; carol is a member with a phone;
//   - hooli: SSO only with SSO JIT provisioning off;
//   - acme: any method, new members join by email domain acme.test;
//   - closed: magic links only, no JIT provisioning.
type orgFixture struct {
	*harness
	initech, hooli, acme, closed string
	saml, oidc                   string
	carol                        string
}

func newOrgFixture(t *testing.T) *orgFixture {
	t.Helper()
	f := &orgFixture{harness: newHarness(t, flows.WithOAuth(testPublicToken, "google", "microsoft"))}
	f.initech = f.org(emulator.OrganizationSeed{Name: "Initech", Slug: "initech", MFAPolicy: "REQUIRED_FOR_ALL",
		AllowedAuthMethods: []string{"sso"}, LoginPolicy: emulator.LoginPolicy{SSOConnections: []emulator.SSOConnectionSeed{
			{ID: "saml-connection-test-initech", Type: "saml", DisplayName: "Okta"},
			{ID: "oidc-connection-test-initech", Type: "oidc", DisplayName: "Entra ID"},
		}}})
	f.saml, f.oidc = "saml-connection-test-initech", "oidc-connection-test-initech"
	f.carol = f.member(emulator.MemberSeed{Organization: "initech", Email: "carol@initech.test", Phone: phone})
	f.hooli = f.org(emulator.OrganizationSeed{Name: "Hooli", Slug: "hooli", AllowedAuthMethods: []string{"sso"},
		LoginPolicy: emulator.LoginPolicy{SSOJITProvisioning: "NOT_ALLOWED",
			SSOConnections: []emulator.SSOConnectionSeed{{ID: "saml-connection-test-hooli", DisplayName: "Hooli IdP"}}}})
	f.acme = f.org(emulator.OrganizationSeed{Name: "Acme", Slug: "acme", EmailAllowedDomains: []string{"acme.test"}})
	f.closed = f.org(emulator.OrganizationSeed{Name: "Closed", Slug: "closed", AllowedAuthMethods: []string{"magic_link"},
		LoginPolicy: emulator.LoginPolicy{EmailJITProvisioning: "NOT_ALLOWED"}})
	return f
}

var (
	formAction  = regexp.MustCompile(`<form method="post" action="([^"]+)">`)
	hiddenField = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)
)

// signInAtIdP plays the member at the emulated identity provider or OAuth
// provider page of start (a start URL at the emulator): it signs in as
// email and returns where the provider sends the browser back.
func (h *harness) signInAtIdP(start, email string) string {
	h.t.Helper()
	if !strings.HasPrefix(start, h.emu.URL()) {
		h.t.Fatalf("start URL %q is not at the emulator", start)
	}
	page := h.do(mustRequest(h.t, http.MethodGet, start, nil))
	action := formAction.FindStringSubmatch(page.body)
	if page.status != http.StatusOK || action == nil {
		h.t.Fatalf("identity provider page = %d:\n%s", page.status, page.body)
	}
	form := url.Values{"email": {email}}
	for _, m := range hiddenField.FindAllStringSubmatch(page.body, -1) {
		form.Set(html.UnescapeString(m[1]), html.UnescapeString(m[2]))
	}
	back := h.do(mustRequest(h.t, http.MethodPost, h.emu.URL()+html.UnescapeString(action[1]), form))
	if back.status != http.StatusSeeOther || !strings.HasPrefix(back.location, h.srv.URL+"/auth/callback?") {
		h.t.Fatalf("identity provider answered %d to %q, want a redirect to the callback: %s", back.status, back.location, back.body)
	}
	return back.location
}

// startAt posts a start form of an organization page asking for JSON and
// returns the start URL at the emulator.
func (h *harness) startAt(path string, form url.Values) string {
	h.t.Helper()
	a := h.postJSON(path, form)
	m := a.json(h.t)
	target, _ := m["redirect"].(string)
	if a.status != http.StatusOK || target == "" {
		h.t.Fatalf("POST %s = %d %s, want a redirect to Stytch", path, a.status, a.body)
	}
	return target
}

// TestOrganizationLoginPage: each organization's page shows its name and
// only the methods its policy allows; an unknown slug is a 404 leading to
// discovery.
func TestOrganizationLoginPage(t *testing.T) {
	t.Parallel()
	f := newOrgFixture(t)
	tests := []struct {
		name       string
		path       string
		status     int
		want, deny []string
	}{
		{
			name: "an SSO-only organization offers its connections and nothing else", path: "/auth/o/initech", status: 200,
			want: []string{"Sign in to Initech", "Continue with Okta", "Continue with Entra ID", `value="saml-connection-test-initech"`},
			deny: []string{`/o/initech/email`, `/o/initech/oauth/start`},
		},
		{
			name: "an organization allowing every method offers the email link and OAuth", path: "/auth/o/acme", status: 200,
			want: []string{"Sign in to Acme", `action="/auth/o/acme/email"`, `name="provider" value="google"`, `name="provider" value="microsoft"`},
			deny: []string{"/sso/start"},
		},
		{
			name: "a magic-link-only organization offers only the email link", path: "/auth/o/closed", status: 200,
			want: []string{"Sign in to Closed", `action="/auth/o/closed/email"`},
			deny: []string{"/sso/start", "/oauth/start"},
		},
		{
			name: "the slug is lowercased as Stytch stores it", path: "/auth/o/ACME", status: 200,
			want: []string{"Sign in to Acme"},
		},
		{
			name: "an unknown slug is a 404 page leading to discovery", path: "/auth/o/nobody", status: 404,
			want: []string{"Organization not found", `href="/auth/login"`},
		},
		{
			name: "a malformed slug is a 404 page", path: "/auth/o/a%20b", status: 404,
			want: []string{"Organization not found"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := f.get(tt.path)
			if a.status != tt.status {
				t.Fatalf("GET %s = %d, want %d:\n%s", tt.path, a.status, tt.status, a.body)
			}
			for _, s := range tt.want {
				if !strings.Contains(a.body, s) {
					t.Errorf("the page lacks %q:\n%s", s, a.body)
				}
			}
			for _, s := range tt.deny {
				if strings.Contains(a.body, s) {
					t.Errorf("the page offers %q, which the policy does not allow:\n%s", s, a.body)
				}
			}
		})
	}

	t.Run("a malformed slug never reaches Stytch", func(t *testing.T) {
		before := f.emu.Calls(http.MethodPost, "/v1/b2b/organizations/search")
		f.get("/auth/o/x")
		f.get("/auth/o/" + strings.Repeat("a", 129))
		if after := f.emu.Calls(http.MethodPost, "/v1/b2b/organizations/search"); after != before {
			t.Fatalf("organization searches went from %d to %d", before, after)
		}
	})
	t.Run("JSON lists the methods", func(t *testing.T) {
		a := f.getJSON("/auth/o/initech")
		m := a.json(t)
		org, _ := m["organization"].(map[string]any)
		conns, _ := org["sso_connections"].([]any)
		if m["next"] != "organization_login" || org["name"] != "Initech" || org["magic_link"] != false || len(conns) != 2 {
			t.Fatalf("JSON = %s", a.body)
		}
		if a = f.getJSON("/auth/o/nobody"); a.status != 404 || a.errorCode(t) != "organization_not_found" {
			t.Fatalf("unknown slug JSON = %d %s", a.status, a.body)
		}
	})
}

// TestOrganizationPolicyRefusals: what an organization's policy refuses is
// answered with a failure naming the reason, on the organization's page.
func TestOrganizationPolicyRefusals(t *testing.T) {
	t.Parallel()
	f := newOrgFixture(t)
	tests := []struct {
		name     string
		path     string
		form     url.Values
		status   int
		code     string
		pageText string
	}{
		{"a method the policy does not allow is refused", "/auth/o/initech/email", url.Values{"email": {"carol@initech.test"}},
			403, "auth_method_not_allowed", "does not allow this sign-in method"},
		{"an OAuth provider the policy does not allow is refused", "/auth/o/closed/oauth/start", url.Values{"provider": {"google"}},
			403, "auth_method_not_allowed", "does not allow this sign-in method"},
		{"SSO into an organization without it is refused", "/auth/o/acme/sso/start", nil,
			403, "auth_method_not_allowed", "does not allow this sign-in method"},
		{"an email outside the allowed domains is refused", "/auth/o/acme/email", url.Values{"email": {"eve@evil.test"}},
			403, "email_domain_not_allowed", "only admits email addresses of its own domains"},
		{"a new email where JIT provisioning is off is refused", "/auth/o/closed/email", url.Values{"email": {"ann@closed.test"}},
			403, "jit_not_allowed", "does not let new members join"},
		{"a malformed email is refused", "/auth/o/acme/email", url.Values{"email": {"not an email"}},
			400, "invalid_input", "Enter a valid email address."},
		{"an unknown connection is refused", "/auth/o/initech/sso/start", url.Values{"connection_id": {"saml-connection-test-hooli"}},
			400, "invalid_input", "single sign-on connections"},
	}
	for _, tt := range tests {
		t.Run(tt.name+" (JSON)", func(t *testing.T) {
			a := f.postJSON(tt.path, tt.form)
			if a.status != tt.status || a.errorCode(t) != tt.code {
				t.Fatalf("POST %s = %d %s, want %d %s", tt.path, a.status, a.body, tt.status, tt.code)
			}
		})
		t.Run(tt.name+" (page)", func(t *testing.T) {
			page := strings.SplitN(tt.path, "/", 5)[3]
			a := f.failure(f.post(tt.path, tt.form), "/auth/o/"+page)
			if !strings.Contains(a.body, html.EscapeString(tt.pageText)) || !strings.Contains(a.body, "Sign in to ") {
				t.Fatalf("POST %s, want the organization's page saying %q:\n%s", tt.path, tt.pageText, a.body)
			}
		})
	}
}

// TestOrganizationMagicLink: a new address of an allowed domain signs up
// with the organization's link, only in the browser that asked for it.
func TestOrganizationMagicLink(t *testing.T) {
	t.Parallel()
	f := newOrgFixture(t)
	a := f.step(f.post("/auth/o/acme/email", url.Values{"email": {"nina@acme.test"}, "return_to": {"/dashboard"}}), "/auth/o/acme/email")
	if a.status != http.StatusOK || !strings.Contains(a.body, "Check your email") {
		t.Fatalf("POST email = %d:\n%s", a.status, a.body)
	}
	link, _, ok := f.emu.LastMagicLink("nina@acme.test")
	if !ok || !strings.Contains(link, "stytch_token_type=multi_tenant_magic_links") {
		t.Fatalf("link %q", link)
	}

	t.Run("the link fails in another browser", func(t *testing.T) {
		a := newBrowser(f.harness).getJSON(link)
		if a.status != http.StatusUnauthorized || a.errorCode(t) != "link_invalid" {
			t.Fatalf("callback elsewhere = %d %s, want 401 link_invalid", a.status, a.body)
		}
	})
	t.Run("the link signs up in the browser that asked", func(t *testing.T) {
		a := f.get(link)
		if a.status != http.StatusSeeOther || a.location != "/dashboard" {
			t.Fatalf("callback = %d to %q: %s", a.status, a.location, a.body)
		}
		f.expectLoggedInAnyone()
	})
}

// TestOrganizationOAuth: OAuth started on the organization's page ends in
// a session in that organization.
func TestOrganizationOAuth(t *testing.T) {
	t.Parallel()
	f := newOrgFixture(t)
	member := f.member(emulator.MemberSeed{Organization: "acme", Email: "olga@acme.test"})
	start := f.startAt("/auth/o/acme/oauth/start", url.Values{"provider": {"google"}, "return_to": {"/dashboard"}})
	if !strings.Contains(start, "/v1/b2b/public/oauth/google/start?") || !strings.Contains(start, "pkce_code_challenge=") {
		t.Fatalf("start URL %q", start)
	}
	callback := f.signInAtIdP(start, "olga@acme.test")
	if !strings.Contains(callback, "stytch_token_type=oauth") {
		t.Fatalf("callback %q", callback)
	}
	a := f.get(callback)
	if a.status != http.StatusSeeOther || a.location != "/dashboard" {
		t.Fatalf("callback = %d to %q: %s", a.status, a.location, a.body)
	}
	f.expectLoggedIn(member)
}

// TestInviteAcceptance: an invite link lands on the callback, authenticates
// and continues to MFA or a session; it never switches the account of a
// sign-in in progress.
func TestInviteAcceptance(t *testing.T) {
	t.Parallel()
	f := newOrgFixture(t)
	invite := func(t *testing.T, org, email string) string {
		t.Helper()
		_, err := f.client.MagicLinks.Invite(context.Background(), &client.MagicLinksInviteParams{
			OrganizationID: org, EmailAddress: email, InviteRedirectURL: f.srv.URL + "/auth/callback",
		})
		if err != nil {
			t.Fatal(err)
		}
		link, _, _ := f.emu.LastMagicLink(email)
		return link
	}

	t.Run("an invite signs the invited member in, in any browser", func(t *testing.T) {
		b := newBrowser(f.harness)
		a := b.get(invite(t, f.acme, "gus@partner.test"))
		if a.status != http.StatusSeeOther || a.location != "/" {
			t.Fatalf("invite callback = %d to %q: %s", a.status, a.location, a.body)
		}
		b.expectLoggedInAnyone()
	})
	t.Run("an invite into an organization requiring MFA continues to MFA", func(t *testing.T) {
		b := newBrowser(f.harness)
		umbrella := b.org(emulator.OrganizationSeed{Name: "Umbrella", Slug: "umbrella", MFAPolicy: "REQUIRED_FOR_ALL"})
		a := b.getJSON(invite(t, umbrella, "hal@partner.test"))
		if m := a.json(t); a.status != http.StatusOK || m["next"] != "mfa" || m["needs_phone"] != true {
			t.Fatalf("invite callback = %d %s, want MFA with a phone to enroll", a.status, a.body)
		}
		if a = b.postJSON("/auth/mfa/sms/send", url.Values{"phone_number": {"+15555550177"}}); a.status != http.StatusOK {
			t.Fatalf("SMS send = %d %s", a.status, a.body)
		}
		b.expectDone(b.postJSON("/auth/mfa/sms/verify", url.Values{"code": {b.emu.LastSMSCode("+15555550177")}}), "/")
		b.expectLoggedInAnyone()
	})
	t.Run("an invite into an SSO-only organization continues to its SSO", func(t *testing.T) {
		b := newBrowser(f.harness)
		a := b.getJSON(invite(t, f.initech, "ian@initech.test"))
		m := a.json(t)
		target, _ := m["redirect"].(string)
		if a.status != http.StatusOK || m["next"] != "sso" || !strings.Contains(target, "/v1/public/sso/start?") {
			t.Fatalf("invite callback = %d %s, want SSO next", a.status, a.body)
		}
		a = b.getJSON(b.signInAtIdP(target, "ian@initech.test"))
		if m = a.json(t); a.status != http.StatusOK || m["next"] != "mfa" {
			t.Fatalf("SSO callback = %d %s, want MFA (Initech requires it)", a.status, a.body)
		}
	})
	t.Run("an invite for another email than the sign-in in progress is refused", func(t *testing.T) {
		b := newBrowser(f.harness)
		b.member(emulator.MemberSeed{Organization: "acme", Email: "ivy@acme.test"})
		b.discover("ivy@acme.test", "")
		a := b.getJSON(invite(t, f.acme, "mallory@partner.test"))
		if a.status != http.StatusForbidden || a.errorCode(t) != "email_mismatch" {
			t.Fatalf("invite callback = %d %s, want 403 email_mismatch", a.status, a.body)
		}
		if d := b.get("/dashboard"); d.status == http.StatusOK {
			t.Fatal("the invite signed the browser in as its address")
		}
	})
}

// TestOrganizationStartsRefuseCrossOriginPosts: the organization login
// POSTs go through the same cross-origin check as every other POST.
func TestOrganizationStartsRefuseCrossOriginPosts(t *testing.T) {
	t.Parallel()
	f := newOrgFixture(t)
	for _, tt := range []struct {
		path string
		form url.Values
	}{
		{"/auth/o/acme/email", url.Values{"email": {"nina@acme.test"}}},
		{"/auth/o/acme/oauth/start", url.Values{"provider": {"google"}}},
		{"/auth/o/initech/sso/start", nil},
	} {
		t.Run("a cross-site POST to "+tt.path+" is refused", func(t *testing.T) {
			req := f.postRequest(tt.path, tt.form, "application/json")
			req.Header.Set("Sec-Fetch-Site", "cross-site")
			a := f.do(req)
			if a.status != http.StatusForbidden || a.errorCode(t) != "cross_origin" {
				t.Fatalf("POST %s = %d %s, want 403 cross_origin", tt.path, a.status, a.body)
			}
			if f.flowCookie() != "" {
				t.Fatal("a refused POST started a flow")
			}
		})
	}
	if _, _, sent := f.emu.LastMagicLink("nina@acme.test"); sent {
		t.Fatal("a refused POST sent a magic link")
	}
}

// TestDiscoveryIntoAnOrganizationWithAnotherMethod: a member discovered by
// OAuth who picks an organization allowing only magic links is led to its
// login page, whose link completes the intermediate session.
func TestDiscoveryIntoAnOrganizationWithAnotherMethod(t *testing.T) {
	t.Parallel()
	f := newOrgFixture(t)
	ann := f.member(emulator.MemberSeed{Organization: "closed", Email: "ann@closed.test"})
	callback := f.signInAtIdP(f.startAt("/auth/oauth/start", url.Values{"provider": {"google"}, "return_to": {"/dashboard"}}), "ann@closed.test")
	if a := f.get(callback); a.status != http.StatusSeeOther || a.location != "/auth/organizations" {
		t.Fatalf("discovery callback = %d to %q: %s", a.status, a.location, a.body)
	}
	a := f.selectOrg(f.closed)
	if m := a.json(t); a.status != http.StatusOK || m["next"] != "organization_login" || m["redirect"] != "/auth/o/closed?return_to=%2Fdashboard" {
		t.Fatalf("select = %d %s, want the organization's login page", a.status, a.body)
	}
	a = f.get("/auth/o/closed?return_to=%2Fdashboard")
	if !strings.Contains(a.body, `value="ann@closed.test"`) {
		t.Fatalf("the organization's page does not carry the discovered address:\n%s", a.body)
	}
	ist := jsonField(t, mustDecode(t, f.harness), "ist")
	if a = f.postJSON("/auth/o/closed/email", url.Values{"email": {"ann@closed.test"}}); a.status != http.StatusOK {
		t.Fatalf("POST email = %d %s", a.status, a.body)
	}
	if got := jsonField(t, mustDecode(t, f.harness), "ist"); got != ist {
		t.Fatal("the organization's link does not keep the intermediate session")
	}
	link, _, _ := f.emu.LastMagicLink("ann@closed.test")
	if a = f.get(link); a.status != http.StatusSeeOther || a.location != "/dashboard" {
		t.Fatalf("link = %d to %q: %s", a.status, a.location, a.body)
	}
	f.expectLoggedIn(ann)
}

// TestOrganizationLoginPageNeedsThePublicToken: SSO and OAuth start in the
// browser with the project's public token; without it the page offers
// neither, and says so when nothing is left.
func TestOrganizationLoginPageNeedsThePublicToken(t *testing.T) {
	t.Parallel()
	seed := emulator.OrganizationSeed{Name: "Initech", Slug: "initech", AllowedAuthMethods: []string{"sso"},
		LoginPolicy: emulator.LoginPolicy{SSOConnections: []emulator.SSOConnectionSeed{{DisplayName: "Okta"}}}}
	tests := []struct {
		name       string
		opts       []flows.Option
		want, deny string
	}{
		{"with WithPublicToken the page offers SSO", []flows.Option{flows.WithPublicToken(testPublicToken)}, "Continue with Okta", "not available here"},
		{"without a public token the page offers nothing it cannot start", nil, "not available here", "Continue with Okta"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, tt.opts...)
			h.org(seed)
			a := h.get("/auth/o/initech")
			if a.status != http.StatusOK || !strings.Contains(a.body, tt.want) || strings.Contains(a.body, tt.deny) {
				t.Fatalf("page = %d, want %q and not %q:\n%s", a.status, tt.want, tt.deny, a.body)
			}
		})
	}
}
