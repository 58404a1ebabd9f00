package client

import (
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// MemberSession is a member's session in one organization.
type MemberSession struct {
	// MemberSessionID identifies the session.
	MemberSessionID string `json:"member_session_id,omitempty"`
	// MemberID identifies the member.
	MemberID string `json:"member_id,omitempty"`
	// StartedAt is when the session began.
	StartedAt *time.Time `json:"started_at,omitempty"`
	// LastAccessedAt is when the session was last authenticated.
	LastAccessedAt *time.Time `json:"last_accessed_at,omitempty"`
	// ExpiresAt is when the session ends.
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
	// AuthenticationFactors lists the factors the member authenticated with.
	AuthenticationFactors []AuthenticationFactor `json:"authentication_factors,omitempty"`
	// OrganizationID identifies the session's organization.
	OrganizationID string `json:"organization_id,omitempty"`
	// Roles are the role IDs the session holds.
	Roles []string `json:"roles,omitempty"`
	// OrganizationSlug is the organization's slug.
	OrganizationSlug string `json:"organization_slug,omitempty"`
	// CustomClaims are the session's custom claims.
	CustomClaims map[string]any `json:"custom_claims,omitempty"`
}

// Authentication factor types (AuthenticationFactor.Type) used by B2B flows.
const (
	// FactorTypeMagicLink is an email magic link.
	FactorTypeMagicLink = "magic_link"
	// FactorTypeOTP is a one-time passcode (SMS or email).
	FactorTypeOTP = "otp"
	// FactorTypeTOTP is a TOTP code from an authenticator app.
	FactorTypeTOTP = "totp"
	// FactorTypeRecoveryCodes is a TOTP recovery code.
	FactorTypeRecoveryCodes = "recovery_codes"
	// FactorTypeOAuth is an OAuth login.
	FactorTypeOAuth = "oauth"
	// FactorTypeSSO is a SAML or OIDC single sign-on.
	FactorTypeSSO = "sso"
	// FactorTypePassword is a password.
	FactorTypePassword = "password"
	// FactorTypeImpersonated is an impersonation by another member.
	FactorTypeImpersonated = "impersonated"
)

// Delivery methods (AuthenticationFactor.DeliveryMethod) used by B2B flows.
const (
	// DeliveryEmail delivers by email.
	DeliveryEmail = "email"
	// DeliverySMS delivers by SMS.
	DeliverySMS = "sms"
	// DeliveryAuthenticatorApp is an authenticator app (TOTP).
	DeliveryAuthenticatorApp = "authenticator_app"
	// DeliveryRecoveryCode is a recovery code.
	DeliveryRecoveryCode = "recovery_code"
)

// AuthenticationFactor is one factor of a session, in member_session and in
// the session JWT claim. At most one of the ...Factor fields is set.
type AuthenticationFactor struct {
	// Type is the kind of factor, e.g. [FactorTypeOTP].
	Type string `json:"type,omitempty"`
	// DeliveryMethod is how it was delivered, e.g. [DeliverySMS].
	DeliveryMethod string `json:"delivery_method,omitempty"`
	// LastAuthenticatedAt is when the factor was last used; step-up checks read it.
	LastAuthenticatedAt *time.Time `json:"last_authenticated_at,omitempty"`
	// CreatedAt is when the factor was first added to the session.
	CreatedAt *time.Time `json:"created_at,omitempty"`
	// UpdatedAt is when the factor was last updated.
	UpdatedAt *time.Time `json:"updated_at,omitempty"`

	// EmailFactor is set for email magic links and email OTPs.
	EmailFactor *EmailFactor `json:"email_factor,omitempty"`
	// PhoneNumberFactor is set for SMS OTPs.
	PhoneNumberFactor *PhoneNumberFactor `json:"phone_number_factor,omitempty"`
	// AuthenticatorAppFactor is set for TOTP.
	AuthenticatorAppFactor *AuthenticatorAppFactor `json:"authenticator_app_factor,omitempty"`
	// RecoveryCodeFactor is set for recovery codes.
	RecoveryCodeFactor *RecoveryCodeFactor `json:"recovery_code_factor,omitempty"`
	// GoogleOAuthFactor is set for Google OAuth.
	GoogleOAuthFactor *OAuthFactor `json:"google_oauth_factor,omitempty"`
	// MicrosoftOAuthFactor is set for Microsoft OAuth.
	MicrosoftOAuthFactor *OAuthFactor `json:"microsoft_oauth_factor,omitempty"`
	// GithubOAuthFactor is set for GitHub OAuth.
	GithubOAuthFactor *OAuthFactor `json:"github_oauth_factor,omitempty"`
	// HubspotOAuthFactor is set for HubSpot OAuth.
	HubspotOAuthFactor *OAuthFactor `json:"hubspot_oauth_factor,omitempty"`
	// SlackOAuthFactor is set for Slack OAuth.
	SlackOAuthFactor *OAuthFactor `json:"slack_oauth_factor,omitempty"`
	// SAMLSSOFactor is set for SAML single sign-on.
	SAMLSSOFactor *SSOFactor `json:"saml_sso_factor,omitempty"`
	// OIDCSSOFactor is set for OIDC single sign-on.
	OIDCSSOFactor *SSOFactor `json:"oidc_sso_factor,omitempty"`
	// ImpersonatedFactor is set for an impersonated session.
	ImpersonatedFactor *ImpersonatedFactor `json:"impersonated_factor,omitempty"`
}

// EmailFactor names the email address of an email factor.
type EmailFactor struct {
	// EmailID identifies the email address.
	EmailID string `json:"email_id,omitempty"`
	// EmailAddress is the address.
	EmailAddress string `json:"email_address,omitempty"`
}

// PhoneNumberFactor names the phone number of an SMS factor.
type PhoneNumberFactor struct {
	// PhoneID identifies the phone number.
	PhoneID string `json:"phone_id,omitempty"`
	// PhoneNumber is the number in E.164 format.
	PhoneNumber string `json:"phone_number,omitempty"`
}

// AuthenticatorAppFactor names the TOTP registration of a TOTP factor.
type AuthenticatorAppFactor struct {
	// TOTPID identifies the TOTP registration.
	TOTPID string `json:"totp_id,omitempty"`
}

// RecoveryCodeFactor names the recovery code registration used.
type RecoveryCodeFactor struct {
	// TOTPRecoveryCodeID identifies the recovery code registration.
	TOTPRecoveryCodeID string `json:"totp_recovery_code_id,omitempty"`
}

// OAuthFactor names the provider account of an OAuth factor.
type OAuthFactor struct {
	// ID identifies the OAuth registration.
	ID string `json:"id,omitempty"`
	// ProviderSubject is the member's ID at the provider.
	ProviderSubject string `json:"provider_subject,omitempty"`
	// EmailID identifies the email address, when known.
	EmailID string `json:"email_id,omitempty"`
}

// SSOFactor names the connection of a single sign-on factor.
type SSOFactor struct {
	// ID identifies the SSO registration.
	ID string `json:"id,omitempty"`
	// ProviderID identifies the SSO connection.
	ProviderID string `json:"provider_id,omitempty"`
	// ExternalID is the member's ID at the identity provider.
	ExternalID string `json:"external_id,omitempty"`
}

// ImpersonatedFactor names who impersonates the member.
type ImpersonatedFactor struct {
	// ImpersonatorID identifies the impersonator.
	ImpersonatorID string `json:"impersonator_id,omitempty"`
	// ImpersonatorEmailAddress is the impersonator's email address.
	ImpersonatorEmailAddress string `json:"impersonator_email_address,omitempty"`
}

// Member is a member of an organization.
type Member struct {
	// OrganizationID identifies the member's organization.
	OrganizationID string `json:"organization_id,omitempty"`
	// MemberID identifies the member.
	MemberID string `json:"member_id,omitempty"`
	// EmailAddress is the member's email address.
	EmailAddress string `json:"email_address,omitempty"`
	// Status is "active", "pending", "invited" or "deleted".
	Status string `json:"status,omitempty"`
	// Name is the member's display name.
	Name string `json:"name,omitempty"`
	// SSORegistrations lists the member's SSO registrations.
	SSORegistrations []SSORegistration `json:"sso_registrations,omitempty"`
	// IsBreakglass reports whether the member may bypass SSO.
	IsBreakglass bool `json:"is_breakglass,omitempty"`
	// MemberPasswordID identifies the member's password, if any.
	MemberPasswordID string `json:"member_password_id,omitempty"`
	// OAuthRegistrations lists the member's OAuth registrations.
	OAuthRegistrations []OAuthRegistration `json:"oauth_registrations,omitempty"`
	// EmailAddressVerified reports whether the email address was verified.
	EmailAddressVerified bool `json:"email_address_verified,omitempty"`
	// MFAPhoneNumberVerified reports whether the MFA phone number was verified.
	MFAPhoneNumberVerified bool `json:"mfa_phone_number_verified,omitempty"`
	// IsAdmin reports whether the member holds the stytch_admin role.
	IsAdmin bool `json:"is_admin,omitempty"`
	// TOTPRegistrationID identifies the member's TOTP registration, if any.
	TOTPRegistrationID string `json:"totp_registration_id,omitempty"`
	// RetiredEmailAddresses lists former email addresses.
	RetiredEmailAddresses []RetiredEmail `json:"retired_email_addresses,omitempty"`
	// IsLocked reports whether the member is locked out.
	IsLocked bool `json:"is_locked,omitempty"`
	// MFAEnrolled reports whether the member must do MFA under an OPTIONAL policy.
	MFAEnrolled bool `json:"mfa_enrolled,omitempty"`
	// MFAPhoneNumber is the member's MFA phone number.
	MFAPhoneNumber string `json:"mfa_phone_number,omitempty"`
	// DefaultMFAMethod is "sms_otp" or "totp".
	DefaultMFAMethod string `json:"default_mfa_method,omitempty"`
	// Roles lists the member's roles with their sources.
	Roles []MemberRole `json:"roles,omitempty"`
	// TrustedMetadata is metadata only the backend may write.
	TrustedMetadata map[string]any `json:"trusted_metadata,omitempty"`
	// UntrustedMetadata is metadata the frontend may write.
	UntrustedMetadata map[string]any `json:"untrusted_metadata,omitempty"`
	// CreatedAt is when the member was created.
	CreatedAt *time.Time `json:"created_at,omitempty"`
	// UpdatedAt is when the member was last updated.
	UpdatedAt *time.Time `json:"updated_at,omitempty"`
	// ExternalID is the member's ID in the application, if set.
	ExternalID string `json:"external_id,omitempty"`
	// LockCreatedAt is when the lock began.
	LockCreatedAt *time.Time `json:"lock_created_at,omitempty"`
	// LockExpiresAt is when the lock ends.
	LockExpiresAt *time.Time `json:"lock_expires_at,omitempty"`
}

// MemberRole is a role of a member and why the member holds it.
type MemberRole struct {
	// RoleID identifies the role.
	RoleID string `json:"role_id,omitempty"`
	// Sources lists the assignments granting the role.
	Sources []MemberRoleSource `json:"sources,omitempty"`
}

// MemberRoleSource is one assignment of a role.
type MemberRoleSource struct {
	// Type is e.g. "direct_assignment" or "email_assignment".
	Type string `json:"type,omitempty"`
	// Details describes the assignment.
	Details map[string]any `json:"details,omitempty"`
}

// SSORegistration links a member to an SSO connection.
type SSORegistration struct {
	// ConnectionID identifies the SSO connection.
	ConnectionID string `json:"connection_id,omitempty"`
	// ExternalID is the member's ID at the identity provider.
	ExternalID string `json:"external_id,omitempty"`
	// RegistrationID identifies the registration.
	RegistrationID string `json:"registration_id,omitempty"`
	// SSOAttributes are the attributes the identity provider sent.
	SSOAttributes map[string]any `json:"sso_attributes,omitempty"`
}

// OAuthRegistration links a member to an OAuth provider account.
type OAuthRegistration struct {
	// ProviderType is e.g. "Google".
	ProviderType string `json:"provider_type,omitempty"`
	// ProviderSubject is the member's ID at the provider.
	ProviderSubject string `json:"provider_subject,omitempty"`
	// MemberOAuthRegistrationID identifies the registration.
	MemberOAuthRegistrationID string `json:"member_oauth_registration_id,omitempty"`
	// ProfilePictureURL is the provider's picture of the member.
	ProfilePictureURL string `json:"profile_picture_url,omitempty"`
	// Locale is the provider's locale of the member.
	Locale string `json:"locale,omitempty"`
}

// RetiredEmail is a former email address of a member.
type RetiredEmail struct {
	// EmailID identifies the address.
	EmailID string `json:"email_id,omitempty"`
	// EmailAddress is the address.
	EmailAddress string `json:"email_address,omitempty"`
}

// MFA policies (Organization.MFAPolicy).
const (
	// MFAPolicyRequiredForAll requires MFA of every member.
	MFAPolicyRequiredForAll = "REQUIRED_FOR_ALL"
	// MFAPolicyOptional requires MFA of enrolled members only.
	MFAPolicyOptional = "OPTIONAL"
)

// MFA methods (Organization.AllowedMFAMethods, Member.DefaultMFAMethod).
const (
	// MFAMethodSMSOTP is MFA by SMS passcode.
	MFAMethodSMSOTP = "sms_otp"
	// MFAMethodTOTP is MFA by authenticator app.
	MFAMethodTOTP = "totp"
)

// Organization is a tenant of the project.
type Organization struct {
	// OrganizationID identifies the organization.
	OrganizationID string `json:"organization_id,omitempty"`
	// OrganizationName is its display name.
	OrganizationName string `json:"organization_name,omitempty"`
	// OrganizationLogoURL is its logo.
	OrganizationLogoURL string `json:"organization_logo_url,omitempty"`
	// OrganizationSlug is its unique slug.
	OrganizationSlug string `json:"organization_slug,omitempty"`
	// SSOJITProvisioning is "ALL_ALLOWED", "RESTRICTED" or "NOT_ALLOWED".
	SSOJITProvisioning string `json:"sso_jit_provisioning,omitempty"`
	// SSOJITProvisioningAllowedConnections lists connections allowed to provision members.
	SSOJITProvisioningAllowedConnections []string `json:"sso_jit_provisioning_allowed_connections,omitempty"`
	// SSOActiveConnections lists the active SSO connections.
	SSOActiveConnections []ActiveSSOConnection `json:"sso_active_connections,omitempty"`
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
	// ClaimedEmailDomains lists the domains the organization claimed.
	ClaimedEmailDomains []string `json:"claimed_email_domains,omitempty"`
	// TrustedMetadata is metadata only the backend may write.
	TrustedMetadata map[string]any `json:"trusted_metadata,omitempty"`
	// CreatedAt is when the organization was created.
	CreatedAt *time.Time `json:"created_at,omitempty"`
	// UpdatedAt is when the organization was last updated.
	UpdatedAt *time.Time `json:"updated_at,omitempty"`
	// OrganizationExternalID is the organization's ID in the application, if set.
	OrganizationExternalID string `json:"organization_external_id,omitempty"`
	// SSODefaultConnectionID identifies the default SSO connection.
	SSODefaultConnectionID string `json:"sso_default_connection_id,omitempty"`
	// AllowedOAuthTenants maps OAuth providers to allowed tenants.
	AllowedOAuthTenants map[string]any `json:"allowed_oauth_tenants,omitempty"`
}

// ActiveSSOConnection is an SSO connection of an organization.
type ActiveSSOConnection struct {
	// ConnectionID identifies the connection.
	ConnectionID string `json:"connection_id,omitempty"`
	// DisplayName is its display name.
	DisplayName string `json:"display_name,omitempty"`
	// IdentityProvider names the identity provider.
	IdentityProvider string `json:"identity_provider,omitempty"`
}

// EmailImplicitRoleAssignment grants a role to members of an email domain.
type EmailImplicitRoleAssignment struct {
	// Domain is the email domain.
	Domain string `json:"domain,omitempty"`
	// RoleID is the granted role.
	RoleID string `json:"role_id,omitempty"`
}

// Membership types (Membership.Type).
const (
	// MembershipActiveMember is an active member.
	MembershipActiveMember = "active_member"
	// MembershipPendingMember is a member who has not logged in yet.
	MembershipPendingMember = "pending_member"
	// MembershipInvitedMember is an invited member.
	MembershipInvitedMember = "invited_member"
	// MembershipEligibleToJoinByEmailDomain may join through the email domain.
	MembershipEligibleToJoinByEmailDomain = "eligible_to_join_by_email_domain"
	// MembershipEligibleToJoinByOAuthTenant may join through the OAuth tenant.
	MembershipEligibleToJoinByOAuthTenant = "eligible_to_join_by_oauth_tenant"
)

// DiscoveredOrganization is an organization the discovered email address can log in to or join.
type DiscoveredOrganization struct {
	// MemberAuthenticated reports whether an exchange yields a full session without MFA.
	MemberAuthenticated bool `json:"member_authenticated,omitempty"`
	// Organization is the organization.
	Organization *Organization `json:"organization,omitempty"`
	// Membership says how the address relates to the organization.
	Membership *Membership `json:"membership,omitempty"`
	// PrimaryRequired is set when the organization needs another primary factor.
	PrimaryRequired *PrimaryRequired `json:"primary_required,omitempty"`
	// MFARequired is set when the member must complete MFA.
	MFARequired *MFARequired `json:"mfa_required,omitempty"`
}

// Membership relates a discovered email address to an organization.
type Membership struct {
	// Type is one of the Membership... constants, e.g. [MembershipActiveMember].
	Type string `json:"type,omitempty"`
	// Details describes the membership (e.g. the matching domain).
	Details map[string]any `json:"details,omitempty"`
	// Member is the member, when one exists.
	Member *Member `json:"member,omitempty"`
}

// MFARequired says that and how a member must complete MFA.
type MFARequired struct {
	// MemberOptions lists the member's registered MFA options.
	MemberOptions *MemberOptions `json:"member_options,omitempty"`
	// SecondaryAuthInitiated is "sms_otp" when an SMS code was already sent, else empty.
	SecondaryAuthInitiated string `json:"secondary_auth_initiated,omitempty"`
}

// MemberOptions lists a member's registered MFA options.
type MemberOptions struct {
	// MFAPhoneNumber is the member's MFA phone number, if any.
	MFAPhoneNumber string `json:"mfa_phone_number,omitempty"`
	// TOTPRegistrationID identifies the member's TOTP registration, if any.
	TOTPRegistrationID string `json:"totp_registration_id,omitempty"`
}

// PrimaryRequired lists the primary methods an organization still requires.
type PrimaryRequired struct {
	// AllowedAuthMethods lists the acceptable primary methods.
	AllowedAuthMethods []string `json:"allowed_auth_methods,omitempty"`
}

// AuthorizationCheck asks whether a session may perform Action on ResourceID in OrganizationID.
type AuthorizationCheck struct {
	// OrganizationID must equal the session's organization.
	OrganizationID string `json:"organization_id,omitempty"`
	// ResourceID identifies the RBAC resource.
	ResourceID string `json:"resource_id,omitempty"`
	// Action is the action on the resource.
	Action string `json:"action,omitempty"`
}

// AuthorizationVerdict is the answer to an allowed [AuthorizationCheck].
type AuthorizationVerdict struct {
	// Authorized is true when the request succeeded.
	Authorized bool `json:"authorized,omitempty"`
	// GrantingRoles lists the roles that allowed the action.
	GrantingRoles []string `json:"granting_roles,omitempty"`
}

// Policy is the project's RBAC policy.
type Policy struct {
	// Roles lists the project's roles.
	Roles []PolicyRole `json:"roles,omitempty"`
	// Resources lists the project's resources.
	Resources []PolicyResource `json:"resources,omitempty"`
	// Scopes lists the project's OAuth scopes.
	Scopes []PolicyScope `json:"scopes,omitempty"`
}

// OrgPolicy is an organization's own RBAC roles, merged with the project's for its members.
type OrgPolicy struct {
	// Roles lists the organization's roles.
	Roles []PolicyRole `json:"roles,omitempty"`
}

// PolicyRole is a role and the permissions it grants.
type PolicyRole struct {
	// RoleID identifies the role, e.g. "stytch_admin".
	RoleID string `json:"role_id,omitempty"`
	// Description describes the role.
	Description string `json:"description,omitempty"`
	// Permissions lists the role's permissions.
	Permissions []PolicyPermission `json:"permissions,omitempty"`
}

// PolicyPermission grants actions on a resource; the action "*" grants all.
type PolicyPermission struct {
	// ResourceID identifies the resource.
	ResourceID string `json:"resource_id,omitempty"`
	// Actions lists the granted actions.
	Actions []string `json:"actions,omitempty"`
}

// PolicyResource is a resource and its actions.
type PolicyResource struct {
	// ResourceID identifies the resource.
	ResourceID string `json:"resource_id,omitempty"`
	// Description describes the resource.
	Description string `json:"description,omitempty"`
	// Actions lists the resource's actions.
	Actions []string `json:"actions,omitempty"`
}

// PolicyScope is an OAuth scope and the permissions it grants.
type PolicyScope struct {
	// Scope names the scope.
	Scope string `json:"scope,omitempty"`
	// Description describes the scope.
	Description string `json:"description,omitempty"`
	// Permissions lists the scope's permissions.
	Permissions []PolicyPermission `json:"permissions,omitempty"`
}

// JWK is one key of the project's JSON Web Key Set.
type JWK struct {
	// Kty is the key type, "RSA".
	Kty string `json:"kty,omitempty"`
	// Use is "sig".
	Use string `json:"use,omitempty"`
	// KeyOps lists the key's operations.
	KeyOps []string `json:"key_ops,omitempty"`
	// Alg is "RS256".
	Alg string `json:"alg,omitempty"`
	// Kid is the key ID that JWT headers name.
	Kid string `json:"kid,omitempty"`
	// X5C is the certificate chain, if any.
	X5C []string `json:"x5c,omitempty"`
	// X5TS256 is the certificate thumbprint, if any.
	X5TS256 string `json:"x5t_s256,omitempty"`
	// N is the base64url RSA modulus.
	N string `json:"n,omitempty"`
	// E is the base64url RSA exponent.
	E string `json:"e,omitempty"`
}

// Claim names of a session JWT.
const (
	// SessionClaimName is the JWT claim holding the [SessionClaim].
	SessionClaimName = "https://stytch.com/session"
	// OrganizationClaimName is the JWT claim holding the [OrganizationClaim].
	OrganizationClaimName = "https://stytch.com/organization"
)

// SessionClaims are the claims of a Stytch B2B session JWT. It implements
// jwt.Claims through the embedded RegisteredClaims. Other top-level claims are
// the session's custom claims; parse the token into a jwt.MapClaims to read them.
type SessionClaims struct {
	// Session is the "https://stytch.com/session" claim.
	Session SessionClaim `json:"https://stytch.com/session"`
	// Organization is the "https://stytch.com/organization" claim.
	Organization OrganizationClaim `json:"https://stytch.com/organization"`
	jwt.RegisteredClaims
}

// SessionClaim describes the member session inside a session JWT.
type SessionClaim struct {
	// ID is the member session ID.
	ID string `json:"id"`
	// StartedAt is when the session began.
	StartedAt *time.Time `json:"started_at"`
	// LastAccessedAt is when the session was last authenticated.
	LastAccessedAt *time.Time `json:"last_accessed_at"`
	// ExpiresAt is when the session (not the JWT) ends.
	ExpiresAt *time.Time `json:"expires_at"`
	// Attributes are the client attributes recorded for the session.
	Attributes SessionAttributes `json:"attributes"`
	// AuthenticationFactors lists the session's factors.
	AuthenticationFactors []AuthenticationFactor `json:"authentication_factors"`
	// Roles lists the session's role IDs.
	Roles []string `json:"roles"`
}

// SessionAttributes are client attributes recorded for a session.
type SessionAttributes struct {
	// IPAddress is the client's IP address.
	IPAddress string `json:"ip_address,omitempty"`
	// UserAgent is the client's user agent.
	UserAgent string `json:"user_agent,omitempty"`
}

// OrganizationClaim names the organization of a session JWT.
type OrganizationClaim struct {
	// ID is the organization ID.
	ID string `json:"organization_id"`
	// Slug is the organization slug.
	Slug string `json:"slug"`
}
