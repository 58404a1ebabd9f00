package client

import (
	"context"
	"net/http"
)

// OTPsEmailDiscoverySendParams emails a discovery one-time passcode. The code
// is valid 10 minutes by default; only the latest code sent to an address works.
type OTPsEmailDiscoverySendParams struct {
	// EmailAddress receives the code.
	EmailAddress string `json:"email_address,omitempty"`
	// LoginTemplateID selects a custom email template.
	LoginTemplateID string `json:"login_template_id,omitempty"`
	// Locale is the email's language, e.g. "en".
	Locale string `json:"locale,omitempty"`
	// DiscoveryExpirationMinutes is the code's lifetime (2..15, default 10).
	DiscoveryExpirationMinutes uint32 `json:"discovery_expiration_minutes,omitempty"`
}

// OTPsEmailDiscoverySendResponse confirms the send.
type OTPsEmailDiscoverySendResponse struct {
	// RequestID identifies the call at Stytch.
	RequestID string `json:"request_id,omitempty"`
	// StatusCode is the HTTP status.
	StatusCode int `json:"status_code,omitempty"`
}

// EmailDiscoverySend emails a discovery passcode
// (POST /v1/b2b/otps/email/discovery/send).
func (s *OTPsService) EmailDiscoverySend(ctx context.Context, p *OTPsEmailDiscoverySendParams) (*OTPsEmailDiscoverySendResponse, error) {
	return send[OTPsEmailDiscoverySendResponse](ctx, s.c, http.MethodPost, "/v1/b2b/otps/email/discovery/send", p)
}

// OTPsEmailDiscoveryAuthenticateParams authenticates a discovery passcode.
type OTPsEmailDiscoveryAuthenticateParams struct {
	// EmailAddress is the address the code was sent to.
	EmailAddress string `json:"email_address,omitempty"`
	// Code is the passcode.
	Code string `json:"code,omitempty"`
}

// EmailDiscoveryAuthenticate authenticates a discovery passcode and returns
// an intermediate session token with the discovered organizations
// (POST /v1/b2b/otps/email/discovery/authenticate).
func (s *OTPsService) EmailDiscoveryAuthenticate(ctx context.Context, p *OTPsEmailDiscoveryAuthenticateParams) (*DiscoveryAuthenticateResponse, error) {
	return send[DiscoveryAuthenticateResponse](ctx, s.c, http.MethodPost, "/v1/b2b/otps/email/discovery/authenticate", p)
}

// OTPsEmailLoginOrSignupParams emails a login passcode to a member of one
// organization, or a signup passcode to a new, pending or invited member.
// Codes are valid 10 minutes by default; a new send invalidates the previous code.
type OTPsEmailLoginOrSignupParams struct {
	// OrganizationID identifies the organization (its slug is accepted too).
	OrganizationID string `json:"organization_id,omitempty"`
	// EmailAddress receives the code.
	EmailAddress string `json:"email_address,omitempty"`
	// LoginTemplateID selects a custom login email template.
	LoginTemplateID string `json:"login_template_id,omitempty"`
	// SignupTemplateID selects a custom signup email template.
	SignupTemplateID string `json:"signup_template_id,omitempty"`
	// Locale is the email's language, e.g. "en".
	Locale string `json:"locale,omitempty"`
	// LoginExpirationMinutes is a login code's lifetime (2..15, default 10).
	LoginExpirationMinutes uint32 `json:"login_expiration_minutes,omitempty"`
	// SignupExpirationMinutes is a signup code's lifetime (2..15, default 10).
	SignupExpirationMinutes uint32 `json:"signup_expiration_minutes,omitempty"`
}

// OTPsEmailLoginOrSignupResponse names the member the code was sent to; it
// is the answer magic links give too.
type OTPsEmailLoginOrSignupResponse = MagicLinksLoginOrSignupResponse

// EmailLoginOrSignup emails a passcode for one organization
// (POST /v1/b2b/otps/email/login_or_signup).
func (s *OTPsService) EmailLoginOrSignup(ctx context.Context, p *OTPsEmailLoginOrSignupParams) (*OTPsEmailLoginOrSignupResponse, error) {
	return send[OTPsEmailLoginOrSignupResponse](ctx, s.c, http.MethodPost, "/v1/b2b/otps/email/login_or_signup", p)
}

// OTPsEmailAuthenticateParams authenticates an organization passcode.
type OTPsEmailAuthenticateParams struct {
	// OrganizationID identifies the organization.
	OrganizationID string `json:"organization_id,omitempty"`
	// EmailAddress is the member's address.
	EmailAddress string `json:"email_address,omitempty"`
	// Code is the passcode.
	Code string `json:"code,omitempty"`
	// SessionToken adds the factor to this session of the same member.
	SessionToken string `json:"session_token,omitempty"`
	// SessionJWT adds the factor to this session of the same member.
	SessionJWT string `json:"session_jwt,omitempty"`
	// IntermediateSessionToken adds the factor to the factors of this
	// intermediate session.
	IntermediateSessionToken string `json:"intermediate_session_token,omitempty"`
	// SessionDurationMinutes sets the session's lifetime (5..527040, default 60).
	SessionDurationMinutes int32 `json:"session_duration_minutes,omitempty"`
	// SessionCustomClaims adds custom claims to the session.
	SessionCustomClaims map[string]any `json:"session_custom_claims,omitempty"`
	// Locale is the language of a pre-emptively sent MFA SMS, e.g. "en".
	Locale string `json:"locale,omitempty"`
	// TelemetryID is a device fingerprinting ID.
	TelemetryID string `json:"telemetry_id,omitempty"`
}

// PrimaryAuthenticateResponse is the answer of a primary method of one
// organization (email passcode, password, password resets): the same shape
// as the other organization-scoped authenticate calls.
type PrimaryAuthenticateResponse = OrganizationAuthenticateResponse

// EmailAuthenticate authenticates an organization passcode
// (POST /v1/b2b/otps/email/authenticate).
func (s *OTPsService) EmailAuthenticate(ctx context.Context, p *OTPsEmailAuthenticateParams) (*PrimaryAuthenticateResponse, error) {
	return send[PrimaryAuthenticateResponse](ctx, s.c, http.MethodPost, "/v1/b2b/otps/email/authenticate", p)
}
