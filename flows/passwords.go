package flows

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/b2bauth/b2bauth/client"
)

// Passwords: discovery (POST /login/password: the discovered
// organizations), one organization (POST /o/{slug}/password), a reset by
// email (POST /o/{slug}/password/reset/start: a link to the callback bound
// to this browser by PKCE, whose token the flow cookie keeps while GET and
// POST /password/reset ask for the new password) and a change with the
// current password (POST /o/{slug}/password/change). Passwords travel only
// in POST bodies to Stytch: never in a URL, a log line, a page or the flow
// cookie.

// tokenTypePasswordReset is the stytch_token_type of a reset link.
const tokenTypePasswordReset = "multi_tenant_passwords"

// stepPasswordReset names the reset pages, as the "next" field of JSON
// answers names them.
const stepPasswordReset = "password_reset"

// maxPasswordSize bounds a password field, far above any real password.
const maxPasswordSize = 1024

// The failures of passwords.
var (
	// ErrInvalidPassword: the email address or the password is wrong (the
	// answer does not say which).
	ErrInvalidPassword = &Error{Code: "invalid_password", Status: http.StatusUnauthorized,
		msg: "The email address or the password is not right. Check them and try again."}
	// ErrWeakPassword: a new password was refused by Stytch's strength
	// check; the message carries Stytch's advice (see [PasswordFeedback]).
	ErrWeakPassword = &Error{Code: "weak_password", Status: http.StatusUnprocessableEntity,
		msg: "That password is too easy to guess. Choose a longer one."}
	// ErrPasswordResetRequired: the password was right but must be reset
	// before it signs in again (e.g. it appeared in a breach).
	ErrPasswordResetRequired = &Error{Code: "password_reset_required", Status: http.StatusForbidden,
		msg: "Your password must be reset before you can use it again. We can email you a reset link, or you can choose a new one with your current password."}
)

// errDiscoveryResetRequired is ErrPasswordResetRequired on the discovery
// page, where no organization is known to reset it in.
var errDiscoveryResetRequired = ErrPasswordResetRequired.withMessage(
	"Your password must be reset before you can use it again. Sign in with a code or a link by email, or use “Forgot your password?” on your organization's sign-in page.")

// PasswordFeedback is Stytch's advice on a password refused as too weak.
type PasswordFeedback struct {
	// Warning says what is wrong, when Stytch says.
	Warning string `json:"warning,omitempty"`
	// Suggestions say how to make the password stronger.
	Suggestions []string `json:"suggestions,omitempty"`
	// Breached reports that the password appeared in a known breach.
	Breached bool `json:"breached,omitempty"`
}

// passwordError classifies an error of a password call. Stytch answers a
// wrong password with unauthorized_credentials, which other calls use when
// the project's own credentials are refused.
func passwordError(err error) *Error {
	switch {
	case isStytchError(err, "unauthorized_credentials"):
		return ErrInvalidPassword.with(err)
	case errors.Is(err, client.ErrPasswordResetRequired):
		return ErrPasswordResetRequired.with(err)
	case errors.Is(err, client.ErrWeakPassword):
		return ErrWeakPassword.with(err)
	}
	return fromStytch(err)
}

// readPassword returns a password field, refusing an empty or oversized one.
func readPassword(v string) (string, error) {
	if v == "" {
		return "", ErrInvalidInput.withMessage("Enter the password.")
	}
	if len(v) > maxPasswordSize {
		return "", ErrInvalidInput.withMessage("That password is too long.")
	}
	return v, nil
}

// postLoginPassword checks a password across organizations and moves on to
// the organization choice.
func (h *Handler) postLoginPassword(w http.ResponseWriter, r *http.Request) {
	in, err := input(w, r)
	if err != nil {
		h.fail(w, r, nil, err)
		return
	}
	st := newFlow(stepEmailSent, "")
	typed := in.Get("email")
	if !h.offersPrimary(authPassword) {
		h.failLogin(w, r, st, typed, ErrAuthMethodNotAllowed)
		return
	}
	if st.ReturnTo, err = returnPath(in.Get("return_to")); err != nil {
		h.failLogin(w, r, st, typed, err)
		return
	}
	email, err := parseEmail(typed)
	if err == nil {
		_, err = readPassword(in.Get("password"))
	}
	if err != nil {
		h.failLogin(w, r, st, typed, err)
		return
	}
	res, err := h.client.Passwords.DiscoveryAuthenticate(r.Context(), &client.PasswordsDiscoveryAuthenticateParams{
		EmailAddress: email, Password: in.Get("password"),
	})
	if err != nil {
		e := passwordError(err)
		if errors.Is(e, ErrPasswordResetRequired) {
			e = errDiscoveryResetRequired.with(err)
		}
		h.failLogin(w, r, st, email, e)
		return
	}
	st.Email = email
	h.discovered(w, r, st, res)
}

