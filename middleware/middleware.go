package middleware

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/sync/singleflight"

	"github.com/b2bauth/b2bauth/client"
)

// Middleware authenticates and authorizes requests. Create it with [New]; it
// is safe for concurrent use. Call [Middleware.Close] to stop its background
// JWKS refresh.
type Middleware struct {
	cfg      config
	jwks     *client.JWKS // nil with WithKeyfunc
	parser   *jwt.Parser
	issuers  []string
	audience string // the project id, required in aud
	cache    *tokenCache
	m2mCache *m2mCache
	// verdicts holds Stytch's sessions for JWTs it judged (expired or too
	// old locally); refusals the credentials it refused. Both are keyed by
	// hash: see judge.
	verdicts *verdictCache
	refusals *verdictCache
	limiter  *upstreamLimiter
	flight   singleflight.Group
	closeFns []func()
}

// New returns a Middleware for the project of c. Unless replaced by options,
// it verifies JWTs with the client's JWKS (see client.Client.NewJWKS),
// authenticates remotely with the client's Sessions service and authorizes
// with a client.PolicyCache. It returns an error for an invalid
// configuration, such as cookie settings a browser would refuse.
//
// New does not hang on a slow key set: it waits for the first fetch at most
// client.DefaultJWKSStartWait (1 s), and a failing first fetch does not fail
// it. Requests that come before the key set wait for that same fetch, each
// at most client.DefaultJWKSKeyWait (5 s), then are decided without it
// (Stytch asked, or 503 while Stytch cannot answer). Both waits are set with
// [WithJWKSOptions] (client.WithStartWait, client.WithKeyWait).
func New(c *client.Client, opts ...Option) (*Middleware, error) {
	if c == nil {
		return nil, errors.New("b2bauth: nil client")
	}
	cfg := defaultConfig()
	for _, o := range opts {
		if err := o.apply(&cfg); err != nil {
			return nil, err
		}
	}
	if err := cfg.cookies.validate(); err != nil {
		return nil, err
	}
	if cfg.jwtSources == nil {
		cfg.jwtSources = []TokenSource{TokenFromHeader, TokenFromCookie(cfg.cookies.jwtName)}
	}
	if cfg.tokenSources == nil {
		cfg.tokenSources = []TokenSource{TokenFromCookie(cfg.cookies.sessionName)}
	}
	m := &Middleware{
		cfg:     cfg,
		issuers: c.Issuers(),
		cache:   newTokenCache(cfg.cacheSize),
		// The verdict caches are separate so that a flood of refused junk
		// cannot evict the sessions of real clients.
		verdicts: newVerdictCache(cfg.cacheSize),
		refusals: newVerdictCache(cfg.cacheSize),
		limiter:  newUpstreamLimiter(cfg.upstreamRate, cfg.upstreamBurst),
	}
	m.audience = c.ProjectID()
	m.m2mCache = newM2MCache(cfg.cacheSize)
	if m.cfg.keyfunc == nil {
		jwks, err := c.NewJWKS(context.Background(), m.cfg.jwksOpts...)
		if err != nil {
			return nil, fmt.Errorf("b2bauth: jwks: %w", err)
		}
		m.jwks = jwks
		m.closeFns = append(m.closeFns, jwks.Close)
	}
	if m.cfg.authenticator == nil {
		m.cfg.authenticator = c.Sessions
	}
	if m.cfg.authorizer == nil {
		m.cfg.authorizer = c.NewPolicyCache()
	}
	if m.cfg.errorHandler == nil {
		m.cfg.errorHandler = m.DefaultErrorHandler
	}
	m.parser = jwt.NewParser(
		// Stytch signs with RS256 only; pinning it refuses "none" and HMAC
		// tokens keyed with the public key.
		jwt.WithValidMethods([]string{"RS256"}),
		jwt.WithAudience(c.ProjectID()),
		jwt.WithExpirationRequired(),
		// A JWT issued in the future (beyond the leeway) was minted by a
		// clock or a signer that cannot be trusted with its age.
		jwt.WithIssuedAt(),
		jwt.WithLeeway(cfg.leeway),
		jwt.WithTimeFunc(cfg.now),
	)
	return m, nil
}

