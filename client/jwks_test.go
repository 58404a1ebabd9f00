package client_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"go.uber.org/goleak"

	"github.com/b2bauth/b2bauth/client"
)

// jwksServer serves a switchable key set and records what it was asked.
type jwksServer struct {
	mu       sync.Mutex
	keys     map[string]*rsa.PrivateKey
	mode     string // "" (ok), "500", "malformed", "huge", "badkey", or a key of unusableAnswers
	calls    int
	authSeen bool
	// hold, when set, keeps each answer back until it is closed (or the
	// request ends). The request is counted on arrival.
	hold chan struct{}
}

// unusableAnswers are 200 answers of the JWKS path without a key that could
// verify a session JWT.
var unusableAnswers = map[string]string{
	"empty object":           `{}`,
	"empty key list":         `{"keys":[]}`,
	"unknown key types":      `{"keys":[{"kty":"XYZ","kid":"jwk-test-1"},{"kty":"PQC","kid":"jwk-test-2","x":"AQAB"}]}`,
	"only oct keys":          `{"keys":[{"kty":"oct","kid":"jwk-test-1","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQ"}]}`,
	"only a 512-bit RSA key": `{"keys":[{"kty":"RSA","use":"sig","alg":"RS256","kid":"jwk-test-1","n":"tN8KeLaG9bAeAfaK32NjzffsPNY0AUu9Dj3yldygytxH7R51zo66evENCXApgIQF7lnFXpS9y8GRTwAslNQilQ","e":"AQAB"}]}`,
	"only an RSA key with exponent 1": `{"keys":[{"kty":"RSA","use":"sig","alg":"RS256","kid":"jwk-test-1",` +
		`"n":"sXchDaQebHnPiGvyDOAT4saGEUetSyo9MKLOoWFsueri23bOdgWp4Dy1WlUzewbgBHod5pcM9H95GQRV3JDXboIRROSBigeC5yjU1hGzHHyXss8UDprecbAYxknTcQkhslANGRUZmdTOQ5qTRsLAt6BTYuyvVRdhS8exSZEy_c4gs_7svlJJQ4H9_NxsiIoLwAEk7-Q3UXERGYw_75IDrGA84-lA_-Ct4eTlXHBIY2EaV7t7LjJaynVJCpkv4LKjTTAumiGUIuQhrNhZLuF_RJLqHpM2kgWFLU7-VTdL1VbC2tejvcI2BlMkEpk1BzBZI0KQB0GaDWFLN-aEAw3vRw","e":"AQ"}]}`,
	"only encryption keys": `{"keys":[{"kty":"RSA","use":"enc","kid":"jwk-test-1",` +
		`"n":"sXchDaQebHnPiGvyDOAT4saGEUetSyo9MKLOoWFsueri23bOdgWp4Dy1WlUzewbgBHod5pcM9H95GQRV3JDXboIRROSBigeC5yjU1hGzHHyXss8UDprecbAYxknTcQkhslANGRUZmdTOQ5qTRsLAt6BTYuyvVRdhS8exSZEy_c4gs_7svlJJQ4H9_NxsiIoLwAEk7-Q3UXERGYw_75IDrGA84-lA_-Ct4eTlXHBIY2EaV7t7LjJaynVJCpkv4LKjTTAumiGUIuQhrNhZLuF_RJLqHpM2kgWFLU7-VTdL1VbC2tejvcI2BlMkEpk1BzBZI0KQB0GaDWFLN-aEAw3vRw","e":"AQAB"}]}`,
}

func (s *jwksServer) holding(hold chan struct{}) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hold = hold
}

func (s *jwksServer) set(mode string, keys map[string]*rsa.PrivateKey) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mode = mode
	if keys != nil {
		s.keys = keys
	}
}

func (s *jwksServer) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

