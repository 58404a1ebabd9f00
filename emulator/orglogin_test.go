package emulator

import (
	"crypto/sha256"
	"encoding/base64"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// ssoFixture adds to the fixture "initech": SSO only, with a SAML
// connection (JIT allowed) and an OIDC one, and carol as a member.
type ssoFixture struct {
	*fixture
	initech, saml, oidc, carol string
}

func newSSOFixture(t *testing.T, policy LoginPolicy, mfa string) *ssoFixture {
	t.Helper()
	f := newFixture(t)
	if policy.SSOConnections == nil {
		policy.SSOConnections = []SSOConnectionSeed{{Type: "saml", DisplayName: "Okta"}, {Type: "oidc", DisplayName: "Entra", IdentityProvider: "microsoft-entra"}}
	}
	org, err := f.AddOrganization(OrganizationSeed{Name: "Initech", Slug: "initech", MFAPolicy: mfa,
		AllowedAuthMethods: []string{"sso"}, EmailAllowedDomains: []string{"initech.test"}, LoginPolicy: policy})
	if err != nil {
		t.Fatal(err)
	}
	carol, err := f.AddMember(MemberSeed{Organization: org, Email: "carol@initech.test", Phone: "+15555550177", MFAPhoneNumberVerified: true})
	if err != nil {
		t.Fatal(err)
	}
	sf := &ssoFixture{fixture: f, initech: org, carol: carol}
	f.mu.Lock()
	o := f.orgs[org]
	sf.saml, sf.oidc = o.connection("Okta").id, o.connection("Entra").id
	f.mu.Unlock()
	return sf
}

func pkce(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

const browserVerifier = "the-verifier-kept-by-the-browser-that-started-0123456789"

func TestSSOStartPlaysTheIdentityProvider(t *testing.T) {
	t.Parallel()
	f := newSSOFixture(t, LoginPolicy{}, "")
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	hc := &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	start := func(q url.Values) (*http.Response, string) {
		res, err := hc.Get(f.URL() + "/v1/public/sso/start?" + q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		return res, string(body)
	}
	for _, tc := range []struct {
		name   string
		q      url.Values
		status int
	}{
		{"a wrong public token is refused", url.Values{"public_token": {"public-token-test-wrong"}, "connection_id": {f.saml}}, 401},
		{"an unknown connection is not found", url.Values{"public_token": {f.PublicToken()}, "connection_id": {"saml-connection-test-none"}}, 404},
		{"a start names a connection or an organization", url.Values{"public_token": {f.PublicToken()}}, 400},
		{"a redirect URL must be http(s)", url.Values{"public_token": {f.PublicToken()}, "connection_id": {f.saml}, "login_redirect_url": {"javascript:alert(1)"}}, 400},
		{"a connection shows the IdP page", url.Values{"public_token": {f.PublicToken()}, "connection_id": {f.saml}}, 200},
		{"an organization starts its default connection", url.Values{"public_token": {f.PublicToken()}, "organization_id": {"initech"}}, 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, body := start(tc.q)
			if res.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %s", res.StatusCode, tc.status, body)
			}
			if tc.status == 200 && (!strings.Contains(body, "Okta") || !strings.Contains(body, "carol@initech.test")) {
				t.Errorf("page does not show the connection and its members: %s", body)
			}
		})
	}

	t.Run("the IdP redirects with a token that authenticates with the start's verifier", func(t *testing.T) {
		form := url.Values{"connection_id": {f.saml}, "email": {"carol@initech.test"}, "pkce_code_challenge": {pkce(browserVerifier)},
			"login_redirect_url": {"https://app.test/login"}, "signup_redirect_url": {"https://app.test/signup"}}
		res, err := hc.PostForm(f.URL()+"/_emulator/sso/consent", form)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		loc, _ := url.Parse(res.Header.Get("Location"))
		if res.StatusCode != http.StatusSeeOther || loc.Path != "/login" || loc.Query().Get("stytch_token_type") != "sso" {
			t.Fatalf("consent: %d %q", res.StatusCode, res.Header.Get("Location"))
		}
		token := loc.Query().Get("token")
		wantError(t, f.do(t, "POST", "/v1/b2b/sso/authenticate", map[string]any{"sso_token": token, "pkce_code_verifier": "another-browser-verifier-0123456789-0123456789"}),
			401, errPKCEMismatch)
		r := f.do(t, "POST", "/v1/b2b/sso/authenticate", map[string]any{"sso_token": token, "pkce_code_verifier": browserVerifier})
		wantOK(t, r)
		if r.get("member_authenticated") != true || r.str("session_jwt") == "" || r.str("organization_id") != f.initech ||
			r.str("member_session", "authentication_factors", "0", "type") != "sso" ||
			r.str("member_session", "authentication_factors", "0", "delivery_method") != "sso_saml" ||
			r.str("member_session", "authentication_factors", "0", "saml_sso_factor", "provider_id") != f.saml ||
			r.str("member", "sso_registrations", "0", "connection_id") != f.saml {
			t.Fatalf("got %s", r.raw)
		}
		wantError(t, f.do(t, "POST", "/v1/b2b/sso/authenticate", map[string]any{"sso_token": token, "pkce_code_verifier": browserVerifier}),
			404, errSSOTokenNotFound)
	})
	t.Run("a new email is sent to the signup URL", func(t *testing.T) {
		form := url.Values{"connection_id": {f.oidc}, "email": {"dan@initech.test"},
			"login_redirect_url": {"https://app.test/login"}, "signup_redirect_url": {"https://app.test/signup"}}
		res, err := hc.PostForm(f.URL()+"/_emulator/sso/consent", form)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if loc, _ := url.Parse(res.Header.Get("Location")); loc == nil || loc.Path != "/signup" {
			t.Fatalf("Location %q", res.Header.Get("Location"))
		}
	})
}

func TestSSOAuthenticate(t *testing.T) {
	t.Parallel()
	const path = "/v1/b2b/sso/authenticate"
	t.Run("a new member is provisioned when SSO JIT is allowed", func(t *testing.T) {
		f := newSSOFixture(t, LoginPolicy{}, "")
		tok, _ := f.SSOToken(f.oidc, "dan@initech.test")
		r := f.do(t, "POST", path, map[string]any{"sso_token": tok})
		wantOK(t, r)
		if r.str("member", "email_address") != "dan@initech.test" || r.str("member_session", "authentication_factors", "0", "oidc_sso_factor", "provider_id") != f.oidc {
			t.Fatalf("got %s", r.raw)
		}
	})
	t.Run("a new member is refused when SSO JIT is off", func(t *testing.T) {
		f := newSSOFixture(t, LoginPolicy{SSOJITProvisioning: policyNotAllowed}, "")
		tok, _ := f.SSOToken(f.saml, "dan@initech.test")
		wantError(t, f.do(t, "POST", path, map[string]any{"sso_token": tok}), 403, errConnectionNotAllowedForJIT)
	})
	t.Run("a connection outside the restricted JIT list provisions nobody", func(t *testing.T) {
		f := newSSOFixture(t, LoginPolicy{SSOJITProvisioning: policyRestricted, SSOJITProvisioningAllowedConnections: []string{"Entra"}}, "")
		tok, _ := f.SSOToken(f.saml, "dan@initech.test")
		wantError(t, f.do(t, "POST", path, map[string]any{"sso_token": tok}), 403, errConnectionNotAllowedForJIT)
		tok, _ = f.SSOToken(f.oidc, "dan@initech.test")
		wantOK(t, f.do(t, "POST", path, map[string]any{"sso_token": tok}))
	})
	t.Run("MFA pending returns the intermediate session token", func(t *testing.T) {
		f := newSSOFixture(t, LoginPolicy{}, mfaPolicyRequired)
		tok, _ := f.SSOToken(f.saml, "carol@initech.test")
		r := f.do(t, "POST", path, map[string]any{"sso_token": tok})
		wantOK(t, r)
		ist := r.str("intermediate_session_token")
		if r.get("member_authenticated") != false || ist == "" || r.str("session_token") != "" ||
			r.str("mfa_required", "secondary_auth_initiated") != mfaSMS || r.get("primary_required") != nil {
			t.Fatalf("got %s", r.raw)
		}
		code := f.LastSMSCode("+15555550177")
		r = f.do(t, "POST", "/v1/b2b/otps/sms/authenticate", map[string]any{"organization_id": f.initech, "member_id": f.carol,
			"intermediate_session_token": ist, "code": code})
		wantOK(t, r)
		if r.str("member_session", "authentication_factors", "0", "type") != "sso" || r.str("member_session", "authentication_factors", "1", "type") != "otp" {
			t.Fatalf("session factors: %s", r.raw)
		}
	})
	t.Run("a missing token is bad input", func(t *testing.T) {
		f := newSSOFixture(t, LoginPolicy{}, "")
		wantError(t, f.do(t, "POST", path, map[string]any{}), 400, errBadRequest)
	})
}

func TestDiscoveryIntoAnSSOOnlyOrganization(t *testing.T) {
	t.Parallel()
	f := newSSOFixture(t, LoginPolicy{}, "")
	ist := f.IntermediateSessionToken("carol@initech.test")
	r := f.do(t, "POST", "/v1/b2b/discovery/organizations", map[string]any{"intermediate_session_token": ist})
	wantOK(t, r)
	if r.str("discovered_organizations", "0", "organization", "organization_id") != f.initech ||
		r.str("discovered_organizations", "0", "primary_required", "allowed_auth_methods", "0") != "sso" ||
		r.get("discovered_organizations", "0", "member_authenticated") != false {
		t.Fatalf("discovered: %s", r.raw)
	}
	r = f.do(t, "POST", "/v1/b2b/discovery/intermediate_sessions/exchange", map[string]any{"intermediate_session_token": ist, "organization_id": f.initech})
	wantOK(t, r)
	if r.get("member_authenticated") != false || r.str("session_token") != "" || r.str("intermediate_session_token") != ist ||
		r.str("primary_required", "allowed_auth_methods", "0") != "sso" {
		t.Fatalf("exchange gave a session without SSO: %s", r.raw)
	}
	t.Run("SSO with the intermediate session token completes the login", func(t *testing.T) {
		tok, _ := f.SSOToken(f.saml, "carol@initech.test")
		r := f.do(t, "POST", "/v1/b2b/sso/authenticate", map[string]any{"sso_token": tok, "intermediate_session_token": ist})
		wantOK(t, r)
		if r.get("member_authenticated") != true || len(r.get("member_session", "authentication_factors").([]any)) != 2 {
			t.Fatalf("got %s", r.raw)
		}
		wantError(t, f.do(t, "POST", "/v1/b2b/discovery/intermediate_sessions/exchange", map[string]any{"intermediate_session_token": ist, "organization_id": f.initech}),
			404, errISTNotFound)
	})
	t.Run("an intermediate session of another email is refused", func(t *testing.T) {
		tok, _ := f.SSOToken(f.saml, "carol@initech.test")
		other := f.IntermediateSessionToken("alice@acme.test")
		wantError(t, f.do(t, "POST", "/v1/b2b/sso/authenticate", map[string]any{"sso_token": tok, "intermediate_session_token": other}),
			400, errISTForOrganization)
	})
}

func TestOrganizationPolicyRefusals(t *testing.T) {
	t.Parallel()
	f := newSSOFixture(t, LoginPolicy{}, "")
	closed, err := f.AddOrganization(OrganizationSeed{Name: "Closed", EmailAllowedDomains: []string{"closed.test"},
		LoginPolicy: LoginPolicy{EmailJITProvisioning: policyNotAllowed, EmailInvites: policyRestricted}})
	if err != nil {
		t.Fatal(err)
	}
	noInvites, err := f.AddOrganization(OrganizationSeed{Name: "No Invites", LoginPolicy: LoginPolicy{EmailInvites: policyNotAllowed}})
	if err != nil {
		t.Fatal(err)
	}
	const login, invite = "/v1/b2b/magic_links/email/login_or_signup", "/v1/b2b/magic_links/email/invite"
	googleToken, _ := f.OAuthToken("initech", "carol@initech.test")
	for _, tc := range []struct {
		name, path string
		body       map[string]any
		status     int
		errType    string
	}{
		{"a magic link to an SSO-only organization is refused", login, map[string]any{"organization_id": f.initech, "email_address": "carol@initech.test"}, 403, errAuthMethodRestricted},
		{"an email outside the allowed domains is not provisioned", login, map[string]any{"organization_id": f.acme, "email_address": "eve@evil.test"}, 403, errEmailNotAllowedForJIT},
		{"an organization without email JIT provisions nobody", login, map[string]any{"organization_id": closed, "email_address": "ann@closed.test"}, 403, errEmailJITNotAllowed},
		{"an invite outside the allowed domains is refused", invite, map[string]any{"organization_id": closed, "email_address": "eve@evil.test"}, 403, errEmailNotAllowedForInvites},
		{"an organization without invites invites nobody", invite, map[string]any{"organization_id": noInvites, "email_address": "ann@closed.test"}, 403, errEmailNotAllowedForInvites},
		{"an active member is not invited again", invite, map[string]any{"organization_id": f.acme, "email_address": "alice@acme.test"}, 400, errDuplicateMemberEmail},
		{"OAuth into an SSO-only organization is refused", "/v1/b2b/oauth/authenticate", map[string]any{"oauth_token": googleToken}, 403, errAuthMethodRestricted},
		{"an unknown organization is not found", login, map[string]any{"organization_id": "organization-test-none", "email_address": "a@b.test"}, 404, errOrganizationNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantError(t, f.do(t, "POST", tc.path, tc.body), tc.status, tc.errType)
		})
	}
}

