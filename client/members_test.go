package client_test

import (
	"context"
	"testing"

	"github.com/b2bauth/b2bauth/client"
)

func TestEmulatorMembersGet(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEmu(t)
	acme := e.org(t, "acme")
	aliceID := e.member(t, "acme", alice)
	tests := []struct {
		name    string
		params  *client.MembersGetParams
		errType string
	}{
		{name: "a member is found by id", params: &client.MembersGetParams{OrganizationID: acme, MemberID: aliceID}},
		{name: "a member is found by email", params: &client.MembersGetParams{OrganizationID: acme, EmailAddress: alice}},
		{name: "a member of another organization is not found", params: &client.MembersGetParams{OrganizationID: e.org(t, "secure"), MemberID: aliceID}, errType: "member_not_found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := e.c.Organizations.GetMember(ctx, tt.params)
			if tt.errType != "" {
				mustReject(t, err, tt.errType)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if resp.MemberID != aliceID || resp.Member.EmailAddress != alice || resp.Organization.OrganizationID != acme {
				t.Fatalf("response: %+v", resp)
			}
		})
	}
	t.Run("params without an organization are refused before any call", func(t *testing.T) {
		before := e.srv.Calls("GET", "/v1/b2b/organizations/"+acme+"/member")
		if _, err := e.c.Organizations.GetMember(ctx, &client.MembersGetParams{MemberID: aliceID}); err == nil {
			t.Fatal("no error")
		}
		if _, err := e.c.Organizations.GetMember(ctx, nil); err == nil {
			t.Fatal("no error for nil params")
		}
		if after := e.srv.Calls("GET", "/v1/b2b/organizations/"+acme+"/member"); after != before {
			t.Fatalf("%d calls made", after-before)
		}
	})
}