func (s *jwksServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	if r.URL.Path != "/v1/b2b/sessions/jwks/project-test-123" {
		s.mu.Unlock()
		http.NotFound(w, r)
		return
	}
	s.calls++
	hold := s.hold
	s.mu.Unlock()
	if hold != nil {
		select {
		case <-hold:
		case <-r.Context().Done():
			return
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.Header.Get("Authorization") != "" {
		s.authSeen = true
	}
	switch s.mode {
	case "500":
		w.WriteHeader(http.StatusInternalServerError)
		fmt.Fprint(w, `{"error_type":"internal_server_error"}`)
		return
	case "malformed":
		fmt.Fprint(w, `{"keys":[`)
		return
	case "huge":
		fmt.Fprint(w, `{"keys":[],"pad":"`+strings.Repeat("x", 2<<20)+`"}`)
		return
	case "badkey":
		fmt.Fprint(w, `{"keys":[{"kty":"RSA","kid":"broken","n":"!!","e":"AQAB"}]}`)
		return
	}
	if body, ok := unusableAnswers[s.mode]; ok {
		fmt.Fprint(w, body)
		return
	}
	var parts []string
	for kid, k := range s.keys {
		parts = append(parts, fmt.Sprintf(`{"kty":"RSA","use":"sig","alg":"RS256","kid":%q,"n":%q,"e":%q}`, kid,
			base64.RawURLEncoding.EncodeToString(k.N.Bytes()),
			base64.RawURLEncoding.EncodeToString(big.NewInt(int64(k.E)).Bytes())))
	}
	fmt.Fprintf(w, `{"keys":[%s],"request_id":"req-jwks","status_code":200}`, strings.Join(parts, ","))
}

func newRSAKey(t testing.TB) *rsa.PrivateKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func signToken(t testing.TB, k *rsa.PrivateKey, kid string) string {
	t.Helper()
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.RegisteredClaims{
		Subject: "member-1", ExpiresAt: jwt.NewNumericDate(time.Now().Add(5 * time.Minute)),
	})
	tok.Header["kid"] = kid
	s, err := tok.SignedString(k)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func verify(j *client.JWKS, token string) error {
	_, err := jwt.Parse(token, j.Keyfunc, jwt.WithValidMethods([]string{"RS256"}))
	return err
}

// startJWKS serves srv over HTTP and returns a JWKS for it; goleak checks
// that nothing it started outlives the test.
func startJWKS(t *testing.T, srv *jwksServer, opts ...client.JWKSOption) *client.JWKS {
	t.Helper()
	ignore := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, ignore) }) // runs last
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	c := newClient(t, hs.URL, client.WithTimeout(2*time.Second))
	j, err := c.NewJWKS(context.Background(), opts...)
	if err != nil {
		t.Fatalf("NewJWKS: %v", err)
	}
	t.Cleanup(j.Close)
	return j
}

func TestJWKSVerifiesTokensWithoutCredentials(t *testing.T) {
	k1 := newRSAKey(t)
	srv := &jwksServer{keys: map[string]*rsa.PrivateKey{"jwk-test-1": k1}}
	j := startJWKS(t, srv)
	if err := verify(j, signToken(t, k1, "jwk-test-1")); err != nil {
		t.Fatalf("verify: %v", err)
	}
	if srv.authSeen {
		t.Error("the key set was fetched with credentials")
	}
	if srv.count() != 1 {
		t.Errorf("fetched %d times, want 1", srv.count())
	}
}

func TestJWKSRejectsTokensItCannotVouchFor(t *testing.T) {
	k1 := newRSAKey(t)
	srv := &jwksServer{keys: map[string]*rsa.PrivateKey{"jwk-test-1": k1}}
	j := startJWKS(t, srv)

	hs := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"sub": "m"})
	hs.Header["kid"] = "jwk-test-1"
	hsToken, _ := hs.SignedString([]byte("secret"))
	noKid := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims{"sub": "m"})
	noKidToken, _ := noKid.SignedString(k1)

	tests := []struct {
		name       string
		token      string
		unknownKID bool
	}{
		{name: "an HS256 token is refused", token: hsToken},
		{name: "a token without kid is refused", token: noKidToken},
		{name: "a token signed by another key with a known kid fails its signature", token: signToken(t, newRSAKey(t), "jwk-test-1")},
		{name: "a token with an unknown kid reports ErrUnknownKID", token: signToken(t, k1, "jwk-test-unknown"), unknownKID: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := verify(j, tt.token)
			if err == nil {
				t.Fatal("token accepted")
			}
			if got := errors.Is(err, client.ErrUnknownKID); got != tt.unknownKID {
				t.Errorf("Is(ErrUnknownKID) = %v, want %v (err %v)", got, tt.unknownKID, err)
			}
		})
	}
}

