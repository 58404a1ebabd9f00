package middleware_test

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/b2bauth/b2bauth/middleware"
	"github.com/b2bauth/b2bauth/middleware/middlewaretest"
)

var okHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	if _, ok := middleware.SessionFrom(r.Context()); !ok {
		panic("no session behind RequireSession")
	}
})

// reportCPU, called after a benchmark's setup, returns the function to call
// after its loop: it reports the process's CPU time per operation
// (cpu-ns/op). On a machine shared with other work, wall-clock ns/op grows
// with the load while cpu-ns/op does not, so ratios of it hold across
// runs; with RunParallel, an equal cpu-ns/op at -cpu 1 and 2 means the
// operations do not contend.
func reportCPU(b *testing.B) func() {
	start, ok := processCPU()
	return func() {
		if end, ok2 := processCPU(); ok && ok2 && b.N > 0 {
			b.ReportMetric(float64(end-start)/float64(b.N), "cpu-ns/op")
		}
	}
}

func cookieRequest(token, jwtRaw string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.AddCookie(&http.Cookie{Name: middleware.DefaultSessionCookie, Value: token})
	r.AddCookie(&http.Cookie{Name: middleware.DefaultJWTCookie, Value: jwtRaw})
	return r
}

// BenchmarkRequireSession measures the per-request cost of RequireSession
// with the session cookies of a browser.
//
//	bare:            no middleware, a handler alone
//	repeat:          the same JWT on every request (the common case)
//	repeat_parallel: repeat from every CPU at once (run with -cpu 1,2: the
//	                 time per request should fall with the CPUs), and its
//	                 work in two parts, to tell the hit path's contention
//	                 from the runtime's:
//	    _decide:     the hit path without attaching its outcome to the
//	                 request (token sources, cache, revocations), which
//	                 allocates nothing
//	    _alloc:      the request copy of Request.WithContext alone, which
//	                 any middleware putting a session on the request's
//	                 context pays
//	first_seen:      a JWT the middleware has not verified before on every
//	                 request
//	remote:          an expired JWT, so every request is authenticated at
//	                 the emulator over loopback (cache and coalescing cannot
//	                 help)
func BenchmarkRequireSession(b *testing.B) {
	b.Run("bare", func(b *testing.B) {
		// The request of repeat served by a handler alone: subtracted
		// from repeat, the cost of the middleware.
		e := middlewaretest.NewEnv(b)
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})
		r := cookieRequest(e.Login(b, e.MemberID))
		w := middlewaretest.NewDiscard()
		b.ReportAllocs()
		done := reportCPU(b)
		for b.Loop() {
			h.ServeHTTP(w, r)
		}
		done()
	})
	b.Run("repeat", func(b *testing.B) {
		e := middlewaretest.NewEnv(b)
		h := e.Middleware.RequireSession(okHandler)
		r := cookieRequest(e.Login(b, e.MemberID))
		w := middlewaretest.NewDiscard()
		h.ServeHTTP(w, r)
		b.ReportAllocs()
		done := reportCPU(b)
		for b.Loop() {
			h.ServeHTTP(w, r)
		}
		done()
		if n := e.AuthenticateCalls(); n != 0 {
			b.Fatalf("%d upstream calls", n)
		}
	})
	b.Run("repeat_parallel", func(b *testing.B) {
		// The real clock, as in production.
		e := middlewaretest.NewEnv(b, middleware.WithClock(time.Now))
		parallelRepeat(b, e, e.Middleware.RequireSession(okHandler).ServeHTTP)
	})
	b.Run("repeat_parallel_decide", func(b *testing.B) {
		e := middlewaretest.NewEnv(b, middleware.WithClock(time.Now))
		parallelRepeat(b, e, decideOnly(e.Middleware))
	})
	b.Run("repeat_parallel_alloc", func(b *testing.B) {
		ctx := middleware.NewContext(context.Background(), &middleware.Session{ID: "member-session-test-1"})
		b.ReportAllocs()
		b.ResetTimer()
		done := reportCPU(b)
		b.RunParallel(func(pb *testing.PB) {
			r := cookieRequest("token", "jwt")
			// The copy is kept, as a handler may keep its request, in a
			// cache line of the goroutine's own.
			keep := make([]*http.Request, 16)
			for pb.Next() {
				keep[0] = r.WithContext(ctx)
			}
		})
		done()
	})
	b.Run("first_seen", func(b *testing.B) {
		// A pool twice the cache's size cycled in order defeats the FIFO
		// cache: every request is a miss, a verification and an insertion.
		const cache = 64
		e := middlewaretest.NewEnv(b, middleware.WithCacheSize(cache))
		h := e.Middleware.RequireSession(okHandler)
		reqs := make([]*http.Request, 2*cache)
		for i := range reqs {
			reqs[i] = cookieRequest(e.Login(b, e.MemberID))
		}
		w := middlewaretest.NewDiscard()
		b.ReportAllocs()
		done := reportCPU(b)
		i := 0
		for b.Loop() {
			h.ServeHTTP(w, reqs[i%len(reqs)])
			i++
		}
		done()
		if n := e.AuthenticateCalls(); n != 0 {
			b.Fatalf("%d upstream calls", n)
		}
	})
	b.Run("remote", func(b *testing.B) {
		e := middlewaretest.NewEnv(b)
		h := e.Middleware.RequireSession(okHandler)
		tok, jwtRaw := e.Login(b, e.MemberID)
		e.Clock.Advance(10 * 60e9)
		r := cookieRequest(tok, jwtRaw)
		b.ReportAllocs()
		for b.Loop() {
			h.ServeHTTP(middlewaretest.NewDiscard(), r)
		}
		if n := e.AuthenticateCalls(); n == 0 {
			b.Fatal("no upstream call on the remote path")
		}
	})
}

