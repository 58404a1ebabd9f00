package client

import (
	"context"
	"net/http"
	"time"
)

// DiscoveryService calls the discovery endpoints that turn an intermediate
// session token into a session. Get it from [Client.Discovery].
type DiscoveryService struct {
	c *Client
}

// DiscoveryExchangeParams exchanges an intermediate session token for a
// session in one organization.
type DiscoveryExchangeParams struct {
	// IntermediateSessionToken is the token from a discovery authenticate call.
	IntermediateSessionToken string `json:"intermediate_session_token,omitempty"`
	// OrganizationID identifies the organization to log in to.
	OrganizationID string `json:"organization_id,omitempty"`
	// SessionDurationMinutes sets the session's lifetime (5..527040).
	SessionDurationMinutes int32 `json:"session_duration_minutes,omitempty"`
	// SessionCustomClaims adds custom claims to the session.
	SessionCustomClaims map[string]any `json:"session_custom_claims,omitempty"`
	// Locale is the language of a pre-emptively sent MFA SMS, e.g. "en".
	Locale string `json:"locale,omitempty"`
	// TelemetryID is a device fingerprinting ID.
	TelemetryID string `json:"telemetry_id,omitempty"`
}

// DiscoveryExchangeResponse is what entering an organization answers — the
// intermediate session exchange, the discovery organization create and the
// sessions exchange alike: a session, or, when MFA is required, the
// intermediate session token again with [MFARequired].
type DiscoveryExchangeResponse struct {
	// RequestID identifies the call at Stytch.
	RequestID string `json:"request_id,omitempty"`
	// MemberID identifies the member.
	MemberID string `json:"member_id,omitempty"`
	// SessionToken is the session token (empty when MFA is required).
	SessionToken string `json:"session_token,omitempty"`
	// SessionJWT is the session JWT (empty when MFA is required).
	SessionJWT string `json:"session_jwt,omitempty"`
	// Member is the member.
	Member Member `json:"member,omitempty"`
	// Organization is the organization.
	Organization Organization `json:"organization,omitempty"`
	// MemberAuthenticated is false when MFA is still required.
	MemberAuthenticated bool `json:"member_authenticated,omitempty"`
	// IntermediateSessionToken is returned (not consumed) when MFA is required.
	IntermediateSessionToken string `json:"intermediate_session_token,omitempty"`
	// StatusCode is the HTTP status.
	StatusCode int `json:"status_code,omitempty"`
	// MemberSession is the session, when authenticated.
	MemberSession *MemberSession `json:"member_session,omitempty"`
	// MFARequired says how to complete MFA.
	MFARequired *MFARequired `json:"mfa_required,omitempty"`
	// PrimaryRequired is set when another primary factor is required.
	PrimaryRequired *PrimaryRequired `json:"primary_required,omitempty"`
	// IntermediateSessionTokenExpiresAt is when the intermediate session token expires.
	IntermediateSessionTokenExpiresAt *time.Time `json:"intermediate_session_token_expires_at,omitempty"`
}

// ExchangeIntermediateSession exchanges an intermediate session token
// (POST /v1/b2b/discovery/intermediate_sessions/exchange).
func (s *DiscoveryService) ExchangeIntermediateSession(ctx context.Context, p *DiscoveryExchangeParams) (*DiscoveryExchangeResponse, error) {
	return send[DiscoveryExchangeResponse](ctx, s.c, http.MethodPost, "/v1/b2b/discovery/intermediate_sessions/exchange", p)
}

// DiscoveryCreateOrganizationParams creates an organization with the
// discovered email address as its first (admin) member.
type DiscoveryCreateOrganizationParams struct {
	// IntermediateSessionToken is the token from a discovery authenticate call.
	IntermediateSessionToken string `json:"intermediate_session_token,omitempty"`
	// SessionDurationMinutes sets the session's lifetime (5..527040).
	SessionDurationMinutes int32 `json:"session_duration_minutes,omitempty"`
	// SessionCustomClaims adds custom claims to the session.
	SessionCustomClaims map[string]any `json:"session_custom_claims,omitempty"`
	// OrganizationName is the display name.
	OrganizationName string `json:"organization_name,omitempty"`
	// OrganizationSlug is the unique slug.
	OrganizationSlug string `json:"organization_slug,omitempty"`
	// OrganizationExternalID is the organization's ID in the application.
	OrganizationExternalID string `json:"organization_external_id,omitempty"`
	// OrganizationLogoURL is the logo.
	OrganizationLogoURL string `json:"organization_logo_url,omitempty"`
	// TrustedMetadata is backend-only metadata.
	TrustedMetadata map[string]any `json:"trusted_metadata,omitempty"`
	// SSOJITProvisioning is "ALL_ALLOWED", "RESTRICTED" or "NOT_ALLOWED".
	SSOJITProvisioning string `json:"sso_jit_provisioning,omitempty"`
	// EmailAllowedDomains lists domains whose addresses may join.
	EmailAllowedDomains []string `json:"email_allowed_domains,omitempty"`
	// EmailJITProvisioning is "RESTRICTED" or "NOT_ALLOWED".
	EmailJITProvisioning string `json:"email_jit_provisioning,omitempty"`
	// EmailInvites is "ALL_ALLOWED", "RESTRICTED" or "NOT_ALLOWED".
	EmailInvites string `json:"email_invites,omitempty"`
	// AuthMethods is "ALL_ALLOWED" or "RESTRICTED".
	AuthMethods string `json:"auth_methods,omitempty"`
	// AllowedAuthMethods lists the allowed primary methods when restricted.
	AllowedAuthMethods []string `json:"allowed_auth_methods,omitempty"`
	// MFAPolicy is [MFAPolicyRequiredForAll] or [MFAPolicyOptional].
	MFAPolicy string `json:"mfa_policy,omitempty"`
	// RBACEmailImplicitRoleAssignments grants roles by email domain.
	RBACEmailImplicitRoleAssignments []EmailImplicitRoleAssignment `json:"rbac_email_implicit_role_assignments,omitempty"`
	// MFAMethods is "ALL_ALLOWED" or "RESTRICTED".
	MFAMethods string `json:"mfa_methods,omitempty"`
	// AllowedMFAMethods lists [MFAMethodSMSOTP] and/or [MFAMethodTOTP] when restricted.
	AllowedMFAMethods []string `json:"allowed_mfa_methods,omitempty"`
	// OAuthTenantJITProvisioning is "RESTRICTED" or "NOT_ALLOWED".
	OAuthTenantJITProvisioning string `json:"oauth_tenant_jit_provisioning,omitempty"`
	// AllowedOAuthTenants maps OAuth providers to allowed tenants.
	AllowedOAuthTenants map[string]any `json:"allowed_oauth_tenants,omitempty"`
	// TelemetryID is a device fingerprinting ID.
	TelemetryID string `json:"telemetry_id,omitempty"`
}

