package client

import (
	"context"
	"net/http"
)

// TOTPsService calls the TOTP endpoints. Get it from [Client.TOTPs].
type TOTPsService struct {
	c *Client
}

// TOTPsCreateParams creates a TOTP registration for a member.
type TOTPsCreateParams struct {
	// OrganizationID identifies the organization.
	OrganizationID string `json:"organization_id,omitempty"`
	// MemberID identifies the member.
	MemberID string `json:"member_id,omitempty"`
	// ExpirationMinutes is how long an unused registration stays valid.
	ExpirationMinutes int32 `json:"expiration_minutes,omitempty"`
	// IntermediateSessionToken proves the primary factor during MFA.
	IntermediateSessionToken string `json:"intermediate_session_token,omitempty"`
	// SessionToken proves an existing session.
	SessionToken string `json:"session_token,omitempty"`
	// SessionJWT proves an existing session.
	SessionJWT string `json:"session_jwt,omitempty"`
}

// TOTPsCreateResponse is the new registration: show the QR code once and
// have the member store the recovery codes.
type TOTPsCreateResponse struct {
	// RequestID identifies the call at Stytch.
	RequestID string `json:"request_id,omitempty"`
	// MemberID identifies the member.
	MemberID string `json:"member_id,omitempty"`
	// TOTPRegistrationID identifies the registration.
	TOTPRegistrationID string `json:"totp_registration_id,omitempty"`
	// Secret is the shared TOTP secret.
	Secret string `json:"secret,omitempty"`
	// QrCode is a base64 PNG data URL of the otpauth URI.
	QrCode string `json:"qr_code,omitempty"`
	// RecoveryCodes are single-use codes replacing a TOTP code.
	RecoveryCodes []string `json:"recovery_codes,omitempty"`
	// Member is the member.
	Member Member `json:"member,omitempty"`
	// Organization is the organization.
	Organization Organization `json:"organization,omitempty"`
	// StatusCode is the HTTP status.
	StatusCode int `json:"status_code,omitempty"`
}

// Create creates a TOTP registration (POST /v1/b2b/totp).
func (s *TOTPsService) Create(ctx context.Context, p *TOTPsCreateParams) (*TOTPsCreateResponse, error) {
	return send[TOTPsCreateResponse](ctx, s.c, http.MethodPost, "/v1/b2b/totp", p)
}

// TOTPsAuthenticateParams authenticates a TOTP code.
type TOTPsAuthenticateParams struct {
	// OrganizationID identifies the organization.
	OrganizationID string `json:"organization_id,omitempty"`
	// MemberID identifies the member.
	MemberID string `json:"member_id,omitempty"`
	// Code is the six-digit code.
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
	// SetDefaultMFA makes TOTP the member's default MFA method.
	SetDefaultMFA bool `json:"set_default_mfa,omitempty"`
	// TelemetryID is a device fingerprinting ID.
	TelemetryID string `json:"telemetry_id,omitempty"`
}

// TOTPsAuthenticateResponse is the resulting session.
type TOTPsAuthenticateResponse struct {
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

// Authenticate authenticates a TOTP code (POST /v1/b2b/totp/authenticate).
func (s *TOTPsService) Authenticate(ctx context.Context, p *TOTPsAuthenticateParams) (*TOTPsAuthenticateResponse, error) {
	return send[TOTPsAuthenticateResponse](ctx, s.c, http.MethodPost, "/v1/b2b/totp/authenticate", p)
}

// TOTPsMigrateParams imports an existing TOTP secret and recovery codes.
type TOTPsMigrateParams struct {
	// OrganizationID identifies the organization.
	OrganizationID string `json:"organization_id,omitempty"`
	// MemberID identifies the member.
	MemberID string `json:"member_id,omitempty"`
	// Secret is the existing TOTP secret.
	Secret string `json:"secret,omitempty"`
	// RecoveryCodes are the existing recovery codes.
	RecoveryCodes []string `json:"recovery_codes,omitempty"`
}

// TOTPsMigrateResponse is the imported registration.
type TOTPsMigrateResponse struct {
	// RequestID identifies the call at Stytch.
	RequestID string `json:"request_id,omitempty"`
	// MemberID identifies the member.
	MemberID string `json:"member_id,omitempty"`
	// Member is the member.
	Member Member `json:"member,omitempty"`
	// Organization is the organization.
	Organization Organization `json:"organization,omitempty"`
	// TOTPRegistrationID identifies the registration.
	TOTPRegistrationID string `json:"totp_registration_id,omitempty"`
	// RecoveryCodes are the imported recovery codes.
	RecoveryCodes []string `json:"recovery_codes,omitempty"`
	// StatusCode is the HTTP status.
	StatusCode int `json:"status_code,omitempty"`
}

// Migrate imports a TOTP registration (POST /v1/b2b/totp/migrate).
func (s *TOTPsService) Migrate(ctx context.Context, p *TOTPsMigrateParams) (*TOTPsMigrateResponse, error) {
	return send[TOTPsMigrateResponse](ctx, s.c, http.MethodPost, "/v1/b2b/totp/migrate", p)
}
