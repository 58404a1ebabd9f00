package middleware_test

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"go.uber.org/goleak"

	"github.com/b2bauth/b2bauth/client"
	"github.com/b2bauth/b2bauth/emulator"
	"github.com/b2bauth/b2bauth/middleware"
	"github.com/b2bauth/b2bauth/middleware/middlewaretest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

const jwksPathPrefix = "/v1/b2b/sessions/jwks/"

// protected answers 200 with the member id behind RequireSession.
func protected(m *middleware.Middleware) http.Handler {
	return m.RequireSession(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, _ := middleware.SessionFrom(r.Context())
		w.Write([]byte(s.MemberID))
	}))
}

func serve(h http.Handler, r *http.Request) *http.Response {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w.Result()
}

func jsonRequest(cookies []*http.Cookie) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("Accept", "application/json")
	for _, c := range cookies {
		r.AddCookie(c)
	}
	return r
}

func bearer(token string) *http.Request {
	r := jsonRequest(nil)
	r.Header.Set("Authorization", "Bearer "+token)
	return r
}

// claimsOf returns the payload of a JWT without verifying it.
func claimsOf(t *testing.T, raw string) map[string]any {
	t.Helper()
	parts := strings.Split(raw, ".")
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]any
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

func segment(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// publicKeyPEM returns the emulator's current signing key as PEM, the bytes
// an HS256 key-confusion attacker would use as the HMAC secret.
func publicKeyPEM(t *testing.T, e *middlewaretest.Env) []byte {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(e.PublicKey(t))
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

func TestAttacksAreRefusedLocally(t *testing.T) {
	t.Parallel()
	sign := func(t *testing.T, e *middlewaretest.Env, mutate func(map[string]any), header map[string]any) string {
		_, valid := e.Login(t, e.MemberID)
		c := claimsOf(t, valid)
		mutate(c)
		tok, err := e.Emulator.SignJWT(c, header)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	tests := []struct {
		name  string
		token func(t *testing.T, e *middlewaretest.Env) string
		// jwksFetches is how many JWKS refreshes the attempt may cause.
		jwksFetches int
	}{
		{"alg none", func(t *testing.T, e *middlewaretest.Env) string {
			_, valid := e.Login(t, e.MemberID)
			return segment(t, map[string]any{"alg": "none", "typ": "JWT"}) + "." + strings.Split(valid, ".")[1] + "."
		}, 0},
		{"HS256 signed with the RSA public key", func(t *testing.T, e *middlewaretest.Env) string {
			_, valid := e.Login(t, e.MemberID)
			tok := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims(claimsOf(t, valid)))
			tok.Header["kid"] = e.Emulator.KeyIDs()[0]
			s, err := tok.SignedString(publicKeyPEM(t, e))
			if err != nil {
				t.Fatal(err)
			}
			return s
		}, 0},
		{"unknown kid", func(t *testing.T, e *middlewaretest.Env) string {
			return sign(t, e, func(map[string]any) {}, map[string]any{"kid": "jwk-test-unknown"})
		}, 1},
		{"iat in the future beyond the leeway", func(t *testing.T, e *middlewaretest.Env) string {
			return sign(t, e, func(c map[string]any) { c["iat"] = e.Clock.Now().Add(10 * time.Minute).Unix() }, nil)
		}, 0},
		{"missing sub", func(t *testing.T, e *middlewaretest.Env) string {
			return sign(t, e, func(c map[string]any) { delete(c, "sub") }, nil)
		}, 0},
		{"missing organization claim", func(t *testing.T, e *middlewaretest.Env) string {
			return sign(t, e, func(c map[string]any) { delete(c, "https://stytch.com/organization") }, nil)
		}, 0},
		{"organization claim without organization_id", func(t *testing.T, e *middlewaretest.Env) string {
			return sign(t, e, func(c map[string]any) {
				c["https://stytch.com/organization"] = map[string]any{"slug": "acme"}
			}, nil)
		}, 0},
		{"expired and missing sub", func(t *testing.T, e *middlewaretest.Env) string {
			return sign(t, e, func(c map[string]any) {
				delete(c, "sub")
				past := e.Clock.Now().Add(-time.Hour)
				c["iat"], c["nbf"], c["exp"] = past.Unix(), past.Unix(), past.Add(5*time.Minute).Unix()
			}, nil)
		}, 0},
		{"nbf in the future", func(t *testing.T, e *middlewaretest.Env) string {
			return sign(t, e, func(c map[string]any) { c["nbf"] = e.Clock.Now().Add(10 * time.Minute).Unix() }, nil)
		}, 0},
		{"wrong issuer", func(t *testing.T, e *middlewaretest.Env) string {
			return sign(t, e, func(c map[string]any) { c["iss"] = "stytch.com/project-test-other" }, nil)
		}, 0},
		{"wrong audience", func(t *testing.T, e *middlewaretest.Env) string {
			return sign(t, e, func(c map[string]any) { c["aud"] = []string{"project-test-other"} }, nil)
		}, 0},
		{"missing exp", func(t *testing.T, e *middlewaretest.Env) string {
			return sign(t, e, func(c map[string]any) { delete(c, "exp") }, nil)
		}, 0},
		{"tampered payload", func(t *testing.T, e *middlewaretest.Env) string {
			_, valid := e.Login(t, e.MemberID)
			parts := strings.Split(valid, ".")
			c := claimsOf(t, valid)
			c["sub"] = e.AdminID
			return parts[0] + "." + segment(t, c) + "." + parts[2]
		}, 0},
		{"stripped signature", func(t *testing.T, e *middlewaretest.Env) string {
			_, valid := e.Login(t, e.MemberID)
			return valid[:strings.LastIndex(valid, ".")+1]
		}, 0},
		{"a 1 MB token", func(t *testing.T, e *middlewaretest.Env) string {
			return strings.Repeat("a", 1<<20)
		}, 0},
		{"garbage", func(t *testing.T, e *middlewaretest.Env) string { return "%%%garbage..." }, 0},
	}
	for _, tt := range tests {
		for _, via := range []string{"bearer", "cookie"} {
			t.Run(tt.name+" via "+via, func(t *testing.T) {
				t.Parallel()
				e := middlewaretest.NewEnv(t)
				tok := tt.token(t, e)
				e.Emulator.ResetCalls()
				r := bearer(tok)
				if via == "cookie" {
					r = jsonRequest(e.SessionCookies("", tok))
				}
				res := serve(protected(e.Middleware), r)
				if res.StatusCode != http.StatusUnauthorized {
					t.Fatalf("status = %d, want 401", res.StatusCode)
				}
				if n := e.AuthenticateCalls(); n != 0 {
					t.Errorf("attack cost %d upstream authenticate calls, want 0", n)
				}
				if n := e.Emulator.Calls(http.MethodGet, jwksPathPrefix+e.Emulator.ProjectID()); n > tt.jwksFetches {
					t.Errorf("attack caused %d JWKS fetches, want at most %d", n, tt.jwksFetches)
				}
			})
		}
	}
}

func TestGarbageCookiesAreCleared(t *testing.T) {
	t.Parallel()
	e := middlewaretest.NewEnv(t)
	tests := []struct {
		name    string
		cookies []*http.Cookie
		// upstream is how many sessions authenticate calls it may cost:
		// a token shaped like Stytch's can only be judged by Stytch.
		upstream int
	}{
		{"a garbage jwt cookie", e.SessionCookies("", "x.y.z"), 0},
		{"a garbage jwt beside an unknown token", e.SessionCookies(strings.Repeat("t", 44), "x.y.z"), 1},
		{"a garbage jwt beside a token too short to be Stytch's", e.SessionCookies("token", "x.y.z"), 0},
		{"an oversized session token", e.SessionCookies(strings.Repeat("t", middleware.MaxTokenSize+1), ""), 0},
		{"a session token with foreign characters", e.SessionCookies("not-a-token!{}", ""), 0},
		{"a garbage jwt beside a token with foreign characters", e.SessionCookies("not-a-token!{}", "x.y.z"), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.Emulator.ResetCalls()
			res := serve(protected(e.Middleware), jsonRequest(tt.cookies))
			if res.StatusCode != http.StatusUnauthorized {
				t.Fatalf("status = %d, want 401", res.StatusCode)
			}
			if len(res.Cookies()) != 2 {
				t.Errorf("want both cookies cleared, got %v", res.Cookies())
			}
			if n := e.AuthenticateCalls(); n != tt.upstream {
				t.Errorf("%d upstream calls, want %d", n, tt.upstream)
			}
		})
	}
}

// A JWT cookie that fails verification says nothing of the session token
// beside it: a stray JWT cookie must not end a live session. A bearer JWT is
// judged alone, and a credential that is not the middleware's own cookie
// never gets those cookies cleared.
func TestABadJWTDoesNotEndALiveSession(t *testing.T) {
	t.Parallel()
	forged := func(t *testing.T, e *middlewaretest.Env) string {
		// Names the admin, signed by nobody.
		_, valid := e.Login(t, e.AdminID)
		return segment(t, map[string]any{"alg": "none", "typ": "JWT"}) + "." + strings.Split(valid, ".")[1] + "."
	}
	const (
		served   = http.StatusOK
		refused  = http.StatusUnauthorized
		kept     = false
		cleared  = true
		noCookie = ""
	)
	tests := []struct {
		name string
		// request builds the request from a live session of e.MemberID
		// and, when revoke is set, revokes it first.
		request    func(t *testing.T, e *middlewaretest.Env, token, jwt string) *http.Request
		revoke     bool
		want       int
		cleared    bool
		upstream   int
		wantMember bool // the answer names e.MemberID
	}{
		// The bearer is the credential the caller chose: it is refused on
		// its own, not replaced by the cookies, which stay.
		{"a garbage bearer beside live session cookies", func(t *testing.T, e *middlewaretest.Env, token, jwt string) *http.Request {
			r := jsonRequest(e.SessionCookies(token, jwt))
			r.Header.Set("Authorization", "Bearer garbage.garbage.garbage")
			return r
		}, false, refused, kept, 0, false},
		{"an oversized bearer beside live session cookies", func(t *testing.T, e *middlewaretest.Env, token, jwt string) *http.Request {
			r := jsonRequest(e.SessionCookies(token, jwt))
			r.Header.Set("Authorization", "Bearer "+strings.Repeat("a", middleware.MaxTokenSize+1))
			return r
		}, false, refused, kept, 0, false},
		{"a forged bearer beside live session cookies", func(t *testing.T, e *middlewaretest.Env, token, jwt string) *http.Request {
			r := jsonRequest(e.SessionCookies(token, jwt))
			r.Header.Set("Authorization", "Bearer "+forged(t, e))
			return r
		}, false, refused, kept, 0, false},
		{"a garbage jwt cookie beside a live session token", func(t *testing.T, e *middlewaretest.Env, token, _ string) *http.Request {
			return jsonRequest(e.SessionCookies(token, "x.y.z"))
		}, false, served, kept, 1, true},
		{"a forged jwt naming another member beside a live session token", func(t *testing.T, e *middlewaretest.Env, token, _ string) *http.Request {
			return jsonRequest(e.SessionCookies(token, forged(t, e)))
		}, false, served, kept, 1, true},
		{"a garbage bearer beside a jwt cookie alone", func(t *testing.T, e *middlewaretest.Env, _, jwt string) *http.Request {
			r := jsonRequest(e.SessionCookies(noCookie, jwt))
			r.Header.Set("Authorization", "Bearer garbage.garbage.garbage")
			return r
		}, false, refused, kept, 0, false},
		{"a garbage jwt cookie beside a revoked session token", func(t *testing.T, e *middlewaretest.Env, token, _ string) *http.Request {
			return jsonRequest(e.SessionCookies(token, "x.y.z"))
		}, true, refused, cleared, 1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := middlewaretest.NewEnv(t)
			token, jwt := e.Login(t, e.MemberID)
			if tt.revoke {
				if _, err := e.Client.Sessions.Revoke(t.Context(), &client.SessionsRevokeParams{SessionToken: token}); err != nil {
					t.Fatal(err)
				}
			}
			r := tt.request(t, e, token, jwt)
			e.Emulator.ResetCalls()
			res := serve(protected(e.Middleware), r)
			if res.StatusCode != tt.want {
				t.Fatalf("status = %d, want %d", res.StatusCode, tt.want)
			}
			if tt.wantMember {
				if body, _ := io.ReadAll(res.Body); string(body) != e.MemberID {
					t.Errorf("served as %q, want the session token's member %q", body, e.MemberID)
				}
			}
			var clearedNames []string
			for _, c := range res.Cookies() {
				if c.MaxAge < 0 {
					clearedNames = append(clearedNames, c.Name)
				}
			}
			if got := len(clearedNames) > 0; got != tt.cleared {
				t.Errorf("cookies cleared: %v (%v), want %v", got, clearedNames, tt.cleared)
			}
			if n := e.AuthenticateCalls(); n != tt.upstream {
				t.Errorf("%d upstream calls, want %d", n, tt.upstream)
			}
		})
	}
}

