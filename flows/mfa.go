package flows

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
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
	h.showFactors(w, r, st, "mfa.html")
}

// showFactors answers with the second-factor choices of an MFA or step-up
// flow: the page for browsers, mfaBody for JSON clients.
func (h *Handler) showFactors(w http.ResponseWriter, r *http.Request, st *flowState, page string) {
	if wantsJSON(r) {
		h.writeJSON(w, http.StatusOK, h.mfaBodyOf(st))
		return
	}
	if n := h.peekNotice(r); n != nil && n.Page == "totp_enroll.html" && st.TOTP != nil {
		// A wrong first code of a new authenticator app (see
		// Handler.failureTarget): its setup stays on the page.
		h.showTOTPEnrollment(w, r, st, http.StatusOK, nil, "")
		return
	}
	p := &Page{ReturnTo: st.ReturnTo}
	h.fillMFA(st, p)
	h.render(w, r, http.StatusOK, page, p)
}

// toFactors saves an MFA or step-up flow and leads to its choices: JSON
// clients get them (mfaBody), browsers a redirect to the step's page.
func (h *Handler) toFactors(w http.ResponseWriter, r *http.Request, st *flowState) {
	if err := h.saveFlow(w, st); err != nil {
		h.fail(w, r, st, err)
		return
	}
	if wantsJSON(r) {
		h.writeJSON(w, http.StatusOK, h.mfaBodyOf(st))
		return
	}
	noStore(w)
	http.Redirect(w, r, h.stepURL(st.Step, st.ReturnTo), http.StatusSeeOther)
}

// fillMFA fills the page of an MFA or step-up flow's choices.
func (h *Handler) fillMFA(st *flowState, p *Page) {
	p.Step = st.Step.next()
	p.Methods = st.Methods
	p.SMSSent = !st.SMSSentAt.IsZero()
	p.PhoneHint = st.PhoneHint
	p.NeedsPhone = !st.HasPhone
	p.TOTPEnrolled = st.TOTPEnrolled || st.TOTPPending
	p.TOTPPending = st.TOTP != nil
	if st.Step == stepStepUp {
		p.StepUp, p.BackURL = true, h.backPath(st.ReturnTo)
	}
}

func (h *Handler) mfaBodyOf(st *flowState) mfaBody {
	methods := st.Methods
	if methods == nil {
		methods = []string{}
	}
	b := mfaBody{
		Next:         st.Step.next(),
		Methods:      methods,
		SMSSent:      !st.SMSSentAt.IsZero(),
		PhoneHint:    st.PhoneHint,
		NeedsPhone:   !st.HasPhone,
		TOTPEnrolled: st.TOTPEnrolled || st.TOTPPending,
	}
	if st.Step == stepStepUp {
		b.Back = h.backPath(st.ReturnTo)
	}
	return b
}

// proof is what a second-factor call at Stytch presents besides the code:
// the intermediate session during MFA, the session's JWT during step-up.
type proof struct {
	organizationID, memberID string
	ist                      string
	sessionJWT               string
	// sessionDuration is the lifetime of the session MFA creates; zero
	// during step-up, which keeps the session's own.
	sessionDuration int32
}

// factorFlow loads the flow of a second-factor request and the proof its
// calls present: [Handler.mfaState] or [Handler.stepUpState].
type factorFlow func(*http.Request) (*flowState, proof, error)

// mfaState returns the request's MFA flow.
func (h *Handler) mfaState(r *http.Request) (*flowState, proof, error) {
	st, err := h.loadFlow(r, stepMFA)
	if err != nil {
		return st, proof{}, err
	}
	return st, proof{
		organizationID: st.OrganizationID, memberID: st.MemberID,
		ist: st.IST, sessionDuration: h.cfg.sessionDuration,
	}, nil
}

// factor is the handler of a second-factor step, shared by MFA and step-up:
// it loads the flow with load and runs step if the flow offers method.
func (h *Handler) factor(load factorFlow, method string, step func(http.ResponseWriter, *http.Request, *flowState, proof)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		st, pr, err := load(r)
		if err != nil {
			h.fail(w, r, st, err)
			return
		}
		if h.endedFlow(w, r, st) {
			// Sent again after it finished (see finished.go): no code is
			// sent or checked.
			return
		}
		if !st.allows(method) {
			h.fail(w, r, st, ErrMethodNotAllowed)
			return
		}
		if !validID(st.OrganizationID) || !validID(st.MemberID) {
			// Stytch's ids key the guard: never anything else.
			h.fail(w, r, st, ErrLoginFailed.with(errors.New("the flow names no valid member")))
			return
		}
		step(w, r, st, pr)
	}
}

