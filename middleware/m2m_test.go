package middleware_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/b2bauth/b2bauth/client"
	"github.com/b2bauth/b2bauth/middleware"
	"github.com/b2bauth/b2bauth/middleware/middlewaretest"
)

// accessClaims are the claims Stytch puts in an access token of the seeded
// client, with scope.
func accessClaims(e *middlewaretest.Env, scope string) map[string]any {
	now := e.Clock.Now()
	return map[string]any{
		"iss": "stytch.com/" + e.Client.ProjectID(), "aud": []string{e.Client.ProjectID()},
		"sub": e.M2MClientID, "scope": scope,
		"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(time.Hour).Unix(),
	}
}

func signed(t *testing.T, e *middlewaretest.Env, claims map[string]any) string {
	t.Helper()
	tok, err := e.Emulator.SignJWT(claims, nil)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// m2mHandler answers the client id and scopes of the request's M2M client,
// and 500 if a session sits beside it.
var m2mHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	c, ok := middleware.M2MClientFrom(r.Context())
	if _, isSession := middleware.SessionFrom(r.Context()); !ok || isSession {
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	w.Write([]byte(c.ClientID + " " + strings.Join(c.Scopes, ",")))
})

// TestM2MAttacks: forged, confused and over-reaching tokens are refused, and
// the wildcard rule is exactly the SDK's; nothing reaches Stytch.
func TestM2MAttacks(t *testing.T) {
	t.Parallel()
	otherKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		token    func(t *testing.T, e *middlewaretest.Env) string
		session  bool     // sent to RequireSession instead of RequireScopes
		required []string // scopes of the RequireScopes route
		status   int
		code     string
	}{
		{"a session JWT used as an access token is refused", func(t *testing.T, e *middlewaretest.Env) string {
			_, jwt := e.Login(t, e.AdminID)
			return jwt
		}, false, nil, 401, "access_token_invalid"},
		{"an access token used as a session is refused", func(t *testing.T, e *middlewaretest.Env) string {
			return e.M2MToken(t)
		}, true, nil, 401, "token_invalid"},
		{"an expired access token used as a session is refused without asking Stytch", func(t *testing.T, e *middlewaretest.Env) string {
			c := accessClaims(e, "read:reports")
			c["iat"], c["nbf"], c["exp"] = e.Clock.Now().Add(-2*time.Hour).Unix(), e.Clock.Now().Add(-2*time.Hour).Unix(), e.Clock.Now().Add(-time.Hour).Unix()
			return signed(t, e, c)
		}, true, nil, 401, "token_invalid"},
		{"an access token carrying a session claim is refused", func(t *testing.T, e *middlewaretest.Env) string {
			c := accessClaims(e, "read:reports")
			c["https://stytch.com/session"] = map[string]any{"id": ""}
			return signed(t, e, c)
		}, false, nil, 401, "access_token_invalid"},
		{"an access token for a member subject is refused", func(t *testing.T, e *middlewaretest.Env) string {
			c := accessClaims(e, "read:reports")
			c["sub"] = e.MemberID
			return signed(t, e, c)
		}, false, nil, 401, "access_token_invalid"},
		{"a scope added by editing the payload breaks the signature", func(t *testing.T, e *middlewaretest.Env) string {
			parts := strings.Split(e.M2MToken(t, "write:reports"), ".")
			c := claimsOf(t, parts[0]+"."+parts[1]+".")
			c["scope"] = "read:reports write:reports"
			payload, _ := json.Marshal(c)
			return parts[0] + "." + base64.RawURLEncoding.EncodeToString(payload) + "." + parts[2]
		}, false, []string{"read:reports"}, 401, "access_token_invalid"},
		{"a token re-signed with another key under Stytch's kid is refused", func(t *testing.T, e *middlewaretest.Env) string {
			tok := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims(accessClaims(e, "read:reports")))
			tok.Header["kid"] = e.Emulator.KeyIDs()[0]
			raw, err := tok.SignedString(otherKey)
			if err != nil {
				t.Fatal(err)
			}
			return raw
		}, false, []string{"read:reports"}, 401, "access_token_invalid"},
		{"a token re-signed with an unknown kid is refused", func(t *testing.T, e *middlewaretest.Env) string {
			tok := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims(accessClaims(e, "read:reports")))
			tok.Header["kid"] = "jwk-test-forged"
			raw, _ := tok.SignedString(otherKey)
			return raw
		}, false, []string{"read:reports"}, 401, "access_token_invalid"},
		{"an unsigned token is refused", func(t *testing.T, e *middlewaretest.Env) string {
			raw, _ := jwt.NewWithClaims(jwt.SigningMethodNone, jwt.MapClaims(accessClaims(e, "read:reports"))).SignedString(jwt.UnsafeAllowNoneSignatureType)
			return raw
		}, false, []string{"read:reports"}, 401, "access_token_invalid"},
		{"an HMAC token is refused", func(t *testing.T, e *middlewaretest.Env) string {
			raw, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims(accessClaims(e, "read:reports"))).SignedString([]byte("guess"))
			return raw
		}, false, []string{"read:reports"}, 401, "access_token_invalid"},
		{"another project's audience is refused", func(t *testing.T, e *middlewaretest.Env) string {
			c := accessClaims(e, "read:reports")
			c["aud"] = []string{"project-test-other"}
			return signed(t, e, c)
		}, false, nil, 401, "access_token_invalid"},
		{"another issuer is refused", func(t *testing.T, e *middlewaretest.Env) string {
			c := accessClaims(e, "read:reports")
			c["iss"] = "stytch.com/project-test-other"
			return signed(t, e, c)
		}, false, nil, 401, "access_token_invalid"},
		{"a token without exp is refused", func(t *testing.T, e *middlewaretest.Env) string {
			c := accessClaims(e, "read:reports")
			delete(c, "exp")
			return signed(t, e, c)
		}, false, nil, 401, "access_token_invalid"},
		{"a token without iat is refused", func(t *testing.T, e *middlewaretest.Env) string {
			c := accessClaims(e, "read:reports")
			delete(c, "iat")
			return signed(t, e, c)
		}, false, nil, 401, "access_token_invalid"},
		{"a token not valid before a minute from now is refused", func(t *testing.T, e *middlewaretest.Env) string {
			c := accessClaims(e, "read:reports")
			c["nbf"] = e.Clock.Now().Add(time.Minute).Unix()
			return signed(t, e, c)
		}, false, nil, 401, "access_token_invalid"},
		{"a token valid in 10 seconds passes within the leeway", func(t *testing.T, e *middlewaretest.Env) string {
			c := accessClaims(e, "read:reports")
			c["nbf"] = e.Clock.Now().Add(10 * time.Second).Unix()
			return signed(t, e, c)
		}, false, nil, 200, ""},
		{"a token issued past the maximum age is refused even before its exp", func(t *testing.T, e *middlewaretest.Env) string {
			c := accessClaims(e, "read:reports")
			c["iat"] = e.Clock.Now().Add(-61 * time.Minute).Unix()
			return signed(t, e, c)
		}, false, nil, 401, "access_token_invalid"},
		{"a scope claim that is not a string is refused", func(t *testing.T, e *middlewaretest.Env) string {
			c := accessClaims(e, "")
			c["scope"] = []string{"read:reports"}
			return signed(t, e, c)
		}, false, nil, 401, "access_token_invalid"},
		{"*:* does not grant read:users: actions have no wildcard", func(t *testing.T, e *middlewaretest.Env) string {
			return signed(t, e, accessClaims(e, "*:*"))
		}, false, []string{"read:users"}, 403, "insufficient_scope"},
		{"*:users does not grant read:users", func(t *testing.T, e *middlewaretest.Env) string {
			return signed(t, e, accessClaims(e, "*:users"))
		}, false, []string{"read:users"}, 403, "insufficient_scope"},
		{"read:* grants read:users", func(t *testing.T, e *middlewaretest.Env) string {
			return signed(t, e, accessClaims(e, "read:*"))
		}, false, []string{"read:users"}, 200, ""},
		{"read:users does not grant read:*", func(t *testing.T, e *middlewaretest.Env) string {
			return signed(t, e, accessClaims(e, "read:users"))
		}, false, []string{"read:*"}, 403, "insufficient_scope"},
		{"read:* does not grant write:users", func(t *testing.T, e *middlewaretest.Env) string {
			return signed(t, e, accessClaims(e, "read:*"))
		}, false, []string{"write:users"}, 403, "insufficient_scope"},
		{"a bare scope grants itself", func(t *testing.T, e *middlewaretest.Env) string {
			return signed(t, e, accessClaims(e, "admin"))
		}, false, []string{"admin"}, 200, ""},
		{"read:* grants the bare scope read (resource -)", func(t *testing.T, e *middlewaretest.Env) string {
			return signed(t, e, accessClaims(e, "read:*"))
		}, false, []string{"read"}, 200, ""},
		{"the bare scope read does not grant read:users", func(t *testing.T, e *middlewaretest.Env) string {
			return signed(t, e, accessClaims(e, "read"))
		}, false, []string{"read:users"}, 403, "insufficient_scope"},
		{"scopes are case-sensitive", func(t *testing.T, e *middlewaretest.Env) string {
			return signed(t, e, accessClaims(e, "READ:users"))
		}, false, []string{"read:users"}, 403, "insufficient_scope"},
		{"every required scope must be granted", func(t *testing.T, e *middlewaretest.Env) string {
			return signed(t, e, accessClaims(e, "read:users"))
		}, false, []string{"read:users", "write:users"}, 403, "insufficient_scope"},
		{"a longer resource is another resource", func(t *testing.T, e *middlewaretest.Env) string {
			return signed(t, e, accessClaims(e, "read:usersX"))
		}, false, []string{"read:users"}, 403, "insufficient_scope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := middlewaretest.NewEnv(t)
			var h http.Handler
			if tt.session {
				h = protected(e.Middleware)
			} else {
				h = e.Middleware.RequireScopes(tt.required...)(m2mHandler)
			}
			tok := tt.token(t, e)
			e.Emulator.ResetCalls()
			res := serve(h, bearer(tok))
			body, _ := io.ReadAll(res.Body)
			if res.StatusCode != tt.status {
				t.Fatalf("status = %d, want %d (%s)", res.StatusCode, tt.status, body)
			}
			if tt.code != "" && !strings.Contains(string(body), `"code":"`+tt.code+`"`) {
				t.Fatalf("body = %s, want code %s", body, tt.code)
			}
			if n := e.AuthenticateCalls(); n != 0 {
				t.Fatalf("%d upstream authenticate calls, want 0", n)
			}
		})
	}
}

