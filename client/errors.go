package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// ErrUnavailable is matched (errors.Is) by every failure that means Stytch
// could not answer: a transport failure, a timeout, an oversized or
// undecodable success response, and API answers with status 429 or 5xx. It
// never means that a credential is invalid.
var ErrUnavailable = errors.New("b2bauth: stytch unavailable")

// ErrUnknownKID is matched by the error of [JWKS.Keyfunc] when a token names a
// key ID that is not in the key set, even after a refresh.
var ErrUnknownKID = errors.New("b2bauth: unknown jwt key id")

// ErrKeyNotYetFetched is matched, together with [ErrUnknownKID], by the error
// of a key lookup for a kid the key set lacks when that set was fetched
// before the token was issued (by its iat claim) and the refresh that could
// bring the key is rate limited (see [WithUnknownKIDInterval]): the key set
// cannot say yet whether Stytch publishes the key, so the token is neither
// valid nor invalid. The lookup schedules that refresh for when the limit
// allows. It does not match [ErrUnavailable]: Stytch was not asked.
var ErrKeyNotYetFetched = errors.New("b2bauth: jwt key id not in the key set yet")

// ErrAuthorizationDenied is matched when no role of the session grants the
// checked action on the checked resource: by [PolicyCache.Authorize] and by an
// [*Error] of type "session_authorization_error".
var ErrAuthorizationDenied = errors.New("b2bauth: authorization denied")

// ErrTenancyMismatch is matched when an authorization check names another
// organization than the session's: by [PolicyCache.Authorize] and by an
// [*Error] of type "session_authorization_tenancy_error".
var ErrTenancyMismatch = errors.New("b2bauth: authorization check names another organization")

// ErrOrganizationPolicy is matched by an [*Error] refusing what the
// organization's authentication policy forbids: a primary method outside its
// allowed_auth_methods, a new member its email or SSO JIT provisioning does
// not admit, or an invite its email_invites setting refuses. Read the
// organization (its allowed_auth_methods) to offer what it allows.
var ErrOrganizationPolicy = errors.New("b2bauth: refused by the organization's authentication policy")

// ErrProjectCredentials is matched by an [*Error] of type
// "unauthorized_credentials": Stytch refused the project id and secret the
// client calls with. It says nothing of the member's credential in the
// call: treat it as a misconfiguration (b2bauth's middleware and flows answer
// it as an outage and log it as an error), never as a logout.
var ErrProjectCredentials = errors.New("b2bauth: stytch refused the project credentials")

// ErrNotStytch is matched by an [*Error] of an answer without Stytch's JSON
// error body (no error_type), whatever its status: it came from something
// between the client and Stytch (a proxy, a wrong base URL), so it says
// nothing of the credential in the call. Such an answer with status 429 or
// 5xx also matches [ErrUnavailable].
var ErrNotStytch = errors.New("b2bauth: answer without a stytch error body")

// ErrSessionRejected is matched by an [*Error] that is Stytch's verdict on
// the session credential of the call: the session, its member or its
// organization is gone (404 session_not_found, member_not_found,
// organization_not_found, or any other 404 whose type names a session, a
// member or an organization and ends in _not_found), or the session token or
// JWT is not one Stytch accepts (invalid_session_token, invalid_session_jwt,
// unable_to_parse_session_jwt, jwt_invalid_audience, jwt_invalid_issuer,
// jwt_invalid_claims). A status of 429 or 5xx is never a verdict.
//
// Every other rejection says nothing about the session: a malformed request
// (bad_request, invalid_session_duration_minutes, no_session_arguments), the
// project's credentials, environment or plan (unauthorized_credentials,
// test_id_used_in_live_environment, enterprise_endpoint, billing_not_verified),
// a restriction of where the call comes from (IP, CAPTCHA, CNAME) or a route
// Stytch does not serve (route_not_found). The rule is an allow-list on
// purpose: an answer not known to judge the session must not log members
// out, since a misconfiguration would then log out every one of them.
var ErrSessionRejected = errors.New("b2bauth: stytch rejected the session")

// ErrMissingParameter is matched by the error of a call made without a
// parameter that goes into the request path; no request is sent.
var ErrMissingParameter = errors.New("b2bauth: missing required parameter")

// requireField returns an [ErrMissingParameter] error naming field when missing.
func requireField(field string, missing bool) error {
	if missing {
		return fmt.Errorf("%w: %s", ErrMissingParameter, field)
	}
	return nil
}

// Error types that map onto the sentinels above.
const (
	errorTypeAuthorization = "session_authorization_error"
	errorTypeTenancy       = "session_authorization_tenancy_error"
	errorTypeCredentials   = "unauthorized_credentials"
)

// sessionVerdictTypes are the error types in which Stytch judges the session
// credential itself, whatever their status.
var sessionVerdictTypes = map[string]bool{
	"session_not_found":           true,
	"member_not_found":            true,
	"organization_not_found":      true,
	"invalid_session_token":       true,
	"invalid_session_jwt":         true,
	"unable_to_parse_session_jwt": true,
	"jwt_invalid_audience":        true,
	"jwt_invalid_issuer":          true,
	"jwt_invalid_claims":          true,
}

// isSessionVerdict reports whether an answer matches [ErrSessionRejected].
func isSessionVerdict(status int, typ string) bool {
	if status < 400 || status >= 500 || status == http.StatusTooManyRequests || typ == "" {
		return false
	}
	if sessionVerdictTypes[typ] {
		return true
	}
	// A 404 naming a session, member or organization that is not found is
	// about the credential's subject even under a type this list lacks; other
	// 404s (route_not_found, project_not_found, cname_record_not_found...) are
	// about the project or the call.
	return status == http.StatusNotFound && strings.HasSuffix(typ, "_not_found") &&
		(strings.Contains(typ, "session") || strings.Contains(typ, "member") || strings.Contains(typ, "organization"))
}

