// Package soak_test runs the example app under load while the emulator's
// faults toggle: the demo app of examples/nethttp (demo.New in emulator
// mode, served by routes.New from an httptest server) takes requests from
// in-process clients presenting valid, expired-but-live, revoked and garbage
// credentials, and every answer is counted by credential class, route and
// fault phase.
//
// The load generator is in process, not wrk: the assertions are per class
// (a live session is never logged out, a revoked one never gets in), so each
// answer must be matched with the credential its request carried, which wrk
// cannot report.
//
// It runs only with -soak or B2BAUTH_SOAK=1 (bench/run.sh and .ci/run set
// it).
package soak_test

import (
	"context"
	crand "crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"runtime/pprof"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/b2bauth/b2bauth/client"
	"github.com/b2bauth/b2bauth/emulator"
	"github.com/b2bauth/b2bauth/examples/internal/demo"
	"github.com/b2bauth/b2bauth/examples/nethttp/routes"
	"github.com/b2bauth/b2bauth/middleware"
	"github.com/b2bauth/b2bauth/middleware/middlewaretest"
)

var (
	soakFlag     = flag.Bool("soak", false, "run TestSoak (also enabled by B2BAUTH_SOAK=1)")
	soakDuration = flag.Duration("soak.duration", 20*time.Second, "how long TestSoak's load runs, at most 60s")
	soakWorkers  = flag.Int("soak.workers", 16, "concurrent clients of TestSoak's load generator")
)

// Soak limits.
const (
	maxSoakDuration = 60 * time.Second
	// phaseLength is how long each fault phase lasts.
	phaseLength = 400 * time.Millisecond
	// goroutineSlack tolerates goroutines of the runtime and the testing
	// package that come and go on their own.
	goroutineSlack = 5
	// heapLimit bounds HeapInuse after a GC at the end of the load, while
	// the app, the emulator, the middleware and its caches are still alive.
	heapLimit = 64 << 20
	// soakCacheSize keeps the verified-JWT cache smaller than the pool of
	// valid sessions, so that valid requests keep exercising local
	// verification and the key set instead of only the cache. The app gets
	// it through demo.Config.MiddlewareOptions.
	soakCacheSize = 16
	// adminShare is the percentage of requests of admin-capable credentials
	// sent to /admin rather than /dashboard.
	adminShare = 25
	// herdSize is how many concurrent requests the rotation_herd phase sends
	// with JWTs of the key it has just rotated in.
	herdSize = 64
	// herdJWKSLatency holds back the JWKS answers of the rotation_herd
	// phase, so that the herd piles up behind the refresh that brings the
	// new key.
	herdJWKSLatency = 100 * time.Millisecond
	// soakUnknownKIDInterval is the app's unknown-kid refresh interval
	// (client.WithUnknownKIDInterval). The soak rotates keys every few
	// seconds rather than every few months, so the 5-minute default would
	// leave all but the first rotation without a refresh.
	soakUnknownKIDInterval = phaseLength / 4
)

// A class is a kind of credential the load generator presents.
type class int

const (
	// valid: a live session with an unexpired JWT (session and JWT cookies).
	classValid class = iota
	// expiredLive: a live session whose JWT has expired, so only Stytch can
	// decide; with the session cookie.
	classExpiredLive
	// revoked: a revoked session whose JWT has expired. (A revoked session's
	// unexpired JWT is honoured until it expires, by design.)
	classRevoked
	// garbage: malformed, forged, unsigned or oversized JWTs, and unknown
	// session tokens.
	classGarbage
	numClasses
)

var classNames = [numClasses]string{"valid", "expired_live", "revoked", "garbage"}

// A route is a page of the app the load requests.
type route int

const (
	// routeDashboard: GET /dashboard, behind RequireSession.
	routeDashboard route = iota
	// routeAdmin: GET /admin, behind RequirePermission("reports", "write").
	routeAdmin
	numRoutes
)

