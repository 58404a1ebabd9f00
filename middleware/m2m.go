package middleware

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/b2bauth/b2bauth/client"
)

// DefaultM2MMaxTokenAge is how long after its iat an M2M access token is
// accepted by default: the lifetime Stytch gives it.
const DefaultM2MMaxTokenAge = time.Hour

// Prefixes of the subjects that tell Stytch's two kinds of JWT apart, besides
// the session claim only session JWTs carry.
const (
	memberIDPrefix    = "member-"
	m2mClientIDPrefix = "m2m-client-"
)

// M2MClient is a machine client authenticated by a Stytch M2M access token.
// A *M2MClient taken from a request context is shared by every request
// carrying the same token: treat it as read-only.
type M2MClient struct {
	// ClientID is the M2M client's id (the token's subject).
	ClientID string
	// Scopes are the scopes the token grants, in its order.
	Scopes []string
	// IssuedAt and ExpiresAt bound the token.
	IssuedAt, ExpiresAt time.Time
	// Token is the access token the client was verified from.
	Token string

	parsed     []scope
	customOnce sync.Once
	custom     map[string]any
}

// CustomClaims returns the token's custom claims (nil when it has none):
// every top-level claim but the registered ones and scope, decoded on first
// use.
func (c *M2MClient) CustomClaims() map[string]any {
	c.customOnce.Do(func() {
		if c.custom == nil && c.Token != "" {
			c.custom = customClaims(c.Token)
			delete(c.custom, "scope")
			if len(c.custom) == 0 {
				c.custom = nil
			}
		}
	})
	return c.custom
}

// HasScopes reports whether the token grants every required scope, by
// Stytch's rule: a scope is "action:resource" (a scope without a colon is the
// action alone, on resource "-"); a granted scope covers a required one when
// the actions are equal and the granted resource is the required one or "*".
// Actions never match by wildcard, and matching is case-sensitive.
func (c *M2MClient) HasScopes(required ...string) bool {
	for _, r := range required {
		if !grants(c.parsed, parseScope(r)) {
			return false
		}
	}
	return true
}

type scope struct{ action, resource string }

func parseScope(s string) scope {
	action, resource, ok := strings.Cut(s, ":")
	if !ok {
		resource = "-"
	}
	return scope{action, resource}
}

func parseScopes(list []string) []scope {
	out := make([]scope, len(list))
	for i, s := range list {
		out[i] = parseScope(s)
	}
	return out
}

func grants(granted []scope, want scope) bool {
	for _, g := range granted {
		if g.action == want.action && (g.resource == "*" || g.resource == want.resource) {
			return true
		}
	}
	return false
}

// The M2M failure classes; compare with errors.Is.
var (
	// ErrM2MTokenMissing: an M2M route got no access token (401).
	ErrM2MTokenMissing = &Error{Code: "access_token_missing", Status: http.StatusUnauthorized, msg: "no access token"}
	// ErrM2MTokenInvalid: the access token is malformed, badly signed, of
	// another algorithm, issuer or audience, outside its validity window,
	// older than the maximum age, or a session JWT (401). Refused locally:
	// access tokens are never sent to Stytch.
	ErrM2MTokenInvalid = &Error{Code: "access_token_invalid", Status: http.StatusUnauthorized, msg: "invalid access token"}
	// ErrInsufficientScope: a valid access token lacks a required scope
	// (403). The error wraps a *[ScopeError] naming the missing scopes.
	ErrInsufficientScope = &Error{Code: "insufficient_scope", Status: http.StatusForbidden, msg: "insufficient scope"}
)

// ScopeError lists the scopes an access token lacked. It is the cause of an
// [ErrInsufficientScope] error (read it with errors.As) and matches that
// sentinel itself.
type ScopeError struct {
	// Required are the scopes the route requires.
	Required []string
	// Missing are those the token does not grant.
	Missing []string
}

// Error implements error.
func (e *ScopeError) Error() string {
	return "b2bauth: access token lacks scopes " + strings.Join(e.Missing, " ")
}

// Is matches [ErrInsufficientScope].
func (e *ScopeError) Is(target error) bool { return target == ErrInsufficientScope }

