package client_test

import (
	"context"
	"slices"
	"testing"

	"github.com/b2bauth/b2bauth/client"
	"github.com/b2bauth/b2bauth/emulator"
)

func TestEmulatorOrganizationSwitching(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEmu(t)
	acmeCarol, secureCarol := withCarol(t, e)
	token, jwt, err := e.srv.CreateSession(acmeCarol)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("a session lists the member's organizations", func(t *testing.T) {
		for _, p := range []*client.DiscoveryListOrganizationsParams{{SessionToken: token}, {SessionJWT: jwt}} {
			resp, err := e.c.Discovery.ListOrganizations(ctx, p)
			if err != nil {
				t.Fatal(err)
			}
			var slugs []string
			for _, d := range resp.DiscoveredOrganizations {
				slugs = append(slugs, d.Organization.OrganizationSlug)
			}
			if resp.EmailAddress != carol || resp.OrganizationIDHint != e.org(t, "acme") || !slices.Contains(slugs, "secure") {
				t.Fatalf("list: %+v (%v)", resp, slugs)
			}
		}
	})
	t.Run("switching into an organization requiring MFA returns an intermediate session", func(t *testing.T) {
		secure := e.org(t, "secure")
		resp, err := e.c.Sessions.Exchange(ctx, &client.SessionsExchangeParams{SessionJWT: jwt, OrganizationID: secure})
		if err != nil {
			t.Fatal(err)
		}
		if resp.MemberAuthenticated || resp.SessionToken != "" || resp.IntermediateSessionToken == "" || resp.IntermediateSessionTokenExpiresAt == nil ||
			resp.MFARequired == nil || resp.MFARequired.MemberOptions == nil || resp.MFARequired.MemberOptions.MFAPhoneNumber != "+15555550177" {
			t.Fatalf("exchange: %+v", resp)
		}
		done, err := e.c.OTPs.SMSAuthenticate(ctx, &client.OTPsSMSAuthenticateParams{OrganizationID: secure, MemberID: secureCarol,
			IntermediateSessionToken: resp.IntermediateSessionToken, Code: e.srv.LastSMSCode("+15555550177")})
		if err != nil {
			t.Fatal(err)
		}
		if done.MemberSession.OrganizationID != secure {
			t.Fatalf("session: %+v", done.MemberSession)
		}
	})
	t.Run("switching into an organization without MFA returns a session", func(t *testing.T) {
		if _, err := e.srv.AddMember(emulator.MemberSeed{Organization: "beta", Email: carol}); err != nil {
			t.Fatal(err)
		}
		resp, err := e.c.Sessions.Exchange(ctx, &client.SessionsExchangeParams{SessionToken: token, OrganizationID: e.org(t, "beta")})
		if err != nil {
			t.Fatal(err)
		}
		if !resp.MemberAuthenticated || resp.SessionJWT == "" || resp.MemberSession == nil || resp.Organization.OrganizationSlug != "beta" {
			t.Fatalf("exchange: %+v", resp)
		}
	})
}
