package client

import (
	"context"
	"net/http"
)

// MagicLinksLoginOrSignupParams emails a magic link for one organization: a
// login link to an active member, a sign-up link otherwise (a new email
// joins only if the organization provisions its domain).
type MagicLinksLoginOrSignupParams struct {
	// OrganizationID is the organization to log in to.
	OrganizationID string `json:"organization_id,omitempty"`
	// EmailAddress receives the link.
	EmailAddress string `json:"email_address,omitempty"`
	// LoginRedirectURL is where a login link leads; default the project's Login URL.
	LoginRedirectURL string `json:"login_redirect_url,omitempty"`
	// SignupRedirectURL is where a sign-up link leads; default the project's Signup URL.
	SignupRedirectURL string `json:"signup_redirect_url,omitempty"`
	// PkceCodeChallenge is the S256 challenge binding the link to the asking browser.
	PkceCodeChallenge string `json:"pkce_code_challenge,omitempty"`
	// LoginTemplateID selects a custom login email template.
	LoginTemplateID string `json:"login_template_id,omitempty"`
	// SignupTemplateID selects a custom sign-up email template.
	SignupTemplateID string `json:"signup_template_id,omitempty"`
	// Locale is the email's language, e.g. "en".
	Locale string `json:"locale,omitempty"`
	// LoginExpirationMinutes is a login link's lifetime (Stytch's default 60).
	LoginExpirationMinutes uint32 `json:"login_expiration_minutes,omitempty"`
	// SignupExpirationMinutes is a sign-up link's lifetime (Stytch's default 60).
	SignupExpirationMinutes uint32 `json:"signup_expiration_minutes,omitempty"`
}

// MagicLinksLoginOrSignupResponse names the member the link or, for
// [OTPsService.EmailLoginOrSignup], the code was sent to.
type MagicLinksLoginOrSignupResponse struct {
	// RequestID identifies the call at Stytch.
	RequestID string `json:"request_id,omitempty"`
	// MemberID identifies the member.
	MemberID string `json:"member_id,omitempty"`
	// MemberCreated is true when the call created a (pending) member.
	MemberCreated bool `json:"member_created,omitempty"`
	// Member is the member.
	Member Member `json:"member,omitempty"`
	// Organization is the organization.
	Organization Organization `json:"organization,omitempty"`
	// StatusCode is the HTTP status.
	StatusCode int `json:"status_code,omitempty"`
}

// LoginOrSignup emails an organization's magic link
// (POST /v1/b2b/magic_links/email/login_or_signup). A refusal by the
// organization's policy matches [ErrOrganizationPolicy].
func (s *MagicLinksService) LoginOrSignup(ctx context.Context, p *MagicLinksLoginOrSignupParams) (*MagicLinksLoginOrSignupResponse, error) {
	return send[MagicLinksLoginOrSignupResponse](ctx, s.c, http.MethodPost, "/v1/b2b/magic_links/email/login_or_signup", p)
}

// MagicLinksInviteParams invites an email address into an organization.
type MagicLinksInviteParams struct {
	// OrganizationID is the inviting organization.
	OrganizationID string `json:"organization_id,omitempty"`
	// EmailAddress is invited.
	EmailAddress string `json:"email_address,omitempty"`
	// InviteRedirectURL is where the invite leads; default the project's Invite URL.
	InviteRedirectURL string `json:"invite_redirect_url,omitempty"`
	// InvitedByMemberID is the inviting member, if any.
	InvitedByMemberID string `json:"invited_by_member_id,omitempty"`
	// Name is the invited member's name.
	Name string `json:"name,omitempty"`
	// TrustedMetadata is backend-only metadata of the member.
	TrustedMetadata map[string]any `json:"trusted_metadata,omitempty"`
	// UntrustedMetadata is frontend-writable metadata of the member.
	UntrustedMetadata map[string]any `json:"untrusted_metadata,omitempty"`
	// InviteTemplateID selects a custom invite email template.
	InviteTemplateID string `json:"invite_template_id,omitempty"`
	// Locale is the email's language, e.g. "en".
	Locale string `json:"locale,omitempty"`
	// Roles are granted to the member.
	Roles []string `json:"roles,omitempty"`
	// InviteExpirationMinutes is the invite's lifetime (Stytch's default one week).
	InviteExpirationMinutes uint32 `json:"invite_expiration_minutes,omitempty"`
}

// Invite emails an invite (POST /v1/b2b/magic_links/email/invite); it is
// accepted through [MagicLinksService.Authenticate]. A refusal by the
// organization's email_invites setting matches [ErrOrganizationPolicy].
func (s *MagicLinksService) Invite(ctx context.Context, p *MagicLinksInviteParams) (*MemberResponse, error) {
	return send[MemberResponse](ctx, s.c, http.MethodPost, "/v1/b2b/magic_links/email/invite", p)
}

// MagicLinksAuthenticateParams authenticates an organization's magic link or
// invite (stytch_token_type=multi_tenant_magic_links).
type MagicLinksAuthenticateParams struct {
	// MagicLinksToken is the token from the link.
	MagicLinksToken string `json:"magic_links_token,omitempty"`
	// PkceCodeVerifier is the verifier of the challenge sent with the link.
	PkceCodeVerifier string `json:"pkce_code_verifier,omitempty"`
	OrganizationAuthParams
}

// MagicLinksAuthenticateResponse is the answer of [MagicLinksService.Authenticate].
type MagicLinksAuthenticateResponse = OrganizationAuthenticateResponse

// Authenticate authenticates an organization's magic link or invite
// (POST /v1/b2b/magic_links/authenticate).
func (s *MagicLinksService) Authenticate(ctx context.Context, p *MagicLinksAuthenticateParams) (*MagicLinksAuthenticateResponse, error) {
	return send[MagicLinksAuthenticateResponse](ctx, s.c, http.MethodPost, "/v1/b2b/magic_links/authenticate", p)
}