type m2mCtxKey struct{}

// NewM2MContext returns a copy of ctx carrying c, as the M2M middlewares
// attach it. Useful in tests of handlers that read [M2MClientFrom].
func NewM2MContext(ctx context.Context, c *M2MClient) context.Context {
	return context.WithValue(ctx, m2mCtxKey{}, c)
}

// M2MClientFrom returns the M2M client attached to ctx by
// [Middleware.RequireScopes] or [Middleware.RequireSessionOrScopes]. A
// request carries a member session or an M2M client, never both:
// [SessionFrom] is false for a machine.
func M2MClientFrom(ctx context.Context) (*M2MClient, bool) {
	c, ok := ctx.Value(m2mCtxKey{}).(*M2MClient)
	return c, ok && c != nil
}

type m2mConfig struct {
	maxTokenAge time.Duration // 0 means DefaultM2MMaxTokenAge
	sources     []TokenSource // nil means TokenFromHeader
}

// WithM2MMaxTokenAge sets how long after its iat an M2M access token is
// accepted; lower it to demand fresher tokens (deactivating or deleting an M2M
// client at Stytch does not revoke its tokens). Default
// [DefaultM2MMaxTokenAge], one hour. Must be positive.
func WithM2MMaxTokenAge(d time.Duration) Option {
	return shared("WithM2MMaxTokenAge", func(c *config) error {
		if d <= 0 {
			return fmt.Errorf("b2bauth: m2m max token age must be positive, got %s", d)
		}
		c.m2m.maxTokenAge = d
		return nil
	})
}

// WithM2MTokenSources replaces where M2M access tokens are read from, tried
// in order. Default: [TokenFromHeader] only; machines do not keep cookies.
func WithM2MTokenSources(sources ...TokenSource) Option {
	return perGroup("WithM2MTokenSources", func(c *config) error {
		if len(sources) == 0 {
			return errors.New("b2bauth: no m2m token source")
		}
		for _, s := range sources {
			if s == nil {
				return errors.New("b2bauth: nil m2m token source")
			}
		}
		c.m2m.sources = append([]TokenSource{}, sources...)
		return nil
	})
}

// notAnAccessToken says why verified claims are not an M2M access token:
// a session JWT carries the Stytch session or organization claim, and an
// access token's subject is an M2M client.
func (c *jwtClaims) notAnAccessToken() error {
	switch {
	case c.hasSessionClaim || c.hasOrgClaim:
		return errors.New("a session JWT is not an access token")
	case c.MemberID == "" || strings.HasPrefix(c.MemberID, memberIDPrefix):
		return fmt.Errorf("subject %q is not an m2m client", c.MemberID)
	}
	return nil
}

