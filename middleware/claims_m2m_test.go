package middleware

import "testing"

// TestAccessTokenClaimsReadAlike: the one-pass reader and encoding/json
// (which decodeClaims falls back to, e.g. for an escaped character) tell
// the same about the claims that separate access tokens from sessions.
func TestAccessTokenClaimsReadAlike(t *testing.T) {
	tests := []struct {
		name, payload              string
		scope                      string
		session, org, scopeNotText bool
	}{
		{name: "an access token's scope", payload: `{"sub":"m2m-client-test-1","scope":"read:reports write:reports"}`,
			scope: "read:reports write:reports"},
		{name: "a session's claims", payload: `{"sub":"member-test-1","https://stytch.com/session":{"id":"s"},"https://stytch.com/organization":{"organization_id":"o"}}`,
			session: true, org: true},
		{name: "a null session claim is still present", payload: `{"sub":"m2m-client-test-1","https://stytch.com/session":null}`,
			session: true},
		{name: "a scope that is not a string", payload: `{"sub":"m2m-client-test-1","scope":["read:reports"]}`,
			scopeNotText: true},
		{name: "a null scope is none", payload: `{"sub":"m2m-client-test-1","scope":null}`},
	}
	for _, tt := range tests {
		for _, variant := range []struct{ name, payload string }{
			{"one pass", tt.payload},
			// An escaped character in a kept value sends the text to
			// encoding/json.
			{"encoding/json", tt.payload[:len(tt.payload)-1] + `,"iss":"stytch.com\/x"}`},
		} {
			t.Run(tt.name+" ("+variant.name+")", func(t *testing.T) {
				c, err := decodeClaims([]byte(variant.payload))
				if err != nil {
					t.Fatal(err)
				}
				if c.scope != tt.scope || c.hasSessionClaim != tt.session || c.hasOrgClaim != tt.org || c.scopeNotString != tt.scopeNotText {
					t.Fatalf("scope %q, session %v, org %v, scope not a string %v", c.scope, c.hasSessionClaim, c.hasOrgClaim, c.scopeNotString)
				}
			})
		}
	}
}