func TestOrganizationMagicLinks(t *testing.T) {
	t.Parallel()
	const auth = "/v1/b2b/magic_links/authenticate"
	t.Run("a new email of an allowed domain signs up with the PKCE of its browser", func(t *testing.T) {
		f := newFixture(t)
		r := f.do(t, "POST", "/v1/b2b/magic_links/email/login_or_signup", map[string]any{"organization_id": f.acme,
			"email_address": "Dora@acme.test", "signup_redirect_url": "https://app.test/signup", "pkce_code_challenge": pkce(browserVerifier)})
		wantOK(t, r)
		if r.get("member_created") != true || r.str("member", "status") != memberPending {
			t.Fatalf("got %s", r.raw)
		}
		link, token, ok := f.LastMagicLink("dora@acme.test")
		if !ok || !strings.Contains(link, "stytch_token_type=multi_tenant_magic_links") || !strings.HasPrefix(link, "https://app.test/signup") {
			t.Fatalf("link %q", link)
		}
		wantError(t, f.do(t, "POST", auth, map[string]any{"magic_links_token": token}), 401, errPKCEMismatch)
		r = f.do(t, "POST", auth, map[string]any{"magic_links_token": token, "pkce_code_verifier": browserVerifier})
		wantOK(t, r)
		if r.get("member_authenticated") != true || r.str("member", "status") != memberActive || r.str("organization_id") != f.acme {
			t.Fatalf("got %s", r.raw)
		}
		wantError(t, f.do(t, "POST", auth, map[string]any{"magic_links_token": token, "pkce_code_verifier": browserVerifier}), 401, errUnableToAuthMagicLink)
	})
	t.Run("an invite logs in only its own email", func(t *testing.T) {
		f := newFixture(t)
		r := f.do(t, "POST", "/v1/b2b/magic_links/email/invite", map[string]any{"organization_id": f.globex,
			"email_address": "gus@partner.test", "invited_by_member_id": f.aliceGlobex, "roles": []string{"auditor"}})
		wantOK(t, r)
		if r.str("member", "status") != memberInvited {
			t.Fatalf("got %s", r.raw)
		}
		_, token, _ := f.LastMagicLink("gus@partner.test")
		other := f.IntermediateSessionToken("alice@acme.test")
		wantError(t, f.do(t, "POST", auth, map[string]any{"magic_links_token": token, "intermediate_session_token": other}), 400, errISTForOrganization)
		r = f.do(t, "POST", auth, map[string]any{"magic_links_token": token})
		wantOK(t, r)
		// globex requires MFA and gus has none yet: the invite is accepted, MFA remains.
		if r.str("member", "status") != memberActive || r.get("member_authenticated") != false || r.str("intermediate_session_token") == "" {
			t.Fatalf("got %s", r.raw)
		}
	})
	t.Run("a session of another member is refused", func(t *testing.T) {
		f := newFixture(t)
		wantOK(t, f.do(t, "POST", "/v1/b2b/magic_links/email/login_or_signup", map[string]any{"organization_id": f.acme, "email_address": "alice@acme.test"}))
		_, token, _ := f.LastMagicLink("alice@acme.test")
		sess, _, err := f.CreateSession(f.bob)
		if err != nil {
			t.Fatal(err)
		}
		wantError(t, f.do(t, "POST", auth, map[string]any{"magic_links_token": token, "session_token": sess}), 400, errSessionMismatch)
	})
}

