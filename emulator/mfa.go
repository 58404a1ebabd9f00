package emulator

import (
	"strings"
	"time"
)

// mfaTarget is the member an MFA call is about and what it completes: an
// intermediate session (which becomes a session) or a live session (which
// gains a factor). Both are nil for calls that only send or enroll.
type mfaTarget struct {
	org     *organization
	member  *member
	ist     *intermediateSession
	session *session
}

type mfaCredentials struct {
	OrganizationID           string `json:"organization_id"`
	MemberID                 string `json:"member_id"`
	IntermediateSessionToken string `json:"intermediate_session_token"`
	SessionToken             string `json:"session_token"`
	SessionJWT               string `json:"session_jwt"`
}

// mfaTargetLocked resolves the member and the IST or session of an MFA call.
// An IST must belong to the member: bound to it by an exchange, or from a
// discovery of the member's email.
func (s *Server) mfaTargetLocked(now time.Time, c mfaCredentials) (*mfaTarget, error) {
	o, m, err := s.lookupMember(c.OrganizationID, c.MemberID)
	if err != nil {
		return nil, err
	}
	t := &mfaTarget{org: o, member: m}
	hasSession := c.SessionToken != "" || c.SessionJWT != ""
	switch {
	case c.IntermediateSessionToken != "" && hasSession:
		return nil, badRequest("give intermediate_session_token or a session, not both")
	case c.IntermediateSessionToken != "":
		ist, err := s.liveISTLocked(now, c.IntermediateSessionToken)
		if err != nil {
			return nil, err
		}
		bound := ist.orgID != ""
		if (bound && (ist.orgID != o.id || ist.memberID != m.id)) || !strings.EqualFold(ist.email, m.email) {
			return nil, invalid(errISTForOrganization, "the intermediate session token does not belong to this member of this organization")
		}
		if primaryRequired(o, ist.factors) != nil {
			return nil, invalid(errInsufficientFactors, "the organization requires another primary authentication method first")
		}
		t.ist = ist
	case hasSession:
		ss, err := s.sessionFromCredentials(now, c.SessionToken, c.SessionJWT)
		if err != nil {
			return nil, err
		}
		if ss.memberID != m.id {
			return nil, badRequest("the session belongs to another member")
		}
		t.session = ss
	}
	return t, nil
}

// requireCompletion refuses an authenticate call that has nothing to complete.
func (t *mfaTarget) requireCompletion() error {
	if t.ist == nil && t.session == nil {
		return badRequest("intermediate_session_token, session_token or session_jwt is required")
	}
	return nil
}

// mfaOutcome is the rest of an MFA authenticate request.
type mfaOutcome struct {
	SessionDurationMinutes int            `json:"session_duration_minutes"`
	SessionCustomClaims    map[string]any `json:"session_custom_claims"`
	SetMFAEnrollment       string         `json:"set_mfa_enrollment"`
	SetDefaultMFA          bool           `json:"set_default_mfa"`
}

func (o mfaOutcome) validate() error {
	if o.SetMFAEnrollment != "" && o.SetMFAEnrollment != "enroll" && o.SetMFAEnrollment != "unenroll" {
		return badRequest(`set_mfa_enrollment must be "enroll" or "unenroll"`).withDetail("field", "set_mfa_enrollment")
	}
	if err := sessionMinutes(o.SessionDurationMinutes); err != nil {
		return err
	}
	return checkCustomClaims(o.SessionCustomClaims)
}

// finishMFALocked records a passed factor: it consumes the IST and starts a
// session, or adds the factor to the live session.
func (s *Server) finishMFALocked(now time.Time, t *mfaTarget, f factor, out mfaOutcome, method string) (*mfaResponse, error) {
	m := t.member
	switch out.SetMFAEnrollment {
	case "enroll":
		m.mfaEnrolled = true
	case "unenroll":
		m.mfaEnrolled = false
	}
	if out.SetDefaultMFA {
		m.defaultMFAMethod = method
	}
	m.updated = now
	var ss *session
	if t.ist != nil {
		t.ist.consumed = true
		ss = s.newSessionLocked(now, m, addFactor(t.ist.factors, f), out.SessionDurationMinutes, out.SessionCustomClaims)
	} else {
		ss = t.session
		ss.factors = addFactor(ss.factors, f)
		touchLocked(now, ss, out.SessionDurationMinutes, out.SessionCustomClaims)
	}
	parts, err := s.renderSessionLocked(now, ss)
	if err != nil {
		return nil, err
	}
	return &mfaResponse{
		MemberID:      m.id,
		Member:        parts.member,
		Organization:  parts.org,
		SessionToken:  parts.token,
		SessionJWT:    parts.jwt,
		MemberSession: &parts.session,
	}, nil
}