// TestRequireScopesAttachesTheClient: the handler sees the client, its scopes
// and custom claims; a second request is served from the cache.
func TestRequireScopesAttachesTheClient(t *testing.T) {
	t.Parallel()
	e := middlewaretest.NewEnv(t)
	var got *middleware.M2MClient
	h := e.Middleware.RequireScopes(middlewaretest.ScopeRead)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, _ = middleware.M2MClientFrom(r.Context())
	}))
	tok := e.M2MToken(t)
	for range 2 {
		if res := serve(h, bearer(tok)); res.StatusCode != http.StatusOK {
			t.Fatalf("status = %d", res.StatusCode)
		}
	}
	switch {
	case got == nil || got.ClientID != e.M2MClientID || got.Token != tok:
		t.Fatalf("client = %+v", got)
	case strings.Join(got.Scopes, " ") != middlewaretest.ScopeRead+" "+middlewaretest.ScopeWrite:
		t.Fatalf("scopes = %v", got.Scopes)
	case got.CustomClaims()["tenant"] != "acme" || len(got.CustomClaims()) != 1:
		t.Fatalf("custom claims = %v", got.CustomClaims())
	case !got.HasScopes(middlewaretest.ScopeRead, middlewaretest.ScopeWrite) || got.HasScopes("delete:reports"):
		t.Fatal("HasScopes disagrees with the token's scopes")
	case !got.ExpiresAt.Equal(got.IssuedAt.Add(time.Hour)):
		t.Fatalf("validity %s..%s", got.IssuedAt, got.ExpiresAt)
	}
}

