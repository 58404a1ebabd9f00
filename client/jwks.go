package client

import (
	"context"
	"crypto"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/MicahParks/jwkset"
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
	// DefaultJWKSStartWait is how long [Client.NewJWKS] waits, at most, for
	// the first key set before it returns.
	DefaultJWKSStartWait = time.Second
	// DefaultJWKSKeyWait is how long a key lookup waits, at most, for a
	// fetch of the key set in flight: the first one, or the refresh an
	// unknown key ID triggered.
	DefaultJWKSKeyWait = 5 * time.Second
)

// JWKSOption configures a [JWKS] in [Client.NewJWKS]. The interface is
// closed. NewJWKS rejects a nil JWKSOption and an invalid value with an
// error, never falling back to a default.
type JWKSOption interface {
	applyJWKS(*jwksConfig) error
}

type jwksOptionFunc func(*jwksConfig) error

func (f jwksOptionFunc) applyJWKS(c *jwksConfig) error { return f(c) }

type jwksConfig struct {
	refreshInterval    time.Duration
	unknownKIDInterval time.Duration
	startWait          time.Duration
	keyWait            time.Duration
	httpClient         *http.Client
}

// WithRefreshInterval sets how often the key set is fetched again in the
// background. The default is [DefaultJWKSRefreshInterval] (1 h); it must be
// positive.
func WithRefreshInterval(d time.Duration) JWKSOption {
	return jwksOptionFunc(func(c *jwksConfig) error {
		if d <= 0 {
			return fmt.Errorf("b2bauth: jwks: refresh interval must be positive, got %s", d)
		}
		c.refreshInterval = d
		return nil
	})
}

// WithUnknownKIDInterval sets how often, at most, a token naming an unknown
// key ID makes [JWKS.Keyfunc] fetch the key set again (the first such token
// always may). The default is [DefaultUnknownKIDInterval] (5 min); it must be
// positive.
func WithUnknownKIDInterval(d time.Duration) JWKSOption {
	return jwksOptionFunc(func(c *jwksConfig) error {
		if d <= 0 {
			return fmt.Errorf("b2bauth: jwks: unknown kid interval must be positive, got %s", d)
		}
		c.unknownKIDInterval = d
		return nil
	})
}

// WithStartWait sets how long [Client.NewJWKS] waits, at most, for the first
// fetch of the key set; the fetch goes on in the background after that. The
// default is [DefaultJWKSStartWait] (1 s); zero makes NewJWKS return at
// once. It must not be negative.
func WithStartWait(d time.Duration) JWKSOption {
	return jwksOptionFunc(func(c *jwksConfig) error {
		if d < 0 {
			return fmt.Errorf("b2bauth: jwks: start wait must not be negative, got %s", d)
		}
		c.startWait = d
		return nil
	})
}

// WithKeyWait sets how long a key lookup waits, at most, for a fetch of the
// key set in flight (the first fetch, or the refresh an unknown key ID
// triggered) before it gives up with an error matching [ErrUnavailable];
// the fetch itself goes on. The default is [DefaultJWKSKeyWait] (5 s); it
// must be positive.
func WithKeyWait(d time.Duration) JWKSOption {
	return jwksOptionFunc(func(c *jwksConfig) error {
		if d <= 0 {
			return fmt.Errorf("b2bauth: jwks: key wait must be positive, got %s", d)
		}
		c.keyWait = d
		return nil
	})
}

// WithJWKSHTTPClient sets the HTTP client that fetches the key set. The
// default is the client given to [WithHTTPClient] (or the [Client]'s default).
// The client is not modified; it must not be nil.
func WithJWKSHTTPClient(hc *http.Client) JWKSOption {
	return jwksOptionFunc(func(c *jwksConfig) error {
		if hc == nil {
			return errors.New("b2bauth: jwks: nil http client")
		}
		c.httpClient = hc
		return nil
	})
}

// errNoUsableKey is the failure of a fetch whose answer holds no key a
// session JWT could be verified with.
var errNoUsableKey = errors.New("b2bauth: jwks answer holds no usable RS256 signing key")

