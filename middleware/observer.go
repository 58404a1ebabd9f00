package middleware

import (
	"context"
	"errors"
	"time"
)

// Observer is told of every session verification, for metrics and traces
// (the module github.com/b2bauth/b2bauth/otel implements it with
// OpenTelemetry). Install it with [WithObserver]; to observe the calls to
// Stytch and the key set fetches too, give the client an observer
// (client.WithObserver).
//
// Verified is called synchronously, on the request's goroutine, once per
// request the middleware decides (not again for a later b2bauth middleware
// of the same chain reusing the decision): it must be safe for concurrent
// use and return quickly, as it runs on every request. The ctx is the
// request's.
type Observer interface {
	Verified(ctx context.Context, v Verification)
}

// Verification describes how the session of a request was decided.
type Verification struct {
	// Source is what decided.
	Source Source
	// Session is the session, nil when there is none; then Err says why.
	Session *Session
	// Err is why there is no session (an *[Error]; see [Code]), nil with
	// a session. A session served during an outage (Source [SourceOutage])
	// has no error.
	Err error
	// Duration is the time the decision took.
	Duration time.Duration
	// Client is the M2M client of an access token verified for
	// [Middleware.RequireScopes] or [Middleware.RequireSessionOrScopes]
	// (then Session is nil); nil for sessions.
	Client *M2MClient
}

// Outcome returns "ok" for a verification that found a session, else the
// code of its error (see [Code]), such as "session_invalid" or
// "stytch_unavailable".
func (v Verification) Outcome() string {
	if v.Err == nil {
		return "ok"
	}
	var e *Error
	if errors.As(v.Err, &e) {
		return e.Code
	}
	code, _ := Code(v.Err)
	return code
}

// Source is what decided a verification. Sources may be added in later
// versions.
type Source uint8

// The sources of a [Verification].
const (
	// SourceNone: the request carried no credential.
	SourceNone Source = iota
	// SourceJWTCache: a JWT (or M2M access token) verified earlier, from
	// the verified-token cache.
	SourceJWTCache
	// SourceLocal: the JWT was verified locally with the key set, or a
	// credential was refused locally (malformed, badly signed, too long).
	SourceLocal
	// SourceRemote: Stytch was asked (sessions authenticate).
	SourceRemote
	// SourceVerdictCache: Stytch's earlier answer on the same JWT (one
	// expired or too old to be trusted locally) was served again.
	SourceVerdictCache
	// SourceRefusalCache: Stytch refused the same credential within the
	// last minute, so it was refused again without asking.
	SourceRefusalCache
	// SourceOutage: Stytch could not decide (unreachable, 5xx, 429, the
	// key set unavailable, the project credentials refused): the request
	// got ErrUnavailable, or the session of a JWT valid in all but its age.
	SourceOutage
	// SourceUpstreamLimit: the limit of [WithUpstreamLimit] refused to ask
	// Stytch (ErrUnavailable wrapping ErrUpstreamLimited).
	SourceUpstreamLimit
	numSources
)

var sourceNames = [numSources]string{
	SourceNone:          "none",
	SourceJWTCache:      "jwt_cache",
	SourceLocal:         "local",
	SourceRemote:        "remote",
	SourceVerdictCache:  "verdict_cache",
	SourceRefusalCache:  "refusal_cache",
	SourceOutage:        "outage",
	SourceUpstreamLimit: "upstream_limit",
}

// String returns the source's name, a label such as "jwt_cache" or
// "remote", or "unknown".
func (s Source) String() string {
	if s < numSources {
		return sourceNames[s]
	}
	return "unknown"
}

// WithObserver sets the [Observer] told of every verification. Default: none,
// which costs nothing.
func WithObserver(o Observer) Option {
	return optionFunc(func(c *config) error {
		if o == nil {
			return errors.New("b2bauth: nil observer")
		}
		c.observer = o
		return nil
	})
}

// Stats are the sizes of the middleware's caches, for gauges.
type Stats struct {
	// CachedJWTs is the number of entries of the verified-JWT cache.
	CachedJWTs int
	// CachedVerdicts is the number of sessions Stytch returned for JWTs
	// it judged, still served.
	CachedVerdicts int
	// CachedRefusals is the number of credentials Stytch refused within
	// the last minute.
	CachedRefusals int
	// CacheCapacity bounds each of the three (see [WithCacheSize]).
	CacheCapacity int
}

// Stats returns the sizes of the middleware's caches. It takes their locks
// briefly: read it from a metrics callback, not on every request.
func (m *Middleware) Stats() Stats {
	return Stats{
		CachedJWTs:     m.cache.len(),
		CachedVerdicts: m.verdicts.len(),
		CachedRefusals: m.refusals.len(),
		CacheCapacity:  m.cfg.cacheSize,
	}
}
