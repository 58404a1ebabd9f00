package middleware

import (
	"net/http"
	"strings"
	"testing"
)

func TestCookieConfigValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		mutate  func(*cookieConfig)
		wantErr string
	}{
		{"the defaults are valid", func(*cookieConfig) {}, ""},
		{"SameSite=None needs Secure", func(c *cookieConfig) { c.sameSite = http.SameSiteNoneMode; c.secure = false }, "SameSite=None"},
		{"SameSite=None with Secure is valid", func(c *cookieConfig) { c.sameSite = http.SameSiteNoneMode }, ""},
		{"SameSite=Strict is valid", func(c *cookieConfig) { c.sameSite = http.SameSiteStrictMode }, ""},
		{"SameSite must be written", func(c *cookieConfig) { c.sameSite = http.SameSiteDefaultMode }, "SameSite must be"},
		{"an unknown SameSite is refused", func(c *cookieConfig) { c.sameSite = 42 }, "SameSite must be"},
		{"__Host- needs Secure", func(c *cookieConfig) { c.sessionName = "__Host-s"; c.secure = false }, "__Host-"},
		{"__Host- needs Path /", func(c *cookieConfig) { c.sessionName = "__Host-s"; c.path = "/app" }, "__Host-"},
		{"__Host- forbids Domain", func(c *cookieConfig) { c.jwtName = "__Host-j"; c.domain = "example.com" }, "__Host-"},
		{"__Secure- needs Secure", func(c *cookieConfig) { c.jwtName = "__Secure-j"; c.secure = false }, "__Secure-"},
		{"names must differ", func(c *cookieConfig) { c.jwtName = c.sessionName }, "share the name"},
		{"names must be tokens", func(c *cookieConfig) { c.sessionName = "bad name" }, "bad name"},
		{"a relative path is refused", func(c *cookieConfig) { c.path = "app" }, "must start with /"},
		{"an empty name is refused", func(c *cookieConfig) { c.jwtName = "" }, "must not be empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cc := defaultCookies()
			tt.mutate(&cc)
			err := cc.validate()
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("error = %v, want one mentioning %q", err, tt.wantErr)
			}
		})
	}
}
