package emulator_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/b2bauth/b2bauth/client"
	"github.com/b2bauth/b2bauth/emulator"
)

func ExampleNewTest() {
	// In a test this is emulator.NewTest(t, ...) with the test's *testing.T.
	t := &exampleTB{}
	s := emulator.NewTest(t, emulator.WithSeed(acmeSeed))
	c := connect(s)
	ctx := context.Background()

	token, _ := login(s, "acme", "ada@acme.test")
	_, err := c.Sessions.Authenticate(ctx, &client.SessionsAuthenticateParams{SessionToken: token})
	fmt.Println(err)

	// The end of the test closes the server.
	t.end()
	_, err = c.Sessions.Authenticate(ctx, &client.SessionsAuthenticateParams{SessionToken: token})
	fmt.Println(errors.Is(err, client.ErrUnavailable))
	// Output:
	// <nil>
	// true
}

func ExampleServer_Close() {
	s, err := emulator.New()
	if err != nil {
		log.Fatal(err)
	}
	c := connect(s)

	s.Close()
	s.Close() // safe to call again
	_, err = c.Sessions.Authenticate(context.Background(), &client.SessionsAuthenticateParams{SessionToken: "any"})
	fmt.Println(errors.Is(err, client.ErrUnavailable))
	// Output: true
}

func ExampleWithProjectID() {
	s, err := emulator.New(
		emulator.WithProjectID("project-test-example"),
		emulator.WithSecret("secret-test-example"),
	)
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()

	fmt.Println(s.ProjectID(), s.Secret())
	fmt.Println(strings.HasPrefix(s.URL(), "http://127.0.0.1:"))

	// Basic auth must carry the project id and secret.
	wrong, err := client.New(s.ProjectID(), "secret-test-wrong", client.WithBaseURL(s.URL()))
	if err != nil {
		log.Fatal(err)
	}
	_, err = wrong.Sessions.Authenticate(context.Background(), &client.SessionsAuthenticateParams{SessionToken: "any"})
	fmt.Println(rejection(err))
	// Output:
	// project-test-example secret-test-example
	// true
	// 401 unauthorized_credentials
}

func ExampleWithAddr() {
	// A fixed address suits a development server; tests keep the default,
	// a free port of 127.0.0.1.
	s, err := emulator.New(emulator.WithAddr("127.0.0.1:0"))
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()

	res, err := http.Get(s.URL() + "/v1/b2b/sessions/jwks/" + s.ProjectID())
	if err != nil {
		log.Fatal(err)
	}
	res.Body.Close()
	fmt.Println(res.StatusCode)
	// Output: 200
}

func ExampleWithKeyFile() {
	dir, err := os.MkdirTemp("", "emulator-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	keys := filepath.Join(dir, "keys.pem")

	// The first server creates the file; a restarted one signs with the same
	// key, so JWTs and cached key sets stay valid.
	var kids [][]string
	for range 2 {
		s, err := emulator.New(emulator.WithKeyFile(keys))
		if err != nil {
			log.Fatal(err)
		}
		kids = append(kids, s.KeyIDs())
		s.Close()
	}
	fmt.Println(len(kids[0]), slices.Equal(kids[0], kids[1]))
	// Output: 1 true
}

func ExampleWithLogger() {
	// Log what the emulator "sends"; drop the time and the message body
	// (which holds the link) to keep the output stable.
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey || a.Key == "body" {
				return slog.Attr{}
			}
			return a
		},
	}))
	s, err := emulator.New(emulator.WithSeed(acmeSeed), emulator.WithLogger(logger))
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()

	_, err = connect(s).MagicLinks.DiscoverySend(context.Background(),
		&client.MagicLinksDiscoverySendParams{EmailAddress: "ada@acme.test"})
	if err != nil {
		log.Fatal(err)
	}
	// Output: level=INFO msg="emulator: sent email" to=ada@acme.test
}