var routePaths = [numRoutes]string{demo.PathDashboard, demo.PathAdmin}

// Answer buckets.
const (
	answer200 = iota
	answer401
	answer503
	answerOther // any other status: 303, 403, 500...
	answerError // no HTTP answer at all
	numAnswers
)

var answerNames = [numAnswers]string{"200", "401", "503", "other", "error"}

// A phase is a state of the emulator the soak cycles through.
type phase struct {
	name string
	// outage phases are those in which Stytch cannot answer.
	outage bool
	// enter sets the emulator up; it may mint valid sessions.
	enter func(s *soak)
}

const authenticatePath = "/v1/b2b/sessions/authenticate"

var phases = []phase{
	{name: "healthy", enter: func(s *soak) { s.emu.ClearFaults() }},
	{name: "latency_250ms", enter: func(s *soak) {
		s.emu.ClearFaults()
		s.emu.SetFault(emulator.Fault{Latency: 250 * time.Millisecond})
	}},
	{name: "5xx", outage: true, enter: func(s *soak) {
		s.emu.ClearFaults()
		s.emu.SetFault(emulator.Fault{Path: authenticatePath, Status: http.StatusInternalServerError})
		s.emu.SetFault(emulator.Fault{Status: http.StatusServiceUnavailable})
	}},
	{name: "rotation_herd", enter: func(s *soak) {
		// Two calm phases after the last rotation: the unknown-kid budget
		// is back, as it would be months after a rotation.
		s.emu.ClearFaults()
		s.emu.SetFault(emulator.Fault{Path: s.jwksPath, Latency: herdJWKSLatency})
		s.emu.RotateKey()
		s.herd() // before any other JWT of the new key is out
		s.mintValid(4)
	}},
	{name: "rotate_key", enter: func(s *soak) {
		s.emu.ClearFaults()
		s.emu.RotateKey()
		s.mintValid(4)
	}},
	{name: "down_drop_conns", outage: true, enter: func(s *soak) {
		s.emu.ClearFaults()
		s.emu.SetFault(emulator.Fault{Drop: true})
	}},
	{name: "429", outage: true, enter: func(s *soak) {
		s.emu.ClearFaults()
		s.emu.SetFault(emulator.Fault{Path: authenticatePath, Status: http.StatusTooManyRequests})
	}},
	{name: "rotate_drop_old_jwks_broken", enter: func(s *soak) {
		// The new key cannot be fetched: JWTs it signs must go to Stytch
		// with their session token, not be refused.
		s.emu.ClearFaults()
		s.emu.SetFault(emulator.Fault{Path: s.jwksPath, MalformedJWKS: true})
		s.emu.RotateKey(emulator.WithDropOldKeys())
		s.mintValid(4)
	}},
}

// credential is one request's worth of credentials.
type credential struct {
	class  class
	cookie string // Cookie header, or ""
	bearer string // Authorization bearer token, or ""
	// admin: the credential may be sent to /admin too. Live sessions of
	// members allowed to write reports, and every revoked and garbage
	// credential (refused before any permission check).
	admin bool
}

// member is a seeded member sessions are created for.
type member struct {
	id string
	// admin: the member may open /admin.
	admin bool
}

// soak is the world of TestSoak.
type soak struct {
	app      *demo.App
	emu      *emulator.Server
	clock    *middlewaretest.Clock
	members  []member
	jwksPath string
	t        *testing.T
	// hc and base reach the app; entering is the index of the phase whose
	// enter runs (read only by the phase cycler).
	hc       *http.Client
	base     string
	entering int

	mu      sync.Mutex
	pools   [numClasses][]credential
	created int // sessions created, to take turns among members

	phase atomic.Int32
	// counts[phase][route][class][answer]
	counts          [][numRoutes][numClasses][numAnswers]atomic.Int64
	panics          atomic.Int64
	transportErrors atomic.Int64
	// herdRequests and herdOK count the rotation herd's requests and its
	// 200 answers.
	herdRequests, herdOK atomic.Int64
	// herdFetches is the most JWKS fetches one herd caused (written only by
	// the phase cycler, read after it ends).
	herdFetches int
}