// parallelRepeat logs a member in to e and serves the session's cookies
// with serve from every CPU at once, after a first request verified the
// JWT: the loop of repeat_parallel, which Stytch never sees.
func parallelRepeat(b *testing.B, e *middlewaretest.Env, serve func(http.ResponseWriter, *http.Request)) {
	tok, jwtRaw := e.Login(b, e.MemberID)
	serve(middlewaretest.NewDiscard(), cookieRequest(tok, jwtRaw))
	b.ReportAllocs()
	b.ResetTimer()
	done := reportCPU(b)
	b.RunParallel(func(pb *testing.PB) {
		r := cookieRequest(tok, jwtRaw)
		w := middlewaretest.NewDiscard()
		for pb.Next() {
			serve(w, r)
		}
	})
	done()
	if n := e.AuthenticateCalls(); n != 0 {
		b.Fatalf("%d upstream calls", n)
	}
}

// decideOnly serves a request with m's verification step alone, which must
// find a session: the hit path without attaching the session.
func decideOnly(m *middleware.Middleware) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		if s, err := middleware.DecideForTest(m, w, r); s == nil {
			panic(fmt.Sprint("no session on the hit path: ", err))
		}
	}
}

// BenchmarkJWTParseBaseline is golang-jwt's RS256 verification of one
// session JWT with no middleware around it: the floor for first_seen.
func BenchmarkJWTParseBaseline(b *testing.B) {
	e := middlewaretest.NewEnv(b)
	_, raw := e.Login(b, e.MemberID)
	pub := e.PublicKey(b)
	keyfunc := func(*jwt.Token) (any, error) { return pub, nil }
	parser := jwt.NewParser(jwt.WithValidMethods([]string{"RS256"}), jwt.WithTimeFunc(e.Clock.Now))
	b.ReportAllocs()
	done := reportCPU(b)
	for b.Loop() {
		if _, err := parser.Parse(raw, keyfunc); err != nil {
			b.Fatal(err)
		}
	}
	done()
}