func ExampleLoadSeed() {
	dir, err := os.MkdirTemp("", "emulator-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "seed.json")
	// Members name their organization by slug: a JSON seed needs no ids.
	const seedJSON = `{
	  "resources": [{"resource_id": "documents", "actions": ["read", "write"]}],
	  "roles": [{"role_id": "reader", "permissions": [{"resource_id": "documents", "actions": ["read"]}]}],
	  "organizations": [{"organization_name": "Acme", "organization_slug": "acme", "mfa_policy": "OPTIONAL"}],
	  "members": [{"organization": "acme", "email_address": "ada@acme.test", "roles": ["reader"]}]
	}`
	if err := os.WriteFile(path, []byte(seedJSON), 0o600); err != nil {
		log.Fatal(err)
	}

	seed, err := emulator.LoadSeed(path)
	if err != nil {
		log.Fatal(err)
	}
	s, err := emulator.New(emulator.WithSeed(seed))
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()

	org, ok := s.OrganizationID("acme")
	fmt.Println(ok, strings.HasPrefix(org, "organization-test-"))
	_, jwt := login(s, "acme", "ada@acme.test")
	resp, err := connect(s).Sessions.Authenticate(context.Background(), &client.SessionsAuthenticateParams{SessionJWT: jwt})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.MemberSession.Roles)
	// Output:
	// true true
	// [stytch_member reader]
}

func ExampleServer_ApplySeed() {
	s := start()
	defer s.Close()

	// Seed at run time, e.g. per test on a shared server.
	err := s.ApplySeed(emulator.Seed{
		Organizations: []emulator.OrganizationSeed{{ID: "organization-test-fixed", Name: "Globex", Slug: "globex"}},
		Members:       []emulator.MemberSeed{{Organization: "organization-test-fixed", Email: "gil@globex.test"}},
	})
	fmt.Println(err)
	_, ok := s.MemberID("globex", "gil@globex.test")
	fmt.Println(ok)

	// An invalid entry stops the seed with an error.
	err = s.ApplySeed(emulator.Seed{Members: []emulator.MemberSeed{{Organization: "nowhere", Email: "x@nowhere.test"}}})
	fmt.Println(err != nil)
	// Output:
	// <nil>
	// true
	// true
}