// postOrganizationPassword logs into the organization with a password.
func (h *Handler) postOrganizationPassword(w http.ResponseWriter, r *http.Request) {
	org, l, in, ok := h.passwordForm(w, r)
	if !ok {
		return
	}
	typed := in.Get("email")
	email, err := parseEmail(typed)
	if err == nil {
		_, err = readPassword(in.Get("password"))
	}
	if err != nil {
		h.failOrganization(w, r, nil, l, typed, err)
		return
	}
	returnTo, err := returnPath(in.Get("return_to"))
	if err != nil {
		h.failOrganization(w, r, nil, l, email, err)
		return
	}
	st := h.emailFlow(r, org.OrganizationID, returnTo, authPassword, email)
	res, err := h.client.Passwords.Authenticate(r.Context(), &client.PasswordsAuthenticateParams{
		OrganizationID: org.OrganizationID, EmailAddress: email, Password: in.Get("password"),
		IntermediateSessionToken: st.IST, SessionDurationMinutes: h.cfg.sessionDuration,
	})
	if err != nil {
		e := passwordError(err)
		if errors.Is(e, ErrPasswordResetRequired) {
			h.failPasswordReset(w, r, st, l, "required", e, nil)
			return
		}
		if st.IST != "" && isStytchError(err, "invalid_intermediate_session_token_for_organization") {
			e = ErrEmailMismatch.with(err)
		}
		h.failOrganization(w, r, st, l, email, e)
		return
	}
	h.primaryDone(w, r, st, res)
}

// passwordForm reads the form of an organization's password route and the
// organization, refusing it when its page does not offer passwords. It
// reports false when it has answered.
func (h *Handler) passwordForm(w http.ResponseWriter, r *http.Request) (*client.Organization, *OrganizationLogin, url.Values, bool) {
	in, err := input(w, r)
	if err != nil {
		h.fail(w, r, nil, err)
		return nil, nil, nil, false
	}
	org, err := h.lookupOrganization(r)
	if err != nil {
		h.failOrganization(w, r, nil, nil, "", err)
		return nil, nil, nil, false
	}
	l := h.organizationLogin(org)
	if !l.Password {
		h.failOrganization(w, r, nil, l, in.Get("email"), ErrAuthMethodNotAllowed)
		return nil, nil, nil, false
	}
	return org, l, in, true
}

// postPasswordResetStart emails a reset link bound to this browser by
// PKCE. The answer is the same whether or not the address is a member's,
// so that the page tells nobody which addresses have accounts.
func (h *Handler) postPasswordResetStart(w http.ResponseWriter, r *http.Request) {
	org, l, in, ok := h.passwordForm(w, r)
	if !ok {
		return
	}
	typed := in.Get("email")
	email, err := parseEmail(typed)
	if err != nil {
		h.failOrganization(w, r, nil, l, typed, err)
		return
	}
	returnTo, err := returnPath(in.Get("return_to"))
	if err != nil {
		h.failOrganization(w, r, nil, l, email, err)
		return
	}
	st := h.emailFlow(r, org.OrganizationID, returnTo, tokenTypePasswordReset, email)
	h.sendEmail(w, r, &emailSend{
		kind: emailReset, flow: st,
		page:   "password_reset.html",
		target: h.cfg.prefix + "/o/" + url.PathEscape(org.OrganizationSlug) + "/password/reset/start",
		next:   stepEmailSent.next(),
		send: func(ctx context.Context) error {
			_, err := h.client.Passwords.EmailResetStart(ctx, &client.PasswordsEmailResetStartParams{
				OrganizationID: org.OrganizationID, EmailAddress: email,
				ResetPasswordRedirectURL: h.callbackURL(), LoginRedirectURL: h.callbackURL(),
				// The link is only useful while the flow cookie lives.
				ResetPasswordExpirationMinutes: max(5, int32(flowLifetime.Minutes())),
				CodeChallenge:                  pkceChallenge(st.PKCEVerifier),
			})
			if isStytchError(err, "member_not_found") {
				// Answered as sent, cooldown included: a cooldown
				// lifted for an address without an account would tell
				// it from a member's.
				return nil
			}
			return err
		},
		refuse: func(e *Error) { h.failOrganization(w, r, st, l, email, e) },
	})
}

