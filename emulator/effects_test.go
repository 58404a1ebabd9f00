package emulator_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/b2bauth/b2bauth/client"
	"github.com/b2bauth/b2bauth/emulator"
)

// outputCase runs a scenario that writes what it observes to out; the test
// compares that with want, ignoring leading and trailing space.
type outputCase struct {
	name string
	run  func(t *testing.T, out io.Writer)
	want string
}

func runOutputCases(t *testing.T, tests []outputCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var out bytes.Buffer
			tt.run(t, &out)
			if got, want := strings.TrimSpace(out.String()), strings.TrimSpace(tt.want); got != want {
				t.Errorf("got:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

// TestOptionEffects checks what the constructors and each option do, as
// their doc comments say.
func TestOptionEffects(t *testing.T) {
	t.Parallel()
	runOutputCases(t, []outputCase{
		{
			name: "NewTest closes the server when the test ends",
			run: func(t *testing.T, out io.Writer) {
				var c *client.Client
				var token string
				ctx := context.Background()
				t.Run("a test using the server", func(t *testing.T) {
					s := emulator.NewTest(t, emulator.WithSeed(acmeSeed))
					c = connect(t, s)
					token, _ = login(t, s, "acme", "ada@acme.test")
					_, err := c.Sessions.Authenticate(ctx, &client.SessionsAuthenticateParams{SessionToken: token})
					fmt.Fprintln(out, err)
				})
				// The end of the test closed the server.
				_, err := c.Sessions.Authenticate(ctx, &client.SessionsAuthenticateParams{SessionToken: token})
				fmt.Fprintln(out, errors.Is(err, client.ErrUnavailable))
			},
			want: `<nil>
true`,
		},
		{
			name: "Close may be called twice and leaves the client unanswered",
			run: func(t *testing.T, out io.Writer) {
				s, err := emulator.New()
				if err != nil {
					t.Fatal(err)
				}
				c := connect(t, s)

				s.Close()
				s.Close() // safe to call again
				_, err = c.Sessions.Authenticate(context.Background(), &client.SessionsAuthenticateParams{SessionToken: "any"})
				fmt.Fprintln(out, errors.Is(err, client.ErrUnavailable))
			},
			want: `true`,
		},
		{
			name: "WithProjectID and WithSecret set the credentials basic auth must carry",
			run: func(t *testing.T, out io.Writer) {
				s, err := emulator.New(
					emulator.WithProjectID("project-test-example"),
					emulator.WithSecret("secret-test-example"),
				)
				if err != nil {
					t.Fatal(err)
				}
				defer s.Close()

				fmt.Fprintln(out, s.ProjectID(), s.Secret())
				fmt.Fprintln(out, strings.HasPrefix(s.URL(), "http://127.0.0.1:"))

				// Basic auth must carry the project id and secret.
				wrong, err := client.New(s.ProjectID(), "secret-test-wrong", client.WithBaseURL(s.URL()))
				if err != nil {
					t.Fatal(err)
				}
				_, err = wrong.Sessions.Authenticate(context.Background(), &client.SessionsAuthenticateParams{SessionToken: "any"})
				fmt.Fprintln(out, rejection(err))
			},
			want: `project-test-example secret-test-example
true
401 unauthorized_credentials`,
		},
		{
			name: "WithAddr serves on the address given",
			run: func(t *testing.T, out io.Writer) {
				// A fixed address suits a development server; tests keep the default,
				// a free port of 127.0.0.1.
				s, err := emulator.New(emulator.WithAddr("127.0.0.1:0"))
				if err != nil {
					t.Fatal(err)
				}
				defer s.Close()

				res, err := http.Get(s.URL() + "/v1/b2b/sessions/jwks/" + s.ProjectID())
				if err != nil {
					t.Fatal(err)
				}
				res.Body.Close()
				fmt.Fprintln(out, res.StatusCode)
			},
			want: `200`,
		},
		{
			name: "WithKeyFile keeps the signing key across restarts",
			run: func(t *testing.T, out io.Writer) {
				dir := t.TempDir()
				keys := filepath.Join(dir, "keys.pem")

				// The first server creates the file; a restarted one signs with the same
				// key, so JWTs and cached key sets stay valid.
				var kids [][]string
				for range 2 {
					s, err := emulator.New(emulator.WithKeyFile(keys))
					if err != nil {
						t.Fatal(err)
					}
					kids = append(kids, s.KeyIDs())
					s.Close()
				}
				fmt.Fprintln(out, len(kids[0]), slices.Equal(kids[0], kids[1]))
			},
			want: `1 true`,
		},
		{
			name: "WithLogger logs the emails the emulator sends",
			run: func(t *testing.T, out io.Writer) {
				// Log what the emulator "sends"; drop the time and the message body
				// (which holds the link) to keep the output stable.
				logger := slog.New(slog.NewTextHandler(out, &slog.HandlerOptions{
					ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
						if a.Key == slog.TimeKey || a.Key == "body" {
							return slog.Attr{}
						}
						return a
					},
				}))
				s, err := emulator.New(emulator.WithSeed(acmeSeed), emulator.WithLogger(logger))
				if err != nil {
					t.Fatal(err)
				}
				defer s.Close()

				_, err = connect(t, s).MagicLinks.DiscoverySend(context.Background(),
					&client.MagicLinksDiscoverySendParams{EmailAddress: "ada@acme.test"})
				if err != nil {
					t.Fatal(err)
				}
			},
			want: `level=INFO msg="emulator: sent email" to=ada@acme.test`,
		},
		{
			name: "LoadSeed reads a seed file",
			run: func(t *testing.T, out io.Writer) {
				dir := t.TempDir()
				path := filepath.Join(dir, "seed.json")
				// Members name their organization by slug: a JSON seed needs no ids.
				const seedJSON = `{
				  "resources": [{"resource_id": "documents", "actions": ["read", "write"]}],
				  "roles": [{"role_id": "reader", "permissions": [{"resource_id": "documents", "actions": ["read"]}]}],
				  "organizations": [{"organization_name": "Acme", "organization_slug": "acme", "mfa_policy": "OPTIONAL"}],
				  "members": [{"organization": "acme", "email_address": "ada@acme.test", "roles": ["reader"]}]
				}`
				if err := os.WriteFile(path, []byte(seedJSON), 0o600); err != nil {
					t.Fatal(err)
				}

				seed, err := emulator.LoadSeed(path)
				if err != nil {
					t.Fatal(err)
				}
				s, err := emulator.New(emulator.WithSeed(seed))
				if err != nil {
					t.Fatal(err)
				}
				defer s.Close()

				org, ok := s.OrganizationID("acme")
				fmt.Fprintln(out, ok, strings.HasPrefix(org, "organization-test-"))
				_, jwt := login(t, s, "acme", "ada@acme.test")
				resp, err := connect(t, s).Sessions.Authenticate(context.Background(), &client.SessionsAuthenticateParams{SessionJWT: jwt})
				if err != nil {
					t.Fatal(err)
				}
				fmt.Fprintln(out, resp.MemberSession.Roles)
			},
			want: `true true
[stytch_member reader]`,
		},
		{
			name: "WithClock stamps tokens and sessions by the given clock",
			run: func(t *testing.T, out io.Writer) {
				clk := &clock{now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
				s, err := emulator.New(emulator.WithClock(clk.Now), emulator.WithSeed(acmeSeed))
				if err != nil {
					t.Fatal(err)
				}
				defer s.Close()
				c := connect(t, s)
				ctx := context.Background()
				org, _ := s.OrganizationID("acme")

				// Intermediate session tokens live 10 minutes: move the clock instead
				// of waiting.
				ist := s.IntermediateSessionToken("ada@acme.test")
				clk.Advance(11 * time.Minute)
				_, err = c.Discovery.ExchangeIntermediateSession(ctx, &client.DiscoveryExchangeParams{
					IntermediateSessionToken: ist, OrganizationID: org})
				fmt.Fprintln(out, rejection(err))

				// Sessions, too, start and end by this clock.
				resp, err := c.Discovery.ExchangeIntermediateSession(ctx, &client.DiscoveryExchangeParams{
					IntermediateSessionToken: s.IntermediateSessionToken("ada@acme.test"), OrganizationID: org})
				if err != nil {
					t.Fatal(err)
				}
				fmt.Fprintln(out, resp.MemberSession.StartedAt.Format(time.RFC3339))
			},
			want: `404 intermediate_session_not_found
2026-03-01T12:11:00Z`,
		},
		{
			name: "WithPublicToken sets the public token of the hosted pages",
			run: func(t *testing.T, out io.Writer) {
				s, err := emulator.New(
					emulator.WithProjectID("project-test-example"),
					emulator.WithPublicToken("public-token-test-example"),
				)
				if err != nil {
					t.Fatal(err)
				}
				defer s.Close()
				fmt.Fprintln(out, s.PublicToken())
				c := connect(t, s)

				// The browser starts OAuth discovery with the public token; the emulator
				// answers with a page standing in for the identity provider.
				for _, publicToken := range []string{s.PublicToken(), "public-token-test-wrong"} {
					start, err := c.OAuth.DiscoveryStartURL("google", &client.OAuthDiscoveryStartParams{
						PublicToken:          publicToken,
						DiscoveryRedirectURL: "http://localhost:3000/authenticate",
					})
					if err != nil {
						t.Fatal(err)
					}
					res, err := http.Get(start)
					if err != nil {
						t.Fatal(err)
					}
					res.Body.Close()
					fmt.Fprintln(out, res.StatusCode)
				}
			},
			want: `public-token-test-example
200
401`,
		},
	})
}

// TestServerMethodEffects checks what each method of Server does, as its
// doc comment says.
func TestServerMethodEffects(t *testing.T) {
	t.Parallel()
	runOutputCases(t, []outputCase{
		{
			name: "Server.ApplySeed adds a seed to a running server",
			run: func(t *testing.T, out io.Writer) {
				s := start(t)
				defer s.Close()

				// Seed at run time, e.g. per test on a shared server.
				err := s.ApplySeed(emulator.Seed{
					Organizations: []emulator.OrganizationSeed{{ID: "organization-test-fixed", Name: "Globex", Slug: "globex"}},
					Members:       []emulator.MemberSeed{{Organization: "organization-test-fixed", Email: "gil@globex.test"}},
				})
				fmt.Fprintln(out, err)
				_, ok := s.MemberID("globex", "gil@globex.test")
				fmt.Fprintln(out, ok)

				// An invalid entry stops the seed with an error.
				err = s.ApplySeed(emulator.Seed{Members: []emulator.MemberSeed{{Organization: "nowhere", Email: "x@nowhere.test"}}})
				fmt.Fprintln(out, err != nil)
			},
			want: `<nil>
true
true`,
		},
		{
			name: "Server.AddOrganization adds an organization",
			run: func(t *testing.T, out io.Writer) {
				s := start(t)
				defer s.Close()

				org, err := s.AddOrganization(emulator.OrganizationSeed{
					Name:              "Secure",
					Slug:              "secure",
					MFAPolicy:         "REQUIRED_FOR_ALL",
					AllowedMFAMethods: []string{"totp"},
				})
				if err != nil {
					t.Fatal(err)
				}
				fmt.Fprintln(out, strings.HasPrefix(org, "organization-test-"))

				// Slugs are unique.
				_, err = s.AddOrganization(emulator.OrganizationSeed{Name: "Secure again", Slug: "secure"})
				fmt.Fprintln(out, err != nil)
			},
			want: `true
true`,
		},
		{
			name: "Server.AddMember adds a member",
			run: func(t *testing.T, out io.Writer) {
				s := start(t, emulator.WithSeed(acmeSeed))
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
					t.Fatal(err)
				}
				fmt.Fprintln(out, strings.HasPrefix(member, "member-test-"))

				// Bob is enrolled in MFA: entering acme asks for it, and an SMS code
				// goes to his verified phone at once.
				org, _ := s.OrganizationID("acme")
				resp, err := connect(t, s).Discovery.ExchangeIntermediateSession(context.Background(), &client.DiscoveryExchangeParams{
					IntermediateSessionToken: s.IntermediateSessionToken("bob@acme.test"),
					OrganizationID:           org,
				})
				if err != nil {
					t.Fatal(err)
				}
				fmt.Fprintln(out, resp.MemberAuthenticated, resp.MFARequired.SecondaryAuthInitiated)
			},
			want: `true
false sms_otp`,
		},
		{
			name: "Server.AddRole adds a project role",
			run: func(t *testing.T, out io.Writer) {
				s := start(t)
				defer s.Close()

				editor := emulator.Role{RoleID: "editor",
					Permissions: []emulator.Permission{{ResourceID: "documents", Actions: []string{"read", "write"}}}}
				// A role may only name resources of the policy.
				fmt.Fprintln(out, s.AddRole(editor) != nil)
				fmt.Fprintln(out, s.AddResource(emulator.Resource{ResourceID: "documents", Actions: []string{"read", "write", "delete"}}))
				fmt.Fprintln(out, s.AddRole(editor))

				resp, err := connect(t, s).RBAC.Policy(context.Background(), nil)
				if err != nil {
					t.Fatal(err)
				}
				var roles []string
				for _, r := range resp.Policy.Roles {
					roles = append(roles, r.RoleID)
				}
				slices.Sort(roles)
				fmt.Fprintln(out, roles)
			},
			want: `true
<nil>
<nil>
[editor stytch_admin stytch_member]`,
		},
		{
			name: "Server.AddOrganizationRole adds a role of one organization",
			run: func(t *testing.T, out io.Writer) {
				s := start(t, emulator.WithSeed(emulator.Seed{
					Resources:     []emulator.Resource{{ResourceID: "audit_logs", Actions: []string{"export"}}},
					Organizations: []emulator.OrganizationSeed{{Name: "Acme", Slug: "acme"}},
				}))
				defer s.Close()
				org, _ := s.OrganizationID("acme")

				err := s.AddOrganizationRole(org, emulator.Role{RoleID: "auditor",
					Permissions: []emulator.Permission{{ResourceID: "audit_logs", Actions: []string{"export"}}}})
				if err != nil {
					t.Fatal(err)
				}
				resp, err := connect(t, s).RBAC.OrganizationPolicy(context.Background(),
					&client.RBACOrganizationPolicyParams{OrganizationID: org})
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range resp.OrgPolicy.Roles {
					fmt.Fprintln(out, r.RoleID)
				}
			},
			want: `auditor`,
		},
		{
			name: "Server.SetPolicy replaces the RBAC policy",
			run: func(t *testing.T, out io.Writer) {
				s := start(t)
				defer s.Close()

				err := s.SetPolicy(emulator.Policy{
					Resources: []emulator.Resource{{ResourceID: "invoices", Actions: []string{"read", "pay"}}},
					Roles: []emulator.Role{{RoleID: "accountant",
						Permissions: []emulator.Permission{{ResourceID: "invoices", Actions: []string{"*"}}}}},
				})
				if err != nil {
					t.Fatal(err)
				}
				resp, err := connect(t, s).RBAC.Policy(context.Background(), nil)
				if err != nil {
					t.Fatal(err)
				}
				// accountant, plus stytch_admin and stytch_member, which always exist.
				fmt.Fprintln(out, len(resp.Policy.Roles))
				err = client.AuthorizeWithPolicy(resp.Policy, nil, "org-1", []string{"accountant"},
					client.AuthorizationCheck{OrganizationID: "org-1", ResourceID: "invoices", Action: "pay"})
				fmt.Fprintln(out, err)
			},
			want: `3
<nil>`,
		},
		{
			name: "Server.MemberID finds members by organization slug or id",
			run: func(t *testing.T, out io.Writer) {
				s := start(t, emulator.WithSeed(acmeSeed))
				defer s.Close()

				org, ok := s.OrganizationID("acme")
				fmt.Fprintln(out, ok)
				// The organization is named by slug or id; emails match case-insensitively.
				bySlug, ok1 := s.MemberID("acme", "ada@acme.test")
				byID, ok2 := s.MemberID(org, "Ada@Acme.test")
				fmt.Fprintln(out, ok1, ok2, bySlug == byID)
				_, ok = s.MemberID("acme", "nobody@acme.test")
				fmt.Fprintln(out, ok)
				_, ok = s.OrganizationID("nowhere")
				fmt.Fprintln(out, ok)
			},
			want: `true
true true true
false
false`,
		},
		{
			name: "Server.Calls counts the calls to a path",
			run: func(t *testing.T, out io.Writer) {
				s := start(t)
				defer s.Close()
				c := connect(t, s)
				ctx := context.Background()
				const path = "/v1/b2b/sessions/authenticate"

				// Calls are counted on arrival, before faults apply.
				s.SetFault(emulator.Fault{Path: path, Status: http.StatusServiceUnavailable})
				for range 3 {
					_, _ = c.Sessions.Authenticate(ctx, &client.SessionsAuthenticateParams{SessionToken: "any"})
				}
				fmt.Fprintln(out, s.Calls("POST", path), s.Calls("GET", path))

				s.ResetCalls()
				fmt.Fprintln(out, s.Calls("POST", path))
			},
			want: `3 0
0`,
		},
		{
			name: "Server.RotateKey signs with a new key",
			run: func(t *testing.T, out io.Writer) {
				s := start(t, emulator.WithSeed(acmeSeed))
				defer s.Close()
				c := connect(t, s)
				ctx := context.Background()
				_, oldJWT := login(t, s, "acme", "ada@acme.test")
				fmt.Fprintln(out, len(s.KeyIDs()))

				// The old key stays published: JWTs it signed still verify.
				kid := s.RotateKey()
				kids := s.KeyIDs()
				fmt.Fprintln(out, len(kids), kids[len(kids)-1] == kid)
				_, err := c.Sessions.Authenticate(ctx, &client.SessionsAuthenticateParams{SessionJWT: oldJWT})
				fmt.Fprintln(out, err)

				// Dropping old keys invalidates every JWT they signed.
				s.RotateKey(emulator.WithDropOldKeys())
				fmt.Fprintln(out, len(s.KeyIDs()))
				_, err = c.Sessions.Authenticate(ctx, &client.SessionsAuthenticateParams{SessionJWT: oldJWT})
				fmt.Fprintln(out, rejection(err))
			},
			want: `1
2 true
<nil>
1
401 invalid_session_jwt`,
		},
		{
			name: "Server.Outbox holds the messages sent",
			run: func(t *testing.T, out io.Writer) {
				s := start(t, emulator.WithSeed(acmeSeed))
				defer s.Close()
				_, err := connect(t, s).MagicLinks.DiscoverySend(context.Background(),
					&client.MagicLinksDiscoverySendParams{EmailAddress: "ada@acme.test"})
				if err != nil {
					t.Fatal(err)
				}

				for _, m := range s.Outbox() {
					fmt.Fprintln(out, m.Kind, m.To, m.Token != "")
				}

				// The same messages as JSON, newest first, for tools and browsers.
				req, err := http.NewRequest("GET", s.URL()+"/_emulator/outbox", nil)
				if err != nil {
					t.Fatal(err)
				}
				req.Header.Set("Accept", "application/json")
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer res.Body.Close()
				var page struct {
					Messages []emulator.Message `json:"messages"`
				}
				if err := json.NewDecoder(res.Body).Decode(&page); err != nil {
					t.Fatal(err)
				}
				fmt.Fprintln(out, res.StatusCode, len(page.Messages), page.Messages[0].Kind)
			},
			want: `email ada@acme.test true
200 1 email`,
		},
		{
			name: "Server.LastMagicLink returns the link last sent",
			run: func(t *testing.T, out io.Writer) {
				s := start(t,
					emulator.WithSeed(acmeSeed),
					emulator.WithDiscoveryRedirectURL("https://app.example.com/authenticate"),
				)
				defer s.Close()
				c := connect(t, s)
				ctx := context.Background()

				_, _, ok := s.LastMagicLink("ada@acme.test")
				fmt.Fprintln(out, ok)

				// A send without a redirect URL uses WithDiscoveryRedirectURL's.
				if _, err := c.MagicLinks.DiscoverySend(ctx, &client.MagicLinksDiscoverySendParams{EmailAddress: "ada@acme.test"}); err != nil {
					t.Fatal(err)
				}
				link, token, ok := s.LastMagicLink("ada@acme.test")
				fmt.Fprintln(out, ok, strings.HasPrefix(link, "https://app.example.com/authenticate?"), strings.Contains(link, token))

				// Follow the link as the member would.
				resp, err := c.MagicLinks.DiscoveryAuthenticate(ctx, &client.MagicLinksDiscoveryAuthenticateParams{DiscoveryMagicLinksToken: token})
				if err != nil {
					t.Fatal(err)
				}
				fmt.Fprintln(out, resp.EmailAddress, len(resp.DiscoveredOrganizations))
			},
			want: `false
true true true
ada@acme.test 1`,
		},
		{
			name: "Server.LastSMSCode returns the code last sent",
			run: func(t *testing.T, out io.Writer) {
				const phone = "+15555550100"
				s := start(t, emulator.WithSeed(emulator.Seed{
					Organizations: []emulator.OrganizationSeed{{Name: "Secure", Slug: "secure", MFAPolicy: "REQUIRED_FOR_ALL"}},
					Members: []emulator.MemberSeed{{Organization: "secure", Email: "sam@secure.test",
						Phone: phone, MFAPhoneNumberVerified: true}},
				}))
				defer s.Close()
				c := connect(t, s)
				ctx := context.Background()
				fmt.Fprintf(out, "%q\n", s.LastSMSCode(phone))

				// Entering an organization that requires MFA sends sam a code.
				org, _ := s.OrganizationID("secure")
				ex, err := c.Discovery.ExchangeIntermediateSession(ctx, &client.DiscoveryExchangeParams{
					IntermediateSessionToken: s.IntermediateSessionToken("sam@secure.test"),
					OrganizationID:           org,
				})
				if err != nil {
					t.Fatal(err)
				}
				code := s.LastSMSCode(phone)
				fmt.Fprintln(out, len(code))

				resp, err := c.OTPs.SMSAuthenticate(ctx, &client.OTPsSMSAuthenticateParams{
					OrganizationID:           org,
					MemberID:                 ex.MemberID,
					IntermediateSessionToken: ex.IntermediateSessionToken,
					Code:                     code,
				})
				if err != nil {
					t.Fatal(err)
				}
				fmt.Fprintln(out, resp.SessionToken != "")
			},
			want: `""
6
true`,
		},
		{
			name: "Server.TOTPCode returns the current code of a member's TOTP",
			run: func(t *testing.T, out io.Writer) {
				// With a fixed clock the code is fixed too.
				now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
				s := start(t,
					emulator.WithClock(func() time.Time { return now }),
					emulator.WithSeed(emulator.Seed{
						Organizations: []emulator.OrganizationSeed{{Name: "Secure", Slug: "secure", MFAPolicy: "REQUIRED_FOR_ALL"}},
						Members: []emulator.MemberSeed{{Organization: "secure", Email: "bob@secure.test",
							TOTPSecret: "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"}},
					}),
				)
				defer s.Close()
				c := connect(t, s)
				ctx := context.Background()
				org, _ := s.OrganizationID("secure")
				ex, err := c.Discovery.ExchangeIntermediateSession(ctx, &client.DiscoveryExchangeParams{
					IntermediateSessionToken: s.IntermediateSessionToken("bob@secure.test"), OrganizationID: org})
				if err != nil {
					t.Fatal(err)
				}

				// What bob's authenticator app shows now.
				code, err := s.TOTPCode(ex.MemberID)
				if err != nil {
					t.Fatal(err)
				}
				fmt.Fprintln(out, code)
				resp, err := c.TOTPs.Authenticate(ctx, &client.TOTPsAuthenticateParams{
					OrganizationID:           org,
					MemberID:                 ex.MemberID,
					IntermediateSessionToken: ex.IntermediateSessionToken,
					Code:                     code,
				})
				if err != nil {
					t.Fatal(err)
				}
				fmt.Fprintln(out, resp.SessionToken != "")
			},
			want: `582825
true`,
		},
		{
			name: "Server.SignJWT signs claims with the project's key",
			run: func(t *testing.T, out io.Writer) {
				s := start(t)
				defer s.Close()
				c := connect(t, s)

				// Mint a token whose header names a key the project never published.
				forged, err := s.SignJWT(
					map[string]any{"sub": "member-test-x", "aud": []string{s.ProjectID()}, "iss": "stytch.com/" + s.ProjectID()},
					map[string]any{"kid": "jwk-test-unknown"},
				)
				if err != nil {
					t.Fatal(err)
				}
				fmt.Fprintln(out, strings.Count(forged, "."))
				_, err = c.Sessions.Authenticate(context.Background(), &client.SessionsAuthenticateParams{SessionJWT: forged})
				fmt.Fprintln(out, rejection(err))
			},
			want: `2
401 invalid_session_jwt`,
		},
		{
			name: "Server.IntermediateSessionToken starts a discovery without a flow",
			run: func(t *testing.T, out io.Writer) {
				s := start(t, emulator.WithSeed(acmeSeed))
				defer s.Close()

				// Skip the magic link: start where a discovery authenticate call ends.
				ist := s.IntermediateSessionToken("ada@acme.test")
				org, _ := s.OrganizationID("acme")
				resp, err := connect(t, s).Discovery.ExchangeIntermediateSession(context.Background(),
					&client.DiscoveryExchangeParams{IntermediateSessionToken: ist, OrganizationID: org})
				if err != nil {
					t.Fatal(err)
				}
				fmt.Fprintln(out, resp.MemberAuthenticated, resp.Member.EmailAddress)
				fmt.Fprintln(out, resp.MemberSession.AuthenticationFactors[0].Type)
			},
			want: `true ada@acme.test
magic_link`,
		},
		{
			name: "Server.OAuthDiscoveryToken stands in for an OAuth callback",
			run: func(t *testing.T, out io.Writer) {
				s := start(t, emulator.WithSeed(acmeSeed))
				defer s.Close()
				c := connect(t, s)
				ctx := context.Background()

				// As if Microsoft had sent the browser back with this token.
				token := s.OAuthDiscoveryToken("ada@acme.test", emulator.WithProvider("microsoft"))
				resp, err := c.OAuth.DiscoveryAuthenticate(ctx, &client.OAuthDiscoveryAuthenticateParams{DiscoveryOAuthToken: token})
				if err != nil {
					t.Fatal(err)
				}
				fmt.Fprintln(out, resp.ProviderType, resp.EmailAddress, len(resp.DiscoveredOrganizations))

				// A token bound to a PKCE challenge needs the matching verifier.
				bound := s.OAuthDiscoveryToken("ada@acme.test", emulator.WithPKCEChallenge("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"))
				_, err = c.OAuth.DiscoveryAuthenticate(ctx, &client.OAuthDiscoveryAuthenticateParams{
					DiscoveryOAuthToken: bound, PkceCodeVerifier: "the-wrong-verifier-0123456789-0123456789-0123"})
				fmt.Fprintln(out, rejection(err))
			},
			want: `Microsoft ada@acme.test 1
401 pkce_mismatch`,
		},
		{
			name: "Server.MigrationToken signs a token for sessions migrate",
			run: func(t *testing.T, out io.Writer) {
				s := start(t, emulator.WithSeed(acmeSeed))
				defer s.Close()
				org, _ := s.OrganizationID("acme")

				// A token of the identity provider being migrated from.
				resp, err := connect(t, s).Sessions.Migrate(context.Background(), &client.SessionsMigrateParams{
					SessionToken:   s.MigrationToken("ada@acme.test"),
					OrganizationID: org,
				})
				if err != nil {
					t.Fatal(err)
				}
				fmt.Fprintln(out, resp.Member.EmailAddress, resp.SessionToken != "")
			},
			want: `ada@acme.test true`,
		},
		{
			name: "Server.Handler serves the API in process",
			run: func(t *testing.T, out io.Writer) {
				s := start(t, emulator.WithSeed(acmeSeed))
				defer s.Close()
				token, _ := login(t, s, "acme", "ada@acme.test")

				// Another server, e.g. one httptest starts, sharing the emulator's state.
				other := httptest.NewServer(s.Handler())
				defer other.Close()
				c, err := client.New(s.ProjectID(), s.Secret(), client.WithBaseURL(other.URL))
				if err != nil {
					t.Fatal(err)
				}
				resp, err := c.Sessions.Authenticate(context.Background(), &client.SessionsAuthenticateParams{SessionToken: token})
				if err != nil {
					t.Fatal(err)
				}
				fmt.Fprintln(out, resp.Member.EmailAddress)

				// Or no listener at all: serve a request in process (Server.ServeHTTP).
				rec := httptest.NewRecorder()
				s.ServeHTTP(rec, httptest.NewRequest("GET", "/v1/b2b/no/such/path", nil))
				fmt.Fprintln(out, rec.Code, rec.Header().Get("Content-Type"))
			},
			want: `ada@acme.test
404 application/json`,
		},
	})
}

// start is emulator.New that fails t on an error. The caller closes the
// server.
func start(t testing.TB, opts ...emulator.Option) *emulator.Server {
	t.Helper()
	s, err := emulator.New(opts...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// connect returns a client of the emulator's project pointed at it.
func connect(t testing.TB, s *emulator.Server) *client.Client {
	t.Helper()
	c, err := s.Client()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// acmeSeed is one organization, "acme" (MFA optional), with one member,
// ada@acme.test.
var acmeSeed = emulator.Seed{
	Organizations: []emulator.OrganizationSeed{{Name: "Acme", Slug: "acme"}},
	Members:       []emulator.MemberSeed{{Organization: "acme", Email: "ada@acme.test"}},
}

// login starts a session for the member of the organization org with this
// email and returns its token and JWT.
func login(t testing.TB, s *emulator.Server, org, email string) (token, jwt string) {
	t.Helper()
	member, ok := s.MemberID(org, email)
	if !ok {
		t.Fatalf("no member %s in %s", email, org)
	}
	token, jwt, err := s.CreateSession(member)
	if err != nil {
		t.Fatal(err)
	}
	return token, jwt
}

// rejection returns the status and Stytch error type of err, or "no answer"
// when err is not an API rejection.
func rejection(err error) string {
	var apiErr *client.Error
	if errors.As(err, &apiErr) {
		return fmt.Sprint(apiErr.StatusCode, " ", apiErr.ErrorType)
	}
	return "no answer"
}

// clock is a time source a test moves by hand.
type clock struct{ now time.Time }

func (c *clock) Now() time.Time          { return c.now }
func (c *clock) Advance(d time.Duration) { c.now = c.now.Add(d) }
