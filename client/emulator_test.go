package client_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/b2bauth/b2bauth/client"
	"github.com/b2bauth/b2bauth/emulator"
)

// emu is an emulator with a settable clock and a client pointed at it.
type emu struct {
	srv   *emulator.Server
	c     *client.Client
	clock *fakeClock
}

const (
	alice = "alice@acme.test"
	bob   = "bob@secure.test"
	dave  = "dave@secure.test"
	phone = "+15555550100"
)

func newEmu(t *testing.T) *emu {
	t.Helper()
	clock := newFakeClock()
	clock.now = time.Now().UTC().Truncate(time.Second) // JWT times must pass jwt's own checks
	seed := emulator.Seed{
		Resources: []emulator.Resource{{ResourceID: "documents", Actions: []string{"read", "write"}},
			{ResourceID: "audit_logs", Actions: []string{"export"}}},
		Roles: []emulator.Role{{RoleID: "editor", Permissions: []emulator.Permission{{ResourceID: "documents", Actions: []string{"read", "write"}}}}},
		Organizations: []emulator.OrganizationSeed{
			{Name: "Acme", Slug: "acme", MFAPolicy: client.MFAPolicyOptional, EmailAllowedDomains: []string{"acme.test"},
				CustomRoles: []emulator.Role{{RoleID: "org-auditor", Permissions: []emulator.Permission{{ResourceID: "audit_logs", Actions: []string{"export"}}}}}},
			{Name: "Beta", Slug: "beta", MFAPolicy: client.MFAPolicyOptional},
			{Name: "Secure", Slug: "secure", MFAPolicy: client.MFAPolicyRequiredForAll},
		},
		Members: []emulator.MemberSeed{
			{Organization: "acme", Email: alice, Roles: []string{"stytch_admin"}},
			{Organization: "beta", Email: alice},
			{Organization: "secure", Email: bob, Phone: phone, MFAPhoneNumberVerified: true,
				TOTPSecret: "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", RecoveryCodes: []string{"aaaa-bbbb-0001", "aaaa-bbbb-0002", "aaaa-bbbb-0003"}},
			{Organization: "secure", Email: dave},
		},
	}
	srv := emulator.NewTest(t, emulator.WithClock(clock.Now), emulator.WithSeed(seed))
	c, err := client.New(srv.ProjectID(), srv.Secret(), client.WithBaseURL(srv.URL()))
	if err != nil {
		t.Fatal(err)
	}
	client.SetBackoff(c, func(int) time.Duration { return 0 })
	return &emu{srv: srv, c: c, clock: clock}
}

func (e *emu) org(t *testing.T, slug string) string {
	t.Helper()
	id, ok := e.srv.OrganizationID(slug)
	if !ok {
		t.Fatalf("no organization %q", slug)
	}
	return id
}

func (e *emu) member(t *testing.T, slug, email string) string {
	t.Helper()
	id, ok := e.srv.MemberID(e.org(t, slug), email)
	if !ok {
		t.Fatalf("no member %q in %q", email, slug)
	}
	return id
}

// login returns a full session of alice in acme.
func (e *emu) login(t *testing.T) *client.DiscoveryExchangeResponse {
	t.Helper()
	resp, err := e.c.Discovery.ExchangeIntermediateSession(context.Background(), &client.DiscoveryExchangeParams{
		IntermediateSessionToken: e.srv.IntermediateSessionToken(alice), OrganizationID: e.org(t, "acme")})
	if err != nil {
		t.Fatal(err)
	}
	if !resp.MemberAuthenticated || resp.SessionToken == "" || resp.SessionJWT == "" || resp.MemberSession == nil {
		t.Fatalf("exchange did not log in: %+v", resp)
	}
	return resp
}

