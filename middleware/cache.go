package middleware

import (
	"crypto/sha256"
	"sync"
	"time"
)

// tokenCache remembers verified JWTs until they expire or pass the maximum
// token age. It is bounded: when full, the oldest insertion is evicted
// (FIFO), so memory never exceeds size entries. Keys are whole tokens: a
// token that differs in any byte is verified afresh.
type tokenCache struct {
	mu      sync.RWMutex
	entries map[string]cacheEntry
	ring    []string // insertion order, for eviction
	next    int
}

type cacheEntry struct {
	session    *Session
	validUntil time.Time
}

func newTokenCache(size int) *tokenCache {
	if size == 0 {
		return nil
	}
	return &tokenCache{entries: make(map[string]cacheEntry, size), ring: make([]string, size)}
}

// get returns the session for token if it is cached and still valid at now.
func (c *tokenCache) get(token string, now time.Time) (*Session, bool) {
	if c == nil {
		return nil, false
	}
	c.mu.RLock()
	e, ok := c.entries[token]
	c.mu.RUnlock()
	if !ok || !now.Before(e.validUntil) {
		return nil, false
	}
	return e.session, true
}

func (c *tokenCache) put(token string, s *Session, validUntil time.Time) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.entries[token]; ok {
		c.entries[token] = cacheEntry{session: s, validUntil: validUntil}
		return
	}
	if old := c.ring[c.next]; old != "" {
		delete(c.entries, old)
	}
	c.ring[c.next] = token
	c.next = (c.next + 1) % len(c.ring)
	c.entries[token] = cacheEntry{session: s, validUntil: validUntil}
}

func (c *tokenCache) len() int {
	if c == nil {
		return 0
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.entries)
}

// verdictKey is the key of a credential in a verdictCache: a SHA-256 of the
// credential and its kind, so that memory per entry is fixed whatever the
// credential's length and the credential itself is never kept.
type verdictKey [sha256.Size]byte

func keyOf(credential string, isToken bool) verdictKey {
	h := sha256.New()
	if isToken {
		h.Write([]byte{'t'})
	} else {
		h.Write([]byte{'j'})
	}
	h.Write([]byte(credential))
	var k verdictKey
	h.Sum(k[:0])
	return k
}

// verdictCache remembers Stytch's verdicts on credentials (a session it
// returned, or its refusal) until a deadline. It is bounded like tokenCache:
// when full, the oldest insertion is evicted (FIFO), and an expired entry is
// never served. It is safe for concurrent use and starts no goroutine.
type verdictCache struct {
	mu      sync.Mutex
	entries map[verdictKey]cacheEntry
	ring    []verdictKey // insertion order, for eviction
	used    int          // slots of ring filled so far
	next    int
}

func newVerdictCache(size int) *verdictCache {
	if size == 0 {
		return nil
	}
	return &verdictCache{entries: make(map[verdictKey]cacheEntry, min(size, 1024)), ring: make([]verdictKey, size)}
}

// get returns the entry for k if it is still valid at now.
func (c *verdictCache) get(k verdictKey, now time.Time) (cacheEntry, bool) {
	if c == nil {
		return cacheEntry{}, false
	}
	c.mu.Lock()
	e, ok := c.entries[k]
	c.mu.Unlock()
	if !ok || !now.Before(e.validUntil) {
		return cacheEntry{}, false
	}
	return e, true
}

// put remembers s (nil for a refusal) under k until validUntil.
func (c *verdictCache) put(k verdictKey, s *Session, validUntil time.Time) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.entries[k]; ok {
		c.entries[k] = cacheEntry{session: s, validUntil: validUntil}
		return
	}
	if c.used == len(c.ring) {
		delete(c.entries, c.ring[c.next])
	} else {
		c.used++
	}
	c.ring[c.next] = k
	c.next = (c.next + 1) % len(c.ring)
	c.entries[k] = cacheEntry{session: s, validUntil: validUntil}
}

func (c *verdictCache) len() int {
	if c == nil {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}
