package middleware

import (
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
	cache    *tokenCache[*Session]
	m2mCache *tokenCache[*M2MClient]
	// verdicts holds Stytch's sessions for JWTs it judged (expired or too
	// old locally); refusals the credentials it refused. Both are keyed by
	// hash: see judge.
	verdicts *verdictCache
	refusals *verdictCache
	limiter  *upstreamLimiter
	flight   *singleflight.Group // shared with the Middlewares derived by With
	closeFns []func()
	revoked  *revokedSet // shared with the Middlewares derived by With
	// health is what the calls to Stytch taught (see HealthHandler);
	// checkCredentials is the client's CheckCredentials.
	health           *health
	checkCredentials func(context.Context) error
	members          *memberLookup
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
		if o == nil {
			return nil, errors.New("b2bauth: nil option")
		}
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
		cache:   newTokenCache[*Session](cfg.cacheSize),
		// The verdict caches are separate so that a flood of refused junk
		// cannot evict the sessions of real clients.
		verdicts: newVerdictCache(cfg.cacheSize),
		refusals: newVerdictCache(cfg.cacheSize),
		limiter:  newUpstreamLimiter(cfg.upstreamRate, cfg.upstreamBurst),

		checkCredentials: c.CheckCredentials,
		flight:           new(singleflight.Group),
		revoked:          new(revokedSet),
		health:           new(health),
	}
	m.audience = c.ProjectID()
	m.m2mCache = newTokenCache[*M2MClient](cfg.cacheSize)
	m.members = newMemberLookup(c.Organizations, cfg.now, MemberCacheTTL, MemberCacheSize)
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
		pc, err := c.NewPolicyCache()
		if err != nil {
			m.Close()
			return nil, err
		}
		m.cfg.authorizer = pc
	}
	m.setErrorHandler()
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
	if err := m.subscribeRevocations(); err != nil {
		m.Close()
		return nil, fmt.Errorf("b2bauth: revocation feed: %w", err)
	}
	return m, nil
}

// Close stops the background work New started. The Middleware must not be
// used afterwards, nor those derived from it with [Middleware.With]; Close of
// a derived Middleware does nothing.
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

// refusalMemory is how long Stytch's refusal of a credential is remembered:
// a refused session never comes back, but a refusal misclassified by an
// incident at Stytch must not outlive it by much.
const refusalMemory = time.Minute

var errRefusedRecently = errors.New("refused by stytch within the last minute")

// judge asks Stytch about credential (see remote) unless its verdict is
// known, and says which source decided: a credential Stytch refused is refused again for refusalMemory
// without asking, and a JWT Stytch accepted (one expired or too old to be
// trusted locally) is served again from the same answer until the earlier
// of the maximum token age from now and the session's end, unless its
// session is revoked here in the meantime ([Middleware.Revoke]). Calls for a
// session token, which anyone can make up, pass the upstream limiter (see
// [WithUpstreamLimit]).
func (m *Middleware) judge(ctx context.Context, credential string, isToken bool) (*Session, Source, error) {
	now := m.cfg.now()
	key := keyOf(credential, isToken)
	if _, ok := m.refusals.get(key, now); ok {
		return nil, SourceRefusalCache, ErrSessionInvalid.with(errRefusedRecently)
	}
	if e, ok := m.verdicts.get(key, now); ok {
		if m.refusedAt(e.session, now) {
			// Revoked since Stytch vouched for it: the verdict is stale.
			return nil, SourceVerdictCache, ErrSessionInvalid.with(errRevoked)
		}
		return e.session, SourceVerdictCache, nil
	}
	if isToken && !m.limiter.allow(now) {
		return nil, SourceUpstreamLimit, ErrUnavailable.with(ErrUpstreamLimited)
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
	return s, SourceRemote, err
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
	m.health.record(res.Err, time.Now())
	var apiErr *client.Error
	switch {
	case res.Err == nil:
	case errors.Is(res.Err, client.ErrProjectCredentials) && errors.As(res.Err, &apiErr):
		// Stytch refused our project credentials, not the member's session:
		// a misconfiguration must not log every member out.
		m.cfg.logger.ErrorContext(ctx, "b2bauth: stytch refused the project credentials; check the project id and secret",
			"request_id", apiErr.RequestID)
		return nil, ErrUnavailable.with(res.Err)
	case errors.Is(res.Err, client.ErrSessionRejected):
		// Stytch's verdict on the session itself: gone, or not a
		// credential it accepts.
		return nil, ErrSessionInvalid.with(res.Err)
	case errors.As(res.Err, &apiErr) && apiErr.ErrorType != "" && !errors.Is(res.Err, client.ErrUnavailable):
		// Any other rejection by Stytch is about the call (its shape, the
		// project's configuration, plan or network restrictions), not the
		// member: logging members out for it would log out every one of
		// them, so it is an outage an operator must see.
		m.cfg.logger.ErrorContext(ctx, "b2bauth: stytch refused the session check for a reason that is not the session",
			"status", apiErr.StatusCode, "error_type", apiErr.ErrorType, "request_id", apiErr.RequestID)
		return nil, ErrUnavailable.with(res.Err)
	default:
		// Transport failures, timeouts, 5xx, 429, a 4xx without Stytch's
		// error body (from a proxy or a wrong base URL) and anything
		// unexpected: Stytch could not decide, so the session is not
		// declared invalid.
		return nil, ErrUnavailable.with(res.Err)
	}
	resp, _ := res.Val.(*client.SessionsAuthenticateResponse)
	if resp == nil {
		return nil, ErrUnavailable.with(errors.New("empty answer from the session authenticator"))
	}
	if ms := &resp.MemberSession; ms.MemberSessionID == "" || ms.MemberID == "" || ms.OrganizationID == "" {
		// A success naming no session (a proxy's 200, say) vouches for
		// nobody: serving it would admit a member of no organization, and
		// it says nothing against the session either.
		return nil, ErrUnavailable.with(errors.New("answer without a member session, member or organization"))
	}
	s := sessionFromMemberSession(&resp.MemberSession, resp.SessionJWT)
	if resp.Member.EmailAddress != "" {
		s.Email = resp.Member.EmailAddress
	}
	return s, nil
}

// verify attaches the request's session state, reusing one attached by an
// earlier b2bauth middleware in the chain.
func (m *Middleware) verify(w http.ResponseWriter, r *http.Request) (*http.Request, *state) {
	if st, ok := stateFrom(r.Context()); ok && st.owner == m {
		return r, st
	}
	var start time.Time
	if m.cfg.observer != nil {
		start = time.Now()
	}
	v := m.authenticate(w, r)
	if m.cfg.observer != nil {
		m.cfg.observer.Verified(r.Context(), Verification{Source: v.source, Session: v.session, Err: v.err, Duration: time.Since(start)})
	}
	return withStateRequest(r, state{owner: m, session: v.session, err: v.err})
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
