package emulator

import (
	"fmt"
	"net/http"
)

// Error types the emulator answers with. The HTTP status of each is listed in
// the package documentation.
const (
	errBadRequest               = "bad_request"
	errUnauthorizedCredentials  = "unauthorized_credentials"
	errNotFound                 = "not_found"
	errSessionNotFound          = "session_not_found"
	errInvalidSessionJWT        = "invalid_session_jwt"
	errISTNotFound              = "intermediate_session_not_found"
	errISTForOrganization       = "invalid_intermediate_session_token_for_organization"
	errMemberNotFound           = "member_not_found"
	errOrganizationNotFound     = "organization_not_found"
	errInvalidOrganizationID    = "invalid_organization_id"
	errSlugAlreadyUsed          = "organization_slug_already_used"
	errOTPCodeNotFound          = "otp_code_not_found"
	errUnableToAuthOTP          = "unable_to_auth_otp_code"
	errInvalidPhoneNumber       = "invalid_phone_number"
	errMFAMethodNotAllowed      = "mfa_method_not_allowed"
	errTOTPNotFound             = "totp_not_found"
	errActiveTOTPExists         = "active_totp_exists"
	errInvalidTOTPCode          = "invalid_totp_code"
	errTOTPCodeAlreadyUsed      = "totp_code_already_authenticated"
	errInvalidRecoveryCode      = "invalid_recovery_code"
	errUnableToAuthRecoveryCode = "unable_to_authenticate_recovery_code"
	errRecoveryCodesNotFound    = "recovery_codes_not_found"
	errUnableToAuthMagicLink    = "unable_to_auth_magic_link"
	errPKCEMismatch             = "pkce_mismatch"
	errOAuthTokenNotFound       = "oauth_token_not_found"
	errAuthorization            = "session_authorization_error"
	errAuthorizationTenancy     = "session_authorization_tenancy_error"
	errInsufficientFactors      = "insufficient_factors_for_session_exchange"
	errWeakPassword             = "weak_password"
	errMemberResetPassword      = "member_reset_password"
	errMemberPasswordNotFound   = "member_password_not_found"
	errTooManyRequests          = "too_many_requests"
	errInternalServerError      = "internal_server_error"
)

// apiError is a rejection answered with Stytch's error body.
type apiError struct {
	status  int
	typ     string
	message string
	details map[string]any
}

func (e *apiError) Error() string {
	return fmt.Sprintf("%d %s: %s", e.status, e.typ, e.message)
}

// withDetail adds a key to error_details.
func (e *apiError) withDetail(key string, value any) *apiError {
	if e.details == nil {
		e.details = map[string]any{}
	}
	e.details[key] = value
	return e
}

func badRequest(format string, args ...any) *apiError {
	return &apiError{status: http.StatusBadRequest, typ: errBadRequest, message: fmt.Sprintf(format, args...)}
}

func invalid(typ, message string) *apiError {
	return &apiError{status: http.StatusBadRequest, typ: typ, message: message}
}

func unauthenticated(typ, message string) *apiError {
	return &apiError{status: http.StatusUnauthorized, typ: typ, message: message}
}

func notFound(typ, message string) *apiError {
	return &apiError{status: http.StatusNotFound, typ: typ, message: message}
}

func forbidden(typ, message string) *apiError {
	return &apiError{status: http.StatusForbidden, typ: typ, message: message}
}

func missingField(name string) *apiError {
	return badRequest("%s is required", name).withDetail("field", name)
}

// errorForStatus is the error a forced-status fault answers with.
func errorForStatus(status int, typ string) *apiError {
	if typ == "" {
		switch {
		case status == http.StatusTooManyRequests:
			typ = errTooManyRequests
		case status >= 500:
			typ = errInternalServerError
		case status == http.StatusUnauthorized:
			typ = errUnauthorizedCredentials
		case status == http.StatusNotFound:
			typ = errNotFound
		default:
			typ = errBadRequest
		}
	}
	return &apiError{status: status, typ: typ, message: "fault injected by the emulator: " + http.StatusText(status)}
}

// wireError is Stytch's error body.
type wireError struct {
	StatusCode   int            `json:"status_code"`
	RequestID    string         `json:"request_id"`
	ErrorType    string         `json:"error_type"`
	ErrorMessage string         `json:"error_message"`
	ErrorURL     string         `json:"error_url"`
	ErrorDetails map[string]any `json:"error_details"`
}

func (e *apiError) wire(requestID string) wireError {
	return wireError{
		StatusCode:   e.status,
		RequestID:    requestID,
		ErrorType:    e.typ,
		ErrorMessage: e.message,
		ErrorURL:     fmt.Sprintf("https://stytch.com/docs/b2b/api/errors/%d#%s", e.status, e.typ),
		ErrorDetails: e.details,
	}
}