// getPasswordResetStart shows the page of a reset link sent from this
// browser, drawn from the flow cookie; once the link was opened here, the
// new password form.
func (h *Handler) getPasswordResetStart(w http.ResponseWriter, r *http.Request) {
	st, org := h.organizationStep(w, r, tokenTypePasswordReset)
	if st == nil {
		return
	}
	if st.ResetToken != "" {
		h.redirect(w, r, stepPasswordReset, h.cfg.prefix+"/password/reset")
		return
	}
	if wantsJSON(r) {
		h.writeJSON(w, http.StatusOK, nextBody{Next: stepEmailSent.next()})
		return
	}
	h.render(w, r, http.StatusOK, "password_reset.html", &Page{
		Step: stepPasswordReset, PasswordReset: "sent", Email: st.Email, ReturnTo: st.ReturnTo,
		OrganizationLogin: h.organizationLogin(org),
	})
}

// passwordResetCallback keeps the token of an opened reset link in the flow
// that asked for it and leads to the new password form: the token leaves
// the URL at once. A link opened in another browser, or used already, is
// refused.
func (h *Handler) passwordResetCallback(w http.ResponseWriter, r *http.Request, token string) {
	st, err := h.loadFlow(r, stepEmailSent, stepOrganizations)
	if err == nil && (st.Started != tokenTypePasswordReset || st.PKCEVerifier == "") {
		err = ErrWrongStep
	}
	if err != nil {
		h.fail(w, r, st, ErrLinkInvalid.with(err))
		return
	}
	st.ResetToken = token
	if err := h.saveFlow(w, st); err != nil {
		h.fail(w, r, nil, err)
		return
	}
	h.redirect(w, r, stepPasswordReset, h.cfg.prefix+"/password/reset")
}

// resetFlow returns the flow of an opened reset link.
func (h *Handler) resetFlow(r *http.Request) (*flowState, error) {
	st, err := h.loadFlow(r, stepEmailSent, stepOrganizations)
	if err == nil && (st.Started != tokenTypePasswordReset || st.ResetToken == "") {
		err = ErrLinkInvalid.with(ErrWrongStep)
	}
	return st, err
}

// getPasswordReset shows the new password form of an opened reset link.
func (h *Handler) getPasswordReset(w http.ResponseWriter, r *http.Request) {
	st, err := h.resetFlow(r)
	if err != nil {
		h.fail(w, r, st, err)
		return
	}
	if wantsJSON(r) {
		h.writeJSON(w, http.StatusOK, nextBody{Next: stepPasswordReset})
		return
	}
	h.render(w, r, http.StatusOK, "password_reset.html", &Page{
		Step: stepPasswordReset, PasswordReset: "new", Email: st.Email, ReturnTo: st.ReturnTo,
	})
}

// postPasswordReset sets the new password of an opened reset link, after
// Stytch's strength check, and signs the member in. The link works once.
func (h *Handler) postPasswordReset(w http.ResponseWriter, r *http.Request) {
	st, err := h.resetFlow(r)
	if err != nil {
		h.fail(w, r, st, err)
		return
	}
	in, err := input(w, r)
	if err != nil {
		h.failPasswordReset(w, r, st, nil, "new", asError(err), nil)
		return
	}
	password, err := readPassword(in.Get("password"))
	if err != nil {
		h.failPasswordReset(w, r, st, nil, "new", asError(err), nil)
		return
	}
	if fb, e := h.checkStrength(r.Context(), st.Email, password); e != nil {
		h.failPasswordReset(w, r, st, nil, "new", e, fb)
		return
	}
	res, err := h.client.Passwords.EmailReset(r.Context(), &client.PasswordsEmailResetParams{
		PasswordResetToken: st.ResetToken, Password: password, CodeVerifier: st.PKCEVerifier,
		IntermediateSessionToken: st.IST, SessionDurationMinutes: h.cfg.sessionDuration,
	})
	if err != nil {
		e := passwordError(err)
		if isStytchError(err, "unable_to_auth_magic_link") {
			e = ErrLinkInvalid.withMessage("This password reset link is invalid, has expired or was already used. Ask for a new one.").with(err)
		}
		h.failPasswordReset(w, r, st, nil, "new", e, nil)
		return
	}
	st.ResetToken = ""
	h.emailUsed(r, emailReset, st.Email)
	h.primaryDone(w, r, st, res)
}

