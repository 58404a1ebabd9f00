package client_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/b2bauth/b2bauth/client"
)

func TestNew(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		projectID string
		secret    string
		opts      []client.Option
		wantErr   string
		hidden    string // never in the error
		wantBase  string
	}{
		{name: "a test project defaults to the test API", projectID: "project-test-1", secret: "s", wantBase: client.TestBaseURL},
		{name: "a live project defaults to the live API", projectID: "project-live-1", secret: "s", wantBase: client.LiveBaseURL},
		{name: "a project id of neither kind defaults to the test API", projectID: "my-project", secret: "s", wantBase: client.TestBaseURL},
		{name: "a base URL option wins and loses its trailing slash", projectID: "project-live-1", secret: "s",
			opts: []client.Option{client.WithBaseURL("http://127.0.0.1:8080/")}, wantBase: "http://127.0.0.1:8080"},
		{name: "an empty project id is refused", projectID: "", secret: "s", wantErr: "empty project id"},
		{name: "an empty secret is refused", projectID: "project-test-1", secret: "", wantErr: "empty secret"},
		{name: "an unparseable base URL is refused", projectID: "project-test-1", secret: "s",
			opts: []client.Option{client.WithBaseURL("http://[::1")}, wantErr: "base url"},
		{name: "a base URL without scheme is refused", projectID: "project-test-1", secret: "s",
			opts: []client.Option{client.WithBaseURL("localhost:8080")}, wantErr: "base url"},
		{name: "a base URL with credentials is refused", projectID: "project-test-1", secret: "s",
			opts: []client.Option{client.WithBaseURL("https://u:p@example.com")}, wantErr: "base url"},
		{name: "Stytch's API over plain http is refused: it would send the secret unencrypted", projectID: "project-live-1", secret: "s",
			opts: []client.Option{client.WithBaseURL("http://api.stytch.com")}, wantErr: "unencrypted"},
		{name: "a Stytch host over plain http is refused whatever its case", projectID: "project-test-1", secret: "s",
			opts: []client.Option{client.WithBaseURL("http://Test.Stytch.com.:80/")}, wantErr: "unencrypted"},
		{name: "another host over plain http is taken, as for an emulator", projectID: "project-test-1", secret: "s",
			opts: []client.Option{client.WithBaseURL("http://emulator:9000")}, wantBase: "http://emulator:9000"},
		{name: "a base URL's password is not in the error", projectID: "project-test-1", secret: "s",
			opts: []client.Option{client.WithBaseURL("https://u:hunter2@example.com/?q")}, wantErr: "base url", hidden: "hunter2"},
		{name: "an unparseable base URL's password is not in the error", projectID: "project-test-1", secret: "s",
			opts: []client.Option{client.WithBaseURL("http://u:hunter2@[::1")}, wantErr: "base url", hidden: "hunter2"},
		{name: "a nil HTTP client is refused", projectID: "project-test-1", secret: "s",
			opts: []client.Option{client.WithHTTPClient(nil)}, wantErr: "nil http client"},
		{name: "a zero timeout is refused", projectID: "project-test-1", secret: "s",
			opts: []client.Option{client.WithTimeout(0)}, wantErr: "timeout"},
		{name: "a nil logger is refused", projectID: "project-test-1", secret: "s",
			opts: []client.Option{client.WithLogger(nil)}, wantErr: "nil logger"},
		{name: "a nil option is refused", projectID: "project-test-1", secret: "s",
			opts: []client.Option{nil}, wantErr: "nil option"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := client.New(tt.projectID, tt.secret, tt.opts...)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.HasPrefix(err.Error(), "b2bauth: ") {
					t.Fatalf("New error = %v, want one containing %q", err, tt.wantErr)
				}
				if tt.hidden != "" && strings.Contains(err.Error(), tt.hidden) {
					t.Fatalf("New error = %v, shows %q", err, tt.hidden)
				}
				return
			}
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			if c.BaseURL() != tt.wantBase {
				t.Errorf("BaseURL = %q, want %q", c.BaseURL(), tt.wantBase)
			}
			if c.ProjectID() != tt.projectID {
				t.Errorf("ProjectID = %q", c.ProjectID())
			}
			wantIss := []string{"stytch.com/" + tt.projectID, tt.wantBase}
			if !reflect.DeepEqual(c.Issuers(), wantIss) {
				t.Errorf("Issuers = %v, want %v", c.Issuers(), wantIss)
			}
		})
	}
}