func TestJWKSRefreshesOnUnknownKID(t *testing.T) {
	k1, k2 := newRSAKey(t), newRSAKey(t)
	srv := &jwksServer{keys: map[string]*rsa.PrivateKey{"jwk-test-1": k1}}
	j := startJWKS(t, srv)

	// Stytch rotates: the new key is served before tokens signed with it.
	srv.set("", map[string]*rsa.PrivateKey{"jwk-test-1": k1, "jwk-test-2": k2})
	if err := verify(j, signToken(t, k2, "jwk-test-2")); err != nil {
		t.Fatalf("token with the rotated key: %v", err)
	}
	if n := srv.count(); n != 2 {
		t.Fatalf("fetched %d times, want 2", n)
	}

	// A second unknown kid inside the rate-limit window fails fast, without a fetch.
	err := verify(j, signToken(t, k2, "jwk-test-3"))
	if !errors.Is(err, client.ErrUnknownKID) {
		t.Fatalf("err = %v, want ErrUnknownKID", err)
	}
	if n := srv.count(); n != 2 {
		t.Errorf("a rate-limited unknown kid fetched the set again (%d fetches)", n)
	}
}

// syncBuffer is a log destination safe for the JWKS's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

func TestJWKSKeepsTheLastGoodSet(t *testing.T) {
	modes := []string{"500", "malformed", "huge", "badkey"}
	for name := range unusableAnswers {
		modes = append(modes, name)
	}
	slices.Sort(modes[4:])
	for _, mode := range modes {
		t.Run("a refresh answering "+mode+" keeps the old keys and is logged", func(t *testing.T) {
			ignore := goleak.IgnoreCurrent()
			t.Cleanup(func() { goleak.VerifyNone(t, ignore) })
			k1 := newRSAKey(t)
			srv := &jwksServer{keys: map[string]*rsa.PrivateKey{"jwk-test-1": k1}}
			hs := httptest.NewServer(srv)
			t.Cleanup(hs.Close)
			var logs syncBuffer
			c := newClient(t, hs.URL, client.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
			j, err := c.NewJWKS(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(j.Close)

			srv.set(mode, nil)
			if err := verify(j, signToken(t, k1, "jwk-test-other")); !errors.Is(err, client.ErrUnknownKID) {
				t.Fatalf("err = %v, want ErrUnknownKID", err)
			}
			if srv.count() != 2 {
				t.Fatalf("the unknown kid did not trigger a refresh (%d fetches)", srv.count())
			}
			if err := verify(j, signToken(t, k1, "jwk-test-1")); err != nil {
				t.Fatalf("the last good key was dropped: %v", err)
			}
			if got := logs.String(); !strings.Contains(got, "keeping the last key set") {
				t.Errorf("the failed refresh was not logged; log:\n%s", got)
			}
		})
	}
}

// verifyCtx verifies token with j, waiting for a key set fetch at most as
// long as ctx allows.
func verifyCtx(ctx context.Context, j *client.JWKS, token string) error {
	_, err := jwt.Parse(token, j.KeyfuncCtx(ctx), jwt.WithValidMethods([]string{"RS256"}))
	return err
}

func TestJWKSRotationHerdSharesOneRefresh(t *testing.T) {
	k1, k2 := newRSAKey(t), newRSAKey(t)
	rotated := signToken(t, k2, "jwk-test-2")
	// start serves k1, then publishes k2 and holds the next answer back.
	start := func(t *testing.T) (*client.JWKS, *jwksServer, chan struct{}) {
		srv := &jwksServer{keys: map[string]*rsa.PrivateKey{"jwk-test-1": k1}}
		c := newClient(t, "http://stytch.invalid")
		j, err := c.NewJWKS(context.Background(), client.WithJWKSHTTPClient(&http.Client{Transport: handlerTransport{srv}}))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(j.Close)
		srv.set("", map[string]*rsa.PrivateKey{"jwk-test-1": k1, "jwk-test-2": k2})
		hold := make(chan struct{})
		srv.holding(hold)
		return j, srv, hold
	}

	t.Run("fifty lookups of a rotated key all wait for one refresh", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			j, srv, hold := start(t)
			const n = 50
			errs := make([]error, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() { errs[i] = verifyCtx(context.Background(), j, rotated) })
			}
			synctest.Wait() // every lookup waits for the refresh in flight
			if got := srv.count(); got != 2 {
				t.Fatalf("%d fetches while the lookups wait, want 2 (the first and one refresh)", got)
			}
			close(hold)
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Fatalf("lookup %d: %v", i, err)
				}
			}
			if got := srv.count(); got != 2 {
				t.Errorf("%d fetches, want 2", got)
			}
		})
	})

	t.Run("a lookup that stops waiting does not abort the refresh", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			j, srv, hold := start(t)
			ctx, cancel := context.WithCancel(context.Background())
			var goneErr error
			done := make(chan struct{})
			go func() {
				defer close(done)
				goneErr = verifyCtx(ctx, j, rotated)
			}()
			synctest.Wait()
			cancel() // the client disconnects mid-refresh
			<-done
			if !errors.Is(goneErr, client.ErrUnavailable) || !errors.Is(goneErr, context.Canceled) {
				t.Errorf("the abandoned lookup answered %v, want ErrUnavailable and context.Canceled", goneErr)
			}
			close(hold)
			synctest.Wait()
			for i := range 3 {
				if err := verify(j, rotated); err != nil {
					t.Fatalf("lookup %d after the refresh: %v", i, err)
				}
			}
			if got := srv.count(); got != 2 {
				t.Errorf("%d fetches, want 2", got)
			}
		})
	})

	t.Run("random kids during and after a refresh fetch nothing more", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			j, srv, hold := start(t)
			const n = 20
			errs := make([]error, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() { errs[i] = verify(j, signToken(t, k2, fmt.Sprintf("jwk-test-random-%d", i))) })
			}
			synctest.Wait()
			close(hold)
			wg.Wait()
			for i := range n {
				errs = append(errs, verify(j, signToken(t, k2, fmt.Sprintf("jwk-test-later-%d", i))))
			}
			for i, err := range errs {
				if !errors.Is(err, client.ErrUnknownKID) || errors.Is(err, client.ErrUnavailable) {
					t.Fatalf("lookup %d: %v, want ErrUnknownKID alone", i, err)
				}
			}
			if got := srv.count(); got != 2 {
				t.Errorf("%d fetches for %d unknown kids, want 2 (the first and one refresh)", got, 2*n)
			}
		})
	})
}

