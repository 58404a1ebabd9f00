package middleware

import (
	"crypto/sha256"
	"hash/maphash"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// tokenCache remembers verified tokens (session JWTs, M2M access tokens)
// until they expire or pass the maximum token age. It is bounded: when
// full, the oldest insertion is evicted (FIFO), so memory never exceeds size
// entries. A token matches an entry only when equal to it byte for byte.
//
// Reads take no lock and write no shared memory, so that requests on many
// cores do not contend: entries are immutable and sit in an open-addressing
// table (linear probing, at most a quarter full) of atomic pointers. Writes
// are serialized by mu; a read racing a write may miss an entry being
// moved, which costs only a verification.
//
// Memory follows use: the table starts small and doubles as entries come,
// up to the size the bound needs, and a grown table is published whole, so
// a read sees the old table or the new one. An idle cache costs a few
// hundred bytes, and the garbage collector scans only the table in use.
//
// The table is indexed by a seeded hash of the token's last bytes, part of
// its signature, rather than of the whole token: distinct JWTs that verify
// have distinct signatures, and the hit path then hashes 64 bytes instead
// of kilobytes. Tokens crafted to share those bytes (one signature with
// line breaks inserted earlier, which base64 decoding skips) cannot lengthen
// the probe of a read: an entry is stored only within maxProbe slots of
// its hash, and a token that finds no room there is verified on each
// request instead, as any token an attacker can sign is.
type tokenCache[V cachedToken] struct {
	seed     maphash.Seed
	size     int // the bound, in entries
	maxSlots int // the table's size at the bound

	table atomic.Pointer[slotTable[V]]

	mu   sync.Mutex
	ring []*tokenEntry[V] // live entries in insertion order, for eviction; grows to size
	next int              // once ring is full, the oldest entry's index
}

// cachedToken is what a tokenCache holds: a verified credential that keeps
// its own copy of the token it was verified from.
type cachedToken interface {
	comparable
	ownToken() string
}

func (s *Session) ownToken() string   { return s.JWT }
func (c *M2MClient) ownToken() string { return c.Token }

// slotTable is one generation of a tokenCache's table; only the latest is
// written.
type slotTable[V cachedToken] struct {
	slots []atomic.Pointer[tokenEntry[V]]
	mask  uint64
	count int // entries stored, with mu held
}

func newSlotTable[V cachedToken](n int) *slotTable[V] {
	return &slotTable[V]{slots: make([]atomic.Pointer[tokenEntry[V]], n), mask: uint64(n - 1)}
}

// maxProbe bounds how far from its hash's slot an entry is stored, and so
// the slots a read looks at.
const maxProbe = 16

// hashedSuffix is how many of a token's last bytes its hash covers.
const hashedSuffix = 64

// minSlots is the size of a cache's first table.
const minSlots = 64

// tokenEntry is one verified token; it is never modified once stored.
type tokenEntry[V cachedToken] struct {
	hash       uint64
	token      string // the value's own copy of the token
	value      V
	validUntil time.Time
	pos        int // index in ring
}

type cacheEntry struct {
	session    *Session
	validUntil time.Time
}

// newTokenCache returns a cache of size entries, or nil (no caching) for 0.
func newTokenCache[V cachedToken](size int) *tokenCache[V] {
	if size == 0 {
		return nil
	}
	n := 4
	for n < 4*size {
		n <<= 1
	}
	return &tokenCache[V]{seed: maphash.MakeSeed(), size: size, maxSlots: n}
}

// get returns the value for token if it is cached and still valid at now.
func (c *tokenCache[V]) get(token string, now time.Time) (V, bool) {
	var zero V
	if c == nil {
		return zero, false
	}
	t := c.table.Load()
	if t == nil {
		return zero, false
	}
	h := c.hash(token)
	for i, n := h&t.mask, 0; n < maxProbe; i, n = (i+1)&t.mask, n+1 {
		e := t.slots[i].Load()
		if e == nil {
			return zero, false
		}
		if e.hash == h && e.token == token {
			if !now.Before(e.validUntil) {
				return zero, false
			}
			return e.value, true
		}
	}
	return zero, false
}

// put remembers v, verified from token, until validUntil. The entry keeps
// v's own copy of the token when it has one, rather than token, which may
// be a slice of a longer request header.
func (c *tokenCache[V]) put(token string, v V, validUntil time.Time) {
	if c == nil {
		return
	}
	if own := v.ownToken(); own == token {
		token = own
	} else {
		token = strings.Clone(token)
	}
	h := c.hash(token)
	e := &tokenEntry[V]{hash: h, token: token, value: v, validUntil: validUntil}
	c.mu.Lock()
	defer c.mu.Unlock()
	t := c.table.Load()
	if t == nil {
		t = newSlotTable[V](min(minSlots, c.maxSlots))
		c.table.Store(t)
	}
	if i, old := t.find(h, token); old != nil {
		e.pos = old.pos
		c.ring[e.pos] = e
		t.slots[i].Store(e)
		return
	}
	if len(c.ring) < c.size && 4*(t.count+1) > len(t.slots) && len(t.slots) < c.maxSlots {
		t = c.grow(t)
	}
	if _, ok := t.free(h); !ok {
		return
	}
	if len(c.ring) == c.size {
		victim := c.ring[c.next]
		if i, old := t.find(victim.hash, victim.token); old == victim {
			t.remove(i)
		}
		e.pos = c.next
		c.ring[c.next] = e
		c.next = (c.next + 1) % c.size
	} else {
		e.pos = len(c.ring)
		c.ring = append(c.ring, e)
	}
	// Evicting may have moved entries into the probe: look again, the
	// free slot is no further.
	i, _ := t.free(h)
	t.slots[i].Store(e)
	t.count++
}

// grow publishes a table twice the size of t holding t's entries, with mu
// held, and returns it. It runs only while the ring is not full, when the
// ring lists exactly the table's entries in insertion order; inserted in
// that order into a table twice the size, none lands further from its
// hash than it was, so every one fits within maxProbe.
func (c *tokenCache[V]) grow(t *slotTable[V]) *slotTable[V] {
	g := newSlotTable[V](2 * len(t.slots))
	for _, e := range c.ring {
		if i, ok := g.free(e.hash); ok {
			g.slots[i].Store(e)
			g.count++
		}
	}
	c.table.Store(g)
	return g
}

// hash returns the table hash of token.
func (c *tokenCache[V]) hash(token string) uint64 {
	tail := token[max(0, len(token)-hashedSuffix):]
	return maphash.String(c.seed, tail) ^ uint64(len(token))*0x9e3779b97f4a7c15
}

// find returns the slot of token, with mu held.
func (t *slotTable[V]) find(h uint64, token string) (uint64, *tokenEntry[V]) {
	for i, n := h&t.mask, 0; n < maxProbe; i, n = (i+1)&t.mask, n+1 {
		e := t.slots[i].Load()
		if e == nil {
			return 0, nil
		}
		if e.hash == h && e.token == token {
			return i, e
		}
	}
	return 0, nil
}

// free returns the first empty slot within maxProbe of h, with mu held.
func (t *slotTable[V]) free(h uint64) (uint64, bool) {
	for i, n := h&t.mask, 0; n < maxProbe; i, n = (i+1)&t.mask, n+1 {
		if t.slots[i].Load() == nil {
			return i, true
		}
	}
	return 0, false
}

// remove empties slot i and moves back the entries after it that would no
// longer be found past the hole (backward-shift deletion), with mu held.
func (t *slotTable[V]) remove(i uint64) {
	t.slots[i].Store(nil)
	t.count--
	for j := (i + 1) & t.mask; ; j = (j + 1) & t.mask {
		e := t.slots[j].Load()
		if e == nil {
			return
		}
		// e, probed from home, may fill the hole at i when i lies
		// between home and j.
		if home := e.hash & t.mask; (j-home)&t.mask >= (j-i)&t.mask {
			t.slots[i].Store(e)
			t.slots[j].Store(nil)
			i = j
		}
	}
}

// len returns how many entries the cache holds, cached or waiting in the
// ring for their turn to be evicted.
func (c *tokenCache[V]) len() int {
	if c == nil {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.ring)
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
	entries *fifoMap[verdictKey, cacheEntry]
}

func newVerdictCache(size int) *verdictCache {
	if size == 0 {
		return nil
	}
	return &verdictCache{entries: newFIFOMap[verdictKey, cacheEntry](size)}
}

// get returns the entry for k if it is still valid at now.
func (c *verdictCache) get(k verdictKey, now time.Time) (cacheEntry, bool) {
	if c == nil {
		return cacheEntry{}, false
	}
	e, ok := c.entries.get(k)
	if !ok || !now.Before(e.validUntil) {
		return cacheEntry{}, false
	}
	return e, true
}

// put remembers s (nil for a refusal) under k until validUntil.
func (c *verdictCache) put(k verdictKey, s *Session, validUntil time.Time) {
	if c != nil {
		c.entries.put(k, cacheEntry{session: s, validUntil: validUntil})
	}
}

func (c *verdictCache) len() int {
	if c == nil {
		return 0
	}
	return c.entries.len()
}

// fifoMap is a map bounded to size entries that evicts its oldest
// insertion when full, safe for concurrent use. Its memory follows its
// entries: nothing is allocated ahead for the bound.
type fifoMap[K comparable, V any] struct {
	size int

	mu      sync.Mutex
	entries map[K]V
	ring    []K // insertion order, for eviction; grows to size
	next    int // once ring is full, the oldest key's index
}

func newFIFOMap[K comparable, V any](size int) *fifoMap[K, V] {
	return &fifoMap[K, V]{size: size, entries: make(map[K]V)}
}

func (f *fifoMap[K, V]) get(k K) (V, bool) {
	f.mu.Lock()
	v, ok := f.entries[k]
	f.mu.Unlock()
	return v, ok
}

// put sets k to v; a new key evicts the oldest when the map is full.
func (f *fifoMap[K, V]) put(k K, v V) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.entries[k]; !ok {
		if len(f.ring) < f.size {
			f.ring = append(f.ring, k)
		} else {
			delete(f.entries, f.ring[f.next])
			f.ring[f.next] = k
			f.next = (f.next + 1) % f.size
		}
	}
	f.entries[k] = v
}

func (f *fifoMap[K, V]) len() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.entries)
}
