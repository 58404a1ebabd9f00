package middleware

import (
	"errors"
	"fmt"
	"net/http"
	"time"
)

// Error is an authentication or authorization failure. Code is machine
// readable and stable (it is what the default error responses carry); Status
// is the HTTP status the default error handler answers with. Compare errors
// with errors.Is against the sentinels below: an *Error matches the sentinel
// with the same Code, whatever its cause.
type Error struct {
	// Code is the machine-readable reason, e.g. "session_invalid".
	Code string
	// Status is the HTTP status for the reason, e.g. 401.
	Status int
	// Err is the underlying cause, if any (a JWT validation error, a
	// *client.Error from Stytch, a transport error).
	Err error

	msg string
}

// Error implements error.
func (e *Error) Error() string {
	if e.Err != nil {
		return "b2bauth: " + e.msg + ": " + e.Err.Error()
	}
	return "b2bauth: " + e.msg
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is an *Error with the same Code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// Message is the public, human-readable sentence for the reason. It never
// contains the cause, which may carry upstream details.
func (e *Error) Message() string { return e.msg }

func (e *Error) with(cause error) *Error {
	return &Error{Code: e.Code, Status: e.Status, Err: cause, msg: e.msg}
}

// The failure classes callers branch on.
var (
	// ErrNoSession: the request carries no session credentials.
	ErrNoSession = &Error{Code: "session_missing", Status: http.StatusUnauthorized, msg: "no session"}
	// ErrInvalidToken: a credential is malformed, badly signed, too large,
	// has the wrong algorithm, issuer, audience or validity window (an iat
	// later than now plus the leeway included), or is a JWT without sub or
	// without organization_id in its https://stytch.com/organization claim.
	// Refused locally, without an upstream call.
	ErrInvalidToken = &Error{Code: "token_invalid", Status: http.StatusUnauthorized, msg: "invalid session token"}
	// ErrSessionInvalid: Stytch says the session does not exist, expired or
	// was revoked, or that the credential is not one it accepts
	// (client.ErrSessionRejected).
	ErrSessionInvalid = &Error{Code: "session_invalid", Status: http.StatusUnauthorized, msg: "session expired or revoked"}
	// ErrUnavailable: Stytch could not be reached, answered with a 5xx or
	// 429, refused the project credentials, or refused the call for a
	// reason that is not the session (a malformed request, the project's
	// configuration or plan), so the session could not be decided. Never a
	// logout.
	ErrUnavailable = &Error{Code: "stytch_unavailable", Status: http.StatusServiceUnavailable, msg: "authentication service unavailable"}
	// ErrPermissionDenied: the session's roles do not grant the permission.
	ErrPermissionDenied = &Error{Code: "permission_denied", Status: http.StatusForbidden, msg: "permission denied"}
	// ErrTenancy: a permission check names an organization other than the
	// session's (see [InOrganization]). Its code is Stytch's error type for
	// the same refusal.
	ErrTenancy = &Error{Code: "session_authorization_tenancy_error", Status: http.StatusForbidden, msg: "resource of another organization"}
	// ErrRoleRequired: the session lacks the required role.
	ErrRoleRequired = &Error{Code: "role_required", Status: http.StatusForbidden, msg: "role required"}
	// ErrStepUpRequired: the session holds no factor of the required kind
	// authenticated recently enough. The error is a *StepUpError.
	ErrStepUpRequired = &Error{Code: "step_up_required", Status: http.StatusForbidden, msg: "recent authentication required"}
)

// ErrUpstreamLimited is the cause, wrapped in [ErrUnavailable], of a request
// refused because the limit of [WithUpstreamLimit] was reached.
var ErrUpstreamLimited = errors.New("b2bauth: upstream call limit reached")

// StepUpError is returned by [Middleware.RequireFreshFactor] when the session
// must authenticate again. It matches [ErrStepUpRequired].
type StepUpError struct {
	// Kind is the factor kind the route demands.
	Kind FactorKind
	// Within is how recent that factor must be.
	Within time.Duration
}

// Error implements error.
func (e *StepUpError) Error() string {
	return fmt.Sprintf("b2bauth: recent authentication required: %s factor within %s", e.Kind, e.Within)
}

// Is matches [ErrStepUpRequired].
func (e *StepUpError) Is(target error) bool { return target == ErrStepUpRequired }

// Code returns the machine-readable code and the HTTP status for err: the
// code of the *Error or *StepUpError it wraps, or "internal_error" and 500.
func Code(err error) (code string, status int) {
	var se *StepUpError
	if errors.As(err, &se) {
		return ErrStepUpRequired.Code, ErrStepUpRequired.Status
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code, e.Status
	}
	return "internal_error", http.StatusInternalServerError
}
