package middleware

import (
	"cmp"
	"context"
	"errors"
	"net/http"

	"github.com/b2bauth/b2bauth/client"
)

// credentials are the session credentials a request presents, as the
// configured sources read them, and what tells which of them came from the
// middleware's own cookies.
type credentials struct {
	jwt   string // read by the JWT sources
	token string // read by the session-token sources; never read for a bearer JWT
	// bearer: jwt is not the JWT cookie's value (a bearer header, say). It
	// is the credential the caller chose and is judged alone.
	bearer bool
	// The values of the middleware's own cookies, the first of each name:
	// only a credential read from them gets them written or cleared.
	cookieJWT, cookieToken string
	// ambiguous: a session cookie is sent more than once (see
	// decideAmbiguous), whose candidates, at most maxAmbiguous of each
	// name, are jwtCookies and tokenCookies.
	ambiguous                bool
	jwtCookies, tokenCookies []string
}

// isCookieValue reports whether v is the value of one of the session
// cookies.
func (c *credentials) isCookieValue(v string) bool {
	return v != "" && (v == c.cookieToken || v == c.cookieJWT)
}

// cookieAction is what a verdict does to the session cookies.
type cookieAction uint8

const (
	keepCookies  cookieAction = iota
	setCookies                // refresh them with the session Stytch returned
	clearCookies              // the session they hold is invalid
)

// verdict is the decision on a request's credentials: the session or why
// there is none, what decided it, and what to do to the cookies. The notes
// at the end are for the log only.
type verdict struct {
	session *Session
	err     error
	source  Source
	cookies cookieAction
	token   string // the session token setCookies writes, "" for none

	ignoredJWT error // a JWT cookie refused in favour of the session token
	outage     error // why Stytch could not judge a session served anyway
	ambiguous  bool  // decided without writing cookies: duplicates were sent

	// Of a refusal by Stytch: the credential it judged and the JWT sent
	// with it, whose session is published as revoked when Stytch says it
	// is gone (see goneAtStytch).
	judged, judgedJWT string
}

// refuse is the verdict refusing credentials with err; it clears the
// cookies when one of the refused credentials is the value of one of them:
// a bad credential from a header, or from a cookie the middleware does not
// own, leaves them alone.
func (c *credentials) refuse(err error, source Source, refused ...string) verdict {
	v := verdict{err: err, source: source}
	for _, r := range refused {
		if c.isCookieValue(r) {
			v.cookies = clearCookies
			break
		}
	}
	return v
}

// authenticate decides the session of r and applies the verdict's effects
// to w: the cookies are refreshed after a remote authentication and cleared
// when the session they hold is invalid (see decide).
func (m *Middleware) authenticate(w http.ResponseWriter, r *http.Request) verdict {
	jwtRaw := firstToken(r, m.cfg.jwtSources)
	// The common request carries a JWT already verified: it is decided
	// before the rest of the request is read, and has no effect to apply.
	if jwtRaw != "" && len(jwtRaw) <= MaxTokenSize {
		now := m.cfg.now()
		if s, ok := m.cache.get(jwtRaw, now); ok && !m.refusedAt(s, now) {
			return verdict{session: s, source: SourceJWTCache}
		}
	}
	v := m.decide(r.Context(), m.readCredentials(r, jwtRaw))
	m.apply(w, r, &v)
	return v
}

// readCredentials reads the credentials of r, whose JWT sources read
// jwtRaw.
func (m *Middleware) readCredentials(r *http.Request, jwtRaw string) credentials {
	lines := r.Header["Cookie"]
	c := credentials{
		jwt:         jwtRaw,
		cookieJWT:   cookieValue(lines, m.cfg.cookies.jwtName),
		cookieToken: cookieValue(lines, m.cfg.cookies.sessionName),
	}
	c.bearer = jwtRaw != "" && jwtRaw != c.cookieJWT
	if c.bearer {
		return c
	}
	c.token = firstToken(r, m.cfg.tokenSources)
	jwts := cookieValues(lines, m.cfg.cookies.jwtName, maxAmbiguous)
	tokens := cookieValues(lines, m.cfg.cookies.sessionName, maxAmbiguous)
	if len(jwts) < 2 && len(tokens) < 2 {
		return c
	}
	// Only the credentials the configured sources read from the cookies
	// are replaced by the cookies' candidates.
	if jwtRaw == "" || jwtRaw != jwts[0] {
		jwts = nonEmpty(jwtRaw)
	}
	if c.token == "" || len(tokens) == 0 || c.token != tokens[0] {
		tokens = nonEmpty(c.token)
	}
	c.ambiguous, c.jwtCookies, c.tokenCookies = true, jwts, tokens
	return c
}

