package middleware

import (
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
