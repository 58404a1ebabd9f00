package client_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/b2bauth/b2bauth/client"
)

func TestErrorDecoding(t *testing.T) {
	t.Parallel()
	huge := `{"error_type":"x","error_message":"` + strings.Repeat("a", 2<<20) + `"}`
	tests := []struct {
		name            string
		status          int
		body            string
		wantType        string
		wantMessage     string
		wantRequestID   string
		wantUnavailable bool
		wantDenied      bool
		wantTenancy     bool
		wantCredentials bool
		wantNotStytch   bool
		wantAPIError    bool
	}{
		{name: "a JSON error keeps all of Stytch's fields", status: 404, wantAPIError: true,
			body:     `{"status_code":404,"request_id":"req-9","error_type":"session_not_found","error_message":"Session could not be found.","error_url":"https://stytch.com/docs/api/errors/404","error_details":{"k":"v"}}`,
			wantType: "session_not_found", wantMessage: "Session could not be found.", wantRequestID: "req-9"},
		{name: "bad credentials are a rejection, not an outage", status: 401, wantAPIError: true, wantCredentials: true,
			body: `{"status_code":401,"error_type":"unauthorized_credentials","error_message":"Unauthorized."}`, wantType: "unauthorized_credentials"},
		{name: "a non-JSON error body still yields the status", status: 502, wantAPIError: true, wantUnavailable: true, wantNotStytch: true,
			body: `<html>Bad Gateway</html>`, wantMessage: "bad gateway (response is not a stytch error body)"},
		{name: "an empty error body still yields the status", status: 400, wantAPIError: true, wantNotStytch: true, body: ``},
		{name: "a 404 of a proxy without Stytch's body matches ErrNotStytch", status: 404, wantAPIError: true, wantNotStytch: true,
			body: `<html>Not Found</html>`, wantMessage: "not found (response is not a stytch error body)"},
		{name: "a JSON 401 without an error type matches ErrNotStytch, not ErrProjectCredentials", status: 401,
			wantAPIError: true, wantNotStytch: true, body: `{"request_id":"req-1"}`, wantRequestID: "req-1"},
		{name: "a huge error body is not decoded", status: 500, wantAPIError: true, wantUnavailable: true, wantNotStytch: true, body: huge,
			wantMessage: "error response body larger than 1 MiB"},
		{name: "429 means Stytch is unavailable", status: 429, wantAPIError: true, wantUnavailable: true,
			body: `{"error_type":"too_many_requests","error_message":"Too many requests."}`, wantType: "too_many_requests"},
		{name: "503 means Stytch is unavailable", status: 503, wantAPIError: true, wantUnavailable: true,
			body: `{"error_type":"internal_server_error"}`, wantType: "internal_server_error"},
		{name: "an authorization denial matches ErrAuthorizationDenied", status: 403, wantAPIError: true, wantDenied: true,
			body: `{"error_type":"session_authorization_error"}`, wantType: "session_authorization_error"},
		{name: "a tenancy denial matches ErrTenancyMismatch", status: 403, wantAPIError: true, wantTenancy: true,
			body: `{"error_type":"session_authorization_tenancy_error"}`, wantType: "session_authorization_tenancy_error"},
		{name: "204 is not a success", status: 204, wantAPIError: true, wantNotStytch: true},
		{name: "a huge success body is an outage, not a truncated decode", status: 200, wantUnavailable: true,
			body: `{"request_id":"` + strings.Repeat("a", 2<<20) + `"}`},
		{name: "an undecodable success body is an outage", status: 200, wantUnavailable: true, body: `{"request_id":`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFake(t, func(*http.Request, int) (int, string) { return tt.status, tt.body })
			c := newClient(t, f.URL)
			_, err := c.Sessions.Authenticate(context.Background(), &client.SessionsAuthenticateParams{SessionToken: "t"})
			if err == nil {
				t.Fatal("expected an error")
			}
			if !strings.HasPrefix(err.Error(), "b2bauth: ") {
				t.Errorf("error text %q lacks the b2bauth prefix", err)
			}
			var apiErr *client.Error
			if got := errors.As(err, &apiErr); got != tt.wantAPIError {
				t.Fatalf("errors.As(*Error) = %v, want %v (err %v)", got, tt.wantAPIError, err)
			}
			if tt.wantAPIError {
				if apiErr.StatusCode != tt.status || apiErr.ErrorType != tt.wantType ||
					(tt.wantMessage != "" && apiErr.ErrorMessage != tt.wantMessage) || apiErr.RequestID != tt.wantRequestID {
					t.Errorf("error = %+v", apiErr)
				}
			}
			if got := errors.Is(err, client.ErrUnavailable); got != tt.wantUnavailable {
				t.Errorf("Is(ErrUnavailable) = %v, want %v", got, tt.wantUnavailable)
			}
			if got := errors.Is(err, client.ErrProjectCredentials); got != tt.wantCredentials {
				t.Errorf("Is(ErrProjectCredentials) = %v, want %v", got, tt.wantCredentials)
			}
			if got := errors.Is(err, client.ErrNotStytch); got != tt.wantNotStytch {
				t.Errorf("Is(ErrNotStytch) = %v, want %v", got, tt.wantNotStytch)
			}
			if got := errors.Is(err, client.ErrAuthorizationDenied); got != tt.wantDenied {
				t.Errorf("Is(ErrAuthorizationDenied) = %v, want %v", got, tt.wantDenied)
			}
			if got := errors.Is(err, client.ErrTenancyMismatch); got != tt.wantTenancy {
				t.Errorf("Is(ErrTenancyMismatch) = %v, want %v", got, tt.wantTenancy)
			}
		})
	}
}