func TestExpiredJWTAloneIsCheckedRemotely(t *testing.T) {
	t.Parallel()
	e := middlewaretest.NewEnv(t)
	_, jwtRaw := e.Login(t, e.MemberID)
	e.Clock.Advance(6 * time.Minute)
	res := serve(protected(e.Middleware), bearer(jwtRaw))
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status = %d, want 200: the session behind an expired JWT is still live", res.StatusCode)
	}
	if n := e.AuthenticateCalls(); n != 1 {
		t.Errorf("%d upstream calls, want 1", n)
	}
	if len(res.Cookies()) != 0 {
		t.Errorf("a bearer request got cookies: %v", res.Cookies())
	}
}

func TestVerifiedJWTIsCachedUntilMaxAge(t *testing.T) {
	t.Parallel()
	e := middlewaretest.NewEnv(t, middleware.WithMaxTokenAge(time.Minute))
	tok, jwtRaw := e.Login(t, e.MemberID)
	cookies := e.SessionCookies(tok, jwtRaw)
	steps := []struct {
		advance  time.Duration
		upstream int
		refresh  bool
	}{
		{0, 0, false},
		{30 * time.Second, 0, false},
		{31 * time.Second, 1, true}, // past the maximum age: re-checked and refreshed
	}
	for i, st := range steps {
		e.Clock.Advance(st.advance)
		e.Emulator.ResetCalls()
		res := serve(protected(e.Middleware), jsonRequest(cookies))
		if res.StatusCode != http.StatusOK {
			t.Fatalf("step %d: status %d", i, res.StatusCode)
		}
		if n := e.AuthenticateCalls(); n != st.upstream {
			t.Errorf("step %d: %d upstream calls, want %d", i, n, st.upstream)
		}
		if got := len(res.Cookies()) > 0; got != st.refresh {
			t.Errorf("step %d: cookies refreshed = %v, want %v", i, got, st.refresh)
		}
	}
}