// TestRequestEncoding checks method, path, query, credentials and JSON body
// of every call against the wire facts.
func TestRequestEncoding(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tests := []struct {
		name      string
		call      func(c *client.Client) error
		method    string
		path      string
		query     string
		noAuth    bool
		wantField map[string]any // JSON body fields that must be present
	}{
		{name: "sessions get sends the ids as query", method: "GET", path: "/v1/b2b/sessions",
			query: "member_id=member-1&organization_id=org-1",
			call: func(c *client.Client) error {
				_, err := c.Sessions.Get(ctx, &client.SessionsGetParams{OrganizationID: "org-1", MemberID: "member-1"})
				return err
			}},
		{name: "sessions authenticate posts the jwt and check", method: "POST", path: "/v1/b2b/sessions/authenticate",
			wantField: map[string]any{"session_jwt": "jwt-1", "session_duration_minutes": 60.0,
				"authorization_check": map[string]any{"organization_id": "org-1", "resource_id": "docs", "action": "read"}},
			call: func(c *client.Client) error {
				_, err := c.Sessions.Authenticate(ctx, &client.SessionsAuthenticateParams{SessionJWT: "jwt-1", SessionDurationMinutes: 60,
					AuthorizationCheck: &client.AuthorizationCheck{OrganizationID: "org-1", ResourceID: "docs", Action: "read"}})
				return err
			}},
		{name: "sessions revoke posts the session id", method: "POST", path: "/v1/b2b/sessions/revoke",
			wantField: map[string]any{"member_session_id": "ms-1"},
			call: func(c *client.Client) error {
				_, err := c.Sessions.Revoke(ctx, &client.SessionsRevokeParams{MemberSessionID: "ms-1"})
				return err
			}},
		{name: "sessions exchange posts the organization", method: "POST", path: "/v1/b2b/sessions/exchange",
			wantField: map[string]any{"organization_id": "org-2", "session_token": "tok-1"},
			call: func(c *client.Client) error {
				_, err := c.Sessions.Exchange(ctx, &client.SessionsExchangeParams{OrganizationID: "org-2", SessionToken: "tok-1"})
				return err
			}},
		{name: "sessions migrate posts the external token", method: "POST", path: "/v1/b2b/sessions/migrate",
			wantField: map[string]any{"session_token": "ext-1", "organization_id": "org-1"},
			call: func(c *client.Client) error {
				_, err := c.Sessions.Migrate(ctx, &client.SessionsMigrateParams{SessionToken: "ext-1", OrganizationID: "org-1"})
				return err
			}},
		{name: "sessions get jwks goes without credentials", method: "GET", path: "/v1/b2b/sessions/jwks/project-test-123", noAuth: true,
			call: func(c *client.Client) error {
				_, err := c.Sessions.GetJWKS(ctx, nil)
				return err
			}},
		{name: "discovery exchange posts the ist", method: "POST", path: "/v1/b2b/discovery/intermediate_sessions/exchange",
			wantField: map[string]any{"intermediate_session_token": "ist-1", "organization_id": "org-1"},
			call: func(c *client.Client) error {
				_, err := c.Discovery.ExchangeIntermediateSession(ctx, &client.DiscoveryExchangeParams{IntermediateSessionToken: "ist-1", OrganizationID: "org-1"})
				return err
			}},
		{name: "discovery create organization posts the name", method: "POST", path: "/v1/b2b/discovery/organizations/create",
			wantField: map[string]any{"intermediate_session_token": "ist-1", "organization_name": "Acme", "mfa_policy": "REQUIRED_FOR_ALL"},
			call: func(c *client.Client) error {
				_, err := c.Discovery.CreateOrganization(ctx, &client.DiscoveryCreateOrganizationParams{IntermediateSessionToken: "ist-1",
					OrganizationName: "Acme", MFAPolicy: client.MFAPolicyRequiredForAll})
				return err
			}},
		{name: "discovery list organizations posts the ist", method: "POST", path: "/v1/b2b/discovery/organizations",
			wantField: map[string]any{"intermediate_session_token": "ist-1"},
			call: func(c *client.Client) error {
				_, err := c.Discovery.ListOrganizations(ctx, &client.DiscoveryListOrganizationsParams{IntermediateSessionToken: "ist-1"})
				return err
			}},
		{name: "magic link discovery send posts email and pkce", method: "POST", path: "/v1/b2b/magic_links/email/discovery/send",
			wantField: map[string]any{"email_address": "a@example.com", "discovery_redirect_url": "https://app/cb",
				"pkce_code_challenge": "ch", "discovery_expiration_minutes": 10.0},
			call: func(c *client.Client) error {
				_, err := c.MagicLinks.DiscoverySend(ctx, &client.MagicLinksDiscoverySendParams{EmailAddress: "a@example.com",
					DiscoveryRedirectURL: "https://app/cb", PkceCodeChallenge: "ch", DiscoveryExpirationMinutes: 10})
				return err
			}},
		{name: "magic link discovery authenticate posts token and verifier", method: "POST", path: "/v1/b2b/magic_links/discovery/authenticate",
			wantField: map[string]any{"discovery_magic_links_token": "ml-1", "pkce_code_verifier": "v"},
			call: func(c *client.Client) error {
				_, err := c.MagicLinks.DiscoveryAuthenticate(ctx, &client.MagicLinksDiscoveryAuthenticateParams{DiscoveryMagicLinksToken: "ml-1", PkceCodeVerifier: "v"})
				return err
			}},
		{name: "oauth discovery authenticate posts the token", method: "POST", path: "/v1/b2b/oauth/discovery/authenticate",
			wantField: map[string]any{"discovery_oauth_token": "oa-1"},
			call: func(c *client.Client) error {
				_, err := c.OAuth.DiscoveryAuthenticate(ctx, &client.OAuthDiscoveryAuthenticateParams{DiscoveryOAuthToken: "oa-1"})
				return err
			}},
		{name: "otp sms send posts member and ist", method: "POST", path: "/v1/b2b/otps/sms/send",
			wantField: map[string]any{"organization_id": "org-1", "member_id": "m-1", "intermediate_session_token": "ist-1"},
			call: func(c *client.Client) error {
				_, err := c.OTPs.SMSSend(ctx, &client.OTPsSMSSendParams{OrganizationID: "org-1", MemberID: "m-1", IntermediateSessionToken: "ist-1"})
				return err
			}},
		{name: "otp sms authenticate posts the code", method: "POST", path: "/v1/b2b/otps/sms/authenticate",
			wantField: map[string]any{"code": "123456", "member_id": "m-1"},
			call: func(c *client.Client) error {
				_, err := c.OTPs.SMSAuthenticate(ctx, &client.OTPsSMSAuthenticateParams{OrganizationID: "org-1", MemberID: "m-1", Code: "123456"})
				return err
			}},
		{name: "totp create posts the member", method: "POST", path: "/v1/b2b/totp",
			wantField: map[string]any{"organization_id": "org-1", "member_id": "m-1"},
			call: func(c *client.Client) error {
				_, err := c.TOTPs.Create(ctx, &client.TOTPsCreateParams{OrganizationID: "org-1", MemberID: "m-1"})
				return err
			}},
		{name: "totp authenticate posts the code", method: "POST", path: "/v1/b2b/totp/authenticate",
			wantField: map[string]any{"code": "654321"},
			call: func(c *client.Client) error {
				_, err := c.TOTPs.Authenticate(ctx, &client.TOTPsAuthenticateParams{OrganizationID: "org-1", MemberID: "m-1", Code: "654321"})
				return err
			}},
		{name: "totp migrate posts secret and codes", method: "POST", path: "/v1/b2b/totp/migrate",
			wantField: map[string]any{"secret": "JBSWY3DP", "recovery_codes": []any{"a", "b"}},
			call: func(c *client.Client) error {
				_, err := c.TOTPs.Migrate(ctx, &client.TOTPsMigrateParams{OrganizationID: "org-1", MemberID: "m-1", Secret: "JBSWY3DP", RecoveryCodes: []string{"a", "b"}})
				return err
			}},
		{name: "recovery codes recover posts the code", method: "POST", path: "/v1/b2b/recovery_codes/recover",
			wantField: map[string]any{"recovery_code": "abcd-efgh"},
			call: func(c *client.Client) error {
				_, err := c.RecoveryCodes.Recover(ctx, &client.RecoveryCodesRecoverParams{OrganizationID: "org-1", MemberID: "m-1", RecoveryCode: "abcd-efgh"})
				return err
			}},
		{name: "recovery codes get escapes the ids into the path", method: "GET", path: "/v1/b2b/recovery_codes/org-1/m 1",
			call: func(c *client.Client) error {
				_, err := c.RecoveryCodes.Get(ctx, &client.RecoveryCodesGetParams{OrganizationID: "org-1", MemberID: "m 1"})
				return err
			}},
		{name: "recovery codes rotate posts the member", method: "POST", path: "/v1/b2b/recovery_codes/rotate",
			wantField: map[string]any{"member_id": "m-1"},
			call: func(c *client.Client) error {
				_, err := c.RecoveryCodes.Rotate(ctx, &client.RecoveryCodesRotateParams{OrganizationID: "org-1", MemberID: "m-1"})
				return err
			}},
		{name: "rbac policy is a get", method: "GET", path: "/v1/b2b/rbac/policy",
			call: func(c *client.Client) error {
				_, err := c.RBAC.Policy(ctx, nil)
				return err
			}},
		{name: "rbac organization policy names the organization", method: "GET", path: "/v1/b2b/rbac/organizations/org-1",
			call: func(c *client.Client) error {
				_, err := c.RBAC.OrganizationPolicy(ctx, &client.RBACOrganizationPolicyParams{OrganizationID: "org-1"})
				return err
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFake(t, func(*http.Request, int) (int, string) { return okJSON("") })
			c := newClient(t, f.URL)
			if err := tt.call(c); err != nil {
				t.Fatalf("call: %v", err)
			}
			got := f.last()
			if got.Method != tt.method || got.Path != tt.path || got.RawQuery != tt.query {
				t.Errorf("request = %s %s?%s, want %s %s?%s", got.Method, got.Path, got.RawQuery, tt.method, tt.path, tt.query)
			}
			wantAuth := "project-test-123:secret-test-abc"
			if tt.noAuth {
				wantAuth = ""
			}
			if got.Auth != wantAuth {
				t.Errorf("basic auth = %q, want %q", got.Auth, wantAuth)
			}
			if got.UA != "b2bauth-test" {
				t.Errorf("User-Agent = %q", got.UA)
			}
			if tt.method == "POST" && got.ContentType != "application/json" {
				t.Errorf("Content-Type = %q, want application/json", got.ContentType)
			}
			if tt.method == "GET" && got.Body != nil {
				t.Errorf("GET carried a body: %v", got.Body)
			}
			for k, v := range tt.wantField {
				if !reflect.DeepEqual(got.Body[k], v) {
					t.Errorf("body[%q] = %#v, want %#v", k, got.Body[k], v)
				}
			}
			for k, v := range got.Body {
				if v == "" || v == nil {
					t.Errorf("body[%q] = %#v: empty fields must be omitted", k, v)
				}
			}
		})
	}
}

