package emulator

import (
	"bytes"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"image/png"
	"net/http"
	"time"

	"github.com/boombuler/barcode"
	"github.com/boombuler/barcode/qr"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// totpPeriod is the RFC 6238 time step; codes of the neighbouring steps are
// accepted too, for clock drift.
const totpPeriod = 30

func totpOpts() totp.ValidateOpts {
	return totp.ValidateOpts{Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}
}

// TOTPCode returns the member's current TOTP code by the server's clock, as
// an authenticator app would show it.
func (s *Server) TOTPCode(memberID string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.members[memberID]
	if m == nil || m.totp == nil {
		return "", fmt.Errorf("b2bauth: emulator: member %q has no TOTP registration", memberID)
	}
	code, err := totp.GenerateCodeCustom(m.totp.secret, s.cfg.clock(), totpOpts())
	if err != nil {
		return "", fmt.Errorf("b2bauth: emulator: TOTP code: %w", err)
	}
	return code, nil
}

// checkTOTP passes a code of the current step or a neighbouring one, once:
// a code of a step already used is refused, so a seen code cannot be replayed.
func checkTOTP(reg *totpRegistration, code string, now time.Time) error {
	if len(code) != 6 {
		return unauthenticated(errInvalidTOTPCode, "the TOTP code must have 6 digits")
	}
	current := now.Unix() / totpPeriod
	for step := current - 1; step <= current+1; step++ {
		want, err := totp.GenerateCodeCustom(reg.secret, time.Unix(step*totpPeriod, 0), totpOpts())
		if err != nil {
			return err
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) != 1 {
			continue
		}
		if step <= reg.lastStep {
			return unauthenticated(errTOTPCodeAlreadyUsed, "this TOTP code was already used; wait for the next one")
		}
		reg.lastStep = step
		return nil
	}
	return unauthenticated(errInvalidTOTPCode, "the TOTP code is wrong")
}

type totpCreateParams struct {
	mfaCredentials
	ExpirationMinutes int `json:"expiration_minutes"`
}

type totpCreateResponse struct {
	envelope
	MemberID           string           `json:"member_id"`
	TOTPRegistrationID string           `json:"totp_registration_id"`
	Secret             string           `json:"secret"`
	QrCode             string           `json:"qr_code"`
	RecoveryCodes      []string         `json:"recovery_codes"`
	Member             wireMember       `json:"member"`
	Organization       wireOrganization `json:"organization"`
}

// handleTOTPCreate starts a TOTP registration; it becomes the member's
// (totp_registration_id on the member) once a code from it is authenticated.
func (s *Server) handleTOTPCreate(r *http.Request) (response, error) {
	var p totpCreateParams
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
	if err := t.allow(mfaTOTP); err != nil {
		return nil, err
	}
	m := t.member
	if m.totpID() != "" {
		return nil, invalid(errActiveTOTPExists, "the member already has an active TOTP registration")
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: t.org.name, AccountName: m.email, Period: totpPeriod})
	if err != nil {
		return nil, err
	}
	qr, err := qrDataURL(key)
	if err != nil {
		return nil, err
	}
	reg, err := newTOTPRegistration(key.Secret(), nil, now)
	if err != nil {
		return nil, err
	}
	m.totp, m.updated = reg, now
	return &totpCreateResponse{
		MemberID:           m.id,
		TOTPRegistrationID: reg.id,
		Secret:             reg.secret,
		QrCode:             qr,
		RecoveryCodes:      reg.unusedCodes(),
		Member:             renderMember(m),
		Organization:       renderOrganization(t.org),
	}, nil
}

// qrDataURL renders the otpauth:// URL as a PNG data URL of at least 200
// by 200 pixels. The URL carries the organization's name twice and the
// member's address, neither of them bounded: a URL too long for medium error
// correction is drawn with low, and one too long for any QR code gets none
// (""), leaving the secret to be typed in, rather than failing a
// registration for its labels.
func qrDataURL(key *otp.Key) (string, error) {
	var code barcode.Barcode
	var err error
	for _, level := range []qr.ErrorCorrectionLevel{qr.M, qr.L} {
		if code, err = qr.Encode(key.String(), level, qr.Auto); err == nil {
			break
		}
	}
	if err != nil {
		return "", nil
	}
	// Whole pixels per module, and never below the 200 pixels asked of
	// short URLs.
	side := max(200, code.Bounds().Dx())
	img, err := barcode.Scale(code, side, side)
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return "", err
	}
	return "data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes()), nil
}

func (s *Server) handleTOTPAuthenticate(r *http.Request) (response, error) {
	return s.authenticateCode(r, mfaTOTP, func(now time.Time, t *mfaTarget, code string) (factor, error) {
		reg := t.member.totp
		if reg == nil {
			return factor{}, notFound(errTOTPNotFound, "the member has no TOTP registration")
		}
		if err := checkTOTP(reg, code, now); err != nil {
			return factor{}, err
		}
		reg.verified = true
		return factor{typ: "totp", method: "authenticator_app", at: now, created: now, totpID: reg.id}, nil
	})
}

type totpMigrateParams struct {
	OrganizationID string   `json:"organization_id"`
	MemberID       string   `json:"member_id"`
	Secret         string   `json:"secret"`
	RecoveryCodes  []string `json:"recovery_codes"`
}

type totpMigrateResponse struct {
	envelope
	MemberID           string           `json:"member_id"`
	Member             wireMember       `json:"member"`
	Organization       wireOrganization `json:"organization"`
	TOTPRegistrationID string           `json:"totp_registration_id"`
	RecoveryCodes      []string         `json:"recovery_codes"`
}

// handleTOTPMigrate imports a TOTP secret from another system as an active
// registration.
func (s *Server) handleTOTPMigrate(r *http.Request) (response, error) {
	var p totpMigrateParams
	if err := decode(r, &p); err != nil {
		return nil, err
	}
	if p.Secret == "" {
		return nil, missingField("secret")
	}
	for _, c := range p.RecoveryCodes {
		if !validRecoveryCode(c) {
			return nil, invalid(errInvalidRecoveryCode, "recovery codes look like xxxx-xxxx-xxxx").withDetail("field", "recovery_codes")
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	o, m, err := s.lookupMember(p.OrganizationID, p.MemberID)
	if err != nil {
		return nil, err
	}
	if m.totpID() != "" {
		return nil, invalid(errActiveTOTPExists, "the member already has an active TOTP registration")
	}
	now := s.cfg.clock()
	reg, err := newTOTPRegistration(p.Secret, p.RecoveryCodes, now)
	if err != nil {
		return nil, badRequest("%v", err).withDetail("field", "secret")
	}
	reg.verified = true
	m.totp, m.updated = reg, now
	return &totpMigrateResponse{
		MemberID:           m.id,
		Member:             renderMember(m),
		Organization:       renderOrganization(o),
		TOTPRegistrationID: reg.id,
		RecoveryCodes:      reg.unusedCodes(),
	}, nil
}
