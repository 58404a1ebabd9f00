package redisstore_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/b2bauth/b2bauth/flows"
)

// BenchmarkGuardStore measures the store calls of one code-checking step
// of the login handlers on Redis over loopback: read the lock, count the
// attempt, read the lock again, then forget the count (a right code). It
// reports the median and the 99th percentile of a step, in microseconds,
// besides ns/op. flows' BenchmarkGuardStore/memory is the same step on the
// default store.
func BenchmarkGuardStore(b *testing.B) {
	stores := []struct {
		name  string
		store func(b *testing.B) flows.Store
	}{
		{"redis", func(b *testing.B) flows.Store { return newStore(b, startRedis(b, false).Client(b), projectID(b)) }},
	}
	for _, s := range stores {
		b.Run(s.name, func(b *testing.B) {
			st := s.store(b)
			ctx := context.Background()
			lock, attempts := flows.Key{1}, flows.Key{2}
			step := func() {
				if _, _, _, err := st.Get(ctx, lock); err != nil {
					b.Fatal(err)
				}
				if _, err := st.Add(ctx, attempts, 1, 10*time.Minute); err != nil {
					b.Fatal(err)
				}
				if _, _, _, err := st.Get(ctx, lock); err != nil {
					b.Fatal(err)
				}
				if err := st.Delete(ctx, attempts); err != nil {
					b.Fatal(err)
				}
			}
			step()
			var took []time.Duration
			b.ReportAllocs()
			for b.Loop() {
				start := time.Now()
				step()
				took = append(took, time.Since(start))
			}
			slices.Sort(took)
			at := func(q float64) float64 { return float64(took[int(q*float64(len(took)-1))]) / 1e3 }
			b.ReportMetric(at(0.5), "p50-µs")
			b.ReportMetric(at(0.99), "p99-µs")
		})
	}
}
