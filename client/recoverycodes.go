package client

import (
	"context"
	"errors"
	"net/http"
	"net/url"
)

// RecoveryCodesService calls the TOTP recovery code endpoints. Get it from
// [Client.RecoveryCodes].
type RecoveryCodesService struct {
	c *Client
}

// RecoveryCodesRecoverParams completes MFA with a single-use recovery code.
type RecoveryCodesRecoverParams struct {
	// OrganizationID identifies the organization.
	OrganizationID string `json:"organization_id,omitempty"`
	// MemberID identifies the member.
	MemberID string `json:"member_id,omitempty"`
	// RecoveryCode is the code.
	RecoveryCode string `json:"recovery_code,omitempty"`
	// IntermediateSessionToken proves the primary factor during MFA.
	IntermediateSessionToken string `json:"intermediate_session_token,omitempty"`
	// SessionToken proves an existing session.
	SessionToken string `json:"session_token,omitempty"`
	// SessionJWT proves an existing session.
	SessionJWT string `json:"session_jwt,omitempty"`
	// SessionDurationMinutes sets the session's lifetime (5..527040).
	SessionDurationMinutes int32 `json:"session_duration_minutes,omitempty"`
	// SessionCustomClaims adds custom claims to the session.
	SessionCustomClaims map[string]any `json:"session_custom_claims,omitempty"`
	// TelemetryID is a device fingerprinting ID.
	TelemetryID string `json:"telemetry_id,omitempty"`
}

// RecoveryCodesRecoverResponse is the resulting session.
type RecoveryCodesRecoverResponse struct {
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
	// RecoveryCodesRemaining counts the unused codes.
	RecoveryCodesRemaining int `json:"recovery_codes_remaining,omitempty"`
	// StatusCode is the HTTP status.
	StatusCode int `json:"status_code,omitempty"`
	// MemberSession is the session.
	MemberSession *MemberSession `json:"member_session,omitempty"`
}

// Recover authenticates a recovery code (POST /v1/b2b/recovery_codes/recover).
func (s *RecoveryCodesService) Recover(ctx context.Context, p *RecoveryCodesRecoverParams) (*RecoveryCodesRecoverResponse, error) {
	return send[RecoveryCodesRecoverResponse](ctx, s.c, http.MethodPost, "/v1/b2b/recovery_codes/recover", p)
}

// RecoveryCodesGetParams names the member whose recovery codes to read.
type RecoveryCodesGetParams struct {
	// OrganizationID identifies the organization.
	OrganizationID string `json:"organization_id,omitempty"`
	// MemberID identifies the member.
	MemberID string `json:"member_id,omitempty"`
}

// RecoveryCodesGetResponse lists a member's unused recovery codes.
type RecoveryCodesGetResponse struct {
	// RequestID identifies the call at Stytch.
	RequestID string `json:"request_id,omitempty"`
	// MemberID identifies the member.
	MemberID string `json:"member_id,omitempty"`
	// Member is the member.
	Member Member `json:"member,omitempty"`
	// Organization is the organization.
	Organization Organization `json:"organization,omitempty"`
	// RecoveryCodes lists the unused codes.
	RecoveryCodes []string `json:"recovery_codes,omitempty"`
	// StatusCode is the HTTP status.
	StatusCode int `json:"status_code,omitempty"`
}

// Get reads a member's recovery codes
// (GET /v1/b2b/recovery_codes/{organization_id}/{member_id}).
func (s *RecoveryCodesService) Get(ctx context.Context, p *RecoveryCodesGetParams) (*RecoveryCodesGetResponse, error) {
	if p == nil || p.OrganizationID == "" || p.MemberID == "" {
		return nil, errors.New("b2bauth: recovery codes get: organization id and member id are required")
	}
	path := "/v1/b2b/recovery_codes/" + url.PathEscape(p.OrganizationID) + "/" + url.PathEscape(p.MemberID)
	return get[RecoveryCodesGetResponse](ctx, s.c, path, nil, false)
}

// RecoveryCodesRotateParams names the member whose recovery codes to replace.
type RecoveryCodesRotateParams struct {
	// OrganizationID identifies the organization.
	OrganizationID string `json:"organization_id,omitempty"`
	// MemberID identifies the member.
	MemberID string `json:"member_id,omitempty"`
}

// RecoveryCodesRotateResponse lists the new recovery codes.
type RecoveryCodesRotateResponse struct {
	// RequestID identifies the call at Stytch.
	RequestID string `json:"request_id,omitempty"`
	// MemberID identifies the member.
	MemberID string `json:"member_id,omitempty"`
	// Member is the member.
	Member Member `json:"member,omitempty"`
	// Organization is the organization.
	Organization Organization `json:"organization,omitempty"`
	// RecoveryCodes lists the new codes.
	RecoveryCodes []string `json:"recovery_codes,omitempty"`
	// StatusCode is the HTTP status.
	StatusCode int `json:"status_code,omitempty"`
}

// Rotate replaces a member's recovery codes (POST /v1/b2b/recovery_codes/rotate).
func (s *RecoveryCodesService) Rotate(ctx context.Context, p *RecoveryCodesRotateParams) (*RecoveryCodesRotateResponse, error) {
	return send[RecoveryCodesRotateResponse](ctx, s.c, http.MethodPost, "/v1/b2b/recovery_codes/rotate", p)
}