func TestFaultsAreNeverALogout(t *testing.T) {
	t.Parallel()
	authPath := "/v1/b2b/sessions/authenticate"
	tests := []struct {
		name  string
		fault emulator.Fault
	}{
		{"a 500", emulator.Fault{Path: authPath, Status: 500}},
		{"a 503", emulator.Fault{Path: authPath, Status: 503}},
		{"a 429", emulator.Fault{Path: authPath, Status: 429}},
		{"a dropped connection", emulator.Fault{Path: authPath, Drop: true}},
		{"a timeout", emulator.Fault{Path: authPath, Latency: 5 * time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := middlewaretest.NewEnvWithClient(t, []client.Option{client.WithTimeout(300 * time.Millisecond)})
			tok, jwtRaw := e.Login(t, e.MemberID)
			e.Clock.Advance(6 * time.Minute)
			_, fresh := e.Login(t, e.AdminID) // minted now: valid locally
			e.Emulator.SetFault(tt.fault)

			res := serve(protected(e.Middleware), jsonRequest(e.SessionCookies(tok, jwtRaw)))
			if res.StatusCode != http.StatusServiceUnavailable {
				t.Fatalf("expired JWT during the fault: status %d, want 503", res.StatusCode)
			}
			if res.Header.Get("Retry-After") == "" {
				t.Error("503 without Retry-After")
			}
			if len(res.Cookies()) != 0 {
				t.Errorf("cookies touched during an outage: %v", res.Cookies())
			}
			if res := serve(protected(e.Middleware), bearer(fresh)); res.StatusCode != http.StatusOK {
				t.Errorf("a valid JWT during the fault: status %d, want 200", res.StatusCode)
			}

			e.Emulator.ClearFaults()
			res = serve(protected(e.Middleware), jsonRequest(e.SessionCookies(tok, jwtRaw)))
			if res.StatusCode != http.StatusOK {
				t.Fatalf("after recovery: status %d, want 200", res.StatusCode)
			}
			if len(res.Cookies()) != 2 {
				t.Errorf("after recovery the cookies were not refreshed: %v", res.Cookies())
			}
		})
	}
}

func TestJWKSFaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		fault emulator.Fault
	}{
		{"JWKS down at start", emulator.Fault{Status: 503}},
		{"JWKS answering garbage", emulator.Fault{MalformedJWKS: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clk := middlewaretest.NewClock(time.Now().UTC().Truncate(time.Second))
			emu := emulator.NewTest(t, emulator.WithClock(clk.Now))
			org, err := emu.AddOrganization(emulator.OrganizationSeed{Name: "Acme"})
			if err != nil {
				t.Fatal(err)
			}
			member, err := emu.AddMember(emulator.MemberSeed{Organization: org, Email: "a@acme.test"})
			if err != nil {
				t.Fatal(err)
			}
			fault := tt.fault
			fault.Path = jwksPathPrefix + emu.ProjectID()
			emu.SetFault(fault)

			c, err := client.New(emu.ProjectID(), emu.Secret(), client.WithBaseURL(emu.URL()), client.WithTimeout(time.Second))
			if err != nil {
				t.Fatal(err)
			}
			m, err := middleware.New(c, middleware.WithClock(clk.Now),
				middleware.WithJWKSOptions(client.WithUnknownKIDInterval(time.Millisecond)))
			if err != nil {
				t.Fatalf("New must not fail while the JWKS is down: %v", err)
			}
			defer m.Close()
			tok, jwtRaw, err := emu.CreateSession(member)
			if err != nil {
				t.Fatal(err)
			}
			cookies := []*http.Cookie{{Name: middleware.DefaultSessionCookie, Value: tok}, {Name: middleware.DefaultJWTCookie, Value: jwtRaw}}

			emu.ResetCalls()
			if res := serve(protected(m), jsonRequest(cookies)); res.StatusCode != http.StatusOK {
				t.Fatalf("cookie session without keys: status %d, want 200 via Stytch", res.StatusCode)
			}
			if res := serve(protected(m), bearer(jwtRaw)); res.StatusCode != http.StatusOK {
				t.Fatalf("bearer JWT without keys: status %d, want 200 via Stytch", res.StatusCode)
			}
			if n := emu.Calls(http.MethodPost, "/v1/b2b/sessions/authenticate"); n != 2 {
				t.Errorf("%d upstream calls while keys were missing, want 2", n)
			}

			emu.ClearFaults()
			_, fresh, err := emu.CreateSession(member)
			if err != nil {
				t.Fatal(err)
			}
			emu.ResetCalls()
			if res := serve(protected(m), bearer(fresh)); res.StatusCode != http.StatusOK {
				t.Fatalf("after the JWKS recovered: status %d", res.StatusCode)
			}
			if n := emu.Calls(http.MethodPost, "/v1/b2b/sessions/authenticate"); n != 0 {
				t.Errorf("after recovery %d upstream calls, want local verification", n)
			}
		})
	}
}

func TestKeyRotationVerifiesAfterOneRefresh(t *testing.T) {
	t.Parallel()
	e := middlewaretest.NewEnv(t)
	_, before := e.Login(t, e.MemberID)
	if res := serve(protected(e.Middleware), bearer(before)); res.StatusCode != http.StatusOK {
		t.Fatalf("before rotation: %d", res.StatusCode)
	}
	e.Emulator.RotateKey()
	_, after := e.Login(t, e.MemberID)
	e.Emulator.ResetCalls()
	for i := range 3 {
		if res := serve(protected(e.Middleware), bearer(after)); res.StatusCode != http.StatusOK {
			t.Fatalf("request %d after rotation: %d", i, res.StatusCode)
		}
	}
	if n := e.Emulator.Calls(http.MethodGet, jwksPathPrefix+e.Emulator.ProjectID()); n != 1 {
		t.Errorf("JWKS fetched %d times, want 1", n)
	}
	if n := e.AuthenticateCalls(); n != 0 {
		t.Errorf("%d upstream authenticate calls, want 0", n)
	}
}

