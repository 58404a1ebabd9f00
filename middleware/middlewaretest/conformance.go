package middlewaretest

import (
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/b2bauth/b2bauth/client"
	"github.com/b2bauth/b2bauth/emulator"
	"github.com/b2bauth/b2bauth/middleware"
)

// Mount builds an adapter's router for m with these routes, each answering
// 200 with the body [Body] of the request's session when it passes:
//
//	GET /me        RequireSession
//	GET /optional  OptionalSession (body [Body], or "anonymous reason=<code>"
//	               with the code of middleware.FailureReason)
//	GET /admin     RequirePermission(Resource, ActionWrite)
//	GET /role      RequireRole("stytch_admin")
//	GET /fresh     RequireFreshFactor(middleware.MFAFactor, 10*time.Minute)
//	GET /api       RequireScopes(ScopeRead)
//	GET /either    RequireSessionOrScopes(ScopeRead)
//	GET /orgs/{org}/admin
//	               RequireOrganizationPermission with the path parameter
//	               org, Resource, ActionWrite (in gin and echo, the route
//	               /orgs/:org/admin; the organization is read with
//	               r.PathValue("org"), see [OrgFromPath])
//	GET /skipped   RequireSession with the adapter's skipper option set to
//	               skip every request (b2bgin.WithSkipper,
//	               b2becho.WithSkipper, b2bhttp.WithSkipper)
//
// The handlers must read the session through the adapter's accessor
// (b2bgin.Session(c), b2becho.Session(c)) and through
// middleware.SessionFrom on the request context, and answer 500 if the two
// differ; likewise for the M2M client (b2bgin.M2MClient(c),
// middleware.M2MClientFrom). A request with an M2M client and no session is
// answered with [M2MBody]; one with both, 500.
type Mount func(m *middleware.Middleware) http.Handler

// OrgFromPath reads the organization of /orgs/{org}/admin: the path value
// "org", which the adapters fill from their routers' parameters.
func OrgFromPath(r *http.Request) string { return r.PathValue("org") }

// Body is what a conformance route answers for session s.
func Body(s *middleware.Session) string {
	return "member=" + s.MemberID + " org=" + s.OrganizationID
}

// M2MBody is what a conformance route answers for M2M client c.
func M2MBody(c *middleware.M2MClient) string {
	return "client=" + c.ClientID + " scopes=" + strings.Join(c.Scopes, ",")
}

// AnonymousBody is what /optional answers without a session.
func AnonymousBody(reason error) string {
	code, _ := middleware.Code(reason)
	if reason == nil {
		code = "none"
	}
	return "anonymous reason=" + code
}

// LoginURL is the login URL the conformance middleware redirects to.
const LoginURL = "/auth/login"

type conformanceCase struct {
	name string
	// prepare sets up the world and returns the request to send.
	prepare func(t *testing.T, e *Env) *http.Request
	status  int
	// body is the exact body, with {member}, {org} and {client} replaced.
	body string
	// headers must be present with these exact values.
	headers map[string]string
	// setCookies are the cookie names set with a value; clearCookies those
	// expired. Any other Set-Cookie fails the case.
	setCookies, clearCookies []string
	// upstream is the number of sessions authenticate calls expected.
	upstream int
	// as names the member whose id fills {member}: "admin", "member",
	// "editor", "other-editor".
	as string
}

const jsonType = "application/json"

func request(path string, cookies []*http.Cookie) *http.Request {
	r := httptest.NewRequest(http.MethodGet, path, nil)
	r.Header.Set("Accept", jsonType)
	for _, c := range cookies {
		r.AddCookie(c)
	}
	return r
}

func withBearer(path, token string) *http.Request {
	r := request(path, nil)
	r.Header.Set("Authorization", "Bearer "+token)
	return r
}

// m2m sends an access token of the seeded client, narrowed to scopes.
func m2m(path string, scopes ...string) func(t *testing.T, e *Env) *http.Request {
	return func(t *testing.T, e *Env) *http.Request { return withBearer(path, e.M2MToken(t, scopes...)) }
}

func loggedIn(as, path string) func(t *testing.T, e *Env) *http.Request {
	return func(t *testing.T, e *Env) *http.Request {
		tok, jwt := e.Login(t, e.member(as))
		return request(path, e.SessionCookies(tok, jwt))
	}
}

