package flows

import (
	"context"
	"errors"
	"net/http"

	"github.com/b2bauth/b2bauth/client"
	"github.com/b2bauth/b2bauth/middleware"
)

// sessionOf returns the session the middleware attached, or the error to
// answer: ErrUnavailable when Stytch could not decide, else
// ErrSessionRequired.
func sessionOf(r *http.Request) (*middleware.Session, error) {
	if s, ok := middleware.SessionFrom(r.Context()); ok {
		return s, nil
	}
	reason := middleware.FailureReason(r.Context())
	if errors.Is(reason, middleware.ErrUnavailable) {
		return nil, ErrUnavailable.with(reason)
	}
	return nil, ErrSessionRequired.with(reason)
}

// getStepUp shows the second-factor choices to a logged-in member sent
// here by middleware.RequireFreshFactor.
func (h *Handler) getStepUp(w http.ResponseWriter, r *http.Request) {
	returnTo := returnPath(r.URL.Query().Get("return_to"))
	s, err := sessionOf(r)
	if err != nil {
		h.fail(w, r, &flowState{ReturnTo: returnTo}, err)
		return
	}
	st, err := h.loadFlow(r, stepStepUp)
	if err != nil || st.MemberID != s.MemberID || st.OrganizationID != s.OrganizationID {
		st = stepUpFlow(s, returnTo)
	} else if returnTo != "" {
		st.ReturnTo = returnTo
	}
	if err := h.saveFlow(w, st); err != nil {
		h.fail(w, r, nil, err)
		return
	}
	if wantsJSON(r) {
		h.writeJSON(w, http.StatusOK, mfaBodyOf(st))
		return
	}
	p := &Page{ReturnTo: st.ReturnTo}
	fillMFA(st, p)
	h.render(w, r, http.StatusOK, "step_up.html", p)
}

// stepUpFlow starts a step-up for the session. The methods come from the
// factors the session already holds; a session without a second factor is
// offered both. A phone number is never enrolled here: a stolen session
// must not be able to register its own phone.
func stepUpFlow(s *middleware.Session, returnTo string) *flowState {
	st := newFlow(stepStepUp, returnTo)
	st.OrganizationID, st.MemberID = s.OrganizationID, s.MemberID
	st.HasPhone = true
	var sms, totp bool
	for _, f := range s.AuthenticationFactors {
		switch {
		case f.PhoneNumberFactor != nil || f.DeliveryMethod == "sms":
			sms = true
			if f.PhoneNumberFactor != nil && f.PhoneNumberFactor.PhoneNumber != "" {
				st.PhoneHint = phoneHint(f.PhoneNumberFactor.PhoneNumber)
			}
		case f.AuthenticatorAppFactor != nil || f.DeliveryMethod == "authenticator_app":
			totp = true
		}
	}
	if !sms && !totp {
		sms, totp = true, true
	}
	if sms {
		st.Methods = append(st.Methods, methodSMS)
	}
	if totp {
		st.Methods = append(st.Methods, methodTOTP)
		st.TOTPEnrolled = true
	}
	return st
}

// stepUpState returns the step-up flow of the request's session.
func (h *Handler) stepUpState(r *http.Request) (*middleware.Session, *flowState, error) {
	s, err := sessionOf(r)
	if err != nil {
		return nil, nil, err
	}
	st, err := h.loadFlow(r, stepStepUp)
	if err != nil {
		return s, st, err
	}
	if st.MemberID != s.MemberID || st.OrganizationID != s.OrganizationID {
		return s, st, ErrWrongStep
	}
	return s, st, nil
}

// postStepUpSMSSend sends an SMS code to the member's MFA phone.
func (h *Handler) postStepUpSMSSend(w http.ResponseWriter, r *http.Request) {
	s, st, err := h.stepUpState(r)
	if err != nil {
		h.fail(w, r, st, err)
		return
	}
	h.sendSMS(w, r, st, func(ctx context.Context, _ string) error {
		_, err := h.client.OTPs.SMSSend(ctx, &client.OTPsSMSSendParams{
			OrganizationID: s.OrganizationID,
			MemberID:       s.MemberID,
			SessionJWT:     s.JWT,
		})
		return err
	})
}

// postStepUpSMSVerify adds a fresh SMS factor to the session.
func (h *Handler) postStepUpSMSVerify(w http.ResponseWriter, r *http.Request) {
	s, st, err := h.stepUpState(r)
	if err != nil {
		h.fail(w, r, st, err)
		return
	}
	h.verifySMS(w, r, st, func(ctx context.Context, code string) (*session, error) {
		res, err := h.client.OTPs.SMSAuthenticate(ctx, &client.OTPsSMSAuthenticateParams{
			OrganizationID: s.OrganizationID,
			MemberID:       s.MemberID,
			Code:           code,
			SessionJWT:     s.JWT,
		})
		if err != nil {
			return nil, err
		}
		return &session{res.SessionToken, res.SessionJWT, res.MemberSession}, nil
	})
}

// postStepUpTOTPVerify adds a fresh TOTP factor to the session.
func (h *Handler) postStepUpTOTPVerify(w http.ResponseWriter, r *http.Request) {
	s, st, err := h.stepUpState(r)
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
			OrganizationID: s.OrganizationID,
			MemberID:       s.MemberID,
			Code:           code,
			SessionJWT:     s.JWT,
		})
		if err != nil {
			return nil, err
		}
		return &session{res.SessionToken, res.SessionJWT, res.MemberSession}, nil
	})
}
