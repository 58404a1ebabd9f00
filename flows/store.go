package flows

import (
	"container/heap"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"
)

// Key names a record of the guard in a [Store]: the SHA-256 of the record's
// kind and parts (an organization id, a member id, an email address), so a
// key has the same size whatever a request carried.
type Key [sha256.Size]byte

// String returns the key in hexadecimal, e.g. as the suffix of a Redis key.
func (k Key) String() string { return hex.EncodeToString(k[:]) }

// keyOf derives the key of a record of kind from its parts. Each part is
// prefixed with its length, so that no two lists of parts share a key.
func keyOf(kind string, parts ...string) Key {
	h := sha256.New()
	var n [binary.MaxVarintLen64]byte
	for _, p := range append([]string{"b2bauth/flows/guard/v1", kind}, parts...) {
		h.Write(n[:binary.PutUvarint(n[:], uint64(len(p)))])
		h.Write([]byte(p))
	}
	var k Key
	h.Sum(k[:0])
	return k
}

// Store keeps the records of the guard that protects the second-factor
// steps: wrong-code counts and locks, the time of the last SMS per member,
// the last email of each kind asked for per address (with a mark once
// its send has ended), and entries into an organization in flight. The default is a bounded
// store in the memory of the process; [WithStore] sets another one, such as
// a store shared by every instance of the application, so that its limits
// hold across them.
//
// Concurrency contract: the methods are called from concurrent requests and
// must be safe for that, and each call must be atomic for its key (one
// round trip to a shared store: INCRBY with PEXPIRE in one transaction or
// script, SET NX PX, GET with PTTL, DEL). Keys have a fixed size and are
// derived by the flows; TTLs are positive and counted from the call, at
// millisecond resolution or finer. ctx is the request's, or for a record
// written after Stytch answered one that is not cancelled with the
// request; a store should still bound its calls in time. Any error is an
// outage: the step answers 503 ([ErrUnavailable]) and keeps the flow, and a
// check that could not be made is never taken as passed, so a failing store
// never lifts a lock.
type Store interface {
	// Add adds delta to the counter under key and returns the new value;
	// an absent or expired key counts from 0. Every call sets the key to
	// expire ttl from now.
	Add(ctx context.Context, key Key, delta int64, ttl time.Duration) (int64, error)
	// SetNX stores value under key, to expire ttl from now, unless the key
	// holds a live record; it reports whether it stored it.
	SetNX(ctx context.Context, key Key, value []byte, ttl time.Duration) (bool, error)
	// Get returns the live record under key and the time it has left;
	// ok is false when there is none. A counter's value is its decimal
	// text.
	Get(ctx context.Context, key Key) (value []byte, ttl time.Duration, ok bool, err error)
	// Delete removes the record under key, if there is one.
	Delete(ctx context.Context, key Key) error
}

// defaultStoreCapacity bounds the records of the default store: each takes
// about 230 bytes, so a full store holds about 30 MiB; the record of a
// finished sign-in, holding its encrypted session token, takes about 400
// bytes, the MFA step of an entry that texted the member (kept for the
// SMS cooldown) about 1 KiB, up to 130 MiB for a store full of them, and
// the flow waiting for an email (kept for the email cooldown) about 600
// bytes, 2.4 KiB with the longest return path.
const defaultStoreCapacity = 1 << 17

// errStoreFull is the outage of a memory store holding as many live records
// as it may.
var errStoreFull = errors.New("b2bauth: flows: guard store full")

// memoryStore is the default [Store]: records in a map, bounded in number,
// each with its own expiry.
//
// Expiry is by time without scans: a min-heap orders the records by expiry,
// and every call first drops the records at its top that have expired, in
// O(log n) each. A full store never evicts a live record: a record is a
// wrong-code count, a lock or an SMS cooldown that someone would like to
// see gone, and evicting one for another key's traffic (as a size-bounded
// LRU would) would let a flood of requests lift it. New keys are refused
// instead (errStoreFull, answered as an outage). Records are created only
// for members Stytch named, while a Stytch call is in flight, or for an
// email Stytch was asked to send (kept for the email cooldown, 30 seconds
// by default, and dropped at once when Stytch refuses to send), never for
// ids or addresses that failed validation, so filling the store takes
// that much real traffic within the records' lifetimes (10 minutes for
// counts, 1 hour for the member an email entered an organization as).
type memoryStore struct {
	now      func() time.Time
	capacity int

	mu      sync.Mutex
	records map[Key]*record
	expiry  expiryHeap
}