func TestARotationWhileTheRefreshIsSpentIsNoLogout(t *testing.T) {
	t.Parallel()
	e := middlewaretest.NewEnv(t, middleware.WithJWKSOptions(client.WithUnknownKIDInterval(time.Hour)))
	tok, valid := e.Login(t, e.MemberID)
	resign := func(mutate func(map[string]any), kid string) string {
		c := claimsOf(t, valid)
		mutate(c)
		raw, err := e.Emulator.SignJWT(c, map[string]any{"kid": kid})
		if err != nil {
			t.Fatal(err)
		}
		return raw
	}
	// Random kids spend the one refresh an hour that unknown kids may make.
	if res := serve(protected(e.Middleware), bearer(resign(func(map[string]any) {}, "jwk-test-random"))); res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("random kid: %d, want 401", res.StatusCode)
	}
	// Then Stytch rotates and signs with a key the set fetched before
	// lacks.
	e.Emulator.RotateKey()
	e.Clock.Advance(time.Minute)
	_, fresh := e.Login(t, e.MemberID)
	e.Emulator.ResetCalls()

	tests := []struct {
		name       string
		req        *http.Request
		wantStatus int
	}{
		{"a bearer JWT of the new key waits for the refresh", bearer(fresh), http.StatusServiceUnavailable},
		{"a lone JWT cookie of the new key is kept", jsonRequest(e.SessionCookies("", fresh)), http.StatusServiceUnavailable},
		{"the session token beside it still decides", jsonRequest(e.SessionCookies(tok, fresh)), http.StatusOK},
		{"an unknown kid on claims refused anyway is refused",
			bearer(resign(func(c map[string]any) { c["aud"] = []string{"project-test-other"} }, "jwk-test-other")), http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := e.AuthenticateCalls()
			res := serve(protected(e.Middleware), tt.req)
			if res.StatusCode != tt.wantStatus {
				t.Fatalf("status = %d, want %d", res.StatusCode, tt.wantStatus)
			}
			if tt.wantStatus == http.StatusServiceUnavailable {
				if res.Header.Get("Retry-After") == "" {
					t.Error("503 without Retry-After")
				}
				if c := res.Header.Values("Set-Cookie"); len(c) != 0 {
					t.Errorf("cookies written on an undecided JWT: %q", c)
				}
				if n := e.AuthenticateCalls() - before; n != 0 {
					t.Errorf("%d upstream calls for a JWT anyone can name a kid in, want 0", n)
				}
			}
		})
	}
	t.Run("an M2M token of the new key waits for the refresh", func(t *testing.T) {
		res := serve(e.Middleware.RequireScopes("read:reports")(m2mHandler), bearer(signed(t, e, accessClaims(e, "read:reports"))))
		if res.StatusCode != http.StatusServiceUnavailable {
			t.Fatalf("status = %d, want 503", res.StatusCode)
		}
	})
	if n := e.Emulator.Calls(http.MethodGet, jwksPathPrefix+e.Emulator.ProjectID()); n != 0 {
		t.Errorf("%d key set fetches inside the limit's interval, want 0", n)
	}
}

func TestHerdSharesOneUpstreamCall(t *testing.T) {
	t.Parallel()
	e := middlewaretest.NewEnv(t)
	tok, jwtRaw := e.Login(t, e.MemberID)
	e.Clock.Advance(6 * time.Minute)
	// The upstream answer is held back long enough for all requests to
	// join the one in flight.
	e.Emulator.SetFault(emulator.Fault{Path: "/v1/b2b/sessions/authenticate", Latency: 2 * time.Second})
	e.Emulator.ResetCalls()
	h := protected(e.Middleware)
	const n = 200
	var wg sync.WaitGroup
	statuses := make([]int, n)
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			statuses[i] = serve(h, jsonRequest(e.SessionCookies(tok, jwtRaw))).StatusCode
		})
	}
	close(start)
	wg.Wait()
	for i, s := range statuses {
		if s != http.StatusOK {
			t.Fatalf("request %d: status %d", i, s)
		}
	}
	if got := e.AuthenticateCalls(); got != 1 {
		t.Errorf("%d concurrent identical fallbacks made %d upstream calls, want 1", n, got)
	}
}

func TestPolicyOutageIs503(t *testing.T) {
	t.Parallel()
	e := middlewaretest.NewEnv(t)
	tok, jwtRaw := e.Login(t, e.EditorID)
	e.Emulator.SetFault(emulator.Fault{Path: "/v1/b2b/rbac/policy", Status: 500})
	h := e.Middleware.RequirePermission(middlewaretest.Resource, middlewaretest.ActionRead)(http.NotFoundHandler())
	res := serve(h, jsonRequest(e.SessionCookies(tok, jwtRaw)))
	if res.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("status %d, want 503", res.StatusCode)
	}
	if len(res.Cookies()) != 0 {
		t.Errorf("cookies touched: %v", res.Cookies())
	}
}

func TestAuthorizeInHandler(t *testing.T) {
	t.Parallel()
	e := middlewaretest.NewEnv(t)
	tests := []struct {
		name    string
		as      string
		action  string
		wantErr error
	}{
		{"an editor may write", e.EditorID, middlewaretest.ActionWrite, nil},
		{"a member may not write", e.MemberID, middlewaretest.ActionWrite, middleware.ErrPermissionDenied},
		{"no session", "", middlewaretest.ActionRead, middleware.ErrNoSession},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var cookies []*http.Cookie
			if tt.as != "" {
				cookies = e.SessionCookies(e.Login(t, tt.as))
			}
			var got error
			h := e.Middleware.OptionalSession(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				got = e.Middleware.Authorize(r.Context(), middlewaretest.Resource, tt.action)
			}))
			serve(h, jsonRequest(cookies))
			if !errors.Is(got, tt.wantErr) || (tt.wantErr == nil && got != nil) {
				t.Errorf("Authorize = %v, want %v", got, tt.wantErr)
			}
		})
	}
}