// TestScopeRefusalIsTyped: the 403 carries a *ScopeError naming the missing
// scopes, matching ErrInsufficientScope, with an RFC 6750 challenge.
func TestScopeRefusalIsTyped(t *testing.T) {
	t.Parallel()
	var reason error
	e := middlewaretest.NewEnv(t, middleware.WithErrorHandler(func(w http.ResponseWriter, r *http.Request, err error) {
		reason = err
		w.WriteHeader(http.StatusTeapot)
	}))
	h := e.Middleware.RequireScopes("read:reports", "delete:reports", "write:reports")(m2mHandler)
	res := serve(h, bearer(e.M2MToken(t, middlewaretest.ScopeRead)))
	var se *middleware.ScopeError
	switch {
	case res.StatusCode != http.StatusTeapot:
		t.Fatalf("status = %d", res.StatusCode)
	case !errors.Is(reason, middleware.ErrInsufficientScope) || !errors.As(reason, &se):
		t.Fatalf("reason = %v", reason)
	case strings.Join(se.Missing, " ") != "delete:reports write:reports":
		t.Fatalf("missing = %v", se.Missing)
	case res.Header.Get("WWW-Authenticate") != `Bearer error="insufficient_scope", scope="read:reports delete:reports write:reports"`:
		t.Fatalf("challenge = %q", res.Header.Get("WWW-Authenticate"))
	}
	if code, status := middleware.Code(reason); code != "insufficient_scope" || status != http.StatusForbidden {
		t.Fatalf("Code = %s %d", code, status)
	}
}

