package client

import (
	"context"
	"errors"
	"net/http"
)

// ErrWeakPassword is matched (errors.Is) by an [*Error] of type
// "weak_password": a new password failed Stytch's strength check. Show the
// member the feedback of [PasswordsService.StrengthCheck].
var ErrWeakPassword = errors.New("b2bauth: password too weak")

// ErrPasswordResetRequired is matched by an [*Error] of type
// "member_reset_password": the password was right, but it must be reset (by
// email or with the existing password) before it logs in again, e.g. after it
// appeared in a breach or after [PasswordsService.EmailRequireReset].
var ErrPasswordResetRequired = errors.New("b2bauth: password must be reset")

// Error types that map onto the password sentinels.
const (
	errorTypeWeakPassword  = "weak_password"
	errorTypeResetPassword = "member_reset_password"
)

// PasswordsService calls the password endpoints. Get it from [Client.Passwords].
type PasswordsService struct {
	c *Client
}

// PasswordsAuthenticateParams logs a member into one organization with a password.
type PasswordsAuthenticateParams struct {
	// OrganizationID identifies the organization.
	OrganizationID string `json:"organization_id,omitempty"`
	// EmailAddress is the member's address.
	EmailAddress string `json:"email_address,omitempty"`
	// Password is the password.
	Password string `json:"password,omitempty"`
	// SessionToken adds the factor to this session of the same member (no MFA then).
	SessionToken string `json:"session_token,omitempty"`
	// SessionDurationMinutes sets the session's lifetime (5..527040, default 60).
	SessionDurationMinutes int32 `json:"session_duration_minutes,omitempty"`
	// SessionJWT adds the factor to this session of the same member (no MFA then).
	SessionJWT string `json:"session_jwt,omitempty"`
	// SessionCustomClaims adds custom claims to the session.
	SessionCustomClaims map[string]any `json:"session_custom_claims,omitempty"`
	// Locale is the language of a pre-emptively sent MFA SMS, e.g. "en".
	Locale string `json:"locale,omitempty"`
	// IntermediateSessionToken adds the factor to the factors of this intermediate session.
	IntermediateSessionToken string `json:"intermediate_session_token,omitempty"`
	// TelemetryID is a device fingerprinting ID.
	TelemetryID string `json:"telemetry_id,omitempty"`
}

// Authenticate checks a member's password (POST /v1/b2b/passwords/authenticate).
// A right password that must be reset matches [ErrPasswordResetRequired].
func (s *PasswordsService) Authenticate(ctx context.Context, p *PasswordsAuthenticateParams) (*PrimaryAuthenticateResponse, error) {
	return send[PrimaryAuthenticateResponse](ctx, s.c, http.MethodPost, "/v1/b2b/passwords/authenticate", p)
}

// PasswordsDiscoveryAuthenticateParams checks a password across organizations.
type PasswordsDiscoveryAuthenticateParams struct {
	// EmailAddress is the address.
	EmailAddress string `json:"email_address,omitempty"`
	// Password is the password.
	Password string `json:"password,omitempty"`
}

// DiscoveryAuthenticate checks a cross-organization password and returns an
// intermediate session token with the discovered organizations
// (POST /v1/b2b/passwords/discovery/authenticate).
func (s *PasswordsService) DiscoveryAuthenticate(ctx context.Context, p *PasswordsDiscoveryAuthenticateParams) (*DiscoveryAuthenticateResponse, error) {
	return send[DiscoveryAuthenticateResponse](ctx, s.c, http.MethodPost, "/v1/b2b/passwords/discovery/authenticate", p)
}

// PasswordsStrengthCheckParams names the password to judge.
type PasswordsStrengthCheckParams struct {
	// Password is the candidate password.
	Password string `json:"password,omitempty"`
	// EmailAddress is the member's address; with it, breach detection applies
	// and a password containing it scores lower.
	EmailAddress string `json:"email_address,omitempty"`
}

// PasswordsStrengthCheckResponse is the verdict on a password.
type PasswordsStrengthCheckResponse struct {
	// RequestID identifies the call at Stytch.
	RequestID string `json:"request_id,omitempty"`
	// ValidPassword is true when the password may be set.
	ValidPassword bool `json:"valid_password,omitempty"`
	// Score is zxcvbn's score, 0 to 4; 3 or more passes.
	Score int32 `json:"score,omitempty"`
	// BreachedPassword is true when the password appeared in a breach.
	BreachedPassword bool `json:"breached_password,omitempty"`
	// StrengthPolicy is "zxcvbn" or "luds".
	StrengthPolicy string `json:"strength_policy,omitempty"`
	// BreachDetectionOnCreate is true when breach detection applies.
	BreachDetectionOnCreate bool `json:"breach_detection_on_create,omitempty"`
	// StatusCode is the HTTP status.
	StatusCode int `json:"status_code,omitempty"`
	// LudsFeedback says which LUDS requirements the password misses.
	LudsFeedback *LudsFeedback `json:"luds_feedback,omitempty"`
	// ZxcvbnFeedback says how to make the password stronger.
	ZxcvbnFeedback *ZxcvbnFeedback `json:"zxcvbn_feedback,omitempty"`
}