// JWKS is the project's JSON Web Key Set, kept fresh in the background, for
// verifying session JWTs locally. Create it with [Client.NewJWKS] and stop it
// with [JWKS.Close] (or by cancelling the context given to NewJWKS). It is
// safe for concurrent use.
//
// One fetch of the key set runs at a time, on a context of its own: lookups
// that need it wait for the one in flight, and a lookup that stops waiting
// (its context ended) does not stop the fetch. A fetch that fails, or whose
// answer holds no usable key, keeps the last good set.
type JWKS struct {
	url     string
	hc      *http.Client
	timeout time.Duration // of one fetch
	keyWait time.Duration
	logger  *slog.Logger
	obs     Observer // nil: none

	// keys holds only usable keys: RSA public keys for RS256 signatures.
	keys   jwkset.Storage
	loaded atomic.Bool // a key set was stored

	ctx    context.Context // ends the refresh loop and a fetch in flight
	cancel context.CancelFunc
	wg     sync.WaitGroup // the refresh loop and a fetch in flight

	mu         sync.Mutex
	inflight   *jwksFetch // nil when no fetch runs
	closed     bool
	unknownKID *rate.Limiter
	// scheduled is the refresh an unknown kid booked on the limiter while
	// it was spent; nil when none is booked.
	scheduled *time.Timer
	// retired lists, oldest first, the kids of keys a fetch removed from
	// the set (at most maxRetiredKIDs).
	retired []string
	status  KeySetStatus
}

// maxRetiredKIDs bounds the memory of keys removed from the set.
const maxRetiredKIDs = 64

// jwksFetch is one fetch of the key set that lookups may wait for.
type jwksFetch struct {
	done chan struct{}
	err  error // written before done is closed
}

// NewJWKS fetches the project's key set from
// {base}/v1/b2b/sessions/jwks/{project_id} (without credentials) and keeps it
// fresh: it is fetched again every refresh interval and when a token names an
// unknown key ID (rate limited). A failed fetch, or an answer without a usable
// key, keeps the last good set and is logged.
//
// NewJWKS does not wait for a slow key set: it returns once the first fetch
// is done or after the start wait ([DefaultJWKSStartWait], 1 s, see
// [WithStartWait]), whichever comes first, and a failed first fetch does not
// fail it. Lookups meanwhile wait for that fetch, each at most the key wait
// ([DefaultJWKSKeyWait], 5 s, see [WithKeyWait]). Every fetch is bounded by
// the client's timeout. The error is non-nil only for an invalid option and
// for a key set URL that cannot be requested.
//
// The background refresh stops when ctx is done or [JWKS.Close] is called.
func (c *Client) NewJWKS(ctx context.Context, opts ...JWKSOption) (*JWKS, error) {
	cfg := jwksConfig{
		refreshInterval:    DefaultJWKSRefreshInterval,
		unknownKIDInterval: DefaultUnknownKIDInterval,
		startWait:          DefaultJWKSStartWait,
		keyWait:            DefaultJWKSKeyWait,
		httpClient:         c.httpClient,
	}
	for _, o := range opts {
		if o == nil {
			return nil, errors.New("b2bauth: jwks: nil option")
		}
		if err := o.applyJWKS(&cfg); err != nil {
			return nil, err
		}
	}
	u := c.JWKSURL()
	if _, err := url.ParseRequestURI(u); err != nil {
		return nil, fmt.Errorf("b2bauth: jwks: %w", err)
	}
	// A copy, so the caller's client is never modified; its transport gains
	// the body limit and our headers.
	hc := *cfg.httpClient
	hc.Transport = &jwksTransport{base: cfg.httpClient.Transport, userAgent: c.userAgent}

	ctx, cancel := context.WithCancel(ctx)
	j := &JWKS{
		url:        u,
		hc:         &hc,
		timeout:    c.timeout,
		keyWait:    cfg.keyWait,
		logger:     c.logger,
		obs:        c.observer,
		keys:       jwkset.NewMemoryStorage(),
		ctx:        ctx,
		cancel:     cancel,
		unknownKID: rate.NewLimiter(rate.Every(cfg.unknownKIDInterval), 1),
	}
	first := j.startFetch(KeySetStart)
	j.wg.Add(1)
	go j.refreshLoop(cfg.refreshInterval)
	if first != nil && cfg.startWait > 0 {
		t := time.NewTimer(cfg.startWait)
		defer t.Stop()
		select {
		case <-first.done:
		case <-t.C:
		case <-ctx.Done():
		}
	}
	return j, nil
}