// TestM2MKeySetOutageIsUnavailable: a token whose key cannot be fetched is
// a 503, not a 401.
func TestM2MKeySetOutageIsUnavailable(t *testing.T) {
	t.Parallel()
	kf := func(*jwt.Token) (any, error) { return nil, fmt.Errorf("jwks down: %w", client.ErrUnavailable) }
	e := middlewaretest.NewEnv(t, middleware.WithKeyfunc(kf))
	res := serve(e.Middleware.RequireScopes()(m2mHandler), bearer(e.M2MToken(t)))
	if res.StatusCode != http.StatusServiceUnavailable || res.Header.Get("Retry-After") == "" {
		t.Fatalf("status = %d, Retry-After %q", res.StatusCode, res.Header.Get("Retry-After"))
	}
}

// TestM2MMaxTokenAge: WithM2MMaxTokenAge shortens how long a token is
// accepted, also for tokens already cached.
func TestM2MMaxTokenAge(t *testing.T) {
	t.Parallel()
	e := middlewaretest.NewEnv(t, middleware.WithM2MMaxTokenAge(10*time.Minute))
	h := e.Middleware.RequireScopes()(m2mHandler)
	tok := e.M2MToken(t)
	if res := serve(h, bearer(tok)); res.StatusCode != http.StatusOK {
		t.Fatalf("fresh token: %d", res.StatusCode)
	}
	e.Clock.Advance(10 * time.Minute)
	if res := serve(h, bearer(tok)); res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("token of 10 minutes: %d, want 401", res.StatusCode)
	}
	for _, bad := range []middleware.Option{middleware.WithM2MMaxTokenAge(0), middleware.WithM2MTokenSources(), middleware.WithM2MTokenSources(nil)} {
		if _, err := middleware.New(e.Client, bad); err == nil {
			t.Error("an invalid M2M option was accepted")
		}
	}
}

// TestM2MTokenSources: a custom source replaces the bearer header.
func TestM2MTokenSources(t *testing.T) {
	t.Parallel()
	fromHeader := func(r *http.Request) string { return r.Header.Get("X-Access-Token") }
	e := middlewaretest.NewEnv(t, middleware.WithM2MTokenSources(fromHeader))
	h := e.Middleware.RequireScopes()(m2mHandler)
	r := jsonRequest(nil)
	r.Header.Set("X-Access-Token", e.M2MToken(t))
	if res := serve(h, r); res.StatusCode != http.StatusOK {
		t.Fatalf("custom source: %d", res.StatusCode)
	}
	if res := serve(h, bearer(e.M2MToken(t))); res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("bearer header with a custom source: %d, want 401", res.StatusCode)
	}
}

// TestNewM2MContext: handlers can be tested with a client in the context.
func TestNewM2MContext(t *testing.T) {
	t.Parallel()
	c := &middleware.M2MClient{ClientID: "m2m-client-test-x"}
	ctx := middleware.NewM2MContext(context.Background(), c)
	if got, ok := middleware.M2MClientFrom(ctx); !ok || got != c {
		t.Fatal("client not found in its context")
	}
	if _, ok := middleware.SessionFrom(ctx); ok {
		t.Fatal("a machine is a session")
	}
	if _, ok := middleware.M2MClientFrom(context.Background()); ok {
		t.Fatal("an empty context holds a client")
	}
}
