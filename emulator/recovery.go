package emulator

import (
	"crypto/subtle"
	"net/http"
	"strings"
)

// validRecoveryCode checks the xxxx-xxxx-xxxx shape of recovery codes.
func validRecoveryCode(code string) bool {
	parts := strings.Split(strings.ToLower(code), "-")
	if len(parts) != 3 {
		return false
	}
	for _, p := range parts {
		if len(p) != 4 {
			return false
		}
		for _, r := range p {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
				return false
			}
		}
	}
	return true
}

type recoverParams struct {
	mfaCredentials
	mfaOutcome
	RecoveryCode string `json:"recovery_code"`
}

type recoverResponse struct {
	mfaResponse
	RecoveryCodesRemaining int `json:"recovery_codes_remaining"`
}

// handleRecover passes MFA with a recovery code; each code works once.
func (s *Server) handleRecover(r *http.Request) (response, error) {
	var p recoverParams
	if err := decode(r, &p); err != nil {
		return nil, err
	}
	if p.RecoveryCode == "" {
		return nil, missingField("recovery_code")
	}
	if !validRecoveryCode(p.RecoveryCode) {
		return nil, invalid(errInvalidRecoveryCode, "recovery codes look like xxxx-xxxx-xxxx").withDetail("field", "recovery_code")
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
	reg := t.member.totp
	if reg == nil || !reg.verified {
		return nil, unauthenticated(errUnableToAuthRecoveryCode, "the member has no recovery codes")
	}
	code := strings.ToLower(p.RecoveryCode)
	used := -1
	for i, c := range reg.recovery {
		if !c.used && subtle.ConstantTimeCompare([]byte(c.code), []byte(code)) == 1 {
			used = i
		}
	}
	if used < 0 {
		return nil, unauthenticated(errUnableToAuthRecoveryCode, "the recovery code is wrong or was already used")
	}
	reg.recovery[used].used = true
	f := factor{typ: "recovery_codes", method: "recovery_code", at: now, created: now, recoveryID: reg.recovery[used].id}
	res, err := s.finishMFALocked(now, t, f, p.mfaOutcome, "")
	if err != nil {
		return nil, err
	}
	return &recoverResponse{mfaResponse: *res, RecoveryCodesRemaining: len(reg.unusedCodes())}, nil
}

type recoveryCodesResponse struct {
	envelope
	MemberID      string           `json:"member_id"`
	Member        wireMember       `json:"member"`
	Organization  wireOrganization `json:"organization"`
	RecoveryCodes []string         `json:"recovery_codes"`
}

// recoveryCodesLocked finds the member's active registration for get and rotate.
func (s *Server) recoveryCodesLocked(orgID, memberID string) (*organization, *member, error) {
	o, m, err := s.lookupMember(orgID, memberID)
	if err != nil {
		return nil, nil, err
	}
	if m.totpID() == "" {
		return nil, nil, notFound(errRecoveryCodesNotFound, "the member has no active TOTP registration, so no recovery codes")
	}
	return o, m, nil
}

func (s *Server) handleRecoveryCodesGet(r *http.Request) (response, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, m, err := s.recoveryCodesLocked(r.PathValue("organization_id"), r.PathValue("member_id"))
	if err != nil {
		return nil, err
	}
	return &recoveryCodesResponse{MemberID: m.id, Member: renderMember(m), Organization: renderOrganization(o), RecoveryCodes: m.totp.unusedCodes()}, nil
}

type rotateParams struct {
	OrganizationID string `json:"organization_id"`
	MemberID       string `json:"member_id"`
}

// handleRecoveryCodesRotate replaces every recovery code with ten new ones.
func (s *Server) handleRecoveryCodesRotate(r *http.Request) (response, error) {
	var p rotateParams
	if err := decode(r, &p); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	o, m, err := s.recoveryCodesLocked(p.OrganizationID, p.MemberID)
	if err != nil {
		return nil, err
	}
	fresh, err := newTOTPRegistration(m.totp.secret, nil, m.totp.created)
	if err != nil {
		return nil, err
	}
	m.totp.recovery = fresh.recovery
	m.updated = s.cfg.clock()
	return &recoveryCodesResponse{MemberID: m.id, Member: renderMember(m), Organization: renderOrganization(o), RecoveryCodes: m.totp.unusedCodes()}, nil
}
