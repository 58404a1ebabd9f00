package client_test

import (
	"context"
	"testing"
	"time"

	"github.com/b2bauth/b2bauth/client"
	"github.com/b2bauth/b2bauth/emulator"
)

const (
	strongPassword = "correct horse battery staple"
	newPassword    = "Violet-Orbit-Lantern-42"
	carol          = "carol@acme.test"
)

// withCarol adds carol with a password to acme and, with MFA, to secure.
func withCarol(t *testing.T, e *emu) (acmeID, secureID string) {
	t.Helper()
	var err error
	if acmeID, err = e.srv.AddMember(emulator.MemberSeed{Organization: "acme", Email: carol, Password: strongPassword}); err != nil {
		t.Fatal(err)
	}
	if secureID, err = e.srv.AddMember(emulator.MemberSeed{Organization: "secure", Email: carol, Password: strongPassword,
		Phone: "+15555550177", MFAPhoneNumberVerified: true}); err != nil {
		t.Fatal(err)
	}
	return acmeID, secureID
}

func otherCode(code string) string {
	if code == "000000" {
		return "111111"
	}
	return "000000"
}

func TestEmulatorEmailOTP(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	t.Run("a discovery code yields an intermediate session and organizations", func(t *testing.T) {
		t.Parallel()
		e := newEmu(t)
		if _, err := e.c.OTPs.EmailDiscoverySend(ctx, &client.OTPsEmailDiscoverySendParams{EmailAddress: alice}); err != nil {
			t.Fatal(err)
		}
		resp, err := e.c.OTPs.EmailDiscoveryAuthenticate(ctx, &client.OTPsEmailDiscoveryAuthenticateParams{EmailAddress: alice, Code: e.srv.LastEmailCode(alice)})
		if err != nil {
			t.Fatal(err)
		}
		if resp.IntermediateSessionToken == "" || resp.IntermediateSessionTokenExpiresAt == nil || len(resp.DiscoveredOrganizations) != 2 {
			t.Fatalf("response: %+v", resp)
		}
	})
	refusals := []struct {
		name    string
		advance time.Duration
		wrong   bool
		errType string
	}{
		{name: "a wrong discovery code is refused", wrong: true, errType: "unable_to_auth_otp_code"},
		{name: "an expired discovery code is not found", advance: 10 * time.Minute, errType: "otp_code_not_found"},
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEmu(t)
			if _, err := e.c.OTPs.EmailDiscoverySend(ctx, &client.OTPsEmailDiscoverySendParams{EmailAddress: alice}); err != nil {
				t.Fatal(err)
			}
			code := e.srv.LastEmailCode(alice)
			if tt.wrong {
				code = otherCode(code)
			}
			e.clock.Advance(tt.advance)
			_, err := e.c.OTPs.EmailDiscoveryAuthenticate(ctx, &client.OTPsEmailDiscoveryAuthenticateParams{EmailAddress: alice, Code: code})
			mustReject(t, err, tt.errType)
		})
	}
	t.Run("an organization code logs in, or asks for MFA first", func(t *testing.T) {
		t.Parallel()
		e := newEmu(t)
		_, secureCarol := withCarol(t, e)
		tests := []struct {
			slug    string
			wantMFA bool
		}{{"acme", false}, {"secure", true}}
		for _, tt := range tests {
			org := e.org(t, tt.slug)
			sent, err := e.c.OTPs.EmailLoginOrSignup(ctx, &client.OTPsEmailLoginOrSignupParams{OrganizationID: org, EmailAddress: carol})
			if err != nil || sent.MemberID == "" || sent.MemberCreated {
				t.Fatalf("%s: send %+v, %v", tt.slug, sent, err)
			}
			resp, err := e.c.OTPs.EmailAuthenticate(ctx, &client.OTPsEmailAuthenticateParams{OrganizationID: org, EmailAddress: carol, Code: e.srv.LastEmailCode(carol)})
			if err != nil {
				t.Fatal(err)
			}
			if got := resp.MFARequired != nil; got != tt.wantMFA || resp.MemberAuthenticated == tt.wantMFA || resp.OrganizationID != org {
				t.Fatalf("%s: response %+v", tt.slug, resp)
			}
			if !tt.wantMFA {
				f := resp.MemberSession.AuthenticationFactors[0]
				if f.Type != client.FactorTypeOTP || f.DeliveryMethod != client.DeliveryEmail || f.EmailFactor == nil {
					t.Fatalf("factor %+v", f)
				}
				continue
			}
			if resp.IntermediateSessionToken == "" || resp.MFARequired.SecondaryAuthInitiated != client.MFAMethodSMSOTP {
				t.Fatalf("response %+v", resp)
			}
			done, err := e.c.OTPs.SMSAuthenticate(ctx, &client.OTPsSMSAuthenticateParams{OrganizationID: org, MemberID: secureCarol,
				IntermediateSessionToken: resp.IntermediateSessionToken, Code: e.srv.LastSMSCode("+15555550177")})
			if err != nil {
				t.Fatal(err)
			}
			if len(done.MemberSession.AuthenticationFactors) != 2 {
				t.Fatalf("factors %+v", done.MemberSession.AuthenticationFactors)
			}
		}
	})
}
