package client_test

import (
	"context"
	"errors"
	"net/url"
	"testing"

	"github.com/b2bauth/b2bauth/client"
)

func TestEmulatorPasswords(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	t.Run("the strength check scores and explains", func(t *testing.T) {
		t.Parallel()
		e := newEmu(t)
		tests := []struct {
			password string
			valid    bool
		}{{"Password1!", false}, {"qwerty", false}, {strongPassword, true}}
		for _, tt := range tests {
			resp, err := e.c.Passwords.StrengthCheck(ctx, &client.PasswordsStrengthCheckParams{Password: tt.password, EmailAddress: carol})
			if err != nil {
				t.Fatal(err)
			}
			if resp.ValidPassword != tt.valid || resp.StrengthPolicy != "zxcvbn" || resp.ZxcvbnFeedback == nil || resp.LudsFeedback == nil {
				t.Fatalf("%q: %+v", tt.password, resp)
			}
			if !tt.valid && (resp.ZxcvbnFeedback.Warning == "" || len(resp.ZxcvbnFeedback.Suggestions) == 0 || resp.Score >= 3) {
				t.Fatalf("%q: no feedback: %+v", tt.password, resp.ZxcvbnFeedback)
			}
		}
	})
	t.Run("a password logs in, a wrong one does not", func(t *testing.T) {
		t.Parallel()
		e := newEmu(t)
		carolID, _ := withCarol(t, e)
		acme := e.org(t, "acme")
		resp, err := e.c.Passwords.Authenticate(ctx, &client.PasswordsAuthenticateParams{OrganizationID: acme, EmailAddress: carol, Password: strongPassword})
		if err != nil {
			t.Fatal(err)
		}
		if resp.MemberID != carolID || resp.SessionToken == "" || resp.Member.MemberPasswordID == "" ||
			resp.MemberSession.AuthenticationFactors[0].Type != client.FactorTypePassword {
			t.Fatalf("response: %+v", resp)
		}
		_, err = e.c.Passwords.Authenticate(ctx, &client.PasswordsAuthenticateParams{OrganizationID: acme, EmailAddress: carol, Password: newPassword})
		mustReject(t, err, "unauthorized_credentials")
		disc, err := e.c.Passwords.DiscoveryAuthenticate(ctx, &client.PasswordsDiscoveryAuthenticateParams{EmailAddress: carol, Password: strongPassword})
		if err != nil || disc.IntermediateSessionToken == "" || len(disc.DiscoveredOrganizations) == 0 {
			t.Fatalf("discovery: %+v, %v", disc, err)
		}
	})
	t.Run("a reset link sets a strong password once", func(t *testing.T) {
		t.Parallel()
		e := newEmu(t)
		withCarol(t, e)
		acme := e.org(t, "acme")
		verifier, challenge := pkcePair()
		if _, err := e.c.Passwords.EmailResetStart(ctx, &client.PasswordsEmailResetStartParams{OrganizationID: acme, EmailAddress: carol,
			ResetPasswordRedirectURL: "http://localhost:3000/reset", CodeChallenge: challenge}); err != nil {
			t.Fatal(err)
		}
		link, token, ok := e.srv.LastMagicLink(carol)
		if u, err := url.Parse(link); !ok || err != nil || u.Query().Get("stytch_token_type") != "multi_tenant_passwords" {
			t.Fatalf("link %q", link)
		}
		reset := func(password string) (*client.PrimaryAuthenticateResponse, error) {
			return e.c.Passwords.EmailReset(ctx, &client.PasswordsEmailResetParams{PasswordResetToken: token, Password: password, CodeVerifier: verifier})
		}
		_, err := reset("Password1!")
		if !errors.Is(err, client.ErrWeakPassword) {
			t.Fatalf("weak password: err = %v", err)
		}
		var apiErr *client.Error
		if !errors.As(err, &apiErr) || apiErr.ErrorDetails["zxcvbn_feedback"] == nil {
			t.Fatalf("no feedback in %v", err)
		}
		resp, err := reset(newPassword)
		if err != nil || resp.SessionToken == "" {
			t.Fatalf("reset: %+v, %v", resp, err)
		}
		_, err = reset("Another-Strong-Pass-77")
		mustReject(t, err, "unable_to_auth_magic_link")
		if _, err := e.c.Passwords.Authenticate(ctx, &client.PasswordsAuthenticateParams{OrganizationID: acme, EmailAddress: carol, Password: newPassword}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("a required reset blocks the password until the existing one resets it", func(t *testing.T) {
		t.Parallel()
		e := newEmu(t)
		carolID, _ := withCarol(t, e)
		acme := e.org(t, "acme")
		if _, err := e.c.Passwords.EmailRequireReset(ctx, &client.PasswordsEmailRequireResetParams{OrganizationID: acme, MemberID: carolID}); err != nil {
			t.Fatal(err)
		}
		_, err := e.c.Passwords.Authenticate(ctx, &client.PasswordsAuthenticateParams{OrganizationID: acme, EmailAddress: carol, Password: strongPassword})
		if !errors.Is(err, client.ErrPasswordResetRequired) || errors.Is(err, client.ErrUnavailable) {
			t.Fatalf("err = %v", err)
		}
		_, err = e.c.Passwords.ExistingPasswordReset(ctx, &client.PasswordsExistingPasswordResetParams{OrganizationID: acme, EmailAddress: carol,
			ExistingPassword: strongPassword, NewPassword: "abc"})
		if !errors.Is(err, client.ErrWeakPassword) {
			t.Fatalf("err = %v", err)
		}
		resp, err := e.c.Passwords.ExistingPasswordReset(ctx, &client.PasswordsExistingPasswordResetParams{OrganizationID: acme, EmailAddress: carol,
			ExistingPassword: strongPassword, NewPassword: newPassword})
		if err != nil || !resp.MemberAuthenticated {
			t.Fatalf("reset: %+v, %v", resp, err)
		}
		if _, err := e.c.Passwords.Authenticate(ctx, &client.PasswordsAuthenticateParams{OrganizationID: acme, EmailAddress: carol, Password: newPassword}); err != nil {
			t.Fatal(err)
		}
	})
}

func TestPasswordErrorClasses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		body      string
		weak      bool
		mustReset bool
	}{
		{"weak_password matches ErrWeakPassword", `{"status_code":400,"error_type":"weak_password","error_message":"m"}`, true, false},
		{"member_reset_password matches ErrPasswordResetRequired", `{"status_code":400,"error_type":"member_reset_password","error_message":"m"}`, false, true},
		{"unauthorized_credentials matches neither", `{"status_code":401,"error_type":"unauthorized_credentials","error_message":"m"}`, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := error(client.DecodeError(400, []byte(tt.body)))
			if errors.Is(err, client.ErrWeakPassword) != tt.weak || errors.Is(err, client.ErrPasswordResetRequired) != tt.mustReset {
				t.Fatalf("classes of %v", err)
			}
		})
	}
}
