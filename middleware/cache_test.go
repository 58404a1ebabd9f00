package middleware

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestTokenCacheBoundedFIFO(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_700_000_000, 0)
	c := newTokenCache(3)
	for i := range 5 {
		c.put(fmt.Sprint("t", i), &Session{ID: fmt.Sprint(i)}, now.Add(time.Minute))
	}
	if n := c.len(); n != 3 {
		t.Fatalf("cache holds %d entries, want 3", n)
	}
	for i, want := range []bool{false, false, true, true, true} {
		if _, ok := c.get(fmt.Sprint("t", i), now); ok != want {
			t.Errorf("t%d cached = %v, want %v", i, ok, want)
		}
	}
}

func TestTokenCacheExpiry(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_700_000_000, 0)
	c := newTokenCache(2)
	c.put("a", &Session{}, now.Add(time.Second))
	if _, ok := c.get("a", now); !ok {
		t.Fatal("entry missing before its end")
	}
	if _, ok := c.get("a", now.Add(time.Second)); ok {
		t.Fatal("entry served at its end")
	}
}

func TestTokenCacheDisabled(t *testing.T) {
	t.Parallel()
	var c *tokenCache = newTokenCache(0)
	c.put("a", &Session{}, time.Now().Add(time.Hour))
	if _, ok := c.get("a", time.Now()); ok {
		t.Fatal("a disabled cache served an entry")
	}
}

func TestVerdictCacheIsBoundedAndKeyedByHash(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_700_000_000, 0)
	c := newVerdictCache(3)
	for i := range 5 {
		c.put(keyOf(fmt.Sprint("credential-", i), true), &Session{ID: fmt.Sprint(i)}, now.Add(time.Minute))
	}
	if n := c.len(); n != 3 {
		t.Fatalf("cache holds %d entries, want 3", n)
	}
	for i, want := range []bool{false, false, true, true, true} {
		if _, ok := c.get(keyOf(fmt.Sprint("credential-", i), true), now); ok != want {
			t.Errorf("credential-%d cached = %v, want %v", i, ok, want)
		}
	}
	if _, ok := c.get(keyOf("credential-4", false), now); ok {
		t.Error("a JWT shares the entry of a session token with the same text")
	}
	if _, ok := c.get(keyOf("credential-4", true), now.Add(time.Minute)); ok {
		t.Error("entry served at its end")
	}
}

func TestVerdictCacheDisabled(t *testing.T) {
	t.Parallel()
	c := newVerdictCache(0)
	c.put(keyOf("a", true), nil, time.Now().Add(time.Hour))
	if _, ok := c.get(keyOf("a", true), time.Now()); ok {
		t.Fatal("a disabled cache served an entry")
	}
}

func TestVerdictCacheIsSafeForConcurrentUse(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_700_000_000, 0)
	c := newVerdictCache(16)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				k := keyOf(fmt.Sprint(g, "-", i%40), true)
				c.put(k, nil, now.Add(time.Minute))
				c.get(k, now)
			}
		})
	}
	wg.Wait()
	if n := c.len(); n > 16 {
		t.Fatalf("cache holds %d entries, bound 16", n)
	}
}

// TestTokenCacheMemoryPerEntry measures the memory a cache of 10,000
// verified session JWTs keeps per entry: the JWT, its decoded claims and the
// cache's own structures.
func TestTokenCacheMemoryPerEntry(t *testing.T) {
	const n = 10_000
	iat := time.Unix(1_800_000_000, 0)
	header := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"RS256","kid":"jwk-test-cedff95c-f633-b47d-0c01-0f52028eb57d","typ":"JWT"}`))
	payloads := make([][]byte, n)
	raws := make([]string, n)
	for i := range payloads {
		claims := sessionClaimsJSON(iat, fmt.Sprintf(`,"jti":"%08d"`, i))
		payloads[i] = []byte(claims)
		sig := make([]byte, 256) // an RS256 signature of a 2048-bit key
		rand.Read(sig)
		raws[i] = header + "." + base64.RawURLEncoding.EncodeToString(payloads[i]) + "." + base64.RawURLEncoding.EncodeToString(sig)
	}
	// Other tests freeing memory meanwhile can only lower the figure,
	// never fail the bound; run this test alone for the figure itself.
	before := heapInUse()
	c := newTokenCache(n)
	for i, p := range payloads {
		cl, err := decodeClaims(p)
		if err != nil {
			t.Fatal(err)
		}
		c.put(raws[i], cl.session(raws[i]), iat.Add(time.Minute))
	}
	if c.len() != n {
		t.Fatalf("%d entries cached, want %d", c.len(), n)
	}
	perEntry := (heapInUse() - before) / n
	runtime.KeepAlive(c)
	runtime.KeepAlive(payloads)
	runtime.KeepAlive(raws)
	t.Logf("%d cached session JWTs of %d bytes: %d bytes per entry", n, len(raws[0]), perEntry)
	if perEntry > 8<<10 {
		t.Errorf("%d bytes per entry, want at most 8 KB", perEntry)
	}
}

func heapInUse() int {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int(ms.HeapAlloc)
}

// TestTokenCacheServesReadersDuringEviction reads a small cache from many
// goroutines while others fill it past its bound: a read never returns
// another token's session, and the bound holds.
func TestTokenCacheServesReadersDuringEviction(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_700_000_000, 0)
	c := newTokenCache(8)
	tokens := make([]string, 64)
	for i := range tokens {
		tokens[i] = fmt.Sprintf("token-%02d", i)
	}
	var wg sync.WaitGroup
	for w := range 2 {
		wg.Go(func() {
			for i := range 2000 {
				tok := tokens[(i*7+w)%len(tokens)]
				c.put(tok, &Session{JWT: tok}, now.Add(time.Minute))
			}
		})
	}
	for range 4 {
		wg.Go(func() {
			for i := range 4000 {
				tok := tokens[i%len(tokens)]
				if s, ok := c.get(tok, now); ok && s.JWT != tok {
					t.Errorf("get(%q) returned the session of %q", tok, s.JWT)
					return
				}
			}
		})
	}
	wg.Wait()
	if n := c.len(); n > 8 {
		t.Fatalf("cache holds %d entries, bound 8", n)
	}
	// Every entry left is still found: eviction kept the probe chains whole.
	found := 0
	for _, tok := range tokens {
		if _, ok := c.get(tok, now); ok {
			found++
		}
	}
	if found != c.len() {
		t.Fatalf("%d entries found of %d held", found, c.len())
	}
}

// TestTokenCacheBoundsTheProbeOfCollidingTokens: tokens that differ only
// before the bytes the cache hashes all land on one slot; only maxProbe of
// them are stored, so a read never looks at more slots, and each stored one
// is still served.
func TestTokenCacheBoundsTheProbeOfCollidingTokens(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_700_000_000, 0)
	c := newTokenCache(1000)
	tail := strings.Repeat("s", hashedSuffix)
	var stored []string
	for i := range 3 * maxProbe {
		tok := fmt.Sprintf("%04d.", i) + tail
		c.put(tok, &Session{JWT: tok}, now.Add(time.Minute))
		if _, ok := c.get(tok, now); ok {
			stored = append(stored, tok)
		}
	}
	if len(stored) != maxProbe || c.len() != maxProbe {
		t.Fatalf("%d colliding tokens served, %d held, want %d", len(stored), c.len(), maxProbe)
	}
	for _, tok := range stored {
		if s, ok := c.get(tok, now); !ok || s.JWT != tok {
			t.Fatalf("%q no longer served", tok)
		}
	}
}
