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

// sessionClaims is the shape golang-jwt decodes a session JWT's claims into
// with encoding/json. decodeClaims falls back to it for the texts its fast
// path does not read, so that every JWT is read as encoding/json reads it.
type sessionClaims struct {
	jwt.RegisteredClaims
	Session      sessionClaim `json:"https://stytch.com/session"`
	Organization orgClaim     `json:"https://stytch.com/organization"`
	// Scope is an M2M access token's; raw, so that a session JWT whose
	// custom claim "scope" is not a string still decodes.
	Scope json.RawMessage `json:"scope"`
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

// jwtClaims are the claims of a session JWT, decoded once, straight into
// the session they describe. The registered claims validated by the
// middleware are kept beside it; custom claims are decoded lazily by
// [Session.CustomClaims]: most requests never read them.
type jwtClaims struct {
	Session // MemberID is sub; ID, roles, factors and organization from the Stytch claims

	iss                    string
	aud                    []string
	exp, nbf, iat          time.Time
	hasExp, hasNbf, hasIat bool
	// From the session claim, parsed only for a JWT accepted.
	startedAt, expiresAt string

	// Of an M2M access token: its scope claim (when a string), and whether
	// the session and organization claims were present at all.
	scope                        string
	scopeNotString               bool
	hasSessionClaim, hasOrgClaim bool
}

// Names of the claims decodeClaims reads. encoding/json would match a key
// equal to one of them but for case: the fast path leaves such JWTs to it.
var (
	topClaims     = []string{"iss", "sub", "aud", "exp", "nbf", "iat", "jti", "scope", sessionClaimName, orgClaimName}
	sessionFields = []string{"id", "started_at", "last_accessed_at", "expires_at", "authentication_factors", "roles"}
	orgFields     = []string{"organization_id", "slug"}
)

const sessionClaimName = "https://stytch.com/session"

// decodeClaims decodes a JWT payload into the claims encoding/json would
// decode it into (the sessionClaims shape), refusing it when encoding/json
// would. Stytch's JWTs are read in one pass by jsonReader; any text it
// cannot read exactly as encoding/json does is decoded by encoding/json.
func decodeClaims(b []byte) (*jwtClaims, error) {
	c := &jwtClaims{}
	r := jsonReader{b: b, s: string(b)}
	if c.read(&r); !r.bad {
		return c, nil
	}
	var sc sessionClaims
	if err := json.Unmarshal(b, &sc); err != nil {
		return nil, err
	}
	c = claimsFrom(&sc)
	var p claimsPresence
	if json.Unmarshal(b, &p) == nil {
		c.hasSessionClaim, c.hasOrgClaim = p.Session != nil, p.Organization != nil
	}
	return c, nil
}

// claimsFrom converts claims decoded by encoding/json.
func claimsFrom(sc *sessionClaims) *jwtClaims {
	c := &jwtClaims{
		Session: Session{
			ID:                    sc.Session.ID,
			MemberID:              sc.Subject,
			OrganizationID:        sc.Organization.ID,
			OrganizationSlug:      sc.Organization.Slug,
			Roles:                 sc.Session.Roles,
			AuthenticationFactors: sc.Session.AuthenticationFactors,
		},
		iss:       sc.Issuer,
		aud:       sc.Audience,
		startedAt: sc.Session.StartedAt,
		expiresAt: sc.Session.ExpiresAt,
	}
	if sc.ExpiresAt != nil {
		c.exp, c.hasExp = sc.ExpiresAt.Time, true
	}
	if sc.NotBefore != nil {
		c.nbf, c.hasNbf = sc.NotBefore.Time, true
	}
	if sc.IssuedAt != nil {
		c.iat, c.hasIat = sc.IssuedAt.Time, true
	}
	if len(sc.Scope) > 0 && string(sc.Scope) != "null" && json.Unmarshal(sc.Scope, &c.scope) != nil {
		c.scopeNotString = true
	}
	return c
}

// claimsPresence tells which of the Stytch claims a payload holds, for the
// texts decodeClaims leaves to encoding/json.
type claimsPresence struct {
	Session      json.RawMessage `json:"https://stytch.com/session"`
	Organization json.RawMessage `json:"https://stytch.com/organization"`
}

// read is the fast path of decodeClaims: the top-level object.
func (c *jwtClaims) read(r *jsonReader) {
	var seen uint16
	for more := r.open('{', '}'); more && !r.bad; more = r.more('}') {
		key := r.key()
		var bit uint16
		switch string(key) {
		case "iss":
			bit, c.iss = 1<<0, r.plainString()
		case "sub":
			bit, c.MemberID = 1<<1, r.plainString()
		case "aud":
			bit = 1 << 2
			// One string or a list of them, as jwt.ClaimStrings.
			if r.peek() == '"' {
				c.aud = []string{r.plainString()}
			} else if c.aud = r.plainStrings(); len(c.aud) == 0 {
				c.aud = nil
			}
		case "exp":
			bit = 1 << 3
			c.exp, c.hasExp = r.date()
		case "nbf":
			bit = 1 << 4
			c.nbf, c.hasNbf = r.date()
		case "iat":
			bit = 1 << 5
			c.iat, c.hasIat = r.date()
		case "jti":
			bit = 1 << 6
			r.plainString()
		case sessionClaimName:
			bit, c.hasSessionClaim = 1<<7, true
			c.readSession(r)
		case orgClaimName:
			bit, c.hasOrgClaim = 1<<8, true
			c.readOrganization(r)
		case "scope":
			bit = 1 << 9
			switch {
			case r.peek() == '"':
				c.scope = r.plainString()
			case r.null():
			default:
				// Not an access token's (a session's custom claim, say).
				c.scopeNotString = true
				r.skip(1)
			}
		default:
			r.unknown(key, 1, topClaims...)
		}
		if seen&bit != 0 {
			// Duplicates are left to encoding/json, which merges them.
			r.fail()
		}
		seen |= bit
	}
	r.end()
}

// date reads a NumericDate written as an integer, or null.
func (r *jsonReader) date() (time.Time, bool) {
	n, ok := r.integer()
	if !ok {
		return time.Time{}, false
	}
	return time.Unix(n, 0), true
}

func (c *jwtClaims) readSession(r *jsonReader) {
	if r.null() {
		return
	}
	var seen uint8
	for more := r.open('{', '}'); more && !r.bad; more = r.more('}') {
		key := r.key()
		var bit uint8
		switch string(key) {
		case "id":
			bit, c.ID = 1<<0, r.plainString()
		case "started_at":
			bit, c.startedAt = 1<<1, r.plainString()
		case "last_accessed_at":
			bit = 1 << 2
			r.plainString()
		case "expires_at":
			bit, c.expiresAt = 1<<3, r.plainString()
		case "authentication_factors":
			bit = 1 << 4
			c.AuthenticationFactors = r.factors()
		case "roles":
			bit, c.Roles = 1<<5, r.plainStrings()
		default:
			r.unknown(key, 2, sessionFields...)
		}
		if seen&bit != 0 {
			r.fail()
		}
		seen |= bit
	}
}

func (c *jwtClaims) readOrganization(r *jsonReader) {
	if r.null() {
		return
	}
	var seen uint8
	for more := r.open('{', '}'); more && !r.bad; more = r.more('}') {
		key := r.key()
		var bit uint8
		switch string(key) {
		case "organization_id":
			bit, c.OrganizationID = 1<<0, r.plainString()
		case "slug":
			bit, c.OrganizationSlug = 1<<1, r.plainString()
		default:
			r.unknown(key, 2, orgFields...)
		}
		if seen&bit != 0 {
			r.fail()
		}
		seen |= bit
	}
}

// factors reads the session's authentication factors, or null as nil. A
// factor of an uncommon shape is decoded alone by encoding/json, as it
// would be within the whole text.
func (r *jsonReader) factors() []client.AuthenticationFactor {
	if r.null() {
		return nil
	}
	list := []client.AuthenticationFactor{}
	for more := r.open('[', ']'); more && !r.bad; more = r.more(']') {
		var f client.AuthenticationFactor
		start := r.i
		if !r.null() {
			sub := jsonReader{b: r.b, s: r.s, i: r.i}
			sub.factor(&f)
			if sub.bad {
				f = client.AuthenticationFactor{}
				r.i = start
				r.skip(3)
				if r.bad || json.Unmarshal(r.b[start:r.i], &f) != nil {
					r.fail()
				}
			} else {
				r.i = sub.i
			}
		}
		list = append(list, f)
	}
	return list
}

// factor reads a factor holding only the common fields.
func (r *jsonReader) factor(f *client.AuthenticationFactor) {
	var seen uint8
	for more := r.open('{', '}'); more && !r.bad; more = r.more('}') {
		key := r.key()
		var bit uint8
		switch string(key) {
		case "type":
			bit, f.Type = 1<<0, r.plainString()
		case "delivery_method":
			bit, f.DeliveryMethod = 1<<1, r.plainString()
		case "last_authenticated_at":
			bit, f.LastAuthenticatedAt = 1<<2, r.timestamp()
		case "created_at":
			bit, f.CreatedAt = 1<<3, r.timestamp()
		case "updated_at":
			bit, f.UpdatedAt = 1<<4, r.timestamp()
		case "email_factor":
			bit = 1 << 5
			if !r.null() {
				f.EmailFactor = &client.EmailFactor{}
				r.pair("email_id", &f.EmailFactor.EmailID, "email_address", &f.EmailFactor.EmailAddress)
			}
		case "phone_number_factor":
			bit = 1 << 6
			if !r.null() {
				f.PhoneNumberFactor = &client.PhoneNumberFactor{}
				r.pair("phone_id", &f.PhoneNumberFactor.PhoneID, "phone_number", &f.PhoneNumberFactor.PhoneNumber)
			}
		case "authenticator_app_factor":
			bit = 1 << 7
			if !r.null() {
				f.AuthenticatorAppFactor = &client.AuthenticatorAppFactor{}
				r.pair("totp_id", &f.AuthenticatorAppFactor.TOTPID, "", nil)
			}
		default:
			// Another factor kind, or a key encoding/json would fold onto
			// a field: the factor is decoded by encoding/json.
			r.fail()
		}
		if seen&bit != 0 {
			r.fail()
		}
		seen |= bit
	}
}

// pair reads an object of at most two string fields, named k1 and k2.
func (r *jsonReader) pair(k1 string, v1 *string, k2 string, v2 *string) {
	var seen uint8
	for more := r.open('{', '}'); more && !r.bad; more = r.more('}') {
		key := r.key()
		switch {
		case string(key) == k1 && seen&1 == 0:
			seen |= 1
			*v1 = r.plainString()
		case k2 != "" && string(key) == k2 && seen&2 == 0:
			seen |= 2
			*v2 = r.plainString()
		default:
			r.fail()
		}
	}
}

// timestamp reads an RFC 3339 time as *time.Time's UnmarshalJSON does, or
// null as nil.
func (r *jsonReader) timestamp() *time.Time {
	if r.null() {
		return nil
	}
	start, _, _ := r.str()
	if r.bad {
		return nil
	}
	t := new(time.Time)
	if t.UnmarshalJSON(r.b[start-1:r.i]) != nil {
		r.fail()
	}
	return t
}

// identified reports a JWT that is not a member session: one that names no
// member or no organization (Stytch issues neither, and a session without
// them would be checked against the empty organization), an M2M access
// token, or one without the session claim.
func (c *jwtClaims) identified() error {
	switch {
	case c.MemberID == "":
		return errors.New("jwt without sub")
	case strings.HasPrefix(c.MemberID, m2mClientIDPrefix):
		return errors.New("an m2m access token is not a session")
	case c.ID == "":
		return errors.New("the jwt carries no session claim")
	case c.OrganizationID == "":
		return errors.New("jwt without organization_id in " + orgClaimName)
	}
	return nil
}

// session completes the session of claims accepted, verified from raw.
func (c *jwtClaims) session(raw string) *Session {
	s := &c.Session
	s.StartedAt = parseTime(c.startedAt)
	s.ExpiresAt = parseTime(c.expiresAt)
	if s.ExpiresAt.IsZero() && c.hasExp {
		// As Stytch's SDKs: a session claim without its expiry ends no
		// later than the JWT.
		s.ExpiresAt = c.exp
	}
	// A copy: raw may be a slice of a much longer Cookie header, which a
	// cached session must not keep alive.
	s.JWT = strings.Clone(raw)
	s.Email = emailOf(s.AuthenticationFactors)
	return s
}

// The jwt.Claims methods, for a keyfunc given the token.

// GetExpirationTime implements jwt.Claims.
func (c *jwtClaims) GetExpirationTime() (*jwt.NumericDate, error) {
	return numericDate(c.exp, c.hasExp)
}

// GetIssuedAt implements jwt.Claims.
func (c *jwtClaims) GetIssuedAt() (*jwt.NumericDate, error) { return numericDate(c.iat, c.hasIat) }

// GetNotBefore implements jwt.Claims.
func (c *jwtClaims) GetNotBefore() (*jwt.NumericDate, error) { return numericDate(c.nbf, c.hasNbf) }

// GetIssuer implements jwt.Claims.
func (c *jwtClaims) GetIssuer() (string, error) { return c.iss, nil }

// GetSubject implements jwt.Claims.
func (c *jwtClaims) GetSubject() (string, error) { return c.MemberID, nil }

// GetAudience implements jwt.Claims.
func (c *jwtClaims) GetAudience() (jwt.ClaimStrings, error) { return c.aud, nil }

func numericDate(t time.Time, ok bool) (*jwt.NumericDate, error) {
	if !ok {
		return nil, nil
	}
	return &jwt.NumericDate{Time: t}, nil
}

func parseTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}
	}
	return t
}