// sendSMS sends (or resends, after the cooldown, which is kept per member
// across flows) an SMS code to the member's MFA phone. A member without an
// MFA phone number enrolls one with phone_number, where the flow offers SMS
// to such a member (see offeredMethods and stepUpFlow).
func (h *Handler) sendSMS(w http.ResponseWriter, r *http.Request, st *flowState, pr proof) {
	now := h.cfg.now()
	if wait := st.SMSSentAt.Add(h.cfg.smsCooldown).Sub(now); !st.SMSSentAt.IsZero() && wait > 0 {
		h.fail(w, r, st, smsCooldown(now, wait))
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
	// The cooldown of the flow cookie is only a hint: a new flow starts
	// without it. The member's last text, kept on the server, decides.
	m := memberOf(st)
	wait, reservation, err := h.guard.reserveSMS(r.Context(), m, h.cfg.smsCooldown)
	if err != nil {
		h.fail(w, r, st, ErrUnavailable.with(err))
		return
	}
	if wait > 0 {
		if st.SMSSentAt.IsZero() {
			// A text went to the member moments ago, asked for by a
			// request whose answer this browser never got (a double
			// click cancels the first) or by another of its flows: its
			// code is good here too, so the page asks for it.
			st.SMSSentAt = now.Add(wait - h.cfg.smsCooldown)
			if phone != "" {
				st.HasPhone, st.PhoneHint = true, phoneHint(phone)
			}
			if err := h.saveFlow(w, st); err != nil {
				h.fail(w, r, st, err)
				return
			}
		}
		h.fail(w, r, st, smsCooldown(now, wait))
		return
	}
	if _, err := h.client.OTPs.SMSSend(r.Context(), &client.OTPsSMSSendParams{
		OrganizationID:           pr.organizationID,
		MemberID:                 pr.memberID,
		MFAPhoneNumber:           phone,
		IntermediateSessionToken: pr.ist,
		SessionJWT:               pr.sessionJWT,
	}); err != nil {
		// A request that went away may have been sent anyway: its
		// cooldown stays.
		if r.Context().Err() == nil {
			h.guardFailed(r, h.guard.unsentSMS(context.WithoutCancel(r.Context()), m, reservation))
		}
		h.fail(w, r, st, fromStytch(err))
		return
	}
	st.SMSSentAt = now
	if phone != "" {
		st.HasPhone, st.PhoneHint = true, phoneHint(phone)
	}
	h.toFactors(w, r, st)
}

// verifySMS completes MFA, or adds a fresh factor to the session, with an
// SMS code.
func (h *Handler) verifySMS(w http.ResponseWriter, r *http.Request, st *flowState, pr proof) {
	if st.SMSSentAt.IsZero() {
		h.fail(w, r, st, ErrInvalidInput.withMessage("Ask for a code by text message first."))
		return
	}
	h.verifyCode(w, r, st, func(ctx context.Context, code string) (*session, error) {
		res, err := h.client.OTPs.SMSAuthenticate(ctx, &client.OTPsSMSAuthenticateParams{
			OrganizationID:           pr.organizationID,
			MemberID:                 pr.memberID,
			Code:                     code,
			IntermediateSessionToken: pr.ist,
			SessionJWT:               pr.sessionJWT,
			SessionDurationMinutes:   pr.sessionDuration,
		})
		if err != nil {
			if errors.Is(fromStytch(err), ErrInvalidCode) && h.cfg.now().Sub(st.SMSSentAt) > smsCodeLifetime {
				return nil, ErrCodeExpired.with(err)
			}
			return nil, err
		}
		return &session{res.SessionToken, res.SessionJWT, res.MemberSession, &res.Member, &res.Organization}, nil
	})
}

// enrollTOTP creates an authenticator app registration for a member
// without one and shows its QR code, secret and recovery codes. Until a code
// of the app passes, a reload or a second submit shows the same
// registration again: a second create at Stytch would replace the secret
// and the recovery codes the member was told to keep.
func (h *Handler) enrollTOTP(w http.ResponseWriter, r *http.Request, st *flowState, pr proof) {
	if st.TOTPEnrolled {
		h.fail(w, r, st, errTOTPExists)
		return
	}
	if st.TOTP != nil {
		h.enrolled(w, r, st, "")
		return
	}
	res, err := h.client.TOTPs.Create(r.Context(), &client.TOTPsCreateParams{
		OrganizationID:           pr.organizationID,
		MemberID:                 pr.memberID,
		IntermediateSessionToken: pr.ist,
		SessionJWT:               pr.sessionJWT,
	})
	if err != nil {
		h.fail(w, r, st, fromStytch(err))
		return
	}
	st.TOTPPending, st.TOTP = true, pendingFrom(res)
	if err := h.saveFlow(w, st); err != nil {
		h.fail(w, r, st, err)
		return
	}
	h.enrolled(w, r, st, res.QrCode)
}

// enrolled answers a POST that created, or found, the flow's pending
// registration: JSON clients get it, browsers a 303 to its setup page (see
// getTOTPEnrollment).
func (h *Handler) enrolled(w http.ResponseWriter, r *http.Request, st *flowState, stytchQR string) {
	if wantsJSON(r) {
		h.showTOTPEnrollment(w, r, st, http.StatusOK, nil, stytchQR)
		return
	}
	h.seeStep(w, r, h.totpEnrollURL(st))
}

// totpEnrollURL is the setup page of the flow's pending registration.
func (h *Handler) totpEnrollURL(st *flowState) string {
	if st.Step == stepStepUp {
		return h.cfg.prefix + "/step-up/totp/enroll"
	}
	return h.cfg.prefix + "/mfa/totp/enroll"
}

// getTOTPEnrollment shows the setup page of the flow's pending
// registration, drawn again from the flow cookie: the same secret and
// recovery codes on every visit until its first code passes. A flow
// without one is sent to its choices.
func (h *Handler) getTOTPEnrollment(w http.ResponseWriter, r *http.Request, st *flowState, _ proof) {
	if st.TOTP == nil {
		h.redirect(w, r, st.Step.next(), h.stepURL(st.Step, st.ReturnTo))
		return
	}
	h.showTOTPEnrollment(w, r, st, http.StatusOK, nil, "")
}

// verifyTOTP completes MFA, or adds a fresh factor to the session, with a
// code of the authenticator app.
func (h *Handler) verifyTOTP(w http.ResponseWriter, r *http.Request, st *flowState, pr proof) {
	// A wrong first code keeps the new registration on the page.
	st.showEnroll = st.TOTP != nil
	h.verifyCode(w, r, st, func(ctx context.Context, code string) (*session, error) {
		res, err := h.client.TOTPs.Authenticate(ctx, &client.TOTPsAuthenticateParams{
			OrganizationID:           pr.organizationID,
			MemberID:                 pr.memberID,
			Code:                     code,
			IntermediateSessionToken: pr.ist,
			SessionJWT:               pr.sessionJWT,
			SessionDurationMinutes:   pr.sessionDuration,
		})
		if err != nil {
			return nil, err
		}
		return &session{res.SessionToken, res.SessionJWT, res.MemberSession, &res.Member, &res.Organization}, nil
	})
}

// verifyRecovery completes MFA with a recovery code.
func (h *Handler) verifyRecovery(w http.ResponseWriter, r *http.Request, st *flowState, pr proof) {
	h.verifyCode(w, r, st, func(ctx context.Context, code string) (*session, error) {
		res, err := h.client.RecoveryCodes.Recover(ctx, &client.RecoveryCodesRecoverParams{
			OrganizationID:           pr.organizationID,
			MemberID:                 pr.memberID,
			RecoveryCode:             code,
			IntermediateSessionToken: pr.ist,
			SessionJWT:               pr.sessionJWT,
			SessionDurationMinutes:   pr.sessionDuration,
		})
		if err != nil {
			return nil, err
		}
		return &session{res.SessionToken, res.SessionJWT, res.MemberSession, &res.Member, &res.Organization}, nil
	})
}

// session is what a successful factor check returns.
type session struct {
	token  string
	jwt    string
	member *client.MemberSession
	// who and org are the member and organization, for the after-login
	// hook.
	who *client.Member
	org *client.Organization
}

// verifyCode reads the code field, enforces the attempt limit, runs auth
// and finishes the flow on success. Wrong codes are counted in the flow and
// per member on the server (see attemptGuard); after maxAttempts the flow
// and the member wait lockoutPeriod.
func (h *Handler) verifyCode(w http.ResponseWriter, r *http.Request, st *flowState, auth func(context.Context, string) (*session, error)) {
	now := h.cfg.now()
	if now.Before(st.LockedUntil) {
		h.fail(w, r, st, tooManyAttempts(now, st.LockedUntil.Sub(now)))
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
	m := memberOf(st)
	wait, n, err := h.guard.reserve(r.Context(), m)
	if err != nil {
		h.fail(w, r, st, ErrUnavailable.with(err))
		return
	}
	if wait > 0 {
		h.fail(w, r, st, tooManyAttempts(now, wait))
		return
	}
	s, err := auth(r.Context(), code)
	// What Stytch judged is recorded even if the request goes away now:
	// cancelling it must not skip a count or a lock.
	ctx := context.WithoutCancel(r.Context())
	if err == nil {
		h.guardFailed(r, h.guard.succeeded(ctx, m))
		h.finish(w, r, st, s)
		return
	}
	if h.finished(r, st) {
		// The same step of this flow finished meanwhile, in a request
		// sent at the same time (a double click): this one's code was
		// refused because that one used it, and is not a guess.
		if r.Context().Err() == nil {
			h.guardFailed(r, h.guard.release(ctx, m))
		}
		h.endedFlow(w, r, st)
		return
	}
	e := fromStytch(err)
	var ours *Error
	if errors.As(err, &ours) {
		e = ours
	}
	if !errors.Is(e, ErrInvalidCode) && !errors.Is(e, ErrCodeExpired) {
		// Given back only when Stytch did not judge the code: a request
		// that went away may have had it judged, and would otherwise be a
		// free guess.
		if r.Context().Err() == nil {
			h.guardFailed(r, h.guard.release(ctx, m))
		}
		h.fail(w, r, st, e)
		return
	}
	st.Attempts++
	locked, guardErr := h.guard.failed(ctx, m, n)
	if locked || st.Attempts >= maxAttempts {
		st.LockedUntil = now.Add(lockoutPeriod)
		e = lockedByWrongCode(now, lockoutPeriod).with(err)
	}
	if err := h.saveFlow(w, st); err != nil {
		h.fail(w, r, st, err)
		return
	}
	if guardErr != nil {
		// The count at the limit still refuses the next attempts.
		e = ErrUnavailable.with(guardErr)
	}
	h.fail(w, r, st, e)
}

// smsCooldown refuses a text asked for within the cooldown of the last one,
// saying when the member can ask again.
func smsCooldown(now time.Time, wait time.Duration) *Error {
	return ErrSMSCooldown.withMessage(
		"A code was texted moments ago. If it arrived, enter it; you can ask for a new one %s.", when(now, wait)).withRetryAfter(wait)
}

// ceilUnits is d in whole units, rounded up: a wait is never shown shorter
// than it is.
func ceilUnits(d, unit time.Duration) int {
	return int((d + unit - 1) / unit)
}

// tooManyAttempts refuses a code while the member is locked out, saying
// until when.
func tooManyAttempts(now time.Time, wait time.Duration) *Error {
	return ErrTooManyAttempts.withMessage(
		"Too many wrong codes: verification is locked. You can try again %s.", when(now, wait)).withRetryAfter(wait)
}

// lockedByWrongCode answers the wrong code that locks the member out.
func lockedByWrongCode(now time.Time, wait time.Duration) *Error {
	return ErrTooManyAttempts.withMessage(
		"That code is not right, and it was the %s wrong one in a row: verification is locked. You can try again %s.",
		ordinal(maxAttempts), when(now, wait)).withRetryAfter(wait)
}

// when says when a wait that starts now ends, without a script to count
// down: "in 25 seconds (at 14:32:10 UTC)", or in minutes from 2 minutes
// on, rounded up so that it is never shown shorter than it is.
func when(now time.Time, wait time.Duration) string {
	n, unit := ceilUnits(wait, time.Second), "second"
	if wait >= 2*time.Minute {
		n, unit = ceilUnits(wait, time.Minute), "minute"
	}
	at := now.Add(wait).UTC().Add(time.Second - 1).Truncate(time.Second)
	return fmt.Sprintf("in %d %s (at %s UTC)", n, plural(n, unit), at.Format(time.TimeOnly))
}

func plural(n int, unit string) string {
	if n == 1 {
		return unit
	}
	return unit + "s"
}

func ordinal(n int) string {
	if words := []string{"first", "second", "third", "fourth", "fifth", "sixth"}; n >= 1 && n <= len(words) {
		return words[n-1]
	}
	return strconv.Itoa(n) + "th"
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