// postPasswordChange replaces a password given the current one (also the
// way out of a required reset) and signs the member in.
func (h *Handler) postPasswordChange(w http.ResponseWriter, r *http.Request) {
	org, l, in, ok := h.passwordForm(w, r)
	if !ok {
		return
	}
	typed := in.Get("email")
	email, err := parseEmail(typed)
	var current, next string
	if err == nil {
		current, err = readPassword(in.Get("existing_password"))
	}
	if err == nil {
		next, err = readPassword(in.Get("new_password"))
	}
	st := h.emailFlow(r, org.OrganizationID, "", authPassword, email)
	if rt, rerr := returnPath(in.Get("return_to")); rerr == nil && rt != "" {
		st.ReturnTo = rt
	}
	if err != nil {
		st.Email = typed
		h.failPasswordReset(w, r, st, l, "required", asError(err), nil)
		return
	}
	if fb, e := h.checkStrength(r.Context(), email, next); e != nil {
		h.failPasswordReset(w, r, st, l, "required", e, fb)
		return
	}
	res, err := h.client.Passwords.ExistingPasswordReset(r.Context(), &client.PasswordsExistingPasswordResetParams{
		OrganizationID: org.OrganizationID, EmailAddress: email,
		ExistingPassword: current, NewPassword: next, SessionDurationMinutes: h.cfg.sessionDuration,
	})
	if err != nil {
		h.failPasswordReset(w, r, st, l, "required", passwordError(err), nil)
		return
	}
	h.primaryDone(w, r, st, res)
}

// checkStrength asks Stytch's strength check about a new password and
// returns its advice with ErrWeakPassword when it would be refused.
func (h *Handler) checkStrength(ctx context.Context, email, password string) (*PasswordFeedback, *Error) {
	res, err := h.client.Passwords.StrengthCheck(ctx, &client.PasswordsStrengthCheckParams{Password: password, EmailAddress: email})
	if err != nil {
		return nil, fromStytch(err)
	}
	if res.ValidPassword {
		return nil, nil
	}
	fb := &PasswordFeedback{Breached: res.BreachedPassword}
	if z := res.ZxcvbnFeedback; z != nil {
		fb.Warning, fb.Suggestions = z.Warning, z.Suggestions
	}
	var msg strings.Builder
	msg.WriteString("That password is not strong enough.")
	if fb.Breached {
		msg.WriteString(" It appeared in a data breach.")
	}
	if fb.Warning != "" {
		msg.WriteString(" " + fb.Warning)
	}
	for _, s := range fb.Suggestions {
		msg.WriteString(" " + s)
	}
	if l := res.LudsFeedback; l != nil && fb.Warning == "" && len(fb.Suggestions) == 0 {
		if l.MissingCharacters > 0 {
			msg.WriteString(" Use a longer password.")
		}
		if l.MissingComplexity > 0 {
			msg.WriteString(" Mix lowercase and uppercase letters, digits and symbols.")
		}
	}
	return fb, ErrWeakPassword.withMessage("%s", msg.String())
}

// failPasswordReset answers a failed reset step with the reset page in mode
// ("required" or "new") again, the message and Stytch's advice, unless the
// flow cannot go on or Stytch is down. The flow st is saved for a "new"
// page, whose reset link it holds.
func (h *Handler) failPasswordReset(w http.ResponseWriter, r *http.Request, st *flowState, l *OrganizationLogin, mode string, e *Error, fb *PasswordFeedback) {
	if e.restart || e.Status == http.StatusServiceUnavailable {
		h.fail(w, r, st, e)
		return
	}
	h.log(r, st, e)
	if wantsJSON(r) {
		h.writeJSON(w, e.Status, errorBody{Error: errorDetail{Code: e.Code, Message: e.msg}, Next: stepPasswordReset})
		return
	}
	h.render(w, r, e.Status, "password_reset.html", &Page{
		Step: stepPasswordReset, PasswordReset: mode, ErrorCode: e.Code, ErrorMessage: e.msg,
		Email: st.Email, ReturnTo: st.ReturnTo, OrganizationLogin: l, PasswordFeedback: fb,
	})
}
