package client_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
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
	mode     string // "" (ok), "500", "malformed", "huge", "badkey"
	calls    int
	authSeen bool
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
	defer s.mu.Unlock()
	if r.URL.Path != "/v1/b2b/sessions/jwks/project-test-123" {
		http.NotFound(w, r)
		return
	}
	s.calls++
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

func TestJWKSKeepsTheLastGoodSet(t *testing.T) {
	for _, mode := range []string{"500", "malformed", "huge", "badkey"} {
		t.Run("a "+mode+" refresh keeps the old keys", func(t *testing.T) {
			k1 := newRSAKey(t)
			srv := &jwksServer{keys: map[string]*rsa.PrivateKey{"jwk-test-1": k1}}
			j := startJWKS(t, srv)
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
