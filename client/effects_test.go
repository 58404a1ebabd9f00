package client_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

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

// TestOptionEffects checks what each option does, as its doc comment says.
func TestOptionEffects(t *testing.T) {
	t.Parallel()
	runOutputCases(t, []outputCase{
		{
			name: "WithBaseURL points the client at another API host",
			run: func(t *testing.T, out io.Writer) {
				s, err := emulator.New(emulator.WithProjectID("project-test-example"))
				if err != nil {
					t.Fatal(err)
				}
				defer s.Close()

				// Point the client at the emulator (or any Stytch-compatible API).
				c, err := client.New(s.ProjectID(), s.Secret(), client.WithBaseURL(s.URL()+"/"))
				if err != nil {
					t.Fatal(err)
				}
				fmt.Fprintln(out, c.ProjectID())
				fmt.Fprintln(out, c.BaseURL() == s.URL())
				fmt.Fprintln(out, strings.TrimPrefix(c.JWKSURL(), s.URL()))
			},
			want: `project-test-example
true
/v1/b2b/sessions/jwks/project-test-example`,
		},
		{
			name: "WithHTTPClient sends the calls through the given client",
			run: func(t *testing.T, out io.Writer) {
				s, _, stop := startExample(t)
				defer stop()

				// The client sends every call through the given *http.Client, e.g. one
				// with an instrumented transport.
				counter := &countingTransport{base: http.DefaultTransport}
				c, err := client.New(s.ProjectID(), s.Secret(), client.WithBaseURL(s.URL()),
					client.WithHTTPClient(&http.Client{Transport: counter}))
				if err != nil {
					t.Fatal(err)
				}
				if _, err := c.RBAC.Policy(context.Background(), nil); err != nil {
					t.Fatal(err)
				}
				fmt.Fprintln(out, counter.n.Load())
			},
			want: `1`,
		},
		{
			name: "WithTimeout bounds each call",
			run: func(t *testing.T, out io.Writer) {
				s, c, stop := startExample(t)
				defer stop()

				// Stytch does not answer within the time limit of an attempt.
				s.SetFault(emulator.Fault{Path: "/v1/b2b/sessions/authenticate", Latency: time.Hour})
				quick, err := client.New(s.ProjectID(), s.Secret(), client.WithBaseURL(s.URL()),
					client.WithTimeout(20*time.Millisecond))
				if err != nil {
					t.Fatal(err)
				}
				_, err = quick.Sessions.Authenticate(context.Background(), &client.SessionsAuthenticateParams{SessionToken: "any"})
				fmt.Fprintln(out, errors.Is(err, client.ErrUnavailable))

				// Other paths are not delayed.
				_, err = c.RBAC.Policy(context.Background(), nil)
				fmt.Fprintln(out, err)
			},
			want: `true
<nil>`,
		},
		{
			name: "WithLogger logs calls without credentials",
			run: func(t *testing.T, out io.Writer) {
				s, _, stop := startExample(t)
				defer stop()

				// Every call is logged at debug level, failures at warn; drop the
				// varying attributes to keep the output stable.
				logger := slog.New(slog.NewTextHandler(out, &slog.HandlerOptions{
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
					t.Fatal(err)
				}
				ctx := context.Background()
				_, _ = c.Sessions.Authenticate(ctx, &client.SessionsAuthenticateParams{SessionToken: "unknown"})
				if _, err := c.RBAC.Policy(ctx, nil); err != nil {
					t.Fatal(err)
				}
			},
			want: `level=DEBUG msg="b2bauth: stytch call rejected" method=POST path=/v1/b2b/sessions/authenticate status=404 error_type=session_not_found
level=DEBUG msg="b2bauth: stytch call" method=GET path=/v1/b2b/rbac/policy status=200`,
		},
		{
			// fetches the key set through an HTTP client of its
			// own, e.g. one allowed through an egress proxy or traced separately; API
			// calls keep the client's.
			name: "WithJWKSHTTPClient fetches keys through the given client",
			run: func(t *testing.T, out io.Writer) {
				s, _, stop := startExample(t)
				defer stop()
				api, keys := &countingTransport{base: http.DefaultTransport}, &countingTransport{base: http.DefaultTransport}
				c, err := client.New(s.ProjectID(), s.Secret(), client.WithBaseURL(s.URL()),
					client.WithHTTPClient(&http.Client{Transport: api}))
				if err != nil {
					t.Fatal(err)
				}

				jwks, err := c.NewJWKS(context.Background(), client.WithJWKSHTTPClient(&http.Client{Transport: keys}))
				if err != nil {
					t.Fatal(err)
				}
				defer jwks.Close()
				if _, err := c.RBAC.Policy(context.Background(), nil); err != nil {
					t.Fatal(err)
				}
				fmt.Fprintln(out, "API calls:", api.n.Load())
				fmt.Fprintln(out, "key set fetches:", keys.n.Load())
			},
			want: `API calls: 1
key set fetches: 1`,
		},
		{
			// ExampleWithUnknownKIDInterval: a JWT naming a key the set lacks makes the
			// set be fetched again, at most once per interval, so a flood of tokens with
			// made-up key IDs cannot turn into a flood of fetches.
			name: "WithUnknownKIDInterval limits fetches for unknown kids",
			run: func(t *testing.T, out io.Writer) {
				s, c, stop := startExample(t)
				defer stop()
				jwks, err := c.NewJWKS(context.Background(), client.WithUnknownKIDInterval(time.Hour))
				if err != nil {
					t.Fatal(err)
				}
				defer jwks.Close()
				ada := mustMember(t, s, "acme", exampleAda)
				jwksPath := "/v1/b2b/sessions/jwks/" + c.ProjectID()

				for range 2 {
					s.RotateKey() // Stytch signs with a new key from now on
					_, sessionJWT, err := s.CreateSession(ada)
					if err != nil {
						t.Fatal(err)
					}
					_, err = jwt.Parse(sessionJWT, jwks.Keyfunc)
					fmt.Fprintf(out, "unknown kid: %v, key set fetches: %d\n", errors.Is(err, client.ErrUnknownKID), s.Calls(http.MethodGet, jwksPath))
				}
			},
			want: `unknown kid: false, key set fetches: 2
unknown kid: true, key set fetches: 2`,
		},
		{
			// ExampleWithStartWait: NewJWKS does not wait for a slow key set longer than
			// the start wait, and a token checked meanwhile waits for that same fetch
			// (at most the key wait) instead of starting another.
			name: "WithStartWait bounds the first key set fetch",
			run: func(t *testing.T, out io.Writer) {
				s, c, stop := startExample(t)
				defer stop()
				_, sessionJWT := login(t, s, "acme", exampleAda)
				jwksPath := "/v1/b2b/sessions/jwks/" + c.ProjectID()
				s.SetFault(emulator.Fault{Path: jwksPath, Latency: 200 * time.Millisecond})

				jwks, err := c.NewJWKS(context.Background(), client.WithStartWait(0), client.WithKeyWait(5*time.Second))
				if err != nil {
					t.Fatal(err)
				}
				defer jwks.Close()
				_, err = jwt.Parse(sessionJWT, jwks.Keyfunc)
				fmt.Fprintln(out, err)
				fmt.Fprintln(out, "key set fetches:", s.Calls(http.MethodGet, jwksPath))
			},
			want: `<nil>
key set fetches: 1`,
		},
		{
			// names the application in the User-Agent of API calls
			// and key set fetches alike.
			name: "WithUserAgent sets the User-Agent of every call",
			run: func(t *testing.T, out io.Writer) {
				s, err := emulator.New(emulator.WithProjectID("project-test-example"))
				if err != nil {
					t.Fatal(err)
				}
				defer s.Close()
				c, err := client.New(s.ProjectID(), s.Secret(), client.WithBaseURL(s.URL()),
					client.WithHTTPClient(&http.Client{Transport: uaTransport{out: out}}),
					client.WithUserAgent("acme-billing/2.3"))
				if err != nil {
					t.Fatal(err)
				}

				if _, err := c.RBAC.Policy(context.Background(), nil); err != nil {
					t.Fatal(err)
				}
				jwks, err := c.NewJWKS(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				jwks.Close()
			},
			want: `/v1/b2b/rbac/policy acme-billing/2.3
/v1/b2b/sessions/jwks/project-test-example acme-billing/2.3`,
		},
		{
			// bounds how long a change to the project's roles at
			// Stytch takes to reach local authorization checks. The policy cache runs on
			// a clock the example moves by hand (WithPolicyClock).
			name: "WithPolicyMaxAge refetches an old policy",
			run: func(t *testing.T, out io.Writer) {
				s, c, stop := startExample(t)
				defer stop()
				acme := mustOrg(t, s, "acme")
				now := time.Date(2030, time.January, 2, 9, 0, 0, 0, time.UTC)
				cache := mustPolicyCache(t, c,
					client.WithPolicyMaxAge(time.Minute),
					client.WithPolicyClock(func() time.Time { return now }))
				check := client.AuthorizationCheck{OrganizationID: acme, ResourceID: "documents", Action: "read"}
				authorize := func() {
					err := cache.Authorize(context.Background(), acme, []string{"reviewer"}, check)
					fmt.Fprintln(out, now.Format("15:04:05"), "reviewer may read:", err == nil)
				}

				authorize()
				// An administrator adds the role at Stytch.
				if err := s.AddRole(emulator.Role{RoleID: "reviewer",
					Permissions: []emulator.Permission{{ResourceID: "documents", Actions: []string{"read"}}}}); err != nil {
					t.Fatal(err)
				}
				now = now.Add(30 * time.Second)
				authorize()
				now = now.Add(30 * time.Second)
				authorize()
			},
			want: `09:00:00 reviewer may read: false
09:00:30 reviewer may read: false
09:01:00 reviewer may read: true`,
		},
	})
}

// TestCallEffects checks each call of the client against the emulator, as
// its doc comment says.
func TestCallEffects(t *testing.T) {
	t.Parallel()
	runOutputCases(t, []outputCase{
		{
			name: "Client.NewJWKS verifies a session JWT locally after one fetch",
			run: func(t *testing.T, out io.Writer) {
				s, c, stop := startExample(t)
				defer stop()
				_, sessionJWT := login(t, s, "acme", exampleAda)

				ctx, cancel := context.WithCancel(context.Background())
				defer cancel() // stops the background refresh, like jwks.Close
				jwks, err := c.NewJWKS(ctx,
					client.WithRefreshInterval(30*time.Minute),
					client.WithUnknownKIDInterval(time.Minute),
				)
				if err != nil {
					t.Fatal(err)
				}
				defer jwks.Close()

				// Verify the session JWT locally: no call to Stytch per request.
				var claims client.SessionClaims
				_, err = jwt.ParseWithClaims(sessionJWT, &claims, jwks.Keyfunc,
					jwt.WithValidMethods([]string{"RS256"}),
					jwt.WithAudience(c.ProjectID()),
					jwt.WithExpirationRequired(),
				)
				fmt.Fprintln(out, err)
				fmt.Fprintln(out, slices.Contains(c.Issuers(), claims.Issuer))
				fmt.Fprintln(out, claims.Organization.Slug, claims.Session.Roles)
				fmt.Fprintln(out, claims.Session.AuthenticationFactors[0].Type)
				fmt.Fprintln(out, s.Calls("GET", "/v1/b2b/sessions/jwks/"+c.ProjectID()))
			},
			want: `<nil>
true
acme [stytch_member editor]
magic_link
1`,
		},
		{
			name: "JWKS.Keyfunc finds the key of a JWT by its kid",
			run: func(t *testing.T, out io.Writer) {
				s, c, stop := startExample(t)
				defer stop()
				jwks := newJWKS(t, c)
				defer jwks.Close()

				// A key rotated in after the first fetch is found by the refresh that
				// its unknown kid triggers.
				s.RotateKey()
				_, fresh := login(t, s, "acme", exampleAda)
				_, err := jwt.Parse(fresh, jwks.Keyfunc, jwt.WithValidMethods([]string{"RS256"}))
				fmt.Fprintln(out, err)

				// A token naming a key the project never published. (Refreshes for
				// unknown kids are rate limited, so junk tokens cannot flood Stytch.)
				forged, err := s.SignJWT(map[string]any{"sub": "member-test-x"}, map[string]any{"kid": "jwk-test-unknown"})
				if err != nil {
					t.Fatal(err)
				}
				_, err = jwt.Parse(forged, jwks.Keyfunc, jwt.WithValidMethods([]string{"RS256"}))
				fmt.Fprintln(out, errors.Is(err, client.ErrUnknownKID))
				fmt.Fprintln(out, s.Calls("GET", "/v1/b2b/sessions/jwks/"+c.ProjectID()))
			},
			want: `<nil>
true
2`,
		},
		{
			name: "JWKS.KeyfuncCtx honours the context of the request",
			run: func(t *testing.T, out io.Writer) {
				s, c, stop := startExample(t)
				defer stop()
				jwks := newJWKS(t, c)
				defer jwks.Close()
				_, sessionJWT := login(t, s, "beta", exampleAda)

				// In a handler, bound any refresh by the request's context.
				req, err := http.NewRequest("GET", "/dashboard", nil)
				if err != nil {
					t.Fatal(err)
				}
				var claims client.SessionClaims
				_, err = jwt.ParseWithClaims(sessionJWT, &claims, jwks.KeyfuncCtx(req.Context()))
				fmt.Fprintln(out, err, claims.Organization.Slug)
			},
			want: `<nil> beta`,
		},
		{
			name: "Client.NewPolicyCache fetches the policy once",
			run: func(t *testing.T, out io.Writer) {
				s, c, stop := startExample(t)
				defer stop()
				acme := mustOrg(t, s, "acme")

				// A clock the example moves by hand.
				now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
				cache := mustPolicyCache(t, c,
					client.WithPolicyMaxAge(time.Minute),
					client.WithPolicyClock(func() time.Time { return now }),
				)
				check := client.AuthorizationCheck{OrganizationID: acme, ResourceID: "documents", Action: "read"}
				roles := []string{"editor", "stytch_member"}
				ctx := context.Background()

				for range 3 {
					if err := cache.Authorize(ctx, acme, roles, check); err != nil {
						t.Fatal(err)
					}
				}
				fmt.Fprintln(out, "fetches while fresh:", s.Calls("GET", "/v1/b2b/rbac/policy"))

				now = now.Add(2 * time.Minute)
				if err := cache.Authorize(ctx, acme, roles, check); err != nil {
					t.Fatal(err)
				}
				fmt.Fprintln(out, "fetches after max age:", s.Calls("GET", "/v1/b2b/rbac/policy"))
			},
			want: `fetches while fresh: 1
fetches after max age: 2`,
		},
		{
			name: "PolicyCache.Authorize decides with project and organization roles",
			run: func(t *testing.T, out io.Writer) {
				s, c, stop := startExample(t)
				defer stop()
				acme, beta := mustOrg(t, s, "acme"), mustOrg(t, s, "beta")
				cache := mustPolicyCache(t, c)
				ctx := context.Background()

				// The roles and organization come from the verified session, e.g. the
				// claims of its JWT.
				roles := []string{"editor", "stytch_member"}
				write := client.AuthorizationCheck{OrganizationID: acme, ResourceID: "documents", Action: "write"}
				remove := client.AuthorizationCheck{OrganizationID: acme, ResourceID: "documents", Action: "delete"}
				export := client.AuthorizationCheck{OrganizationID: acme, ResourceID: "audit_logs", Action: "export"}
				elsewhere := client.AuthorizationCheck{OrganizationID: beta, ResourceID: "documents", Action: "read"}

				fmt.Fprintln(out, cache.Authorize(ctx, acme, roles, write))
				fmt.Fprintln(out, errors.Is(cache.Authorize(ctx, acme, roles, remove), client.ErrAuthorizationDenied))
				fmt.Fprintln(out, errors.Is(cache.Authorize(ctx, acme, roles, elsewhere), client.ErrTenancyMismatch))
				// A role of the organization's own policy.
				fmt.Fprintln(out, cache.Authorize(ctx, acme, []string{"org-auditor"}, export))

				// Denials are *Error values with Stytch's status and type.
				var apiErr *client.Error
				if errors.As(cache.Authorize(ctx, acme, roles, remove), &apiErr) {
					fmt.Fprintln(out, apiErr.StatusCode, apiErr.ErrorType)
				}
			},
			want: `<nil>
true
true
<nil>
403 session_authorization_error`,
		},
		{
			name: "RBACService.Policy returns the project's policy",
			run: func(t *testing.T, out io.Writer) {
				_, c, stop := startExample(t)
				defer stop()

				resp, err := c.RBAC.Policy(context.Background(), nil)
				if err != nil {
					t.Fatal(err)
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
				fmt.Fprintln(out, resp.StatusCode, roles, resources)

				// The same policy decides locally, without a call per check.
				err = client.AuthorizeWithPolicy(resp.Policy, nil, "org-1", []string{"editor"},
					client.AuthorizationCheck{OrganizationID: "org-1", ResourceID: "documents", Action: "write"})
				fmt.Fprintln(out, err)
			},
			want: `200 [editor stytch_admin stytch_member] [audit_logs documents]
<nil>`,
		},
		{
			name: "RBACService.OrganizationPolicy returns an organization's roles",
			run: func(t *testing.T, out io.Writer) {
				s, c, stop := startExample(t)
				defer stop()

				resp, err := c.RBAC.OrganizationPolicy(context.Background(),
					&client.RBACOrganizationPolicyParams{OrganizationID: mustOrg(t, s, "acme")})
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range resp.OrgPolicy.Roles {
					fmt.Fprintln(out, r.RoleID, r.Permissions[0].ResourceID, r.Permissions[0].Actions)
				}
			},
			want: `org-auditor audit_logs [export]`,
		},
		{
			name: "SessionsService.Authenticate runs an authorization check",
			run: func(t *testing.T, out io.Writer) {
				s, c, stop := startExample(t)
				defer stop()
				acme := mustOrg(t, s, "acme")
				token, _ := login(t, s, "acme", exampleAda)
				ctx := context.Background()

				resp, err := c.Sessions.Authenticate(ctx, &client.SessionsAuthenticateParams{
					SessionToken:       token,
					AuthorizationCheck: &client.AuthorizationCheck{OrganizationID: acme, ResourceID: "documents", Action: "write"},
				})
				if err != nil {
					t.Fatal(err)
				}
				fmt.Fprintln(out, resp.Organization.OrganizationSlug, resp.Member.EmailAddress, resp.SessionJWT != "")
				fmt.Fprintln(out, resp.Verdict.Authorized, resp.Verdict.GrantingRoles)

				_, err = c.Sessions.Authenticate(ctx, &client.SessionsAuthenticateParams{
					SessionToken:       token,
					AuthorizationCheck: &client.AuthorizationCheck{OrganizationID: acme, ResourceID: "documents", Action: "delete"},
				})
				fmt.Fprintln(out, errors.Is(err, client.ErrAuthorizationDenied))
			},
			want: `acme ada@acme.test true
true [editor]
true`,
		},
		{
			name: "SessionsService.Revoke ends a session",
			run: func(t *testing.T, out io.Writer) {
				s, c, stop := startExample(t)
				defer stop()
				token, _ := login(t, s, "acme", exampleAda)
				ctx := context.Background()

				resp, err := c.Sessions.Revoke(ctx, &client.SessionsRevokeParams{SessionToken: token})
				if err != nil {
					t.Fatal(err)
				}
				fmt.Fprintln(out, resp.StatusCode)

				_, err = c.Sessions.Authenticate(ctx, &client.SessionsAuthenticateParams{SessionToken: token})
				fmt.Fprintln(out, errorType(err))
			},
			want: `200
session_not_found`,
		},
		{
			name: "SessionsService.Exchange moves a session to another organization",
			run: func(t *testing.T, out io.Writer) {
				s, c, stop := startExample(t)
				defer stop()
				token, _ := login(t, s, "acme", exampleAda)

				// Switch ada's session from acme to beta without a new login.
				resp, err := c.Sessions.Exchange(context.Background(), &client.SessionsExchangeParams{
					SessionToken:   token,
					OrganizationID: mustOrg(t, s, "beta"),
				})
				if err != nil {
					t.Fatal(err)
				}
				fmt.Fprintln(out, resp.Organization.OrganizationSlug, resp.MemberAuthenticated, resp.SessionToken != token)
			},
			want: `beta true true`,
		},
		{
			name: "SessionsService.Get lists a member's sessions",
			run: func(t *testing.T, out io.Writer) {
				s, c, stop := startExample(t)
				defer stop()
				ada := mustMember(t, s, "acme", exampleAda)
				for range 2 {
					if _, _, err := s.CreateSession(ada); err != nil {
						t.Fatal(err)
					}
				}

				resp, err := c.Sessions.Get(context.Background(), &client.SessionsGetParams{
					OrganizationID: mustOrg(t, s, "acme"),
					MemberID:       ada,
				})
				if err != nil {
					t.Fatal(err)
				}
				fmt.Fprintln(out, len(resp.MemberSessions))
			},
			want: `2`,
		},
		{
			name: "SessionsService.GetJWKS returns the project's keys",
			run: func(t *testing.T, out io.Writer) {
				s, c, stop := startExample(t)
				defer stop()
				s.RotateKey()

				// The key set is public: a wrong secret does not matter.
				public, err := client.New(c.ProjectID(), "secret-test-wrong", client.WithBaseURL(s.URL()))
				if err != nil {
					t.Fatal(err)
				}
				resp, err := public.Sessions.GetJWKS(context.Background(), nil)
				if err != nil {
					t.Fatal(err)
				}
				fmt.Fprintln(out, len(resp.Keys), resp.Keys[0].Kty, resp.Keys[0].Alg)
			},
			want: `2 RSA RS256`,
		},
		{
			name: "SessionsService.Migrate turns a foreign token into a session",
			run: func(t *testing.T, out io.Writer) {
				s, c, stop := startExample(t)
				defer stop()

				// The emulator stands in for the external provider that knows the token.
				resp, err := c.Sessions.Migrate(context.Background(), &client.SessionsMigrateParams{
					SessionToken:   s.MigrationToken(exampleAda),
					OrganizationID: mustOrg(t, s, "acme"),
				})
				if err != nil {
					t.Fatal(err)
				}
				fmt.Fprintln(out, resp.Member.EmailAddress, resp.SessionToken != "", resp.SessionJWT != "")
			},
			want: `ada@acme.test true true`,
		},
		{
			name: "DiscoveryService.ListOrganizations lists the member's organizations",
			run: func(t *testing.T, out io.Writer) {
				s, c, stop := startExample(t)
				defer stop()

				// An intermediate session token, as a discovery authenticate call returns.
				ist := s.IntermediateSessionToken(exampleAda)
				resp, err := c.Discovery.ListOrganizations(context.Background(),
					&client.DiscoveryListOrganizationsParams{IntermediateSessionToken: ist})
				if err != nil {
					t.Fatal(err)
				}
				fmt.Fprintln(out, resp.EmailAddress)
				for _, d := range resp.DiscoveredOrganizations {
					fmt.Fprintln(out, d.Organization.OrganizationSlug, d.Membership.Type)
				}
			},
			want: `ada@acme.test
acme active_member
beta active_member`,
		},
		{
			name: "DiscoveryService.ExchangeIntermediateSession enters an organization",
			run: func(t *testing.T, out io.Writer) {
				s, c, stop := startExample(t)
				defer stop()
				ctx := context.Background()

				// Ada enters acme, whose MFA is optional: a session at once.
				resp, err := c.Discovery.ExchangeIntermediateSession(ctx, &client.DiscoveryExchangeParams{
					IntermediateSessionToken: s.IntermediateSessionToken(exampleAda),
					OrganizationID:           mustOrg(t, s, "acme"),
				})
				if err != nil {
					t.Fatal(err)
				}
				fmt.Fprintln(out, resp.MemberAuthenticated, resp.SessionToken != "", resp.MemberSession.Roles)

				// Sam enters secure, which requires MFA: the token comes back with what
				// MFA needs, and an SMS code was already sent to his verified phone.
				resp, err = c.Discovery.ExchangeIntermediateSession(ctx, &client.DiscoveryExchangeParams{
					IntermediateSessionToken: s.IntermediateSessionToken(exampleSam),
					OrganizationID:           mustOrg(t, s, "secure"),
				})
				if err != nil {
					t.Fatal(err)
				}
				fmt.Fprintln(out, resp.MemberAuthenticated, resp.SessionToken == "", resp.IntermediateSessionToken != "")
				fmt.Fprintln(out, resp.MFARequired.SecondaryAuthInitiated, resp.MFARequired.MemberOptions.MFAPhoneNumber)
			},
			want: `true true [stytch_member editor]
false true true
sms_otp +15555550101`,
		},
		{
			name: "DiscoveryService.CreateOrganization creates an organization at login",
			run: func(t *testing.T, out io.Writer) {
				s, c, stop := startExample(t)
				defer stop()

				resp, err := c.Discovery.CreateOrganization(context.Background(), &client.DiscoveryCreateOrganizationParams{
					IntermediateSessionToken: s.IntermediateSessionToken("cleo@new.test"),
					OrganizationName:         "New Co",
					OrganizationSlug:         "new-co",
				})
				if err != nil {
					t.Fatal(err)
				}
				fmt.Fprintln(out, resp.Organization.OrganizationSlug, resp.Member.EmailAddress, resp.MemberAuthenticated)
				// The creator administers the new organization.
				fmt.Fprintln(out, slices.Contains(resp.MemberSession.Roles, "stytch_admin"))
			},
			want: `new-co cleo@new.test true
true`,
		},
		{
			name: "MagicLinksService.DiscoverySend emails a discovery link",
			run: func(t *testing.T, out io.Writer) {
				s, c, stop := startExample(t)
				defer stop()
				_, challenge := examplePKCE()

				resp, err := c.MagicLinks.DiscoverySend(context.Background(), &client.MagicLinksDiscoverySendParams{
					EmailAddress:         exampleAda,
					DiscoveryRedirectURL: "https://app.example.com/authenticate",
					PkceCodeChallenge:    challenge,
				})
				if err != nil {
					t.Fatal(err)
				}
				fmt.Fprintln(out, resp.StatusCode)

				// The emulator keeps the email instead of sending it.
				link, _, ok := s.LastMagicLink(exampleAda)
				fmt.Fprintln(out, ok, strings.HasPrefix(link, "https://app.example.com/authenticate?"))
			},
			want: `200
true true`,
		},
		{
			name: "MagicLinksService.DiscoveryAuthenticate checks the link with its PKCE verifier",
			run: func(t *testing.T, out io.Writer) {
				s, c, stop := startExample(t)
				defer stop()
				ctx := context.Background()
				verifier, challenge := examplePKCE()
				token := sendDiscoveryLink(t, s, c, exampleAda, challenge)

				resp, err := c.MagicLinks.DiscoveryAuthenticate(ctx, &client.MagicLinksDiscoveryAuthenticateParams{
					DiscoveryMagicLinksToken: token,
					PkceCodeVerifier:         verifier,
				})
				if err != nil {
					t.Fatal(err)
				}
				fmt.Fprintln(out, resp.EmailAddress, resp.IntermediateSessionToken != "", len(resp.DiscoveredOrganizations))

				// A link works once.
				_, err = c.MagicLinks.DiscoveryAuthenticate(ctx, &client.MagicLinksDiscoveryAuthenticateParams{
					DiscoveryMagicLinksToken: token,
					PkceCodeVerifier:         verifier,
				})
				fmt.Fprintln(out, errorType(err))
			},
			want: `ada@acme.test true 2
unable_to_auth_magic_link`,
		},
		{
			name: "OAuthService.DiscoveryAuthenticate checks an OAuth discovery token",
			run: func(t *testing.T, out io.Writer) {
				s, c, stop := startExample(t)
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
					t.Fatal(err)
				}
				fmt.Fprintln(out, resp.EmailAddress, resp.ProviderType, resp.IntermediateSessionToken != "")
			},
			want: `ada@acme.test Google true`,
		},
		{
			name: "OTPsService.SMSSend texts a code to the member",
			run: func(t *testing.T, out io.Writer) {
				s, c, stop := startExample(t)
				defer stop()
				ctx := context.Background()
				secure := mustOrg(t, s, "secure")

				// Bob has a TOTP registration too, so no code is sent on entering.
				ex := enter(t, s, c, exampleBob, "secure")
				fmt.Fprintf(out, "%q\n", ex.MFARequired.SecondaryAuthInitiated)

				resp, err := c.OTPs.SMSSend(ctx, &client.OTPsSMSSendParams{
					OrganizationID:           secure,
					MemberID:                 ex.MemberID,
					IntermediateSessionToken: ex.IntermediateSessionToken,
				})
				if err != nil {
					t.Fatal(err)
				}
				fmt.Fprintln(out, resp.StatusCode, len(s.LastSMSCode("+15555550100")))
			},
			want: `""
200 6`,
		},
		{
			name: "OTPsService.SMSAuthenticate completes MFA with the code",
			run: func(t *testing.T, out io.Writer) {
				s, c, stop := startExample(t)
				defer stop()
				ctx := context.Background()
				secure := mustOrg(t, s, "secure")
				ex := enter(t, s, c, exampleSam, "secure")
				// The exchange sent the code (secondary_auth_initiated "sms_otp").
				code := s.LastSMSCode(exampleSamPhone)

				resp, err := c.OTPs.SMSAuthenticate(ctx, &client.OTPsSMSAuthenticateParams{
					OrganizationID:           secure,
					MemberID:                 ex.MemberID,
					IntermediateSessionToken: ex.IntermediateSessionToken,
					Code:                     code,
				})
				if err != nil {
					t.Fatal(err)
				}
				var types []string
				for _, f := range resp.MemberSession.AuthenticationFactors {
					types = append(types, f.Type+"/"+f.DeliveryMethod)
				}
				fmt.Fprintln(out, resp.SessionToken != "", types)
			},
			want: `true [magic_link/email otp/sms]`,
		},
		{
			name: "TOTPsService.Create enrolls an authenticator app",
			run: func(t *testing.T, out io.Writer) {
				s, c, stop := startExample(t)
				defer stop()
				ctx := context.Background()
				secure := mustOrg(t, s, "secure")

				// Tia must do MFA in secure but has no factor yet: she enrols TOTP.
				ex := enter(t, s, c, exampleTia, "secure")
				resp, err := c.TOTPs.Create(ctx, &client.TOTPsCreateParams{
					OrganizationID:           secure,
					MemberID:                 ex.MemberID,
					IntermediateSessionToken: ex.IntermediateSessionToken,
				})
				if err != nil {
					t.Fatal(err)
				}
				// Show the QR code once; the member keeps the recovery codes.
				fmt.Fprintln(out, resp.Secret != "", strings.HasPrefix(resp.QrCode, "data:image/png;base64,"), len(resp.RecoveryCodes))
			},
			want: `true true 10`,
		},
		{
			name: "TOTPsService.Authenticate completes MFA with the app's code",
			run: func(t *testing.T, out io.Writer) {
				s, c, stop := startExample(t)
				defer stop()
				ctx := context.Background()
				secure := mustOrg(t, s, "secure")
				ex := enter(t, s, c, exampleBob, "secure")
				// The code bob's authenticator app shows now.
				code, err := s.TOTPCode(ex.MemberID)
				if err != nil {
					t.Fatal(err)
				}

				p := &client.TOTPsAuthenticateParams{
					OrganizationID:           secure,
					MemberID:                 ex.MemberID,
					IntermediateSessionToken: ex.IntermediateSessionToken,
					Code:                     code,
				}
				resp, err := c.TOTPs.Authenticate(ctx, p)
				if err != nil {
					t.Fatal(err)
				}
				fmt.Fprintln(out, resp.SessionToken != "", resp.Organization.OrganizationSlug)

				// A code works once: replaying it is refused.
				p.IntermediateSessionToken, p.SessionToken = "", resp.SessionToken
				_, err = c.TOTPs.Authenticate(ctx, p)
				fmt.Fprintln(out, errorType(err))
			},
			want: `true secure
totp_code_already_authenticated`,
		},
		{
			name: "TOTPsService.Migrate imports an existing TOTP secret",
			run: func(t *testing.T, out io.Writer) {
				s, c, stop := startExample(t)
				defer stop()

				// Import tia's registration from another system.
				resp, err := c.TOTPs.Migrate(context.Background(), &client.TOTPsMigrateParams{
					OrganizationID: mustOrg(t, s, "secure"),
					MemberID:       mustMember(t, s, "secure", exampleTia),
					Secret:         exampleTOTPS,
					RecoveryCodes:  []string{"cccc-dddd-0001", "cccc-dddd-0002"},
				})
				if err != nil {
					t.Fatal(err)
				}
				fmt.Fprintln(out, resp.TOTPRegistrationID != "", resp.RecoveryCodes)
			},
			want: `true [cccc-dddd-0001 cccc-dddd-0002]`,
		},
		{
			name: "RecoveryCodesService.Recover completes MFA with a recovery code",
			run: func(t *testing.T, out io.Writer) {
				s, c, stop := startExample(t)
				defer stop()
				ctx := context.Background()
				secure := mustOrg(t, s, "secure")
				ex := enter(t, s, c, exampleBob, "secure")

				// Bob lost his phone: a recovery code completes MFA instead.
				resp, err := c.RecoveryCodes.Recover(ctx, &client.RecoveryCodesRecoverParams{
					OrganizationID:           secure,
					MemberID:                 ex.MemberID,
					IntermediateSessionToken: ex.IntermediateSessionToken,
					RecoveryCode:             "aaaa-bbbb-0001",
				})
				if err != nil {
					t.Fatal(err)
				}
				fmt.Fprintln(out, resp.SessionToken != "", resp.RecoveryCodesRemaining)

				// A recovery code works once.
				_, err = c.RecoveryCodes.Recover(ctx, &client.RecoveryCodesRecoverParams{
					OrganizationID: secure,
					MemberID:       ex.MemberID,
					SessionToken:   resp.SessionToken,
					RecoveryCode:   "aaaa-bbbb-0001",
				})
				fmt.Fprintln(out, errorType(err))
			},
			want: `true 2
unable_to_authenticate_recovery_code`,
		},
		{
			name: "RecoveryCodesService.Get returns the member's codes",
			run: func(t *testing.T, out io.Writer) {
				s, c, stop := startExample(t)
				defer stop()

				resp, err := c.RecoveryCodes.Get(context.Background(), &client.RecoveryCodesGetParams{
					OrganizationID: mustOrg(t, s, "secure"),
					MemberID:       mustMember(t, s, "secure", exampleBob),
				})
				if err != nil {
					t.Fatal(err)
				}
				fmt.Fprintln(out, resp.RecoveryCodes)
			},
			want: `[aaaa-bbbb-0001 aaaa-bbbb-0002 aaaa-bbbb-0003]`,
		},
		{
			name: "RecoveryCodesService.Rotate replaces the member's codes",
			run: func(t *testing.T, out io.Writer) {
				s, c, stop := startExample(t)
				defer stop()

				resp, err := c.RecoveryCodes.Rotate(context.Background(), &client.RecoveryCodesRotateParams{
					OrganizationID: mustOrg(t, s, "secure"),
					MemberID:       mustMember(t, s, "secure", exampleBob),
				})
				if err != nil {
					t.Fatal(err)
				}
				fmt.Fprintln(out, len(resp.RecoveryCodes), slices.Contains(resp.RecoveryCodes, "aaaa-bbbb-0001"))
			},
			want: `10 false`,
		},
		{
			name: "Error carries Stytch's answer",
			run: func(t *testing.T, out io.Writer) {
				s, c, stop := startExample(t)
				defer stop()

				_, err := c.Discovery.ExchangeIntermediateSession(context.Background(), &client.DiscoveryExchangeParams{
					IntermediateSessionToken: "ist-unknown",
					OrganizationID:           mustOrg(t, s, "acme"),
				})
				var apiErr *client.Error
				if errors.As(err, &apiErr) {
					fmt.Fprintln(out, apiErr.StatusCode, apiErr.ErrorType, apiErr.RequestID != "")
				}
				// A rejection is an answer: Stytch was available.
				fmt.Fprintln(out, errors.Is(err, client.ErrUnavailable))
			},
			want: `404 intermediate_session_not_found true
false`,
		},
		{
			name: "Error matches the client's sentinels",
			run: func(t *testing.T, out io.Writer) {
				s, c, stop := startExample(t)
				defer stop()
				ctx := context.Background()
				params := &client.SessionsAuthenticateParams{SessionToken: "any"}

				// Rate limits and server errors mean "Stytch could not answer":
				// fail closed, or keep a recently verified session, but do not log out.
				for _, status := range []int{http.StatusTooManyRequests, http.StatusServiceUnavailable} {
					s.SetFault(emulator.Fault{Path: "/v1/b2b/sessions/authenticate", Status: status})
					_, err := c.Sessions.Authenticate(ctx, params)
					fmt.Fprintln(out, status, errorType(err), errors.Is(err, client.ErrUnavailable))
				}

				// A transport failure matches too, without an *Error.
				s.Close()
				_, err := c.Sessions.Authenticate(ctx, params)
				var apiErr *client.Error
				fmt.Fprintln(out, errors.As(err, &apiErr), errors.Is(err, client.ErrUnavailable))
			},
			want: `429 too_many_requests true
503 internal_server_error true
false true`,
		},
		{
			name: "Error.Error names the type and message",
			run: func(t *testing.T, out io.Writer) {
				err := &client.Error{StatusCode: 404, ErrorType: "session_not_found", ErrorMessage: "Session not found."}
				fmt.Fprintln(out, err)
			},
			want: `b2bauth: stytch session_not_found (404): Session not found.`,
		},
		{
			// stops the background refresh. Keys asked of a closed set
			// are refused as unavailable, not as a verdict on the token.
			name: "JWKS.Close stops the background refresh",
			run: func(t *testing.T, out io.Writer) {
				s, c, stop := startExample(t)
				defer stop()
				_, sessionJWT := login(t, s, "acme", exampleAda)
				jwks, err := c.NewJWKS(context.Background())
				if err != nil {
					t.Fatal(err)
				}

				_, err = jwt.Parse(sessionJWT, jwks.Keyfunc)
				fmt.Fprintln(out, err)
				jwks.Close()
				_, err = jwt.Parse(sessionJWT, jwks.Keyfunc)
				fmt.Fprintln(out, errors.Is(err, client.ErrUnavailable))
			},
			want: `<nil>
true`,
		},
	})
}

// uaTransport writes the User-Agent of each request it sends to out.
type uaTransport struct{ out io.Writer }

func (t uaTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	fmt.Fprintln(t.out, r.URL.Path, r.Header.Get("User-Agent"))
	return http.DefaultTransport.RoundTrip(r)
}