func TestNewJWKSRefusesInvalidOptions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		opt     client.JWKSOption
		wantErr string
	}{
		{"a nil option is refused", nil, "nil option"},
		{"a zero refresh interval is refused", client.WithRefreshInterval(0), "refresh interval must be positive"},
		{"a negative unknown kid interval is refused", client.WithUnknownKIDInterval(-time.Second), "unknown kid interval must be positive"},
		{"a negative start wait is refused", client.WithStartWait(-time.Second), "start wait must not be negative"},
		{"a zero key wait is refused", client.WithKeyWait(0), "key wait must be positive"},
		{"a nil HTTP client is refused", client.WithJWKSHTTPClient(nil), "nil http client"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := newClient(t, "http://stytch.invalid")
			j, err := c.NewJWKS(context.Background(), tt.opt)
			if err == nil {
				j.Close()
				t.Fatalf("NewJWKS accepted the option; want an error containing %q", tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantErr) || !strings.HasPrefix(err.Error(), "b2bauth: ") {
				t.Errorf("error = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestNewJWKSDoesNotWaitForASlowKeySet(t *testing.T) {
	k1 := newRSAKey(t)
	token := signToken(t, k1, "jwk-test-1")
	tests := []struct {
		name      string
		opts      []client.JWKSOption
		wantStart time.Duration // how long NewJWKS takes
		wantWait  time.Duration // how long a lookup then waits
	}{
		{name: "the defaults bound the start and the first lookups", wantStart: client.DefaultJWKSStartWait, wantWait: client.DefaultJWKSKeyWait},
		{name: "a zero start wait returns at once", opts: []client.JWKSOption{client.WithStartWait(0), client.WithKeyWait(2 * time.Second)},
			wantStart: 0, wantWait: 2 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				hold := make(chan struct{})
				srv := &jwksServer{keys: map[string]*rsa.PrivateKey{"jwk-test-1": k1}, hold: hold}
				c := newClient(t, "http://stytch.invalid") // default timeout: 10 s
				opts := append([]client.JWKSOption{client.WithJWKSHTTPClient(&http.Client{Transport: handlerTransport{srv}})}, tt.opts...)
				began := time.Now()
				j, err := c.NewJWKS(context.Background(), opts...)
				if err != nil {
					t.Fatal(err)
				}
				defer j.Close()
				if got := time.Since(began); got != tt.wantStart {
					t.Errorf("NewJWKS took %v, want %v", got, tt.wantStart)
				}

				began = time.Now()
				err = verify(j, token)
				if got := time.Since(began); got != tt.wantWait {
					t.Errorf("the first lookup waited %v, want %v", got, tt.wantWait)
				}
				if !errors.Is(err, client.ErrUnavailable) {
					t.Errorf("lookup without a key set: %v, want ErrUnavailable", err)
				}

				close(hold) // the first fetch answers at last
				synctest.Wait()
				if err := verify(j, token); err != nil {
					t.Fatalf("after the first fetch: %v", err)
				}
				if got := srv.count(); got != 1 {
					t.Errorf("%d fetches, want 1", got)
				}
			})
		})
	}
}

func TestJWKSSurvivesAFailedFirstFetch(t *testing.T) {
	k1 := newRSAKey(t)
	srv := &jwksServer{keys: map[string]*rsa.PrivateKey{"jwk-test-1": k1}, mode: "500"}
	j := startJWKS(t, srv)
	srv.set("", nil)
	if err := verify(j, signToken(t, k1, "jwk-test-1")); err != nil {
		t.Fatalf("the unknown kid should have fetched the set: %v", err)
	}
}

func TestJWKSStopsWithItsContext(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	defer goleak.VerifyNone(t, ignore)
	srv := &jwksServer{keys: map[string]*rsa.PrivateKey{}}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	c := newClient(t, hs.URL)
	ctx, cancel := context.WithCancel(context.Background())
	j, err := c.NewJWKS(ctx, client.WithRefreshInterval(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	if _, err := j.Keyfunc(&jwt.Token{Method: jwt.SigningMethodRS256, Header: map[string]any{"kid": "k"}}); err == nil ||
		errors.Is(err, client.ErrUnknownKID) {
		t.Errorf("a stopped JWKS answered %v", err)
	}
	j.Close() // after the context, and twice, is fine
	j.Close()
}

func TestJWKSRefreshSchedule(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		k1, k2 := newRSAKey(t), newRSAKey(t)
		srv := &jwksServer{keys: map[string]*rsa.PrivateKey{"jwk-test-1": k1}}
		hc := &http.Client{Transport: handlerTransport{srv}}
		c := newClient(t, "http://stytch.invalid")
		j, err := c.NewJWKS(context.Background(), client.WithJWKSHTTPClient(hc),
			client.WithRefreshInterval(30*time.Minute), client.WithUnknownKIDInterval(time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		defer j.Close()

		time.Sleep(30*time.Minute + time.Second) // fake time: the first scheduled refresh
		synctest.Wait()
		if n := srv.count(); n != 2 {
			t.Fatalf("after one interval: %d fetches, want 2", n)
		}
		time.Sleep(30 * time.Minute)
		synctest.Wait()
		if n := srv.count(); n != 3 {
			t.Fatalf("after two intervals: %d fetches, want 3", n)
		}

		// The unknown-kid limiter refills after its interval.
		_ = verify(j, signToken(t, k1, "jwk-test-x")) // uses the initial token
		_ = verify(j, signToken(t, k1, "jwk-test-y")) // rate limited
		if n := srv.count(); n != 4 {
			t.Fatalf("after two unknown kids: %d fetches, want 4", n)
		}
		srv.set("", map[string]*rsa.PrivateKey{"jwk-test-1": k1, "jwk-test-2": k2})
		time.Sleep(time.Minute)
		if err := verify(j, signToken(t, k2, "jwk-test-2")); err != nil {
			t.Fatalf("after the limiter interval: %v", err)
		}
	})
}

func TestJWKSBooksARefreshForATokenNewerThanItsKeySet(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		k1, k2 := newRSAKey(t), newRSAKey(t)
		srv := &jwksServer{keys: map[string]*rsa.PrivateKey{"jwk-test-1": k1}}
		c := newClient(t, "http://stytch.invalid")
		j, err := c.NewJWKS(context.Background(), client.WithUnknownKIDInterval(time.Minute),
			client.WithJWKSHTTPClient(&http.Client{Transport: handlerTransport{srv}}))
		if err != nil {
			t.Fatal(err)
		}
		defer j.Close()
		issued := func(k *rsa.PrivateKey, kid string, iat time.Time) string {
			tok := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.RegisteredClaims{
				Subject: "member-1", IssuedAt: jwt.NewNumericDate(iat), ExpiresAt: jwt.NewNumericDate(iat.Add(5 * time.Minute)),
			})
			tok.Header["kid"] = kid
			s, err := tok.SignedString(k)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}

		// A random kid spends the limiter's token: its refresh finds
		// nothing, so it is unknown.
		time.Sleep(time.Second)
		err = verify(j, issued(k1, "jwk-test-random", time.Now()))
		if !errors.Is(err, client.ErrUnknownKID) || errors.Is(err, client.ErrKeyNotYetFetched) {
			t.Fatalf("random kid after a refresh: %v, want ErrUnknownKID alone", err)
		}

		// Stytch rotates right after.
		srv.set("", map[string]*rsa.PrivateKey{"jwk-test-1": k1, "jwk-test-2": k2})
		time.Sleep(time.Second)
		tests := []struct {
			name        string
			token       string
			notYetKnown bool
		}{
			{"a token issued after the last fetch is undecided", issued(k2, "jwk-test-2", time.Now()), true},
			{"a token issued before it is unknown", issued(k2, "jwk-test-2", time.Now().Add(-time.Minute)), false},
			{"a token without iat is unknown", signToken(t, k2, "jwk-test-2"), false},
		}
		for _, tt := range tests {
			err := verify(j, tt.token)
			if !errors.Is(err, client.ErrUnknownKID) || errors.Is(err, client.ErrKeyNotYetFetched) != tt.notYetKnown ||
				errors.Is(err, client.ErrUnavailable) {
				t.Errorf("%s: %v", tt.name, err)
			}
		}
		// More random kids meanwhile book nothing more.
		for i := range 20 {
			_ = verify(j, issued(k1, fmt.Sprintf("jwk-test-random-%d", i), time.Now()))
		}
		if n := srv.count(); n != 2 {
			t.Fatalf("%d fetches inside the limit's interval, want 2", n)
		}

		// The booked refresh runs as soon as the limit allows, without
		// waiting for a token to ask or for the hourly refresh.
		time.Sleep(time.Minute)
		synctest.Wait()
		if n := srv.count(); n != 3 {
			t.Fatalf("after the limit's interval: %d fetches, want 3 (the booked refresh)", n)
		}
		if err := verify(j, issued(k2, "jwk-test-2", time.Now())); err != nil {
			t.Errorf("the rotated key after the booked refresh: %v", err)
		}
		time.Sleep(10 * time.Minute)
		synctest.Wait()
		if n := srv.count(); n != 3 {
			t.Errorf("%d fetches ten idle minutes later, want 3: a booked refresh runs once", n)
		}
	})
}