// BenchmarkRSAVerifyFloor is the RS256 signature check alone, SHA-256 of the
// signing input and rsa.VerifyPKCS1v15, on one session JWT and its key: the
// work no verifier can skip, and so the floor for first_seen.
func BenchmarkRSAVerifyFloor(b *testing.B) {
	e := middlewaretest.NewEnv(b)
	_, raw := e.Login(b, e.MemberID)
	pub := e.PublicKey(b)
	dot := strings.LastIndexByte(raw, '.')
	input := raw[:dot]
	sig, err := base64.RawURLEncoding.DecodeString(raw[dot+1:])
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	done := reportCPU(b)
	for b.Loop() {
		sum := sha256.Sum256([]byte(input))
		if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig); err != nil {
			b.Fatal(err)
		}
	}
	done()
}

var m2mOKHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	if _, ok := middleware.M2MClientFrom(r.Context()); !ok {
		panic("no M2M client behind RequireScopes")
	}
})

// BenchmarkRequireScopes measures the per-request cost of RequireScopes with
// an M2M access token in the bearer header.
//
//	repeat:     the same token on every request (the common case)
//	first_seen: a token the middleware has not verified before on every
//	            request
func BenchmarkRequireScopes(b *testing.B) {
	b.Run("bare", func(b *testing.B) {
		// The request of repeat served by a handler alone: subtracted
		// from repeat, the cost of the middleware.
		e := middlewaretest.NewEnv(b)
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})
		r := cookieRequest(e.Login(b, e.MemberID))
		w := middlewaretest.NewDiscard()
		b.ReportAllocs()
		done := reportCPU(b)
		for b.Loop() {
			h.ServeHTTP(w, r)
		}
		done()
	})
	b.Run("repeat", func(b *testing.B) {
		e := middlewaretest.NewEnv(b)
		h := e.Middleware.RequireScopes(middlewaretest.ScopeRead)(m2mOKHandler)
		r := bearerRequest(e.M2MToken(b))
		w := middlewaretest.NewDiscard()
		h.ServeHTTP(w, r)
		b.ReportAllocs()
		done := reportCPU(b)
		for b.Loop() {
			h.ServeHTTP(w, r)
		}
		done()
	})
	b.Run("first_seen", func(b *testing.B) {
		// As for sessions: a pool twice the cache's size cycled in order
		// misses the FIFO cache on every request.
		const cache = 64
		e := middlewaretest.NewEnv(b, middleware.WithCacheSize(cache))
		h := e.Middleware.RequireScopes(middlewaretest.ScopeRead)(m2mOKHandler)
		reqs := make([]*http.Request, 2*cache)
		for i := range reqs {
			// A second apart: RS256 signatures are deterministic, the iat
			// makes each token new.
			e.Clock.Advance(time.Second)
			reqs[i] = bearerRequest(e.M2MToken(b))
		}
		w := middlewaretest.NewDiscard()
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			h.ServeHTTP(w, reqs[i%len(reqs)])
			i++
		}
	})
}

// BenchmarkJWTParseBaselineM2M is golang-jwt's RS256 verification of one M2M
// access token with no middleware around it: the floor for
// BenchmarkRequireScopes/first_seen.
func BenchmarkJWTParseBaselineM2M(b *testing.B) {
	e := middlewaretest.NewEnv(b)
	raw := e.M2MToken(b)
	pub := e.PublicKey(b)
	keyfunc := func(*jwt.Token) (any, error) { return pub, nil }
	parser := jwt.NewParser(jwt.WithValidMethods([]string{"RS256"}), jwt.WithTimeFunc(e.Clock.Now))
	b.ReportAllocs()
	done := reportCPU(b)
	for b.Loop() {
		if _, err := parser.Parse(raw, keyfunc); err != nil {
			b.Fatal(err)
		}
	}
	done()
}