func sessionCookie(token, jwtRaw string) string {
	var parts []string
	if token != "" {
		parts = append(parts, middleware.DefaultSessionCookie+"="+token)
	}
	if jwtRaw != "" {
		parts = append(parts, middleware.DefaultJWTCookie+"="+jwtRaw)
	}
	return strings.Join(parts, "; ")
}

func (s *soak) add(c credential) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pools[c.class] = append(s.pools[c.class], c)
}

func (s *soak) pick(r *rand.Rand, cl class) credential {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.pools[cl]
	return p[r.IntN(len(p))]
}

// createSession starts a session for the next member in turn.
func (s *soak) createSession() (token, jwtRaw string, m member, err error) {
	s.mu.Lock()
	m = s.members[s.created%len(s.members)]
	s.created++
	s.mu.Unlock()
	token, jwtRaw, err = s.emu.CreateSession(m.id)
	return token, jwtRaw, m, err
}

// mintValid creates n sessions with fresh JWTs, signed by the current key.
func (s *soak) mintValid(n int) {
	for range n {
		tok, jwtRaw, m, err := s.createSession()
		if err != nil {
			s.t.Error(err)
			return
		}
		s.add(credential{class: classValid, cookie: sessionCookie(tok, jwtRaw), admin: m.admin})
	}
}

// herd sends herdSize concurrent requests to /dashboard, each with the JWT
// cookie alone of a fresh session signed by the current key: nothing to fall
// back on, so a JWT refused locally would be a 401. They are counted as
// valid in the phase being entered; the credentials join no pool (a later
// rotation that drops their key makes them invalid).
func (s *soak) herd() {
	creds := make([]credential, herdSize)
	for i := range creds {
		_, jwtRaw, _, err := s.createSession()
		if err != nil {
			s.t.Error(err)
			return
		}
		creds[i] = credential{class: classValid, cookie: sessionCookie("", jwtRaw)}
	}
	p := s.entering
	fetchesBefore := s.emu.Calls(http.MethodGet, s.jwksPath)
	var wg sync.WaitGroup
	for _, c := range creds {
		wg.Go(func() {
			a := s.send(s.hc, s.base+routePaths[routeDashboard], c)
			s.counts[p][routeDashboard][classValid][a].Add(1)
			s.herdRequests.Add(1)
			if a == answer200 {
				s.herdOK.Add(1)
			}
		})
	}
	wg.Wait()
	s.herdFetches = max(s.herdFetches, s.emu.Calls(http.MethodGet, s.jwksPath)-fetchesBefore)
}