// decide decides the session of credentials c, whose JWT is not in the
// verified-JWT cache (authenticate looked). It changes nothing of the
// request or its answer: the verdict says what to do to the cookies.
//
// A JWT from another source than the JWT cookie (a bearer header) is the
// credential the caller chose and is judged alone: the session-token
// sources are not read, the cookies are neither used in its place nor
// written. A JWT cookie that fails verification does not end a session
// whose token is also presented: a stray JWT cookie (planted by a sibling
// domain, say) says nothing of the session token, which Stytch decides.
// Only a credential read from the middleware's own cookies ever gets those
// cookies cleared, and never when one of them is sent twice (see
// decideAmbiguous).
func (m *Middleware) decide(ctx context.Context, c credentials) verdict {
	if c.ambiguous {
		return m.decideAmbiguous(ctx, c)
	}
	jwtRaw := c.jwt
	var rejectedJWT error // why jwtRaw, if set, cannot be the session's proof
	if len(jwtRaw) > MaxTokenSize {
		rejectedJWT = ErrInvalidToken.with(errTooLongCredential)
	}
	token := c.token
	var rejectedToken error
	switch {
	case len(token) > MaxTokenSize:
		rejectedToken, token = ErrInvalidToken.with(errTooLongCredential), ""
	case token != "" && !plausibleSessionToken(token):
		// Only Stytch can check an opaque token, but one that is not even
		// shaped like Stytch's is refused without asking.
		rejectedToken, token = ErrInvalidToken.with(errors.New("malformed session token")), ""
	}
	if jwtRaw == "" && c.token == "" {
		return verdict{err: ErrNoSession.with(nil), source: SourceNone}
	}

	var local *Session // a JWT valid in all but age, served if Stytch is down
	if jwtRaw != "" && rejectedJWT == nil {
		s, validUntil, err := m.verifyLocal(ctx, jwtRaw)
		if m.refused(s) {
			err = ErrSessionInvalid.with(errRevoked)
		}
		switch {
		case err == nil:
			m.cache.put(jwtRaw, s, validUntil)
			return verdict{session: s, source: SourceLocal}
		case errors.Is(err, errTooOld):
			local = s
		case errors.Is(err, errExpired):
		case errors.Is(err, errKeyStale):
			// A kid still unknown after the refresh is only worth asking
			// Stytch about with the session token from our own cookie; a
			// lone JWT signed by a key Stytch does not publish is refused
			// here, unless the key set itself could not be fetched.
			switch {
			case token != "" || errors.Is(err, ErrUnavailable):
			case errors.Is(err, client.ErrKeyNotYetFetched):
				// The key set is behind the token and may not be
				// refreshed yet: no verdict, so no logout, and Stytch
				// is not asked about a JWT anyone can mint a kid for.
				return verdict{err: ErrUnavailable.with(err), source: SourceOutage}
			default:
				rejectedJWT = ErrInvalidToken.with(err)
			}
		default:
			rejectedJWT = err
		}
	}
	var ignoredJWT error
	if rejectedJWT != nil {
		if token == "" {
			return c.refuse(cmp.Or(rejectedToken, rejectedJWT), SourceLocal, c.token, jwtRaw)
		}
		ignoredJWT = rejectedJWT
		jwtRaw = "" // never sent to Stytch: the token alone decides
	}
	if token == "" && jwtRaw == "" {
		return c.refuse(rejectedToken, SourceLocal, c.token)
	}

	// Stytch judges the token when there is one, else the JWT; the cookies
	// are refreshed, or cleared, only when that credential came from them.
	judged := cmp.Or(token, jwtRaw)
	s, source, err := m.judge(ctx, judged, token != "")
	switch {
	case err == nil:
		v := verdict{session: s, source: source, ignoredJWT: ignoredJWT}
		if c.isCookieValue(judged) {
			v.cookies, v.token = setCookies, token
		}
		return v
	case errors.Is(err, ErrUnavailable):
		if source == SourceRemote {
			source = SourceOutage
		}
		if local != nil {
			return verdict{session: local, source: SourceOutage, outage: err, ignoredJWT: ignoredJWT}
		}
		return verdict{err: err, source: source, ignoredJWT: ignoredJWT}
	default:
		v := c.refuse(err, source, judged)
		v.ignoredJWT = ignoredJWT
		v.judged, v.judgedJWT = judged, jwtRaw
		return v
	}
}

// maxAmbiguous bounds the cookies of one name read from an ambiguous request,
// and so the upstream calls it can cost.
const maxAmbiguous = 3