func (e *Env) member(as string) string {
	switch as {
	case "admin":
		return e.AdminID
	case "editor":
		return e.EditorID
	case "other-editor":
		return e.OtherEditorID
	}
	return e.MemberID
}

var both = []string{middleware.DefaultSessionCookie, middleware.DefaultJWTCookie}

func conformanceCases() []conformanceCase {
	errJSON := func(code, msg string) string {
		return `{"error":{"code":"` + code + `","message":"` + msg + `"}}` + "\n"
	}
	noStore := map[string]string{"Cache-Control": "no-store", "Content-Type": jsonType}
	return []conformanceCase{
		{
			name:    "a request without credentials is refused with 401",
			prepare: func(t *testing.T, e *Env) *http.Request { return request("/me", nil) },
			status:  401, body: errJSON("session_missing", "no session"), headers: noStore,
		},
		{
			name:    "a valid session JWT cookie is accepted locally",
			prepare: loggedIn("member", "/me"),
			status:  200, body: "member={member} org={org}", as: "member",
		},
		{
			name: "a valid bearer JWT is accepted locally",
			prepare: func(t *testing.T, e *Env) *http.Request {
				_, jwt := e.Login(t, e.MemberID)
				r := request("/me", nil)
				r.Header.Set("Authorization", "Bearer "+jwt)
				return r
			},
			status: 200, body: "member={member} org={org}", as: "member",
		},
		{
			name: "a garbage JWT cookie is refused without an upstream call and cookies are cleared",
			prepare: func(t *testing.T, e *Env) *http.Request {
				return request("/me", e.SessionCookies("", "not.a.jwt"))
			},
			status: 401, body: errJSON("token_invalid", "invalid session token"), headers: noStore,
			clearCookies: both,
		},
		{
			name: "an expired JWT with a live session token is refreshed remotely",
			prepare: func(t *testing.T, e *Env) *http.Request {
				tok, jwt := e.Login(t, e.MemberID)
				e.Clock.Advance(6 * time.Minute)
				return request("/me", e.SessionCookies(tok, jwt))
			},
			status: 200, body: "member={member} org={org}", as: "member",
			setCookies: both, upstream: 1,
		},
		{
			name: "a revoked session is refused and its cookies cleared",
			prepare: func(t *testing.T, e *Env) *http.Request {
				tok, jwt := e.Login(t, e.MemberID)
				if _, err := e.Client.Sessions.Revoke(t.Context(), &client.SessionsRevokeParams{SessionToken: tok}); err != nil {
					t.Fatal(err)
				}
				e.Clock.Advance(6 * time.Minute)
				return request("/me", e.SessionCookies(tok, jwt))
			},
			status: 401, body: errJSON("session_invalid", "session expired or revoked"), headers: noStore,
			clearCookies: both, upstream: 1,
		},
		{
			name: "a browser navigation without a session is redirected to the login page",
			prepare: func(t *testing.T, e *Env) *http.Request {
				r := httptest.NewRequest(http.MethodGet, "/me?tab=1", nil)
				r.Header.Set("Sec-Fetch-Mode", "navigate")
				r.Header.Set("Accept", "text/html")
				return r
			},
			status:  303,
			headers: map[string]string{"Location": LoginURL + "?return_to=%2Fme%3Ftab%3D1"},
		},
		{
			name:    "a route the adapter's skipper selects is served without a session",
			prepare: func(t *testing.T, e *Env) *http.Request { return request("/skipped", nil) },
			status:  200, body: "anonymous reason=none",
		},
		{
			name:    "an optional route serves anonymous requests with the reason",
			prepare: func(t *testing.T, e *Env) *http.Request { return request("/optional", nil) },
			status:  200, body: "anonymous reason=session_missing",
		},
		{
			name:    "an optional route sees a valid session",
			prepare: loggedIn("admin", "/optional"),
			status:  200, body: "member={member} org={org}", as: "admin",
		},
		{
			name:    "a member without the permission gets 403",
			prepare: loggedIn("member", "/admin"),
			status:  403, body: errJSON("permission_denied", "permission denied"), headers: noStore,
		},
		{
			name:    "a custom role with * is allowed",
			prepare: loggedIn("editor", "/admin"),
			status:  200, body: "member={member} org={org}", as: "editor",
		},
		{
			name:    "stytch_admin is allowed everything",
			prepare: loggedIn("admin", "/admin"),
			status:  200, body: "member={member} org={org}", as: "admin",
		},
		{
			name: "an editor of the organization named in the path is allowed",
			prepare: func(t *testing.T, e *Env) *http.Request {
				return loggedIn("editor", "/orgs/"+e.OrganizationID+"/admin")(t, e)
			},
			status: 200, body: "member={member} org={org}", as: "editor",
		},
		{
			name: "an editor of another organization gets 403 with the tenancy reason",
			prepare: func(t *testing.T, e *Env) *http.Request {
				return loggedIn("other-editor", "/orgs/"+e.OrganizationID+"/admin")(t, e)
			},
			status: 403, body: errJSON("session_authorization_tenancy_error", "resource of another organization"), headers: noStore,
		},
		{
			name: "a member of the organization named in the path without the permission gets 403",
			prepare: func(t *testing.T, e *Env) *http.Request {
				return loggedIn("member", "/orgs/"+e.OrganizationID+"/admin")(t, e)
			},
			status: 403, body: errJSON("permission_denied", "permission denied"), headers: noStore,
		},
		{
			name:    "a member without the role gets 403",
			prepare: loggedIn("member", "/role"),
			status:  403, body: errJSON("role_required", "role required"), headers: noStore,
		},
		{
			name:    "a session without a recent MFA factor must step up",
			prepare: loggedIn("admin", "/fresh"),
			status:  403,
			body:    `{"error":{"code":"step_up_required","message":"recent authentication required","factor":"mfa","within_seconds":600}}` + "\n",
			headers: noStore,
		},
		{
			name: "Stytch failing while a refresh is needed is a 503, never a logout",
			prepare: func(t *testing.T, e *Env) *http.Request {
				tok, jwt := e.Login(t, e.MemberID)
				e.Clock.Advance(6 * time.Minute)
				e.Emulator.SetFault(emulator.Fault{Path: "/v1/b2b/sessions/authenticate", Status: 503})
				return request("/me", e.SessionCookies(tok, jwt))
			},
			status: 503, body: errJSON("stytch_unavailable", "authentication service unavailable"),
			headers: map[string]string{"Retry-After": "5", "Cache-Control": "no-store"}, upstream: 1,
		},
		{
			name: "a valid JWT keeps working while Stytch is down",
			prepare: func(t *testing.T, e *Env) *http.Request {
				r := loggedIn("member", "/me")(t, e)
				e.Emulator.SetFault(emulator.Fault{Status: 503})
				return r
			},
			status: 200, body: "member={member} org={org}", as: "member",
		},
		{
			name:    "an M2M token with the scope is accepted on an API route",
			prepare: m2m("/api", ScopeRead),
			status:  200, body: "client={client} scopes=" + ScopeRead,
		},
		{
			name:    "an M2M token matching the scope among others is accepted",
			prepare: m2m("/api"),
			status:  200, body: "client={client} scopes=" + ScopeRead + "," + ScopeWrite,
		},
		{
			name:    "an M2M token without the scope gets 403 insufficient_scope",
			prepare: m2m("/api", ScopeWrite),
			status:  403, body: errJSON("insufficient_scope", "insufficient scope"),
			headers: map[string]string{"Cache-Control": "no-store", "Content-Type": jsonType,
				"WWW-Authenticate": `Bearer error="insufficient_scope", scope="` + ScopeRead + `"`},
		},
		{
			name:    "an API route without a token gets 401",
			prepare: func(t *testing.T, e *Env) *http.Request { return request("/api", nil) },
			status:  401, body: errJSON("access_token_missing", "no access token"),
			headers: map[string]string{"Cache-Control": "no-store", "WWW-Authenticate": "Bearer"},
		},
		{
			name: "a session JWT is not an access token, and is refused without an upstream call",
			prepare: func(t *testing.T, e *Env) *http.Request {
				_, jwt := e.Login(t, e.AdminID)
				return withBearer("/api", jwt)
			},
			status: 401, body: errJSON("access_token_invalid", "invalid access token"),
			headers: map[string]string{"WWW-Authenticate": `Bearer error="invalid_token"`},
		},
		{
			name: "an expired M2M token is refused locally",
			prepare: func(t *testing.T, e *Env) *http.Request {
				r := m2m("/api", ScopeRead)(t, e)
				e.Clock.Advance(time.Hour + time.Minute)
				return r
			},
			status: 401, body: errJSON("access_token_invalid", "invalid access token"),
		},
		{
			name: "a valid M2M token keeps working while Stytch is down",
			prepare: func(t *testing.T, e *Env) *http.Request {
				r := m2m("/api", ScopeRead)(t, e)
				e.Emulator.SetFault(emulator.Fault{Status: 503})
				return r
			},
			status: 200, body: "client={client} scopes=" + ScopeRead,
		},
		{
			name: "an M2M token is never a session",
			prepare: func(t *testing.T, e *Env) *http.Request {
				r := m2m("/me")(t, e)
				r.AddCookie(&http.Cookie{Name: middleware.DefaultJWTCookie, Value: "kept"})
				return r
			},
			status: 401, body: errJSON("token_invalid", "invalid session token"),
		},
		{
			name:    "a route for members or machines accepts a member session",
			prepare: loggedIn("member", "/either"),
			status:  200, body: "member={member} org={org}", as: "member",
		},
		{
			name: "a route for members or machines accepts a bearer session JWT",
			prepare: func(t *testing.T, e *Env) *http.Request {
				_, jwt := e.Login(t, e.EditorID)
				return withBearer("/either", jwt)
			},
			status: 200, body: "member={member} org={org}", as: "editor",
		},
		{
			name:    "a route for members or machines accepts an M2M token with the scope",
			prepare: m2m("/either", ScopeRead),
			status:  200, body: "client={client} scopes=" + ScopeRead,
		},
		{
			name:    "a route for members or machines refuses an M2M token without the scope",
			prepare: m2m("/either", ScopeWrite),
			status:  403, body: errJSON("insufficient_scope", "insufficient scope"),
		},
		{
			name:    "a route for members or machines refuses a request with neither",
			prepare: func(t *testing.T, e *Env) *http.Request { return request("/either", nil) },
			status:  401, body: errJSON("session_missing", "no session"),
		},
	}
}

