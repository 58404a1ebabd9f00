package client

import (
	"context"
	"net/http"
)

// OTPsService calls the SMS and email one-time passcode endpoints. Get it from [Client.OTPs].
type OTPsService struct {
	c *Client
}

// OTPsSMSSendParams sends an SMS passcode to a member (codes expire after 2
// minutes; a new send invalidates the previous code).
type OTPsSMSSendParams struct {
	// OrganizationID identifies the organization.
	OrganizationID string `json:"organization_id,omitempty"`
	// MemberID identifies the member.
	MemberID string `json:"member_id,omitempty"`
	// MFAPhoneNumber is the number to enrol, when the member has none.
	MFAPhoneNumber string `json:"mfa_phone_number,omitempty"`
	// Locale is the message's language, e.g. "en".
	Locale string `json:"locale,omitempty"`
	// IntermediateSessionToken proves the primary factor during MFA.
	IntermediateSessionToken string `json:"intermediate_session_token,omitempty"`
	// SessionToken proves an existing session (step-up).
	SessionToken string `json:"session_token,omitempty"`
	// SessionJWT proves an existing session (step-up).
	SessionJWT string `json:"session_jwt,omitempty"`
}

// OTPsSMSSendResponse confirms the send.
type OTPsSMSSendResponse struct {
	// RequestID identifies the call at Stytch.
	RequestID string `json:"request_id,omitempty"`
	// MemberID identifies the member.
	MemberID string `json:"member_id,omitempty"`
	// Member is the member.
	Member Member `json:"member,omitempty"`
	// Organization is the organization.
	Organization Organization `json:"organization,omitempty"`
	// StatusCode is the HTTP status.
	StatusCode int `json:"status_code,omitempty"`
}

// SMSSend sends an SMS passcode (POST /v1/b2b/otps/sms/send).
func (s *OTPsService) SMSSend(ctx context.Context, p *OTPsSMSSendParams) (*OTPsSMSSendResponse, error) {
	return send[OTPsSMSSendResponse](ctx, s.c, http.MethodPost, "/v1/b2b/otps/sms/send", p)
}

// OTPsSMSAuthenticateParams authenticates an SMS passcode.
type OTPsSMSAuthenticateParams struct {
	// OrganizationID identifies the organization.
	OrganizationID string `json:"organization_id,omitempty"`
	// MemberID identifies the member.
	MemberID string `json:"member_id,omitempty"`
	// Code is the passcode.
	Code string `json:"code,omitempty"`
	// IntermediateSessionToken proves the primary factor during MFA.
	IntermediateSessionToken string `json:"intermediate_session_token,omitempty"`
	// SessionToken proves an existing session (step-up).
	SessionToken string `json:"session_token,omitempty"`
	// SessionJWT proves an existing session (step-up).
	SessionJWT string `json:"session_jwt,omitempty"`
	// SessionDurationMinutes sets the session's lifetime (5..527040).
	SessionDurationMinutes int32 `json:"session_duration_minutes,omitempty"`
	// SessionCustomClaims adds custom claims to the session.
	SessionCustomClaims map[string]any `json:"session_custom_claims,omitempty"`
	// SetMFAEnrollment is "enroll" or "unenroll".
	SetMFAEnrollment string `json:"set_mfa_enrollment,omitempty"`
	// SetDefaultMFA makes SMS the member's default MFA method.
	SetDefaultMFA bool `json:"set_default_mfa,omitempty"`
	// TelemetryID is a device fingerprinting ID.
	TelemetryID string `json:"telemetry_id,omitempty"`
}

// OTPsSMSAuthenticateResponse is the resulting session.
type OTPsSMSAuthenticateResponse struct {
	// RequestID identifies the call at Stytch.
	RequestID string `json:"request_id,omitempty"`
	// MemberID identifies the member.
	MemberID string `json:"member_id,omitempty"`
	// Member is the member.
	Member Member `json:"member,omitempty"`
	// Organization is the organization.
	Organization Organization `json:"organization,omitempty"`
	// SessionToken is the session token.
	SessionToken string `json:"session_token,omitempty"`
	// SessionJWT is the session JWT.
	SessionJWT string `json:"session_jwt,omitempty"`
	// StatusCode is the HTTP status.
	StatusCode int `json:"status_code,omitempty"`
	// MemberSession is the session.
	MemberSession *MemberSession `json:"member_session,omitempty"`
}

// SMSAuthenticate authenticates an SMS passcode (POST /v1/b2b/otps/sms/authenticate).
func (s *OTPsService) SMSAuthenticate(ctx context.Context, p *OTPsSMSAuthenticateParams) (*OTPsSMSAuthenticateResponse, error) {
	return send[OTPsSMSAuthenticateResponse](ctx, s.c, http.MethodPost, "/v1/b2b/otps/sms/authenticate", p)
}