// isPolicyErrorType reports whether an error type matches [ErrOrganizationPolicy].
func isPolicyErrorType(t string) bool {
	switch t {
	case "operation_restricted_by_organization_auth_methods", "email_jit_provisioning_not_allowed",
		"invalid_email_for_jit_provisioning", "invalid_email_for_invites", "invalid_connection_for_jit_provisioning":
		return true
	}
	return false
}

// Error is a rejection answered by the Stytch API: any status other than 200
// and 201. StatusCode is the HTTP status; the other fields come from the JSON
// error body and are empty when the body was not JSON. Use errors.As to read
// it and errors.Is with [ErrUnavailable], [ErrSessionRejected],
// [ErrAuthorizationDenied], [ErrTenancyMismatch], [ErrOrganizationPolicy],
// [ErrProjectCredentials] or [ErrNotStytch] to classify it.
type Error struct {
	// StatusCode is the HTTP status of the answer.
	StatusCode int
	// RequestID identifies the call at Stytch (for support requests).
	RequestID string
	// ErrorType is Stytch's machine-readable reason, e.g. "session_not_found".
	ErrorType string
	// ErrorMessage is Stytch's human-readable explanation.
	ErrorMessage string
	// ErrorURL links to Stytch's documentation of the error.
	ErrorURL string
	// ErrorDetails holds extra structured details, when given.
	ErrorDetails map[string]any
}

// Error returns "b2bauth: stytch <error_type> (<status>): <message>".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("b2bauth: stytch ")
	if e.ErrorType != "" {
		b.WriteString(e.ErrorType)
	} else {
		b.WriteString("error")
	}
	b.WriteString(" (")
	b.WriteString(strconv.Itoa(e.StatusCode))
	b.WriteString(")")
	if e.ErrorMessage != "" {
		b.WriteString(": ")
		b.WriteString(e.ErrorMessage)
	}
	if e.RequestID != "" {
		b.WriteString(" [request_id ")
		b.WriteString(e.RequestID)
		b.WriteString("]")
	}
	return b.String()
}

// Is reports whether e belongs to the class of target: [ErrUnavailable] for
// status 429 and 5xx, [ErrSessionRejected] for Stytch's verdicts on the
// session credential, [ErrAuthorizationDenied], [ErrTenancyMismatch],
// [ErrOrganizationPolicy], [ErrProjectCredentials], [ErrWeakPassword] and
// [ErrPasswordResetRequired] for the matching error types, [ErrNotStytch]
// for an answer without Stytch's error body.
func (e *Error) Is(target error) bool {
	switch target {
	case ErrUnavailable:
		return e.StatusCode == http.StatusTooManyRequests || e.StatusCode >= 500
	case ErrSessionRejected:
		return isSessionVerdict(e.StatusCode, e.ErrorType)
	case ErrAuthorizationDenied:
		return e.ErrorType == errorTypeAuthorization
	case ErrTenancyMismatch:
		return e.ErrorType == errorTypeTenancy
	case ErrOrganizationPolicy:
		return isPolicyErrorType(e.ErrorType)
	case ErrWeakPassword:
		return e.ErrorType == errorTypeWeakPassword
	case ErrPasswordResetRequired:
		return e.ErrorType == errorTypeResetPassword
	case ErrProjectCredentials:
		return e.ErrorType == errorTypeCredentials
	case ErrNotStytch:
		return e.ErrorType == ""
	}
	return false
}

// errorBody is the JSON shape of an API error.
type errorBody struct {
	StatusCode   int            `json:"status_code"`
	RequestID    string         `json:"request_id"`
	ErrorType    string         `json:"error_type"`
	ErrorMessage string         `json:"error_message"`
	ErrorURL     string         `json:"error_url"`
	ErrorDetails map[string]any `json:"error_details"`

	// OAuth 2.0's names, used by the M2M token endpoint.
	OAuthError       string `json:"error"`
	OAuthDescription string `json:"error_description"`
	OAuthURI         string `json:"error_uri"`
}

// decodeError turns a rejected answer into an *Error. It never fails: a body
// that is not a JSON error still yields an *Error with the HTTP status. An
// OAuth 2.0 error body (error, error_description, error_uri) fills
// ErrorType, ErrorMessage and ErrorURL.
func decodeError(status int, body []byte) *Error {
	e := &Error{StatusCode: status}
	var wire errorBody
	err := json.Unmarshal(body, &wire)
	if err == nil && wire.ErrorType == "" && wire.OAuthError != "" {
		wire.ErrorType, wire.ErrorMessage, wire.ErrorURL = wire.OAuthError, wire.OAuthDescription, wire.OAuthURI
	}
	if err != nil || wire.ErrorType == "" {
		e.ErrorMessage = strings.ToLower(http.StatusText(status))
		if e.ErrorMessage == "" {
			e.ErrorMessage = "unexpected status"
		}
		e.ErrorMessage += " (response is not a stytch error body)"
		if err == nil {
			e.RequestID = wire.RequestID
		}
		return e
	}
	e.RequestID = wire.RequestID
	e.ErrorType = wire.ErrorType
	e.ErrorMessage = wire.ErrorMessage
	e.ErrorURL = wire.ErrorURL
	e.ErrorDetails = wire.ErrorDetails
	return e
}
