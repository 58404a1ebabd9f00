package emulator

import (
	"net/url"
	"testing"
)

func TestMemberGet(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	path := func(org string, q url.Values) string {
		return "/v1/b2b/organizations/" + org + "/member?" + q.Encode()
	}
	tests := []struct {
		name    string
		org     string
		query   url.Values
		status  int
		errType string
	}{
		{name: "a member is found by id", org: f.acme, query: url.Values{"member_id": {f.bob}}, status: 200},
		{name: "a member is found by email", org: f.acme, query: url.Values{"email_address": {"BOB@acme.test"}}, status: 200},
		{name: "a member of another organization is not found", org: f.globex, query: url.Values{"member_id": {f.bob}}, status: 404, errType: errMemberNotFound},
		{name: "an unknown email is not found", org: f.acme, query: url.Values{"email_address": {"nobody@acme.test"}}, status: 404, errType: errMemberNotFound},
		{name: "an unknown organization is not found", org: "organization-test-nope", query: url.Values{"member_id": {f.bob}}, status: 404, errType: errOrganizationNotFound},
		{name: "neither id nor email is invalid", org: f.acme, query: url.Values{}, status: 400, errType: errInvalidMemberGetFields},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := f.do(t, "GET", path(tt.org, tt.query), nil)
			if tt.status != 200 {
				wantError(t, r, tt.status, tt.errType)
				return
			}
			wantOK(t, r)
			if r.str("member_id") != f.bob || r.str("member", "email_address") != "bob@acme.test" ||
				r.str("organization", "organization_id") != f.acme || r.str("member", "totp_registration_id") == "" {
				t.Fatalf("got %s", r.raw)
			}
		})
	}
}
