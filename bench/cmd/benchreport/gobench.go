package main

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// samples are the measurements of one benchmark over the rounds: ns/op,
// B/op and allocs/op, and any other metric the benchmark reports with
// b.ReportMetric, by unit, in the order they ran.
type samples struct {
	pkg                string
	ns, bytes, allocs  []float64
	metrics            map[string][]float64
	units              []string // of metrics, in the order first seen
	nsMin, nsMax       float64
	medNs, medB, medAl float64
}

// values returns the samples of one unit: ns/op, B/op, allocs/op or a
// custom metric's.
func (s *samples) values(unit string) []float64 {
	switch unit {
	case "ns/op":
		return s.ns
	case "B/op":
		return s.bytes
	case "allocs/op":
		return s.allocs
	}
	return s.metrics[unit]
}

func (s *samples) add(unit string, v float64) {
	switch unit {
	case "ns/op":
		s.ns = append(s.ns, v)
	case "B/op":
		s.bytes = append(s.bytes, v)
	case "allocs/op":
		s.allocs = append(s.allocs, v)
	default:
		if s.metrics == nil {
			s.metrics = map[string][]float64{}
		}
		if _, ok := s.metrics[unit]; !ok {
			s.units = append(s.units, unit)
		}
		s.metrics[unit] = append(s.metrics[unit], v)
	}
}

// benchLine is one result line: the name, the GOMAXPROCS suffix (absent
// when it is 1), the iterations, then value-unit pairs.
var benchLine = regexp.MustCompile(`^(Benchmark\S+?)(?:-(\d+))?\s+\d+\s+(.*)$`)

// cpuKey names the runs of a benchmark at one GOMAXPROCS, as parseBench
// stores them when asked to tell the -cpu values apart.
func cpuKey(name string, procs int) string { return fmt.Sprintf("%s -cpu %d", name, procs) }

// parseBench reads go test -bench output into runs: the samples by
// benchmark name, without the GOMAXPROCS suffix, or by cpuKey when byCPU
// (the output of a -cpu 1,2 run). It returns the cpu line.
func parseBench(runs map[string]*samples, path string, byCPU bool) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	pkg, cpu, n := "", "", 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if p, ok := strings.CutPrefix(line, "pkg: "); ok {
			pkg = p
			continue
		}
		if c, ok := strings.CutPrefix(line, "cpu: "); ok {
			cpu = strings.TrimSpace(c)
			continue
		}
		m := benchLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		name := m[1]
		if byCPU {
			// go test leaves the suffix out at GOMAXPROCS 1.
			procs := 1
			if m[2] != "" {
				procs, _ = strconv.Atoi(m[2])
			}
			name = cpuKey(name, procs)
		}
		s := runs[name]
		if s == nil {
			s = &samples{pkg: pkg}
			runs[name] = s
		}
		fields := strings.Fields(m[3])
		for i := 0; i+1 < len(fields); i += 2 {
			v, err := strconv.ParseFloat(fields[i], 64)
			if err != nil {
				return "", fmt.Errorf("%s: %q: %w", path, line, err)
			}
			s.add(fields[i+1], v)
		}
		n++
	}
	if err := sc.Err(); err != nil {
		return "", err
	}
	if n == 0 && !byCPU {
		return "", fmt.Errorf("%s: no benchmark results", path)
	}
	return cpu, nil
}

// testMetric is a figure a test logs with t.Logf, "<value> bytes per
// entry", and the unit it is stored under.
var testMetric = regexp.MustCompile(`\b(\d+(?:\.\d+)?) bytes per entry\b`)

// parseTestLog reads go test -v output into runs: every "N bytes per
// entry" a test logs, as a B/entry metric of that test.
func parseTestLog(runs map[string]*samples, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	test := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		for _, prefix := range []string{"=== RUN ", "=== NAME ", "=== CONT "} {
			if t, ok := strings.CutPrefix(line, prefix); ok {
				test = strings.TrimSpace(t)
			}
		}
		if m := testMetric.FindStringSubmatch(line); m != nil && test != "" {
			v, _ := strconv.ParseFloat(m[1], 64)
			s := runs[test]
			if s == nil {
				s = &samples{}
				runs[test] = s
			}
			s.add("B/entry", v)
		}
	}
	return sc.Err()
}

