package middleware

import (
	"slices"
	"sync"
	"time"

	"github.com/b2bauth/b2bauth/client"
)

// Session is an authenticated Stytch B2B member session. A *Session taken
// from a request context is shared by every request carrying the same JWT:
// treat it as read-only.
type Session struct {
	// ID is the member session id.
	ID string
	// MemberID is the member's id (the JWT subject).
	MemberID string
	// OrganizationID and OrganizationSlug name the member's organization.
	OrganizationID   string
	OrganizationSlug string
	// Roles are the role ids the session holds.
	Roles []string
	// AuthenticationFactors are the factors the session has authenticated,
	// with their last authentication times.
	AuthenticationFactors []client.AuthenticationFactor
	// StartedAt and ExpiresAt bound the session (not the JWT).
	StartedAt time.Time
	ExpiresAt time.Time
	// Email is the member's email address when the session reveals it: an
	// email factor (magic link, email code) of the JWT, or the member of a
	// remote answer. It is "" for a JWT whose factors carry no address
	// (Google or Microsoft OAuth, SSO): use [Middleware.Member] then.
	Email string
	// JWT is the session JWT the session was verified from: the request's,
	// or the fresh one from Stytch after a remote authentication.
	JWT string

	customOnce sync.Once
	custom     map[string]any
}

// CustomClaims returns the session's custom claims (nil when it has none),
// decoded from the JWT on first use.
func (s *Session) CustomClaims() map[string]any {
	s.customOnce.Do(func() {
		if s.custom == nil && s.JWT != "" {
			s.custom = customClaims(s.JWT)
		}
	})
	return s.custom
}

// HasRole reports whether the session holds the role.
func (s *Session) HasRole(role string) bool {
	return slices.Contains(s.Roles, role)
}

// FactorKind selects the authentication factors [Middleware.RequireFreshFactor]
// accepts.
type FactorKind int

const (
	// AnyFactor accepts any authentication factor.
	AnyFactor FactorKind = iota
	// MFAFactor accepts a second factor: SMS one-time passcode, TOTP or
	// recovery code.
	MFAFactor
)

// String returns "any" or "mfa".
func (k FactorKind) String() string {
	if k == MFAFactor {
		return "mfa"
	}
	return "any"
}

func (k FactorKind) matches(f client.AuthenticationFactor) bool {
	if k == AnyFactor {
		return true
	}
	switch f.DeliveryMethod {
	case "sms", "authenticator_app", "recovery_code":
		return true
	}
	return false
}

// LastFactorAt returns the latest authentication time of a factor of kind k,
// or the zero time when the session holds none.
func (s *Session) LastFactorAt(k FactorKind) time.Time {
	var last time.Time
	for _, f := range s.AuthenticationFactors {
		if f.LastAuthenticatedAt != nil && k.matches(f) && f.LastAuthenticatedAt.After(last) {
			last = *f.LastAuthenticatedAt
		}
	}
	return last
}

// sessionFromMemberSession converts Stytch's answer to a Session.
func sessionFromMemberSession(ms *client.MemberSession, jwt string) *Session {
	return &Session{
		ID:                    ms.MemberSessionID,
		MemberID:              ms.MemberID,
		OrganizationID:        ms.OrganizationID,
		OrganizationSlug:      ms.OrganizationSlug,
		Roles:                 ms.Roles,
		AuthenticationFactors: ms.AuthenticationFactors,
		Email:                 emailOf(ms.AuthenticationFactors),
		StartedAt:             deref(ms.StartedAt),
		ExpiresAt:             deref(ms.ExpiresAt),
		JWT:                   jwt,
		custom:                ms.CustomClaims,
	}
}

func deref(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}
