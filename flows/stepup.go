package flows

import (
	"errors"
	"net/http"

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

// stepUpStub stands for the step-up flow of a failure before one is
// loaded, so that the failure touches the step-up cookie only.
func stepUpStub(returnTo string) *flowState {
	return &flowState{Step: stepStepUp, ReturnTo: returnTo}
}

// getStepUp shows the second-factor choices to a logged-in member sent
// here by middleware.RequireFreshFactor. It reads and writes the step-up
// cookie only: a sign-in in progress in the login flow cookie goes on.
func (h *Handler) getStepUp(w http.ResponseWriter, r *http.Request) {
	returnTo, err := returnPath(r.URL.Query().Get("return_to"))
	if err != nil {
		h.fail(w, r, stepUpStub(""), err)
		return
	}
	s, err := sessionOf(r)
	if err != nil {
		h.fail(w, r, stepUpStub(returnTo), err)
		return
	}
	st, err := h.loadFlow(r, stepStepUp)
	if err != nil || st.MemberID != s.MemberID || st.OrganizationID != s.OrganizationID {
		st = stepUpFlow(s, returnTo)
	} else if returnTo != "" {
		st.ReturnTo = returnTo
	}
	if err := h.saveFlow(w, st); err != nil {
		h.fail(w, r, st, err)
		return
	}
	h.showFactors(w, r, st, "step_up.html")
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

// stepUpState returns the step-up flow of the request's session, with the
// session's JWT as the proof of its factor calls.
func (h *Handler) stepUpState(r *http.Request) (*flowState, proof, error) {
	s, err := sessionOf(r)
	if err != nil {
		return stepUpStub(""), proof{}, err
	}
	st, err := h.loadFlow(r, stepStepUp)
	if st == nil {
		st = stepUpStub("")
	}
	if err != nil {
		return st, proof{}, err
	}
	if st.MemberID != s.MemberID || st.OrganizationID != s.OrganizationID {
		return st, proof{}, ErrWrongStep
	}
	return st, proof{organizationID: s.OrganizationID, memberID: s.MemberID, sessionJWT: s.JWT}, nil
}
