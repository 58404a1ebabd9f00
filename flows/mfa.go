package flows

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/b2bauth/b2bauth/client"
)

// smsCodeLifetime is how long Stytch accepts an SMS code.
const smsCodeLifetime = 2 * time.Minute

// getMFA shows the MFA choices of the flow.
func (h *Handler) getMFA(w http.ResponseWriter, r *http.Request) {
	st, err := h.loadFlow(r, stepMFA)
	if err != nil {
		h.fail(w, r, st, err)
		return
	}
	if wantsJSON(r) {
		h.writeJSON(w, http.StatusOK, mfaBodyOf(st))
		return
	}
	p := &Page{ReturnTo: st.ReturnTo}
	fillMFA(st, p)
	h.render(w, r, http.StatusOK, "mfa.html", p)
}

func fillMFA(st *flowState, p *Page) {
	p.Step = st.Step.next()
	p.Methods = st.Methods
	p.SMSSent = !st.SMSSentAt.IsZero()
	p.PhoneHint = st.PhoneHint
	p.NeedsPhone = !st.HasPhone
	p.TOTPEnrolled = st.TOTPEnrolled || st.TOTPPending
}

func mfaBodyOf(st *flowState) mfaBody {
	methods := st.Methods
	if methods == nil {
		methods = []string{}
	}
	return mfaBody{
		Next:         st.Step.next(),
		Methods:      methods,
		SMSSent:      !st.SMSSentAt.IsZero(),
		PhoneHint:    st.PhoneHint,
		NeedsPhone:   !st.HasPhone,
		TOTPEnrolled: st.TOTPEnrolled || st.TOTPPending,
	}
}

// postMFASMSSend sends (or resends, after the cooldown) an SMS code. A
// member without an MFA phone number enrolls one with phone_number.
func (h *Handler) postMFASMSSend(w http.ResponseWriter, r *http.Request) {
	st, err := h.loadFlow(r, stepMFA)
	if err != nil {
		h.fail(w, r, st, err)
		return
	}
	h.sendSMS(w, r, st, func(ctx context.Context, phone string) error {
		_, err := h.client.OTPs.SMSSend(ctx, &client.OTPsSMSSendParams{
			OrganizationID:           st.OrganizationID,
			MemberID:                 st.MemberID,
			MFAPhoneNumber:           phone,
			IntermediateSessionToken: st.IST,
		})
		return err
	})
}

// sendSMS is the send step shared by MFA and step-up.
func (h *Handler) sendSMS(w http.ResponseWriter, r *http.Request, st *flowState, send func(ctx context.Context, phone string) error) {
	if !st.allows(methodSMS) {
		h.fail(w, r, st, ErrMethodNotAllowed)
		return
	}
	now := h.cfg.now()
	if wait := st.SMSSentAt.Add(h.cfg.smsCooldown).Sub(now); !st.SMSSentAt.IsZero() && wait > 0 {
		h.fail(w, r, st, ErrSMSCooldown.withMessage(
			"A code was sent moments ago. Wait %d seconds before asking for another.", int((wait+time.Second-1)/time.Second)))
		return
	}
	in, err := input(w, r)
	if err != nil {
		h.fail(w, r, st, err)
		return
	}
	var phone string
	if !st.HasPhone {
		if phone, err = parsePhone(in.Get("phone_number")); err != nil {
			h.fail(w, r, st, err)
			return
		}
	}
	if err := send(r.Context(), phone); err != nil {
		h.fail(w, r, st, fromStytch(err))
		return
	}
	st.SMSSentAt = now
	if phone != "" {
		st.HasPhone, st.PhoneHint = true, phoneHint(phone)
	}
	if err := h.saveFlow(w, st); err != nil {
		h.fail(w, r, nil, err)
		return
	}
	if wantsJSON(r) {
		h.writeJSON(w, http.StatusOK, mfaBodyOf(st))
		return
	}
	noStore(w)
	http.Redirect(w, r, h.stepURL(st.Step, st.ReturnTo), http.StatusSeeOther)
}