// verifyM2M checks an access token locally, with the session JWTs' key set
// and rules (RS256 pinned before any key lookup, audience, exp, nbf and iat
// with leeway, issuer), through the same one-pass reading as verifyLocal.
// It returns the client and until when it may be trusted; errors are
// ErrM2MTokenInvalid or, when the key set cannot be fetched, ErrUnavailable.
func (m *Middleware) verifyM2M(ctx context.Context, raw string) (*M2MClient, time.Time, error) {
	refuse := func(err error) (*M2MClient, time.Time, error) {
		return nil, time.Time{}, ErrM2MTokenInvalid.with(err)
	}
	if len(raw) > MaxTokenSize {
		return refuse(errTooLongCredential)
	}
	h64, p64, s64, header, c, err := decodeJWT(raw)
	if err != nil {
		return refuse(err)
	}
	sig, err := base64.RawURLEncoding.DecodeString(s64)
	if err != nil {
		return refuse(malformedErr("could not base64 decode signature", err))
	}
	// Stytch signs with RS256 only; pinning it before any key lookup
	// refuses "none" and HMAC tokens keyed with the public key.
	if alg, _ := header["alg"].(string); alg != jwt.SigningMethodRS256.Alg() {
		return refuse(fmt.Errorf("%w: signing method %q is invalid", jwt.ErrTokenSignatureInvalid, alg))
	}
	key, err := m.key(ctx, &jwt.Token{Raw: raw, Method: jwt.SigningMethodRS256, Header: header, Claims: c, Signature: sig})
	if err != nil {
		if errors.Is(err, client.ErrKeyNotYetFetched) {
			// Undecided until the key set is refreshed (see verifyLocal),
			// unless the claims refuse the token anyway.
			if _, cerr := m.checkClaims(c, m.cfg.now()); cerr != nil {
				return refuse(cerr)
			}
		}
		if errors.Is(err, client.ErrUnavailable) || errors.Is(err, client.ErrKeyNotYetFetched) {
			return nil, time.Time{}, ErrUnavailable.with(err)
		}
		return refuse(fmt.Errorf("%w: %w", jwt.ErrTokenUnverifiable, err))
	}
	now := m.cfg.now()
	expired, err := m.checkClaims(c, now)
	switch {
	case err != nil:
		return refuse(err)
	case expired:
		return refuse(jwt.ErrTokenExpired)
	case !m.issuerOK(c.iss):
		return refuse(fmt.Errorf("issuer %q not accepted", c.iss))
	case !c.hasIat:
		return refuse(errors.New("access token without iat"))
	case c.scopeNotString:
		return refuse(errors.New("the scope claim is not a string"))
	}
	if err := c.notAnAccessToken(); err != nil {
		return refuse(err)
	}
	if err := verifySignature(raw[:len(h64)+1+len(p64)], sig, key); err != nil {
		return refuse(err)
	}
	maxAge := m.cfg.m2m.maxTokenAge
	if maxAge == 0 {
		maxAge = DefaultM2MMaxTokenAge
	}
	validUntil := c.exp.Add(m.cfg.leeway)
	if tooOldAt := c.iat.Add(maxAge); tooOldAt.Before(validUntil) {
		validUntil = tooOldAt
	}
	if !now.Before(validUntil) {
		return refuse(errors.New("access token older than the maximum token age"))
	}
	scopes := strings.Fields(c.scope)
	return &M2MClient{
		ClientID:  c.MemberID,
		Scopes:    scopes,
		IssuedAt:  c.iat,
		ExpiresAt: c.exp,
		Token:     strings.Clone(raw),
		parsed:    parseScopes(scopes),
	}, validUntil, nil
}

func (m *Middleware) m2mToken(r *http.Request) string {
	if m.cfg.m2m.sources == nil {
		return TokenFromHeader(r)
	}
	return firstToken(r, m.cfg.m2m.sources)
}

// m2mClient returns the verified client of the access token raw, and what
// decided (see [Source]).
func (m *Middleware) m2mClient(ctx context.Context, raw string) (*M2MClient, Source, error) {
	if raw == "" {
		return nil, SourceNone, ErrM2MTokenMissing.with(nil)
	}
	if c, ok := m.m2mCache.get(raw, m.cfg.now()); ok {
		return c, SourceJWTCache, nil
	}
	c, validUntil, err := m.verifyM2M(ctx, raw)
	switch {
	case errors.Is(err, ErrUnavailable):
		return nil, SourceOutage, err
	case err != nil:
		return nil, SourceLocal, err
	}
	m.m2mCache.put(raw, c, validUntil)
	return c, SourceLocal, nil
}

// authorizeScopes returns an ErrInsufficientScope error unless c grants
// every required scope.
func authorizeScopes(c *M2MClient, required []string, parsed []scope) error {
	var missing []string
	for i, want := range parsed {
		if !grants(c.parsed, want) {
			missing = append(missing, required[i])
		}
	}
	if missing == nil {
		return nil
	}
	return ErrInsufficientScope.with(&ScopeError{Required: required, Missing: missing})
}

