package middleware

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/b2bauth/b2bauth/client"
)

// sessionClaims are the claims of a Stytch B2B session JWT, decoded in one
// pass; registered claims are validated by golang-jwt. Custom claims are
// decoded lazily by [Session.CustomClaims]: most requests never read them.
type sessionClaims struct {
	jwt.RegisteredClaims
	Session      sessionClaim `json:"https://stytch.com/session"`
	Organization orgClaim     `json:"https://stytch.com/organization"`
}

const orgClaimName = "https://stytch.com/organization"

type sessionClaim struct {
	ID                    string                        `json:"id"`
	StartedAt             string                        `json:"started_at"`
	LastAccessedAt        string                        `json:"last_accessed_at"`
	ExpiresAt             string                        `json:"expires_at"`
	AuthenticationFactors []client.AuthenticationFactor `json:"authentication_factors"`
	Roles                 []string                      `json:"roles"`
}

type orgClaim struct {
	ID   string `json:"organization_id"`
	Slug string `json:"slug"`
}

// customClaims decodes the custom claims of a JWT already verified: every
// top-level claim that is neither registered nor under https://stytch.com/.
func customClaims(raw string) map[string]any {
	parts := strings.SplitN(raw, ".", 3)
	if len(parts) != 3 {
		return nil
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil
	}
	var all map[string]any
	if json.Unmarshal(payload, &all) != nil {
		return nil
	}
	for k := range all {
		switch k {
		case "iss", "sub", "aud", "exp", "nbf", "iat":
			delete(all, k)
		default:
			if strings.HasPrefix(k, "https://stytch.com/") {
				delete(all, k)
			}
		}
	}
	if len(all) == 0 {
		return nil
	}
	return all
}

// identified reports a JWT that is not a member session: one that names no
// member or no organization (Stytch issues neither, and a session without
// them would be checked against the empty organization), an M2M access
// token, or one without the session claim.
func (c *sessionClaims) identified() error {
	switch {
	case c.Subject == "":
		return errors.New("jwt without sub")
	case strings.HasPrefix(c.Subject, m2mClientIDPrefix):
		return errors.New("an m2m access token is not a session")
	case c.Session.ID == "":
		return errors.New("the jwt carries no session claim")
	case c.Organization.ID == "":
		return errors.New("jwt without organization_id in " + orgClaimName)
	}
	return nil
}

func (c *sessionClaims) session(raw string) *Session {
	expires := parseTime(c.Session.ExpiresAt)
	if expires.IsZero() && c.ExpiresAt != nil {
		// As Stytch's SDKs: a session claim without its expiry ends no
		// later than the JWT.
		expires = c.ExpiresAt.Time
	}
	return &Session{
		ID:                    c.Session.ID,
		MemberID:              c.Subject,
		OrganizationID:        c.Organization.ID,
		OrganizationSlug:      c.Organization.Slug,
		Roles:                 c.Session.Roles,
		AuthenticationFactors: c.Session.AuthenticationFactors,
		Email:                 emailOf(c.Session.AuthenticationFactors),
		StartedAt:             parseTime(c.Session.StartedAt),
		ExpiresAt:             expires,
		JWT:                   raw,
	}
}

func parseTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}
	}
	return t
}