func TestJWKSKidsOfRemovedKeysSpendNoRefresh(t *testing.T) {
	k1, k2, k3 := newRSAKey(t), newRSAKey(t), newRSAKey(t)
	synctest.Test(t, func(t *testing.T) {
		srv := &jwksServer{keys: map[string]*rsa.PrivateKey{"jwk-test-1": k1}}
		c := newClient(t, "http://stytch.invalid")
		j, err := c.NewJWKS(context.Background(), client.WithUnknownKIDInterval(time.Minute),
			client.WithJWKSHTTPClient(&http.Client{Transport: handlerTransport{srv}}))
		if err != nil {
			t.Fatal(err)
		}
		defer j.Close()
		stale := signToken(t, k1, "jwk-test-1")

		// Stytch rotates and drops the old key.
		srv.set("", map[string]*rsa.PrivateKey{"jwk-test-2": k2})
		if err := verify(j, signToken(t, k2, "jwk-test-2")); err != nil {
			t.Fatalf("the rotated key: %v", err)
		}
		time.Sleep(2 * time.Minute) // fake time: the unknown-kid budget is back
		for i := range 5 {
			if err := verify(j, stale); !errors.Is(err, client.ErrUnknownKID) || errors.Is(err, client.ErrUnavailable) {
				t.Fatalf("stale JWT %d: %v, want ErrUnknownKID alone", i, err)
			}
		}
		if n := srv.count(); n != 2 {
			t.Fatalf("JWTs of a removed key made %d fetches, want 2 (the first and the rotation)", n)
		}

		// The budget they did not spend serves the next rotation.
		srv.set("", map[string]*rsa.PrivateKey{"jwk-test-2": k2, "jwk-test-3": k3})
		if err := verify(j, signToken(t, k3, "jwk-test-3")); err != nil {
			t.Fatalf("the next rotation: %v", err)
		}
		if n := srv.count(); n != 3 {
			t.Errorf("%d fetches, want 3", n)
		}

		// A key published again is trusted again.
		srv.set("", map[string]*rsa.PrivateKey{"jwk-test-1": k1, "jwk-test-3": k3})
		time.Sleep(2 * time.Minute)
		if err := verify(j, signToken(t, k2, "jwk-test-unknown")); !errors.Is(err, client.ErrUnknownKID) {
			t.Fatalf("unknown kid: %v", err)
		}
		if err := verify(j, stale); err != nil {
			t.Errorf("a republished key is still refused: %v", err)
		}
	})
}
