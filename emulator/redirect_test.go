package emulator

import "testing"

// Every link the emulator sends is built by one redirect builder, which
// refuses a redirect URL that is not an absolute http(s) URL with a host.
func TestSentLinkRedirectURLs(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	tests := []struct {
		name  string
		path  string
		field string
		body  map[string]any
	}{
		{"a discovery magic link refuses a redirect URL without a host", "/v1/b2b/magic_links/email/discovery/send", "discovery_redirect_url",
			map[string]any{"email_address": "alice@acme.test", "discovery_redirect_url": "https:app.test/auth"}},
		{"a password reset link refuses a redirect URL without a host", "/v1/b2b/passwords/email/reset/start", "reset_password_redirect_url",
			map[string]any{"organization_id": f.acme, "email_address": "alice@acme.test", "reset_password_redirect_url": "http:///reset"}},
		{"a password reset link refuses a redirect URL that is not http(s)", "/v1/b2b/passwords/email/reset/start", "reset_password_redirect_url",
			map[string]any{"organization_id": f.acme, "email_address": "alice@acme.test", "reset_password_redirect_url": "javascript:alert(1)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := f.do(t, "POST", tt.path, tt.body)
			wantError(t, r, 400, errBadRequest)
			if got := r.str("error_details", "field"); got != tt.field {
				t.Fatalf("error_details.field = %q, want %q", got, tt.field)
			}
		})
	}
}
