package middleware_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/b2bauth/b2bauth/client"
	"github.com/b2bauth/b2bauth/emulator"
	"github.com/b2bauth/b2bauth/middleware"
	"github.com/b2bauth/b2bauth/middleware/middlewaretest"
)

// maxBytesPerCachedJWT bounds the memory the middleware keeps per JWT it
// verified: the JWT itself (about 1.5 KB here), its decoded claims and the
// cache's entry. TestTokenCacheMemoryPerEntry measures it.
const maxBytesPerCachedJWT = 8 << 10

// TestColdStartOfTenThousandJWTs sends 10,000 distinct valid session JWTs at
// once to a middleware whose key set is still being fetched: they all wait
// for that one fetch, are all served, Stytch is never asked, and the memory
// kept afterwards is bounded per JWT, however long the Cookie header that
// carried it (each request here also carries another application's 8 KB of
// cookies).
func TestColdStartOfTenThousandJWTs(t *testing.T) {
	const n = 10_000
	// A 1024-bit key, published by the emulator: minting 10,000 JWTs with
	// a 2048-bit one would take most of a minute.
	key, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(t.TempDir(), "keys.pem")
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	clk := middlewaretest.NewClock(time.Now().UTC().Truncate(time.Second))
	emu := emulator.NewTest(t, emulator.WithClock(clk.Now), emulator.WithKeyFile(keyFile))
	org, err := emu.AddOrganization(emulator.OrganizationSeed{Name: "Acme"})
	if err != nil {
		t.Fatal(err)
	}
	member, err := emu.AddMember(emulator.MemberSeed{Organization: org, Email: "a@acme.test"})
	if err != nil {
		t.Fatal(err)
	}
	_, template, err := emu.CreateSession(member)
	if err != nil {
		t.Fatal(err)
	}
	jwts := mintVariants(t, claimsOf(t, template), emu.KeyIDs()[0], key, n)

	synctest.Test(t, func(t *testing.T) {
		held := &heldJWKS{h: emu.Handler()}
		release := held.hold()
		c, err := client.New(emu.ProjectID(), emu.Secret(), client.WithBaseURL("http://stytch.invalid"),
			client.WithHTTPClient(&http.Client{Transport: held}))
		if err != nil {
			t.Fatal(err)
		}
		emu.ResetCalls()
		before := heapInUse()
		m, err := middleware.New(c, middleware.WithClock(clk.Now), middleware.WithPolicyAuthorizer(denyAll{}),
			middleware.WithJWKSOptions(client.WithStartWait(0)))
		if err != nil {
			t.Fatal(err)
		}
		defer m.Close()
		h := protected(m)
		other := &http.Cookie{Name: "other_app", Value: strings.Repeat("x", 8<<10)}
		statuses := make([]int, n)
		var wg sync.WaitGroup
		for i, raw := range jwts {
			wg.Go(func() {
				statuses[i] = serve(h, jsonRequest([]*http.Cookie{other, {Name: middleware.DefaultJWTCookie, Value: raw}})).StatusCode
			})
		}
		synctest.Wait() // every request waits for the first key set
		if got := held.jwksCalls(); got != 1 {
			t.Fatalf("%d JWKS fetches while %d requests wait, want 1", got, n)
		}
		close(release)
		wg.Wait()
		for i, s := range statuses {
			if s != http.StatusOK {
				t.Fatalf("request %d: status %d, want 200", i, s)
			}
		}
		if got := held.jwksCalls(); got != 1 {
			t.Errorf("%d JWKS fetches, want 1", got)
		}
		if got := emu.Calls(http.MethodPost, "/v1/b2b/sessions/authenticate"); got != 0 {
			t.Errorf("%d upstream authenticate calls, want 0", got)
		}
		kept := heapInUse() - before
		t.Logf("%d JWTs verified and cached: %d bytes kept, %d per JWT", n, kept, kept/n)
		if kept > n*maxBytesPerCachedJWT {
			t.Errorf("%d bytes kept for %d JWTs, want at most %d per JWT", kept, n, maxBytesPerCachedJWT)
		}
		runtime.KeepAlive(m)
	})
}

// mintVariants signs n JWTs of claims, each naming another session.
func mintVariants(t *testing.T, claims map[string]any, kid string, key *rsa.PrivateKey, n int) []string {
	t.Helper()
	session, _ := claims["https://stytch.com/session"].(map[string]any)
	if session == nil {
		t.Fatal("template JWT without a session claim")
	}
	out := make([]string, n)
	for i := range out {
		session["id"] = fmt.Sprintf("member-session-test-%08d", i)
		tok := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims(claims))
		tok.Header["kid"] = kid
		s, err := tok.SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = s
	}
	return out
}

// heapInUse returns the bytes of live heap objects after a collection.
func heapInUse() int {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int(ms.HeapAlloc)
}

// TestAnIdleMiddlewareIsSmall: a middleware allocates its caches as they
// fill, not for their bounds. With the default bounds of 10,000 entries,
// allocating ahead held 3.6 MB for every middleware, scanned by the garbage
// collector on each cycle, before a single request.
func TestAnIdleMiddlewareIsSmall(t *testing.T) {
	e := middlewaretest.NewEnv(t)
	heapInUse() // what setting up the emulator left is freed first
	before := heapInUse()
	m, err := middleware.New(e.Client)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	grown := heapInUse() - before
	t.Logf("a new middleware holds %d bytes", grown)
	if grown > 256<<10 {
		t.Fatalf("a new middleware holds %d bytes, want at most 256 KB", grown)
	}
}