func TestResponseDecoding(t *testing.T) {
	t.Parallel()
	const body = `{"status_code":200,"request_id":"req-1","session_jwt":"jwt-2","session_token":"tok-2",
	 "member_session":{"member_session_id":"ms-1","member_id":"m-1","organization_id":"org-1",
	  "started_at":"2026-01-02T03:04:05Z","expires_at":"2026-01-02T04:04:05Z","roles":["stytch_member"],
	  "authentication_factors":[{"type":"otp","delivery_method":"sms","last_authenticated_at":"2026-01-02T03:04:05Z",
	   "phone_number_factor":{"phone_id":"ph-1","phone_number":"+15555550100"}},
	   {"type":"totp","delivery_method":"authenticator_app","authenticator_app_factor":{"totp_id":"totp-1"}}],
	  "custom_claims":{"plan":"pro"}},
	 "member":{"member_id":"m-1","email_address":"a@example.com","roles":[{"role_id":"stytch_member","sources":[{"type":"direct_assignment","details":{}}]}]},
	 "organization":{"organization_id":"org-1","mfa_policy":"REQUIRED_FOR_ALL","allowed_mfa_methods":["sms_otp","totp"]},
	 "verdict":{"authorized":true,"granting_roles":["stytch_member"]}}`
	f := newFake(t, func(*http.Request, int) (int, string) { return http.StatusOK, body })
	c := newClient(t, f.URL)
	resp, err := c.Sessions.Authenticate(context.Background(), &client.SessionsAuthenticateParams{SessionToken: "tok"})
	if err != nil {
		t.Fatal(err)
	}
	ms := resp.MemberSession
	want := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	if resp.RequestID != "req-1" || resp.StatusCode != 200 || resp.SessionJWT != "jwt-2" ||
		ms.MemberSessionID != "ms-1" || ms.StartedAt == nil || !ms.StartedAt.Equal(want) ||
		len(ms.AuthenticationFactors) != 2 || ms.AuthenticationFactors[0].PhoneNumberFactor.PhoneNumber != "+15555550100" ||
		ms.AuthenticationFactors[1].AuthenticatorAppFactor.TOTPID != "totp-1" || ms.CustomClaims["plan"] != "pro" ||
		resp.Member.Roles[0].Sources[0].Type != "direct_assignment" || resp.Organization.MFAPolicy != client.MFAPolicyRequiredForAll ||
		resp.Verdict == nil || !resp.Verdict.Authorized {
		t.Errorf("decoded response is wrong: %+v", resp)
	}
}

