package middleware_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"testing"

	"github.com/b2bauth/b2bauth/client"
	"github.com/b2bauth/b2bauth/emulator"
	"github.com/b2bauth/b2bauth/middleware"
	"github.com/b2bauth/b2bauth/middleware/middlewaretest"
)

// TestPermissionInANamedOrganization: a route guarding one organization's
// resources (named by the path) refuses the members of another with the
// tenancy reason, whatever their roles, without needing the policy.
func TestPermissionInANamedOrganization(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		as   func(e *middlewaretest.Env) string
		// org returns the organization named in the path.
		org      func(e *middlewaretest.Env) string
		outage   bool // the policy cannot be fetched
		want     int
		wantCode string
	}{
		{"an editor of the named organization may write",
			func(e *middlewaretest.Env) string { return e.EditorID },
			func(e *middlewaretest.Env) string { return e.OrganizationID }, false, http.StatusOK, ""},
		{"an editor of another organization is refused with the tenancy reason",
			func(e *middlewaretest.Env) string { return e.OtherEditorID },
			func(e *middlewaretest.Env) string { return e.OrganizationID }, false, http.StatusForbidden, "session_authorization_tenancy_error"},
		{"an admin of the named organization may not act on another's",
			func(e *middlewaretest.Env) string { return e.AdminID },
			func(e *middlewaretest.Env) string { return e.OtherOrganizationID }, false, http.StatusForbidden, "session_authorization_tenancy_error"},
		{"a member of the named organization without the permission is denied",
			func(e *middlewaretest.Env) string { return e.MemberID },
			func(e *middlewaretest.Env) string { return e.OrganizationID }, false, http.StatusForbidden, "permission_denied"},
		{"another organization is refused even while the policy is unavailable",
			func(e *middlewaretest.Env) string { return e.OtherEditorID },
			func(e *middlewaretest.Env) string { return e.OrganizationID }, true, http.StatusForbidden, "session_authorization_tenancy_error"},
		{"the named organization while the policy is unavailable is a 503",
			func(e *middlewaretest.Env) string { return e.EditorID },
			func(e *middlewaretest.Env) string { return e.OrganizationID }, true, http.StatusServiceUnavailable, "stytch_unavailable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := middlewaretest.NewEnv(t)
			mux := http.NewServeMux()
			mux.Handle("GET /orgs/{org}/documents", e.Middleware.RequirePermission(middlewaretest.Resource, middlewaretest.ActionWrite,
				middleware.InOrganization(func(r *http.Request) string { return r.PathValue("org") }))(okHandler))
			r := jsonRequest(e.SessionCookies(e.Login(t, tt.as(e))))
			r.URL.Path = "/orgs/" + tt.org(e) + "/documents"
			if tt.outage {
				e.Emulator.SetFault(emulator.Fault{Path: "/v1/b2b/rbac/policy", Status: 500})
			}
			res := serve(mux, r)
			if res.StatusCode != tt.want {
				t.Fatalf("status = %d, want %d", res.StatusCode, tt.want)
			}
			if tt.wantCode == "" {
				return
			}
			var body struct {
				Error struct{ Code string } `json:"error"`
			}
			if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
				t.Fatal(err)
			}
			if body.Error.Code != tt.wantCode {
				t.Errorf("code = %q, want %q", body.Error.Code, tt.wantCode)
			}
		})
	}
}

// TestAnUnknownOrganizationIsRefused: a route whose request names no
// organization cannot tell whose resource it is, and refuses.
func TestAnUnknownOrganizationIsRefused(t *testing.T) {
	t.Parallel()
	e := middlewaretest.NewEnv(t)
	var reason error
	m, err := middleware.New(e.Client, middleware.WithClock(e.Clock.Now), middleware.WithErrorHandler(func(w http.ResponseWriter, _ *http.Request, err error) {
		reason = err
		w.WriteHeader(http.StatusTeapot)
	}))
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	h := m.RequirePermission(middlewaretest.Resource, middlewaretest.ActionRead,
		middleware.InOrganization(func(r *http.Request) string { return r.PathValue("org") }))(okHandler)
	serve(h, jsonRequest(e.SessionCookies(e.Login(t, e.AdminID))))
	if !errors.Is(reason, middleware.ErrTenancy) {
		t.Fatalf("reason = %v, want ErrTenancy", reason)
	}
	if code, status := middleware.Code(reason); code != "session_authorization_tenancy_error" || status != http.StatusForbidden {
		t.Errorf("Code = %q, %d", code, status)
	}
}

func TestPermissionWithoutANamedOrganizationIsTheSessions(t *testing.T) {
	t.Parallel()
	e := middlewaretest.NewEnv(t)
	h := e.Middleware.RequirePermission(middlewaretest.Resource, middlewaretest.ActionWrite)(okHandler)
	if res := serve(h, jsonRequest(e.SessionCookies(e.Login(t, e.OtherEditorID)))); res.StatusCode != http.StatusOK {
		t.Fatalf("an editor on a route of its own organization: status %d, want 200", res.StatusCode)
	}
}

func TestAuthorizeInOrganization(t *testing.T) {
	t.Parallel()
	e := middlewaretest.NewEnv(t)
	tests := []struct {
		name    string
		as      string
		org     string
		wantErr error
	}{
		{"an editor in its organization may write", e.EditorID, e.OrganizationID, nil},
		{"an editor in another organization is a tenancy error", e.OtherEditorID, e.OrganizationID, middleware.ErrTenancy},
		{"an empty organization is a tenancy error", e.EditorID, "", middleware.ErrTenancy},
		{"a member in its organization is denied", e.MemberID, e.OrganizationID, middleware.ErrPermissionDenied},
		{"no session", "", e.OrganizationID, middleware.ErrNoSession},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var cookies []*http.Cookie
			if tt.as != "" {
				cookies = e.SessionCookies(e.Login(t, tt.as))
			}
			var got error
			h := e.Middleware.OptionalSession(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				got = e.Middleware.AuthorizeInOrganization(r.Context(), tt.org, middlewaretest.Resource, middlewaretest.ActionWrite)
			}))
			serve(h, jsonRequest(cookies))
			if !errors.Is(got, tt.wantErr) || (tt.wantErr == nil && got != nil) {
				t.Errorf("AuthorizeInOrganization = %v, want %v", got, tt.wantErr)
			}
		})
	}
}

// tenancyAuthorizer answers every check with Stytch's tenancy error.
type tenancyAuthorizer struct{}

func (tenancyAuthorizer) Authorize(context.Context, string, []string, client.AuthorizationCheck) error {
	return &client.Error{StatusCode: http.StatusForbidden, ErrorType: "session_authorization_tenancy_error"}
}

func TestAPolicyTenancyErrorIsTheTenancyReason(t *testing.T) {
	t.Parallel()
	e := middlewaretest.NewEnv(t, middleware.WithPolicyAuthorizer(tenancyAuthorizer{}))
	var got error
	h := e.Middleware.OptionalSession(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = e.Middleware.Authorize(r.Context(), middlewaretest.Resource, middlewaretest.ActionRead)
	}))
	serve(h, jsonRequest(e.SessionCookies(e.Login(t, e.AdminID))))
	if !errors.Is(got, middleware.ErrTenancy) {
		t.Fatalf("Authorize = %v, want ErrTenancy", got)
	}
}

func TestInOrganizationRefusesANilFunction(t *testing.T) {
	t.Parallel()
	defer func() {
		if recover() == nil {
			t.Error("InOrganization(nil) did not panic")
		}
	}()
	middleware.InOrganization(nil)
}