// Close stops the background work New started. The Middleware must not be
// used afterwards.
func (m *Middleware) Close() {
	for _, f := range m.closeFns {
		f()
	}
}

// Reasons a locally checked JWT needs Stytch's opinion.
var (
	errExpired  = errors.New("b2bauth: jwt expired")
	errTooOld   = errors.New("b2bauth: jwt older than the maximum token age")
	errKeyStale = errors.New("b2bauth: jwt signed by a key the key set lacks")
)

var errTooLongCredential = fmt.Errorf("credential longer than %d bytes", MaxTokenSize)

func (m *Middleware) issuerOK(iss string) bool {
	for _, want := range m.issuers {
		if iss == want {
			return true
		}
	}
	return false
}

// authenticate decides the session of r. It writes refreshed cookies after a
// remote authentication and clears them when the session they hold is
// invalid.
//
// A JWT from another source than the JWT cookie (a bearer header) is the
// credential the caller chose and is judged alone: the session-token
// sources are not read, the cookies are neither used in its place nor
// written. A JWT cookie that fails verification does not end a session
// whose token is also presented: a stray JWT cookie (planted by a sibling
// domain, say) says nothing of the session token, which Stytch decides.
// Only a credential read from the middleware's own cookies ever gets those
// cookies cleared, and never when one of them is sent twice (see
// authenticateAmbiguous).
func (m *Middleware) authenticate(w http.ResponseWriter, r *http.Request) *state {
	jwtRaw := firstToken(r, m.cfg.jwtSources)
	var rejectedJWT error // why jwtRaw, if set, cannot be the session's proof
	if len(jwtRaw) > MaxTokenSize {
		rejectedJWT = ErrInvalidToken.with(errTooLongCredential)
	} else if jwtRaw != "" {
		if s, ok := m.cache.get(jwtRaw, m.cfg.now()); ok {
			return &state{owner: m, session: s}
		}
	}
	// The rest is read only past the cache: the common request carries a
	// JWT already verified.
	bearer := jwtRaw != "" && jwtRaw != cookieValue(r.Header["Cookie"], m.cfg.cookies.jwtName)
	var tokenRaw string
	if !bearer {
		tokenRaw = firstToken(r, m.cfg.tokenSources)
		if st := m.authenticateAmbiguous(r, jwtRaw, tokenRaw); st != nil {
			return st
		}
	}
	token := tokenRaw
	var rejectedToken error
	switch {
	case len(token) > MaxTokenSize:
		rejectedToken, token = ErrInvalidToken.with(errTooLongCredential), ""
	case token != "" && !plausibleSessionToken(token):
		// Only Stytch can check an opaque token, but one that is not even
		// shaped like Stytch's is refused without asking.
		rejectedToken, token = ErrInvalidToken.with(errors.New("malformed session token")), ""
	}
	if jwtRaw == "" && tokenRaw == "" {
		return &state{owner: m, err: ErrNoSession.with(nil)}
	}

	var local *Session // a JWT valid in all but age, served if Stytch is down
	if jwtRaw != "" && rejectedJWT == nil {
		s, validUntil, err := m.verifyLocal(r.Context(), jwtRaw)
		switch {
		case err == nil:
			m.cache.put(jwtRaw, s, validUntil)
			return &state{owner: m, session: s}
		case errors.Is(err, errTooOld):
			local = s
		case errors.Is(err, errExpired):
		case errors.Is(err, errKeyStale):
			// A kid still unknown after the refresh is only worth asking
			// Stytch about with the session token from our own cookie; a
			// lone JWT signed by a key Stytch does not publish is refused
			// here, unless the key set itself could not be fetched.
			if token == "" && !errors.Is(err, ErrUnavailable) {
				rejectedJWT = ErrInvalidToken.with(err)
			}
		default:
			rejectedJWT = err
		}
	}
	if rejectedJWT != nil {
		if token == "" {
			return m.reject(w, r, cmp.Or(rejectedToken, rejectedJWT), tokenRaw, jwtRaw)
		}
		m.cfg.logger.DebugContext(r.Context(), "b2bauth: jwt cookie rejected; authenticating the session token", "reason", rejectedJWT)
		jwtRaw = "" // never sent to Stytch: the token alone decides
	}
	if token == "" && jwtRaw == "" {
		return m.reject(w, r, rejectedToken, tokenRaw)
	}

	// Stytch judges the token when there is one, else the JWT; the cookies
	// are refreshed, or cleared, only when that credential came from them.
	judged := cmp.Or(token, jwtRaw)
	s, err := m.judge(r.Context(), judged, token != "")
	switch {
	case err == nil:
		if m.isCookieValue(r, judged) {
			m.SetSessionCookies(w, token, s.JWT, s.ExpiresAt)
		}
		return &state{owner: m, session: s}
	case errors.Is(err, ErrUnavailable):
		if local != nil {
			m.cfg.logger.WarnContext(r.Context(), "b2bauth: stytch unavailable; serving a locally valid jwt past its max age",
				"member_id", local.MemberID, "error", err)
			return &state{owner: m, session: local}
		}
		m.cfg.logger.WarnContext(r.Context(), "b2bauth: stytch unavailable", "error", err)
		return &state{owner: m, err: err}
	default:
		return m.reject(w, r, err, judged)
	}
}