// refreshLoop fetches the key set every interval until j is closed.
func (j *JWKS) refreshLoop(every time.Duration) {
	defer j.wg.Done()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-j.ctx.Done():
			return
		case <-t.C:
			j.startFetch(KeySetInterval)
		}
	}
}

// startFetch returns the fetch in flight, or starts one for reason (one of
// the KeySet... reasons). For an unknown key ID a new fetch needs a token of
// the unknown-kid limiter. It returns nil when no fetch runs or may start.
func (j *JWKS) startFetch(reason string) *jwksFetch {
	return j.startFetchSpending(reason, reason == KeySetUnknownKID)
}

// startFetchSpending is startFetch, taking a token of the unknown-kid limiter
// first when spend is set.
func (j *JWKS) startFetchSpending(reason string, spend bool) *jwksFetch {
	j.mu.Lock()
	defer j.mu.Unlock()
	if f := j.inflight; f != nil {
		return f
	}
	if j.closed || j.ctx.Err() != nil {
		return nil
	}
	if spend && !j.unknownKID.Allow() {
		return nil
	}
	f := &jwksFetch{done: make(chan struct{})}
	j.inflight = f
	j.wg.Add(1)
	go func() {
		defer j.wg.Done()
		start := time.Now()
		status, keys, err := j.fetch()
		if err != nil {
			j.logger.LogAttrs(j.ctx, slog.LevelWarn, "b2bauth: jwks refresh failed, keeping the last key set",
				slog.String("url", j.url), slog.String("error", err.Error()))
		}
		end := time.Now()
		j.mu.Lock()
		f.err = err
		j.inflight = nil
		if err == nil {
			j.status.FetchedAt, j.status.Keys = end, keys
		} else {
			j.status.LastError, j.status.LastErrorAt = err, end
		}
		j.mu.Unlock()
		if j.obs != nil {
			j.obs.KeySetFetch(j.ctx, KeySetFetch{URL: j.url, Reason: reason, Status: status,
				Keys: keys, Duration: end.Sub(start), Err: err})
		}
		close(f.done)
	}()
	return f
}