func TestErrorText(t *testing.T) {
	t.Parallel()
	e := &client.Error{StatusCode: 404, ErrorType: "session_not_found", ErrorMessage: "Session could not be found.", RequestID: "req-1"}
	if got, want := e.Error(), "b2bauth: stytch session_not_found (404): Session could not be found. [request_id req-1]"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if got, want := (&client.Error{StatusCode: 502}).Error(), "b2bauth: stytch error (502)"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestTransportFailureIsUnavailable(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close() // nothing listens there any more
	c := newClient(t, url)
	_, err := c.Sessions.Revoke(context.Background(), &client.SessionsRevokeParams{SessionToken: "t"})
	if !errors.Is(err, client.ErrUnavailable) {
		t.Fatalf("err = %v, want ErrUnavailable", err)
	}
	var opErr *net.OpError
	if !errors.As(err, &opErr) {
		t.Errorf("the transport cause was lost: %v", err)
	}
	var apiErr *client.Error
	if errors.As(err, &apiErr) {
		t.Errorf("a transport failure must not look like an API rejection: %v", err)
	}
}

func TestTimeoutIsUnavailable(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })
	c := newClient(t, srv.URL, client.WithTimeout(50*time.Millisecond))
	_, err := c.Sessions.Authenticate(context.Background(), &client.SessionsAuthenticateParams{SessionToken: "t"})
	if !errors.Is(err, client.ErrUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want ErrUnavailable wrapping a deadline", err)
	}
}

func TestRetries(t *testing.T) {
	t.Parallel()
	unavailable := func(*http.Request, int) (int, string) { return 503, `{"error_type":"internal_server_error"}` }
	tests := []struct {
		name      string
		respond   func(*http.Request, int) (int, string)
		call      func(*client.Client) error
		wantCalls int
		wantErr   bool
	}{
		{name: "a GET is retried at most three times", respond: unavailable, wantCalls: 3, wantErr: true,
			call: func(c *client.Client) error { _, err := c.RBAC.Policy(context.Background(), nil); return err }},
		{name: "a GET that recovers succeeds", wantCalls: 2,
			respond: func(r *http.Request, n int) (int, string) {
				if n == 1 {
					return 429, `{"error_type":"too_many_requests"}`
				}
				return okJSON("")
			},
			call: func(c *client.Client) error { _, err := c.RBAC.Policy(context.Background(), nil); return err }},
		{name: "a GET rejection is not retried", wantCalls: 1, wantErr: true,
			respond: func(*http.Request, int) (int, string) { return 404, `{"error_type":"organization_not_found"}` },
			call: func(c *client.Client) error {
				_, err := c.RBAC.OrganizationPolicy(context.Background(), &client.RBACOrganizationPolicyParams{OrganizationID: "o"})
				return err
			}},
		{name: "a POST is never retried", respond: unavailable, wantCalls: 1, wantErr: true,
			call: func(c *client.Client) error {
				_, err := c.Sessions.Authenticate(context.Background(), &client.SessionsAuthenticateParams{SessionToken: "t"})
				return err
			}},
		{name: "a cancelled context stops the retries", respond: unavailable, wantCalls: 1, wantErr: true,
			call: func(c *client.Client) error {
				ctx, cancel := context.WithCancel(context.Background())
				client.SetBackoff(c, func(int) time.Duration { cancel(); return time.Hour })
				_, err := c.RBAC.Policy(ctx, nil)
				return err
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFake(t, tt.respond)
			c := newClient(t, f.URL)
			err := tt.call(c)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if f.count() != tt.wantCalls {
				t.Errorf("server saw %d calls, want %d", f.count(), tt.wantCalls)
			}
		})
	}
}

