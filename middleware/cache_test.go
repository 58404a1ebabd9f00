package middleware

import (
	"fmt"
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
