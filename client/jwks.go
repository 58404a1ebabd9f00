package client

import (
	"context"
	"crypto"
	"crypto/rsa"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/MicahParks/jwkset"
	"github.com/MicahParks/keyfunc/v3"
	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/time/rate"
)

// Defaults of [Client.NewJWKS].
const (
	// DefaultJWKSRefreshInterval is how often the key set is fetched again.
	DefaultJWKSRefreshInterval = time.Hour
	// DefaultUnknownKIDInterval is how often, at most, a token with an
	// unknown key ID triggers a fetch of the key set.
	DefaultUnknownKIDInterval = 5 * time.Minute
)

// JWKSOption configures a [JWKS] in [Client.NewJWKS]. The interface is closed.
type JWKSOption interface {
	applyJWKS(*jwksConfig)
}

type jwksOptionFunc func(*jwksConfig)

func (f jwksOptionFunc) applyJWKS(c *jwksConfig) { f(c) }

type jwksConfig struct {
	refreshInterval    time.Duration
	unknownKIDInterval time.Duration
	httpClient         *http.Client
}

// WithRefreshInterval sets how often the key set is fetched again in the
// background. The default is [DefaultJWKSRefreshInterval] (1 h); a duration
// that is not positive keeps the default.
func WithRefreshInterval(d time.Duration) JWKSOption {
	return jwksOptionFunc(func(c *jwksConfig) {
		if d > 0 {
			c.refreshInterval = d
		}
	})
}

// WithUnknownKIDInterval sets how often, at most, a token naming an unknown
// key ID makes [JWKS.Keyfunc] fetch the key set again (the first such token
// always may). The default is [DefaultUnknownKIDInterval] (5 min); a duration
// that is not positive keeps the default.
func WithUnknownKIDInterval(d time.Duration) JWKSOption {
	return jwksOptionFunc(func(c *jwksConfig) {
		if d > 0 {
			c.unknownKIDInterval = d
		}
	})
}

// WithJWKSHTTPClient sets the HTTP client that fetches the key set. The
// default is the client given to [WithHTTPClient] (or the [Client]'s default).
// The client is not modified; nil keeps the default.
func WithJWKSHTTPClient(hc *http.Client) JWKSOption {
	return jwksOptionFunc(func(c *jwksConfig) {
		if hc != nil {
			c.httpClient = hc
		}
	})
}

// JWKS is the project's JSON Web Key Set, kept fresh in the background, for
// verifying session JWTs locally. Create it with [Client.NewJWKS] and stop it
// with [JWKS.Close] (or by cancelling the context given to NewJWKS). It is
// safe for concurrent use.
type JWKS struct {
	storage jwkset.Storage
	ctx     context.Context
	cancel  context.CancelFunc
}

// NewJWKS fetches the project's key set from
// {base}/v1/b2b/sessions/jwks/{project_id} (without credentials) and keeps it
// fresh: it is fetched again every refresh interval and when a token names an
// unknown key ID (rate limited). A failed fetch keeps the last good set. The
// first fetch waits at most the client's timeout and its failure does not fail
// NewJWKS: the set is then fetched on the next schedule or unknown key ID.
// The background refresh stops when ctx is done or [JWKS.Close] is called.
func (c *Client) NewJWKS(ctx context.Context, opts ...JWKSOption) (*JWKS, error) {
	cfg := jwksConfig{
		refreshInterval:    DefaultJWKSRefreshInterval,
		unknownKIDInterval: DefaultUnknownKIDInterval,
		httpClient:         c.httpClient,
	}
	for _, o := range opts {
		if o != nil {
			o.applyJWKS(&cfg)
		}
	}
	// A copy, so the caller's client is never modified; its transport gains
	// the body limit and our headers.
	hc := *cfg.httpClient
	hc.Transport = &jwksTransport{base: cfg.httpClient.Transport, userAgent: c.userAgent}

	ctx, cancel := context.WithCancel(ctx)
	noErrorFirst := true
	url := c.JWKSURL()
	logger := c.logger
	kf, err := keyfunc.NewDefaultOverrideCtx(ctx, []string{url}, keyfunc.Override{
		Client:                    &hc,
		HTTPTimeout:               c.timeout,
		NoErrorReturnFirstHTTPReq: &noErrorFirst,
		// The wait for the rate limiter shares its deadline with the fetch
		// itself, so it must leave room for a whole HTTP request.
		RateLimitWaitMax: c.timeout,
		RefreshErrorHandlerFunc: func(u string) func(context.Context, error) {
			return func(ctx context.Context, err error) {
				logger.LogAttrs(ctx, slog.LevelWarn, "b2bauth: jwks refresh failed, keeping the last key set",
					slog.String("url", u), slog.String("error", err.Error()))
			}
		},
		RefreshInterval:   cfg.refreshInterval,
		RefreshUnknownKID: rate.NewLimiter(rate.Every(cfg.unknownKIDInterval), 1),
	})
	if err != nil {
		cancel()
		return nil, fmt.Errorf("b2bauth: jwks: %w", err)
	}
	return &JWKS{storage: kf.Storage(), ctx: ctx, cancel: cancel}, nil
}

