package client

import "time"

// OrganizationAuthParams are the fields shared by the organization-scoped
// authenticate calls (SSO, magic links, OAuth).
type OrganizationAuthParams struct {
	// SessionToken is an existing session of the same member to add the factor to.
	SessionToken string `json:"session_token,omitempty"`
	// SessionJWT is an existing session JWT of the same member to add the factor to.
	SessionJWT string `json:"session_jwt,omitempty"`
	// SessionDurationMinutes sets the session's lifetime (5..527040; Stytch's default 60).
	SessionDurationMinutes int32 `json:"session_duration_minutes,omitempty"`
	// SessionCustomClaims adds custom claims to the session.
	SessionCustomClaims map[string]any `json:"session_custom_claims,omitempty"`
	// IntermediateSessionToken receives the factor, e.g. to complete a
	// discovered organization's primary_required.
	IntermediateSessionToken string `json:"intermediate_session_token,omitempty"`
	// Locale is the language of an MFA SMS sent at once, e.g. "en".
	Locale string `json:"locale,omitempty"`
	// TelemetryID is a device fingerprinting ID.
	TelemetryID string `json:"telemetry_id,omitempty"`
}

// OrganizationAuthenticateResponse is the answer of the organization-scoped
// authenticate calls: a session, or, when the organization still requires
// MFA or another primary method, the intermediate session token with
// [MFARequired] or [PrimaryRequired].
type OrganizationAuthenticateResponse struct {
	// RequestID identifies the call at Stytch.
	RequestID string `json:"request_id,omitempty"`
	// MemberID identifies the member.
	MemberID string `json:"member_id,omitempty"`
	// OrganizationID identifies the organization.
	OrganizationID string `json:"organization_id,omitempty"`
	// MethodID identifies the email of a magic link (magic links only).
	MethodID string `json:"method_id,omitempty"`
	// ProviderSubject is the member's ID at the provider (OAuth only).
	ProviderSubject string `json:"provider_subject,omitempty"`
	// ProviderType is the OAuth provider, e.g. "Google" (OAuth only).
	ProviderType string `json:"provider_type,omitempty"`
	// ProviderValues are the provider's tokens (OAuth only).
	ProviderValues *ProviderValues `json:"provider_values,omitempty"`
	// SessionToken is the session token (empty when more is required).
	SessionToken string `json:"session_token,omitempty"`
	// SessionJWT is the session JWT (empty when more is required).
	SessionJWT string `json:"session_jwt,omitempty"`
	// Member is the member.
	Member Member `json:"member,omitempty"`
	// Organization is the organization.
	Organization Organization `json:"organization,omitempty"`
	// MemberAuthenticated is false when MFA or another primary method is still required.
	MemberAuthenticated bool `json:"member_authenticated,omitempty"`
	// IntermediateSessionToken is returned when more is required.
	IntermediateSessionToken string `json:"intermediate_session_token,omitempty"`
	// IntermediateSessionTokenExpiresAt is when the intermediate session token expires.
	IntermediateSessionTokenExpiresAt *time.Time `json:"intermediate_session_token_expires_at,omitempty"`
	// MemberSession is the session, when authenticated.
	MemberSession *MemberSession `json:"member_session,omitempty"`
	// MFARequired says how to complete MFA.
	MFARequired *MFARequired `json:"mfa_required,omitempty"`
	// PrimaryRequired lists the primary methods the organization still requires.
	PrimaryRequired *PrimaryRequired `json:"primary_required,omitempty"`
	// StatusCode is the HTTP status.
	StatusCode int `json:"status_code,omitempty"`
}

// ProviderValues are an OAuth provider's tokens for the member.
type ProviderValues struct {
	// AccessToken is the provider's access token.
	AccessToken string `json:"access_token,omitempty"`
	// RefreshToken is the provider's refresh token, if any.
	RefreshToken string `json:"refresh_token,omitempty"`
	// IDToken is the provider's OpenID Connect ID token, if any.
	IDToken string `json:"id_token,omitempty"`
	// Scopes are the granted scopes.
	Scopes []string `json:"scopes,omitempty"`
	// ExpiresAt is when the access token expires.
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
}

// RedirectParams describes where a browser flow started at Stytch's public
// endpoints returns.
type RedirectParams struct {
	// PublicToken is the project's public token (not the secret); required.
	PublicToken string
	// LoginRedirectURL receives existing members; default the project's Login URL.
	LoginRedirectURL string
	// SignupRedirectURL receives new members; default the project's Signup URL.
	SignupRedirectURL string
	// PkceCodeChallenge is the S256 challenge of the verifier the starting
	// browser keeps; the token then authenticates only with that verifier.
	PkceCodeChallenge string
}