// decideAmbiguous decides a request whose session-token or session-JWT
// cookie is sent more than once. Duplicates come from cookies of one name
// set for several domains or paths, such as one planted by a sibling
// subdomain (cookie tossing): which of them the middleware wrote cannot be
// told, so the verdict writes no cookie at all, neither clearing (that would
// log the member out on the planter's behalf) nor refreshing (that could
// replace the member's own cookies with the planted ones). A JWT among them
// that verifies locally wins; otherwise the session tokens, then the JWTs
// only Stytch can judge (expired or too old), are judged in the order sent
// until Stytch accepts one, at most maxAmbiguous of each.
func (m *Middleware) decideAmbiguous(ctx context.Context, c credentials) verdict {
	var (
		local     *Session // a JWT valid in all but age, served if Stytch is down
		remote    []string // JWTs only Stytch can judge
		undecided error    // why a JWT signed by a key not fetched yet is undecided
		refusal   = verdict{err: ErrNoSession.with(nil), source: SourceNone, ambiguous: true}
	)
	refuse := func(err error, source Source) {
		refusal.err, refusal.source = err, source
	}
	for _, raw := range c.jwtCookies {
		if len(raw) > MaxTokenSize {
			refuse(ErrInvalidToken.with(errTooLongCredential), SourceLocal)
			continue
		}
		if s, ok := m.cache.get(raw, m.cfg.now()); ok && !m.refused(s) {
			return verdict{session: s, source: SourceJWTCache, ambiguous: true}
		}
		s, validUntil, err := m.verifyLocal(ctx, raw)
		if m.refused(s) {
			err = ErrSessionInvalid.with(errRevoked)
		}
		switch {
		case err == nil:
			m.cache.put(raw, s, validUntil)
			return verdict{session: s, source: SourceLocal, ambiguous: true}
		case errors.Is(err, errTooOld):
			local = cmp.Or(local, s)
			remote = append(remote, raw)
		case errors.Is(err, errExpired):
			remote = append(remote, raw)
		case errors.Is(err, errKeyStale) && errors.Is(err, ErrUnavailable):
			remote = append(remote, raw)
		case errors.Is(err, client.ErrKeyNotYetFetched):
			undecided = cmp.Or(undecided, err)
		case errors.Is(err, errKeyStale):
			refuse(ErrInvalidToken.with(err), SourceLocal)
		default:
			refuse(err, SourceLocal)
		}
	}
	type candidate struct {
		raw     string
		isToken bool
	}
	var candidates []candidate
	for _, t := range c.tokenCookies {
		if len(t) <= MaxTokenSize && plausibleSessionToken(t) {
			candidates = append(candidates, candidate{t, true})
		} else {
			refuse(ErrInvalidToken.with(errors.New("malformed session token")), SourceLocal)
		}
	}
	for _, j := range remote {
		candidates = append(candidates, candidate{j, false})
	}
	for _, cand := range candidates {
		s, source, err := m.judge(ctx, cand.raw, cand.isToken)
		switch {
		case err == nil:
			return verdict{session: s, source: source, ambiguous: true}
		case errors.Is(err, ErrUnavailable):
			if source == SourceRemote {
				source = SourceOutage
			}
			if local != nil {
				return verdict{session: local, source: SourceOutage, outage: err, ambiguous: true}
			}
			return verdict{err: err, source: source, ambiguous: true}
		default:
			refuse(err, source)
		}
	}
	if undecided != nil {
		return verdict{err: ErrUnavailable.with(undecided), source: SourceOutage, ambiguous: true}
	}
	return refusal
}

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

// apply carries out the effects of v on the answer to r: the cookies, and
// the log.
func (m *Middleware) apply(w http.ResponseWriter, r *http.Request, v *verdict) {
	ctx, log := r.Context(), m.cfg.logger
	if v.ambiguous {
		log.DebugContext(ctx, "b2bauth: duplicate session cookies; deciding without writing cookies")
	}
	if v.ignoredJWT != nil {
		log.DebugContext(ctx, "b2bauth: jwt cookie rejected; authenticating the session token", "reason", v.ignoredJWT)
	}
	if v.judged != "" {
		m.goneAtStytch(r, v.err, v.judged, v.judgedJWT)
	}
	switch v.cookies {
	case setCookies:
		m.SetSessionCookies(w, v.token, v.session.JWT, v.session.ExpiresAt)
	case clearCookies:
		m.ClearSessionCookies(w)
	}
	switch {
	case v.outage != nil:
		log.WarnContext(ctx, "b2bauth: stytch unavailable; serving a locally valid jwt past its max age",
			"member_id", v.session.MemberID, "error", v.outage)
	case errors.Is(v.err, ErrUnavailable):
		log.WarnContext(ctx, "b2bauth: stytch unavailable", "error", v.err)
	case v.err != nil && v.source != SourceNone:
		log.DebugContext(ctx, "b2bauth: session rejected", "reason", v.err)
	}
}