// postMFASMSVerify completes MFA with an SMS code.
func (h *Handler) postMFASMSVerify(w http.ResponseWriter, r *http.Request) {
	st, err := h.loadFlow(r, stepMFA)
	if err != nil {
		h.fail(w, r, st, err)
		return
	}
	h.verifySMS(w, r, st, func(ctx context.Context, code string) (*session, error) {
		res, err := h.client.OTPs.SMSAuthenticate(ctx, &client.OTPsSMSAuthenticateParams{
			OrganizationID:           st.OrganizationID,
			MemberID:                 st.MemberID,
			Code:                     code,
			IntermediateSessionToken: st.IST,
			SessionDurationMinutes:   h.cfg.sessionDuration,
		})
		if err != nil {
			return nil, err
		}
		return &session{res.SessionToken, res.SessionJWT, res.MemberSession}, nil
	})
}

// verifySMS is the SMS check shared by MFA and step-up.
func (h *Handler) verifySMS(w http.ResponseWriter, r *http.Request, st *flowState, auth func(context.Context, string) (*session, error)) {
	if !st.allows(methodSMS) {
		h.fail(w, r, st, ErrMethodNotAllowed)
		return
	}
	if st.SMSSentAt.IsZero() {
		h.fail(w, r, st, ErrInvalidInput.withMessage("Ask for a code by text message first."))
		return
	}
	h.verifyCode(w, r, st, func(ctx context.Context, code string) (*session, error) {
		s, err := auth(ctx, code)
		if err != nil && errors.Is(fromStytch(err), ErrInvalidCode) && h.cfg.now().Sub(st.SMSSentAt) > smsCodeLifetime {
			return nil, ErrCodeExpired.with(err)
		}
		return s, err
	})
}

// postMFATOTPEnroll creates an authenticator app registration for a member
// without one and shows its QR code, secret and recovery codes, once.
func (h *Handler) postMFATOTPEnroll(w http.ResponseWriter, r *http.Request) {
	st, err := h.loadFlow(r, stepMFA)
	if err != nil {
		h.fail(w, r, st, err)
		return
	}
	if !st.allows(methodTOTP) {
		h.fail(w, r, st, ErrMethodNotAllowed)
		return
	}
	if st.TOTPEnrolled {
		h.fail(w, r, st, ErrMethodNotAllowed.withMessage(
			"An authenticator app is already set up for your account. Enter its code."))
		return
	}
	res, err := h.client.TOTPs.Create(r.Context(), &client.TOTPsCreateParams{
		OrganizationID:           st.OrganizationID,
		MemberID:                 st.MemberID,
		IntermediateSessionToken: st.IST,
	})
	if err != nil {
		h.fail(w, r, st, fromStytch(err))
		return
	}
	// Only the fact that a registration waits for its first code is kept:
	// the secret and the recovery codes live in this answer alone.
	st.TOTPPending = true
	if err := h.saveFlow(w, st); err != nil {
		h.fail(w, r, nil, err)
		return
	}
	codes := res.RecoveryCodes
	if codes == nil {
		codes = []string{}
	}
	if wantsJSON(r) {
		h.writeJSON(w, http.StatusOK, totpEnrollBody{
			Next: "totp_enroll", Secret: res.Secret, QRCode: string(qrCodeURL(res.QrCode)), RecoveryCodes: codes,
		})
		return
	}
	h.render(w, r, http.StatusOK, "totp_enroll.html", &Page{
		Step: "totp_enroll", ReturnTo: st.ReturnTo, Methods: st.Methods,
		TOTP: &TOTPEnrollment{QRCode: qrCodeURL(res.QrCode), Secret: res.Secret, RecoveryCodes: codes},
	})
}

// postMFATOTPVerify completes MFA with a code of the authenticator app.
func (h *Handler) postMFATOTPVerify(w http.ResponseWriter, r *http.Request) {
	st, err := h.loadFlow(r, stepMFA)
	if err != nil {
		h.fail(w, r, st, err)
		return
	}
	if !st.allows(methodTOTP) {
		h.fail(w, r, st, ErrMethodNotAllowed)
		return
	}
	h.verifyCode(w, r, st, func(ctx context.Context, code string) (*session, error) {
		res, err := h.client.TOTPs.Authenticate(ctx, &client.TOTPsAuthenticateParams{
			OrganizationID:           st.OrganizationID,
			MemberID:                 st.MemberID,
			Code:                     code,
			IntermediateSessionToken: st.IST,
			SessionDurationMinutes:   h.cfg.sessionDuration,
		})
		if err != nil {
			return nil, err
		}
		return &session{res.SessionToken, res.SessionJWT, res.MemberSession}, nil
	})
}

