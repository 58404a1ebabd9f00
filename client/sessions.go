package client

import (
	"context"
	"errors"
	"net/http"
	"net/url"
)

// SessionsService calls the member session endpoints. Get it from [Client.Sessions].
type SessionsService struct {
	c *Client
}

// SessionsGetParams selects the member whose active sessions [SessionsService.Get] lists.
type SessionsGetParams struct {
	// OrganizationID identifies the organization (required).
	OrganizationID string `json:"organization_id,omitempty"`
	// MemberID identifies the member (required).
	MemberID string `json:"member_id,omitempty"`
}

// SessionsGetResponse lists a member's active sessions.
type SessionsGetResponse struct {
	// RequestID identifies the call at Stytch.
	RequestID string `json:"request_id,omitempty"`
	// MemberSessions lists the active sessions.
	MemberSessions []MemberSession `json:"member_sessions,omitempty"`
	// StatusCode is the HTTP status.
	StatusCode int `json:"status_code,omitempty"`
}

// Get lists a member's active sessions (GET /v1/b2b/sessions).
func (s *SessionsService) Get(ctx context.Context, p *SessionsGetParams) (*SessionsGetResponse, error) {
	if p == nil {
		return nil, errors.New("b2bauth: sessions get: nil params")
	}
	q := url.Values{}
	for k, v := range map[string]string{"organization_id": p.OrganizationID, "member_id": p.MemberID} {
		if v != "" {
			q.Set(k, v)
		}
	}
	return get[SessionsGetResponse](ctx, s.c, "/v1/b2b/sessions", q, false)
}

// SessionsAuthenticateParams authenticates a session token or JWT (never both).
type SessionsAuthenticateParams struct {
	// SessionToken is the opaque session token.
	SessionToken string `json:"session_token,omitempty"`
	// SessionDurationMinutes extends the session to this many minutes from now (5..527040).
	SessionDurationMinutes int32 `json:"session_duration_minutes,omitempty"`
	// SessionJWT is the session JWT.
	SessionJWT string `json:"session_jwt,omitempty"`
	// SessionCustomClaims adds or (with nil values) removes custom claims.
	SessionCustomClaims map[string]any `json:"session_custom_claims,omitempty"`
	// AuthorizationCheck also checks an RBAC permission when set; a denial is a 403 [*Error].
	AuthorizationCheck *AuthorizationCheck `json:"authorization_check,omitempty"`
}

// SessionsAuthenticateResponse is an authenticated session with a fresh JWT.
type SessionsAuthenticateResponse struct {
	// RequestID identifies the call at Stytch.
	RequestID string `json:"request_id,omitempty"`
	// MemberSession is the session.
	MemberSession MemberSession `json:"member_session,omitempty"`
	// SessionToken is the opaque session token.
	SessionToken string `json:"session_token,omitempty"`
	// SessionJWT is a fresh session JWT.
	SessionJWT string `json:"session_jwt,omitempty"`
	// Member is the session's member.
	Member Member `json:"member,omitempty"`
	// Organization is the session's organization.
	Organization Organization `json:"organization,omitempty"`
	// StatusCode is the HTTP status.
	StatusCode int `json:"status_code,omitempty"`
	// Verdict is set when an authorization check was requested and allowed.
	Verdict *AuthorizationVerdict `json:"verdict,omitempty"`
}

// Authenticate authenticates a session (POST /v1/b2b/sessions/authenticate).
func (s *SessionsService) Authenticate(ctx context.Context, p *SessionsAuthenticateParams) (*SessionsAuthenticateResponse, error) {
	return send[SessionsAuthenticateResponse](ctx, s.c, http.MethodPost, "/v1/b2b/sessions/authenticate", p)
}

// SessionsRevokeParams names the session to revoke: one of its ID, token or
// JWT, or a member ID to revoke all the member's sessions.
type SessionsRevokeParams struct {
	// MemberSessionID identifies the session.
	MemberSessionID string `json:"member_session_id,omitempty"`
	// SessionToken is the session's opaque token.
	SessionToken string `json:"session_token,omitempty"`
	// SessionJWT is the session's JWT.
	SessionJWT string `json:"session_jwt,omitempty"`
	// MemberID revokes every session of the member.
	MemberID string `json:"member_id,omitempty"`
}

// SessionsRevokeResponse confirms a revocation.
type SessionsRevokeResponse struct {
	// RequestID identifies the call at Stytch.
	RequestID string `json:"request_id,omitempty"`
	// StatusCode is the HTTP status.
	StatusCode int `json:"status_code,omitempty"`
}

// Revoke revokes a session (POST /v1/b2b/sessions/revoke).
func (s *SessionsService) Revoke(ctx context.Context, p *SessionsRevokeParams) (*SessionsRevokeResponse, error) {
	return send[SessionsRevokeResponse](ctx, s.c, http.MethodPost, "/v1/b2b/sessions/revoke", p)
}

