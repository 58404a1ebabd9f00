package client

import (
	"context"
	"errors"
	"net/url"
)

// MembersService reads the members of an organization. Get it from [Client.Members].
type MembersService struct {
	c *Client
}

// MembersGetParams names a member by ID or by email address.
type MembersGetParams struct {
	// OrganizationID identifies the organization (required).
	OrganizationID string `json:"organization_id,omitempty"`
	// MemberID identifies the member.
	MemberID string `json:"member_id,omitempty"`
	// EmailAddress identifies the member when MemberID is empty.
	EmailAddress string `json:"email_address,omitempty"`
}

// MembersGetResponse is one member and its organization.
type MembersGetResponse struct {
	// RequestID identifies the call at Stytch.
	RequestID string `json:"request_id,omitempty"`
	// MemberID identifies the member.
	MemberID string `json:"member_id,omitempty"`
	// Member is the member.
	Member Member `json:"member,omitempty"`
	// Organization is the organization.
	Organization Organization `json:"organization,omitempty"`
	// StatusCode is the HTTP status.
	StatusCode int `json:"status_code,omitempty"`
}

// Get returns one member (GET /v1/b2b/organizations/{organization_id}/member).
// It is retried like every GET while Stytch is unavailable.
func (s *MembersService) Get(ctx context.Context, p *MembersGetParams) (*MembersGetResponse, error) {
	if p == nil || p.OrganizationID == "" {
		return nil, errors.New("b2bauth: members get: organization id required")
	}
	q := url.Values{}
	if p.MemberID != "" {
		q.Set("member_id", p.MemberID)
	}
	if p.EmailAddress != "" {
		q.Set("email_address", p.EmailAddress)
	}
	return get[MembersGetResponse](ctx, s.c, "/v1/b2b/organizations/"+url.PathEscape(p.OrganizationID)+"/member", q, false)
}