// RequireScopes returns a middleware for API routes called by machines: the
// request must carry a Stytch M2M access token ("Authorization: Bearer", see
// [WithM2MTokenSources]) granting every one of scopes by Stytch's rule (see
// [M2MClient.HasScopes]; no scopes accepts any valid token; a scope
// containing spaces can never be granted). The token is verified locally with
// the key set of session JWTs (RS256, issuer, audience, exp and nbf with the
// leeway, iat within [WithM2MMaxTokenAge]) and cached like session JWTs
// ([WithCacheSize]); it is never sent to Stytch. A session JWT is not an
// access token. The client is attached to the context for [M2MClientFrom].
//
// Refusals go to the error handler: 401 [ErrM2MTokenMissing] or
// [ErrM2MTokenInvalid], 403 [ErrInsufficientScope], 503 [ErrUnavailable]
// when the key set cannot be fetched. Their WWW-Authenticate header follows
// RFC 6750.
func (m *Middleware) RequireScopes(scopes ...string) func(http.Handler) http.Handler {
	required := append([]string{}, scopes...)
	parsed := parseScopes(required)
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			m.serveM2M(w, r, next, m.m2mToken(r), required, parsed)
		})
	}
}

// RequireSessionOrScopes returns a middleware for routes that serve both
// members and machines: a request whose access token source (the bearer
// header by default) holds an M2M access token is judged as by
// [Middleware.RequireScopes]; any other request as by
// [Middleware.RequireSession], whose scopes do not apply to members (check
// their permissions with [Middleware.Authorize] or [Middleware.RequirePermission]).
// Which kind a bearer token is comes from its unverified claims (an access
// token lacks the session claim) and only picks the check: each check then
// refuses the other kind of token.
func (m *Middleware) RequireSessionOrScopes(scopes ...string) func(http.Handler) http.Handler {
	required := append([]string{}, scopes...)
	parsed := parseScopes(required)
	return func(next http.Handler) http.Handler {
		session := m.RequireSession(next)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			raw := m.m2mToken(r)
			if raw != "" && m.isAccessToken(raw) {
				m.serveM2M(w, r, next, raw, required, parsed)
				return
			}
			session.ServeHTTP(w, r)
		})
	}
}

// isAccessToken tells an M2M access token from a session JWT before either
// is verified: a token already verified as one, or whose payload does not
// name the session claim.
func (m *Middleware) isAccessToken(raw string) bool {
	if _, ok := m.m2mCache.get(raw, m.cfg.now()); ok {
		return true
	}
	if len(raw) > MaxTokenSize {
		return false
	}
	_, rest, ok := strings.Cut(raw, ".")
	payload, _, ok2 := strings.Cut(rest, ".")
	if !ok || !ok2 {
		return false
	}
	decoded, err := base64.RawURLEncoding.DecodeString(payload)
	return err == nil && !bytes.Contains(decoded, []byte(`"https://stytch.com/session"`))
}

func (m *Middleware) serveM2M(w http.ResponseWriter, r *http.Request, next http.Handler, raw string, required []string, parsed []scope) {
	var start time.Time
	if m.cfg.observer != nil {
		start = time.Now()
	}
	c, source, err := m.m2mClient(r.Context(), raw)
	if m.cfg.observer != nil {
		m.cfg.observer.Verified(r.Context(), Verification{Source: source, Client: c, Err: err, Duration: time.Since(start)})
	}
	if err == nil {
		err = authorizeScopes(c, required, parsed)
	}
	if err != nil {
		m.cfg.logger.DebugContext(r.Context(), "b2bauth: access token rejected", "reason", err)
		w.Header().Set("WWW-Authenticate", bearerChallenge(err, required))
		m.cfg.errorHandler(w, r, err)
		return
	}
	next.ServeHTTP(w, r.WithContext(NewM2MContext(r.Context(), c)))
}

// bearerChallenge is the WWW-Authenticate value of an M2M refusal (RFC 6750
// section 3).
func bearerChallenge(err error, required []string) string {
	switch {
	case errors.Is(err, ErrInsufficientScope):
		list := strings.Join(required, " ")
		if strings.ContainsFunc(list, func(r rune) bool { return r == '"' || r == '\\' || r < ' ' || r == 0x7f }) {
			// Not a scope RFC 6750 can quote; the challenge goes without it.
			return `Bearer error="insufficient_scope"`
		}
		return `Bearer error="insufficient_scope", scope="` + list + `"`
	case errors.Is(err, ErrM2MTokenInvalid):
		return `Bearer error="invalid_token"`
	}
	return "Bearer"
}