func TestOrganizationOAuth(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	tok, err := f.OAuthToken("acme", "alice@acme.test", WithProvider("microsoft"), WithPKCEChallenge(pkce(browserVerifier)))
	if err != nil {
		t.Fatal(err)
	}
	const path = "/v1/b2b/oauth/authenticate"
	wantError(t, f.do(t, "POST", path, map[string]any{"oauth_token": tok}), 401, errPKCEMismatch)
	r := f.do(t, "POST", path, map[string]any{"oauth_token": tok, "pkce_code_verifier": browserVerifier})
	wantOK(t, r)
	if r.str("provider_type") != "Microsoft" || r.str("member_id") != f.alice ||
		r.str("member_session", "authentication_factors", "0", "delivery_method") != "oauth_microsoft" {
		t.Fatalf("got %s", r.raw)
	}
	wantError(t, f.do(t, "POST", path, map[string]any{"oauth_token": tok, "pkce_code_verifier": browserVerifier}), 404, errOAuthTokenNotFound)
}

func TestOrganizationsAndMembersRead(t *testing.T) {
	t.Parallel()
	f := newSSOFixture(t, LoginPolicy{EmailInvites: policyRestricted}, "")
	t.Run("an organization is read by id or slug with its policy", func(t *testing.T) {
		for _, ref := range []string{f.initech, "initech"} {
			r := f.do(t, "GET", "/v1/b2b/organizations/"+ref, nil)
			wantOK(t, r)
			if r.str("organization", "auth_methods") != policyRestricted || r.str("organization", "allowed_auth_methods", "0") != "sso" ||
				r.str("organization", "email_invites") != policyRestricted || r.str("organization", "sso_jit_provisioning") != policyAllAllowed ||
				r.str("organization", "sso_default_connection_id") != f.saml || r.str("organization", "sso_active_connections", "1", "identity_provider") != "microsoft-entra" ||
				r.str("organization", "email_jit_provisioning") != policyRestricted {
				t.Fatalf("got %s", r.raw)
			}
		}
	})
	for _, tc := range []struct {
		name  string
		query map[string]any
		want  int
	}{
		{"a search by slug finds that organization", map[string]any{"operator": "AND", "operands": []any{map[string]any{"filter_name": "organization_slugs", "filter_value": []any{"initech"}}}}, 1},
		{"OR finds either", map[string]any{"operator": "OR", "operands": []any{
			map[string]any{"filter_name": "organization_slugs", "filter_value": []any{"initech"}},
			map[string]any{"filter_name": "member_emails", "filter_value": []any{"bob@acme.test"}}}}, 2},
		{"AND finds both or none", map[string]any{"operator": "AND", "operands": []any{
			map[string]any{"filter_name": "organization_slugs", "filter_value": []any{"initech"}},
			map[string]any{"filter_name": "member_emails", "filter_value": []any{"bob@acme.test"}}}}, 0},
		{"no query finds every organization", nil, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := f.do(t, "POST", "/v1/b2b/organizations/search", map[string]any{"query": tc.query})
			wantOK(t, r)
			if got := len(r.get("organizations").([]any)); got != tc.want || r.get("results_metadata", "total") != float64(tc.want) {
				t.Fatalf("found %d, want %d: %s", got, tc.want, r.raw)
			}
		})
	}
	t.Run("an unknown filter is refused", func(t *testing.T) {
		wantError(t, f.do(t, "POST", "/v1/b2b/organizations/search", map[string]any{"query": map[string]any{"operator": "AND",
			"operands": []any{map[string]any{"filter_name": "shoe_size", "filter_value": []any{"9"}}}}}), 400, errOrgSearchFilterUnknown)
	})
	t.Run("pages follow the cursor", func(t *testing.T) {
		r := f.do(t, "POST", "/v1/b2b/organizations/search", map[string]any{"limit": 2})
		wantOK(t, r)
		next := r.str("results_metadata", "next_cursor")
		r = f.do(t, "POST", "/v1/b2b/organizations/search", map[string]any{"limit": 2, "cursor": next})
		wantOK(t, r)
		if next == "" || r.str("organizations", "0", "organization_slug") != "initech" || r.str("results_metadata", "next_cursor") != "" {
			t.Fatalf("second page: %s", r.raw)
		}
	})
	t.Run("a member is read by id or email", func(t *testing.T) {
		for _, q := range []string{"member_id=" + f.carol, "email_address=carol@initech.test"} {
			r := f.do(t, "GET", "/v1/b2b/organizations/"+f.initech+"/member?"+q, nil)
			wantOK(t, r)
			if r.str("member_id") != f.carol || r.str("organization", "organization_id") != f.initech {
				t.Fatalf("got %s", r.raw)
			}
		}
		wantError(t, f.do(t, "GET", "/v1/b2b/organizations/"+f.initech+"/member", nil), 400, errInvalidMemberGetFields)
		wantError(t, f.do(t, "GET", "/v1/b2b/organizations/"+f.initech+"/member?member_id="+f.alice, nil), 404, errMemberNotFound)
	})
	t.Run("members are searched across organizations", func(t *testing.T) {
		r := f.do(t, "POST", "/v1/b2b/organizations/members/search", map[string]any{"organization_ids": []string{f.acme, f.globex},
			"query": map[string]any{"operator": "AND", "operands": []any{map[string]any{"filter_name": "member_emails", "filter_value": []any{"alice@acme.test"}}}}})
		wantOK(t, r)
		if len(r.get("members").([]any)) != 2 || r.get("organizations", f.globex) == nil {
			t.Fatalf("got %s", r.raw)
		}
		wantError(t, f.do(t, "POST", "/v1/b2b/organizations/members/search", map[string]any{}), 400, errMemberSearchNoOrganization)
	})
	t.Run("SSO connections are listed by type", func(t *testing.T) {
		r := f.do(t, "GET", "/v1/b2b/sso/"+f.initech, nil)
		wantOK(t, r)
		if r.str("saml_connections", "0", "connection_id") != f.saml || r.str("oidc_connections", "0", "connection_id") != f.oidc ||
			r.get("external_connections") == nil {
			t.Fatalf("got %s", r.raw)
		}
	})
}

func TestLoginPolicySeedIsValidated(t *testing.T) {
	t.Parallel()
	s := NewTest(t)
	for _, tc := range []struct {
		name string
		seed OrganizationSeed
	}{
		{"RESTRICTED needs allowed methods", OrganizationSeed{Name: "A", LoginPolicy: LoginPolicy{AuthMethods: policyRestricted}}},
		{"email JIT RESTRICTED needs domains", OrganizationSeed{Name: "B", LoginPolicy: LoginPolicy{EmailJITProvisioning: policyRestricted}}},
		{"an unknown invite policy is refused", OrganizationSeed{Name: "C", LoginPolicy: LoginPolicy{EmailInvites: "SOMETIMES"}}},
		{"a connection type must be saml or oidc", OrganizationSeed{Name: "D", LoginPolicy: LoginPolicy{SSOConnections: []SSOConnectionSeed{{Type: "ldap"}}}}},
		{"a default connection must exist", OrganizationSeed{Name: "E", LoginPolicy: LoginPolicy{SSODefaultConnectionID: "nope"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := s.AddOrganization(tc.seed); err == nil {
				t.Fatal("accepted")
			}
		})
	}
}