// fetch gets the key set and stores its usable keys, unless it has none.
// It returns the answer's status (0 without one) and the number of keys
// stored. It runs on j's context, not a caller's: a request that stops
// waiting does not abort the fetch other requests wait for.
func (j *JWKS) fetch() (status, stored int, err error) {
	ctx, cancel := context.WithTimeout(j.ctx, j.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, j.url, nil)
	if err != nil {
		return 0, 0, fmt.Errorf("b2bauth: jwks: %w", err)
	}
	resp, err := j.hc.Do(req)
	if err != nil {
		return 0, 0, fmt.Errorf("%w: jwks: %w", ErrUnavailable, err)
	}
	defer resp.Body.Close()
	status = resp.StatusCode
	if resp.StatusCode != http.StatusOK {
		return status, 0, fmt.Errorf("%w: jwks answered status %d", ErrUnavailable, resp.StatusCode)
	}
	var set jwkset.JWKSMarshal
	if err := json.NewDecoder(resp.Body).Decode(&set); err != nil {
		return status, 0, fmt.Errorf("%w: jwks: decode: %w", ErrUnavailable, err)
	}
	var keys []jwkset.JWK
	for _, m := range set.Keys {
		if k, ok := usableKey(m); ok {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		// An empty or foreign answer is a fault upstream, not a revocation of
		// every key: replacing the set with it would refuse every JWT.
		return status, 0, fmt.Errorf("%w: %w (%d keys in the answer)", ErrUnavailable, errNoUsableKey, len(set.Keys))
	}
	old, _ := j.keys.KeyReadAll(ctx)
	if err := j.keys.KeyReplaceAll(ctx, keys); err != nil {
		return status, 0, fmt.Errorf("b2bauth: jwks: store: %w", err)
	}
	j.retire(old, keys)
	j.loaded.Store(true)
	return status, len(keys), nil
}

// KeySetStatus is the state of a [JWKS]'s key set, for health checks.
type KeySetStatus struct {
	// FetchedAt is when a key set was last stored; zero when none ever was
	// (the JWKS then holds no key).
	FetchedAt time.Time
	// Keys is the number of usable keys stored by that fetch.
	Keys int
	// LastError is the failure of the last failed fetch (it matches
	// [ErrUnavailable] unless the answer could not be stored), nil when
	// none failed; LastErrorAt is when it failed. A fetch that failed kept
	// the last good set.
	LastError   error
	LastErrorAt time.Time
}

// Held reports whether a key set is held: whether JWTs can be verified
// locally.
func (s KeySetStatus) Held() bool { return !s.FetchedAt.IsZero() }

// Status returns the state of the key set.
func (j *JWKS) Status() KeySetStatus {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.status
}

// retire remembers the kids of old that are not in current, and forgets
// those current has again.
func (j *JWKS) retire(old, current []jwkset.JWK) {
	now := make(map[string]bool, len(current))
	for _, k := range current {
		now[k.Marshal().KID] = true
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	kept := j.retired[:0]
	for _, kid := range j.retired {
		if !now[kid] {
			kept = append(kept, kid)
		}
	}
	for _, k := range old {
		if kid := k.Marshal().KID; !now[kid] && !slices.Contains(kept, kid) {
			kept = append(kept, kid)
		}
	}
	if n := len(kept) - maxRetiredKIDs; n > 0 {
		kept = kept[n:]
	}
	j.retired = kept
}

// isRetired reports whether kid named a key a fetch removed from the set.
func (j *JWKS) isRetired(kid string) bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	return slices.Contains(j.retired, kid)
}

// usableKey parses m if it can verify a session JWT: an RSA key with a kid,
// for RS256 signatures (alg and use absent or saying so), of at least
// minRSABits with an odd public exponent of at least 3.
func usableKey(m jwkset.JWKMarshal) (jwkset.JWK, bool) {
	if m.KTY != jwkset.KtyRSA || m.KID == "" ||
		(m.ALG != "" && m.ALG != jwkset.AlgRS256) || (m.USE != "" && m.USE != jwkset.UseSig) {
		return jwkset.JWK{}, false
	}
	k, err := jwkset.NewJWKFromMarshal(m, jwkset.JWKMarshalOptions{}, jwkset.JWKValidateOptions{})
	if err != nil {
		return jwkset.JWK{}, false
	}
	pub, ok := k.Key().(*rsa.PublicKey)
	if !ok || pub.N.BitLen() < minRSABits || pub.E < 3 || pub.E%2 == 0 {
		// crypto/rsa verifies nothing with such a key: stored, it would
		// replace the last good set with one that refuses every JWT.
		return jwkset.JWK{}, false
	}
	return k, true
}

// minRSABits is the smallest RSA modulus crypto/rsa verifies signatures
// with; Stytch's keys are 2048 bits.
const minRSABits = 1024

// lookup returns the stored key named kid, or nil.
func (j *JWKS) lookup(kid string) *rsa.PublicKey {
	k, err := j.keys.KeyRead(j.ctx, kid)
	if err != nil {
		return nil
	}
	key := k.Key()
	if pk, ok := key.(interface{ Public() crypto.PublicKey }); ok {
		key = pk.Public()
	}
	pub, _ := key.(*rsa.PublicKey)
	return pub
}

// Keyfunc is a jwt.Keyfunc returning the RSA public key named by the token's
// kid header. It accepts only RS256 tokens with a kid. When the kid is not in
// the key set, even after the rate-limited refresh it triggers, the error
// matches [ErrUnknownKID]; it also matches [ErrUnavailable] when no key set
// was ever fetched or when the refresh the lookup waited for failed, and
// [ErrKeyNotYetFetched] when the set predates the token and the refresh is
// rate limited (a refresh is then booked for when the limit allows). A kid
// whose key a fetch removed from the set (one of the last 64) triggers no
// refresh: the JWTs it signed cannot spend the refresh a rotation needs.
func (j *JWKS) Keyfunc(t *jwt.Token) (any, error) {
	return j.key(j.ctx, t)
}

// KeyfuncCtx is [JWKS.Keyfunc] with a context, such as the request's,
// bounding how long the lookup waits for a fetch of the key set. The fetch
// itself does not depend on ctx: it goes on for the lookups that still wait.
func (j *JWKS) KeyfuncCtx(ctx context.Context) jwt.Keyfunc {
	return func(t *jwt.Token) (any, error) { return j.key(ctx, t) }
}

// key looks up the RSA public key named by t's kid. An unknown kid waits for
// the fetch in flight, or starts one within the rate limit; ctx and the key
// wait bound that wait.
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
	if pub := j.lookup(kid); pub != nil {
		return pub, nil
	}
	if j.isRetired(kid) {
		// Stytch stopped publishing this key: fetching the set again would
		// not bring it back, and the JWTs it signed (stale cookies, mostly)
		// must not spend the refresh a rotation may need.
		return nil, fmt.Errorf("%w %q: the key was removed from the key set", ErrUnknownKID, kid)
	}
	var fetchErr error
	f := j.startFetch(KeySetUnknownKID)
	if f != nil {
		fetchErr = j.wait(ctx, f)
	}
	// Read again even without a fetch of our own: the one that brought the
	// key may have ended between the first read and startFetch.
	if pub := j.lookup(kid); pub != nil {
		return pub, nil
	}
	switch {
	case !j.loaded.Load():
		// With no key at all, the key set could never be fetched: that is
		// an outage, not a verdict on the token.
		return nil, fmt.Errorf("%w %q: no key set fetched yet: %w", ErrUnknownKID, kid, errors.Join(ErrUnavailable, fetchErr))
	case fetchErr != nil:
		// The refresh that would have brought the key failed: the key set
		// says nothing about this kid.
		return nil, fmt.Errorf("%w %q: %w", ErrUnknownKID, kid, fetchErr)
	case f == nil && j.predates(t):
		// The refresh is spent (random kids can spend it) and the set is
		// older than the token: the key may be one Stytch began signing
		// with since. Book the next refresh rather than wait for the
		// hourly one, and call the token undecided, not invalid.
		j.scheduleRefresh()
		return nil, fmt.Errorf("%w %q: %w: the key set predates the token and its refresh is rate limited",
			ErrUnknownKID, kid, ErrKeyNotYetFetched)
	}
	return nil, fmt.Errorf("%w %q", ErrUnknownKID, kid)
}

