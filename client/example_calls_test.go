package client_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/b2bauth/b2bauth/client"
	"github.com/b2bauth/b2bauth/emulator"
)

func ExampleWithBaseURL() {
	s, err := emulator.New(emulator.WithProjectID("project-test-example"))
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()

	// Point the client at the emulator (or any Stytch-compatible API).
	c, err := client.New(s.ProjectID(), s.Secret(), client.WithBaseURL(s.URL()+"/"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(c.ProjectID())
	fmt.Println(c.BaseURL() == s.URL())
	fmt.Println(strings.TrimPrefix(c.JWKSURL(), s.URL()))
	// Output:
	// project-test-example
	// true
	// /v1/b2b/sessions/jwks/project-test-example
}

func ExampleWithHTTPClient() {
	s, _, stop := startExample()
	defer stop()

	// The client sends every call through the given *http.Client, e.g. one
	// with an instrumented transport.
	counter := &countingTransport{base: http.DefaultTransport}
	c, err := client.New(s.ProjectID(), s.Secret(), client.WithBaseURL(s.URL()),
		client.WithHTTPClient(&http.Client{Transport: counter}))
	if err != nil {
		log.Fatal(err)
	}
	if _, err := c.RBAC.Policy(context.Background(), nil); err != nil {
		log.Fatal(err)
	}
	fmt.Println(counter.n.Load())
	// Output: 1
}

func ExampleWithTimeout() {
	s, c, stop := startExample()
	defer stop()

	// Stytch does not answer within the time limit of an attempt.
	s.SetFault(emulator.Fault{Path: "/v1/b2b/sessions/authenticate", Latency: time.Hour})
	quick, err := client.New(s.ProjectID(), s.Secret(), client.WithBaseURL(s.URL()),
		client.WithTimeout(20*time.Millisecond))
	if err != nil {
		log.Fatal(err)
	}
	_, err = quick.Sessions.Authenticate(context.Background(), &client.SessionsAuthenticateParams{SessionToken: "any"})
	fmt.Println(errors.Is(err, client.ErrUnavailable))

	// Other paths are not delayed.
	_, err = c.RBAC.Policy(context.Background(), nil)
	fmt.Println(err)
	// Output:
	// true
	// <nil>
}

func ExampleClient_NewJWKS() {
	s, c, stop := startExample()
	defer stop()
	_, sessionJWT := login(s, "acme", exampleAda)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel() // stops the background refresh, like jwks.Close
	jwks, err := c.NewJWKS(ctx,
		client.WithRefreshInterval(30*time.Minute),
		client.WithUnknownKIDInterval(time.Minute),
	)
	if err != nil {
		log.Fatal(err)
	}
	defer jwks.Close()

	// Verify the session JWT locally: no call to Stytch per request.
	var claims client.SessionClaims
	_, err = jwt.ParseWithClaims(sessionJWT, &claims, jwks.Keyfunc,
		jwt.WithValidMethods([]string{"RS256"}),
		jwt.WithAudience(c.ProjectID()),
		jwt.WithExpirationRequired(),
	)
	fmt.Println(err)
	fmt.Println(slices.Contains(c.Issuers(), claims.Issuer))
	fmt.Println(claims.Organization.Slug, claims.Session.Roles)
	fmt.Println(claims.Session.AuthenticationFactors[0].Type)
	fmt.Println(s.Calls("GET", "/v1/b2b/sessions/jwks/"+c.ProjectID()))
	// Output:
	// <nil>
	// true
	// acme [stytch_member editor]
	// magic_link
	// 1
}

func ExampleJWKS_Keyfunc() {
	s, c, stop := startExample()
	defer stop()
	jwks := newJWKS(c)
	defer jwks.Close()

	// A key rotated in after the first fetch is found by the refresh that
	// its unknown kid triggers.
	s.RotateKey()
	_, fresh := login(s, "acme", exampleAda)
	_, err := jwt.Parse(fresh, jwks.Keyfunc, jwt.WithValidMethods([]string{"RS256"}))
	fmt.Println(err)

	// A token naming a key the project never published. (Refreshes for
	// unknown kids are rate limited, so junk tokens cannot flood Stytch.)
	forged, err := s.SignJWT(map[string]any{"sub": "member-test-x"}, map[string]any{"kid": "jwk-test-unknown"})
	if err != nil {
		log.Fatal(err)
	}
	_, err = jwt.Parse(forged, jwks.Keyfunc, jwt.WithValidMethods([]string{"RS256"}))
	fmt.Println(errors.Is(err, client.ErrUnknownKID))
	fmt.Println(s.Calls("GET", "/v1/b2b/sessions/jwks/"+c.ProjectID()))
	// Output:
	// <nil>
	// true
	// 2
}

func ExampleJWKS_KeyfuncCtx() {
	s, c, stop := startExample()
	defer stop()
	jwks := newJWKS(c)
	defer jwks.Close()
	_, sessionJWT := login(s, "beta", exampleAda)

	// In a handler, bound any refresh by the request's context.
	req, err := http.NewRequest("GET", "/dashboard", nil)
	if err != nil {
		log.Fatal(err)
	}
	var claims client.SessionClaims
	_, err = jwt.ParseWithClaims(sessionJWT, &claims, jwks.KeyfuncCtx(req.Context()))
	fmt.Println(err, claims.Organization.Slug)
	// Output: <nil> beta
}

func ExampleClient_NewPolicyCache() {
	s, c, stop := startExample()
	defer stop()
	acme := mustOrg(s, "acme")

	// A clock the example moves by hand.
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	cache := c.NewPolicyCache(
		client.WithPolicyMaxAge(time.Minute),
		client.WithPolicyClock(func() time.Time { return now }),
	)
	check := client.AuthorizationCheck{OrganizationID: acme, ResourceID: "documents", Action: "read"}
	roles := []string{"editor", "stytch_member"}
	ctx := context.Background()

	for range 3 {
		if err := cache.Authorize(ctx, acme, roles, check); err != nil {
			log.Fatal(err)
		}
	}
	fmt.Println("fetches while fresh:", s.Calls("GET", "/v1/b2b/rbac/policy"))

	now = now.Add(2 * time.Minute)
	if err := cache.Authorize(ctx, acme, roles, check); err != nil {
		log.Fatal(err)
	}
	fmt.Println("fetches after max age:", s.Calls("GET", "/v1/b2b/rbac/policy"))
	// Output:
	// fetches while fresh: 1
	// fetches after max age: 2
}

func ExamplePolicyCache_Authorize() {
	s, c, stop := startExample()
	defer stop()
	acme, beta := mustOrg(s, "acme"), mustOrg(s, "beta")
	cache := c.NewPolicyCache()
	ctx := context.Background()

	// The roles and organization come from the verified session, e.g. the
	// claims of its JWT.
	roles := []string{"editor", "stytch_member"}
	write := client.AuthorizationCheck{OrganizationID: acme, ResourceID: "documents", Action: "write"}
	remove := client.AuthorizationCheck{OrganizationID: acme, ResourceID: "documents", Action: "delete"}
	export := client.AuthorizationCheck{OrganizationID: acme, ResourceID: "audit_logs", Action: "export"}
	elsewhere := client.AuthorizationCheck{OrganizationID: beta, ResourceID: "documents", Action: "read"}

	fmt.Println(cache.Authorize(ctx, acme, roles, write))
	fmt.Println(errors.Is(cache.Authorize(ctx, acme, roles, remove), client.ErrAuthorizationDenied))
	fmt.Println(errors.Is(cache.Authorize(ctx, acme, roles, elsewhere), client.ErrTenancyMismatch))
	// A role of the organization's own policy.
	fmt.Println(cache.Authorize(ctx, acme, []string{"org-auditor"}, export))

	// Denials are *Error values with Stytch's status and type.
	var apiErr *client.Error
	if errors.As(cache.Authorize(ctx, acme, roles, remove), &apiErr) {
		fmt.Println(apiErr.StatusCode, apiErr.ErrorType)
	}
	// Output:
	// <nil>
	// true
	// true
	// <nil>
	// 403 session_authorization_error
}

func ExampleRBACService_Policy() {
	_, c, stop := startExample()
	defer stop()

	resp, err := c.RBAC.Policy(context.Background(), nil)
	if err != nil {
		log.Fatal(err)
	}
	var roles, resources []string
	for _, r := range resp.Policy.Roles {
		roles = append(roles, r.RoleID)
	}
	for _, r := range resp.Policy.Resources {
		// Skip Stytch's own resources (stytch.member, stytch.organization, ...).
		if !strings.HasPrefix(r.ResourceID, "stytch.") {
			resources = append(resources, r.ResourceID)
		}
	}
	slices.Sort(roles)
	slices.Sort(resources)
	fmt.Println(resp.StatusCode, roles, resources)

	// The same policy decides locally, without a call per check.
	err = client.AuthorizeWithPolicy(resp.Policy, nil, "org-1", []string{"editor"},
		client.AuthorizationCheck{OrganizationID: "org-1", ResourceID: "documents", Action: "write"})
	fmt.Println(err)
	// Output:
	// 200 [editor stytch_admin stytch_member] [audit_logs documents]
	// <nil>
}

func ExampleRBACService_OrganizationPolicy() {
	s, c, stop := startExample()
	defer stop()

	resp, err := c.RBAC.OrganizationPolicy(context.Background(),
		&client.RBACOrganizationPolicyParams{OrganizationID: mustOrg(s, "acme")})
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range resp.OrgPolicy.Roles {
		fmt.Println(r.RoleID, r.Permissions[0].ResourceID, r.Permissions[0].Actions)
	}
	// Output: org-auditor audit_logs [export]
}

func ExampleSessionsService_Authenticate_authorizationCheck() {
	s, c, stop := startExample()
	defer stop()
	acme := mustOrg(s, "acme")
	token, _ := login(s, "acme", exampleAda)
	ctx := context.Background()

	resp, err := c.Sessions.Authenticate(ctx, &client.SessionsAuthenticateParams{
		SessionToken:       token,
		AuthorizationCheck: &client.AuthorizationCheck{OrganizationID: acme, ResourceID: "documents", Action: "write"},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.Organization.OrganizationSlug, resp.Member.EmailAddress, resp.SessionJWT != "")
	fmt.Println(resp.Verdict.Authorized, resp.Verdict.GrantingRoles)

	_, err = c.Sessions.Authenticate(ctx, &client.SessionsAuthenticateParams{
		SessionToken:       token,
		AuthorizationCheck: &client.AuthorizationCheck{OrganizationID: acme, ResourceID: "documents", Action: "delete"},
	})
	fmt.Println(errors.Is(err, client.ErrAuthorizationDenied))
	// Output:
	// acme ada@acme.test true
	// true [editor]
	// true
}

func ExampleSessionsService_Revoke() {
	s, c, stop := startExample()
	defer stop()
	token, _ := login(s, "acme", exampleAda)
	ctx := context.Background()

	resp, err := c.Sessions.Revoke(ctx, &client.SessionsRevokeParams{SessionToken: token})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.StatusCode)

	_, err = c.Sessions.Authenticate(ctx, &client.SessionsAuthenticateParams{SessionToken: token})
	fmt.Println(errorType(err))
	// Output:
	// 200
	// session_not_found
}

func ExampleSessionsService_Exchange() {
	s, c, stop := startExample()
	defer stop()
	token, _ := login(s, "acme", exampleAda)

	// Switch ada's session from acme to beta without a new login.
	resp, err := c.Sessions.Exchange(context.Background(), &client.SessionsExchangeParams{
		SessionToken:   token,
		OrganizationID: mustOrg(s, "beta"),
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.Organization.OrganizationSlug, resp.MemberAuthenticated, resp.SessionToken != token)
	// Output: beta true true
}

func ExampleSessionsService_Get() {
	s, c, stop := startExample()
	defer stop()
	ada := mustMember(s, "acme", exampleAda)
	for range 2 {
		if _, _, err := s.CreateSession(ada); err != nil {
			log.Fatal(err)
		}
	}

	resp, err := c.Sessions.Get(context.Background(), &client.SessionsGetParams{
		OrganizationID: mustOrg(s, "acme"),
		MemberID:       ada,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(resp.MemberSessions))
	// Output: 2
}

func ExampleSessionsService_GetJWKS() {
	s, c, stop := startExample()
	defer stop()
	s.RotateKey()

	// The key set is public: a wrong secret does not matter.
	public, err := client.New(c.ProjectID(), "secret-test-wrong", client.WithBaseURL(s.URL()))
	if err != nil {
		log.Fatal(err)
	}
	resp, err := public.Sessions.GetJWKS(context.Background(), nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(resp.Keys), resp.Keys[0].Kty, resp.Keys[0].Alg)
	// Output: 2 RSA RS256
}

func ExampleSessionsService_Migrate() {
	s, c, stop := startExample()
	defer stop()

	// The emulator stands in for the external provider that knows the token.
	resp, err := c.Sessions.Migrate(context.Background(), &client.SessionsMigrateParams{
		SessionToken:   s.MigrationToken(exampleAda),
		OrganizationID: mustOrg(s, "acme"),
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.Member.EmailAddress, resp.SessionToken != "", resp.SessionJWT != "")
	// Output: ada@acme.test true true
}

func ExampleDiscoveryService_ListOrganizations() {
	s, c, stop := startExample()
	defer stop()

	// An intermediate session token, as a discovery authenticate call returns.
	ist := s.IntermediateSessionToken(exampleAda)
	resp, err := c.Discovery.ListOrganizations(context.Background(),
		&client.DiscoveryListOrganizationsParams{IntermediateSessionToken: ist})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.EmailAddress)
	for _, d := range resp.DiscoveredOrganizations {
		fmt.Println(d.Organization.OrganizationSlug, d.Membership.Type)
	}
	// Output:
	// ada@acme.test
	// acme active_member
	// beta active_member
}

func ExampleDiscoveryService_ExchangeIntermediateSession() {
	s, c, stop := startExample()
	defer stop()
	ctx := context.Background()

	// Ada enters acme, whose MFA is optional: a session at once.
	resp, err := c.Discovery.ExchangeIntermediateSession(ctx, &client.DiscoveryExchangeParams{
		IntermediateSessionToken: s.IntermediateSessionToken(exampleAda),
		OrganizationID:           mustOrg(s, "acme"),
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.MemberAuthenticated, resp.SessionToken != "", resp.MemberSession.Roles)

	// Sam enters secure, which requires MFA: the token comes back with what
	// MFA needs, and an SMS code was already sent to his verified phone.
	resp, err = c.Discovery.ExchangeIntermediateSession(ctx, &client.DiscoveryExchangeParams{
		IntermediateSessionToken: s.IntermediateSessionToken(exampleSam),
		OrganizationID:           mustOrg(s, "secure"),
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.MemberAuthenticated, resp.SessionToken == "", resp.IntermediateSessionToken != "")
	fmt.Println(resp.MFARequired.SecondaryAuthInitiated, resp.MFARequired.MemberOptions.MFAPhoneNumber)
	// Output:
	// true true [stytch_member editor]
	// false true true
	// sms_otp +15555550101
}

func ExampleDiscoveryService_CreateOrganization() {
	s, c, stop := startExample()
	defer stop()

	resp, err := c.Discovery.CreateOrganization(context.Background(), &client.DiscoveryCreateOrganizationParams{
		IntermediateSessionToken: s.IntermediateSessionToken("cleo@new.test"),
		OrganizationName:         "New Co",
		OrganizationSlug:         "new-co",
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.Organization.OrganizationSlug, resp.Member.EmailAddress, resp.MemberAuthenticated)
	// The creator administers the new organization.
	fmt.Println(slices.Contains(resp.MemberSession.Roles, "stytch_admin"))
	// Output:
	// new-co cleo@new.test true
	// true
}

func ExampleMagicLinksService_DiscoverySend() {
	s, c, stop := startExample()
	defer stop()
	_, challenge := examplePKCE()

	resp, err := c.MagicLinks.DiscoverySend(context.Background(), &client.MagicLinksDiscoverySendParams{
		EmailAddress:         exampleAda,
		DiscoveryRedirectURL: "https://app.example.com/authenticate",
		PkceCodeChallenge:    challenge,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.StatusCode)

	// The emulator keeps the email instead of sending it.
	link, _, ok := s.LastMagicLink(exampleAda)
	fmt.Println(ok, strings.HasPrefix(link, "https://app.example.com/authenticate?"))
	// Output:
	// 200
	// true true
}

func ExampleMagicLinksService_DiscoveryAuthenticate() {
	s, c, stop := startExample()
	defer stop()
	ctx := context.Background()
	verifier, challenge := examplePKCE()
	token := sendDiscoveryLink(s, c, exampleAda, challenge)

	resp, err := c.MagicLinks.DiscoveryAuthenticate(ctx, &client.MagicLinksDiscoveryAuthenticateParams{
		DiscoveryMagicLinksToken: token,
		PkceCodeVerifier:         verifier,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.EmailAddress, resp.IntermediateSessionToken != "", len(resp.DiscoveredOrganizations))

	// A link works once.
	_, err = c.MagicLinks.DiscoveryAuthenticate(ctx, &client.MagicLinksDiscoveryAuthenticateParams{
		DiscoveryMagicLinksToken: token,
		PkceCodeVerifier:         verifier,
	})
	fmt.Println(errorType(err))
	// Output:
	// ada@acme.test true 2
	// unable_to_auth_magic_link
}

func ExampleOAuthService_DiscoveryAuthenticate() {
	s, c, stop := startExample()
	defer stop()
	verifier, challenge := examplePKCE()

	// The emulator stands in for the identity provider's redirect, which
	// carries the discovery_oauth_token.
	token := s.OAuthDiscoveryToken(exampleAda, emulator.WithPKCEChallenge(challenge))

	resp, err := c.OAuth.DiscoveryAuthenticate(context.Background(), &client.OAuthDiscoveryAuthenticateParams{
		DiscoveryOAuthToken: token,
		PkceCodeVerifier:    verifier,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.EmailAddress, resp.ProviderType, resp.IntermediateSessionToken != "")
	// Output: ada@acme.test Google true
}

func ExampleOTPsService_SMSSend() {
	s, c, stop := startExample()
	defer stop()
	ctx := context.Background()
	secure := mustOrg(s, "secure")

	// Bob has a TOTP registration too, so no code is sent on entering.
	ex := enter(s, c, exampleBob, "secure")
	fmt.Printf("%q\n", ex.MFARequired.SecondaryAuthInitiated)

	resp, err := c.OTPs.SMSSend(ctx, &client.OTPsSMSSendParams{
		OrganizationID:           secure,
		MemberID:                 ex.MemberID,
		IntermediateSessionToken: ex.IntermediateSessionToken,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.StatusCode, len(s.LastSMSCode("+15555550100")))
	// Output:
	// ""
	// 200 6
}

func ExampleOTPsService_SMSAuthenticate() {
	s, c, stop := startExample()
	defer stop()
	ctx := context.Background()
	secure := mustOrg(s, "secure")
	ex := enter(s, c, exampleSam, "secure")
	// The exchange sent the code (secondary_auth_initiated "sms_otp").
	code := s.LastSMSCode(exampleSamPhone)

	resp, err := c.OTPs.SMSAuthenticate(ctx, &client.OTPsSMSAuthenticateParams{
		OrganizationID:           secure,
		MemberID:                 ex.MemberID,
		IntermediateSessionToken: ex.IntermediateSessionToken,
		Code:                     code,
	})
	if err != nil {
		log.Fatal(err)
	}
	var types []string
	for _, f := range resp.MemberSession.AuthenticationFactors {
		types = append(types, f.Type+"/"+f.DeliveryMethod)
	}
	fmt.Println(resp.SessionToken != "", types)
	// Output: true [magic_link/email otp/sms]
}

func ExampleTOTPsService_Create() {
	s, c, stop := startExample()
	defer stop()
	ctx := context.Background()
	secure := mustOrg(s, "secure")

	// Tia must do MFA in secure but has no factor yet: she enrols TOTP.
	ex := enter(s, c, exampleTia, "secure")
	resp, err := c.TOTPs.Create(ctx, &client.TOTPsCreateParams{
		OrganizationID:           secure,
		MemberID:                 ex.MemberID,
		IntermediateSessionToken: ex.IntermediateSessionToken,
	})
	if err != nil {
		log.Fatal(err)
	}
	// Show the QR code once; the member keeps the recovery codes.
	fmt.Println(resp.Secret != "", strings.HasPrefix(resp.QrCode, "data:image/png;base64,"), len(resp.RecoveryCodes))
	// Output: true true 10
}

func ExampleTOTPsService_Authenticate() {
	s, c, stop := startExample()
	defer stop()
	ctx := context.Background()
	secure := mustOrg(s, "secure")
	ex := enter(s, c, exampleBob, "secure")
	// The code bob's authenticator app shows now.
	code, err := s.TOTPCode(ex.MemberID)
	if err != nil {
		log.Fatal(err)
	}

	p := &client.TOTPsAuthenticateParams{
		OrganizationID:           secure,
		MemberID:                 ex.MemberID,
		IntermediateSessionToken: ex.IntermediateSessionToken,
		Code:                     code,
	}
	resp, err := c.TOTPs.Authenticate(ctx, p)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.SessionToken != "", resp.Organization.OrganizationSlug)

	// A code works once: replaying it is refused.
	p.IntermediateSessionToken, p.SessionToken = "", resp.SessionToken
	_, err = c.TOTPs.Authenticate(ctx, p)
	fmt.Println(errorType(err))
	// Output:
	// true secure
	// totp_code_already_authenticated
}

func ExampleTOTPsService_Migrate() {
	s, c, stop := startExample()
	defer stop()

	// Import tia's registration from another system.
	resp, err := c.TOTPs.Migrate(context.Background(), &client.TOTPsMigrateParams{
		OrganizationID: mustOrg(s, "secure"),
		MemberID:       mustMember(s, "secure", exampleTia),
		Secret:         exampleTOTPS,
		RecoveryCodes:  []string{"cccc-dddd-0001", "cccc-dddd-0002"},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.TOTPRegistrationID != "", resp.RecoveryCodes)
	// Output: true [cccc-dddd-0001 cccc-dddd-0002]
}

func ExampleRecoveryCodesService_Recover() {
	s, c, stop := startExample()
	defer stop()
	ctx := context.Background()
	secure := mustOrg(s, "secure")
	ex := enter(s, c, exampleBob, "secure")

	// Bob lost his phone: a recovery code completes MFA instead.
	resp, err := c.RecoveryCodes.Recover(ctx, &client.RecoveryCodesRecoverParams{
		OrganizationID:           secure,
		MemberID:                 ex.MemberID,
		IntermediateSessionToken: ex.IntermediateSessionToken,
		RecoveryCode:             "aaaa-bbbb-0001",
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.SessionToken != "", resp.RecoveryCodesRemaining)

	// A recovery code works once.
	_, err = c.RecoveryCodes.Recover(ctx, &client.RecoveryCodesRecoverParams{
		OrganizationID: secure,
		MemberID:       ex.MemberID,
		SessionToken:   resp.SessionToken,
		RecoveryCode:   "aaaa-bbbb-0001",
	})
	fmt.Println(errorType(err))
	// Output:
	// true 2
	// unable_to_authenticate_recovery_code
}

func ExampleRecoveryCodesService_Get() {
	s, c, stop := startExample()
	defer stop()

	resp, err := c.RecoveryCodes.Get(context.Background(), &client.RecoveryCodesGetParams{
		OrganizationID: mustOrg(s, "secure"),
		MemberID:       mustMember(s, "secure", exampleBob),
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.RecoveryCodes)
	// Output: [aaaa-bbbb-0001 aaaa-bbbb-0002 aaaa-bbbb-0003]
}

func ExampleRecoveryCodesService_Rotate() {
	s, c, stop := startExample()
	defer stop()

	resp, err := c.RecoveryCodes.Rotate(context.Background(), &client.RecoveryCodesRotateParams{
		OrganizationID: mustOrg(s, "secure"),
		MemberID:       mustMember(s, "secure", exampleBob),
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(resp.RecoveryCodes), slices.Contains(resp.RecoveryCodes, "aaaa-bbbb-0001"))
	// Output: 10 false
}

func ExampleError() {
	s, c, stop := startExample()
	defer stop()

	_, err := c.Discovery.ExchangeIntermediateSession(context.Background(), &client.DiscoveryExchangeParams{
		IntermediateSessionToken: "ist-unknown",
		OrganizationID:           mustOrg(s, "acme"),
	})
	var apiErr *client.Error
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.StatusCode, apiErr.ErrorType, apiErr.RequestID != "")
	}
	// A rejection is an answer: Stytch was available.
	fmt.Println(errors.Is(err, client.ErrUnavailable))
	// Output:
	// 404 intermediate_session_not_found true
	// false
}

func ExampleError_Is() {
	s, c, stop := startExample()
	defer stop()
	ctx := context.Background()
	params := &client.SessionsAuthenticateParams{SessionToken: "any"}

	// Rate limits and server errors mean "Stytch could not answer":
	// fail closed, or keep a recently verified session, but do not log out.
	for _, status := range []int{http.StatusTooManyRequests, http.StatusServiceUnavailable} {
		s.SetFault(emulator.Fault{Path: "/v1/b2b/sessions/authenticate", Status: status})
		_, err := c.Sessions.Authenticate(ctx, params)
		fmt.Println(status, errorType(err), errors.Is(err, client.ErrUnavailable))
	}

	// A transport failure matches too, without an *Error.
	s.Close()
	_, err := c.Sessions.Authenticate(ctx, params)
	var apiErr *client.Error
	fmt.Println(errors.As(err, &apiErr), errors.Is(err, client.ErrUnavailable))
	// Output:
	// 429 too_many_requests true
	// 503 internal_server_error true
	// false true
}

func ExampleError_Error() {
	err := &client.Error{StatusCode: 404, ErrorType: "session_not_found", ErrorMessage: "Session not found."}
	fmt.Println(err)
	// Output: b2bauth: stytch session_not_found (404): Session not found.
}

func ExampleWithLogger() {
	s, _, stop := startExample()
	defer stop()

	// Every call is logged at debug level, failures at warn; drop the
	// varying attributes to keep the output stable.
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		Level: slog.LevelDebug,
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			switch a.Key {
			case slog.TimeKey, "duration", "request_id":
				return slog.Attr{}
			}
			return a
		},
	}))
	c, err := client.New(s.ProjectID(), s.Secret(), client.WithBaseURL(s.URL()), client.WithLogger(logger))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	_, _ = c.Sessions.Authenticate(ctx, &client.SessionsAuthenticateParams{SessionToken: "unknown"})
	if _, err := c.RBAC.Policy(ctx, nil); err != nil {
		log.Fatal(err)
	}
	// Output:
	// level=DEBUG msg="b2bauth: stytch call rejected" method=POST path=/v1/b2b/sessions/authenticate status=404 error_type=session_not_found
	// level=DEBUG msg="b2bauth: stytch call" method=GET path=/v1/b2b/rbac/policy status=200
}
