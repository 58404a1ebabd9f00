package flows

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// testClock is a clock that moves only when told.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func newTestStore(capacity int) (*memoryStore, *testClock) {
	c := &testClock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	return newMemoryStore(c.Now, capacity), c
}

func TestKeysHaveAFixedSizeAndKeepPartsApart(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		a, b Key
		same bool
	}{
		{"the same parts give the same key", keyOf("lock", "org", "mem"), keyOf("lock", "org", "mem"), true},
		{"moving a boundary between parts gives another key", keyOf("lock", "org", "mem"), keyOf("lock", "orgm", "em"), false},
		{"another kind gives another key", keyOf("lock", "org", "mem"), keyOf("sms", "org", "mem"), false},
		{"an empty part counts", keyOf("lock", "org", ""), keyOf("lock", "org"), false},
		{"a part of 60 KB gives a key of the same size", keyOf("entering", strings.Repeat("a", 60<<10)), keyOf("entering", "a"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if (tt.a == tt.b) != tt.same {
				t.Fatalf("keys %s and %s: same = %v, want %v", tt.a, tt.b, tt.a == tt.b, tt.same)
			}
			if len(tt.a.String()) != 64 {
				t.Fatalf("key %s is not 32 bytes", tt.a)
			}
		})
	}
}

func TestMemoryStore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	k, other := keyOf("test", "k"), keyOf("test", "other")
	tests := []struct {
		name     string
		capacity int // 1000 when 0
		run      func(t *testing.T, s *memoryStore, c *testClock)
	}{
		{"Add counts and every call sets the expiry again", 0, func(t *testing.T, s *memoryStore, c *testClock) {
			for want := int64(1); want <= 3; want++ {
				if n, err := s.Add(ctx, k, 1, time.Minute); n != want || err != nil {
					t.Fatalf("Add = %d, %v, want %d", n, err, want)
				}
				c.Advance(50 * time.Second)
			}
			if n, _ := s.Add(ctx, k, -1, time.Minute); n != 2 {
				t.Fatalf("Add -1 = %d, want 2", n)
			}
			v, ttl, ok, err := s.Get(ctx, k)
			if string(v) != "2" || ttl != time.Minute || !ok || err != nil {
				t.Fatalf("Get = %q %s %v %v, want \"2\" 1m0s", v, ttl, ok, err)
			}
		}},
		{"an expired counter counts from zero", 0, func(t *testing.T, s *memoryStore, c *testClock) {
			s.Add(ctx, k, 4, time.Minute)
			c.Advance(time.Minute)
			if n, _ := s.Add(ctx, k, 1, time.Minute); n != 1 {
				t.Fatalf("Add after expiry = %d, want 1", n)
			}
		}},
		{"SetNX stores only when nothing live is there", 0, func(t *testing.T, s *memoryStore, c *testClock) {
			if set, err := s.SetNX(ctx, k, []byte("a"), time.Minute); !set || err != nil {
				t.Fatalf("first SetNX = %v, %v", set, err)
			}
			if set, _ := s.SetNX(ctx, k, []byte("b"), time.Hour); set {
				t.Fatal("second SetNX stored over a live record")
			}
			c.Advance(59 * time.Second)
			if v, ttl, ok, _ := s.Get(ctx, k); string(v) != "a" || ttl != time.Second || !ok {
				t.Fatalf("Get = %q %s %v, want \"a\" 1s", v, ttl, ok)
			}
			c.Advance(time.Second)
			if _, _, ok, _ := s.Get(ctx, k); ok {
				t.Fatal("the record outlived its TTL")
			}
			if set, _ := s.SetNX(ctx, k, []byte("c"), time.Minute); !set {
				t.Fatal("SetNX after expiry did not store")
			}
		}},
		{"Delete removes a record", 0, func(t *testing.T, s *memoryStore, c *testClock) {
			s.SetNX(ctx, k, []byte("a"), time.Minute)
			if err := s.Delete(ctx, k); err != nil {
				t.Fatal(err)
			}
			if err := s.Delete(ctx, k); err != nil {
				t.Fatal(err)
			}
			if _, _, ok, _ := s.Get(ctx, k); ok || s.len() != 0 {
				t.Fatalf("a deleted record is still there (%d held)", s.len())
			}
		}},
		{"expired records are dropped by the next call without being named", 0, func(t *testing.T, s *memoryStore, c *testClock) {
			for i := range 100 {
				s.SetNX(ctx, keyOf("test", strconv.Itoa(i)), nil, time.Duration(i+1)*time.Second)
			}
			c.Advance(50 * time.Second)
			s.Get(ctx, other)
			if n := s.len(); n != 50 {
				t.Fatalf("%d records held, want the 50 live ones", n)
			}
		}},
		{"a full store refuses new keys and keeps every live record", 4, func(t *testing.T, s *memoryStore, c *testClock) {
			s.SetNX(ctx, k, []byte("lock"), 5*time.Minute)
			for i := range 3 {
				s.Add(ctx, keyOf("test", strconv.Itoa(i)), 1, time.Minute)
			}
			if _, err := s.Add(ctx, other, 1, time.Minute); !errors.Is(err, errStoreFull) {
				t.Fatalf("Add of a new key to a full store = %v, want errStoreFull", err)
			}
			if _, err := s.SetNX(ctx, other, nil, time.Minute); !errors.Is(err, errStoreFull) {
				t.Fatalf("SetNX of a new key to a full store = %v, want errStoreFull", err)
			}
			if n, err := s.Add(ctx, keyOf("test", "0"), 1, time.Minute); n != 2 || err != nil {
				t.Fatalf("Add to a held key of a full store = %d, %v", n, err)
			}
			if v, _, ok, _ := s.Get(ctx, k); !ok || string(v) != "lock" {
				t.Fatal("the full store lost a live record")
			}
			c.Advance(time.Minute)
			if set, err := s.SetNX(ctx, other, nil, time.Minute); !set || err != nil {
				t.Fatalf("SetNX once records expired = %v, %v", set, err)
			}
			if _, _, ok, _ := s.Get(ctx, k); !ok {
				t.Fatal("the lock was dropped before its time")
			}
		}},
		{"a TTL that is not positive is refused", 0, func(t *testing.T, s *memoryStore, c *testClock) {
			if _, err := s.Add(ctx, k, 1, 0); err == nil {
				t.Fatal("Add with TTL 0 succeeded")
			}
			if _, err := s.SetNX(ctx, k, nil, -time.Second); err == nil {
				t.Fatal("SetNX with a negative TTL succeeded")
			}
		}},
		{"a key holds a counter or a value, not both", 0, func(t *testing.T, s *memoryStore, c *testClock) {
			s.SetNX(ctx, k, []byte("a"), time.Minute)
			if _, err := s.Add(ctx, k, 1, time.Minute); err == nil {
				t.Fatal("Add to a value succeeded")
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			capacity := tt.capacity
			if capacity == 0 {
				capacity = 1000
			}
			s, c := newTestStore(capacity)
			tt.run(t, s, c)
		})
	}
}