// SessionsExchangeParams exchanges a session for one in another organization.
type SessionsExchangeParams struct {
	// OrganizationID identifies the target organization.
	OrganizationID string `json:"organization_id,omitempty"`
	// SessionToken is the current session's token.
	SessionToken string `json:"session_token,omitempty"`
	// SessionJWT is the current session's JWT.
	SessionJWT string `json:"session_jwt,omitempty"`
	// SessionDurationMinutes sets the new session's lifetime (5..527040).
	SessionDurationMinutes int32 `json:"session_duration_minutes,omitempty"`
	// SessionCustomClaims adds custom claims to the new session.
	SessionCustomClaims map[string]any `json:"session_custom_claims,omitempty"`
	// Locale is the language of a pre-emptively sent MFA SMS, e.g. "en".
	Locale string `json:"locale,omitempty"`
	// TelemetryID is a device fingerprinting ID.
	TelemetryID string `json:"telemetry_id,omitempty"`
}

// SessionsExchangeResponse has the shape of every answer that enters an
// organization (see [DiscoveryExchangeResponse]).
type SessionsExchangeResponse = DiscoveryExchangeResponse

// Exchange exchanges a session for another organization (POST /v1/b2b/sessions/exchange).
func (s *SessionsService) Exchange(ctx context.Context, p *SessionsExchangeParams) (*SessionsExchangeResponse, error) {
	return send[SessionsExchangeResponse](ctx, s.c, http.MethodPost, "/v1/b2b/sessions/exchange", p)
}

// SessionsMigrateParams migrates a session from an external identity provider.
type SessionsMigrateParams struct {
	// SessionToken is the external provider's token (its userinfo endpoint is called).
	SessionToken string `json:"session_token,omitempty"`
	// OrganizationID identifies the organization.
	OrganizationID string `json:"organization_id,omitempty"`
	// SessionDurationMinutes sets the session's lifetime (5..527040).
	SessionDurationMinutes int32 `json:"session_duration_minutes,omitempty"`
	// SessionCustomClaims adds custom claims to the session.
	SessionCustomClaims map[string]any `json:"session_custom_claims,omitempty"`
}

// SessionsMigrateResponse is the migrated session.
type SessionsMigrateResponse struct {
	// RequestID identifies the call at Stytch.
	RequestID string `json:"request_id,omitempty"`
	// MemberID identifies the member.
	MemberID string `json:"member_id,omitempty"`
	// SessionToken is the new session token.
	SessionToken string `json:"session_token,omitempty"`
	// SessionJWT is the new session JWT.
	SessionJWT string `json:"session_jwt,omitempty"`
	// Member is the member.
	Member Member `json:"member,omitempty"`
	// Organization is the organization.
	Organization Organization `json:"organization,omitempty"`
	// StatusCode is the HTTP status.
	StatusCode int `json:"status_code,omitempty"`
	// MemberSession is the new session.
	MemberSession *MemberSession `json:"member_session,omitempty"`
}

// Migrate migrates an external session (POST /v1/b2b/sessions/migrate).
func (s *SessionsService) Migrate(ctx context.Context, p *SessionsMigrateParams) (*SessionsMigrateResponse, error) {
	return send[SessionsMigrateResponse](ctx, s.c, http.MethodPost, "/v1/b2b/sessions/migrate", p)
}

// SessionsGetJWKSParams names the project whose key set to fetch.
type SessionsGetJWKSParams struct {
	// ProjectID is the project; empty (or nil params) means the client's project.
	ProjectID string `json:"project_id,omitempty"`
}

// SessionsGetJWKSResponse is a project's JSON Web Key Set.
type SessionsGetJWKSResponse struct {
	// Keys lists the signing keys.
	Keys []JWK `json:"keys,omitempty"`
	// RequestID identifies the call at Stytch.
	RequestID string `json:"request_id,omitempty"`
	// StatusCode is the HTTP status.
	StatusCode int `json:"status_code,omitempty"`
}

// GetJWKS fetches the project's key set without credentials
// (GET /v1/b2b/sessions/jwks/{project_id}). For JWT verification prefer the
// caching [Client.NewJWKS].
func (s *SessionsService) GetJWKS(ctx context.Context, p *SessionsGetJWKSParams) (*SessionsGetJWKSResponse, error) {
	projectID := s.c.projectID
	if p != nil && p.ProjectID != "" {
		projectID = p.ProjectID
	}
	return get[SessionsGetJWKSResponse](ctx, s.c, "/v1/b2b/sessions/jwks/"+url.PathEscape(projectID), nil, true)
}