// mustReject checks that err is an API rejection (not an outage) of one of types.
func mustReject(t *testing.T, err error, types ...string) {
	t.Helper()
	var apiErr *client.Error
	if !errors.As(err, &apiErr) {
		t.Fatalf("err = %v, want an *Error", err)
	}
	if errors.Is(err, client.ErrUnavailable) || apiErr.StatusCode < 400 || apiErr.StatusCode >= 500 {
		t.Fatalf("err = %v, want a 4xx rejection", err)
	}
	if len(types) > 0 && !slices.Contains(types, apiErr.ErrorType) {
		t.Fatalf("error type %q, want one of %v", apiErr.ErrorType, types)
	}
}

func pkcePair() (verifier, challenge string) {
	verifier = "verifier-0123456789-0123456789-0123456789-0123"
	sum := sha256.Sum256([]byte(verifier))
	return verifier, base64.RawURLEncoding.EncodeToString(sum[:])
}

func TestEmulatorCredentials(t *testing.T) {
	t.Parallel()
	e := newEmu(t)
	bad, err := client.New(e.srv.ProjectID(), "secret-test-wrong", client.WithBaseURL(e.srv.URL()))
	if err != nil {
		t.Fatal(err)
	}
	_, err = bad.Sessions.Authenticate(context.Background(), &client.SessionsAuthenticateParams{SessionToken: "x"})
	mustReject(t, err, "unauthorized_credentials")
	if apiErr := (*client.Error)(nil); errors.As(err, &apiErr) && apiErr.StatusCode != 401 {
		t.Errorf("status %d, want 401", apiErr.StatusCode)
	}
	// The JWKS is public.
	if _, err := bad.Sessions.GetJWKS(context.Background(), nil); err != nil {
		t.Errorf("JWKS with a wrong secret: %v", err)
	}
}

func TestEmulatorMagicLinkDiscovery(t *testing.T) {
	t.Parallel()
	e := newEmu(t)
	ctx := context.Background()
	verifier, challenge := pkcePair()
	if _, err := e.c.MagicLinks.DiscoverySend(ctx, &client.MagicLinksDiscoverySendParams{EmailAddress: alice,
		DiscoveryRedirectURL: "http://localhost:3000/authenticate", PkceCodeChallenge: challenge}); err != nil {
		t.Fatal(err)
	}
	_, token, ok := e.srv.LastMagicLink(alice)
	if !ok {
		t.Fatal("no magic link sent")
	}
	_, err := e.c.MagicLinks.DiscoveryAuthenticate(ctx, &client.MagicLinksDiscoveryAuthenticateParams{
		DiscoveryMagicLinksToken: token, PkceCodeVerifier: "some-other-browser-verifier-0123456789-0123456789"})
	mustReject(t, err)
	if _, err := e.c.MagicLinks.DiscoverySend(ctx, &client.MagicLinksDiscoverySendParams{EmailAddress: alice,
		DiscoveryRedirectURL: "http://localhost:3000/authenticate", PkceCodeChallenge: challenge}); err != nil {
		t.Fatal(err)
	}
	_, token, _ = e.srv.LastMagicLink(alice)
	resp, err := e.c.MagicLinks.DiscoveryAuthenticate(ctx, &client.MagicLinksDiscoveryAuthenticateParams{
		DiscoveryMagicLinksToken: token, PkceCodeVerifier: verifier})
	if err != nil {
		t.Fatal(err)
	}
	if resp.IntermediateSessionToken == "" || resp.EmailAddress != alice || resp.IntermediateSessionTokenExpiresAt == nil {
		t.Fatalf("response: %+v", resp)
	}
	var slugs []string
	for _, d := range resp.DiscoveredOrganizations {
		if d.Organization == nil || d.Membership == nil {
			t.Fatalf("incomplete discovered organization: %+v", d)
		}
		slugs = append(slugs, d.Organization.OrganizationSlug)
	}
	if !slices.Contains(slugs, "acme") || !slices.Contains(slugs, "beta") {
		t.Errorf("discovered %v, want acme and beta", slugs)
	}
	_, err = e.c.MagicLinks.DiscoveryAuthenticate(ctx, &client.MagicLinksDiscoveryAuthenticateParams{
		DiscoveryMagicLinksToken: token, PkceCodeVerifier: verifier})
	mustReject(t, err)

	list, err := e.c.Discovery.ListOrganizations(ctx, &client.DiscoveryListOrganizationsParams{IntermediateSessionToken: resp.IntermediateSessionToken})
	if err != nil {
		t.Fatal(err)
	}
	if list.EmailAddress != alice || len(list.DiscoveredOrganizations) < 2 {
		t.Errorf("list: %+v", list)
	}
}

