package flows

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/b2bauth/b2bauth/client"
)

// Email one-time codes: for discovery (POST /login/code, then
// /login/code/verify: the discovered organizations, as a magic link) and
// for one organization (POST /o/{slug}/code, then /o/{slug}/code/verify).
// The code is typed into a page of this browser, so no PKCE is needed: the
// flow cookie holds the address it was sent to and, per organization, the
// organization. Wrong codes count like MFA codes (see verifyEmailCode).

// Started values of flows waiting for an email code.
const (
	startedDiscoveryCode = "discovery_email_otp"
	startedOrgCode       = "email_otp"
)

// stepEnterCode names the code form, as the "next" field of JSON answers
// names it.
const stepEnterCode = "enter_code"

// emailCodeLifetime is how long a code emailed by the flows is valid: the
// lifetime of the flow that waits for it.
const emailCodeLifetime = flowLifetime

// offersPrimary reports whether the handler offers an email-based primary
// method (see WithPrimaryMethods).
func (h *Handler) offersPrimary(method string) bool {
	for _, m := range h.cfg.primaryMethods {
		if m == method {
			return true
		}
	}
	return false
}

// offers reports whether org's login page offers the email-based method:
// the handler offers it and the organization's policy allows it.
func (h *Handler) offers(org *client.Organization, method string) bool {
	return h.offersPrimary(method) && allowsAuth(org, method)
}

// postLoginCode emails a discovery code.
func (h *Handler) postLoginCode(w http.ResponseWriter, r *http.Request) {
	in, err := input(w, r)
	if err != nil {
		h.fail(w, r, nil, err)
		return
	}
	st := newFlow(stepEmailSent, "")
	if !h.offersPrimary(authEmailOTP) {
		h.failLogin(w, r, st, in.Get("email"), ErrAuthMethodNotAllowed)
		return
	}
	if st.ReturnTo, err = returnPath(in.Get("return_to")); err != nil {
		h.failLogin(w, r, st, in.Get("email"), err)
		return
	}
	email, err := parseEmail(in.Get("email"))
	if err != nil {
		h.failLogin(w, r, st, in.Get("email"), err)
		return
	}
	st.Email, st.Started, st.CodeSentAt = email, startedDiscoveryCode, h.cfg.now()
	h.sendEmail(w, r, h.codeSend(st, "", func(ctx context.Context) error {
		_, err := h.client.OTPs.EmailDiscoverySend(ctx, &client.OTPsEmailDiscoverySendParams{
			EmailAddress:               email,
			DiscoveryExpirationMinutes: uint32(emailCodeLifetime / time.Minute),
		})
		return err
	}, func(e *Error) { h.failLogin(w, r, st, email, e) }))
}

// postOrganizationCode emails a login or sign-up code of the organization.
func (h *Handler) postOrganizationCode(w http.ResponseWriter, r *http.Request) {
	in, err := input(w, r)
	if err != nil {
		h.fail(w, r, nil, err)
		return
	}
	org, err := h.lookupOrganization(r)
	if err != nil {
		h.failOrganization(w, r, nil, nil, "", err)
		return
	}
	l := h.organizationLogin(org)
	typed := in.Get("email")
	if !l.EmailOTP {
		h.failOrganization(w, r, nil, l, typed, ErrAuthMethodNotAllowed)
		return
	}
	email, err := parseEmail(typed)
	if err != nil {
		h.failOrganization(w, r, nil, l, typed, err)
		return
	}
	returnTo, err := returnPath(in.Get("return_to"))
	if err != nil {
		h.failOrganization(w, r, nil, l, "", err)
		return
	}
	st := h.emailFlow(r, org.OrganizationID, returnTo, startedOrgCode, email)
	minutes := uint32(emailCodeLifetime / time.Minute)
	st.CodeSentAt = h.cfg.now()
	h.sendEmail(w, r, h.codeSend(st, org.OrganizationSlug, func(ctx context.Context) error {
		_, err := h.client.OTPs.EmailLoginOrSignup(ctx, &client.OTPsEmailLoginOrSignupParams{
			OrganizationID: org.OrganizationID, EmailAddress: email,
			LoginExpirationMinutes: minutes, SignupExpirationMinutes: minutes,
		})
		return err
	}, func(e *Error) { h.failOrganization(w, r, st, l, email, e) }))
}

