package middleware

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"slices"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/b2bauth/b2bauth/client"
)

// Option configures a [Middleware]. Options are applied in order by [New]
// and [Middleware.With]; the interface is closed. New refuses a nil Option
// and an invalid value with an error, never falling back to a default.
type Option interface {
	apply(*config) error
}

// optionFunc is an option without a name, which [Middleware.With] refuses
// as one that cannot differ per group; prefer shared and perGroup, whose
// refusals name the option.
type optionFunc func(*config) error

func (f optionFunc) apply(c *config) error { return f(c) }

var _ Option = optionFunc(nil)

// namedOption is an option that knows the function that made it, so
// [Middleware.With] can name an option it refuses.
type namedOption struct {
	name string
	// perGroup: the option may differ between a Middleware and those
	// derived from it with [Middleware.With].
	perGroup bool
	f        func(*config) error
}

func (o namedOption) apply(c *config) error { return o.f(c) }

// shared makes an option that configures what a Middleware shares with
// those derived from it: [Middleware.With] refuses it.
func shared(name string, f func(*config) error) Option { return namedOption{name: name, f: f} }

// perGroup makes an option [Middleware.With] accepts.
func perGroup(name string, f func(*config) error) Option {
	return namedOption{name: name, perGroup: true, f: f}
}

// ErrSharedOption is matched (errors.Is) by the error of [Middleware.With]
// given an option that cannot differ per group, such as cookie names or the
// cache size: what it configures is shared with the parent Middleware.
var ErrSharedOption = errors.New("b2bauth: option cannot differ per group")

// SessionAuthenticator authenticates a session token or JWT at Stytch. It is
// satisfied by the client's Sessions service (client.Client.Sessions). It must
// be safe for concurrent use.
type SessionAuthenticator interface {
	Authenticate(ctx context.Context, p *client.SessionsAuthenticateParams) (*client.SessionsAuthenticateResponse, error)
}

// PolicyAuthorizer decides RBAC checks locally. It is satisfied by
// *client.PolicyCache. It must be safe for concurrent use.
type PolicyAuthorizer interface {
	Authorize(ctx context.Context, sessionOrgID string, roles []string, check client.AuthorizationCheck) error
}

type config struct {
	cookies         cookieConfig
	maxTokenAge     time.Duration
	leeway          time.Duration
	now             func() time.Time
	logger          *slog.Logger
	errorHandler    func(http.ResponseWriter, *http.Request, error) // the effective one, set by New
	customHandler   func(http.ResponseWriter, *http.Request, error) // WithErrorHandler's
	loginURL        string
	stepUpURL       string
	returnParam     string
	jwtSources      []TokenSource
	tokenSources    []TokenSource
	sessionDuration int32
	cacheSize       int
	upstreamRate    float64
	upstreamBurst   int
	retryAfter      time.Duration
	navigation      func(*http.Request) bool
	keyfunc         jwt.Keyfunc
	jwksOpts        []client.JWKSOption
	authenticator   SessionAuthenticator
	authorizer      PolicyAuthorizer
	m2m             m2mConfig
	revocations     RevocationFeed
	observer        Observer // nil: none
}

func defaultConfig() config {
	return config{
		cookies:      defaultCookies(),
		maxTokenAge:  5 * time.Minute,
		leeway:       30 * time.Second,
		now:          time.Now,
		logger:       slog.New(slog.DiscardHandler),
		returnParam:  "return_to",
		cacheSize:    10000,
		retryAfter:   5 * time.Second,
		navigation:   IsNavigation,
		jwtSources:   nil, // filled in by New from the cookie names
		tokenSources: nil,
	}
}

// WithMaxTokenAge sets how long after its iat a JWT is trusted locally; an
// older JWT is re-checked with Stytch. Default 5 minutes (Stytch's JWT
// lifetime). Must be positive.
func WithMaxTokenAge(d time.Duration) Option {
	return shared("WithMaxTokenAge", func(c *config) error {
		if d <= 0 {
			return fmt.Errorf("b2bauth: max token age must be positive, got %s", d)
		}
		c.maxTokenAge = d
		return nil
	})
}

// WithLeeway sets the clock skew allowed on exp, nbf and iat (a JWT issued
// later than now plus the leeway is refused as [ErrInvalidToken]). Default
// 30 seconds; 0 to 5 minutes. A JWT is served locally only until the earlier
// of exp plus the leeway and iat plus the maximum token age
// ([WithMaxTokenAge]); as Stytch's JWTs live 5 minutes, the default maximum
// age, the leeway on exp matters mostly while Stytch is down, and the one on
// nbf and iat whenever this server's clock runs behind Stytch's.
func WithLeeway(d time.Duration) Option {
	return shared("WithLeeway", func(c *config) error {
		if d < 0 || d > 5*time.Minute {
			return fmt.Errorf("b2bauth: leeway must be within 0..5m, got %s", d)
		}
		c.leeway = d
		return nil
	})
}

