package emulator

import "net/http"

// handleMemberGet finds a member of an organization by member_id or
// email_address (GET /v1/b2b/organizations/{organization_id}/member, the
// path of the official SDK's members get).
func (s *Server) handleMemberGet(r *http.Request) (response, error) {
	q := r.URL.Query()
	memberID, email := q.Get("member_id"), q.Get("email_address")
	s.mu.Lock()
	defer s.mu.Unlock()
	o, err := s.lookupOrg(r.PathValue("organization_id"))
	if err != nil {
		return nil, err
	}
	var m *member
	switch {
	case memberID != "":
		if _, m, err = s.lookupMember(o.id, memberID); err != nil {
			return nil, err
		}
	case email != "":
		if m = s.memberByEmail(o.id, email); m == nil {
			return nil, notFound(errMemberNotFound, "no member with email "+email+" in organization "+o.id)
		}
	default:
		return nil, badRequest("member_id or email_address is required").withDetail("field", "member_id")
	}
	return &memberResponse{MemberID: m.id, Member: renderMember(m), Organization: renderOrganization(o)}, nil
}