func ExampleServer_AddOrganization() {
	s := start()
	defer s.Close()

	org, err := s.AddOrganization(emulator.OrganizationSeed{
		Name:              "Secure",
		Slug:              "secure",
		MFAPolicy:         "REQUIRED_FOR_ALL",
		AllowedMFAMethods: []string{"totp"},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(strings.HasPrefix(org, "organization-test-"))

	// Slugs are unique.
	_, err = s.AddOrganization(emulator.OrganizationSeed{Name: "Secure again", Slug: "secure"})
	fmt.Println(err != nil)
	// Output:
	// true
	// true
}

func ExampleServer_AddMember() {
	s := start(emulator.WithSeed(acmeSeed))
	defer s.Close()

	member, err := s.AddMember(emulator.MemberSeed{
		Organization:           "acme",
		Email:                  "bob@acme.test",
		Roles:                  []string{"stytch_admin"},
		Phone:                  "+15555550100",
		MFAPhoneNumberVerified: true,
		MFAEnrolled:            true,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(strings.HasPrefix(member, "member-test-"))

	// Bob is enrolled in MFA: entering acme asks for it, and an SMS code
	// goes to his verified phone at once.
	org, _ := s.OrganizationID("acme")
	resp, err := connect(s).Discovery.ExchangeIntermediateSession(context.Background(), &client.DiscoveryExchangeParams{
		IntermediateSessionToken: s.IntermediateSessionToken("bob@acme.test"),
		OrganizationID:           org,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.MemberAuthenticated, resp.MFARequired.SecondaryAuthInitiated)
	// Output:
	// true
	// false sms_otp
}

func ExampleServer_AddRole() {
	s := start()
	defer s.Close()

	editor := emulator.Role{RoleID: "editor",
		Permissions: []emulator.Permission{{ResourceID: "documents", Actions: []string{"read", "write"}}}}
	// A role may only name resources of the policy.
	fmt.Println(s.AddRole(editor) != nil)
	fmt.Println(s.AddResource(emulator.Resource{ResourceID: "documents", Actions: []string{"read", "write", "delete"}}))
	fmt.Println(s.AddRole(editor))

	resp, err := connect(s).RBAC.Policy(context.Background(), nil)
	if err != nil {
		log.Fatal(err)
	}
	var roles []string
	for _, r := range resp.Policy.Roles {
		roles = append(roles, r.RoleID)
	}
	slices.Sort(roles)
	fmt.Println(roles)
	// Output:
	// true
	// <nil>
	// <nil>
	// [editor stytch_admin stytch_member]
}

func ExampleServer_AddOrganizationRole() {
	s := start(emulator.WithSeed(emulator.Seed{
		Resources:     []emulator.Resource{{ResourceID: "audit_logs", Actions: []string{"export"}}},
		Organizations: []emulator.OrganizationSeed{{Name: "Acme", Slug: "acme"}},
	}))
	defer s.Close()
	org, _ := s.OrganizationID("acme")

	err := s.AddOrganizationRole(org, emulator.Role{RoleID: "auditor",
		Permissions: []emulator.Permission{{ResourceID: "audit_logs", Actions: []string{"export"}}}})
	if err != nil {
		log.Fatal(err)
	}
	resp, err := connect(s).RBAC.OrganizationPolicy(context.Background(),
		&client.RBACOrganizationPolicyParams{OrganizationID: org})
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range resp.OrgPolicy.Roles {
		fmt.Println(r.RoleID)
	}
	// Output: auditor
}

func ExampleServer_SetPolicy() {
	s := start()
	defer s.Close()

	err := s.SetPolicy(emulator.Policy{
		Resources: []emulator.Resource{{ResourceID: "invoices", Actions: []string{"read", "pay"}}},
		Roles: []emulator.Role{{RoleID: "accountant",
			Permissions: []emulator.Permission{{ResourceID: "invoices", Actions: []string{"*"}}}}},
	})
	if err != nil {
		log.Fatal(err)
	}
	resp, err := connect(s).RBAC.Policy(context.Background(), nil)
	if err != nil {
		log.Fatal(err)
	}
	// accountant, plus stytch_admin and stytch_member, which always exist.
	fmt.Println(len(resp.Policy.Roles))
	err = client.AuthorizeWithPolicy(resp.Policy, nil, "org-1", []string{"accountant"},
		client.AuthorizationCheck{OrganizationID: "org-1", ResourceID: "invoices", Action: "pay"})
	fmt.Println(err)
	// Output:
	// 3
	// <nil>
}

func ExampleServer_MemberID() {
	s := start(emulator.WithSeed(acmeSeed))
	defer s.Close()

	org, ok := s.OrganizationID("acme")
	fmt.Println(ok)
	// The organization is named by slug or id; emails match case-insensitively.
	bySlug, ok1 := s.MemberID("acme", "ada@acme.test")
	byID, ok2 := s.MemberID(org, "Ada@Acme.test")
	fmt.Println(ok1, ok2, bySlug == byID)
	_, ok = s.MemberID("acme", "nobody@acme.test")
	fmt.Println(ok)
	_, ok = s.OrganizationID("nowhere")
	fmt.Println(ok)
	// Output:
	// true
	// true true true
	// false
	// false
}

func ExampleServer_CreateSession() {
	clock := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	s := start(
		emulator.WithClock(func() time.Time { return clock }),
		emulator.WithSeed(emulator.Seed{
			Organizations: []emulator.OrganizationSeed{{Name: "Acme", Slug: "acme"}},
			Members: []emulator.MemberSeed{{Organization: "acme", Email: "ada@acme.test",
				Phone: "+15555550100", MFAPhoneNumberVerified: true}},
		}),
	)
	defer s.Close()
	member, _ := s.MemberID("acme", "ada@acme.test")

	// A session as if ada had logged in by magic link an hour ago and done
	// SMS MFA just now, without walking the flow.
	token, _, err := s.CreateSession(member,
		emulator.WithSessionDuration(30*time.Minute),
		emulator.WithSessionCustomClaims(map[string]any{"plan": "pro"}),
		emulator.WithSessionFactors(
			emulator.Factor{Type: "magic_link", DeliveryMethod: "email", At: clock.Add(-time.Hour)},
			emulator.Factor{Type: "otp", DeliveryMethod: "sms"},
		),
	)
	if err != nil {
		log.Fatal(err)
	}
	resp, err := connect(s).Sessions.Authenticate(context.Background(), &client.SessionsAuthenticateParams{SessionToken: token})
	if err != nil {
		log.Fatal(err)
	}
	ms := resp.MemberSession
	fmt.Println(ms.ExpiresAt.Sub(*ms.StartedAt), ms.CustomClaims["plan"])
	for _, f := range ms.AuthenticationFactors {
		fmt.Println(f.Type, f.DeliveryMethod, clock.Sub(*f.LastAuthenticatedAt))
	}
	fmt.Println(ms.AuthenticationFactors[1].PhoneNumberFactor.PhoneNumber)
	// Output:
	// 30m0s pro
	// magic_link email 1h0m0s
	// otp sms 0s
	// +15555550100
}

func ExampleServer_SetFault() {
	s := start()
	defer s.Close()
	c := connect(s)
	ctx := context.Background()
	authenticate := func() error {
		_, err := c.Sessions.Authenticate(ctx, &client.SessionsAuthenticateParams{SessionToken: "any"})
		return err
	}

	const path = "/v1/b2b/sessions/authenticate"
	s.SetFault(emulator.Fault{Path: path, Status: http.StatusTooManyRequests})
	err := authenticate()
	fmt.Println(rejection(err), errors.Is(err, client.ErrUnavailable))

	s.SetFault(emulator.Fault{Path: path, Status: http.StatusBadGateway, ErrorType: "upstream_timeout"})
	err = authenticate()
	fmt.Println(rejection(err), errors.Is(err, client.ErrUnavailable))

	s.SetFault(emulator.Fault{Path: path, Drop: true})
	err = authenticate()
	fmt.Println(rejection(err), errors.Is(err, client.ErrUnavailable))

	// Without faults the emulator answers again: this session is unknown.
	s.ClearFaults()
	err = authenticate()
	fmt.Println(rejection(err), errors.Is(err, client.ErrUnavailable))
	// Output:
	// 429 too_many_requests true
	// 502 upstream_timeout true
	// no answer true
	// 404 session_not_found false
}

func ExampleServer_Calls() {
	s := start()
	defer s.Close()
	c := connect(s)
	ctx := context.Background()
	const path = "/v1/b2b/sessions/authenticate"

	// Calls are counted on arrival, before faults apply.
	s.SetFault(emulator.Fault{Path: path, Status: http.StatusServiceUnavailable})
	for range 3 {
		_, _ = c.Sessions.Authenticate(ctx, &client.SessionsAuthenticateParams{SessionToken: "any"})
	}
	fmt.Println(s.Calls("POST", path), s.Calls("GET", path))

	s.ResetCalls()
	fmt.Println(s.Calls("POST", path))
	// Output:
	// 3 0
	// 0
}

func ExampleServer_RotateKey() {
	s := start(emulator.WithSeed(acmeSeed))
	defer s.Close()
	c := connect(s)
	ctx := context.Background()
	_, oldJWT := login(s, "acme", "ada@acme.test")
	fmt.Println(len(s.KeyIDs()))

	// The old key stays published: JWTs it signed still verify.
	kid := s.RotateKey()
	kids := s.KeyIDs()
	fmt.Println(len(kids), kids[len(kids)-1] == kid)
	_, err := c.Sessions.Authenticate(ctx, &client.SessionsAuthenticateParams{SessionJWT: oldJWT})
	fmt.Println(err)

	// Dropping old keys invalidates every JWT they signed.
	s.RotateKey(emulator.WithDropOldKeys())
	fmt.Println(len(s.KeyIDs()))
	_, err = c.Sessions.Authenticate(ctx, &client.SessionsAuthenticateParams{SessionJWT: oldJWT})
	fmt.Println(rejection(err))
	// Output:
	// 1
	// 2 true
	// <nil>
	// 1
	// 401 invalid_session_jwt
}

func ExampleServer_Outbox() {
	s := start(emulator.WithSeed(acmeSeed))
	defer s.Close()
	_, err := connect(s).MagicLinks.DiscoverySend(context.Background(),
		&client.MagicLinksDiscoverySendParams{EmailAddress: "ada@acme.test"})
	if err != nil {
		log.Fatal(err)
	}

	for _, m := range s.Outbox() {
		fmt.Println(m.Kind, m.To, m.Token != "")
	}

	// The same messages as JSON, newest first, for tools and browsers.
	req, err := http.NewRequest("GET", s.URL()+"/_emulator/outbox", nil)
	if err != nil {
		log.Fatal(err)
	}
	req.Header.Set("Accept", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	defer res.Body.Close()
	var page struct {
		Messages []emulator.Message `json:"messages"`
	}
	if err := json.NewDecoder(res.Body).Decode(&page); err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.StatusCode, len(page.Messages), page.Messages[0].Kind)
	// Output:
	// email ada@acme.test true
	// 200 1 email
}

func ExampleServer_LastMagicLink() {
	s := start(
		emulator.WithSeed(acmeSeed),
		emulator.WithDiscoveryRedirectURL("https://app.example.com/authenticate"),
	)
	defer s.Close()
	c := connect(s)
	ctx := context.Background()

	_, _, ok := s.LastMagicLink("ada@acme.test")
	fmt.Println(ok)

	// A send without a redirect URL uses WithDiscoveryRedirectURL's.
	if _, err := c.MagicLinks.DiscoverySend(ctx, &client.MagicLinksDiscoverySendParams{EmailAddress: "ada@acme.test"}); err != nil {
		log.Fatal(err)
	}
	link, token, ok := s.LastMagicLink("ada@acme.test")
	fmt.Println(ok, strings.HasPrefix(link, "https://app.example.com/authenticate?"), strings.Contains(link, token))

	// Follow the link as the member would.
	resp, err := c.MagicLinks.DiscoveryAuthenticate(ctx, &client.MagicLinksDiscoveryAuthenticateParams{DiscoveryMagicLinksToken: token})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.EmailAddress, len(resp.DiscoveredOrganizations))
	// Output:
	// false
	// true true true
	// ada@acme.test 1
}

func ExampleServer_LastSMSCode() {
	const phone = "+15555550100"
	s := start(emulator.WithSeed(emulator.Seed{
		Organizations: []emulator.OrganizationSeed{{Name: "Secure", Slug: "secure", MFAPolicy: "REQUIRED_FOR_ALL"}},
		Members: []emulator.MemberSeed{{Organization: "secure", Email: "sam@secure.test",
			Phone: phone, MFAPhoneNumberVerified: true}},
	}))
	defer s.Close()
	c := connect(s)
	ctx := context.Background()
	fmt.Printf("%q\n", s.LastSMSCode(phone))

	// Entering an organization that requires MFA sends sam a code.
	org, _ := s.OrganizationID("secure")
	ex, err := c.Discovery.ExchangeIntermediateSession(ctx, &client.DiscoveryExchangeParams{
		IntermediateSessionToken: s.IntermediateSessionToken("sam@secure.test"),
		OrganizationID:           org,
	})
	if err != nil {
		log.Fatal(err)
	}
	code := s.LastSMSCode(phone)
	fmt.Println(len(code))

	resp, err := c.OTPs.SMSAuthenticate(ctx, &client.OTPsSMSAuthenticateParams{
		OrganizationID:           org,
		MemberID:                 ex.MemberID,
		IntermediateSessionToken: ex.IntermediateSessionToken,
		Code:                     code,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.SessionToken != "")
	// Output:
	// ""
	// 6
	// true
}

func ExampleWithClock() {
	clk := &clock{now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	s, err := emulator.New(emulator.WithClock(clk.Now), emulator.WithSeed(acmeSeed))
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	c := connect(s)
	ctx := context.Background()
	org, _ := s.OrganizationID("acme")

	// Intermediate session tokens live 10 minutes: move the clock instead
	// of waiting.
	ist := s.IntermediateSessionToken("ada@acme.test")
	clk.Advance(11 * time.Minute)
	_, err = c.Discovery.ExchangeIntermediateSession(ctx, &client.DiscoveryExchangeParams{
		IntermediateSessionToken: ist, OrganizationID: org})
	fmt.Println(rejection(err))

	// Sessions, too, start and end by this clock.
	resp, err := c.Discovery.ExchangeIntermediateSession(ctx, &client.DiscoveryExchangeParams{
		IntermediateSessionToken: s.IntermediateSessionToken("ada@acme.test"), OrganizationID: org})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.MemberSession.StartedAt.Format(time.RFC3339))
	// Output:
	// 404 intermediate_session_not_found
	// 2026-03-01T12:11:00Z
}

func ExampleServer_TOTPCode() {
	// With a fixed clock the code is fixed too.
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	s := start(
		emulator.WithClock(func() time.Time { return now }),
		emulator.WithSeed(emulator.Seed{
			Organizations: []emulator.OrganizationSeed{{Name: "Secure", Slug: "secure", MFAPolicy: "REQUIRED_FOR_ALL"}},
			Members: []emulator.MemberSeed{{Organization: "secure", Email: "bob@secure.test",
				TOTPSecret: "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"}},
		}),
	)
	defer s.Close()
	c := connect(s)
	ctx := context.Background()
	org, _ := s.OrganizationID("secure")
	ex, err := c.Discovery.ExchangeIntermediateSession(ctx, &client.DiscoveryExchangeParams{
		IntermediateSessionToken: s.IntermediateSessionToken("bob@secure.test"), OrganizationID: org})
	if err != nil {
		log.Fatal(err)
	}

	// What bob's authenticator app shows now.
	code, err := s.TOTPCode(ex.MemberID)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(code)
	resp, err := c.TOTPs.Authenticate(ctx, &client.TOTPsAuthenticateParams{
		OrganizationID:           org,
		MemberID:                 ex.MemberID,
		IntermediateSessionToken: ex.IntermediateSessionToken,
		Code:                     code,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.SessionToken != "")
	// Output:
	// 582825
	// true
}

func ExampleServer_SignJWT() {
	s := start()
	defer s.Close()
	c := connect(s)

	// Mint a token whose header names a key the project never published.
	forged, err := s.SignJWT(
		map[string]any{"sub": "member-test-x", "aud": []string{s.ProjectID()}, "iss": "stytch.com/" + s.ProjectID()},
		map[string]any{"kid": "jwk-test-unknown"},
	)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(strings.Count(forged, "."))
	_, err = c.Sessions.Authenticate(context.Background(), &client.SessionsAuthenticateParams{SessionJWT: forged})
	fmt.Println(rejection(err))
	// Output:
	// 2
	// 401 invalid_session_jwt
}

func ExampleServer_IntermediateSessionToken() {
	s := start(emulator.WithSeed(acmeSeed))
	defer s.Close()

	// Skip the magic link: start where a discovery authenticate call ends.
	ist := s.IntermediateSessionToken("ada@acme.test")
	org, _ := s.OrganizationID("acme")
	resp, err := connect(s).Discovery.ExchangeIntermediateSession(context.Background(),
		&client.DiscoveryExchangeParams{IntermediateSessionToken: ist, OrganizationID: org})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.MemberAuthenticated, resp.Member.EmailAddress)
	fmt.Println(resp.MemberSession.AuthenticationFactors[0].Type)
	// Output:
	// true ada@acme.test
	// magic_link
}

func ExampleServer_OAuthDiscoveryToken() {
	s := start(emulator.WithSeed(acmeSeed))
	defer s.Close()
	c := connect(s)
	ctx := context.Background()

	// As if Microsoft had sent the browser back with this token.
	token := s.OAuthDiscoveryToken("ada@acme.test", emulator.WithProvider("microsoft"))
	resp, err := c.OAuth.DiscoveryAuthenticate(ctx, &client.OAuthDiscoveryAuthenticateParams{DiscoveryOAuthToken: token})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.ProviderType, resp.EmailAddress, len(resp.DiscoveredOrganizations))

	// A token bound to a PKCE challenge needs the matching verifier.
	bound := s.OAuthDiscoveryToken("ada@acme.test", emulator.WithPKCEChallenge("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"))
	_, err = c.OAuth.DiscoveryAuthenticate(ctx, &client.OAuthDiscoveryAuthenticateParams{
		DiscoveryOAuthToken: bound, PkceCodeVerifier: "the-wrong-verifier-0123456789-0123456789-0123"})
	fmt.Println(rejection(err))
	// Output:
	// Microsoft ada@acme.test 1
	// 401 pkce_mismatch
}

func ExampleServer_MigrationToken() {
	s := start(emulator.WithSeed(acmeSeed))
	defer s.Close()
	org, _ := s.OrganizationID("acme")

	// A token of the identity provider being migrated from.
	resp, err := connect(s).Sessions.Migrate(context.Background(), &client.SessionsMigrateParams{
		SessionToken:   s.MigrationToken("ada@acme.test"),
		OrganizationID: org,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.Member.EmailAddress, resp.SessionToken != "")
	// Output: ada@acme.test true
}

func ExampleWithPublicToken() {
	s, err := emulator.New(
		emulator.WithProjectID("project-test-example"),
		emulator.WithPublicToken("public-token-test-example"),
	)
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	fmt.Println(s.PublicToken())
	c := connect(s)

	// The browser starts OAuth discovery with the public token; the emulator
	// answers with a page standing in for the identity provider.
	for _, publicToken := range []string{s.PublicToken(), "public-token-test-wrong"} {
		start, err := c.OAuth.DiscoveryStartURL("google", &client.OAuthDiscoveryStartParams{
			PublicToken:          publicToken,
			DiscoveryRedirectURL: "http://localhost:3000/authenticate",
		})
		if err != nil {
			log.Fatal(err)
		}
		res, err := http.Get(start)
		if err != nil {
			log.Fatal(err)
		}
		res.Body.Close()
		fmt.Println(res.StatusCode)
	}
	// Output:
	// public-token-test-example
	// 200
	// 401
}

func ExampleServer_Handler() {
	s := start(emulator.WithSeed(acmeSeed))
	defer s.Close()
	token, _ := login(s, "acme", "ada@acme.test")

	// Another server, e.g. one httptest starts, sharing the emulator's state.
	other := httptest.NewServer(s.Handler())
	defer other.Close()
	c, err := client.New(s.ProjectID(), s.Secret(), client.WithBaseURL(other.URL))
	if err != nil {
		log.Fatal(err)
	}
	resp, err := c.Sessions.Authenticate(context.Background(), &client.SessionsAuthenticateParams{SessionToken: token})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.Member.EmailAddress)

	// Or no listener at all: serve a request in process (Server.ServeHTTP).
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest("GET", "/v1/b2b/no/such/path", nil))
	fmt.Println(rec.Code, rec.Header().Get("Content-Type"))
	// Output:
	// ada@acme.test
	// 404 application/json
}
