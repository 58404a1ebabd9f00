package middleware

import (
	"fmt"
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