func FuzzDecodeError(f *testing.F) {
	f.Add(400, []byte(`{"status_code":400,"error_type":"invalid_code","error_message":"bad"}`))
	f.Add(500, []byte(`not json`))
	f.Add(429, []byte(`{"error_details":[]}`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		e := client.DecodeError(status, body)
		if e == nil {
			t.Fatal("nil error")
		}
		if e.StatusCode != status {
			t.Fatalf("status %d became %d", status, e.StatusCode)
		}
		if !strings.HasPrefix(e.Error(), "b2bauth: stytch ") {
			t.Fatalf("Error() = %q", e.Error())
		}
		if got, want := errors.Is(e, client.ErrUnavailable), status == 429 || status >= 500; got != want {
			t.Fatalf("Is(ErrUnavailable) = %v for status %d", got, status)
		}
	})
}

func TestSessionVerdicts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		status  int
		typ     string
		verdict bool
	}{
		{"a session not found is a verdict", 404, "session_not_found", true},
		{"a member that is gone is a verdict", 404, "member_not_found", true},
		{"an organization that is gone is a verdict", 404, "organization_not_found", true},
		{"another 404 naming a session is a verdict", 404, "member_session_not_found", true},
		{"a session token Stytch does not accept is a verdict", 400, "invalid_session_token", true},
		{"a session JWT Stytch cannot verify is a verdict", 401, "invalid_session_jwt", true},
		{"a session JWT Stytch cannot parse is a verdict", 400, "unable_to_parse_session_jwt", true},
		{"a JWT of another audience is a verdict", 401, "jwt_invalid_audience", true},
		{"a JWT of another issuer is a verdict", 401, "jwt_invalid_issuer", true},
		{"a JWT with invalid claims is a verdict", 401, "jwt_invalid_claims", true},
		{"a route Stytch does not serve is not a verdict", 404, "route_not_found", false},
		{"an unknown project is not a verdict", 404, "project_not_found", false},
		{"a missing CNAME record is not a verdict", 404, "cname_record_not_found", false},
		{"a 404 of another kind is not a verdict", 404, "default_provider_not_allowed", false},
		{"a malformed request is not a verdict", 400, "bad_request", false},
		{"an invalid session duration is not a verdict", 400, "invalid_session_duration_minutes", false},
		{"a call without session arguments is not a verdict", 400, "no_session_arguments", false},
		{"refused project credentials are not a verdict", 401, "unauthorized_credentials", false},
		{"a test id in the live environment is not a verdict", 401, "test_id_used_in_live_environment", false},
		{"an endpoint the plan lacks is not a verdict", 401, "enterprise_endpoint", false},
		{"a suspended Stytch account is not a verdict", 403, "organization_suspended", false},
		{"a required CAPTCHA is not a verdict", 403, "captcha_required", false},
		{"an unknown 401 type is not a verdict", 401, "some_new_error", false},
		{"a verdict type with status 429 is an outage", 429, "session_not_found", false},
		{"a verdict type with status 500 is an outage", 500, "session_not_found", false},
		{"a 404 without Stytch's error body is not a verdict", 404, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := error(&client.Error{StatusCode: tt.status, ErrorType: tt.typ})
			if got := errors.Is(err, client.ErrSessionRejected); got != tt.verdict {
				t.Errorf("Is(ErrSessionRejected) = %v, want %v", got, tt.verdict)
			}
		})
	}
}
