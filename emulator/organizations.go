package emulator

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Values of the organization policy settings.
const (
	policyAllAllowed = "ALL_ALLOWED"
	policyRestricted = "RESTRICTED"
	policyNotAllowed = "NOT_ALLOWED"
)

// Error types of organization policy refusals and of the organization and
// member reads.
const (
	errAuthMethodRestricted       = "operation_restricted_by_organization_auth_methods"
	errEmailJITNotAllowed         = "email_jit_provisioning_not_allowed"
	errEmailNotAllowedForJIT      = "invalid_email_for_jit_provisioning"
	errEmailNotAllowedForInvites  = "invalid_email_for_invites"
	errConnectionNotAllowedForJIT = "invalid_connection_for_jit_provisioning"
	errDuplicateMemberEmail       = "duplicate_member_email"
	errInvalidMemberGetFields     = "invalid_member_get_fields"
	errOrgSearchFilterUnknown     = "organization_search_filter_name_not_recognized"
	errMemberSearchFilterUnknown  = "member_search_filter_name_not_recognized"
	errMemberSearchNoOrganization = "member_search_organization_ids_empty"
)

// LoginPolicy is the part of an organization's authentication policy beyond
// MFA and allowed_auth_methods. Connection references (SSODefaultConnectionID,
// SSOJITProvisioningAllowedConnections) name a connection of SSOConnections by
// id or display name.
type LoginPolicy struct {
	// AuthMethods is "ALL_ALLOWED" or "RESTRICTED"; default RESTRICTED exactly
	// when AllowedAuthMethods is not empty, which RESTRICTED requires.
	AuthMethods string `json:"auth_methods,omitempty"`
	// EmailJITProvisioning is "RESTRICTED" (members of EmailAllowedDomains may
	// join by email) or "NOT_ALLOWED"; default RESTRICTED exactly when
	// EmailAllowedDomains is not empty.
	EmailJITProvisioning string `json:"email_jit_provisioning,omitempty"`
	// EmailInvites is "ALL_ALLOWED" (default), "RESTRICTED" (only addresses
	// of EmailAllowedDomains) or "NOT_ALLOWED".
	EmailInvites string `json:"email_invites,omitempty"`
	// SSOJITProvisioning is "ALL_ALLOWED" (default: any active connection
	// provisions new members), "RESTRICTED" (only the connections of
	// SSOJITProvisioningAllowedConnections) or "NOT_ALLOWED".
	SSOJITProvisioning                   string   `json:"sso_jit_provisioning,omitempty"`
	SSOJITProvisioningAllowedConnections []string `json:"sso_jit_provisioning_allowed_connections,omitempty"`
	// SSODefaultConnectionID is the connection SSO start uses when given only
	// the organization; default the first active connection.
	SSODefaultConnectionID string `json:"sso_default_connection_id,omitempty"`
	// SSOConnections are the organization's SAML and OIDC connections.
	SSOConnections []SSOConnectionSeed `json:"sso_connections,omitempty"`
}

// applyLoginPolicy validates p and sets it on o, which is not stored yet;
// s.mu must be held.
func (s *Server) applyLoginPolicy(o *organization, p LoginPolicy, now time.Time) error {
	switch p.AuthMethods {
	case "":
	case policyAllAllowed:
		if len(o.allowedAuthMethods) > 0 {
			return fmt.Errorf("auth_methods %s with allowed_auth_methods %v", p.AuthMethods, o.allowedAuthMethods)
		}
	case policyRestricted:
		if len(o.allowedAuthMethods) == 0 {
			return fmt.Errorf("auth_methods RESTRICTED needs allowed_auth_methods")
		}
	default:
		return fmt.Errorf("invalid auth_methods %q", p.AuthMethods)
	}
	switch p.EmailJITProvisioning {
	case "":
	case policyRestricted:
		if len(o.emailAllowedDomains) == 0 {
			return fmt.Errorf("email_jit_provisioning RESTRICTED needs email_allowed_domains")
		}
		o.emailJIT = policyRestricted
	case policyNotAllowed:
		o.emailJIT = policyNotAllowed
	default:
		return fmt.Errorf("invalid email_jit_provisioning %q", p.EmailJITProvisioning)
	}
	o.emailInvites = policyAllAllowed
	if p.EmailInvites != "" {
		if !slices.Contains([]string{policyAllAllowed, policyRestricted, policyNotAllowed}, p.EmailInvites) {
			return fmt.Errorf("invalid email_invites %q", p.EmailInvites)
		}
		o.emailInvites = p.EmailInvites
	}
	for _, c := range p.SSOConnections {
		if _, err := s.newSSOConnectionLocked(o, c, now); err != nil {
			return err
		}
	}
	o.ssoJIT = policyAllAllowed
	if p.SSOJITProvisioning != "" {
		if !slices.Contains([]string{policyAllAllowed, policyRestricted, policyNotAllowed}, p.SSOJITProvisioning) {
			return fmt.Errorf("invalid sso_jit_provisioning %q", p.SSOJITProvisioning)
		}
		o.ssoJIT = p.SSOJITProvisioning
	}
	for _, ref := range p.SSOJITProvisioningAllowedConnections {
		c := o.connection(ref)
		if c == nil {
			return fmt.Errorf("sso_jit_provisioning_allowed_connections: unknown connection %q", ref)
		}
		o.ssoJITConnections = append(o.ssoJITConnections, c.id)
	}
	if p.SSODefaultConnectionID != "" {
		c := o.connection(p.SSODefaultConnectionID)
		if c == nil {
			return fmt.Errorf("sso_default_connection_id: unknown connection %q", p.SSODefaultConnectionID)
		}
		o.ssoDefault = c.id
	}
	return nil
}

