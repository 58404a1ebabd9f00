package client

import (
	"context"
	"net/http"
	"net/url"
)

// OrganizationsService reads organizations and their members. Get it from
// [Client.Organizations].
type OrganizationsService struct {
	c *Client
}

// OrganizationsGetParams names an organization.
type OrganizationsGetParams struct {
	// OrganizationID is the organization's ID (Stytch also accepts its slug).
	OrganizationID string `json:"organization_id,omitempty"`
}

// OrganizationResponse carries one organization.
type OrganizationResponse struct {
	// RequestID identifies the call at Stytch.
	RequestID string `json:"request_id,omitempty"`
	// Organization is the organization, with its authentication policy.
	Organization Organization `json:"organization,omitempty"`
	// StatusCode is the HTTP status.
	StatusCode int `json:"status_code,omitempty"`
}

// Get reads an organization (GET /v1/b2b/organizations/{organization_id}).
func (s *OrganizationsService) Get(ctx context.Context, p *OrganizationsGetParams) (*OrganizationResponse, error) {
	if err := requireField("organization_id", p == nil || p.OrganizationID == ""); err != nil {
		return nil, err
	}
	return get[OrganizationResponse](ctx, s.c, "/v1/b2b/organizations/"+url.PathEscape(p.OrganizationID), nil, false)
}

// Search query operators (SearchQuery.Operator).
const (
	// SearchOperatorAND matches records matching every operand.
	SearchOperatorAND = "AND"
	// SearchOperatorOR matches records matching any operand.
	SearchOperatorOR = "OR"
)

// SearchQuery filters a search: operands are {"filter_name": ...,
// "filter_value": ...} objects, e.g. [SlugsFilter].
type SearchQuery struct {
	// Operator is [SearchOperatorAND] or [SearchOperatorOR].
	Operator string `json:"operator,omitempty"`
	// Operands are the filters.
	Operands []map[string]any `json:"operands,omitempty"`
}

// SlugsFilter is the search operand matching organizations by slug.
func SlugsFilter(slugs ...string) map[string]any {
	return map[string]any{"filter_name": "organization_slugs", "filter_value": slugs}
}

// ResultsMetadata pages a search.
type ResultsMetadata struct {
	// Total counts every match.
	Total int `json:"total,omitempty"`
	// NextCursor fetches the next page; empty on the last one.
	NextCursor string `json:"next_cursor,omitempty"`
}

// OrganizationsSearchParams searches organizations.
type OrganizationsSearchParams struct {
	// Cursor continues a previous search.
	Cursor string `json:"cursor,omitempty"`
	// Limit bounds the page (Stytch's default 100, at most 1000).
	Limit uint32 `json:"limit,omitempty"`
	// Query filters the organizations; nil matches all.
	Query *SearchQuery `json:"query,omitempty"`
}

// OrganizationsSearchResponse is one page of organizations.
type OrganizationsSearchResponse struct {
	// RequestID identifies the call at Stytch.
	RequestID string `json:"request_id,omitempty"`
	// Organizations are the matches of this page.
	Organizations []Organization `json:"organizations,omitempty"`
	// ResultsMetadata pages the search.
	ResultsMetadata ResultsMetadata `json:"results_metadata,omitempty"`
	// StatusCode is the HTTP status.
	StatusCode int `json:"status_code,omitempty"`
}

// Search searches organizations (POST /v1/b2b/organizations/search).
func (s *OrganizationsService) Search(ctx context.Context, p *OrganizationsSearchParams) (*OrganizationsSearchResponse, error) {
	return send[OrganizationsSearchResponse](ctx, s.c, http.MethodPost, "/v1/b2b/organizations/search", p)
}

// MembersGetParams names a member by ID or email address (exactly one).
type MembersGetParams struct {
	// OrganizationID is the member's organization.
	OrganizationID string `json:"organization_id,omitempty"`
	// MemberID identifies the member.
	MemberID string `json:"member_id,omitempty"`
	// EmailAddress is the member's email address.
	EmailAddress string `json:"email_address,omitempty"`
}

// MemberResponse carries one member and its organization.
type MemberResponse struct {
	// RequestID identifies the call at Stytch.
	RequestID string `json:"request_id,omitempty"`
	// MemberID identifies the member.
	MemberID string `json:"member_id,omitempty"`
	// Member is the member.
	Member Member `json:"member,omitempty"`
	// Organization is the member's organization.
	Organization Organization `json:"organization,omitempty"`
	// StatusCode is the HTTP status.
	StatusCode int `json:"status_code,omitempty"`
}

// GetMember reads a member
// (GET /v1/b2b/organizations/{organization_id}/member?member_id=&email_address=).
func (s *OrganizationsService) GetMember(ctx context.Context, p *MembersGetParams) (*MemberResponse, error) {
	if err := requireField("organization_id", p == nil || p.OrganizationID == ""); err != nil {
		return nil, err
	}
	q := url.Values{}
	if p.MemberID != "" {
		q.Set("member_id", p.MemberID)
	}
	if p.EmailAddress != "" {
		q.Set("email_address", p.EmailAddress)
	}
	return get[MemberResponse](ctx, s.c, "/v1/b2b/organizations/"+url.PathEscape(p.OrganizationID)+"/member", q, false)
}

// MembersSearchParams searches the members of some organizations.
type MembersSearchParams struct {
	// OrganizationIDs are the organizations searched (required).
	OrganizationIDs []string `json:"organization_ids,omitempty"`
	// Cursor continues a previous search.
	Cursor string `json:"cursor,omitempty"`
	// Limit bounds the page (Stytch's default 100, at most 1000).
	Limit uint32 `json:"limit,omitempty"`
	// Query filters the members, e.g. by "member_emails"; nil matches all.
	Query *SearchQuery `json:"query,omitempty"`
}

// MembersSearchResponse is one page of members.
type MembersSearchResponse struct {
	// RequestID identifies the call at Stytch.
	RequestID string `json:"request_id,omitempty"`
	// Members are the matches of this page.
	Members []Member `json:"members,omitempty"`
	// ResultsMetadata pages the search.
	ResultsMetadata ResultsMetadata `json:"results_metadata,omitempty"`
	// Organizations maps the organization IDs of the members to the organizations.
	Organizations map[string]Organization `json:"organizations,omitempty"`
	// StatusCode is the HTTP status.
	StatusCode int `json:"status_code,omitempty"`
}

// SearchMembers searches members (POST /v1/b2b/organizations/members/search).
func (s *OrganizationsService) SearchMembers(ctx context.Context, p *MembersSearchParams) (*MembersSearchResponse, error) {
	return send[MembersSearchResponse](ctx, s.c, http.MethodPost, "/v1/b2b/organizations/members/search", p)
}