// WithClock sets the time source for token validity and caching. Default
// time.Now.
func WithClock(now func() time.Time) Option {
	return shared("WithClock", func(c *config) error {
		if now == nil {
			return errors.New("b2bauth: nil clock")
		}
		c.now = now
		return nil
	})
}

// WithLogger sets the logger. Default: nothing is logged. Tokens and secrets
// are never logged.
func WithLogger(l *slog.Logger) Option {
	return perGroup("WithLogger", func(c *config) error {
		if l == nil {
			return errors.New("b2bauth: nil logger")
		}
		c.logger = l
		return nil
	})
}

// WithErrorHandler sets the handler that answers rejected requests. It
// receives the reason (an *[Error] or *[StepUpError]); use [Code] for its
// machine-readable code and status. Cookies of an invalid session are already
// cleared when it runs. Default: [Middleware.DefaultErrorHandler], which
// redirects browser navigations to the login URL and answers others with a
// JSON error body.
func WithErrorHandler(h func(w http.ResponseWriter, r *http.Request, err error)) Option {
	return perGroup("WithErrorHandler", func(c *config) error {
		if h == nil {
			return errors.New("b2bauth: nil error handler")
		}
		c.customHandler = h
		return nil
	})
}

// WithLoginURL sets where browser navigations without a valid session are
// redirected, with the requested path in the return parameter (see
// [WithReturnParam]). It must be a local path such as "/auth/login". Default
// "": no redirect, every rejection is a 401.
func WithLoginURL(path string) Option {
	return perGroup("WithLoginURL", func(c *config) error {
		if !IsSafeReturnPath(path) {
			return fmt.Errorf("b2bauth: login URL %q must be a local absolute path", path)
		}
		c.loginURL = path
		return nil
	})
}

// WithStepUpURL sets where browser navigations rejected by
// [Middleware.RequireFreshFactor] are redirected (with the return
// parameter), e.g. the flows' step-up page. Default "": a 403 response.
func WithStepUpURL(path string) Option {
	return perGroup("WithStepUpURL", func(c *config) error {
		if !IsSafeReturnPath(path) {
			return fmt.Errorf("b2bauth: step-up URL %q must be a local absolute path", path)
		}
		c.stepUpURL = path
		return nil
	})
}

// WithReturnParam sets the query parameter carrying the return path on
// redirects to the login URL. Default "return_to".
func WithReturnParam(name string) Option {
	return perGroup("WithReturnParam", func(c *config) error {
		if name == "" {
			return errors.New("b2bauth: empty return parameter")
		}
		c.returnParam = name
		return nil
	})
}

// WithJWTSources replaces where session JWTs are read from, tried in order;
// no sources at all turns JWTs off. Default: [TokenFromHeader], then the
// session-JWT cookie. A JWT whose value is not the session-JWT cookie's (see
// [WithCookieNames]) is judged alone: the session-token sources are not read
// for its request, and no cookie is written or cleared for it.
func WithJWTSources(sources ...TokenSource) Option {
	return perGroup("WithJWTSources", func(c *config) error {
		if slices.ContainsFunc(sources, isNilSource) {
			return errors.New("b2bauth: nil JWT source")
		}
		c.jwtSources = append([]TokenSource{}, sources...)
		return nil
	})
}

func isNilSource(s TokenSource) bool { return s == nil }

// WithSessionTokenSources replaces where opaque session tokens are read from,
// tried in order after the JWT sources; no sources at all turns them off.
// Default: the session cookie.
func WithSessionTokenSources(sources ...TokenSource) Option {
	return perGroup("WithSessionTokenSources", func(c *config) error {
		if slices.ContainsFunc(sources, isNilSource) {
			return errors.New("b2bauth: nil session token source")
		}
		c.tokenSources = append([]TokenSource{}, sources...)
		return nil
	})
}

// Stytch's bounds of session_duration_minutes.
const (
	minSessionDuration = 5 * time.Minute
	maxSessionDuration = 366 * 24 * time.Hour
)

// WithSessionDuration extends the session to last d from now on every
// remote authentication (Stytch's session_duration_minutes). d must be a
// whole number of minutes within Stytch's range of 5 minutes to 366 days.
// Default 0: the session's lifetime is left unchanged.
func WithSessionDuration(d time.Duration) Option {
	return shared("WithSessionDuration", func(c *config) error {
		minutes, err := SessionDurationMinutes(d)
		if err != nil {
			return err
		}
		c.sessionDuration = minutes
		return nil
	})
}