// allowsAuth reports whether the organization accepts a primary method
// ("sso", "magic_link", "google_oauth", ...); an empty allowed_auth_methods
// list means every method.
func (o *organization) allowsAuth(method string) bool {
	return len(o.allowedAuthMethods) == 0 || slices.Contains(o.allowedAuthMethods, method)
}

// requireAuthMethod refuses a primary method the organization does not allow.
func requireAuthMethod(o *organization, method string) error {
	if o.allowsAuth(method) {
		return nil
	}
	return forbidden(errAuthMethodRestricted, "the organization's allowed_auth_methods do not include "+method).
		withDetail("allowed_auth_methods", slices.Clone(o.allowedAuthMethods))
}

// provisionByEmailLocked creates a member for an email the organization lets
// join by email domain (email JIT provisioning), with the given status.
func (s *Server) provisionByEmailLocked(o *organization, email, status string) (*member, error) {
	if o.emailJIT != policyRestricted {
		return nil, forbidden(errEmailJITNotAllowed, "the organization does not provision members by email (email_jit_provisioning is "+o.emailJIT+")")
	}
	if _, ok := o.eligibleDomain(email); !ok {
		return nil, forbidden(errEmailNotAllowedForJIT, "the email's domain is not one of the organization's email_allowed_domains")
	}
	return s.newMember(MemberSeed{Organization: o.id, Email: email, Status: status})
}

// lookupOrgOrSlug finds an organization by id or, as Stytch allows, by slug;
// s.mu must be held.
func (s *Server) lookupOrgOrSlug(ref string) (*organization, error) {
	if o := s.orgBySlug(strings.ToLower(ref)); ref != "" && o != nil {
		return o, nil
	}
	return s.lookupOrg(ref)
}

type organizationResponse struct {
	envelope
	Organization wireOrganization `json:"organization"`
}

// handleOrganizationGet answers GET /v1/b2b/organizations/{organization_id}.
func (s *Server) handleOrganizationGet(r *http.Request) (response, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, err := s.lookupOrgOrSlug(r.PathValue("organization_id"))
	if err != nil {
		return nil, err
	}
	return &organizationResponse{Organization: renderOrganization(o)}, nil
}

// searchQuery is the query of the organization and member searches.
type searchQuery struct {
	Operator string           `json:"operator"`
	Operands []map[string]any `json:"operands"`
}

// searchParams are the paging fields and query of a search.
type searchParams struct {
	Cursor string       `json:"cursor"`
	Limit  int          `json:"limit"`
	Query  *searchQuery `json:"query"`
}

type resultsMetadata struct {
	Total      int    `json:"total"`
	NextCursor string `json:"next_cursor"`
}

const (
	defaultSearchLimit = 100
	maxSearchLimit     = 1000
)

// filter is one operand of a search query: does a record match?
type filter[T any] func(T) bool