// postMFARecovery completes MFA with a recovery code.
func (h *Handler) postMFARecovery(w http.ResponseWriter, r *http.Request) {
	st, err := h.loadFlow(r, stepMFA)
	if err != nil {
		h.fail(w, r, st, err)
		return
	}
	if !st.allows(methodRecovery) {
		h.fail(w, r, st, ErrMethodNotAllowed)
		return
	}
	h.verifyCode(w, r, st, func(ctx context.Context, code string) (*session, error) {
		res, err := h.client.RecoveryCodes.Recover(ctx, &client.RecoveryCodesRecoverParams{
			OrganizationID:           st.OrganizationID,
			MemberID:                 st.MemberID,
			RecoveryCode:             code,
			IntermediateSessionToken: st.IST,
			SessionDurationMinutes:   h.cfg.sessionDuration,
		})
		if err != nil {
			return nil, err
		}
		return &session{res.SessionToken, res.SessionJWT, res.MemberSession}, nil
	})
}

// session is what a successful factor check returns.
type session struct {
	token  string
	jwt    string
	member *client.MemberSession
}

// verifyCode reads the code field, enforces the attempt limit, runs auth
// and finishes the flow on success. Wrong codes are counted in the flow and
// per member on the server (see attemptGuard); after maxAttempts the flow
// and the member wait lockoutPeriod.
func (h *Handler) verifyCode(w http.ResponseWriter, r *http.Request, st *flowState, auth func(context.Context, string) (*session, error)) {
	now := h.cfg.now()
	key := memberKey(st)
	if now.Before(st.LockedUntil) {
		h.fail(w, r, st, tooManyAttempts(st.LockedUntil.Sub(now)))
		return
	}
	if !st.LockedUntil.IsZero() {
		st.Attempts, st.LockedUntil = 0, time.Time{}
	}
	in, err := input(w, r)
	if err != nil {
		h.fail(w, r, st, err)
		return
	}
	code := strings.Join(strings.Fields(in.Get("code")), "")
	if code == "" || len(code) > 64 {
		h.fail(w, r, st, ErrInvalidInput.withMessage("Enter the code."))
		return
	}
	if until := h.guard.reserve(key, now); !until.IsZero() {
		h.fail(w, r, st, tooManyAttempts(until.Sub(now)))
		return
	}
	s, err := auth(r.Context(), code)
	if err == nil {
		h.guard.succeeded(key)
		h.finish(w, r, st, s.token, s.jwt, s.member)
		return
	}
	e := fromStytch(err)
	var ours *Error
	if errors.As(err, &ours) {
		e = ours
	}
	if !errors.Is(e, ErrInvalidCode) && !errors.Is(e, ErrCodeExpired) {
		h.guard.release(key)
		h.fail(w, r, st, e)
		return
	}
	st.Attempts++
	if locked := h.guard.failed(key, now); locked || st.Attempts >= maxAttempts {
		st.LockedUntil = now.Add(lockoutPeriod)
		e = tooManyAttempts(lockoutPeriod).with(err)
	}
	if err := h.saveFlow(w, st); err != nil {
		h.fail(w, r, nil, err)
		return
	}
	h.fail(w, r, st, e)
}

func tooManyAttempts(wait time.Duration) *Error {
	minutes := int((wait + time.Minute - 1) / time.Minute)
	unit := "minutes"
	if minutes == 1 {
		unit = "minute"
	}
	return ErrTooManyAttempts.withMessage("Too many attempts. Wait %d %s and try again.", minutes, unit)
}

// parsePhone accepts an E.164 number ("+15551234567"), ignoring spaces,
// dashes, dots and parentheses.
func parsePhone(s string) (string, error) {
	var b strings.Builder
	for i, r := range strings.TrimSpace(s) {
		switch {
		case r == '+' && i == 0, r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '.' || r == '(' || r == ')':
		default:
			return "", errInvalidPhone
		}
	}
	p := b.String()
	if len(p) < 8 || len(p) > 16 || p[0] != '+' || p[1] == '0' {
		return "", errInvalidPhone
	}
	return p, nil
}

var errInvalidPhone = ErrInvalidInput.withMessage(
	"Enter the mobile phone number in international format, e.g. +15551234567.")