// maxAmbiguous bounds the cookies of one name read from an ambiguous request,
// and so the upstream calls it can cost.
const maxAmbiguous = 3

// authenticateAmbiguous decides a request whose session-token or
// session-JWT cookie is sent more than once, or returns nil when neither is.
// Duplicates come from cookies of one name set for several domains or paths,
// such as one planted by a sibling subdomain (cookie tossing): which of them
// the middleware wrote cannot be told, so the request writes no cookie at
// all, neither clearing (that would log the member out on the planter's
// behalf) nor refreshing (that could replace the member's own cookies with
// the planted ones). A JWT among them that verifies locally wins; otherwise
// the session tokens, then the JWTs only Stytch can judge (expired or too
// old), are judged in the order sent until Stytch accepts one, at most
// maxAmbiguous of each.
func (m *Middleware) authenticateAmbiguous(r *http.Request, jwtRaw, tokenRaw string) *state {
	lines := r.Header["Cookie"]
	jwts := cookieValues(lines, m.cfg.cookies.jwtName, maxAmbiguous)
	tokens := cookieValues(lines, m.cfg.cookies.sessionName, maxAmbiguous)
	if len(jwts) < 2 && len(tokens) < 2 {
		return nil
	}
	// Only the credentials the configured sources read from the cookies
	// are replaced by the cookies' candidates.
	if jwtRaw == "" || jwtRaw != jwts[0] {
		jwts = nonEmpty(jwtRaw)
	}
	if tokenRaw == "" || len(tokens) == 0 || tokenRaw != tokens[0] {
		tokens = nonEmpty(tokenRaw)
	}
	ctx := r.Context()
	m.cfg.logger.DebugContext(ctx, "b2bauth: duplicate session cookies; deciding without writing cookies",
		"jwt_cookies", len(jwts), "token_cookies", len(tokens))
	var (
		local   *Session // a JWT valid in all but age, served if Stytch is down
		remote  []string // JWTs only Stytch can judge
		refusal error    = ErrNoSession.with(nil)
	)
	for _, raw := range jwts {
		if len(raw) > MaxTokenSize {
			refusal = ErrInvalidToken.with(errTooLongCredential)
			continue
		}
		if s, ok := m.cache.get(raw, m.cfg.now()); ok {
			return &state{owner: m, session: s}
		}
		s, validUntil, err := m.verifyLocal(ctx, raw)
		switch {
		case err == nil:
			m.cache.put(raw, s, validUntil)
			return &state{owner: m, session: s}
		case errors.Is(err, errTooOld):
			local = cmp.Or(local, s)
			remote = append(remote, raw)
		case errors.Is(err, errExpired):
			remote = append(remote, raw)
		case errors.Is(err, errKeyStale) && errors.Is(err, ErrUnavailable):
			remote = append(remote, raw)
		case errors.Is(err, errKeyStale):
			refusal = ErrInvalidToken.with(err)
		default:
			refusal = err
		}
	}
	type candidate struct {
		raw     string
		isToken bool
	}
	var candidates []candidate
	for _, t := range tokens {
		if len(t) <= MaxTokenSize && plausibleSessionToken(t) {
			candidates = append(candidates, candidate{t, true})
		} else {
			refusal = ErrInvalidToken.with(errors.New("malformed session token"))
		}
	}
	for _, j := range remote {
		candidates = append(candidates, candidate{j, false})
	}
	for _, c := range candidates {
		s, err := m.judge(ctx, c.raw, c.isToken)
		switch {
		case err == nil:
			return &state{owner: m, session: s}
		case errors.Is(err, ErrUnavailable):
			if local != nil {
				return &state{owner: m, session: local}
			}
			return &state{owner: m, err: err}
		default:
			refusal = err
		}
	}
	return &state{owner: m, err: refusal}
}

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

