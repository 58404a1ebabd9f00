package emulator

import (
	"strings"
	"time"
)

// primaryAuth is a primary factor just passed in one organization, with what
// the call may combine it with: an IST (its factors are kept) or a session of
// the same member (which gains the factor).
type primaryAuth struct {
	org                      *organization
	member                   *member
	factor                   factor
	ist                      string
	sessionToken, sessionJWT string
	opts                     sessionOptions
}

// primaryResponse answers the organization calls of a primary method (email
// OTP, password): a session, or an IST with what is still required.
type primaryResponse struct {
	*sessionResponse
	OrganizationID string `json:"organization_id"`
}

// finishPrimaryLocked ends a primary authentication: it adds the factor to
// the caller's session of the same member, or goes through loginLocked (a
// session, or the IST with mfa_required or primary_required), as every other
// primary method does. A session of another member is ignored, as Stytch does.
func (s *Server) finishPrimaryLocked(now time.Time, a primaryAuth) (response, error) {
	m := a.member
	if a.sessionToken != "" || a.sessionJWT != "" {
		ss, err := s.sessionFromCredentials(now, a.sessionToken, a.sessionJWT)
		if err != nil {
			return nil, err
		}
		if ss.memberID == m.id {
			ss.factors = addFactor(ss.factors, a.factor)
			touchLocked(now, ss, a.opts.SessionDurationMinutes, a.opts.SessionCustomClaims)
			res, err := s.sessionResponseLocked(now, ss)
			if err != nil {
				return nil, err
			}
			return &primaryResponse{sessionResponse: res, OrganizationID: a.org.id}, nil
		}
	}
	l := login{email: m.email, primary: []factor{a.factor}, org: a.org, member: m,
		minutes: a.opts.SessionDurationMinutes, claims: a.opts.SessionCustomClaims}
	if a.ist != "" {
		ist, err := s.liveISTLocked(now, a.ist)
		if err != nil {
			return nil, err
		}
		if !strings.EqualFold(ist.email, m.email) || (ist.orgID != "" && (ist.orgID != a.org.id || ist.memberID != m.id)) {
			return nil, invalid(errISTForOrganization, "the intermediate session token belongs to another member or organization")
		}
		l.ist, l.primary = ist, addFactor(ist.factors, a.factor)
	}
	res, err := s.loginLocked(now, l)
	if err != nil {
		return nil, err
	}
	return &primaryResponse{sessionResponse: res, OrganizationID: a.org.id}, nil
}
