package flows

import (
	"context"
	"slices"
	"testing"
	"time"
)

// BenchmarkGuardStore measures the store calls of one code-checking step
// on the default store: read the lock, count the attempt, read the lock
// again, then forget the count (a right code). It reports the median and
// the 99th percentile of a step, in microseconds; stores/redis has the
// same benchmark on Redis.
func BenchmarkGuardStore(b *testing.B) {
	b.Run("memory", func(b *testing.B) {
		st := newMemoryStore(time.Now, defaultStoreCapacity)
		ctx := context.Background()
		m := member{"organization-test-1", "member-test-1"}
		lock, attempts := m.lockKey(), m.attemptsKey()
		var took []time.Duration
		b.ReportAllocs()
		for b.Loop() {
			start := time.Now()
			st.Get(ctx, lock)
			st.Add(ctx, attempts, 1, flowLifetime)
			st.Get(ctx, lock)
			st.Delete(ctx, attempts)
			took = append(took, time.Since(start))
		}
		slices.Sort(took)
		at := func(q float64) float64 { return float64(took[int(q*float64(len(took)-1))]) / 1e3 }
		b.ReportMetric(at(0.5), "p50-µs")
		b.ReportMetric(at(0.99), "p99-µs")
	})
}
