package flows_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/b2bauth/b2bauth/emulator"
)

// postRoutes are every POST route of the flows.
var postRoutes = []string{
	"/auth/login", "/auth/oauth/start",
	"/auth/organizations/select", "/auth/organizations/create",
	"/auth/mfa/sms/send", "/auth/mfa/sms/verify", "/auth/mfa/totp/enroll",
	"/auth/mfa/totp/verify", "/auth/mfa/recovery",
	"/auth/step-up/sms/send", "/auth/step-up/sms/verify", "/auth/step-up/totp/verify",
	"/auth/logout",
}

// TestRefererOnlyCrossOriginPostsAreRefused: a POST without Origin and
// Sec-Fetch-Site, which http.CrossOriginProtection lets through, is refused
// when its Referer names another origin, on every POST route.
func TestRefererOnlyCrossOriginPostsAreRefused(t *testing.T) {
	t.Parallel()
	h, memberID := loggedIn(t, emulator.MemberSeed{Email: "rex@acme.example"})
	tests := []struct {
		name    string
		header  map[string]string
		host    string // the request's Host, when not the server's
		refused bool
	}{
		{"a Referer of another site is refused", map[string]string{"Referer": "https://evil.example/page"}, "", true},
		{"a Referer of another port is refused", map[string]string{"Referer": strings.TrimSuffix(h.srv.URL, "/") + "1/"}, "", true},
		{"a Referer that is no URL is refused", map[string]string{"Referer": "not a url"}, "", true},
		{"a Referer of this origin goes on", map[string]string{"Referer": h.srv.URL + "/auth/login"}, "", false},
		{"a Referer of the public URL goes on behind a proxy that rewrites Host", map[string]string{"Referer": h.srv.URL + "/x"}, "app.internal:8080", false},
		{"an own Origin decides over a foreign Referer", map[string]string{"Origin": h.srv.URL, "Referer": "https://evil.example/"}, "", false},
		{"same-origin fetch metadata decides over a foreign Referer", map[string]string{"Sec-Fetch-Site": "same-origin", "Referer": "https://evil.example/"}, "", false},
		{"a request with none of the three, not a browser's, goes on", nil, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, path := range postRoutes {
				if path == "/auth/logout" && !tt.refused {
					continue // would end the session the other routes use
				}
				req := h.postRequest(path, nil, "application/json")
				for k, v := range tt.header {
					req.Header.Set(k, v)
				}
				if tt.host != "" {
					req.Host = tt.host
				}
				a := h.do(req)
				if refused := a.status == http.StatusForbidden && a.errorCode(t) == "cross_origin"; refused != tt.refused {
					t.Errorf("POST %s = %d %s, want refused: %v", path, a.status, a.body, tt.refused)
				}
			}
		})
	}
	if n := h.emu.Calls(http.MethodPost, "/v1/b2b/sessions/revoke"); n != 0 {
		t.Errorf("a refused logout revoked the session (%d calls)", n)
	}
	h.expectLoggedIn(memberID)
}
