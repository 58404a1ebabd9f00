package middleware

import (
	"sync"
	"time"
)

// m2mCache remembers verified M2M access tokens until they expire or pass
// the maximum token age, bounded and evicted like [tokenCache] (oldest
// insertion first). It is a cache of its own so that machines calling with
// hour-long tokens never push member sessions out, nor the reverse.
type m2mCache struct {
	mu      sync.RWMutex
	entries map[string]m2mEntry
	ring    []string // insertion order, for eviction
	next    int
}

type m2mEntry struct {
	client     *M2MClient
	validUntil time.Time
}

// newM2MCache returns a cache of size entries, or nil (no caching) for 0.
func newM2MCache(size int) *m2mCache {
	if size == 0 {
		return nil
	}
	return &m2mCache{entries: make(map[string]m2mEntry, size), ring: make([]string, size)}
}

// get returns the client of token if it is cached and still valid at now.
func (c *m2mCache) get(token string, now time.Time) (*M2MClient, bool) {
	if c == nil {
		return nil, false
	}
	c.mu.RLock()
	e, ok := c.entries[token]
	c.mu.RUnlock()
	if !ok || !now.Before(e.validUntil) {
		return nil, false
	}
	return e.client, true
}

func (c *m2mCache) put(token string, client *M2MClient, validUntil time.Time) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.entries[token]; ok {
		c.entries[token] = m2mEntry{client: client, validUntil: validUntil}
		return
	}
	if old := c.ring[c.next]; old != "" {
		delete(c.entries, old)
	}
	c.ring[c.next] = token
	c.next = (c.next + 1) % len(c.ring)
	c.entries[token] = m2mEntry{client: client, validUntil: validUntil}
}