// emailFlow starts the flow of an organization-scoped email method (a code
// or a password reset) for email, going on with a discovered member's
// intermediate session waiting for this organization's primary method when
// it is for the same address.
func (h *Handler) emailFlow(r *http.Request, orgID, returnTo, started, email string) *flowState {
	st := h.organizationFlow(r, orgID, returnTo, started)
	if st.IST != "" && !strings.EqualFold(st.Email, email) {
		// The intermediate session belongs to another address: this is a
		// new sign-in.
		st = h.organizationFlow(nil, orgID, st.ReturnTo, started)
	}
	st.Email = email
	st.Attempts, st.LockedUntil = 0, time.Time{}
	if prev, err := h.loadFlow(r, stepEmailSent, stepOrganizations); err == nil && prev.PKCEVerifier != "" &&
		prev.Started == started && prev.OrganizationID == orgID && strings.EqualFold(prev.Email, email) {
		// Sent again to the same address from this browser (the form sent
		// again after the "try again" link): the new link shares the
		// verifier, so that the first link, still in the inbox, works too.
		st.FlowID, st.PKCEVerifier = prev.FlowID, prev.PKCEVerifier
	}
	return st
}

// codeSend is the email of a code to st's address (slug "" for
// discovery), whose page is the code form.
func (h *Handler) codeSend(st *flowState, slug string, send func(context.Context) error, refuse func(*Error)) *emailSend {
	target := h.cfg.prefix + "/login/code"
	if slug != "" {
		target = h.cfg.prefix + "/o/" + url.PathEscape(slug) + "/code"
	}
	return &emailSend{
		kind: emailCode, flow: st,
		page: "enter_code.html", target: target, next: stepEnterCode,
		send: send, refuse: refuse,
	}
}

// showCode answers with the code form of st (slug "" for discovery).
func (h *Handler) showCode(w http.ResponseWriter, r *http.Request, st *flowState, slug string) {
	if wantsJSON(r) {
		h.writeJSON(w, http.StatusOK, nextBody{Next: stepEnterCode})
		return
	}
	h.render(w, r, http.StatusOK, "enter_code.html", &Page{
		Step: stepEnterCode, Email: st.Email, ReturnTo: st.ReturnTo, CodeOrganization: slug,
	})
}

// getLoginCode shows the form of a discovery code emailed from this
// browser, drawn from the flow cookie.
func (h *Handler) getLoginCode(w http.ResponseWriter, r *http.Request) {
	st, err := h.loadFlow(r, stepEmailSent)
	if err == nil && st.Started != startedDiscoveryCode {
		err = ErrWrongStep
	}
	if err != nil {
		if !h.stepMovedOn(w, r, st, err) {
			h.fail(w, r, st, err)
		}
		return
	}
	h.showCode(w, r, st, "")
}

// getOrganizationCode shows the form of an organization's code emailed
// from this browser, drawn from the flow cookie.
func (h *Handler) getOrganizationCode(w http.ResponseWriter, r *http.Request) {
	st, org := h.organizationStep(w, r, startedOrgCode)
	if st == nil {
		return
	}
	h.showCode(w, r, st, org.OrganizationSlug)
}

// postLoginCodeVerify checks a discovery code and moves on to the
// organization choice.
func (h *Handler) postLoginCodeVerify(w http.ResponseWriter, r *http.Request) {
	st, err := h.loadFlow(r, stepEmailSent)
	if err == nil && st.Started != startedDiscoveryCode {
		err = ErrWrongStep
	}
	if err != nil {
		h.fail(w, r, st, err)
		return
	}
	var res *client.DiscoveryAuthenticateResponse
	if !h.verifyEmailCode(w, r, st, "", func(ctx context.Context, code string) (err error) {
		res, err = h.client.OTPs.EmailDiscoveryAuthenticate(ctx, &client.OTPsEmailDiscoveryAuthenticateParams{
			EmailAddress: st.Email, Code: code,
		})
		return err
	}) {
		return
	}
	h.emailUsed(r, emailCode, st.Email)
	h.discovered(w, r, st, res)
}

