package client

import (
	"context"
	"strings"
	"time"
)

// Observer is told of the client's exchanges with Stytch, for metrics and
// traces (the module github.com/b2bauth/b2bauth/otel implements it with
// OpenTelemetry). Install it with [WithObserver].
//
// Its methods are called synchronously, on the goroutine that made the call,
// after the exchange: they must be safe for concurrent use and return
// quickly. The events carry no credential, and the error texts carry none
// either (the secret is redacted, tokens never appear in them).
type Observer interface {
	// UpstreamCall is told of each HTTP attempt of an API call, retries
	// included, once its answer is read (or the attempt failed).
	UpstreamCall(ctx context.Context, c UpstreamCall)
	// KeySetFetch is told of each fetch of the key set by a [JWKS].
	KeySetFetch(ctx context.Context, f KeySetFetch)
}

// UpstreamCall describes one HTTP attempt of an API call.
type UpstreamCall struct {
	// Method is the HTTP method, e.g. "POST".
	Method string
	// Endpoint is the path with its identifiers replaced by "{id}" (a path
	// segment holding anything but lowercase letters, digits and '_' is an
	// identifier), e.g. "/v1/b2b/rbac/organizations/{id}": a label of low
	// cardinality.
	Endpoint string
	// URL is the base URL the call went to, e.g. "https://test.stytch.com".
	URL string
	// Status is the HTTP status of the answer, 0 when none came (a
	// transport failure or a timeout).
	Status int
	// Attempt counts the attempts of the call from 1 (idempotent GETs are
	// retried while Stytch is unavailable).
	Attempt int
	// Duration is the time from sending the request to reading the answer.
	Duration time.Duration
	// Err is the attempt's failure (nil on success): a *[Error] for an
	// answer of Stytch's, otherwise an error matching [ErrUnavailable].
	Err error
}

// StatusClass returns the class of the answer's status: "2xx", "4xx",
// "5xx" and so on, or "none" when no answer came.
func (c UpstreamCall) StatusClass() string {
	if c.Status < 100 || c.Status > 599 {
		return "none"
	}
	return [...]string{"1xx", "2xx", "3xx", "4xx", "5xx"}[c.Status/100-1]
}

// Reasons of a [KeySetFetch].
const (
	// KeySetStart is the first fetch, when the JWKS is created.
	KeySetStart = "start"
	// KeySetInterval is a fetch of the background refresh.
	KeySetInterval = "interval"
	// KeySetUnknownKID is a fetch triggered by a token naming a key ID the
	// key set lacks.
	KeySetUnknownKID = "unknown_kid"
)

// KeySetFetch describes one fetch of the key set.
type KeySetFetch struct {
	// URL is the key set's URL (it holds the project ID, no secret).
	URL string
	// Reason is why the key set was fetched: [KeySetStart],
	// [KeySetInterval] or [KeySetUnknownKID].
	Reason string
	// Status is the HTTP status of the answer, 0 when none came.
	Status int
	// Keys is the number of usable keys stored (0 when the fetch failed:
	// the last good set is kept).
	Keys int
	// Duration is the time the fetch took.
	Duration time.Duration
	// Err is why the fetch failed, nil on success. It matches
	// [ErrUnavailable].
	Err error
}

// WithObserver sets the [Observer] told of every call to Stytch and of every
// fetch of the key sets created with [Client.NewJWKS]. The default is none,
// which costs nothing. A nil observer keeps the default.
func WithObserver(o Observer) Option {
	return optionFunc(func(c *config) {
		if o != nil {
			c.observer = o
		}
	})
}

// endpointOf returns path with its identifier segments replaced by "{id}".
func endpointOf(path string) string {
	segs := strings.Split(path, "/")
	for i, s := range segs {
		if !isWord(s) {
			segs[i] = "{id}"
		}
	}
	return strings.Join(segs, "/")
}

// isWord reports whether s holds only lowercase letters, digits and '_',
// as the fixed segments of Stytch's API paths do.
func isWord(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// observeCall tells the observer, if any, of one attempt.
func (c *Client) observeCall(ctx context.Context, r request, status, attempt int, start time.Time, err error) {
	if c.observer == nil {
		return
	}
	c.observer.UpstreamCall(ctx, UpstreamCall{
		Method: r.method, Endpoint: endpointOf(r.path), URL: c.baseURL,
		Status: status, Attempt: attempt, Duration: time.Since(start), Err: err,
	})
}