// reject answers r with err, clearing the session cookies when one of the
// rejected credentials is the value of one of them: a bad credential from a
// header, or from a cookie the middleware does not own, leaves them alone.
func (m *Middleware) reject(w http.ResponseWriter, r *http.Request, err error, rejected ...string) *state {
	m.cfg.logger.DebugContext(r.Context(), "b2bauth: session rejected", "reason", err)
	for _, c := range rejected {
		if m.isCookieValue(r, c) {
			m.ClearSessionCookies(w)
			break
		}
	}
	return &state{owner: m, err: err}
}

// isCookieValue reports whether v is the value of one of r's session
// cookies.
func (m *Middleware) isCookieValue(r *http.Request, v string) bool {
	lines := r.Header["Cookie"]
	return v != "" && (v == cookieValue(lines, m.cfg.cookies.sessionName) || v == cookieValue(lines, m.cfg.cookies.jwtName))
}

// refusalMemory is how long Stytch's refusal of a credential is remembered:
// a refused session never comes back, but a refusal misclassified by an
// incident at Stytch must not outlive it by much.
const refusalMemory = time.Minute

var errRefusedRecently = errors.New("refused by stytch within the last minute")

// judge asks Stytch about credential (see remote) unless its verdict is
// known: a credential Stytch refused is refused again for refusalMemory
// without asking, and a JWT Stytch accepted (one expired or too old to be
// trusted locally) is served again from the same answer until the earlier
// of the maximum token age from now and the session's end. Calls for a
// session token, which anyone can make up, pass the upstream limiter (see
// [WithUpstreamLimit]).
func (m *Middleware) judge(ctx context.Context, credential string, isToken bool) (*Session, error) {
	now := m.cfg.now()
	key := keyOf(credential, isToken)
	if _, ok := m.refusals.get(key, now); ok {
		return nil, ErrSessionInvalid.with(errRefusedRecently)
	}
	if e, ok := m.verdicts.get(key, now); ok {
		return e.session, nil
	}
	if isToken && !m.limiter.allow(now) {
		return nil, ErrUnavailable.with(ErrUpstreamLimited)
	}
	s, err := m.remote(ctx, credential, isToken)
	switch {
	case err == nil && !isToken:
		until := now.Add(m.cfg.maxTokenAge)
		if !s.ExpiresAt.IsZero() && s.ExpiresAt.Before(until) {
			until = s.ExpiresAt
		}
		m.verdicts.put(key, s, until)
	case errors.Is(err, ErrSessionInvalid):
		m.refusals.put(key, nil, now.Add(refusalMemory))
	}
	return s, err
}