// postOrganizationCodeVerify checks an organization's code and enters it:
// a session, MFA, or the primary method it still requires.
func (h *Handler) postOrganizationCodeVerify(w http.ResponseWriter, r *http.Request) {
	st, err := h.loadFlow(r, stepEmailSent, stepOrganizations)
	if err == nil && st.Started != startedOrgCode {
		err = ErrWrongStep
	}
	if err != nil {
		h.fail(w, r, st, err)
		return
	}
	org, err := h.lookupOrganization(r)
	if err == nil && org.OrganizationID != st.OrganizationID {
		err = ErrWrongStep
	}
	if err != nil {
		h.fail(w, r, st, err)
		return
	}
	var res *client.PrimaryAuthenticateResponse
	if !h.verifyEmailCode(w, r, st, org.OrganizationSlug, func(ctx context.Context, code string) (err error) {
		res, err = h.client.OTPs.EmailAuthenticate(ctx, &client.OTPsEmailAuthenticateParams{
			OrganizationID: st.OrganizationID, EmailAddress: st.Email, Code: code,
			IntermediateSessionToken: st.IST, SessionDurationMinutes: h.cfg.sessionDuration,
		})
		return err
	}) {
		return
	}
	h.emailUsed(r, emailCode, st.Email)
	h.primaryDone(w, r, st, res)
}

// verifyEmailCode reads the code field and checks it with auth, counting
// wrong codes in the flow and in the guard's store per address and
// organization, as verifyCode does for MFA codes. It reports whether auth
// passed; otherwise it has answered.
func (h *Handler) verifyEmailCode(w http.ResponseWriter, r *http.Request, st *flowState, slug string, auth func(context.Context, string) error) bool {
	fail := func(e *Error) { h.failCode(w, r, st, slug, e) }
	now := h.cfg.now()
	if now.Before(st.LockedUntil) {
		fail(tooManyAttempts(now, st.LockedUntil.Sub(now)))
		return false
	}
	if !st.LockedUntil.IsZero() {
		st.Attempts, st.LockedUntil = 0, time.Time{}
	}
	in, err := input(w, r)
	if err != nil {
		fail(asError(err))
		return false
	}
	code := strings.Join(strings.Fields(in.Get("code")), "")
	if code == "" || len(code) > 64 {
		fail(ErrInvalidInput.withMessage("Enter the code from the email."))
		return false
	}
	m := emailCodeGuard(st)
	wait, n, err := h.guard.reserve(r.Context(), m)
	if err != nil {
		fail(ErrUnavailable.with(err))
		return false
	}
	if wait > 0 {
		fail(tooManyAttempts(h.cfg.now(), wait))
		return false
	}
	err = auth(r.Context(), code)
	ctx := context.WithoutCancel(r.Context())
	if err == nil {
		h.guardFailed(r, h.guard.succeeded(ctx, m))
		return true
	}
	e := h.emailCodeError(st, err)
	if !errors.Is(e, ErrInvalidCode) && !errors.Is(e, ErrCodeExpired) {
		if r.Context().Err() == nil {
			h.guardFailed(r, h.guard.release(ctx, m))
		}
		fail(e)
		return false
	}
	st.Attempts++
	locked, guardErr := h.guard.failed(ctx, m, n)
	if locked || st.Attempts >= maxAttempts {
		st.LockedUntil = now.Add(lockoutPeriod)
		e = ErrTooManyAttempts.withMessage(
			"Too many wrong codes: this code no longer works. Wait %d minutes, then ask for a new code.",
			ceilUnits(lockoutPeriod, time.Minute)).with(err)
	}
	if err := h.saveFlow(w, st); err != nil {
		h.fail(w, r, st, err)
		return false
	}
	if guardErr != nil {
		e = ErrUnavailable.with(guardErr)
	}
	fail(e)
	return false
}