// DiscoveryCreateOrganizationResponse has the shape of every answer that
// enters an organization.
type DiscoveryCreateOrganizationResponse = DiscoveryExchangeResponse

// CreateOrganization creates an organization via discovery
// (POST /v1/b2b/discovery/organizations/create).
func (s *DiscoveryService) CreateOrganization(ctx context.Context, p *DiscoveryCreateOrganizationParams) (*DiscoveryCreateOrganizationResponse, error) {
	return send[DiscoveryCreateOrganizationResponse](ctx, s.c, http.MethodPost, "/v1/b2b/discovery/organizations/create", p)
}

// DiscoveryListOrganizationsParams names the credential whose organizations
// to list: an intermediate session token, or a session token or JWT.
type DiscoveryListOrganizationsParams struct {
	// IntermediateSessionToken is the token from a discovery authenticate call.
	IntermediateSessionToken string `json:"intermediate_session_token,omitempty"`
	// SessionToken is a session token.
	SessionToken string `json:"session_token,omitempty"`
	// SessionJWT is a session JWT.
	SessionJWT string `json:"session_jwt,omitempty"`
}

// DiscoveryListOrganizationsResponse lists the organizations of an email address.
type DiscoveryListOrganizationsResponse struct {
	// RequestID identifies the call at Stytch.
	RequestID string `json:"request_id,omitempty"`
	// EmailAddress is the discovered email address.
	EmailAddress string `json:"email_address,omitempty"`
	// DiscoveredOrganizations lists the organizations.
	DiscoveredOrganizations []DiscoveredOrganization `json:"discovered_organizations,omitempty"`
	// StatusCode is the HTTP status.
	StatusCode int `json:"status_code,omitempty"`
	// OrganizationIDHint is the organization the member last logged in to, if any.
	OrganizationIDHint string `json:"organization_id_hint,omitempty"`
}

// ListOrganizations lists discovered organizations
// (POST /v1/b2b/discovery/organizations).
func (s *DiscoveryService) ListOrganizations(ctx context.Context, p *DiscoveryListOrganizationsParams) (*DiscoveryListOrganizationsResponse, error) {
	return send[DiscoveryListOrganizationsResponse](ctx, s.c, http.MethodPost, "/v1/b2b/discovery/organizations", p)
}

// DiscoveryAuthenticateResponse is the answer of both discovery authenticate
// calls ([MagicLinksService.DiscoveryAuthenticate], [OAuthService.DiscoveryAuthenticate]):
// an intermediate session token and the organizations it can enter.
type DiscoveryAuthenticateResponse struct {
	// RequestID identifies the call at Stytch.
	RequestID string `json:"request_id,omitempty"`
	// IntermediateSessionToken is valid for 10 minutes.
	IntermediateSessionToken string `json:"intermediate_session_token,omitempty"`
	// EmailAddress is the authenticated email address.
	EmailAddress string `json:"email_address,omitempty"`
	// DiscoveredOrganizations lists the organizations.
	DiscoveredOrganizations []DiscoveredOrganization `json:"discovered_organizations,omitempty"`
	// ProviderType is the OAuth provider (OAuth only).
	ProviderType string `json:"provider_type,omitempty"`
	// ProviderTenantID is the provider tenant (OAuth only).
	ProviderTenantID string `json:"provider_tenant_id,omitempty"`
	// ProviderTenantIDs lists the provider tenants (OAuth only).
	ProviderTenantIDs []string `json:"provider_tenant_ids,omitempty"`
	// FullName is the provider's name of the user (OAuth only).
	FullName string `json:"full_name,omitempty"`
	// StatusCode is the HTTP status.
	StatusCode int `json:"status_code,omitempty"`
	// IntermediateSessionTokenExpiresAt is when the intermediate session token expires.
	IntermediateSessionTokenExpiresAt *time.Time `json:"intermediate_session_token_expires_at,omitempty"`
}