func TestNewValidatesCookieSettings(t *testing.T) {
	t.Parallel()
	c, err := client.New("project-test-x", "secret", client.WithBaseURL("http://127.0.0.1:1"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		opts []middleware.Option
	}{
		{"SameSite=None without Secure", []middleware.Option{middleware.WithSameSite(http.SameSiteNoneMode), middleware.WithInsecureCookies()}},
		{"__Host- with a domain", []middleware.Option{middleware.WithCookieNames("__Host-s", "__Host-j"), middleware.WithCookieDomain("example.com")}},
		{"a login URL to another host", []middleware.Option{middleware.WithLoginURL("https://evil.example/login")}},
		{"a negative leeway", []middleware.Option{middleware.WithLeeway(-time.Second)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := middleware.New(c, tt.opts...)
			if err == nil {
				m.Close()
				t.Fatal("New accepted an invalid configuration")
			}
			if !strings.HasPrefix(err.Error(), "b2bauth: ") {
				t.Errorf("error %q lacks the b2bauth prefix", err)
			}
		})
	}
}

func TestRejectedProjectCredentialsAreNotALogout(t *testing.T) {
	t.Parallel()
	e := middlewaretest.NewEnv(t)
	tok, jwtRaw := e.Login(t, e.MemberID)
	e.Clock.Advance(6 * time.Minute)
	e.Emulator.SetFault(emulator.Fault{Path: "/v1/b2b/sessions/authenticate", Status: 401, ErrorType: "unauthorized_credentials"})
	res := serve(protected(e.Middleware), jsonRequest(e.SessionCookies(tok, jwtRaw)))
	if res.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("status %d, want 503", res.StatusCode)
	}
	if len(res.Cookies()) != 0 {
		t.Errorf("cookies cleared because of the project's credentials: %v", res.Cookies())
	}
}

// Only Stytch's verdicts on the session log a member out; any other
// rejection of the session check is an outage, logged once as an error.
func TestOnlyStytchsVerdictsOnTheSessionLogOut(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		status  int
		typ     string
		verdict bool
	}{
		{"a session Stytch does not find logs out", 404, "session_not_found", true},
		{"a member Stytch does not find logs out", 404, "member_not_found", true},
		{"an organization Stytch does not find logs out", 404, "organization_not_found", true},
		{"a session token Stytch refuses logs out", 400, "invalid_session_token", true},
		{"a session JWT Stytch refuses logs out", 401, "invalid_session_jwt", true},
		{"a malformed request is an outage", 400, "bad_request", false},
		{"an invalid session duration is an outage", 400, "invalid_session_duration_minutes", false},
		{"a test project id sent to the live environment is an outage", 401, "test_id_used_in_live_environment", false},
		{"an endpoint the plan lacks is an outage", 401, "enterprise_endpoint", false},
		{"a suspended Stytch account is an outage", 403, "organization_suspended", false},
		{"an unverified billing account is an outage", 403, "billing_not_verified", false},
		{"a route Stytch does not serve is an outage", 404, "route_not_found", false},
		{"an error type nobody knows yet is an outage", 422, "some_new_error", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var logs lockedBuffer
			e := middlewaretest.NewEnv(t, middleware.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
			tok, jwtRaw := e.Login(t, e.MemberID)
			e.Clock.Advance(6 * time.Minute) // the JWT expired: Stytch is asked
			e.Emulator.SetFault(emulator.Fault{Path: "/v1/b2b/sessions/authenticate", Status: tt.status, ErrorType: tt.typ})
			res := serve(protected(e.Middleware), jsonRequest(e.SessionCookies(tok, jwtRaw)))
			errorLines := strings.Count(logs.String(), "level=ERROR")
			if tt.verdict {
				if res.StatusCode != http.StatusUnauthorized {
					t.Fatalf("status %d, want 401", res.StatusCode)
				}
				if len(res.Cookies()) == 0 {
					t.Error("the session's cookies were kept after Stytch's verdict")
				}
				if errorLines != 0 {
					t.Errorf("a verdict was logged as an error:\n%s", logs.String())
				}
				return
			}
			if res.StatusCode != http.StatusServiceUnavailable {
				t.Fatalf("status %d, want 503", res.StatusCode)
			}
			if len(res.Cookies()) != 0 {
				t.Errorf("cookies touched by an answer that is not about the session: %v", res.Cookies())
			}
			if errorLines != 1 || !strings.Contains(logs.String(), "error_type="+tt.typ) {
				t.Errorf("want one error line naming %s; logs:\n%s", tt.typ, logs.String())
			}
			if strings.Contains(logs.String(), tok) || strings.Contains(logs.String(), jwtRaw) {
				t.Error("a credential was logged")
			}
		})
	}
}

func TestNilSessionInContextIsNoSession(t *testing.T) {
	t.Parallel()
	e := middlewaretest.NewEnv(t)
	for name, mw := range map[string]func(http.Handler) http.Handler{
		"RequireSession":     e.Middleware.RequireSession,
		"RequirePermission":  e.Middleware.RequirePermission(middlewaretest.Resource, middlewaretest.ActionRead),
		"RequireRole":        e.Middleware.RequireRole("stytch_admin"),
		"RequireFreshFactor": e.Middleware.RequireFreshFactor(middleware.AnyFactor, time.Hour),
	} {
		r := jsonRequest(nil)
		r = r.WithContext(middleware.NewContext(r.Context(), nil))
		if res := serve(mw(http.NotFoundHandler()), r); res.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s: status %d, want 401", name, res.StatusCode)
		}
	}
}