func TestEmulatorOAuthDiscovery(t *testing.T) {
	t.Parallel()
	e := newEmu(t)
	resp, err := e.c.OAuth.DiscoveryAuthenticate(context.Background(), &client.OAuthDiscoveryAuthenticateParams{
		DiscoveryOAuthToken: e.srv.OAuthDiscoveryToken(alice)})
	if err != nil {
		t.Fatal(err)
	}
	if resp.IntermediateSessionToken == "" || resp.EmailAddress != alice {
		t.Errorf("response: %+v", resp)
	}
	_, err = e.c.OAuth.DiscoveryAuthenticate(context.Background(), &client.OAuthDiscoveryAuthenticateParams{DiscoveryOAuthToken: "oauth-token-bogus"})
	mustReject(t, err)
}

func TestEmulatorIntermediateSessions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("an unknown token is rejected", func(t *testing.T) {
		t.Parallel()
		e := newEmu(t)
		_, err := e.c.Discovery.ExchangeIntermediateSession(ctx, &client.DiscoveryExchangeParams{
			IntermediateSessionToken: "ist-bogus", OrganizationID: e.org(t, "acme")})
		mustReject(t, err, "intermediate_session_not_found")
	})
	t.Run("an expired token is rejected", func(t *testing.T) {
		t.Parallel()
		e := newEmu(t)
		ist := e.srv.IntermediateSessionToken(alice)
		e.clock.Advance(11 * time.Minute)
		_, err := e.c.Discovery.ExchangeIntermediateSession(ctx, &client.DiscoveryExchangeParams{
			IntermediateSessionToken: ist, OrganizationID: e.org(t, "acme")})
		mustReject(t, err, "intermediate_session_not_found")
	})
	t.Run("a consumed token is rejected", func(t *testing.T) {
		t.Parallel()
		e := newEmu(t)
		ist := e.srv.IntermediateSessionToken(alice)
		p := &client.DiscoveryExchangeParams{IntermediateSessionToken: ist, OrganizationID: e.org(t, "acme")}
		if _, err := e.c.Discovery.ExchangeIntermediateSession(ctx, p); err != nil {
			t.Fatal(err)
		}
		_, err := e.c.Discovery.ExchangeIntermediateSession(ctx, p)
		mustReject(t, err, "intermediate_session_not_found")
	})
	t.Run("a token creates an organization", func(t *testing.T) {
		t.Parallel()
		e := newEmu(t)
		resp, err := e.c.Discovery.CreateOrganization(ctx, &client.DiscoveryCreateOrganizationParams{
			IntermediateSessionToken: e.srv.IntermediateSessionToken("carol@new.test"), OrganizationName: "New Co", OrganizationSlug: "new-co"})
		if err != nil {
			t.Fatal(err)
		}
		if resp.Organization.OrganizationSlug != "new-co" || resp.Member.EmailAddress != "carol@new.test" || resp.SessionToken == "" {
			t.Errorf("response: %+v", resp)
		}
	})
}

