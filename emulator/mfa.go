package emulator

import (
	"net/http"
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

// allow refuses an MFA method the member's organization does not accept.
func (t *mfaTarget) allow(method string) error {
	if t.org.allowsMFA(method) {
		return nil
	}
	name := "SMS OTP"
	if method == mfaTOTP {
		name = "TOTP"
	}
	return invalid(errMFAMethodNotAllowed, "the organization does not allow "+name)
}

// mfaOutcome is the rest of an MFA authenticate request.
type mfaOutcome struct {
	sessionOptions
	SetMFAEnrollment string `json:"set_mfa_enrollment"`
	SetDefaultMFA    bool   `json:"set_default_mfa"`
}

func (o mfaOutcome) validate() error {
	if o.SetMFAEnrollment != "" && o.SetMFAEnrollment != "enroll" && o.SetMFAEnrollment != "unenroll" {
		return badRequest(`set_mfa_enrollment must be "enroll" or "unenroll"`).withDetail("field", "set_mfa_enrollment")
	}
	return o.sessionOptions.check()
}

// codeAuthenticateParams is the request of the SMS OTP and TOTP
// authenticate calls.
type codeAuthenticateParams struct {
	mfaCredentials
	mfaOutcome
	Code string `json:"code"`
}

// authenticateCode answers the SMS OTP and TOTP authenticate calls: it
// resolves the member and what the call completes, checks that the
// organization accepts method, and finishes MFA with the factor pass
// returns. pass runs with s.mu held.
func (s *Server) authenticateCode(r *http.Request, method string, pass func(now time.Time, t *mfaTarget, code string) (factor, error)) (response, error) {
	var p codeAuthenticateParams
	if err := decode(r, &p); err != nil {
		return nil, err
	}
	if p.Code == "" {
		return nil, missingField("code")
	}
	if err := p.mfaOutcome.validate(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.cfg.clock()
	t, err := s.mfaTargetLocked(now, p.mfaCredentials)
	if err != nil {
		return nil, err
	}
	if err := t.requireCompletion(); err != nil {
		return nil, err
	}
	if err := t.allow(method); err != nil {
		return nil, err
	}
	f, err := pass(now, t, p.Code)
	if err != nil {
		return nil, err
	}
	return s.finishMFALocked(now, t, f, p.mfaOutcome, method)
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
