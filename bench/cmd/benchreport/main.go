// Command benchreport turns the raw outputs of run.sh into the markdown
// tables of BENCHMARKS.md: the machine, the Go benchmarks (medians of the
// -count runs, with ratios between b2bauth, golang-jwt and auth0's
// go-jwt-middleware) and the wrk runs, one table per pair of routes with the
// protected/unprotected ratio.
//
//	benchreport -go "$(go version)" -bench results/bench.txt \
//	    -wrk page/unprotected:results/wrk-page-unprotected-1.txt \
//	    -wrk page/protected:results/wrk-page-protected-1.txt \
//	    -wrk middleware/unprotected:... -wrk middleware/protected:... ...
//
// It exits with status 3, after printing the report, when the protected
// route of any pair named by -target-pairs (default "page,middleware") is
// below -min-ratio of its unprotected route's req/s (median of the rounds'
// ratios).
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

// listFlag collects a repeated flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

func main() {
	var wrkFiles listFlag
	benchFile := flag.String("bench", "", "output of go test -bench (several packages may be concatenated)")
	benchstatFile := flag.String("benchstat", "", "benchstat's summary of -bench, included as is (optional)")
	loadavgFile := flag.String("loadavg", "", "lines \"stage: 1m 5m 15m\" of /proc/loadavg taken during the run (optional)")
	soakFile := flag.String("soak", "", "go test -v output of TestSoak, included as is (optional)")
	goVersion := flag.String("go", runtime.Version(), "the output of go version")
	wrkVersion := flag.String("wrk-version", "", "the wrk version line")
	wrkArgs := flag.String("wrk-args", "", "the wrk arguments, for the record")
	minRatio := flag.Float64("min-ratio", 0.9, "lowest acceptable protected/unprotected req/s ratio of the -target-pairs pairs")
	targetPairs := flag.String("target-pairs", "page,middleware", "comma-separated pairs of routes -min-ratio applies to")
	flag.Var(&wrkFiles, "wrk", "pair/role:file of one wrk --latency run, role protected or unprotected (repeatable)")
	flag.Parse()

	rep := &report{w: os.Stdout}
	var runs map[string]*samples
	goCPU := ""
	if *benchFile != "" {
		var err error
		if runs, goCPU, err = parseBench(*benchFile); err != nil {
			fatal(err)
		}
	}
	var loadavg []string
	if *loadavgFile != "" {
		b, err := os.ReadFile(*loadavgFile)
		if err != nil {
			fatal(err)
		}
		loadavg = strings.Split(strings.TrimSpace(string(b)), "\n")
	}
	rep.machine(*goVersion, *wrkVersion, goCPU, loadavg)
	if runs != nil {
		rep.benchmarks(runs)
	}
	if *benchstatFile != "" {
		b, err := os.ReadFile(*benchstatFile)
		if err != nil {
			fatal(err)
		}
		rep.printf("<details><summary>benchstat summary of the same runs</summary>\n\n```\n%s```\n\n</details>\n\n", b)
	}
	ok := true
	if len(wrkFiles) > 0 {
		var err error
		if ok, err = rep.wrk(wrkFiles, *wrkArgs, strings.Split(*targetPairs, ","), *minRatio); err != nil {
			fatal(err)
		}
	}
	if *soakFile != "" {
		b, err := os.ReadFile(*soakFile)
		if err != nil {
			fatal(err)
		}
		rep.printf("### Load + fault soak\n\n`B2BAUTH_SOAK=1 go test -run '^TestSoak$' -v ./soak` in examples/: the example app's answers counted per credential class, per route and per emulator fault phase.\n\n```\n%s```\n\n", b)
	}
	if !ok {
		os.Exit(3)
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "benchreport:", err)
	os.Exit(1)
}

type report struct{ w io.Writer }

func (r *report) printf(format string, args ...any) { fmt.Fprintf(r.w, format, args...) }