// LudsFeedback is the LUDS (lowercase, uppercase, digits, symbols) verdict.
type LudsFeedback struct {
	// HasLowerCase is true with a lowercase letter.
	HasLowerCase bool `json:"has_lower_case,omitempty"`
	// HasUpperCase is true with an uppercase letter.
	HasUpperCase bool `json:"has_upper_case,omitempty"`
	// HasDigit is true with a digit.
	HasDigit bool `json:"has_digit,omitempty"`
	// HasSymbol is true with any character outside a-z and A-Z.
	HasSymbol bool `json:"has_symbol,omitempty"`
	// MissingComplexity counts the character classes still required.
	MissingComplexity int32 `json:"missing_complexity,omitempty"`
	// MissingCharacters counts the characters still required.
	MissingCharacters int32 `json:"missing_characters,omitempty"`
}

// ZxcvbnFeedback is advice to show a member whose password is too weak.
type ZxcvbnFeedback struct {
	// Warning says what is wrong, when anything is.
	Warning string `json:"warning,omitempty"`
	// Suggestions say how to improve the password.
	Suggestions []string `json:"suggestions,omitempty"`
}

// StrengthCheck judges a password (POST /v1/b2b/passwords/strength_check).
func (s *PasswordsService) StrengthCheck(ctx context.Context, p *PasswordsStrengthCheckParams) (*PasswordsStrengthCheckResponse, error) {
	return send[PasswordsStrengthCheckResponse](ctx, s.c, http.MethodPost, "/v1/b2b/passwords/strength_check", p)
}

// PasswordsEmailResetStartParams emails a member a password reset link.
type PasswordsEmailResetStartParams struct {
	// OrganizationID identifies the organization.
	OrganizationID string `json:"organization_id,omitempty"`
	// EmailAddress is the member's address.
	EmailAddress string `json:"email_address,omitempty"`
	// ResetPasswordRedirectURL is the reset page; the token is appended.
	ResetPasswordRedirectURL string `json:"reset_password_redirect_url,omitempty"`
	// ResetPasswordExpirationMinutes is the link's lifetime (5..10080, default 30).
	ResetPasswordExpirationMinutes int32 `json:"reset_password_expiration_minutes,omitempty"`
	// CodeChallenge is the S256 PKCE challenge binding the link to the asking browser.
	CodeChallenge string `json:"code_challenge,omitempty"`
	// LoginRedirectURL is where "log in without password" in the email leads.
	LoginRedirectURL string `json:"login_redirect_url,omitempty"`
	// Locale is the email's language, e.g. "en".
	Locale string `json:"locale,omitempty"`
	// ResetPasswordTemplateID selects a custom email template.
	ResetPasswordTemplateID string `json:"reset_password_template_id,omitempty"`
	// VerifyEmailTemplateID selects a custom verification email template.
	VerifyEmailTemplateID string `json:"verify_email_template_id,omitempty"`
}

// PasswordsEmailResetStartResponse names the member the link was sent to.
type PasswordsEmailResetStartResponse struct {
	// RequestID identifies the call at Stytch.
	RequestID string `json:"request_id,omitempty"`
	// MemberID identifies the member.
	MemberID string `json:"member_id,omitempty"`
	// MemberEmailID identifies the member's email address.
	MemberEmailID string `json:"member_email_id,omitempty"`
	// Member is the member.
	Member Member `json:"member,omitempty"`
	// StatusCode is the HTTP status.
	StatusCode int `json:"status_code,omitempty"`
}

// EmailResetStart emails a reset link (POST /v1/b2b/passwords/email/reset/start).
func (s *PasswordsService) EmailResetStart(ctx context.Context, p *PasswordsEmailResetStartParams) (*PasswordsEmailResetStartResponse, error) {
	return send[PasswordsEmailResetStartResponse](ctx, s.c, http.MethodPost, "/v1/b2b/passwords/email/reset/start", p)
}