// emailCodeGuard names the guard's records of the codes emailed to the
// flow's address for its organization (or for discovery).
func emailCodeGuard(st *flowState) member {
	org := st.OrganizationID
	if st.Started == startedDiscoveryCode {
		org = "discovery"
	}
	return member{organizationID: "email-otp:" + org, memberID: strings.ToLower(st.Email)}
}

// emailCodeError classifies a failed code check: Stytch answers
// otp_code_not_found for a code expired, used, replaced by a newer one or
// stopped after too many wrong tries, which the flow tells apart where it
// can.
func (h *Handler) emailCodeError(st *flowState, err error) *Error {
	e := fromStytch(err)
	if !isStytchError(err, "otp_code_not_found") {
		return e
	}
	if !st.CodeSentAt.IsZero() && !h.cfg.now().Before(st.CodeSentAt.Add(emailCodeLifetime)) {
		return ErrCodeExpired.withMessage("That code has expired. Ask for a new one.").with(err)
	}
	return ErrCodeExpired.withMessage(
		"That code no longer works: a newer one was sent, or it was already used or stopped after too many wrong tries. Ask for a new one.").with(err)
}

// failCode answers a failed code step: the code form again with the
// message, unless the flow cannot go on or Stytch is down.
func (h *Handler) failCode(w http.ResponseWriter, r *http.Request, st *flowState, slug string, e *Error) {
	if e.restart || e.Status == http.StatusServiceUnavailable {
		h.fail(w, r, st, e)
		return
	}
	h.log(r, st, e)
	if wantsJSON(r) {
		h.writeJSON(w, e.Status, errorBody{Error: errorDetail{Code: e.Code, Message: e.msg}, Next: stepEnterCode})
		return
	}
	h.render(w, r, e.Status, "enter_code.html", &Page{
		Step: stepEnterCode, ErrorCode: e.Code, ErrorMessage: e.msg,
		Email: st.Email, ReturnTo: st.ReturnTo, CodeOrganization: slug,
	})
}

// discovered keeps a discovery answer's intermediate session in the flow
// and leads to the organization choice, as the discovery callback does.
func (h *Handler) discovered(w http.ResponseWriter, r *http.Request, st *flowState, res *client.DiscoveryAuthenticateResponse) {
	next := &flowState{
		FlowID:        st.FlowID,
		Step:          stepOrganizations,
		ReturnTo:      st.ReturnTo,
		Email:         res.EmailAddress,
		IST:           res.IntermediateSessionToken,
		ISTExpiresAt:  h.istExpiry(res.IntermediateSessionTokenExpiresAt),
		Organizations: organizationsFrom(res.DiscoveredOrganizations),
	}
	if next.Email == "" {
		next.Email = st.Email
	}
	if err := h.saveFlow(w, next); err != nil {
		h.fail(w, r, nil, err)
		return
	}
	h.redirect(w, r, stepOrganizations.next(), h.cfg.prefix+"/organizations")
}

// primaryDone continues an organization's primary method (code, password,
// reset) as an organization choice does: a session, MFA, or the primary
// method the organization still requires.
func (h *Handler) primaryDone(w http.ResponseWriter, r *http.Request, st *flowState, res *client.PrimaryAuthenticateResponse) {
	if st.Email == "" {
		st.Email = res.Member.EmailAddress
	}
	h.entered(w, r, st, &client.DiscoveryExchangeResponse{
		MemberID:                          res.MemberID,
		SessionToken:                      res.SessionToken,
		SessionJWT:                        res.SessionJWT,
		Member:                            res.Member,
		Organization:                      res.Organization,
		MemberAuthenticated:               res.MemberAuthenticated,
		IntermediateSessionToken:          res.IntermediateSessionToken,
		IntermediateSessionTokenExpiresAt: res.IntermediateSessionTokenExpiresAt,
		MemberSession:                     res.MemberSession,
		MFARequired:                       res.MFARequired,
		PrimaryRequired:                   res.PrimaryRequired,
	})
}
