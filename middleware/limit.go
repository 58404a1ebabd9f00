package middleware

import (
	"sync"
	"time"
)

// upstreamLimiter is a token bucket bounding the rate of upstream calls: it
// holds up to burst calls and regains rate of them per second. The clock is
// the middleware's; it is safe for concurrent use and starts no goroutine.
type upstreamLimiter struct {
	mu     sync.Mutex
	rate   float64 // calls regained per second
	burst  float64
	tokens float64
	last   time.Time
}

func newUpstreamLimiter(perSecond float64, burst int) *upstreamLimiter {
	if perSecond <= 0 {
		return nil
	}
	return &upstreamLimiter{rate: perSecond, burst: float64(burst), tokens: float64(burst)}
}

// allow takes one call from the bucket at now and reports whether there was
// one to take.
func (l *upstreamLimiter) allow(now time.Time) bool {
	if l == nil {
		return true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.last.IsZero() {
		if elapsed := now.Sub(l.last).Seconds(); elapsed > 0 {
			l.tokens = min(l.burst, l.tokens+elapsed*l.rate)
		}
	}
	if l.last.IsZero() || now.After(l.last) {
		l.last = now
	}
	if l.tokens < 1 {
		return false
	}
	l.tokens--
	return true
}