func (r *report) machine(goVersion, wrkVersion, goCPU string, loadavg []string) {
	cpu, n := cpuInfo()
	kernel, _ := os.ReadFile("/proc/sys/kernel/osrelease")
	r.printf("### Machine\n\n| | |\n|---|---|\n")
	r.printf("| CPU (/proc/cpuinfo) | %s, %d logical CPUs (runtime.NumCPU %d) |\n", cpu, n, runtime.NumCPU())
	if goCPU != "" {
		r.printf("| CPU (go test) | %s |\n", goCPU)
	}
	r.printf("| Kernel | Linux %s |\n", strings.TrimSpace(string(kernel)))
	r.printf("| Go | %s |\n", strings.TrimSpace(goVersion))
	if wrkVersion != "" {
		r.printf("| wrk | %s |\n", strings.TrimSpace(wrkVersion))
	}
	if len(loadavg) > 0 {
		r.printf("| Load average (1, 5, 15 min) | %s |\n", strings.Join(loadavg, "; "))
	}
	r.printf("| Date | %s |\n\n", time.Now().UTC().Format(time.RFC3339))
}

// cpuInfo reads the first model name and the processor count of
// /proc/cpuinfo.
func cpuInfo() (model string, n int) {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown", 0
	}
	for line := range strings.Lines(string(b)) {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		switch strings.TrimSpace(k) {
		case "model name":
			if model == "" {
				model = strings.TrimSpace(v)
			}
		case "processor":
			n++
		}
	}
	return model, n
}

// samples are the measurements of one benchmark over the -count runs.
type samples struct {
	pkg                string
	ns, bytes, allocs  []float64
	nsMin, nsMax       float64
	medNs, medB, medAl float64
}

var benchLine = regexp.MustCompile(`^(Benchmark\S+?)(?:-\d+)?\s+\d+\s+(.*)$`)

// parseBench reads go test -bench output: the samples by benchmark name
// (without the GOMAXPROCS suffix) and the cpu line.
func parseBench(path string) (map[string]*samples, string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, "", err
	}
	defer f.Close()
	runs := map[string]*samples{}
	pkg, cpu := "", ""
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
		s := runs[m[1]]
		if s == nil {
			s = &samples{pkg: pkg}
			runs[m[1]] = s
		}
		fields := strings.Fields(m[2])
		for i := 0; i+1 < len(fields); i += 2 {
			v, err := strconv.ParseFloat(fields[i], 64)
			if err != nil {
				return nil, "", fmt.Errorf("%s: %q: %w", path, line, err)
			}
			switch fields[i+1] {
			case "ns/op":
				s.ns = append(s.ns, v)
			case "B/op":
				s.bytes = append(s.bytes, v)
			case "allocs/op":
				s.allocs = append(s.allocs, v)
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, "", err
	}
	if len(runs) == 0 {
		return nil, "", fmt.Errorf("%s: no benchmark results", path)
	}
	for _, s := range runs {
		s.medNs, s.medB, s.medAl = median(s.ns), median(s.bytes), median(s.allocs)
		if len(s.ns) > 0 {
			s.nsMin, s.nsMax = slices.Min(s.ns), slices.Max(s.ns)
		}
	}
	return runs, cpu, nil
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
	case v >= 1e6:
		return fmt.Sprintf("%.2f ms", v/1e6)
	case v >= 1e3:
		return fmt.Sprintf("%.1f µs", v/1e3)
	}
	return fmt.Sprintf("%.0f ns", v)
}

