package middleware_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/b2bauth/b2bauth/client"
	"github.com/b2bauth/b2bauth/middleware"
	"github.com/b2bauth/b2bauth/middleware/middlewaretest"
)

// TestDuplicateCookiesAreAmbiguousNotALogout: a session cookie name sent
// twice (one may be planted by a sibling subdomain) never clears or writes
// cookies; a JWT among them that verifies wins, else the session tokens
// decide, at a bounded number of upstream calls.
func TestDuplicateCookiesAreAmbiguousNotALogout(t *testing.T) {
	t.Parallel()
	const (
		jwtName   = middleware.DefaultJWTCookie
		tokenName = middleware.DefaultSessionCookie
	)
	junkToken := strings.Repeat("j", 44)
	tests := []struct {
		name string
		// cookies returns the Cookie header, given a live session of
		// e.MemberID (token, jwt) and a revoked one (deadToken, deadJWT).
		cookies    func(token, jwt, deadToken, deadJWT string) string
		advance    time.Duration // clock move before the request
		want       int
		upstream   int
		wantMember bool
	}{
		{"a garbage JWT cookie before the valid one", func(token, jwt, _, _ string) string {
			return jwtName + "=x.y.z; " + jwtName + "=" + jwt
		}, 0, http.StatusOK, 0, true},
		{"the valid JWT cookie before a garbage one", func(token, jwt, _, _ string) string {
			return jwtName + "=" + jwt + "; " + jwtName + "=x.y.z"
		}, 0, http.StatusOK, 0, true},
		{"two garbage JWT cookies and nothing else", func(_, _, _, _ string) string {
			return jwtName + "=x.y.z; " + jwtName + "=a.b.c"
		}, 0, http.StatusUnauthorized, 0, false},
		{"two garbage JWT cookies beside a live session token", func(token, _, _, _ string) string {
			return jwtName + "=x.y.z; " + jwtName + "=a.b.c; " + tokenName + "=" + token
		}, 0, http.StatusOK, 1, true},
		{"a made-up session token before the live one", func(token, _, _, _ string) string {
			return tokenName + "=" + junkToken + "; " + tokenName + "=" + token
		}, 0, http.StatusOK, 2, true},
		{"a revoked session token after the live one", func(token, _, deadToken, _ string) string {
			return tokenName + "=" + token + "; " + tokenName + "=" + deadToken
		}, 0, http.StatusOK, 1, true},
		{"two session tokens Stytch refuses", func(_, _, deadToken, _ string) string {
			return tokenName + "=" + junkToken + "; " + tokenName + "=" + deadToken
		}, 0, http.StatusUnauthorized, 2, false},
		{"two session tokens beside a valid JWT cookie", func(token, jwt, deadToken, _ string) string {
			return tokenName + "=" + deadToken + "; " + tokenName + "=" + token + "; " + jwtName + "=" + jwt
		}, 0, http.StatusOK, 0, true},
		{"two session tokens beside an expired JWT cookie", func(token, jwt, deadToken, _ string) string {
			return tokenName + "=" + deadToken + "; " + tokenName + "=" + token + "; " + jwtName + "=" + jwt
		}, 6 * time.Minute, http.StatusOK, 2, true},
		{"two expired JWT cookies, one of a live session", func(_, jwt, _, deadJWT string) string {
			return jwtName + "=" + deadJWT + "; " + jwtName + "=" + jwt
		}, 6 * time.Minute, http.StatusOK, 2, true},
		{"many made-up session tokens", func(_, _, _, _ string) string {
			var b strings.Builder
			for i := range 20 {
				b.WriteString(tokenName + "=" + strings.Repeat(string(rune('a'+i)), 44) + "; ")
			}
			return b.String()
		}, 0, http.StatusUnauthorized, 3, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := middlewaretest.NewEnv(t)
			token, jwt := e.Login(t, e.MemberID)
			deadToken, deadJWT := e.Login(t, e.AdminID)
			if _, err := e.Client.Sessions.Revoke(t.Context(), &client.SessionsRevokeParams{SessionToken: deadToken}); err != nil {
				t.Fatal(err)
			}
			e.Clock.Advance(tt.advance)
			r := jsonRequest(nil)
			r.Header.Set("Cookie", tt.cookies(token, jwt, deadToken, deadJWT))
			e.Emulator.ResetCalls()
			res := serve(protected(e.Middleware), r)
			if res.StatusCode != tt.want {
				t.Fatalf("status = %d, want %d", res.StatusCode, tt.want)
			}
			if body, _ := io.ReadAll(res.Body); tt.wantMember && string(body) != e.MemberID {
				t.Errorf("served as %q, want %q", body, e.MemberID)
			}
			if c := res.Cookies(); len(c) != 0 {
				t.Errorf("an ambiguous request wrote cookies: %v", c)
			}
			if n := e.AuthenticateCalls(); n != tt.upstream {
				t.Errorf("%d upstream calls, want %d", n, tt.upstream)
			}
		})
	}
}