// summarize computes the medians and the spread of every benchmark.
func summarize(runs map[string]*samples) {
	for _, s := range runs {
		s.medNs, s.medB, s.medAl = median(s.ns), median(s.bytes), median(s.allocs)
		if len(s.ns) > 0 {
			s.nsMin, s.nsMax = slices.Min(s.ns), slices.Max(s.ns)
		}
	}
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	v = slices.Sorted(slices.Values(v))
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

func ns(v float64) string {
	switch {
	case math.Abs(v) >= 1e6:
		return fmt.Sprintf("%.2f ms", v/1e6)
	case math.Abs(v) >= 1e3:
		return fmt.Sprintf("%.1f µs", v/1e3)
	}
	return fmt.Sprintf("%.0f ns", v)
}

// row is one benchmark of a table and what it measures. An optional row
// is left out when its benchmark did not run; any other says "not run".
type row struct {
	name, what string
	optional   bool
}

// metricsOf renders the custom metrics of s, medians by unit.
func metricsOf(s *samples) string {
	var parts []string
	for _, u := range s.units {
		parts = append(parts, num(median(s.metrics[u]))+" "+u)
	}
	return strings.Join(parts, ", ")
}

// num renders a custom metric's value with three significant digits, or
// none after the point for large values.
func num(v float64) string {
	if v >= 1000 || v <= -1000 || v == float64(int64(v)) {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'g', 3, 64)
}

func (r *report) table(runs map[string]*samples, rows []row) {
	custom := false
	for _, row := range rows {
		if s := runs[row.name]; s != nil && len(s.units) > 0 {
			custom = true
		}
	}
	extraHead, extraSep, extraEmpty := "", "", ""
	if custom {
		extraHead, extraSep, extraEmpty = " other metrics (medians) |", "---|", " |"
	}
	r.printf("| benchmark | what it measures | ns/op (median) | ns/op min–max | B/op | allocs/op | runs |%s\n", extraHead)
	r.printf("|---|---|---:|---:|---:|---:|---:|%s\n", extraSep)
	for _, row := range rows {
		s := runs[row.name]
		if s == nil {
			if !row.optional {
				r.printf("| %s | %s | not run | | | | |%s\n", row.name, row.what, extraEmpty)
			}
			continue
		}
		extra := ""
		if custom {
			extra = " " + metricsOf(s) + " |"
		}
		r.printf("| %s | %s | %s | %s – %s | %.0f | %.0f | %d |%s\n",
			row.name, row.what, ns(s.medNs), ns(s.nsMin), ns(s.nsMax), s.medB, s.medAl, len(s.ns), extra)
	}
	r.printf("\n")
}

func ratio(a, b float64) string {
	if b == 0 {
		if a == 0 {
			return "–"
		}
		return "∞"
	}
	if a/b < 0.1 {
		// A cache hit next to a verification: two decimals would say 0.01.
		return fmt.Sprintf("%.4f× (1/%.0f)", a/b, b/a)
	}
	return fmt.Sprintf("%.2f×", a/b)
}

const (
	repeatParallel      = "BenchmarkRequireSession/repeat_parallel"
	revocationsParallel = "BenchmarkRequireSessionWithRevocations/repeat_parallel_decide"
	memoryTest          = "TestTokenCacheMemoryPerEntry"
)

func (r *report) benchmarks(runs map[string]*samples) {
	count := 0
	for _, s := range runs {
		count = max(count, len(s.ns))
	}
	r.printf("### Go benchmarks\n\n")
	r.printf("Medians of %d interleaved rounds; min–max shows the spread of ns/op. "+
		"Each round runs, one after the other, `go test -run '^$' -bench . -cpu 1 -benchmem -count 1` in middleware/ (less `%s*`), "+
		"the same with `-bench '%s*' -cpu 1,2`, then with `-cpu 1` in bench/ and otel/, "+
		"and `-bench '^BenchmarkGuardStore$'` in flows/ and stores/redis/ (on a redis-server the benchmark starts); "+
		"`go test -run '%s$' -v` in middleware/ runs once before the rounds.\n\n",
		count, repeatParallel, repeatParallel, memoryTest)
	r.printf("#### Peers (bench/peer_test.go): one emulator-issued session JWT as a bearer token\n\n")
	r.table(runs, []row{
		{"BenchmarkPeer/b2bauth_repeat", "RequireSession, same JWT every request (verified-JWT cache hit)", false},
		{"BenchmarkPeer/b2bauth_first_seen", "RequireSession, a JWT not seen before every request (RS256 verify + Stytch claims)", false},
		{"BenchmarkPeer/golang_jwt_parse", "golang-jwt v5 RS256 Parse, static key, no middleware", false},
		{"BenchmarkPeer/auth0_go_jwt_middleware", "auth0 go-jwt-middleware v2.3.1 CheckJWT, RS256 validator, JWKS CachingProvider", false},
	})
	r.printf("#### Session middleware (middleware/): browser session cookies\n\n")
	r.table(runs, []row{
		{"BenchmarkRequireSession/bare", "no middleware: the request of repeat served by the handler alone", true},
		{"BenchmarkRequireSession/repeat", "same JWT cookie every request (cache hit)", false},
		{cpuKey(repeatParallel, 1), "repeat from every CPU at once (b.RunParallel), GOMAXPROCS 1", false},
		{cpuKey(repeatParallel, 2), "the same at GOMAXPROCS 2", false},
		{cpuKey(repeatParallel+"_decide", 1), "repeat_parallel's hit path without attaching the session (no allocation), GOMAXPROCS 1", false},
		{cpuKey(repeatParallel+"_decide", 2), "the same at GOMAXPROCS 2", false},
		{cpuKey(repeatParallel+"_alloc", 1), "repeat_parallel's request copy alone (Request.WithContext), GOMAXPROCS 1", false},
		{cpuKey(repeatParallel+"_alloc", 2), "the same at GOMAXPROCS 2", false},
		{"BenchmarkRequireSession/first_seen", "a JWT cookie not seen before every request", false},
		{"BenchmarkRequireSession/remote", "remote fallback: expired JWT, sessions authenticate at the emulator over loopback every request", false},
		{"BenchmarkJWTParseBaseline", "golang-jwt v5 RS256 Parse of one session JWT", false},
		{"BenchmarkRSAVerifyFloor", "SHA-256 and rsa.VerifyPKCS1v15 of the same JWT alone: the floor of any verification", false},
		{"BenchmarkRequireSessionWithRevocations/repeat", "repeat with a revocation feed holding 1000 other sessions", false},
		{cpuKey(revocationsParallel, 1), "repeat_parallel_decide with those 1000 revocations, GOMAXPROCS 1", false},
		{cpuKey(revocationsParallel, 2), "the same at GOMAXPROCS 2", false},
		{"BenchmarkObservedRepeat", "repeat with an observer that does nothing: the hook's own cost", true},
	})
	r.printf("#### M2M access tokens (middleware/bench_test.go): RequireScopes, bearer header\n\n")
	r.table(runs, []row{
		{"BenchmarkRequireScopes/bare", "no middleware: the request of repeat served by the handler alone", true},
		{"BenchmarkRequireScopes/repeat", "same access token every request (cache hit)", false},
		{"BenchmarkRequireScopes/first_seen", "an access token not seen before every request", false},
		{"BenchmarkJWTParseBaselineM2M", "golang-jwt v5 RS256 Parse of one M2M access token", false},
	})
	r.printf("#### Observability (otel/bench_test.go): the repeat path with OpenTelemetry\n\n")
	r.table(runs, []row{
		{"BenchmarkRequireSessionRepeat/bare", "RequireSession/repeat without an observer", false},
		{"BenchmarkRequireSessionRepeat/otel", "the same with the otel observer on a real SDK (manual reader, tracer provider without exporter)", false},
		{"BenchmarkVerifiedCacheHit", "the otel observer's Verified alone, on a cache hit", true},
	})
	r.printf("#### Shared state (flows/store_bench_test.go, stores/redis/bench_test.go): one code-checking step of the login guard\n\n")
	r.table(runs, []row{
		{"BenchmarkGuardStore/memory", "read the lock, count the attempt, read the lock, forget the count: the default in-memory store", false},
		{"BenchmarkGuardStore/redis", "the same step on Redis over loopback (p50/p99 of a step in µs)", false},
	})

	type pair struct{ label, a, b string }
	r.printf("#### Ratios (medians)\n\n| ratio | ns/op | B/op | allocs/op |\n|---|---:|---:|---:|\n")
	for _, p := range []pair{
		{"b2bauth first_seen / golang-jwt parse (peers)", "BenchmarkPeer/b2bauth_first_seen", "BenchmarkPeer/golang_jwt_parse"},
		{"middleware first_seen / JWTParseBaseline (cookies)", "BenchmarkRequireSession/first_seen", "BenchmarkJWTParseBaseline"},
		{"middleware first_seen / RSAVerifyFloor (cookies)", "BenchmarkRequireSession/first_seen", "BenchmarkRSAVerifyFloor"},
		{"b2bauth first_seen / auth0 go-jwt-middleware", "BenchmarkPeer/b2bauth_first_seen", "BenchmarkPeer/auth0_go_jwt_middleware"},
		{"b2bauth repeat / auth0 go-jwt-middleware", "BenchmarkPeer/b2bauth_repeat", "BenchmarkPeer/auth0_go_jwt_middleware"},
		{"middleware remote / middleware first_seen", "BenchmarkRequireSession/remote", "BenchmarkRequireSession/first_seen"},
		{"M2M first_seen / JWTParseBaselineM2M", "BenchmarkRequireScopes/first_seen", "BenchmarkJWTParseBaselineM2M"},
		{"repeat with revocations / repeat", "BenchmarkRequireSessionWithRevocations/repeat", "BenchmarkRequireSession/repeat"},
		{"repeat with otel / repeat bare (otel)", "BenchmarkRequireSessionRepeat/otel", "BenchmarkRequireSessionRepeat/bare"},
	} {
		a, b := runs[p.a], runs[p.b]
		if a == nil || b == nil {
			r.printf("| %s | not run | | |\n", p.label)
			continue
		}
		r.printf("| %s | %s | %s | %s |\n", p.label, ratio(a.medNs, b.medNs), ratio(a.medB, b.medB), ratio(a.medAl, b.medAl))
	}
	r.printf("\n")
	r.targets(runs)
}