type record struct {
	key       Key
	value     []byte // of SetNX
	count     int64  // of Add
	counter   bool
	expiresAt time.Time
	index     int // in expiryHeap
}

func newMemoryStore(now func() time.Time, capacity int) *memoryStore {
	return &memoryStore{now: now, capacity: capacity, records: make(map[Key]*record)}
}

func checkTTL(ttl time.Duration) error {
	if ttl <= 0 {
		return fmt.Errorf("b2bauth: flows: guard store: TTL %s is not positive", ttl)
	}
	return nil
}

// Add implements [Store].
func (s *memoryStore) Add(ctx context.Context, key Key, delta int64, ttl time.Duration) (int64, error) {
	if err := checkTTL(ttl); err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.expire()
	r := s.records[key]
	if r == nil {
		var err error
		if r, err = s.insert(key, now.Add(ttl)); err != nil {
			return 0, err
		}
		r.counter = true
	} else if !r.counter {
		return 0, fmt.Errorf("b2bauth: flows: guard store: key %s holds no counter", key)
	}
	r.count += delta
	r.expiresAt = now.Add(ttl)
	heap.Fix(&s.expiry, r.index)
	return r.count, nil
}

// SetNX implements [Store].
func (s *memoryStore) SetNX(ctx context.Context, key Key, value []byte, ttl time.Duration) (bool, error) {
	if err := checkTTL(ttl); err != nil {
		return false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.expire()
	if s.records[key] != nil {
		return false, nil
	}
	r, err := s.insert(key, now.Add(ttl))
	if err != nil {
		return false, err
	}
	r.value = append([]byte(nil), value...)
	return true, nil
}

// Get implements [Store].
func (s *memoryStore) Get(ctx context.Context, key Key) ([]byte, time.Duration, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.expire()
	r := s.records[key]
	if r == nil {
		return nil, 0, false, nil
	}
	v := append([]byte(nil), r.value...)
	if r.counter {
		v = strconv.AppendInt(nil, r.count, 10)
	}
	return v, r.expiresAt.Sub(now), true, nil
}

// Delete implements [Store].
func (s *memoryStore) Delete(ctx context.Context, key Key) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.expire()
	if r := s.records[key]; r != nil {
		heap.Remove(&s.expiry, r.index)
		delete(s.records, key)
	}
	return nil
}

// len returns the number of records held, live or not yet dropped.
func (s *memoryStore) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.records)
}

// expire drops the expired records and returns the time it judged them
// by; s.mu must be held.
func (s *memoryStore) expire() time.Time {
	now := s.now()
	for len(s.expiry) > 0 && !now.Before(s.expiry[0].expiresAt) {
		r := heap.Pop(&s.expiry).(*record)
		delete(s.records, r.key)
	}
	return now
}

// insert adds a record for key, unless the store is full; s.mu must be held
// and expired records dropped.
func (s *memoryStore) insert(key Key, expiresAt time.Time) (*record, error) {
	if len(s.records) >= s.capacity {
		return nil, errStoreFull
	}
	r := &record{key: key, expiresAt: expiresAt}
	heap.Push(&s.expiry, r)
	s.records[key] = r
	return r, nil
}

// expiryHeap orders records by expiry, the soonest first
// (container/heap).
type expiryHeap []*record

func (h expiryHeap) Len() int           { return len(h) }
func (h expiryHeap) Less(i, j int) bool { return h[i].expiresAt.Before(h[j].expiresAt) }
func (h expiryHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}

func (h *expiryHeap) Push(x any) {
	r := x.(*record)
	r.index = len(*h)
	*h = append(*h, r)
}

func (h *expiryHeap) Pop() any {
	old := *h
	r := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return r
}
