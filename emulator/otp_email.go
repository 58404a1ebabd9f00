package emulator

import (
	"net/http"
	"strings"
	"time"
)

// Email one-time codes follow Stytch's documented limits: 6 digits, valid 10
// minutes by default (2 to 15 when the call says), only the latest code sent
// to an address (per organization, or for discovery) works, a code works
// once, and maxOTPAttempts wrong tries kill it.
const (
	defaultEmailOTPMinutes = 10
	minEmailOTPMinutes     = 2
	maxEmailOTPMinutes     = 15
)

// emailOTPKey names the live code of an address: orgID is "" for discovery.
func emailOTPKey(orgID, email string) string {
	return orgID + "\x00" + strings.ToLower(email)
}

// sendEmailOTPLocked issues a new code for an address; the previous one
// stops working.
func (s *Server) sendEmailOTPLocked(now time.Time, orgID, email, subject string, lifetime time.Duration) {
	if s.emailOTPs == nil {
		s.emailOTPs = map[string]*sentCode{}
	}
	otp := newSentCode(now, lifetime)
	s.emailOTPs[emailOTPKey(orgID, email)] = &otp
	s.sendLocked(Message{
		Kind:    KindEmail,
		To:      strings.ToLower(email),
		Subject: subject,
		Body:    "Your code is " + otp.code,
		Code:    otp.code,
		SentAt:  now,
	})
}

// checkEmailOTPLocked passes or fails a code: a wrong code counts an attempt
// and the code dies at maxOTPAttempts; a passed code is used up.
func (s *Server) checkEmailOTPLocked(now time.Time, orgID, email, code string) error {
	_, err := checkSentCode(s.emailOTPs, emailOTPKey(orgID, email), code, now,
		"no valid one-time code for this email: never sent, expired, replaced, used or killed by wrong tries")
	return err
}

func emailOTPFactor(now time.Time, email, emailID string) factor {
	return factor{typ: "otp", method: "email", at: now, created: now, email: strings.ToLower(email), emailID: emailID}
}

type emailOTPDiscoverySendParams struct {
	EmailAddress               string `json:"email_address"`
	LoginTemplateID            string `json:"login_template_id"`
	Locale                     string `json:"locale"`
	DiscoveryExpirationMinutes int    `json:"discovery_expiration_minutes"`
}

func (s *Server) handleEmailOTPDiscoverySend(r *http.Request) (response, error) {
	var p emailOTPDiscoverySendParams
	if err := decode(r, &p); err != nil {
		return nil, err
	}
	if err := checkEmail(p.EmailAddress); err != nil {
		return nil, err
	}
	lifetime, err := minutesBetween("discovery_expiration_minutes", p.DiscoveryExpirationMinutes, defaultEmailOTPMinutes, minEmailOTPMinutes, maxEmailOTPMinutes)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sendEmailOTPLocked(s.cfg.clock(), "", p.EmailAddress, "Your login code", lifetime)
	return &emptyResponse{}, nil
}

type emailOTPDiscoveryAuthenticateParams struct {
	EmailAddress string `json:"email_address"`
	Code         string `json:"code"`
}

// handleEmailOTPDiscoveryAuthenticate passes a discovery code and starts an
// IST, answering as magic link discovery does.
func (s *Server) handleEmailOTPDiscoveryAuthenticate(r *http.Request) (response, error) {
	var p emailOTPDiscoveryAuthenticateParams
	if err := decode(r, &p); err != nil {
		return nil, err
	}
	if err := requireFields(field{"email_address", p.EmailAddress}, field{"code", p.Code}); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.cfg.clock()
	if err := s.checkEmailOTPLocked(now, "", p.EmailAddress, p.Code); err != nil {
		return nil, err
	}
	email := strings.ToLower(p.EmailAddress)
	return s.discoverLocked(now, email, emailOTPFactor(now, email, s.emailIDLocked(email))), nil
}

type emailOTPLoginOrSignupParams struct {
	OrganizationID          string `json:"organization_id"`
	EmailAddress            string `json:"email_address"`
	LoginTemplateID         string `json:"login_template_id"`
	SignupTemplateID        string `json:"signup_template_id"`
	Locale                  string `json:"locale"`
	LoginExpirationMinutes  int    `json:"login_expiration_minutes"`
	SignupExpirationMinutes int    `json:"signup_expiration_minutes"`
}

// handleEmailOTPLoginOrSignup sends a code to a member of one organization:
// a login code to an active member, a signup code to a pending or invited
// one, or to a new pending member when the email's domain may join.
func (s *Server) handleEmailOTPLoginOrSignup(r *http.Request) (response, error) {
	var p emailOTPLoginOrSignupParams
	if err := decode(r, &p); err != nil {
		return nil, err
	}
	if err := checkEmail(p.EmailAddress); err != nil {
		return nil, err
	}
	loginLife, err := minutesBetween("login_expiration_minutes", p.LoginExpirationMinutes, defaultEmailOTPMinutes, minEmailOTPMinutes, maxEmailOTPMinutes)
	if err != nil {
		return nil, err
	}
	signupLife, err := minutesBetween("signup_expiration_minutes", p.SignupExpirationMinutes, defaultEmailOTPMinutes, minEmailOTPMinutes, maxEmailOTPMinutes)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.cfg.clock()
	o, err := s.lookupOrg(p.OrganizationID)
	if err != nil {
		return nil, err
	}
	m, created, err := s.findOrProvisionLocked(o, p.EmailAddress, func() (*member, error) { return s.joinByDomainLocked(o, p.EmailAddress, memberPending) })
	if err != nil {
		return nil, err
	}
	if m.status == memberActive {
		s.sendEmailOTPLocked(now, o.id, m.email, "Your login code", loginLife)
	} else {
		s.sendEmailOTPLocked(now, o.id, m.email, "Your signup code", signupLife)
	}
	return &loginOrSignupResponse{MemberID: m.id, MemberCreated: created, Member: renderMember(m), Organization: renderOrganization(o)}, nil
}

type emailOTPAuthenticateParams struct {
	sessionTarget
	OrganizationID string `json:"organization_id"`
	EmailAddress   string `json:"email_address"`
	Code           string `json:"code"`
	Locale         string `json:"locale"`
}

// handleEmailOTPAuthenticate passes an organization code: a session, or the
// IST with mfa_required (or primary_required) as every primary method.
func (s *Server) handleEmailOTPAuthenticate(r *http.Request) (response, error) {
	var p emailOTPAuthenticateParams
	if err := decode(r, &p); err != nil {
		return nil, err
	}
	if err := requireFields(field{"email_address", p.EmailAddress}, field{"code", p.Code}); err != nil {
		return nil, err
	}
	return s.authenticateInOrg(p.OrganizationID, p.sessionTarget, func(now time.Time, o *organization) (*member, factor, error) {
		m, err := s.memberWithEmailLocked(o, p.EmailAddress)
		if err != nil {
			return nil, factor{}, err
		}
		if err := s.checkEmailOTPLocked(now, o.id, m.email, p.Code); err != nil {
			return nil, factor{}, err
		}
		return m, emailOTPFactor(now, m.email, m.emailID), nil
	})
}

// LastEmailCode returns the last one-time code emailed to an address, or "".
func (s *Server) LastEmailCode(email string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := len(s.outbox) - 1; i >= 0; i-- {
		if m := s.outbox[i]; m.Kind == KindEmail && strings.EqualFold(m.To, email) && m.Code != "" {
			return m.Code
		}
	}
	return ""
}