// garbage returns credentials that must never get in.
func (s *soak) garbage(expiredJWT string) []credential {
	t := s.t
	// A JWT with Stytch's claims, signed by a key that is not the project's.
	foreignKey, err := rsa.GenerateKey(crand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	projectID := s.app.Client.ProjectID()
	now := s.clock.Now()
	sub := s.members[0].id
	claims := jwt.MapClaims{
		"iss": "stytch.com/" + projectID, "aud": []string{projectID}, "sub": sub,
		"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(),
	}
	forgedTok := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	forgedTok.Header["kid"] = s.emu.KeyIDs()[0]
	forged, err := forgedTok.SignedString(foreignKey)
	if err != nil {
		t.Fatal(err)
	}
	unsigned, err := jwt.NewWithClaims(jwt.SigningMethodNone, claims).SignedString(jwt.UnsafeAllowNoneSignatureType)
	if err != nil {
		t.Fatal(err)
	}
	// A project JWT with the wrong audience, signed by the right key.
	wrongAud, err := s.emu.SignJWT(map[string]any{
		"iss": "stytch.com/" + projectID, "aud": []string{"project-test-other"}, "sub": sub,
		"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(),
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(expiredJWT, ".")
	tampered := parts[0] + "." + parts[1] + "." + base64.RawURLEncoding.EncodeToString([]byte("not the signature"))
	cs := []credential{
		{bearer: "not.a.jwt"},
		{bearer: "a.b.c"},
		{bearer: forged},
		{bearer: unsigned},
		{bearer: wrongAud},
		{cookie: sessionCookie("", tampered)},
		{cookie: sessionCookie("", strings.Repeat("x", middleware.MaxTokenSize+1))},
		// Unknown session tokens can only be refused by Stytch (or get 503
		// while it is down).
		{cookie: sessionCookie("session-token-"+crand.Text(), "")},
		{cookie: sessionCookie("session-token-"+crand.Text(), forged)},
	}
	for i := range cs {
		cs[i].class, cs[i].admin = classGarbage, true
	}
	return cs
}

// TestSoak puts the example app (demo.New in emulator mode, routes.New,
// an httptest server) under concurrent load from a mix of valid,
// expired-but-live, revoked and garbage credentials while the emulator
// cycles through latency, 5xx, 429, dropped connections and key rotations
// (one with the new key's JWKS unreadable, and one followed at once by a
// herd of 64 concurrent requests carrying only JWTs of the new key while
// the JWKS answers slowly). The load requests /dashboard
// (RequireSession) and, for credentials that may open it, /admin
// (RequirePermission). It asserts:
//
//   - a live session (valid or expired JWT) gets only 200 or 503, never 401:
//     an outage is never a logout, and a key rotation is none either, even
//     for a herd of JWTs of the new key with no session token to fall back
//     on;
//   - a revoked session or a garbage credential never gets 200;
//   - every request gets an HTTP answer, 200, 401 or 503, and no handler
//     panics (the demo's pages answer 500 when served without a session,
//     and RequirePermission 403 to a member without the permission: both
//     fail the soak);
//   - every class and the outage were exercised: expired-but-live sessions
//     got both 200 and 503, valid JWTs got 200 during outages, revoked
//     sessions got 401, valid sessions got 200 from /admin;
//   - HeapInuse after a GC at the end of the load is below 64 MiB;
//   - after the servers, the app and the clients are closed,
//     runtime.NumGoroutine is back to its value before the soak, within a
//     small tolerance.
//
// Every request sends Accept: application/json, as an API client would, so
// that a refusal is the middleware's JSON 401 rather than the 303 to the
// login page a browser navigation gets; redirects are not followed, so a
// 303 would be counted as "other" and fail the soak rather than reach the
// login page's 200.
//
// The load runs for -soak.duration (default 20s, at most 60s) and stops by
// itself. Everything is on loopback. It runs only with -soak or
// B2BAUTH_SOAK=1.
func TestSoak(t *testing.T) {
	if !*soakFlag && os.Getenv("B2BAUTH_SOAK") != "1" {
		t.Skip("soak disabled: run with -soak or B2BAUTH_SOAK=1")
	}
	d := min(*soakDuration, maxSoakDuration)
	runtime.GC()
	before := runtime.NumGoroutine()

	t.Run("load", func(t *testing.T) { runSoak(t, d, max(*soakWorkers, 1)) })

	// The subtest's cleanups have closed the server, the app (its
	// middleware's JWKS refresher and the emulator) and the load's idle
	// connections. The goroutines of closed connections exit asynchronously
	// and nothing signals it, so the count is polled for a bounded time.
	deadline := time.Now().Add(5 * time.Second)
	after := runtime.NumGoroutine()
	for after > before+goroutineSlack && time.Now().Before(deadline) {
		runtime.GC()
		<-time.After(50 * time.Millisecond)
		after = runtime.NumGoroutine()
	}
	t.Logf("goroutines: %d before, %d after", before, after)
	if after > before+goroutineSlack {
		var sb strings.Builder
		_ = pprof.Lookup("goroutine").WriteTo(&sb, 1)
		t.Errorf("goroutines grew from %d to %d (tolerance %d):\n%s", before, after, goroutineSlack, sb.String())
	}
}

func runSoak(t *testing.T, d time.Duration, workers int) {
	clk := middlewaretest.NewClock(time.Now().UTC().Truncate(time.Second))
	// No project: emulator mode, the emulator on a random loopback port.
	// Quiet, as the faults make the app log on every request.
	app, err := demo.New(t.Context(), demo.Config{
		Clock:  clk.Now,
		Logger: slog.New(slog.DiscardHandler),
		MiddlewareOptions: []middleware.Option{
			middleware.WithCacheSize(soakCacheSize),
			middleware.WithJWKSOptions(client.WithUnknownKIDInterval(soakUnknownKIDInterval)),
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(app.Close)
	s := &soak{
		app: app, emu: app.Emulator, clock: clk, t: t,
		jwksPath: "/v1/b2b/sessions/jwks/" + app.Client.ProjectID(),
		counts:   make([][numRoutes][numClasses][numAnswers]atomic.Int64, len(phases)),
	}
	// Gina may open only /dashboard; Carol (reports_editor) and Alice
	// (stytch_admin) may open /admin too. CreateSession needs no MFA, so
	// Acme's MFA policy does not get in the way.
	for _, m := range []struct {
		org, email string
		admin      bool
	}{
		{demo.GlobexSlug, demo.GinaEmail, false},
		{demo.AcmeSlug, demo.CarolEmail, true},
		{demo.AcmeSlug, demo.AliceEmail, true},
	} {
		id, ok := s.emu.MemberID(m.org, m.email)
		if !ok {
			t.Fatalf("seeded member %s of %s missing", m.email, m.org)
		}
		s.members = append(s.members, member{id: id, admin: m.admin})
	}

	// Sessions whose JWTs will have expired: some live, some revoked.
	var lastExpired string
	for i := range 16 {
		tok, jwtRaw, m, err := s.createSession()
		if err != nil {
			t.Fatal(err)
		}
		lastExpired = jwtRaw
		c := credential{class: classExpiredLive, cookie: sessionCookie(tok, jwtRaw), admin: m.admin}
		if i%2 == 1 {
			c.class, c.admin = classRevoked, true
			if _, err := app.Client.Sessions.Revoke(t.Context(), &client.SessionsRevokeParams{SessionToken: tok}); err != nil {
				t.Fatal(err)
			}
		}
		s.add(c)
	}
	// JWTs live 5 minutes; the clock then stands still for the whole soak,
	// so the valid JWTs minted from here on stay valid.
	clk.Advance(6 * time.Minute)
	s.mintValid(32)
	for _, c := range s.garbage(lastExpired) {
		s.add(c)
	}

	h := routes.New(app)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				s.panics.Add(1)
				t.Errorf("handler panic: %v", v)
				w.WriteHeader(http.StatusInternalServerError)
			}
		}()
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	load := &http.Transport{MaxIdleConnsPerHost: workers}
	t.Cleanup(load.CloseIdleConnections)
	hc := &http.Client{
		Transport: load,
		Timeout:   30 * time.Second,
		// A redirect (to the login page) is an answer to count, not to follow.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}

	s.hc, s.base = hc, srv.URL
	ctx, cancel := context.WithTimeout(t.Context(), d)
	defer cancel()
	var wg sync.WaitGroup
	var peakHeap atomic.Uint64
	wg.Go(func() { s.cycleFaults(ctx, &peakHeap) })
	for w := range workers {
		wg.Go(func() { s.generate(ctx, hc, srv.URL, uint64(w)) })
	}
	wg.Wait()
	s.emu.ClearFaults()

	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	t.Logf("heap in use after GC: %.1f MiB (limit %d MiB); peak sampled during the load: %.1f MiB",
		float64(ms.HeapInuse)/(1<<20), heapLimit>>20, float64(peakHeap.Load())/(1<<20))
	if ms.HeapInuse > heapLimit {
		t.Errorf("heap in use after GC = %d bytes, above %d", ms.HeapInuse, heapLimit)
	}
	s.report(d, workers)
	s.check()
}

// cycleFaults moves the emulator through the phases until ctx ends.
func (s *soak) cycleFaults(ctx context.Context, peakHeap *atomic.Uint64) {
	tick := time.NewTicker(phaseLength)
	defer tick.Stop()
	var ms runtime.MemStats
	for i := 0; ; i++ {
		p := i % len(phases)
		s.entering = p
		phases[p].enter(s)
		s.phase.Store(int32(p))
		// Each phase lasts phaseLength from the end of its enter: a slow
		// enter (minting sessions on a busy machine) must not use up the
		// phase's time and leave its state without requests.
		tick.Reset(phaseLength)
		runtime.ReadMemStats(&ms)
		if ms.HeapInuse > peakHeap.Load() {
			peakHeap.Store(ms.HeapInuse)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// generate sends requests until ctx ends, 55% valid, 15% expired-but-live,
// 15% revoked and 15% garbage, a quarter of those whose credential may open
// /admin to /admin and the rest to /dashboard, and counts the answers by the
// phase in which each request started.
func (s *soak) generate(ctx context.Context, hc *http.Client, base string, seed uint64) {
	r := rand.New(rand.NewPCG(seed, 0x50a4))
	for ctx.Err() == nil {
		var cl class
		switch n := r.IntN(100); {
		case n < 55:
			cl = classValid
		case n < 70:
			cl = classExpiredLive
		case n < 85:
			cl = classRevoked
		default:
			cl = classGarbage
		}
		c := s.pick(r, cl)
		rt := routeDashboard
		if c.admin && r.IntN(100) < adminShare {
			rt = routeAdmin
		}
		p := s.phase.Load()
		s.counts[p][rt][cl][s.send(hc, base+routePaths[rt], c)].Add(1)
	}
}

// send makes one request and returns its answer bucket. It does not use the
// load's context: a request in flight when the load stops still completes.
func (s *soak) send(hc *http.Client, url string, c credential) int {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		s.t.Error(err)
		return answerError
	}
	req.Header.Set("Accept", "application/json")
	if c.cookie != "" {
		req.Header.Set("Cookie", c.cookie)
	}
	if c.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+c.bearer)
	}
	res, err := hc.Do(req)
	if err != nil {
		// Counted and checked at the end; the first few are logged.
		if s.transportErrors.Add(1) <= 5 {
			s.t.Logf("%s request: %v", classNames[c.class], err)
		}
		return answerError
	}
	_, _ = io.Copy(io.Discard, res.Body)
	_ = res.Body.Close()
	switch res.StatusCode {
	case http.StatusOK:
		return answer200
	case http.StatusUnauthorized:
		return answer401
	case http.StatusServiceUnavailable:
		return answer503
	}
	return answerOther
}

// total sums the counts of a class and answer over the phases and routes
// selected.
func (s *soak) total(cl class, a int, in func(phase) bool, on func(route) bool) int64 {
	var n int64
	for p := range phases {
		if !in(phases[p]) {
			continue
		}
		for rt := range numRoutes {
			if on(rt) {
				n += s.counts[p][rt][cl][a].Load()
			}
		}
	}
	return n
}

func anyPhase(phase) bool      { return true }
func outagePhase(p phase) bool { return p.outage }
func anyRoute(route) bool      { return true }
func adminRoute(rt route) bool { return rt == routeAdmin }

func (s *soak) report(d time.Duration, workers int) {
	var sb strings.Builder
	tw := tabwriter.NewWriter(&sb, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(&sb, "soak: %s, %d workers, cache %d entries, phases of %s, example app (examples/nethttp routes)\n",
		d, workers, soakCacheSize, phaseLength)
	header := func(first string) {
		fmt.Fprintf(tw, "%s\t", first)
		for _, a := range answerNames {
			fmt.Fprintf(tw, "%s\t", a)
		}
		fmt.Fprintln(tw, "total\t")
	}
	row := func(label string, cl class, in func(phase) bool, on func(route) bool) {
		fmt.Fprintf(tw, "%s\t", label)
		var sum int64
		for a := range numAnswers {
			n := s.total(cl, a, in, on)
			sum += n
			fmt.Fprintf(tw, "%d\t", n)
		}
		fmt.Fprintf(tw, "%d\t\n", sum)
	}
	header("class")
	for cl := range numClasses {
		row(classNames[cl], cl, anyPhase, anyRoute)
	}
	_ = tw.Flush()
	sb.WriteString("\nby route:\n")
	header("route/class")
	for rt := range numRoutes {
		for cl := range numClasses {
			row(routePaths[rt]+"/"+classNames[cl], cl, anyPhase, func(q route) bool { return q == rt })
		}
	}
	_ = tw.Flush()
	sb.WriteString("\nby phase:\n")
	header("phase/class")
	for _, p := range phases {
		for cl := range numClasses {
			row(p.name+"/"+classNames[cl], cl, func(q phase) bool { return q.name == p.name }, anyRoute)
		}
	}
	_ = tw.Flush()
	fmt.Fprintf(&sb, "\nrotation herds: %d requests with the JWT alone of a freshly rotated key, %d answered 200; at most %d JWKS fetches per herd\n",
		s.herdRequests.Load(), s.herdOK.Load(), s.herdFetches)
	s.t.Log("\n" + sb.String())
}

func (s *soak) check() {
	t := s.t
	if n := s.panics.Load(); n != 0 {
		t.Errorf("%d handler panics", n)
	}
	for cl := range numClasses {
		if n := s.total(cl, answerOther, anyPhase, anyRoute) + s.total(cl, answerError, anyPhase, anyRoute); n != 0 {
			t.Errorf("%s: %d answers other than 200, 401 and 503", classNames[cl], n)
		}
		var sum int64
		for a := range numAnswers {
			sum += s.total(cl, a, anyPhase, anyRoute)
		}
		if sum == 0 {
			t.Errorf("%s: no requests", classNames[cl])
		}
	}
	for _, cl := range []class{classValid, classExpiredLive} {
		if n := s.total(cl, answer401, anyPhase, anyRoute); n != 0 {
			t.Errorf("%s: %d answers 401, a live session must get only 200 or 503", classNames[cl], n)
		}
	}
	for _, cl := range []class{classRevoked, classGarbage} {
		if n := s.total(cl, answer200, anyPhase, anyRoute); n != 0 {
			t.Errorf("%s: %d answers 200", classNames[cl], n)
		}
	}
	// The soak must have exercised what it claims to.
	if s.total(classExpiredLive, answer200, anyPhase, anyRoute) == 0 || s.total(classExpiredLive, answer503, anyPhase, anyRoute) == 0 {
		t.Error("expired_live: the remote path was not seen both working and failing")
	}
	if s.total(classValid, answer200, outagePhase, anyRoute) == 0 {
		t.Error("valid: no 200 during an outage")
	}
	if s.total(classRevoked, answer401, anyPhase, anyRoute) == 0 {
		t.Error("revoked: never refused by Stytch")
	}
	if s.total(classValid, answer200, anyPhase, adminRoute) == 0 {
		t.Error("valid: /admin never answered 200")
	}
	if s.herdRequests.Load() == 0 {
		t.Error("rotation_herd: no herd of JWTs of a freshly rotated key was sent")
	}
	if s.herdFetches > 2 {
		t.Errorf("rotation_herd: a herd caused %d JWKS fetches, want at most 2 (one shared refresh)", s.herdFetches)
	}
}
