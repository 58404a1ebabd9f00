package flows

import (
	"errors"
	"net/http"
	"slices"
	"strings"

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
		if st, err = h.stepUpFlow(r, s, returnTo); err != nil {
			h.fail(w, r, stepUpStub(returnTo), err)
			return
		}
	} else if returnTo != "" {
		st.ReturnTo = returnTo
	}
	if err := h.saveFlow(w, st); err != nil {
		h.fail(w, r, st, err)
		return
	}
	h.showFactors(w, r, st, "step_up.html")
}

// stepUpFlow starts a step-up for the session. It offers the second factors
// the member has (Stytch's member record says which, not the factors this
// session happens to hold), within the methods the organization allows. A
// member with none may set one up (see [WithStepUpEnrollment]); with
// enrollment off, or no method allowed, the flow offers nothing and the
// page says why.
func (h *Handler) stepUpFlow(r *http.Request, s *middleware.Session, returnTo string) (*flowState, error) {
	if s.JWT == "" {
		return nil, ErrSessionRequired
	}
	res, err := h.client.Sessions.Authenticate(r.Context(), &client.SessionsAuthenticateParams{SessionJWT: s.JWT})
	if err != nil {
		return nil, fromStytch(err)
	}
	if res.Member.MemberID != s.MemberID {
		return nil, ErrSessionRequired.with(errors.New("the session belongs to another member"))
	}
	st := newFlow(stepStepUp, returnTo)
	st.OrganizationID, st.MemberID = s.OrganizationID, s.MemberID
	m := res.Member
	// A number not verified yet (set by an administrator, or entered in an
	// earlier flow) is the member's all the same, as at sign-in: Stytch texts
	// it, and replacing it would take a proof the member does not have.
	st.HasPhone = m.MFAPhoneNumber != ""
	if st.HasPhone {
		st.PhoneHint = phoneHint(m.MFAPhoneNumber)
	}
	st.TOTPEnrolled = m.TOTPRegistrationID != ""
	// Recovery codes end an MFA sign-in, not a step-up.
	allowed := slices.DeleteFunc(mfaMethods(res.Organization, false), func(m string) bool { return m == methodRecovery })
	st.Methods = offeredMethods(allowed, st.HasPhone, st.TOTPEnrolled)
	if !h.cfg.stepUpEnroll && !(st.HasPhone && st.allows(methodSMS) || st.TOTPEnrolled && st.allows(methodTOTP)) {
		st.Methods = nil
	}
	return st, nil
}

// backPath is where a member leaves a step-up for: the after-login path, or
// "/" when that is the page asking for the step-up, so that leaving never
// leads back into it.
func (h *Handler) backPath(returnTo string) string {
	p, _, _ := strings.Cut(returnTo, "?")
	if p != "" && h.cfg.afterLogin == p {
		return "/"
	}
	return h.cfg.afterLogin
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
