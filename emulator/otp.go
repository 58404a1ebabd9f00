package emulator

import (
	"crypto/subtle"
	"net/http"
	"time"
)

const (
	otpLifetime    = 2 * time.Minute
	maxOTPAttempts = 5
)

type smsSendParams struct {
	mfaCredentials
	MFAPhoneNumber string `json:"mfa_phone_number"`
}

// handleSMSSend sends a one-time code to the member's MFA phone, setting the
// phone (unverified until a code is passed) when the member has no verified one.
func (s *Server) handleSMSSend(r *http.Request) (response, error) {
	var p smsSendParams
	if err := decode(r, &p); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.cfg.clock()
	t, err := s.mfaTargetLocked(now, p.mfaCredentials)
	if err != nil {
		return nil, err
	}
	if err := t.allow(mfaSMS); err != nil {
		return nil, err
	}
	m := t.member
	phone := m.phone
	switch {
	case m.phoneVerified && p.MFAPhoneNumber != "" && p.MFAPhoneNumber != m.phone:
		return nil, badRequest("the member already has a verified mfa_phone_number")
	case !m.phoneVerified && p.MFAPhoneNumber != "":
		phone = p.MFAPhoneNumber
	}
	if phone == "" {
		return nil, missingField("mfa_phone_number")
	}
	if !validPhone(phone) {
		return nil, invalid(errInvalidPhoneNumber, "mfa_phone_number must be in E.164 form, e.g. +15555550123").withDetail("field", "mfa_phone_number")
	}
	if phone != m.phone {
		m.phone, m.phoneID, m.updated = phone, newID("phone-number"), now
	}
	s.sendSMSLocked(now, m, phone)
	return &memberResponse{MemberID: m.id, Member: renderMember(m), Organization: renderOrganization(t.org)}, nil
}

// sendSMSLocked issues a new code for the member; the previous one stops
// working.
func (s *Server) sendSMSLocked(now time.Time, m *member, phone string) {
	otp := &otpCode{sentCode: newSentCode(now, otpLifetime), phone: phone}
	s.otps[m.id] = otp
	s.sendLocked(Message{
		Kind:   KindSMS,
		To:     phone,
		Body:   "Your verification code is " + otp.code,
		Code:   otp.code,
		SentAt: now,
	})
}

func (s *Server) handleSMSAuthenticate(r *http.Request) (response, error) {
	return s.authenticateCode(r, mfaSMS, func(now time.Time, t *mfaTarget, code string) (factor, error) {
		otp, err := s.checkOTPLocked(now, t.member, code)
		if err != nil {
			return factor{}, err
		}
		m := t.member
		m.phone, m.phoneVerified = otp.phone, true
		return factor{typ: "otp", method: "sms", at: now, created: now, phone: m.phone, phoneID: m.phoneID}, nil
	})
}

// checkOTPLocked passes or fails a code. A code lives 2 minutes and dies
// after maxOTPAttempts wrong tries, so it cannot be guessed.
func (s *Server) checkOTPLocked(now time.Time, m *member, code string) (*otpCode, error) {
	return checkSentCode(s.otps, m.id, code, now, "no valid one-time code for this member: never sent, expired, replaced or used")
}

// sentCode is what every one-time code shares, sent by SMS or email: it
// lives until expires and dies after maxOTPAttempts wrong tries.
type sentCode struct {
	code     string
	expires  time.Time
	attempts int
}

func (c *sentCode) sent() *sentCode { return c }

// newSentCode draws a new code that lives for lifetime from now.
func newSentCode(now time.Time, lifetime time.Duration) sentCode {
	return sentCode{code: newOTPCode(), expires: now.Add(lifetime)}
}

// checkSentCode passes or fails code against the live code of key in codes:
// a wrong code counts an attempt and the code dies at maxOTPAttempts; a
// passed code is used up. missing is the message when no code is live.
func checkSentCode[T interface{ sent() *sentCode }](codes map[string]T, key, code string, now time.Time, missing string) (T, error) {
	var zero T
	t, ok := codes[key]
	if !ok || !now.Before(t.sent().expires) {
		delete(codes, key)
		return zero, notFound(errOTPCodeNotFound, missing)
	}
	if c := t.sent(); subtle.ConstantTimeCompare([]byte(code), []byte(c.code)) != 1 {
		c.attempts++
		if c.attempts >= maxOTPAttempts {
			delete(codes, key)
		}
		return zero, unauthenticated(errUnableToAuthOTP, "the one-time code is wrong")
	}
	delete(codes, key)
	return t, nil
}
