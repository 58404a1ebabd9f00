package flows

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/b2bauth/b2bauth/client"
)

// Error is a failed login step. Code is machine readable and stable (JSON
// answers carry it); Status is the HTTP status of the answer. Compare errors
// with errors.Is against the sentinels below: an *Error matches the sentinel
// with the same Code, whatever its cause or message.
type Error struct {
	// Code is the machine-readable reason, e.g. "invalid_code".
	Code string
	// Status is the HTTP status answered, e.g. 401.
	Status int
	// Err is the underlying cause, if any (a *client.Error from Stytch, a
	// cookie decoding error).
	Err error

	msg string
	// retryAfter is when the request may be sent again, for the
	// Retry-After of the answer; 0 when it does not say.
	retryAfter time.Duration
	// restart sends the member back to the email form: the flow cannot go on.
	restart bool
}

// Error implements error.
func (e *Error) Error() string {
	if e.Err != nil {
		return "b2bauth: flows: " + e.Code + ": " + e.Err.Error()
	}
	return "b2bauth: flows: " + e.Code
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is an *Error with the same Code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// Message is the sentence shown to the member. It never contains the cause,
// which may carry upstream details.
func (e *Error) Message() string { return e.msg }

// Restart reports whether the flow cannot go on and the member must enter
// their email again. On a POST the flow cookie is cleared; a GET clears it
// only when the cookie itself is unusable, as any site can make a browser
// follow a link.
func (e *Error) Restart() bool { return e.restart }

func (e *Error) with(cause error) *Error {
	c := *e
	c.Err = cause
	return &c
}

func (e *Error) withRetryAfter(d time.Duration) *Error {
	c := *e
	c.retryAfter = d
	return &c
}

func (e *Error) withMessage(format string, args ...any) *Error {
	c := *e
	c.msg = fmt.Sprintf(format, args...)
	return &c
}

// The failure classes of a login flow.
var (
	// ErrFlowMissing: the request carries no flow cookie (never started,
	// started in another browser, or expired in the browser).
	ErrFlowMissing = &Error{Code: "flow_missing", Status: http.StatusUnauthorized, restart: true,
		msg: "Your sign-in has expired or was started in another browser. Enter your email to start again."}
	// ErrFlowInvalid: the flow cookie is malformed, tampered with, encrypted
	// with an unknown key or too old.
	ErrFlowInvalid = &Error{Code: "flow_invalid", Status: http.StatusBadRequest, restart: true,
		msg: "Your sign-in could not be continued. Enter your email to start again."}
	// ErrFlowExpired: the flow or its intermediate session expired.
	ErrFlowExpired = &Error{Code: "flow_expired", Status: http.StatusUnauthorized, restart: true,
		msg: "Your sign-in has expired. Enter your email to start again."}
	// ErrWrongStep: the request belongs to another step than the flow is in.
	ErrWrongStep = &Error{Code: "flow_step", Status: http.StatusConflict, restart: true,
		msg: "This sign-in step is not available any more. Enter your email to start again."}
	// ErrFlowTooLarge: the flow state does not fit into its cookie.
	ErrFlowTooLarge = &Error{Code: "flow_too_large", Status: http.StatusInternalServerError, restart: true,
		msg: "Your sign-in could not be saved. Enter your email to start again."}
	// ErrLinkInvalid: the magic link or OAuth token is invalid, expired, used,
	// or was opened in another browser than the one that asked for it.
	ErrLinkInvalid = &Error{Code: "link_invalid", Status: http.StatusUnauthorized, restart: true,
		msg: "This sign-in link is invalid or has expired, or it was opened in another browser than the one that asked for it. Request a new link."}
	// ErrSessionRequired: a step-up or logout request without a valid session.
	ErrSessionRequired = &Error{Code: "session_required", Status: http.StatusUnauthorized, restart: true,
		msg: "Please sign in again."}
	// ErrInvalidInput: a form field is missing or malformed.
	ErrInvalidInput = &Error{Code: "invalid_input", Status: http.StatusBadRequest,
		msg: "Please check your input."}
	// ErrInvalidCode: a wrong SMS, TOTP or recovery code.
	ErrInvalidCode = &Error{Code: "invalid_code", Status: http.StatusUnauthorized,
		msg: "That code is not right. Check it and try again."}
	// ErrCodeExpired: the SMS code was sent too long ago.
	ErrCodeExpired = &Error{Code: "code_expired", Status: http.StatusUnauthorized,
		msg: "That code has expired. Send a new one."}
	// ErrTooManyAttempts: too many wrong codes; the flow waits before the
	// next try. Answers carry Retry-After.
	ErrTooManyAttempts = &Error{Code: "too_many_attempts", Status: http.StatusTooManyRequests,
		msg: "Too many attempts. Wait a few minutes and try again."}
	// ErrSMSCooldown: an SMS was sent too recently to send another.
	// Answers carry Retry-After.
	ErrSMSCooldown = &Error{Code: "sms_cooldown", Status: http.StatusTooManyRequests,
		msg: "A code was sent moments ago. Wait a little before asking for another."}
	// ErrEmailCooldown: an email of the same kind (a sign-in link, a
	// sign-in code, a password reset link) was asked for the address too
	// recently to send another (see [WithEmailResendCooldown]). Answers
	// carry Retry-After.
	ErrEmailCooldown = &Error{Code: "email_cooldown", Status: http.StatusTooManyRequests,
		msg: "An email to this address was asked for moments ago. Check the inbox, or wait a little before asking for another."}
	// ErrMethodNotAllowed: the MFA method is not available to this member.
	ErrMethodNotAllowed = &Error{Code: "method_not_allowed", Status: http.StatusForbidden,
		msg: "This verification method is not available for your account."}
	// ErrOrganizationUnavailable: the organization cannot be entered with
	// this login (not a member, not found, or another sign-in method needed).
	ErrOrganizationUnavailable = &Error{Code: "organization_unavailable", Status: http.StatusForbidden,
		msg: "You cannot sign in to this organization with this login. Choose another one."}
	// ErrSlugTaken: the organization slug is in use.
	ErrSlugTaken = &Error{Code: "slug_taken", Status: http.StatusConflict,
		msg: "That URL slug is already taken. Choose another one."}
	// ErrUnavailable: Stytch could not answer (down, timeout, 5xx, 429). The
	// flow is kept so the member can try again.
	ErrUnavailable = &Error{Code: "stytch_unavailable", Status: http.StatusServiceUnavailable,
		msg: "The sign-in service is not answering right now. Please try again in a moment."}
	// ErrCrossOrigin: a state-changing request from another site.
	ErrCrossOrigin = &Error{Code: "cross_origin", Status: http.StatusForbidden,
		msg: "This request came from another site and was refused."}
	// ErrLoginFailed: any other failure; the flow starts again.
	ErrLoginFailed = &Error{Code: "login_failed", Status: http.StatusBadRequest, restart: true,
		msg: "Sign-in failed. Enter your email to start again."}
)

// stytchErrors maps Stytch's error_type values onto the failure classes.
// Types not listed become ErrLoginFailed.
var stytchErrors = map[string]*Error{
	"intermediate_session_not_found":                      ErrFlowExpired,
	"invalid_intermediate_session_token_for_organization": ErrFlowExpired,
	"unable_to_auth_magic_link":                           ErrLinkInvalid,
	"magic_link_not_found":                                ErrLinkInvalid,
	"pkce_mismatch":                                       ErrLinkInvalid,
	"oauth_token_not_found":                               ErrLinkInvalid,
	"otp_code_not_found":                                  ErrInvalidCode,
	"unable_to_auth_otp_code":                             ErrInvalidCode,
	"invalid_code":                                        ErrInvalidCode,
	"invalid_totp_code":                                   ErrInvalidCode,
	"totp_code_already_authenticated": ErrInvalidCode.withMessage(
		"This code was already used. Wait for the next code from your authenticator app."),
	"invalid_recovery_code":                errRecoveryCodeInvalid,
	"unable_to_authenticate_recovery_code": errRecoveryCodeInvalid,
	"recovery_codes_not_found": ErrMethodNotAllowed.withMessage(
		"Your account has no recovery codes."),
	"invalid_phone_number": ErrInvalidInput.withMessage(
		"Enter the phone number in international format, e.g. +15551234567."),
	"invalid_organization_name": ErrInvalidInput.withMessage(
		"Enter an organization name."),
	"invalid_organization_slug":                 errInvalidSlug,
	"organization_slug_already_used":            ErrSlugTaken,
	"member_not_found":                          ErrOrganizationUnavailable,
	"organization_not_found":                    ErrOrganizationUnavailable,
	"invalid_organization_id":                   ErrOrganizationUnavailable,
	"primary_authentication_required":           ErrOrganizationUnavailable,
	"insufficient_factors_for_session_exchange": ErrOrganizationUnavailable,
	"mfa_method_not_allowed":                    ErrMethodNotAllowed,
	"totp_not_found": ErrMethodNotAllowed.withMessage(
		"You have not set up an authenticator app yet."),
	"active_totp_exists":  errTOTPExists,
	"session_not_found":   ErrSessionRequired,
	"invalid_session_jwt": ErrSessionRequired,
}

// Failures with their own message, named because more than one place
// answers them.
var (
	errRecoveryCodeInvalid = ErrInvalidCode.withMessage(
		"That recovery code is not valid or was already used.")
	errTOTPExists = ErrMethodNotAllowed.withMessage(
		"An authenticator app is already set up for your account. Enter its code.")
	errInvalidSlug = ErrInvalidInput.withMessage(
		"The URL slug may use 2 to 128 lowercase letters, digits, '-', '.', '_' and '~'.")
)

// fromStytch classifies an error of a client call.
func fromStytch(err error) *Error {
	if errors.Is(err, client.ErrUnavailable) {
		return ErrUnavailable.with(err)
	}
	if errors.Is(err, client.ErrProjectCredentials) || errors.Is(err, client.ErrNotStytch) {
		// Stytch refused the project's credentials, or the answer came from
		// something between us and Stytch (a proxy, a wrong base URL):
		// neither says anything of the member's sign-in, which is kept for
		// a retry, as the middleware keeps sessions.
		return ErrUnavailable.with(err)
	}
	var apiErr *client.Error
	if errors.As(err, &apiErr) {
		if e := policyError(apiErr.ErrorType); e != nil {
			return e.with(err)
		}
		if e, ok := stytchErrors[apiErr.ErrorType]; ok {
			return e.with(err)
		}
	}
	return ErrLoginFailed.with(err)
}

// asError returns err as an *Error, classifying foreign errors as
// ErrLoginFailed.
func asError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return ErrLoginFailed.with(err)
}