// RunConformance runs the behaviour table through the router mount builds.
// Every adapter must pass it unchanged.
func RunConformance(t *testing.T, mount Mount) {
	for _, tc := range conformanceCases() {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := NewEnv(t, middleware.WithLoginURL(LoginURL))
			h := mount(e.Middleware)
			r := tc.prepare(t, e)
			e.Emulator.ResetCalls()
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			res := w.Result()
			body, _ := io.ReadAll(res.Body)

			if res.StatusCode != tc.status {
				t.Fatalf("status = %d, want %d (body %q)", res.StatusCode, tc.status, body)
			}
			want := strings.NewReplacer("{member}", e.member(tc.as), "{org}", e.OrganizationID, "{client}", e.M2MClientID).Replace(tc.body)
			if tc.body != "" && string(body) != want {
				t.Errorf("body = %q, want %q", body, want)
			}
			for k, v := range tc.headers {
				if got := res.Header.Get(k); got != v {
					t.Errorf("header %s = %q, want %q", k, got, v)
				}
			}
			var set, cleared []string
			for _, c := range res.Cookies() {
				if c.MaxAge < 0 {
					cleared = append(cleared, c.Name)
					continue
				}
				if !c.HttpOnly || !c.Secure || c.SameSite != http.SameSiteLaxMode || c.Path != "/" {
					t.Errorf("cookie %s lacks HttpOnly/Secure/SameSite=Lax/Path=/: %+v", c.Name, c)
				}
				set = append(set, c.Name)
			}
			slices.Sort(set)
			slices.Sort(cleared)
			if !slices.Equal(set, sorted(tc.setCookies)) || !slices.Equal(cleared, sorted(tc.clearCookies)) {
				t.Errorf("cookies set %v cleared %v, want set %v cleared %v", set, cleared, tc.setCookies, tc.clearCookies)
			}
			if got := e.AuthenticateCalls(); got != tc.upstream {
				t.Errorf("sessions authenticate calls = %d, want %d", got, tc.upstream)
			}
			if got := e.Emulator.Calls(http.MethodPost, "/v1/public/"+e.Client.ProjectID()+"/oauth2/token"); got != 0 {
				t.Errorf("token endpoint calls = %d, want 0", got)
			}
		})
	}
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}