// compile turns the query into one predicate, refusing unknown filter names
// with unknownType. byName builds a predicate from a filter's value.
func compile[T any](q *searchQuery, unknownType string, byName func(name string, value any) (filter[T], error)) (filter[T], error) {
	if q == nil || len(q.Operands) == 0 {
		return func(T) bool { return true }, nil
	}
	and := true
	switch strings.ToUpper(q.Operator) {
	case "AND", "":
	case "OR":
		and = false
	default:
		return nil, badRequest(`query.operator must be "AND" or "OR"`).withDetail("field", "query.operator")
	}
	var fs []filter[T]
	for _, op := range q.Operands {
		name, _ := op["filter_name"].(string)
		if name == "" {
			return nil, badRequest("every query operand needs a filter_name")
		}
		f, err := byName(name, op["filter_value"])
		if err != nil {
			return nil, err
		}
		if f == nil {
			return nil, invalid(unknownType, "filter_name "+name+" is not recognized by the emulator")
		}
		fs = append(fs, f)
	}
	return func(v T) bool {
		for _, f := range fs {
			if f(v) != and {
				return !and
			}
		}
		return and
	}, nil
}

// stringsValue reads a filter value that must be a list of strings.
func stringsValue(name string, v any) ([]string, error) {
	list, ok := v.([]any)
	if !ok || len(list) == 0 {
		return nil, badRequest("filter %s needs a non-empty list of strings", name)
	}
	out := make([]string, 0, len(list))
	for _, e := range list {
		str, ok := e.(string)
		if !ok {
			return nil, badRequest("filter %s needs a list of strings", name)
		}
		out = append(out, str)
	}
	return out, nil
}

// stringValue reads a filter value that must be a non-empty string.
func stringValue(name string, v any) (string, error) {
	str, ok := v.(string)
	if !ok || str == "" {
		return "", badRequest("filter %s needs a non-empty string", name)
	}
	return str, nil
}

func containsFold(list []string, v string) bool {
	return slices.ContainsFunc(list, func(e string) bool { return strings.EqualFold(e, v) })
}

// page applies a search's cursor and limit to n results: the range to
// return and the cursor of the next page ("" on the last one).
func (p searchParams) page(n int) (from, to int, next string, err error) {
	limit := p.Limit
	if limit == 0 {
		limit = defaultSearchLimit
	}
	if limit < 0 || limit > maxSearchLimit {
		return 0, 0, "", badRequest("limit must be between 1 and %d", maxSearchLimit).withDetail("field", "limit")
	}
	if p.Cursor != "" {
		v, ok := strings.CutPrefix(p.Cursor, "cursor-")
		from, err = strconv.Atoi(v)
		if !ok || err != nil || from < 0 {
			return 0, 0, "", badRequest("cursor is not a cursor of this search").withDetail("field", "cursor")
		}
	}
	from = min(from, n)
	to = min(from+limit, n)
	if to < n {
		next = "cursor-" + strconv.Itoa(to)
	}
	return from, to, next, nil
}

type organizationSearchResponse struct {
	envelope
	Organizations   []wireOrganization `json:"organizations"`
	ResultsMetadata resultsMetadata    `json:"results_metadata"`
}

// handleOrganizationSearch answers POST /v1/b2b/organizations/search. The
// filters emulated are organization_ids, organization_slugs,
// organization_slug_fuzzy, organization_name_fuzzy, allowed_domains and
// member_emails.
func (s *Server) handleOrganizationSearch(r *http.Request) (response, error) {
	var p searchParams
	if err := decode(r, &p); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	match, err := compile(p.Query, errOrgSearchFilterUnknown, func(name string, v any) (filter[*organization], error) {
		switch name {
		case "organization_ids", "organization_slugs", "allowed_domains", "member_emails":
			list, err := stringsValue(name, v)
			if err != nil {
				return nil, err
			}
			return func(o *organization) bool {
				switch name {
				case "organization_ids":
					return slices.Contains(list, o.id)
				case "organization_slugs":
					return containsFold(list, o.slug)
				case "allowed_domains":
					return slices.ContainsFunc(o.emailAllowedDomains, func(d string) bool { return containsFold(list, d) })
				}
				return slices.ContainsFunc(list, func(e string) bool { return s.memberByEmail(o.id, e) != nil })
			}, nil
		case "organization_slug_fuzzy", "organization_name_fuzzy":
			str, err := stringValue(name, v)
			if err != nil {
				return nil, err
			}
			str = strings.ToLower(str)
			return func(o *organization) bool {
				if name == "organization_slug_fuzzy" {
					return strings.Contains(o.slug, str)
				}
				return strings.Contains(strings.ToLower(o.name), str)
			}, nil
		}
		return nil, nil
	})
	if err != nil {
		return nil, err
	}
	var found []*organization
	for _, id := range s.orgOrder {
		if o := s.orgs[id]; match(o) {
			found = append(found, o)
		}
	}
	from, to, next, err := p.page(len(found))
	if err != nil {
		return nil, err
	}
	res := &organizationSearchResponse{Organizations: []wireOrganization{}, ResultsMetadata: resultsMetadata{Total: len(found), NextCursor: next}}
	for _, o := range found[from:to] {
		res.Organizations = append(res.Organizations, renderOrganization(o))
	}
	return res, nil
}