// statusAuthenticator answers every remote check with err.
type statusAuthenticator struct{ err error }

func (a statusAuthenticator) Authenticate(context.Context, *client.SessionsAuthenticateParams) (*client.SessionsAuthenticateResponse, error) {
	return nil, a.err
}

func TestUpstreamAnswersThatAreNotStytchsAreNotALogout(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		err    error
		status int
	}{
		{"a proxy's 403 without Stytch's error body", &client.Error{StatusCode: http.StatusForbidden}, http.StatusServiceUnavailable},
		{"a wrong base URL's 404", &client.Error{StatusCode: http.StatusNotFound}, http.StatusServiceUnavailable},
		{"Stytch's session_not_found", &client.Error{StatusCode: http.StatusNotFound, ErrorType: "session_not_found"}, http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := middlewaretest.NewEnv(t, middleware.WithAuthenticator(statusAuthenticator{tt.err}))
			tok, jwtRaw := e.Login(t, e.MemberID)
			e.Clock.Advance(6 * time.Minute)
			res := serve(protected(e.Middleware), jsonRequest(e.SessionCookies(tok, jwtRaw)))
			if res.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", res.StatusCode, tt.status)
			}
			if cleared := len(res.Cookies()) > 0; cleared != (tt.status == http.StatusUnauthorized) {
				t.Errorf("cookies cleared = %v for status %d", cleared, tt.status)
			}
		})
	}
}

// answering is a transport answering POSTs to path itself, with status 200
// and body, and passing every other request on.
type answering struct {
	path, body string
}

func (a answering) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method != http.MethodPost || r.URL.Path != a.path {
		return http.DefaultTransport.RoundTrip(r)
	}
	return &http.Response{
		StatusCode: http.StatusOK,
		Header:     http.Header{"Content-Type": {"application/json"}},
		Body:       io.NopCloser(strings.NewReader(a.body)),
		Request:    r,
	}, nil
}

// A success answer that names no session (a proxy's or a misrouted
// request's 200) authenticates nobody: it is an outage, not a session.
func TestASuccessWithoutASessionIsNotASession(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		body string
	}{
		{"an empty object", `{}`},
		{"a status alone", `{"status_code":200,"request_id":"req-1"}`},
		{"a session without a member", `{"member_session":{"member_session_id":"member-session-test-x","organization_id":"organization-test-x"}}`},
		{"a session without an organization", `{"member_session":{"member_session_id":"member-session-test-x","member_id":"member-test-x"}}`},
		{"a member without a session", `{"member_session":{"member_id":"member-test-x","organization_id":"organization-test-x"}}`},
	}
	for _, tt := range tests {
		for _, via := range []string{"cookies", "bearer"} {
			t.Run(tt.name+" via "+via, func(t *testing.T) {
				t.Parallel()
				hc := &http.Client{Transport: answering{"/v1/b2b/sessions/authenticate", tt.body}}
				e := middlewaretest.NewEnvWithClient(t, []client.Option{client.WithHTTPClient(hc)})
				tok, jwtRaw := e.Login(t, e.MemberID)
				e.Clock.Advance(6 * time.Minute) // the JWT lives 5 minutes
				r := bearer(jwtRaw)
				if via == "cookies" {
					r = jsonRequest(e.SessionCookies(tok, jwtRaw))
				}
				res := serve(protected(e.Middleware), r)
				if res.StatusCode != http.StatusServiceUnavailable {
					body, _ := io.ReadAll(res.Body)
					t.Fatalf("status %d (%q), want 503", res.StatusCode, body)
				}
				if len(res.Cookies()) != 0 {
					t.Errorf("cookies written: %v", res.Cookies())
				}
			})
		}
	}
}

func TestAnotherMiddlewareDecidesAfresh(t *testing.T) {
	t.Parallel()
	a, b := middlewaretest.NewEnv(t), middlewaretest.NewEnv(t)
	tok, jwtRaw := a.Login(t, a.MemberID)
	// a's verdict is in the context; b serves another project and must not
	// take it.
	h := a.Middleware.OptionalSession(b.Middleware.RequireSession(http.NotFoundHandler()))
	if res := serve(h, jsonRequest(a.SessionCookies(tok, jwtRaw))); res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("status %d, want 401 from the second project's middleware", res.StatusCode)
	}
}

func TestClosedMiddlewareIsNotALogout(t *testing.T) {
	t.Parallel()
	e := middlewaretest.NewEnv(t)
	tok, jwtRaw := e.Login(t, e.MemberID)
	e.Middleware.Close()
	res := serve(protected(e.Middleware), jsonRequest(e.SessionCookies(tok, jwtRaw)))
	if res.StatusCode == http.StatusUnauthorized || len(res.Cookies()) == 2 && res.Cookies()[0].MaxAge < 0 {
		t.Fatalf("a closed middleware logged the member out: status %d, cookies %v", res.StatusCode, res.Cookies())
	}
}

func TestNilTokenSourceIsRefused(t *testing.T) {
	t.Parallel()
	c, err := client.New("project-test-x", "secret", client.WithBaseURL("http://127.0.0.1:1"))
	if err != nil {
		t.Fatal(err)
	}
	for _, opt := range []middleware.Option{
		middleware.WithJWTSources(middleware.TokenFromHeader, nil),
		middleware.WithSessionTokenSources(nil),
	} {
		if m, err := middleware.New(c, opt, middleware.WithKeyfunc(func(*jwt.Token) (any, error) { return nil, nil })); err == nil {
			m.Close()
			t.Error("New accepted a nil token source")
		}
	}
}

