package middleware

import (
	"crypto/sha256"
	"hash/maphash"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// tokenCache remembers verified JWTs until they expire or pass the maximum
// token age. It is bounded: when full, the oldest insertion is evicted
// (FIFO), so memory never exceeds size entries. A token matches an entry
// only when equal to it byte for byte.
//
// Reads take no lock and write no shared memory, so that requests on many
// cores do not contend: entries are immutable and sit in an open-addressing
// table (linear probing, at most a quarter full) of atomic pointers. Writes
// are serialized by mu; a read racing a write may miss an entry being
// moved, which costs only a verification.
//
// The table is indexed by a seeded hash of the token's last bytes, part of
// its signature, rather than of the whole token: distinct JWTs that verify
// have distinct signatures, and the hit path then hashes 64 bytes instead
// of kilobytes. Tokens crafted to share those bytes (one signature with
// line breaks inserted earlier, which base64 decoding skips) cannot lengthen
// the probe of a read: an entry is stored only within maxProbe slots of
// its hash, and a token that finds no room there is verified on each
// request instead, as any token an attacker can sign is.
type tokenCache struct {
	seed  maphash.Seed
	slots []atomic.Pointer[tokenEntry]
	mask  uint64

	mu   sync.Mutex
	ring []*tokenEntry // live entries in insertion order, for eviction
	used int           // slots of ring filled so far
	next int
}

// tokenEntry is one verified JWT; it is never modified once stored.
// maxProbe bounds how far from its hash's slot an entry is stored, and so
// the slots a read looks at.
const maxProbe = 16

// hashedSuffix is how many of a token's last bytes its hash covers.
const hashedSuffix = 64

type tokenEntry struct {
	hash       uint64
	token      string // the session's own copy of the JWT
	session    *Session
	validUntil time.Time
	pos        int // index in ring
}

type cacheEntry struct {
	session    *Session
	validUntil time.Time
}

// newTokenCache returns a cache of size entries, or nil (no caching) for 0.
func newTokenCache(size int) *tokenCache {
	if size == 0 {
		return nil
	}
	n := 4
	for n < 4*size {
		n <<= 1
	}
	return &tokenCache{seed: maphash.MakeSeed(), slots: make([]atomic.Pointer[tokenEntry], n),
		mask: uint64(n - 1), ring: make([]*tokenEntry, size)}
}

// get returns the session for token if it is cached and still valid at now.
func (c *tokenCache) get(token string, now time.Time) (*Session, bool) {
	if c == nil {
		return nil, false
	}
	h := c.hash(token)
	for i, n := h&c.mask, 0; n < maxProbe; i, n = (i+1)&c.mask, n+1 {
		e := c.slots[i].Load()
		if e == nil {
			return nil, false
		}
		if e.hash == h && e.token == token {
			if !now.Before(e.validUntil) {
				return nil, false
			}
			return e.session, true
		}
	}
	return nil, false
}

// put remembers the session of token until validUntil. The session's JWT is
// the token (see jwtClaims.session); the entry keeps it rather than token,
// which may be a slice of a longer request header.
func (c *tokenCache) put(token string, s *Session, validUntil time.Time) {
	if c == nil {
		return
	}
	if s.JWT == token {
		token = s.JWT
	} else {
		token = strings.Clone(token)
	}
	h := c.hash(token)
	e := &tokenEntry{hash: h, token: token, session: s, validUntil: validUntil}
	c.mu.Lock()
	defer c.mu.Unlock()
	if i, old := c.find(h, token); old != nil {
		e.pos = old.pos
		c.ring[e.pos] = e
		c.slots[i].Store(e)
		return
	}
	i := h & c.mask
	for n := 0; c.slots[i].Load() != nil; n++ {
		if n == maxProbe-1 {
			return
		}
		i = (i + 1) & c.mask
	}
	if c.used == len(c.ring) {
		victim := c.ring[c.next]
		if i, old := c.find(victim.hash, victim.token); old == victim {
			c.remove(i)
		}
	} else {
		c.used++
	}
	e.pos = c.next
	c.ring[c.next] = e
	c.next = (c.next + 1) % len(c.ring)
	// Evicting may have moved entries into the probe: look again, the
	// free slot is no further.
	i = h & c.mask
	for c.slots[i].Load() != nil {
		i = (i + 1) & c.mask
	}
	c.slots[i].Store(e)
}

// hash returns the table hash of token.
func (c *tokenCache) hash(token string) uint64 {
	tail := token[max(0, len(token)-hashedSuffix):]
	return maphash.String(c.seed, tail) ^ uint64(len(token))*0x9e3779b97f4a7c15
}

// find returns the slot of token, with mu held.
func (c *tokenCache) find(h uint64, token string) (uint64, *tokenEntry) {
	for i, n := h&c.mask, 0; n < maxProbe; i, n = (i+1)&c.mask, n+1 {
		e := c.slots[i].Load()
		if e == nil {
			return 0, nil
		}
		if e.hash == h && e.token == token {
			return i, e
		}
	}
	return 0, nil
}

// remove empties slot i and moves back the entries after it that would no
// longer be found past the hole (backward-shift deletion), with mu held.
func (c *tokenCache) remove(i uint64) {
	c.slots[i].Store(nil)
	for j := (i + 1) & c.mask; ; j = (j + 1) & c.mask {
		e := c.slots[j].Load()
		if e == nil {
			return
		}
		// e, probed from home, may fill the hole at i when i lies
		// between home and j.
		if home := e.hash & c.mask; (j-home)&c.mask >= (j-i)&c.mask {
			c.slots[i].Store(e)
			c.slots[j].Store(nil)
			i = j
		}
	}
}

func (c *tokenCache) len() int {
	if c == nil {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.used
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
