package middleware

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

func TestRevokedSet(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_800_000_000, 0)
	tests := []struct {
		name string
		adds []time.Duration // for "a", after now
		at   time.Duration
		want bool
	}{
		{"an id never added is not refused", nil, 0, false},
		{"an added id is refused before its time", []time.Duration{time.Minute}, 59 * time.Second, true},
		{"it is no longer refused at its time", []time.Duration{time.Minute}, time.Minute, false},
		{"a later add extends the refusal", []time.Duration{time.Minute, 2 * time.Minute}, 90 * time.Second, true},
		{"an earlier add does not shorten it", []time.Duration{2 * time.Minute, time.Minute}, 90 * time.Second, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s revokedSet
			s.add("b", now.Add(time.Hour)) // another id, held longer
			for _, d := range tt.adds {
				s.add("a", now.Add(d))
			}
			if got := s.has("a", now.Add(tt.at)); got != tt.want {
				t.Fatalf("has = %v, want %v", got, tt.want)
			}
		})
	}
	t.Run("an empty id is never refused", func(t *testing.T) {
		var s revokedSet
		s.add("", now.Add(time.Hour))
		if s.has("", now) {
			t.Fatal("the empty id is refused")
		}
	})
}

func TestRevokedSetForgetsTheOldestWhenFull(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_800_000_000, 0)
	var s revokedSet
	for i := range revokedCapacity + 2 {
		s.add(fmt.Sprint("session-", i), now.Add(time.Hour))
	}
	for i, want := range map[int]bool{0: false, 1: false, 2: true, revokedCapacity + 1: true} {
		if got := s.has(fmt.Sprint("session-", i), now); got != want {
			t.Errorf("session-%d refused = %v, want %v", i, got, want)
		}
	}
	if len(s.ring) != revokedCapacity {
		t.Fatalf("ring of %d ids, want %d", len(s.ring), revokedCapacity)
	}
}

// TestRevokedSetReadsDuringAdds reads from many goroutines while ids are
// added: an id added before a read began is always refused, one never
// added never is.
func TestRevokedSetReadsDuringAdds(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_800_000_000, 0)
	var s revokedSet
	s.add("held", now.Add(time.Hour))
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				if !s.has("held", now) || s.has("never", now) {
					t.Error("a read saw the set wrong during adds")
					return
				}
			}
		})
	}
	for i := range 5000 {
		s.add(fmt.Sprint("session-", i), now.Add(time.Hour))
	}
	close(stop)
	wg.Wait()
}