// remote authenticates credential at Stytch: a session token when isToken,
// else a session JWT. Identical concurrent calls share one upstream request.
func (m *Middleware) remote(ctx context.Context, credential string, isToken bool) (*Session, error) {
	p := &client.SessionsAuthenticateParams{SessionDurationMinutes: m.cfg.sessionDuration}
	key := "t" + credential
	if isToken {
		p.SessionToken = credential
	} else {
		p.SessionJWT = credential
		key = "j" + credential
	}
	ch := m.flight.DoChan(key, func() (any, error) {
		// Detached from the first caller's cancellation: its waiters share
		// the answer. The client's own timeout still bounds the call.
		return m.cfg.authenticator.Authenticate(context.WithoutCancel(ctx), p)
	})
	var res singleflight.Result
	select {
	case res = <-ch:
	case <-ctx.Done():
		return nil, ErrUnavailable.with(ctx.Err())
	}
	var apiErr *client.Error
	switch {
	case res.Err == nil:
	case errors.As(res.Err, &apiErr) && apiErr.ErrorType == "unauthorized_credentials":
		// Stytch refused our project credentials, not the member's session:
		// a misconfiguration must not log every member out.
		m.cfg.logger.ErrorContext(ctx, "b2bauth: stytch refused the project credentials; check the project id and secret",
			"request_id", apiErr.RequestID)
		return nil, ErrUnavailable.with(res.Err)
	case apiErr != nil && apiErr.ErrorType == "":
		// A 4xx without Stytch's error body came from something between us
		// and Stytch (a proxy, a wrong base URL): it says nothing about the
		// session.
		return nil, ErrUnavailable.with(res.Err)
	case apiErr != nil && !errors.Is(res.Err, client.ErrUnavailable):
		return nil, ErrSessionInvalid.with(res.Err)
	default:
		// Transport failures, timeouts, 5xx, 429 and anything unexpected:
		// Stytch could not decide, so the session is not declared invalid.
		return nil, ErrUnavailable.with(res.Err)
	}
	resp, _ := res.Val.(*client.SessionsAuthenticateResponse)
	if resp == nil {
		return nil, ErrUnavailable.with(errors.New("empty answer from the session authenticator"))
	}
	return sessionFromMemberSession(&resp.MemberSession, resp.SessionJWT), nil
}

// verify attaches the request's session state, reusing one attached by an
// earlier b2bauth middleware in the chain.
func (m *Middleware) verify(w http.ResponseWriter, r *http.Request) (*http.Request, *state) {
	if st, ok := stateFrom(r.Context()); ok && st.owner == m {
		return r, st
	}
	st := m.authenticate(w, r)
	return r.WithContext(withState(r.Context(), st)), st
}

// OptionalSession attaches the session, or the reason it is absent, to the
// request context and always calls next. Read them with [SessionFrom] and
// [FailureReason]. Cookies of an invalid session are cleared.
func (m *Middleware) OptionalSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r, _ = m.verify(w, r)
		next.ServeHTTP(w, r)
	})
}

// RequireSession calls next only for requests with a valid session. Others
// get the error handler: 401 (or a redirect to the login URL for browser
// navigations) when the session is missing or invalid, 503 with Retry-After
// when Stytch is unavailable.
func (m *Middleware) RequireSession(next http.Handler) http.Handler {
	return m.enforce(next, nil)
}

// enforce verifies, then runs check on the session; a non-nil error from
// either is answered by the error handler.
func (m *Middleware) enforce(next http.Handler, check func(*http.Request, *Session) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r, st := m.verify(w, r)
		err := st.err
		if err == nil && st.session == nil {
			err = ErrNoSession.with(nil)
		}
		if err == nil && check != nil {
			err = check(r, st.session)
		}
		if err != nil {
			m.cfg.errorHandler(w, r, err)
			return
		}
		next.ServeHTTP(w, r)
	})
}