// SessionDurationMinutes converts a session duration to Stytch's
// session_duration_minutes: 0 for 0, else d must be a whole number of
// minutes from 5 minutes to 366 days. The flows package validates its
// session duration with it too.
func SessionDurationMinutes(d time.Duration) (int32, error) {
	if d == 0 {
		return 0, nil
	}
	if d < minSessionDuration || d > maxSessionDuration || d%time.Minute != 0 {
		return 0, fmt.Errorf("b2bauth: session duration must be a whole number of minutes from 5m to 366 days (8784h), got %s", d)
	}
	return int32(d / time.Minute), nil
}

// WithCacheSize bounds each of the middleware's caches (entries): the
// verified session JWTs, the verified M2M access tokens, the sessions Stytch
// returned for JWTs it judged, and the credentials Stytch refused in the
// last minute (keyed by hash, a few dozen bytes each). The caches allocate
// as they fill, not for their bounds: an idle middleware holds a few
// kilobytes. Default 10000; 0 disables them, so every JWT is verified on
// every request and every credential that needs Stytch's opinion is sent to
// Stytch every time.
func WithCacheSize(n int) Option {
	return shared("WithCacheSize", func(c *config) error {
		if n < 0 {
			return fmt.Errorf("b2bauth: negative cache size %d", n)
		}
		c.cacheSize = n
		return nil
	})
}

// WithUpstreamLimit bounds the rate of the sessions authenticate calls made
// to judge a session token: at most burst at once, regaining perSecond calls
// per second. Past it the request is answered as during an outage
// ([ErrUnavailable] wrapping [ErrUpstreamLimited]: 503 with Retry-After,
// cookies kept), never as a logout.
//
// Why: a session token is opaque, so one of a plausible shape can only be
// judged by Stytch, and anyone can make up new ones; without a limit, a
// client sending a fresh made-up token on every request spends one call of
// the project's Stytch rate limit each (a repeated one costs a single call:
// refusals are remembered for a minute, see [WithCacheSize]), which the
// login flows share. Calls for a JWT are not limited: they follow a verified
// signature, and the verdict is cached. Set the limit below the project's
// Stytch allowance for sessions authenticate, with room for the expected
// rate of returning members (a member whose JWT cookie expired costs one
// call). A further per-client limit belongs in front of the middleware
// (by IP or API key), where the client is known.
//
// Default 0: no limit, as a default low enough to protect every project
// would answer 503 to the members of a busy one coming back at once.
// perSecond must not be negative and burst must be at least 1 with a limit.
func WithUpstreamLimit(perSecond float64, burst int) Option {
	return shared("WithUpstreamLimit", func(c *config) error {
		if perSecond < 0 || math.IsNaN(perSecond) || math.IsInf(perSecond, 0) || perSecond > 0 && burst < 1 {
			return fmt.Errorf("b2bauth: upstream limit needs a rate >= 0 and a burst >= 1, got %v and %d", perSecond, burst)
		}
		c.upstreamRate, c.upstreamBurst = perSecond, burst
		return nil
	})
}

// WithRetryAfter sets the Retry-After of 503 answers given while Stytch is
// unavailable. Default 5 seconds.
func WithRetryAfter(d time.Duration) Option {
	return shared("WithRetryAfter", func(c *config) error {
		if d < time.Second {
			return fmt.Errorf("b2bauth: retry-after must be at least 1s, got %s", d)
		}
		c.retryAfter = d
		return nil
	})
}

// WithNavigationDetector overrides how a request is classified as a browser
// navigation (redirected to the login URL) rather than an API call (answered
// with a JSON 401). Default [IsNavigation]. See also [WithJSONOnly].
func WithNavigationDetector(f func(*http.Request) bool) Option {
	return perGroup("WithNavigationDetector", func(c *config) error {
		if f == nil {
			return errors.New("b2bauth: nil navigation detector")
		}
		c.navigation = f
		return nil
	})
}

// WithJSONOnly answers every rejection with the JSON error body, never with
// a redirect to the login or step-up URL nor an HTML page: for a group of API
// routes (see [Middleware.With]) that browsers' scripts call. It is
// [WithNavigationDetector] with a detector that never sees a navigation.
// Default: browser navigations are told apart with [IsNavigation].
func WithJSONOnly() Option {
	return perGroup("WithJSONOnly", func(c *config) error {
		c.navigation = neverNavigation
		return nil
	})
}

func neverNavigation(*http.Request) bool { return false }