func TestHTTPClientIsNotMutated(t *testing.T) {
	t.Parallel()
	f := newFake(t, func(*http.Request, int) (int, string) { return okJSON("") })
	hc := &http.Client{}
	c := newClient(t, f.URL, client.WithHTTPClient(hc), client.WithTimeout(time.Second))
	if _, err := c.RBAC.Policy(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	if err := mustPolicyCache(t, c).Authorize(context.Background(), "o", nil, client.AuthorizationCheck{OrganizationID: "o"}); err == nil {
		t.Fatal("expected a denial")
	}
	if hc.Timeout != 0 || hc.Transport != nil || hc.CheckRedirect != nil || hc.Jar != nil {
		t.Errorf("injected client was modified: %+v", hc)
	}
}

func TestLoggerNeverSeesSecrets(t *testing.T) {
	t.Parallel()
	f := newFake(t, func(_ *http.Request, n int) (int, string) {
		if n%2 == 0 {
			return http.StatusServiceUnavailable, `{"error_type":"internal_server_error"}`
		}
		return okJSON("")
	})
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c := newClient(t, f.URL, client.WithLogger(logger))
	ctx := context.Background()
	_, _ = c.Sessions.Authenticate(ctx, &client.SessionsAuthenticateParams{SessionToken: "session-token-secret"})
	_, _ = c.OTPs.SMSAuthenticate(ctx, &client.OTPsSMSAuthenticateParams{Code: "918273", IntermediateSessionToken: "ist-secret"})
	_, _ = c.RecoveryCodes.Get(ctx, &client.RecoveryCodesGetParams{OrganizationID: "o", MemberID: "m"})
	out := buf.String()
	if !strings.Contains(out, "/v1/b2b/sessions/authenticate") {
		t.Fatalf("expected call logs, got %q", out)
	}
	for _, secret := range []string{"secret-test-abc", "session-token-secret", "918273", "ist-secret"} {
		if strings.Contains(out, secret) {
			t.Errorf("log contains %q:\n%s", secret, out)
		}
	}
}

func TestNilParamsSendAnEmptyObject(t *testing.T) {
	t.Parallel()
	f := newFake(t, func(*http.Request, int) (int, string) { return okJSON("") })
	c := newClient(t, f.URL)
	if _, err := c.Sessions.Revoke(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	if got := f.last(); got.Body == nil || len(got.Body) != 0 {
		t.Errorf("body = %#v, want {}", got.Body)
	}
	for name, call := range map[string]func() error{
		"sessions get":       func() error { _, err := c.Sessions.Get(context.Background(), nil); return err },
		"recovery codes get": func() error { _, err := c.RecoveryCodes.Get(context.Background(), nil); return err },
		"org policy":         func() error { _, err := c.RBAC.OrganizationPolicy(context.Background(), nil); return err },
	} {
		if err := call(); err == nil || errors.Is(err, client.ErrUnavailable) {
			t.Errorf("%s with nil params: err = %v, want a validation error", name, err)
		}
	}
}

// leakyTransport fails every request with an error quoting the secret, as a
// careless proxy or dialer might.
type leakyTransport struct{ secret string }

func (t leakyTransport) RoundTrip(*http.Request) (*http.Response, error) {
	return nil, errors.New("dial failed for " + t.secret)
}

func TestLogsNeverCarryTheSecret(t *testing.T) {
	t.Parallel()
	const secret = "secret-test-d0n7-l34k"
	var logs bytes.Buffer
	c, err := client.New("project-test-1", secret,
		client.WithBaseURL("http://127.0.0.1:1"),
		client.WithHTTPClient(&http.Client{Transport: leakyTransport{secret}}),
		client.WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	if err != nil {
		t.Fatal(err)
	}
	// A GET is retried, so both the per-attempt and the retry logs run.
	if _, err := c.RBAC.Policy(t.Context(), nil); !errors.Is(err, client.ErrUnavailable) {
		t.Fatalf("err = %v, want ErrUnavailable", err)
	}
	if !strings.Contains(logs.String(), "retrying") {
		t.Fatalf("no retry logged:\n%s", logs.String())
	}
	if strings.Contains(logs.String(), secret) || !strings.Contains(logs.String(), "[redacted]") {
		t.Errorf("logs carry the secret or lack its redaction:\n%s", logs.String())
	}
}