// Keyfunc is a jwt.Keyfunc returning the RSA public key named by the token's
// kid header. It accepts only RS256 tokens with a kid. When the kid is not in
// the key set, even after the rate-limited refresh it triggers, the error
// matches [ErrUnknownKID].
func (j *JWKS) Keyfunc(t *jwt.Token) (any, error) {
	return j.key(j.ctx, t)
}

// KeyfuncCtx is [JWKS.Keyfunc] with a context bounding a refresh triggered by
// an unknown kid, such as the request's context.
func (j *JWKS) KeyfuncCtx(ctx context.Context) jwt.Keyfunc {
	return func(t *jwt.Token) (any, error) { return j.key(ctx, t) }
}

// key looks up the RSA public key named by t's kid, refreshing the set on an
// unknown kid within the rate limit; ctx bounds that refresh.
func (j *JWKS) key(ctx context.Context, t *jwt.Token) (any, error) {
	if err := j.ctx.Err(); err != nil {
		return nil, fmt.Errorf("%w: jwks closed: %w", ErrUnavailable, err)
	}
	if t == nil || t.Method == nil || t.Method.Alg() != jwt.SigningMethodRS256.Alg() {
		return nil, errors.New("b2bauth: jwt signing method is not RS256")
	}
	kid, _ := t.Header["kid"].(string)
	if kid == "" {
		return nil, errors.New("b2bauth: jwt header has no kid")
	}
	jwk, err := j.storage.KeyRead(ctx, kid)
	if err != nil {
		// Not found after the refresh, or no refresh allowed yet: either
		// way the key is not known now. With no key at all, the key set
		// could never be fetched: that is an outage, not a verdict on
		// the token.
		if all, _ := j.storage.KeyReadAll(ctx); len(all) == 0 {
			return nil, fmt.Errorf("%w %q: no key set fetched yet: %w", ErrUnknownKID, kid, errors.Join(ErrUnavailable, err))
		}
		return nil, fmt.Errorf("%w %q: %w", ErrUnknownKID, kid, err)
	}
	m := jwk.Marshal()
	if m.ALG != "" && m.ALG != jwkset.AlgRS256 {
		return nil, fmt.Errorf("b2bauth: jwk %q has algorithm %q, not RS256", kid, m.ALG)
	}
	if m.USE != "" && m.USE != jwkset.UseSig {
		return nil, fmt.Errorf("b2bauth: jwk %q has use %q, not sig", kid, m.USE)
	}
	key := jwk.Key()
	if pk, ok := key.(interface{ Public() crypto.PublicKey }); ok {
		key = pk.Public()
	}
	pub, ok := key.(*rsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("b2bauth: jwk %q is not an RSA key", kid)
	}
	return pub, nil
}

// Close stops the background refresh. It is safe to call more than once.
func (j *JWKS) Close() {
	j.cancel()
}

// jwksTransport adds our headers and bounds the response body.
type jwksTransport struct {
	base      http.RoundTripper
	userAgent string
}

func (t *jwksTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Accept", "application/json")
	r.Header.Set("User-Agent", t.userAgent)
	base := t.base
	if base == nil {
		base = http.DefaultTransport
	}
	resp, err := base.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	resp.Body = &limitedBody{rc: resp.Body, left: maxResponseBytes}
	return resp, nil
}

// errBodyTooLarge makes a decode of an oversized key set fail instead of
// silently truncating it.
var errBodyTooLarge = errors.New("b2bauth: response body larger than 1 MiB")

type limitedBody struct {
	rc   io.ReadCloser
	left int64
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		// One byte more tells "exactly at the limit" from "over it".
		var one [1]byte
		if n, _ := b.rc.Read(one[:]); n > 0 {
			return 0, errBodyTooLarge
		}
		return b.rc.Read(p)
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	return n, err
}

func (b *limitedBody) Close() error { return b.rc.Close() }