// TestGuardLockOutlivesOtherTraffic: entries of other emails and
// organizations, as many as the store holds and more, never take a
// member's lock.
func TestGuardLockOutlivesOtherTraffic(t *testing.T) {
	t.Parallel()
	s, c := newTestStore(64)
	g := &guard{store: s}
	ctx := context.Background()
	m := member{"organization-test-1", "member-test-1"}
	for range maxAttempts {
		_, n, err := g.reserve(ctx, m)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := g.failed(ctx, m, n); err != nil {
			t.Fatal(err)
		}
	}
	full := 0
	for i := range 1000 {
		e := entry{"organization-test-" + strconv.Itoa(i), "x@example.com"}
		if _, err := g.beginEntry(ctx, e, time.Minute); errors.Is(err, errStoreFull) {
			full++
		}
		c.Advance(time.Millisecond)
	}
	if full == 0 {
		t.Fatal("1000 entries in flight never filled a store of 64")
	}
	if wait, _, err := g.reserve(ctx, m); wait <= 0 || err != nil {
		t.Fatalf("reserve after the flood = %s, %v, want a wait", wait, err)
	}
}

func TestValidID(t *testing.T) {
	t.Parallel()
	tests := []struct {
		id   string
		want bool
	}{
		{"organization-test-07971b06-ac8b-4cdb-9c15-63b17e653931", true},
		{"member-live-07971b06-ac8b-4cdb-9c15-63b17e653931", true},
		{"org_2a" + strings.Repeat("Z", 122), true},
		{strings.Repeat("a", 129), false},
		{"", false},
		{"organization test", false},
		{"organization-test-../..", false},
		{"organization-test-\x00", false},
		{"organization-tést", false},
	}
	for _, tt := range tests {
		t.Run("id "+strconv.Quote(tt.id[:min(len(tt.id), 24)])+" is valid: "+strconv.FormatBool(tt.want), func(t *testing.T) {
			if got := validID(tt.id); got != tt.want {
				t.Fatalf("validID(%q) = %v, want %v", tt.id, got, tt.want)
			}
		})
	}
}
