// Command benchreport turns the raw outputs of run.sh into the markdown
// tables of BENCHMARKS.md: the machine, the Go benchmarks (medians of the
// interleaved rounds, with ratios between b2bauth, golang-jwt and auth0's
// go-jwt-middleware, and a table of the issues' targets with pass or miss)
// and the wrk runs, one table per pair of routes with the
// protected/unprotected ratio.
//
//	benchreport -go "$(go version)" -bench results/bench.txt \
//	    -bench-cpu results/bench-parallel.txt -test-log results/test-memory.txt \
//	    -wrk page/unprotected:results/wrk-page-unprotected-1.txt \
//	    -wrk page/protected:results/wrk-page-protected-1.txt \
//	    -wrk middleware/unprotected:... -wrk middleware/protected:... ...
//
// Every value-unit pair of a benchmark line is kept, custom metrics of
// b.ReportMetric included; a benchmark the tables name that did not run
// shows as "not run". It exits with status 3, after printing the report,
// when the protected route of any pair named by -target-pairs (default
// "page,middleware") is below -min-ratio of its unprotected route's req/s
// (median of the rounds' ratios); the Go benchmarks' targets do not change
// the exit status.
package main

import (
	"cmp"
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
	var wrkFiles, benchFiles, benchCPUFiles, testLogs listFlag
	flag.Var(&benchFiles, "bench", "output of go test -bench, one run of each benchmark per round (several packages may be concatenated; repeatable)")
	flag.Var(&benchCPUFiles, "bench-cpu", "output of go test -bench -cpu 1,2 rounds: their runs are told apart by GOMAXPROCS (repeatable)")
	flag.Var(&testLogs, "test-log", "go test -v output of tests that log \"N bytes per entry\" (repeatable)")
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
	if len(benchFiles) > 0 {
		runs = map[string]*samples{}
		for _, f := range benchFiles {
			cpu, err := parseBench(runs, f, false)
			if err != nil {
				fatal(err)
			}
			goCPU = cmp.Or(goCPU, cpu)
		}
		for _, f := range benchCPUFiles {
			if _, err := parseBench(runs, f, true); err != nil {
				fatal(err)
			}
		}
		for _, f := range testLogs {
			if err := parseTestLog(runs, f); err != nil {
				fatal(err)
			}
		}
		summarize(runs)
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
