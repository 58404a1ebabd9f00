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
	c := newTokenCache[*Session](3)
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
	c := newTokenCache[*Session](2)
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
	var c *tokenCache[*Session] = newTokenCache[*Session](0)
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
	c := newTokenCache[*Session](n)
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
	c := newTokenCache[*Session](8)
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
	c := newTokenCache[*Session](1000)
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

// TestTokenCacheGrowsWithUse: the table follows the entries held, from
// nothing for an unused cache to the bound's size, and every entry is still
// served after each growth.
func TestTokenCacheGrowsWithUse(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_700_000_000, 0)
	c := newTokenCache[*Session](1000)
	slots := func() int {
		if tab := c.table.Load(); tab != nil {
			return len(tab.slots)
		}
		return 0
	}
	tests := []struct {
		held      int // entries put so far
		wantSlots int
	}{
		{0, 0},
		{1, minSlots},
		{16, minSlots},
		{17, 2 * minSlots},
		{100, 512},
		{1000, 4096}, // 4 slots an entry at the bound
		{3000, 4096}, // and no more past it
	}
	put := 0
	for _, tt := range tests {
		for ; put < tt.held; put++ {
			tok := fmt.Sprintf("token-%05d", put)
			c.put(tok, &Session{JWT: tok}, now.Add(time.Minute))
		}
		if got := slots(); got != tt.wantSlots {
			t.Errorf("%d entries put: %d slots, want %d", tt.held, got, tt.wantSlots)
		}
		for i := max(0, tt.held-1000); i < tt.held; i++ {
			tok := fmt.Sprintf("token-%05d", i)
			if s, ok := c.get(tok, now); !ok || s.JWT != tok {
				t.Fatalf("%d entries put: %s not served", tt.held, tok)
			}
		}
	}
}

// TestTokenCacheServesReadersDuringGrowth reads entries from many goroutines
// while another fills the cache, growing its table several times: a read
// sees the old table or the new one, each holding every entry put before
// it, so no read misses.
func TestTokenCacheServesReadersDuringGrowth(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_700_000_000, 0)
	c := newTokenCache[*Session](4096)
	held := make([]string, 8)
	for i := range held {
		held[i] = fmt.Sprintf("held-%d", i)
		c.put(held[i], &Session{JWT: held[i]}, now.Add(time.Minute))
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 3 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				tok := held[i%len(held)]
				if s, ok := c.get(tok, now); !ok || s.JWT != tok {
					t.Errorf("%s missed during growth", tok)
					return
				}
			}
		})
	}
	for i := range 4000 {
		tok := fmt.Sprintf("token-%05d", i)
		c.put(tok, &Session{JWT: tok}, now.Add(time.Minute))
	}
	close(stop)
	wg.Wait()
	if got := len(c.table.Load().slots); got != 4*4096 {
		t.Fatalf("%d slots after 4008 entries, want %d", got, 4*4096)
	}
}

func TestFIFOMapIsBoundedAndAllocatesWithUse(t *testing.T) {
	t.Parallel()
	f := newFIFOMap[string, int](3)
	if cap(f.ring) != 0 {
		t.Fatalf("an empty map holds a ring of %d", cap(f.ring))
	}
	for i := range 5 {
		f.put(fmt.Sprint("k", i), i)
	}
	f.put("k4", 40) // an update evicts nothing
	if n := f.len(); n != 3 {
		t.Fatalf("%d entries, want 3", n)
	}
	for i, want := range []int{-1, -1, 2, 3, 40} {
		v, ok := f.get(fmt.Sprint("k", i))
		if ok != (want >= 0) || ok && v != want {
			t.Errorf("k%d = %d, %v; want %d", i, v, ok, want)
		}
	}
}