// WithKeyfunc replaces the JWKS key lookup. Default: the client's JWKS
// (client.Client.NewJWKS), refreshed hourly and on unknown kid. A key lookup
// error wrapping client.ErrUnknownKID sends the request to the remote
// fallback when a session credential can still be checked there; one
// wrapping client.ErrUnavailable is treated as an outage.
func WithKeyfunc(kf jwt.Keyfunc) Option {
	return shared("WithKeyfunc", func(c *config) error {
		if kf == nil {
			return errors.New("b2bauth: nil keyfunc")
		}
		c.keyfunc = kf
		return nil
	})
}

// WithAuthenticator replaces the remote sessions authenticate call. Default:
// the client's Sessions service.
func WithAuthenticator(a SessionAuthenticator) Option {
	return shared("WithAuthenticator", func(c *config) error {
		if a == nil {
			return errors.New("b2bauth: nil authenticator")
		}
		c.authenticator = a
		return nil
	})
}

// WithPolicyAuthorizer replaces the RBAC decision. Default: a
// client.PolicyCache with its default refresh age (5 minutes).
func WithPolicyAuthorizer(a PolicyAuthorizer) Option {
	return shared("WithPolicyAuthorizer", func(c *config) error {
		if a == nil {
			return errors.New("b2bauth: nil policy authorizer")
		}
		c.authorizer = a
		return nil
	})
}

// WithJWKSOptions passes options to the JWKS the middleware creates (see
// client.Client.NewJWKS), such as the refresh interval; an invalid one is an
// error from [New]. Ignored with [WithKeyfunc].
func WithJWKSOptions(opts ...client.JWKSOption) Option {
	return shared("WithJWKSOptions", func(c *config) error {
		if slices.Contains(opts, nil) {
			return errors.New("b2bauth: nil JWKS option")
		}
		c.jwksOpts = append(c.jwksOpts, opts...)
		return nil
	})
}

// With returns a Middleware for a group of routes that shares m's key set,
// caches, upstream limit, authenticator and policy, and differs from m only
// by opts: the options that change how the group reads credentials and
// answers refusals ([WithErrorHandler], [WithJWTSources],
// [WithSessionTokenSources], [WithM2MTokenSources], [WithJSONOnly],
// [WithNavigationDetector], [WithLoginURL], [WithStepUpURL],
// [WithReturnParam], [WithLogger]). Every other option configures what is
// shared (cookie names and attributes, cache size, clock, token ages,
// session duration, upstream limit, Retry-After, key lookup, RBAC) and is
// refused with an error matching [ErrSharedOption]; so is a nil Option. An
// option not given keeps m's value.
//
// A bearer-only JSON API group and a cookie-based web group thus need one
// Middleware, so one background JWKS refresh:
//
//	api, err := m.With(
//		middleware.WithJWTSources(middleware.TokenFromHeader),
//		middleware.WithSessionTokenSources(),
//		middleware.WithJSONOnly())
//
// Ownership: m owns the shared key set. The derived Middleware owns
// nothing: its [Middleware.Close] does nothing, and it must not be used after
// m.Close. Deriving is cheap and starts nothing.
func (m *Middleware) With(opts ...Option) (*Middleware, error) {
	cfg := m.cfg
	for i, o := range opts {
		no, ok := o.(namedOption)
		switch {
		case o == nil:
			return nil, errors.New("b2bauth: With: nil option")
		case !ok:
			return nil, fmt.Errorf("%w: option %d of With", ErrSharedOption, i+1)
		case !no.perGroup:
			return nil, fmt.Errorf("%w: %s configures what a group shares with its parent; set it in New", ErrSharedOption, no.name)
		}
		if err := o.apply(&cfg); err != nil {
			return nil, err
		}
	}
	d := *m
	d.cfg = cfg
	d.closeFns = nil
	d.setErrorHandler()
	return &d, nil
}

// LoginURL returns the login URL browser navigations without a valid session
// are redirected to ([WithLoginURL]); "" when there is none.
func (m *Middleware) LoginURL() string { return m.cfg.loginURL }

// StepUpURL returns the URL browser navigations refused by
// [Middleware.RequireFreshFactor] are redirected to ([WithStepUpURL]); ""
// when there is none.
func (m *Middleware) StepUpURL() string { return m.cfg.stepUpURL }

// ReturnParam returns the query parameter that carries the return path on
// redirects to the login and step-up URLs ([WithReturnParam]).
func (m *Middleware) ReturnParam() string { return m.cfg.returnParam }

// RetryAfter returns the Retry-After of the 503 answers given while Stytch
// is unavailable ([WithRetryAfter]), for other handlers that answer such
// outages (the login flows take it from here).
func (m *Middleware) RetryAfter() time.Duration { return m.cfg.retryAfter }