// PasswordsEmailResetParams sets a password from a reset link's token.
type PasswordsEmailResetParams struct {
	// PasswordResetToken is the token from the link.
	PasswordResetToken string `json:"password_reset_token,omitempty"`
	// Password is the new password; a weak one matches [ErrWeakPassword].
	Password string `json:"password,omitempty"`
	// SessionToken updates this session of the same member.
	SessionToken string `json:"session_token,omitempty"`
	// SessionDurationMinutes sets the session's lifetime (5..527040, default 60).
	SessionDurationMinutes int32 `json:"session_duration_minutes,omitempty"`
	// SessionJWT updates this session of the same member.
	SessionJWT string `json:"session_jwt,omitempty"`
	// CodeVerifier is the PKCE verifier of the challenge sent with the start call.
	CodeVerifier string `json:"code_verifier,omitempty"`
	// SessionCustomClaims adds custom claims to the session.
	SessionCustomClaims map[string]any `json:"session_custom_claims,omitempty"`
	// Locale is the language of a pre-emptively sent MFA SMS, e.g. "en".
	Locale string `json:"locale,omitempty"`
	// IntermediateSessionToken adds the factor to the factors of this intermediate session.
	IntermediateSessionToken string `json:"intermediate_session_token,omitempty"`
	// TelemetryID is a device fingerprinting ID.
	TelemetryID string `json:"telemetry_id,omitempty"`
}

// EmailReset sets a password from a reset link, which then stops working
// (POST /v1/b2b/passwords/email/reset).
func (s *PasswordsService) EmailReset(ctx context.Context, p *PasswordsEmailResetParams) (*PrimaryAuthenticateResponse, error) {
	return send[PrimaryAuthenticateResponse](ctx, s.c, http.MethodPost, "/v1/b2b/passwords/email/reset", p)
}

// PasswordsEmailRequireResetParams names the member whose password must be reset.
type PasswordsEmailRequireResetParams struct {
	// EmailAddress is the member's address.
	EmailAddress string `json:"email_address,omitempty"`
	// OrganizationID identifies the organization.
	OrganizationID string `json:"organization_id,omitempty"`
	// MemberID identifies the member (instead of EmailAddress).
	MemberID string `json:"member_id,omitempty"`
}

// PasswordsEmailRequireResetResponse names the member.
type PasswordsEmailRequireResetResponse struct {
	// RequestID identifies the call at Stytch.
	RequestID string `json:"request_id,omitempty"`
	// StatusCode is the HTTP status.
	StatusCode int `json:"status_code,omitempty"`
	// MemberID identifies the member.
	MemberID string `json:"member_id,omitempty"`
	// Member is the member.
	Member *Member `json:"member,omitempty"`
	// Organization is the organization.
	Organization *Organization `json:"organization,omitempty"`
}

// EmailRequireReset makes a member's password unusable until it is reset
// (POST /v1/b2b/passwords/email/require_reset).
func (s *PasswordsService) EmailRequireReset(ctx context.Context, p *PasswordsEmailRequireResetParams) (*PasswordsEmailRequireResetResponse, error) {
	return send[PasswordsEmailRequireResetResponse](ctx, s.c, http.MethodPost, "/v1/b2b/passwords/email/require_reset", p)
}

// PasswordsExistingPasswordResetParams replaces a password given the current one.
type PasswordsExistingPasswordResetParams struct {
	// EmailAddress is the member's address.
	EmailAddress string `json:"email_address,omitempty"`
	// ExistingPassword is the current password.
	ExistingPassword string `json:"existing_password,omitempty"`
	// NewPassword is the new password; a weak one matches [ErrWeakPassword].
	NewPassword string `json:"new_password,omitempty"`
	// OrganizationID identifies the organization.
	OrganizationID string `json:"organization_id,omitempty"`
	// SessionToken updates this session of the same member.
	SessionToken string `json:"session_token,omitempty"`
	// SessionDurationMinutes sets the session's lifetime (5..527040, default 60).
	SessionDurationMinutes int32 `json:"session_duration_minutes,omitempty"`
	// SessionJWT updates this session of the same member.
	SessionJWT string `json:"session_jwt,omitempty"`
	// SessionCustomClaims adds custom claims to the session.
	SessionCustomClaims map[string]any `json:"session_custom_claims,omitempty"`
	// Locale is the language of a pre-emptively sent MFA SMS, e.g. "en".
	Locale string `json:"locale,omitempty"`
	// TelemetryID is a device fingerprinting ID.
	TelemetryID string `json:"telemetry_id,omitempty"`
}

// ExistingPasswordReset replaces a password given the current one
// (POST /v1/b2b/passwords/existing_password/reset).
func (s *PasswordsService) ExistingPasswordReset(ctx context.Context, p *PasswordsExistingPasswordResetParams) (*PrimaryAuthenticateResponse, error) {
	return send[PrimaryAuthenticateResponse](ctx, s.c, http.MethodPost, "/v1/b2b/passwords/existing_password/reset", p)
}
