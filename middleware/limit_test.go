package middleware

import (
	"testing"
	"time"
)

func TestUpstreamLimiter(t *testing.T) {
	t.Parallel()
	start := time.Unix(1_700_000_000, 0)
	tests := []struct {
		name  string
		rate  float64
		burst int
		// at are the offsets of the calls, want whether each is allowed.
		at   []time.Duration
		want []bool
	}{
		{"the burst passes at once, then the rest waits", 1, 3,
			[]time.Duration{0, 0, 0, 0}, []bool{true, true, true, false}},
		{"calls are regained at the rate", 2, 1,
			[]time.Duration{0, 0, 499 * time.Millisecond, 500 * time.Millisecond}, []bool{true, false, false, true}},
		{"a long pause regains no more than the burst", 10, 2,
			[]time.Duration{0, time.Hour, time.Hour, time.Hour}, []bool{true, true, true, false}},
		{"a clock going backwards regains nothing", 1, 1,
			[]time.Duration{time.Minute, 0, time.Minute}, []bool{true, false, false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			l := newUpstreamLimiter(tt.rate, tt.burst)
			for i, d := range tt.at {
				if got := l.allow(start.Add(d)); got != tt.want[i] {
					t.Errorf("call %d at +%s: allowed = %v, want %v", i, d, got, tt.want[i])
				}
			}
		})
	}
	if !newUpstreamLimiter(0, 0).allow(start) {
		t.Error("no limit refused a call")
	}
}
