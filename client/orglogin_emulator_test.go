package client_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/b2bauth/b2bauth/client"
	"github.com/b2bauth/b2bauth/emulator"
)

// withSSO adds "initech" (SSO only, a SAML connection, carol as a member)
// and returns its id and connection id.
func (e *emu) withSSO(t *testing.T, mfa string) (org, conn string) {
	t.Helper()
	org, err := e.srv.AddOrganization(emulator.OrganizationSeed{Name: "Initech", Slug: "initech", MFAPolicy: mfa,
		AllowedAuthMethods: []string{"sso"}, LoginPolicy: emulator.LoginPolicy{SSOJITProvisioning: "NOT_ALLOWED"}})
	if err != nil {
		t.Fatal(err)
	}
	if conn, err = e.srv.AddSSOConnection(org, emulator.SSOConnectionSeed{Type: "saml", DisplayName: "Okta", IdentityProvider: "okta"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.srv.AddMember(emulator.MemberSeed{Organization: org, Email: "carol@initech.test", Phone: phone, MFAPhoneNumberVerified: true}); err != nil {
		t.Fatal(err)
	}
	return org, conn
}

func TestEmulatorOrganizationsRead(t *testing.T) {
	t.Parallel()
	e := newEmu(t)
	ctx := context.Background()
	org, conn := e.withSSO(t, "")
	got, err := e.c.Organizations.Get(ctx, &client.OrganizationsGetParams{OrganizationID: org})
	if err != nil {
		t.Fatal(err)
	}
	o := got.Organization
	if o.AuthMethods != "RESTRICTED" || o.AllowedAuthMethods[0] != "sso" || o.SSOJITProvisioning != "NOT_ALLOWED" ||
		o.SSODefaultConnectionID != conn || len(o.SSOActiveConnections) != 1 || o.SSOActiveConnections[0].IdentityProvider != "okta" ||
		o.EmailInvites != "ALL_ALLOWED" || o.MFAPolicy != client.MFAPolicyOptional {
		t.Fatalf("policy not returned faithfully: %+v", o)
	}
	for _, tc := range []struct {
		name  string
		query *client.SearchQuery
		want  []string
	}{
		{"a slug finds its organization", &client.SearchQuery{Operator: client.SearchOperatorAND, Operands: []map[string]any{client.SlugsFilter("initech")}}, []string{"initech"}},
		{"several slugs find several", &client.SearchQuery{Operator: client.SearchOperatorOR, Operands: []map[string]any{client.SlugsFilter("acme", "beta")}}, []string{"acme", "beta"}},
		{"an unknown slug finds nothing", &client.SearchQuery{Operator: client.SearchOperatorAND, Operands: []map[string]any{client.SlugsFilter("nope")}}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := e.c.Organizations.Search(ctx, &client.OrganizationsSearchParams{Query: tc.query})
			if err != nil {
				t.Fatal(err)
			}
			var slugs []string
			for _, o := range res.Organizations {
				slugs = append(slugs, o.OrganizationSlug)
			}
			if strings.Join(slugs, ",") != strings.Join(tc.want, ",") || res.ResultsMetadata.Total != len(tc.want) {
				t.Fatalf("found %v (total %d), want %v", slugs, res.ResultsMetadata.Total, tc.want)
			}
		})
	}
	t.Run("a member is read by email", func(t *testing.T) {
		res, err := e.c.Organizations.GetMember(ctx, &client.MembersGetParams{OrganizationID: e.org(t, "acme"), EmailAddress: alice})
		if err != nil {
			t.Fatal(err)
		}
		if res.MemberID != e.member(t, "acme", alice) || res.Organization.OrganizationSlug != "acme" {
			t.Fatalf("got %+v", res)
		}
	})
	t.Run("members are searched across organizations", func(t *testing.T) {
		res, err := e.c.Organizations.SearchMembers(ctx, &client.MembersSearchParams{OrganizationIDs: []string{e.org(t, "acme"), e.org(t, "beta")},
			Query: &client.SearchQuery{Operator: client.SearchOperatorAND, Operands: []map[string]any{{"filter_name": "member_emails", "filter_value": []string{alice}}}}})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Members) != 2 || len(res.Organizations) != 2 {
			t.Fatalf("got %+v", res)
		}
	})
	t.Run("connections are listed", func(t *testing.T) {
		res, err := e.c.SSO.GetConnections(ctx, &client.SSOGetConnectionsParams{OrganizationID: org})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.SAMLConnections) != 1 || res.SAMLConnections[0].ConnectionID != conn || res.SAMLConnections[0].DisplayName != "Okta" {
			t.Fatalf("got %+v", res)
		}
	})
	t.Run("a missing path parameter sends nothing", func(t *testing.T) {
		_, err := e.c.Organizations.Get(ctx, &client.OrganizationsGetParams{})
		if !errors.Is(err, client.ErrMissingParameter) {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestEmulatorSSOLogin(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	verifier, challenge := pkcePair()
	t.Run("the browser flow ends in a session", func(t *testing.T) {
		t.Parallel()
		e := newEmu(t)
		_, conn := e.withSSO(t, "")
		start, err := e.c.SSO.StartURL(&client.SSOStartParams{ConnectionID: conn, RedirectParams: client.RedirectParams{
			PublicToken: e.srv.PublicToken(), LoginRedirectURL: "https://app.test/login", PkceCodeChallenge: challenge}})
		if err != nil {
			t.Fatal(err)
		}
		page, err := http.Get(start)
		if err != nil {
			t.Fatal(err)
		}
		page.Body.Close()
		if page.StatusCode != http.StatusOK {
			t.Fatalf("start page: %d", page.StatusCode)
		}
		hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		res, err := hc.PostForm(e.srv.URL()+"/_emulator/sso/consent", url.Values{"connection_id": {conn}, "email": {"carol@initech.test"},
			"login_redirect_url": {"https://app.test/login"}, "pkce_code_challenge": {challenge}})
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		loc, _ := url.Parse(res.Header.Get("Location"))
		auth, err := e.c.SSO.Authenticate(ctx, &client.SSOAuthenticateParams{SSOToken: loc.Query().Get("token"), PkceCodeVerifier: verifier})
		if err != nil {
			t.Fatal(err)
		}
		f := auth.MemberSession.AuthenticationFactors[0]
		if !auth.MemberAuthenticated || auth.SessionJWT == "" || f.Type != client.FactorTypeSSO || f.SAMLSSOFactor == nil || f.SAMLSSOFactor.ProviderID != conn {
			t.Fatalf("got %+v", auth)
		}
	})
	for _, tc := range []struct {
		name    string
		email   string
		mfa     string
		replay  bool
		wrong   bool
		errType string
	}{
		{"a wrong verifier is refused", "carol@initech.test", "", false, true, "pkce_mismatch"},
		{"a replayed token is refused", "carol@initech.test", "", true, false, "sso_token_not_found"},
		{"a new member is refused when SSO JIT is off", "dan@initech.test", "", false, false, "invalid_connection_for_jit_provisioning"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEmu(t)
			_, conn := e.withSSO(t, tc.mfa)
			tok, err := e.srv.SSOToken(conn, tc.email, emulator.WithPKCEChallenge(challenge))
			if err != nil {
				t.Fatal(err)
			}
			p := &client.SSOAuthenticateParams{SSOToken: tok, PkceCodeVerifier: verifier}
			if tc.wrong {
				p.PkceCodeVerifier = "another-browser-verifier-0123456789-0123456789"
			}
			if tc.replay {
				if _, err := e.c.SSO.Authenticate(ctx, p); err != nil {
					t.Fatal(err)
				}
			}
			_, err = e.c.SSO.Authenticate(ctx, p)
			mustReject(t, err, tc.errType)
			if tc.errType == "invalid_connection_for_jit_provisioning" && !errors.Is(err, client.ErrOrganizationPolicy) {
				t.Errorf("err = %v, want ErrOrganizationPolicy", err)
			}
		})
	}
	t.Run("MFA pending returns an intermediate session", func(t *testing.T) {
		t.Parallel()
		e := newEmu(t)
		_, conn := e.withSSO(t, client.MFAPolicyRequiredForAll)
		tok, _ := e.srv.SSOToken(conn, "carol@initech.test")
		auth, err := e.c.SSO.Authenticate(ctx, &client.SSOAuthenticateParams{SSOToken: tok})
		if err != nil {
			t.Fatal(err)
		}
		if auth.MemberAuthenticated || auth.IntermediateSessionToken == "" || auth.SessionToken != "" || auth.MFARequired == nil ||
			auth.MFARequired.SecondaryAuthInitiated != client.MFAMethodSMSOTP {
			t.Fatalf("got %+v", auth)
		}
	})
}

func TestEmulatorDiscoveryPrimaryRequired(t *testing.T) {
	t.Parallel()
	e := newEmu(t)
	ctx := context.Background()
	org, conn := e.withSSO(t, "")
	ist := e.srv.IntermediateSessionToken("carol@initech.test")
	list, err := e.c.Discovery.ListOrganizations(ctx, &client.DiscoveryListOrganizationsParams{IntermediateSessionToken: ist})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.DiscoveredOrganizations) != 1 || list.DiscoveredOrganizations[0].PrimaryRequired == nil ||
		list.DiscoveredOrganizations[0].PrimaryRequired.AllowedAuthMethods[0] != "sso" {
		t.Fatalf("discovered %+v", list.DiscoveredOrganizations)
	}
	ex, err := e.c.Discovery.ExchangeIntermediateSession(ctx, &client.DiscoveryExchangeParams{IntermediateSessionToken: ist, OrganizationID: org})
	if err != nil {
		t.Fatal(err)
	}
	if ex.MemberAuthenticated || ex.SessionToken != "" || ex.PrimaryRequired == nil {
		t.Fatalf("exchange without SSO gave %+v", ex)
	}
	tok, _ := e.srv.SSOToken(conn, "carol@initech.test")
	auth, err := e.c.SSO.Authenticate(ctx, &client.SSOAuthenticateParams{SSOToken: tok,
		OrganizationAuthParams: client.OrganizationAuthParams{IntermediateSessionToken: ist}})
	if err != nil {
		t.Fatal(err)
	}
	if !auth.MemberAuthenticated || len(auth.MemberSession.AuthenticationFactors) != 2 {
		t.Fatalf("got %+v", auth)
	}
}

func TestEmulatorOrganizationMagicLinksAndOAuth(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	verifier, challenge := pkcePair()
	t.Run("a login link logs in with its browser's verifier", func(t *testing.T) {
		t.Parallel()
		e := newEmu(t)
		if _, err := e.c.MagicLinks.LoginOrSignup(ctx, &client.MagicLinksLoginOrSignupParams{OrganizationID: e.org(t, "acme"),
			EmailAddress: alice, PkceCodeChallenge: challenge}); err != nil {
			t.Fatal(err)
		}
		_, token, _ := e.srv.LastMagicLink(alice)
		auth, err := e.c.MagicLinks.Authenticate(ctx, &client.MagicLinksAuthenticateParams{MagicLinksToken: token, PkceCodeVerifier: verifier})
		if err != nil {
			t.Fatal(err)
		}
		if !auth.MemberAuthenticated || auth.OrganizationID != e.org(t, "acme") || auth.SessionToken == "" {
			t.Fatalf("got %+v", auth)
		}
	})
	t.Run("an invite is accepted by its email only", func(t *testing.T) {
		t.Parallel()
		e := newEmu(t)
		inv, err := e.c.MagicLinks.Invite(ctx, &client.MagicLinksInviteParams{OrganizationID: e.org(t, "beta"), EmailAddress: "gus@partner.test"})
		if err != nil {
			t.Fatal(err)
		}
		_, token, _ := e.srv.LastMagicLink("gus@partner.test")
		_, err = e.c.MagicLinks.Authenticate(ctx, &client.MagicLinksAuthenticateParams{MagicLinksToken: token,
			OrganizationAuthParams: client.OrganizationAuthParams{IntermediateSessionToken: e.srv.IntermediateSessionToken(alice)}})
		mustReject(t, err, "invalid_intermediate_session_token_for_organization")
		auth, err := e.c.MagicLinks.Authenticate(ctx, &client.MagicLinksAuthenticateParams{MagicLinksToken: token})
		if err != nil {
			t.Fatal(err)
		}
		if inv.Member.Status != "invited" || auth.Member.Status != "active" || !auth.MemberAuthenticated {
			t.Fatalf("invite %+v, authenticate %+v", inv.Member, auth)
		}
	})
	for _, tc := range []struct {
		name    string
		call    func(e *emu) error
		errType string
	}{
		{"a magic link to an SSO-only organization is refused", func(e *emu) error {
			org, _ := e.withSSO(t, "")
			_, err := e.c.MagicLinks.LoginOrSignup(ctx, &client.MagicLinksLoginOrSignupParams{OrganizationID: org, EmailAddress: "carol@initech.test"})
			return err
		}, "operation_restricted_by_organization_auth_methods"},
		{"an email outside the allowed domains does not join", func(e *emu) error {
			_, err := e.c.MagicLinks.LoginOrSignup(ctx, &client.MagicLinksLoginOrSignupParams{OrganizationID: e.org(t, "acme"), EmailAddress: "eve@evil.test"})
			return err
		}, "invalid_email_for_jit_provisioning"},
		{"an organization without email JIT provisions nobody", func(e *emu) error {
			_, err := e.c.MagicLinks.LoginOrSignup(ctx, &client.MagicLinksLoginOrSignupParams{OrganizationID: e.org(t, "beta"), EmailAddress: "eve@beta.test"})
			return err
		}, "email_jit_provisioning_not_allowed"},
		{"OAuth into an SSO-only organization is refused", func(e *emu) error {
			e.withSSO(t, "")
			tok, _ := e.srv.OAuthToken("initech", "carol@initech.test")
			_, err := e.c.OAuth.Authenticate(ctx, &client.OAuthAuthenticateParams{OAuthToken: tok})
			return err
		}, "operation_restricted_by_organization_auth_methods"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := tc.call(newEmu(t))
			mustReject(t, err, tc.errType)
			if !errors.Is(err, client.ErrOrganizationPolicy) {
				t.Errorf("err = %v, want ErrOrganizationPolicy", err)
			}
		})
	}
	t.Run("OAuth into an organization logs in", func(t *testing.T) {
		t.Parallel()
		e := newEmu(t)
		start, err := e.c.OAuth.StartURL("google", &client.OAuthStartParams{Slug: "acme", RedirectParams: client.RedirectParams{PublicToken: e.srv.PublicToken()}})
		if err != nil || !strings.Contains(start, "/v1/b2b/public/oauth/google/start?") {
			t.Fatalf("start %q, %v", start, err)
		}
		tok, _ := e.srv.OAuthToken("acme", alice)
		auth, err := e.c.OAuth.Authenticate(ctx, &client.OAuthAuthenticateParams{OAuthToken: tok})
		if err != nil {
			t.Fatal(err)
		}
		if !auth.MemberAuthenticated || auth.ProviderType != "Google" || auth.ProviderValues == nil {
			t.Fatalf("got %+v", auth)
		}
	})
}