// predates reports whether the key set held was fetched before t was
// issued, by the whole second of its iat claim; false without an iat.
func (j *JWKS) predates(t *jwt.Token) bool {
	if t.Claims == nil {
		return false
	}
	iat, err := t.Claims.GetIssuedAt()
	if err != nil || iat == nil {
		return false
	}
	return !iat.Before(j.Status().FetchedAt.Truncate(time.Second))
}

// scheduleRefresh books the unknown-kid limiter's next token for a refresh
// of the key set, unless one is booked already. Booked, the token is spent
// on that refresh whatever other kids arrive meanwhile, so a flood of random
// kids delays a rotation's key by at most one limiter interval.
func (j *JWKS) scheduleRefresh() {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.scheduled != nil || j.closed {
		return
	}
	r := j.unknownKID.Reserve()
	if !r.OK() {
		return
	}
	j.scheduled = time.AfterFunc(r.Delay(), func() {
		j.mu.Lock()
		j.scheduled = nil
		j.mu.Unlock()
		j.startFetchSpending(KeySetUnknownKID, false) // its token is the booked one
	})
}

// wait waits for f, at most until ctx ends or the key wait passes, and
// returns f's error or why it stopped waiting (matching [ErrUnavailable]).
func (j *JWKS) wait(ctx context.Context, f *jwksFetch) error {
	t := time.NewTimer(j.keyWait)
	defer t.Stop()
	select {
	case <-f.done:
		return f.err
	case <-ctx.Done():
		return fmt.Errorf("%w: stopped waiting for the key set: %w", ErrUnavailable, ctx.Err())
	case <-t.C:
		return fmt.Errorf("%w: key set not fetched within %v", ErrUnavailable, j.keyWait)
	}
}

// Close stops the background refresh and a fetch in flight, and returns
// once they have stopped. It is safe to call more than once.
func (j *JWKS) Close() {
	j.mu.Lock()
	j.closed = true
	if j.scheduled != nil {
		j.scheduled.Stop()
		j.scheduled = nil
	}
	j.mu.Unlock()
	j.cancel()
	j.wg.Wait()
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