// handleMemberGet answers GET /v1/b2b/organizations/{organization_id}/member
// ?member_id=|email_address=.
func (s *Server) handleMemberGet(r *http.Request) (response, error) {
	q := r.URL.Query()
	s.mu.Lock()
	defer s.mu.Unlock()
	o, err := s.lookupOrgOrSlug(r.PathValue("organization_id"))
	if err != nil {
		return nil, err
	}
	id, email := q.Get("member_id"), q.Get("email_address")
	var m *member
	switch {
	case id != "" && email != "", id == "" && email == "":
		return nil, invalid(errInvalidMemberGetFields, "give exactly one of member_id and email_address")
	case id != "":
		if m = s.members[id]; m != nil && m.orgID != o.id {
			m = nil
		}
	default:
		m = s.memberByEmail(o.id, email)
	}
	if m == nil {
		return nil, notFound(errMemberNotFound, "member not found in organization "+o.id)
	}
	return &memberResponse{MemberID: m.id, Member: renderMember(m), Organization: renderOrganization(o)}, nil
}

type memberSearchParams struct {
	searchParams
	OrganizationIDs []string `json:"organization_ids"`
}

type memberSearchResponse struct {
	envelope
	Members         []wireMember                `json:"members"`
	ResultsMetadata resultsMetadata             `json:"results_metadata"`
	Organizations   map[string]wireOrganization `json:"organizations"`
}

// handleMemberSearch answers POST /v1/b2b/organizations/members/search. The
// filters emulated are member_ids, member_emails, member_email_fuzzy and
// statuses.
func (s *Server) handleMemberSearch(r *http.Request) (response, error) {
	var p memberSearchParams
	if err := decode(r, &p); err != nil {
		return nil, err
	}
	if len(p.OrganizationIDs) == 0 {
		return nil, invalid(errMemberSearchNoOrganization, "organization_ids must name at least one organization")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	orgs := map[string]*organization{}
	for _, ref := range p.OrganizationIDs {
		o, err := s.lookupOrgOrSlug(ref)
		if err != nil {
			return nil, err
		}
		orgs[o.id] = o
	}
	match, err := compile(p.Query, errMemberSearchFilterUnknown, func(name string, v any) (filter[*member], error) {
		switch name {
		case "member_ids", "member_emails", "statuses":
			list, err := stringsValue(name, v)
			if err != nil {
				return nil, err
			}
			return func(m *member) bool {
				switch name {
				case "member_ids":
					return slices.Contains(list, m.id)
				case "member_emails":
					return containsFold(list, m.email)
				}
				return slices.Contains(list, m.status)
			}, nil
		case "member_email_fuzzy":
			str, err := stringValue(name, v)
			if err != nil {
				return nil, err
			}
			return func(m *member) bool { return strings.Contains(m.email, strings.ToLower(str)) }, nil
		}
		return nil, nil
	})
	if err != nil {
		return nil, err
	}
	var found []*member
	for _, m := range s.members {
		if orgs[m.orgID] != nil && match(m) {
			found = append(found, m)
		}
	}
	slices.SortFunc(found, func(a, b *member) int {
		if c := a.created.Compare(b.created); c != 0 {
			return c
		}
		return strings.Compare(a.id, b.id)
	})
	from, to, next, err := p.page(len(found))
	if err != nil {
		return nil, err
	}
	res := &memberSearchResponse{Members: []wireMember{}, Organizations: map[string]wireOrganization{},
		ResultsMetadata: resultsMetadata{Total: len(found), NextCursor: next}}
	for _, m := range found[from:to] {
		res.Members = append(res.Members, renderMember(m))
		res.Organizations[m.orgID] = renderOrganization(orgs[m.orgID])
	}
	return res, nil
}