func TestEmulatorSessions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEmu(t)
	login := e.login(t)
	acme := e.org(t, "acme")

	auth, err := e.c.Sessions.Authenticate(ctx, &client.SessionsAuthenticateParams{SessionToken: login.SessionToken})
	if err != nil {
		t.Fatal(err)
	}
	ms := auth.MemberSession
	if ms.MemberSessionID != login.MemberSession.MemberSessionID || ms.OrganizationID != acme || ms.StartedAt == nil ||
		!slices.Contains(ms.Roles, "stytch_admin") || len(ms.AuthenticationFactors) == 0 || auth.SessionJWT == "" {
		t.Errorf("authenticate: %+v", auth)
	}

	t.Run("an allowed check returns a verdict", func(t *testing.T) {
		resp, err := e.c.Sessions.Authenticate(ctx, &client.SessionsAuthenticateParams{SessionJWT: auth.SessionJWT,
			AuthorizationCheck: &client.AuthorizationCheck{OrganizationID: acme, ResourceID: "documents", Action: "write"}})
		if err != nil {
			t.Fatal(err)
		}
		if resp.Verdict == nil || !resp.Verdict.Authorized || !slices.Contains(resp.Verdict.GrantingRoles, "stytch_admin") {
			t.Errorf("verdict: %+v", resp.Verdict)
		}
	})
	t.Run("a denied check matches ErrAuthorizationDenied", func(t *testing.T) {
		// alice is a plain member in beta (stytch_admin covers every resource).
		beta := e.org(t, "beta")
		token, _, err := e.srv.CreateSession(e.member(t, "beta", alice))
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.c.Sessions.Authenticate(ctx, &client.SessionsAuthenticateParams{SessionToken: token,
			AuthorizationCheck: &client.AuthorizationCheck{OrganizationID: beta, ResourceID: "documents", Action: "write"}})
		if !errors.Is(err, client.ErrAuthorizationDenied) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("a check on another organization matches ErrTenancyMismatch", func(t *testing.T) {
		_, err := e.c.Sessions.Authenticate(ctx, &client.SessionsAuthenticateParams{SessionToken: login.SessionToken,
			AuthorizationCheck: &client.AuthorizationCheck{OrganizationID: e.org(t, "beta"), ResourceID: "documents", Action: "read"}})
		if !errors.Is(err, client.ErrTenancyMismatch) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("sessions are listed", func(t *testing.T) {
		resp, err := e.c.Sessions.Get(ctx, &client.SessionsGetParams{OrganizationID: acme, MemberID: login.MemberID})
		if err != nil {
			t.Fatal(err)
		}
		if len(resp.MemberSessions) == 0 {
			t.Error("no sessions listed")
		}
	})
	t.Run("a session is exchanged for another organization", func(t *testing.T) {
		resp, err := e.c.Sessions.Exchange(ctx, &client.SessionsExchangeParams{SessionToken: login.SessionToken, OrganizationID: e.org(t, "beta")})
		if err != nil {
			t.Fatal(err)
		}
		if resp.Organization.OrganizationSlug != "beta" || !resp.MemberAuthenticated || resp.SessionToken == "" {
			t.Errorf("exchange: %+v", resp)
		}
	})
	t.Run("an external session is migrated", func(t *testing.T) {
		resp, err := e.c.Sessions.Migrate(ctx, &client.SessionsMigrateParams{SessionToken: e.srv.MigrationToken(alice), OrganizationID: acme})
		if err != nil {
			t.Fatal(err)
		}
		if resp.SessionToken == "" || resp.Member.EmailAddress != alice {
			t.Errorf("migrate: %+v", resp)
		}
	})
	t.Run("a revoked session is not found", func(t *testing.T) {
		if _, err := e.c.Sessions.Revoke(ctx, &client.SessionsRevokeParams{SessionToken: login.SessionToken}); err != nil {
			t.Fatal(err)
		}
		_, err := e.c.Sessions.Authenticate(ctx, &client.SessionsAuthenticateParams{SessionToken: login.SessionToken})
		mustReject(t, err, "session_not_found")
	})
}

func TestEmulatorJWTVerifiesLocally(t *testing.T) {
	t.Parallel()
	e := newEmu(t)
	login := e.login(t)
	keys, err := e.c.Sessions.GetJWKS(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(keys.Keys) == 0 || keys.Keys[0].Kty != "RSA" || keys.Keys[0].Kid == "" {
		t.Fatalf("keys: %+v", keys)
	}

	j, err := e.c.NewJWKS(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	var claims client.SessionClaims
	_, err = jwt.ParseWithClaims(login.SessionJWT, &claims, j.Keyfunc, jwt.WithValidMethods([]string{"RS256"}),
		jwt.WithAudience(e.c.ProjectID()), jwt.WithTimeFunc(e.clock.Now))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	if !slices.Contains(e.c.Issuers(), claims.Issuer) || claims.Subject != login.MemberID ||
		claims.Session.ID != login.MemberSession.MemberSessionID || claims.Organization.ID != e.org(t, "acme") ||
		claims.Session.StartedAt == nil || len(claims.Session.AuthenticationFactors) == 0 || claims.IssuedAt == nil {
		t.Errorf("claims: %+v", claims)
	}

	// A rotated key is picked up through the unknown-kid refresh.
	e.srv.RotateKey()
	fresh, err := e.c.Sessions.Authenticate(context.Background(), &client.SessionsAuthenticateParams{SessionToken: login.SessionToken})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := jwt.Parse(fresh.SessionJWT, j.Keyfunc, jwt.WithTimeFunc(e.clock.Now)); err != nil {
		t.Fatalf("rotated key: %v", err)
	}
}

func TestEmulatorMFA(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	// mfaStart exchanges an intermediate session of bob for "secure", which requires MFA.
	mfaStart := func(t *testing.T, e *emu) (ist, orgID, memberID string) {
		t.Helper()
		orgID = e.org(t, "secure")
		resp, err := e.c.Discovery.ExchangeIntermediateSession(ctx, &client.DiscoveryExchangeParams{
			IntermediateSessionToken: e.srv.IntermediateSessionToken(bob), OrganizationID: orgID})
		if err != nil {
			t.Fatal(err)
		}
		if resp.MemberAuthenticated || resp.SessionToken != "" || resp.IntermediateSessionToken == "" ||
			resp.MFARequired == nil || resp.MFARequired.MemberOptions == nil {
			t.Fatalf("exchange should require MFA: %+v", resp)
		}
		return resp.IntermediateSessionToken, orgID, resp.MemberID
	}

	t.Run("an SMS code logs in once and only when right and fresh", func(t *testing.T) {
		t.Parallel()
		e := newEmu(t)
		ist, org, member := mfaStart(t, e)
		send := &client.OTPsSMSSendParams{OrganizationID: org, MemberID: member, IntermediateSessionToken: ist}
		if _, err := e.c.OTPs.SMSSend(ctx, send); err != nil {
			t.Fatal(err)
		}
		code := e.srv.LastSMSCode(phone)
		wrong := "000000"
		if code == wrong {
			wrong = "111111"
		}
		auth := func(c string) (*client.OTPsSMSAuthenticateResponse, error) {
			return e.c.OTPs.SMSAuthenticate(ctx, &client.OTPsSMSAuthenticateParams{OrganizationID: org, MemberID: member,
				IntermediateSessionToken: ist, Code: c})
		}
		_, err := auth(wrong)
		mustReject(t, err, "unable_to_auth_otp_code", "otp_code_not_found")
		resp, err := auth(code)
		if err != nil {
			t.Fatal(err)
		}
		if resp.SessionToken == "" || resp.MemberSession == nil {
			t.Fatalf("response: %+v", resp)
		}
		_, err = auth(code)
		mustReject(t, err)

		ist2, _, _ := mfaStart(t, e)
		send.IntermediateSessionToken = ist2
		if _, err := e.c.OTPs.SMSSend(ctx, send); err != nil {
			t.Fatal(err)
		}
		code = e.srv.LastSMSCode(phone)
		e.clock.Advance(3 * time.Minute)
		_, err = e.c.OTPs.SMSAuthenticate(ctx, &client.OTPsSMSAuthenticateParams{OrganizationID: org, MemberID: member,
			IntermediateSessionToken: ist2, Code: code})
		mustReject(t, err, "otp_code_not_found", "unable_to_auth_otp_code")
	})

	t.Run("a TOTP code logs in only when right", func(t *testing.T) {
		t.Parallel()
		e := newEmu(t)
		ist, org, member := mfaStart(t, e)
		code, err := e.srv.TOTPCode(member)
		if err != nil {
			t.Fatal(err)
		}
		wrong := "000000"
		if code == wrong {
			wrong = "111111"
		}
		_, err = e.c.TOTPs.Authenticate(ctx, &client.TOTPsAuthenticateParams{OrganizationID: org, MemberID: member, IntermediateSessionToken: ist, Code: wrong})
		mustReject(t, err, "invalid_totp_code")
		resp, err := e.c.TOTPs.Authenticate(ctx, &client.TOTPsAuthenticateParams{OrganizationID: org, MemberID: member, IntermediateSessionToken: ist, Code: code})
		if err != nil {
			t.Fatal(err)
		}
		if resp.SessionJWT == "" || resp.MemberSession == nil {
			t.Fatalf("response: %+v", resp)
		}
	})

	t.Run("a TOTP registration is created and migrated", func(t *testing.T) {
		t.Parallel()
		e := newEmu(t)
		org := e.org(t, "secure")
		daveID := e.member(t, "secure", dave)
		created, err := e.c.TOTPs.Create(ctx, &client.TOTPsCreateParams{OrganizationID: org, MemberID: daveID})
		if err != nil {
			t.Fatal(err)
		}
		if created.Secret == "" || created.TOTPRegistrationID == "" || len(created.RecoveryCodes) == 0 || created.QrCode == "" {
			t.Errorf("create: %+v", created)
		}
		migrated, err := e.c.TOTPs.Migrate(ctx, &client.TOTPsMigrateParams{OrganizationID: e.org(t, "acme"), MemberID: e.member(t, "acme", alice),
			Secret: "JBSWY3DPEHPK3PXP", RecoveryCodes: []string{"migr-ated-0001", "migr-ated-0002"}})
		if err != nil {
			t.Fatal(err)
		}
		if migrated.TOTPRegistrationID == "" {
			t.Errorf("migrate: %+v", migrated)
		}
	})

	t.Run("a recovery code logs in once", func(t *testing.T) {
		t.Parallel()
		e := newEmu(t)
		ist, org, member := mfaStart(t, e)
		codes, err := e.c.RecoveryCodes.Get(ctx, &client.RecoveryCodesGetParams{OrganizationID: org, MemberID: member})
		if err != nil {
			t.Fatal(err)
		}
		if len(codes.RecoveryCodes) != 3 {
			t.Fatalf("codes: %v", codes.RecoveryCodes)
		}
		recoverWith := func(ist, code string) (*client.RecoveryCodesRecoverResponse, error) {
			return e.c.RecoveryCodes.Recover(ctx, &client.RecoveryCodesRecoverParams{OrganizationID: org, MemberID: member,
				IntermediateSessionToken: ist, RecoveryCode: code})
		}
		resp, err := recoverWith(ist, codes.RecoveryCodes[0])
		if err != nil {
			t.Fatal(err)
		}
		if resp.SessionToken == "" || resp.RecoveryCodesRemaining != 2 {
			t.Errorf("recover: %+v", resp)
		}
		ist2, _, _ := mfaStart(t, e)
		_, err = recoverWith(ist2, codes.RecoveryCodes[0])
		mustReject(t, err, "unable_to_authenticate_recovery_code", "invalid_recovery_code")

		rotated, err := e.c.RecoveryCodes.Rotate(ctx, &client.RecoveryCodesRotateParams{OrganizationID: org, MemberID: member})
		if err != nil {
			t.Fatal(err)
		}
		if len(rotated.RecoveryCodes) == 0 || slices.Contains(rotated.RecoveryCodes, codes.RecoveryCodes[1]) {
			t.Errorf("rotate: %v", rotated.RecoveryCodes)
		}
	})
}

func TestEmulatorRBAC(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEmu(t)
	acme := e.org(t, "acme")
	policy, err := e.c.RBAC.Policy(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	var roles []string
	for _, r := range policy.Policy.Roles {
		roles = append(roles, r.RoleID)
	}
	if policy.Policy == nil || !slices.Contains(roles, "stytch_admin") || !slices.Contains(roles, "editor") {
		t.Fatalf("policy roles %v", roles)
	}
	orgPolicy, err := e.c.RBAC.OrganizationPolicy(ctx, &client.RBACOrganizationPolicyParams{OrganizationID: acme})
	if err != nil {
		t.Fatal(err)
	}
	if len(orgPolicy.OrgPolicy.Roles) != 1 || orgPolicy.OrgPolicy.Roles[0].RoleID != "org-auditor" {
		t.Fatalf("org policy %+v", orgPolicy.OrgPolicy)
	}

	cache := mustPolicyCache(t, e.c)
	tests := []struct {
		name    string
		roles   []string
		check   client.AuthorizationCheck
		wantErr error
	}{
		{name: "an editor writes documents", roles: []string{"editor"}, check: client.AuthorizationCheck{OrganizationID: acme, ResourceID: "documents", Action: "write"}},
		{name: "an org auditor exports audit logs", roles: []string{"org-auditor"}, check: client.AuthorizationCheck{OrganizationID: acme, ResourceID: "audit_logs", Action: "export"}},
		{name: "a member does not write documents", roles: []string{"stytch_member"}, check: client.AuthorizationCheck{OrganizationID: acme, ResourceID: "documents", Action: "write"}, wantErr: client.ErrAuthorizationDenied},
		{name: "another organization is a tenancy error", roles: []string{"stytch_admin"}, check: client.AuthorizationCheck{OrganizationID: e.org(t, "beta"), ResourceID: "documents", Action: "read"}, wantErr: client.ErrTenancyMismatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkDecision(t, cache.Authorize(ctx, acme, tt.roles, tt.check), tt.wantErr)
		})
	}
}

func TestEmulatorFaults(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEmu(t)
	e.srv.SetFault(emulator.Fault{Status: 503})
	_, err := e.c.Sessions.Authenticate(ctx, &client.SessionsAuthenticateParams{SessionToken: "t"})
	if !errors.Is(err, client.ErrUnavailable) {
		t.Fatalf("503: err = %v", err)
	}
	if n := e.srv.Calls("POST", "/v1/b2b/sessions/authenticate"); n != 1 {
		t.Errorf("POST sent %d times", n)
	}
	_, err = e.c.RBAC.Policy(ctx, nil)
	if !errors.Is(err, client.ErrUnavailable) {
		t.Fatalf("503: err = %v", err)
	}
	if n := e.srv.Calls("GET", "/v1/b2b/rbac/policy"); n != 3 {
		t.Errorf("GET sent %d times, want 3", n)
	}
	e.srv.SetFault(emulator.Fault{Drop: true})
	_, err = e.c.Sessions.Revoke(ctx, &client.SessionsRevokeParams{SessionToken: "t"})
	if !errors.Is(err, client.ErrUnavailable) {
		t.Fatalf("dropped connection: err = %v", err)
	}
	e.srv.SetFault(emulator.Fault{Status: 429})
	_, err = e.c.Sessions.Revoke(ctx, &client.SessionsRevokeParams{SessionToken: "t"})
	if !errors.Is(err, client.ErrUnavailable) {
		t.Fatalf("429: err = %v", err)
	}
	e.srv.ClearFaults()
}