func (r *report) table(runs map[string]*samples, rows [][2]string) {
	r.printf("| benchmark | what it measures | ns/op (median) | ns/op min–max | B/op | allocs/op | runs |\n")
	r.printf("|---|---|---:|---:|---:|---:|---:|\n")
	for _, row := range rows {
		s := runs[row[0]]
		if s == nil {
			r.printf("| %s | %s | missing | | | | |\n", row[0], row[1])
			continue
		}
		r.printf("| %s | %s | %s | %s – %s | %.0f | %.0f | %d |\n",
			row[0], row[1], ns(s.medNs), ns(s.nsMin), ns(s.nsMax), s.medB, s.medAl, len(s.ns))
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

func (r *report) benchmarks(runs map[string]*samples) {
	count := 0
	for _, s := range runs {
		count = max(count, len(s.ns))
	}
	r.printf("### Go benchmarks\n\nMedians of %d interleaved rounds, each one run of `go test -run '^$' -bench . -benchmem -count 1` in middleware/ and in bench/; min–max shows the spread of ns/op.\n\n", count)
	r.printf("#### Peers (bench/peer_test.go): one emulator-issued session JWT as a bearer token\n\n")
	r.table(runs, [][2]string{
		{"BenchmarkPeer/b2bauth_repeat", "RequireSession, same JWT every request (verified-JWT cache hit)"},
		{"BenchmarkPeer/b2bauth_first_seen", "RequireSession, a JWT not seen before every request (RS256 verify + Stytch claims)"},
		{"BenchmarkPeer/golang_jwt_parse", "golang-jwt v5 RS256 Parse, static key, no middleware"},
		{"BenchmarkPeer/auth0_go_jwt_middleware", "auth0 go-jwt-middleware v2.3.1 CheckJWT, RS256 validator, JWKS CachingProvider"},
	})
	r.printf("#### Session middleware (middleware/bench_test.go): browser session cookies\n\n")
	r.table(runs, [][2]string{
		{"BenchmarkRequireSession/repeat", "same JWT cookie every request (cache hit)"},
		{"BenchmarkRequireSession/first_seen", "a JWT cookie not seen before every request"},
		{"BenchmarkRequireSession/remote", "remote fallback: expired JWT, sessions authenticate at the emulator over loopback every request"},
		{"BenchmarkJWTParseBaseline", "golang-jwt v5 RS256 Parse of one session JWT"},
	})

	type pair struct{ label, a, b string }
	r.printf("#### Ratios (medians)\n\n| ratio | ns/op | B/op | allocs/op |\n|---|---:|---:|---:|\n")
	for _, p := range []pair{
		{"b2bauth first_seen / golang-jwt parse (peers)", "BenchmarkPeer/b2bauth_first_seen", "BenchmarkPeer/golang_jwt_parse"},
		{"middleware first_seen / JWTParseBaseline (cookies)", "BenchmarkRequireSession/first_seen", "BenchmarkJWTParseBaseline"},
		{"b2bauth first_seen / auth0 go-jwt-middleware", "BenchmarkPeer/b2bauth_first_seen", "BenchmarkPeer/auth0_go_jwt_middleware"},
		{"b2bauth repeat / auth0 go-jwt-middleware", "BenchmarkPeer/b2bauth_repeat", "BenchmarkPeer/auth0_go_jwt_middleware"},
		{"middleware remote / middleware first_seen", "BenchmarkRequireSession/remote", "BenchmarkRequireSession/first_seen"},
	} {
		a, b := runs[p.a], runs[p.b]
		if a == nil || b == nil {
			r.printf("| %s | missing | | |\n", p.label)
			continue
		}
		r.printf("| %s | %s | %s | %s |\n", p.label, ratio(a.medNs, b.medNs), ratio(a.medB, b.medB), ratio(a.medAl, b.medAl))
	}
	r.printf("\n")
}

// wrkRun is one wrk --latency run.
type wrkRun struct {
	pair, role, file   string
	path               string
	rps                float64
	p50, p99, requests string
	non2xx, socketErrs string
	// cpuPerReq is the load target's CPU time (user + system) per request
	// during the run, from the "server-cpu-ticks" line run.sh appends; 0
	// when absent.
	cpuPerReq time.Duration
}

var (
	wrkURL      = regexp.MustCompile(`(?m)^Running \S+ test @ https?://[^/\s]+(\S*)`)
	wrkRPS      = regexp.MustCompile(`(?m)^Requests/sec:\s+([0-9.]+)`)
	wrkP50      = regexp.MustCompile(`(?m)^\s+50%\s+(\S+)`)
	wrkP99      = regexp.MustCompile(`(?m)^\s+99%\s+(\S+)`)
	wrkRequests = regexp.MustCompile(`(?m)^\s*(\d+) requests in (\S+),`)
	wrkNon2xx   = regexp.MustCompile(`(?m)^\s*Non-2xx or 3xx responses:\s+(\d+)`)
	wrkSocket   = regexp.MustCompile(`(?m)^\s*Socket errors:\s+(.*)$`)
	serverCPU   = regexp.MustCompile(`(?m)^server-cpu-ticks: (\d+) clk-tck: (\d+)$`)
)

// parseWrk reads one wrk --latency output named by spec, "pair/role:file".
func parseWrk(spec string) (wrkRun, error) {
	name, path, ok := strings.Cut(spec, ":")
	pair, role, ok2 := strings.Cut(name, "/")
	if !ok || !ok2 || pair == "" || (role != "protected" && role != "unprotected") {
		return wrkRun{}, fmt.Errorf("-wrk %q: want pair/protected:file or pair/unprotected:file", spec)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return wrkRun{}, err
	}
	out := string(b)
	run := wrkRun{pair: pair, role: role, file: path, path: "?", non2xx: "0", socketErrs: "none"}
	if m := wrkURL.FindStringSubmatch(out); m != nil {
		run.path = m[1]
		if run.path == "" {
			run.path = "/"
		}
	}
	m := wrkRPS.FindStringSubmatch(out)
	if m == nil {
		return run, fmt.Errorf("%s: no Requests/sec line", path)
	}
	if run.rps, err = strconv.ParseFloat(m[1], 64); err != nil {
		return run, err
	}
	for _, f := range []struct {
		re  *regexp.Regexp
		dst *string
	}{{wrkP50, &run.p50}, {wrkP99, &run.p99}, {wrkNon2xx, &run.non2xx}, {wrkSocket, &run.socketErrs}} {
		if m := f.re.FindStringSubmatch(out); m != nil {
			*f.dst = m[1]
		}
	}
	m = wrkRequests.FindStringSubmatch(out)
	if m == nil {
		return run, fmt.Errorf("%s: no request count", path)
	}
	run.requests = m[1] + " in " + m[2]
	if run.p50 == "" || run.p99 == "" {
		return run, fmt.Errorf("%s: no latency distribution (run wrk with --latency)", path)
	}
	if c := serverCPU.FindStringSubmatch(out); c != nil {
		n, _ := strconv.ParseFloat(m[1], 64)
		ticks, _ := strconv.ParseFloat(c[1], 64)
		hz, _ := strconv.ParseFloat(c[2], 64)
		if n > 0 && hz > 0 {
			run.cpuPerReq = time.Duration(ticks / hz / n * float64(time.Second))
		}
	}
	return run, nil
}

// pairIntro says what a pair of run.sh's routes compares.
var pairIntro = map[string]string{
	"page": "The example app's protected route against the same page unprotected: `/dashboard` behind RequireSession, and `/bench/dashboard`, " +
		"the same handler behind the same security headers with the session /dashboard attaches verified once at start and attached to every request: " +
		"the two answers are byte for byte the same page (tested in examples/cmd/loadtarget), so the pair differs only by the middleware's work per request.",
	"middleware": "The middleware alone, at its worst ratio: `/bench/protected` is a tiny handler behind RequireSession, `/bench/public` the same handler unprotected (it ignores the cookie). " +
		"With next to nothing else to do per request, its ratio is the isolated cost of verifying a logged-in session on every request.",
	"app": "Two different pages of the demo app, as a logged-in member browses them: `/dashboard` behind RequireSession against the home page `/` behind OptionalSession. " +
		"Both requests carry the session cookie, as a browser sends it to every page, so both verify the session (served from the verified-JWT cache); " +
		"the pages differ: the dashboard renders the member, organization, roles and factors, the home page a notice. No target applies: the gap is the pages' rendering, not protection.",
}

// wrk prints the wrk runs pair by pair and reports whether the protected
// route of every target pair reached minRatio of its unprotected route's
// req/s.
// The runs of a pair come in rounds, one run of each route per round in
// alternating order, and the verdict uses the median of the rounds'
// protected/unprotected ratios: a round's two runs are adjacent in time, so
// load from elsewhere on the machine mostly cancels out of their ratio but not
// out of a ratio of medians taken over minutes.
func (r *report) wrk(files []string, args string, targetPairs []string, minRatio float64) (bool, error) {
	var order []string
	runs := map[string]map[string][]wrkRun{}
	for _, spec := range files {
		run, err := parseWrk(spec)
		if err != nil {
			return false, err
		}
		if run.non2xx != "0" {
			return false, fmt.Errorf("%s: %s non-2xx answers: the load did not measure what it claims", run.file, run.non2xx)
		}
		if runs[run.pair] == nil {
			runs[run.pair] = map[string][]wrkRun{}
			order = append(order, run.pair)
		}
		runs[run.pair][run.role] = append(runs[run.pair][run.role], run)
	}
	for _, pair := range targetPairs {
		if runs[pair] == nil {
			return false, fmt.Errorf("no wrk runs of the target pair %q", pair)
		}
	}

	r.printf("### HTTP load (wrk)\n\n")
	if args != "" {
		r.printf("`wrk %s` against examples/cmd/loadtarget on loopback: the demo app of examples/nethttp in emulator mode, with a session created for a seeded member, and unprotected twins of protected routes, all on the same server. "+
			"Each round runs both routes of a pair back to back, alternating which goes first; the pairs take turns within a round. "+
			"Server CPU/req is the load target's user + system CPU time during the run divided by the requests served. A run with any non-2xx answer fails the report.\n\n", args)
	}
	ok := true
	for _, pair := range order {
		prot, unprot := runs[pair]["protected"], runs[pair]["unprotected"]
		if len(prot) == 0 || len(prot) != len(unprot) {
			return false, fmt.Errorf("pair %q: need as many wrk runs of the protected route as of the unprotected route, and at least one", pair)
		}
		r.printf("#### Pair %q: %s vs %s\n\n", pair, prot[0].path, unprot[0].path)
		if intro := pairIntro[pair]; intro != "" {
			r.printf("%s\n\n", intro)
		}
		r.printf("| route | round | req/s | p50 | p99 | requests | server CPU/req | socket errors |\n|---|---:|---:|---:|---:|---:|---:|---|\n")
		for i := range prot {
			// In the order they ran: the unprotected route first in odd rounds.
			first, second := unprot[i], prot[i]
			if i%2 == 1 {
				first, second = second, first
			}
			for _, run := range []wrkRun{first, second} {
				cpu := "–"
				if run.cpuPerReq > 0 {
					cpu = fmt.Sprintf("%.1f µs", float64(run.cpuPerReq)/float64(time.Microsecond))
				}
				r.printf("| %s (%s) | %d | %.0f | %s | %s | %s | %s | %s |\n", run.path, run.role, i+1, run.rps, run.p50, run.p99, run.requests, cpu, run.socketErrs)
			}
		}
		var paired, rpsProt, rpsUnprot, cpuProt, cpuUnprot []float64
		for i := range prot {
			paired = append(paired, prot[i].rps/unprot[i].rps)
			rpsProt, rpsUnprot = append(rpsProt, prot[i].rps), append(rpsUnprot, unprot[i].rps)
			cpuProt, cpuUnprot = append(cpuProt, float64(prot[i].cpuPerReq)), append(cpuUnprot, float64(unprot[i].cpuPerReq))
		}
		got := median(paired)
		r.printf("\n| measure | %s | %s | protected / unprotected |\n|---|---:|---:|---:|\n", prot[0].path, unprot[0].path)
		r.printf("| req/s, median of the rounds' ratios (min–max) | | | **%.1f%%** (%.1f%% – %.1f%%) |\n", 100*got, 100*slices.Min(paired), 100*slices.Max(paired))
		r.printf("| req/s, median over the rounds | %.0f | %.0f | %.1f%% |\n", median(rpsProt), median(rpsUnprot), 100*median(rpsProt)/median(rpsUnprot))
		if median(cpuUnprot) > 0 {
			r.printf("| server CPU per request, median | %.1f µs | %.1f µs | %.2f× (%+.1f µs) |\n",
				median(cpuProt)/1e3, median(cpuUnprot)/1e3, median(cpuProt)/median(cpuUnprot), (median(cpuProt)-median(cpuUnprot))/1e3)
		}
		if slices.Contains(targetPairs, pair) {
			verdict := "met"
			if got < minRatio {
				verdict, ok = "NOT met", false
			}
			r.printf("\nTarget: %s ≥ %.0f%% of %s req/s (median of the rounds' ratios): **%s**.\n\n", prot[0].path, 100*minRatio, unprot[0].path, verdict)
		} else {
			r.printf("\nNo target applies to this pair: %s serves %.1f%% of %s's req/s (median of the rounds' ratios).\n\n", prot[0].path, 100*got, unprot[0].path)
		}
	}
	return ok, nil
}