// A bearer JWT is the credential the caller chose: whatever cookies come
// with it, it is judged alone, and those cookies are neither used in its
// place, nor refreshed, nor cleared.
func TestABearerIsJudgedAlone(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// bearer returns the bearer JWT; the request also carries the
		// admin's live session cookies.
		bearer   func(t *testing.T, e *middlewaretest.Env) string
		advance  time.Duration // clock move after the logins
		revoke   bool          // revoke the bearer's session first
		want     int
		upstream int
	}{
		{"a JWT naming a key the project does not publish", func(t *testing.T, e *middlewaretest.Env) string {
			_, valid := e.Login(t, e.MemberID)
			tok, err := e.Emulator.SignJWT(claimsOf(t, valid), map[string]any{"kid": "jwk-test-unknown"})
			if err != nil {
				t.Fatal(err)
			}
			return tok
		}, 0, false, http.StatusUnauthorized, 0},
		{"an expired JWT of a live session", func(t *testing.T, e *middlewaretest.Env) string {
			_, jwt := e.Login(t, e.MemberID)
			return jwt
		}, 6 * time.Minute, false, http.StatusOK, 1},
		{"an expired JWT of a revoked session", func(t *testing.T, e *middlewaretest.Env) string {
			_, jwt := e.Login(t, e.MemberID)
			return jwt
		}, 6 * time.Minute, true, http.StatusUnauthorized, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := middlewaretest.NewEnv(t)
			bearerJWT := tt.bearer(t, e)
			if tt.revoke {
				sid, _ := claimsOf(t, bearerJWT)["https://stytch.com/session"].(map[string]any)["id"].(string)
				if _, err := e.Client.Sessions.Revoke(t.Context(), &client.SessionsRevokeParams{MemberSessionID: sid}); err != nil {
					t.Fatal(err)
				}
			}
			adminToken, adminJWT := e.Login(t, e.AdminID)
			e.Clock.Advance(tt.advance)
			r := jsonRequest(e.SessionCookies(adminToken, adminJWT))
			r.Header.Set("Authorization", "Bearer "+bearerJWT)
			e.Emulator.ResetCalls()
			res := serve(protected(e.Middleware), r)
			if res.StatusCode != tt.want {
				t.Fatalf("status = %d, want %d", res.StatusCode, tt.want)
			}
			if body, _ := io.ReadAll(res.Body); res.StatusCode == http.StatusOK && string(body) != e.MemberID {
				t.Errorf("served as %q, want the bearer's member %q, not the cookies' admin", body, e.MemberID)
			}
			if c := res.Cookies(); len(c) != 0 {
				t.Errorf("the answer to a bearer wrote cookies: %v", c)
			}
			if n := e.AuthenticateCalls(); n != tt.upstream {
				t.Errorf("%d upstream calls, want %d", n, tt.upstream)
			}
		})
	}
}

func TestSessionExpiryFallsBackToTheJWTs(t *testing.T) {
	t.Parallel()
	e := middlewaretest.NewEnv(t)
	_, valid := e.Login(t, e.MemberID)
	c := claimsOf(t, valid)
	c["https://stytch.com/session"].(map[string]any)["expires_at"] = ""
	tok, err := e.Emulator.SignJWT(c, nil)
	if err != nil {
		t.Fatal(err)
	}
	var got time.Time
	h := e.Middleware.RequireSession(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		s, _ := middleware.SessionFrom(r.Context())
		got = s.ExpiresAt
	}))
	if res := serve(h, bearer(tok)); res.StatusCode != http.StatusOK {
		t.Fatalf("status = %d, want 200", res.StatusCode)
	}
	if want := time.Unix(int64(c["exp"].(float64)), 0); !got.Equal(want) {
		t.Errorf("ExpiresAt = %v, want the JWT's exp %v", got, want)
	}
}

// With a session token read from a header, Stytch's verdict on that token
// says nothing of the cookies beside it: they are neither cleared nor
// overwritten with the header's session.
func TestAHeaderTokenLeavesTheCookiesAlone(t *testing.T) {
	t.Parallel()
	fromHeader := func(r *http.Request) string { return r.Header.Get("X-Session-Token") }
	for _, tt := range []struct {
		name   string
		revoke bool
		want   int
	}{
		{"a live header token is served", false, http.StatusOK},
		{"a revoked header token is refused", true, http.StatusUnauthorized},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := middlewaretest.NewEnv(t, middleware.WithSessionTokenSources(fromHeader))
			headerToken, _ := e.Login(t, e.MemberID)
			if tt.revoke {
				if _, err := e.Client.Sessions.Revoke(t.Context(), &client.SessionsRevokeParams{SessionToken: headerToken}); err != nil {
					t.Fatal(err)
				}
			}
			cookieToken, cookieJWT := e.Login(t, e.AdminID)
			e.Clock.Advance(6 * time.Minute) // the JWT cookie goes remote, with the header's token
			r := jsonRequest(e.SessionCookies(cookieToken, cookieJWT))
			r.Header.Set("X-Session-Token", headerToken)
			res := serve(protected(e.Middleware), r)
			if res.StatusCode != tt.want {
				t.Fatalf("status = %d, want %d", res.StatusCode, tt.want)
			}
			if c := res.Cookies(); len(c) != 0 {
				t.Errorf("the header token's verdict wrote cookies: %v", c)
			}
		})
	}
}
