#!/usr/bin/env bash
# Reproduces the numbers of BENCHMARKS.md on this machine:
#
#   1. the Go benchmarks, in COUNT interleaved rounds of one run each: all
#      of middleware/ (at -cpu 1; RequireSession/repeat_parallel* apart, at
#      -cpu 1,2), bench/ and otel/ (at -cpu 1), and BenchmarkGuardStore of flows/ and stores/redis/
#      (on a redis-server of its own, when one is in PATH); once before,
#      the middleware test that logs the memory per cached verified JWT;
#      summarized with benchstat when it can be fetched;
#   2. a wrk load of examples/cmd/loadtarget on loopback, with a logged-in
#      session cookie, in three pairs of routes on the same server:
#        page:       the demo app's /dashboard (RequireSession) against
#                    /bench/dashboard (the same page, without the middleware);
#        middleware: /bench/protected (a tiny handler behind RequireSession)
#                    against /bench/public (the same handler unprotected);
#        app:        /dashboard against the app's home page /
#                    (OptionalSession), a different, lighter page: reported,
#                    no target;
#   3. the load + fault soak of the example app (examples/soak, TestSoak);
#
# then prints a markdown report. Raw outputs and the report go to
# bench/results/ (gitignored). With --update-doc, the report also replaces
# the generated part of BENCHMARKS.md.
#
# Usage: bench/run.sh [--update-doc]
# Environment: COUNT (5), STORE_BENCHTIME (1s, -benchtime of the
# BenchmarkGuardStore runs), WRK_DURATION (5s), WRK_CONNECTIONS (64),
# WRK_THREADS (2), WRK_ROUNDS (6, per pair), ADDR (127.0.0.1:18089), SOAK (1;
# 0 skips the soak), MIN_RATIO (0.9).
#
# Exit status: 0, 3 when the protected route of the page or the middleware
# pair is below MIN_RATIO of its unprotected route's req/s (median of the rounds' ratios; the report is
# still written), anything else on failure. The Go benchmarks' targets are
# reported as pass or miss in the report's Targets table and do not change
# the exit status.
set -euo pipefail

bench_dir=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$bench_dir")
results="$bench_dir/results"
count=${COUNT:-5}
wrk_duration=${WRK_DURATION:-5s}
wrk_connections=${WRK_CONNECTIONS:-64}
wrk_threads=${WRK_THREADS:-2}
wrk_rounds=${WRK_ROUNDS:-6}
addr=${ADDR:-127.0.0.1:18089}
soak=${SOAK:-1}
min_ratio=${MIN_RATIO:-0.9}
store_benchtime=${STORE_BENCHTIME:-1s}
benchstat=golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da
# The repeat path from every CPU at once and its two parts, run on their own
# at -cpu 1,2.
repeat_parallel='^BenchmarkRequireSession(WithRevocations)?$/^repeat_parallel'
# The test that logs the memory per cached verified JWT.
memory_test=TestTokenCacheMemoryPerEntry

update_doc=false
case "${1:-}" in
"") ;;
--update-doc) update_doc=true ;;
*)
	echo "usage: $0 [--update-doc]" >&2
	exit 2
	;;
esac

log() { printf '==> %s\n' "$*" >&2; }
# The machine's load average at each stage goes into the report: the numbers
# mean little if something else was running.
record_load() { echo "$1: $(cut -d ' ' -f 1-3 /proc/loadavg)" >>"$results/loadavg.txt"; }

mkdir -p "$results"
rm -f "$results"/*.txt "$results"/*.md "$results"/*.log "$results"/*.out

# 1. Go benchmarks.
record_load "start"
# The memory a cached verified JWT keeps does not depend on the machine's
# load: one run of the test that measures it.
log "memory per cached verified JWT"
(cd "$root/middleware" && go test -run "^$memory_test\$" -count 1 -v) | tee "$results/test-memory.txt" >&2
# Rounds of one run of every benchmark, rather than -count runs of each in a
# row: a burst of load from elsewhere on the machine then hits every
# benchmark of a round alike, and the ratios of medians stay meaningful.
# repeat_parallel runs on its own at -cpu 1,2, so that its two runs are
# adjacent in time. The other benchmarks of middleware, bench and otel, one
# request at a time, run at -cpu 1: all the garbage collector's work is then
# charged to the request that made it, whereas at -cpu 2 a serial benchmark
# also measures the idle CPU woken and stopped for each of the many GC
# cycles of a test process's few-megabyte heap.
redis=true
if ! command -v redis-server >/dev/null; then
	redis=false
	log "no redis-server in PATH: BenchmarkGuardStore/redis will show as not run"
fi
log "go benchmarks: $count interleaved rounds of middleware, bench, otel, flows and stores/redis"
for f in middleware parallel peer otel flows redis; do : >"$results/bench-$f.txt"; done
for round in $(seq "$count"); do
	log "benchmark round $round"
	(cd "$root/middleware" && go test -run '^$' -bench . -skip "$repeat_parallel" -cpu 1 -benchmem -count 1) | tee -a "$results/bench-middleware.txt" >&2
	(cd "$root/middleware" && go test -run '^$' -bench "$repeat_parallel" -cpu 1,2 -benchmem -count 1) | tee -a "$results/bench-parallel.txt" >&2
	(cd "$bench_dir" && go test -run '^$' -bench . -cpu 1 -benchmem -count 1) | tee -a "$results/bench-peer.txt" >&2
	(cd "$root/otel" && go test -run '^$' -bench . -cpu 1 -benchmem -count 1) | tee -a "$results/bench-otel.txt" >&2
	(cd "$root" && go test -run '^$' -bench '^BenchmarkGuardStore$' -benchtime "$store_benchtime" -benchmem -count 1 ./flows) | tee -a "$results/bench-flows.txt" >&2
	if $redis; then
		# The benchmark starts its own redis-server on a free loopback port;
		# B2BAUTH_REQUIRE_REDIS makes it fail rather than skip if it cannot.
		(cd "$root/stores/redis" && B2BAUTH_REQUIRE_REDIS=1 go test -run '^$' -bench '^BenchmarkGuardStore$' -benchtime "$store_benchtime" -benchmem -count 1) | tee -a "$results/bench-redis.txt" >&2
	fi
done
cat "$results"/bench-{middleware,peer,otel,flows,redis}.txt >"$results/bench.txt"
cat "$results/bench.txt" "$results/bench-parallel.txt" >"$results/bench-all.txt"

record_load "after the Go benchmarks"
benchstat_args=()
log "benchstat"
if (cd "$bench_dir" && go run "$benchstat" "$results/bench-all.txt") >"$results/benchstat.txt" 2>"$results/benchstat.log"; then
	cat "$results/benchstat.txt" >&2
	benchstat_args=(-benchstat "$results/benchstat.txt")
else
	log "benchstat unavailable (see $results/benchstat.log); the report uses its own medians"
	rm -f "$results/benchstat.txt"
fi

# 2. wrk against the load target.
if ! command -v wrk >/dev/null; then
	log "installing wrk (Debian package)"
	sudo=()
	if [ "$(id -u)" -ne 0 ]; then sudo=(sudo); fi
	"${sudo[@]}" apt-get install -y wrk >&2 || { "${sudo[@]}" apt-get update >&2 && "${sudo[@]}" apt-get install -y wrk >&2; }
fi

log "load target on $addr"
# From the root, go.work resolves the examples module and its replaces.
(cd "$root" && go build -o "$results/loadtarget" ./examples/cmd/loadtarget)
"$results/loadtarget" -addr "$addr" >"$results/loadtarget.out" 2>"$results/loadtarget.log" &
target_pid=$!
target_start=$SECONDS
stop_target() {
	kill "$target_pid" 2>/dev/null || true
	wait "$target_pid" 2>/dev/null || true
}
trap stop_target EXIT
for _ in $(seq 100); do
	if grep -q '^cookie ' "$results/loadtarget.out"; then break; fi
	if ! kill -0 "$target_pid" 2>/dev/null; then
		log "load target exited:"
		cat "$results/loadtarget.log" >&2
		exit 1
	fi
	sleep 0.1
done
url=$(sed -n 's/^url //p' "$results/loadtarget.out")
cookie=$(sed -n 's/^cookie //p' "$results/loadtarget.out")
if [ -z "$url" ] || [ -z "$cookie" ]; then
	log "load target printed no URL or cookie"
	exit 1
fi

# Every request carries the session cookie, the home page's too: a
# logged-in browser sends it to every page of the app, so / pays
# OptionalSession's verification as /dashboard pays RequireSession's. The
# unprotected routes of the page and middleware pairs ignore the cookie.
pairs=(page middleware app)
declare -A path=(
	[page/protected]=/dashboard [page/unprotected]=/bench/dashboard
	[middleware/protected]=/bench/protected [middleware/unprotected]=/bench/public
	[app/protected]=/dashboard [app/unprotected]=/
)
wrk_args=(--latency -t "$wrk_threads" -c "$wrk_connections" -d "$wrk_duration")
log "wrk warm-up"
for pair in "${pairs[@]}"; do
	for role in unprotected protected; do
		wrk --latency -t "$wrk_threads" -c "$wrk_connections" -d 2s -H "Cookie: $cookie" "$url${path[$pair/$role]}" >/dev/null
	done
done
# The load target's CPU time so far (user + system), in clock ticks.
target_cpu_ticks() { sed 's/.*) //' "/proc/$target_pid/stat" | awk '{ print $12 + $13 }'; }
clk_tck=$(getconf CLK_TCK)
report_args=()
for round in $(seq "$wrk_rounds"); do
	for pair in "${pairs[@]}"; do
		# Alternate which route goes first, so that drift in the machine's
		# other load does not favour one route.
		roles=(unprotected protected)
		if [ $((round % 2)) -eq 0 ]; then roles=(protected unprotected); fi
		for role in "${roles[@]}"; do
			log "wrk round $round: $pair $role ${path[$pair/$role]}"
			out="$results/wrk-$pair-$role-$round.txt"
			before=$(target_cpu_ticks)
			wrk "${wrk_args[@]}" -H "Cookie: $cookie" "$url${path[$pair/$role]}" >"$out"
			echo "server-cpu-ticks: $(($(target_cpu_ticks) - before)) clk-tck: $clk_tck" >>"$out"
			cat "$out" >&2
		done
		report_args+=(-wrk "$pair/unprotected:$results/wrk-$pair-unprotected-$round.txt" -wrk "$pair/protected:$results/wrk-$pair-protected-$round.txt")
	done
done
# The session JWT the target printed expires 5 minutes after it started;
# requests after that authenticate remotely and measure something else.
if [ $((SECONDS - target_start)) -ge 300 ]; then
	log "warning: the wrk load outlasted the session JWT (5 minutes): the last rounds include remote authentications"
fi
record_load "after wrk"
stop_target
trap - EXIT

# 3. The soak.
soak_args=()
if [ "$soak" != 0 ]; then
	log "soak"
	# It lives in the examples module, beside the demo app it loads.
	(cd "$root/examples" && B2BAUTH_SOAK=1 go test -run '^TestSoak$' -count 1 -v ./soak) | tee "$results/soak.txt" >&2
	soak_args=(-soak "$results/soak.txt")
fi

# 4. The report.
log "report"
status=0
(cd "$bench_dir" && go build -o "$results/benchreport" ./cmd/benchreport)
"$results/benchreport" \
	-go "$(go version)" \
	-wrk-version "$(wrk --version 2>&1 | head -n 1 || true)" \
	-wrk-args "${wrk_args[*]} -H 'Cookie: <session>'" \
	-min-ratio "$min_ratio" -target-pairs page,middleware \
	-loadavg "$results/loadavg.txt" \
	-bench "$results/bench.txt" -bench-cpu "$results/bench-parallel.txt" \
	-test-log "$results/test-memory.txt" \
	"${benchstat_args[@]}" "${soak_args[@]}" "${report_args[@]}" >"$results/report.md" || status=$?
if [ "$status" -ne 0 ] && [ "$status" -ne 3 ]; then
	log "benchreport failed"
	exit "$status"
fi
cat "$results/report.md"

if $update_doc; then
	doc="$root/BENCHMARKS.md"
	if ! grep -q '^<!-- results:begin -->$' "$doc" || ! grep -q '^<!-- results:end -->$' "$doc"; then
		log "$doc lacks the <!-- results:begin --> and <!-- results:end --> markers"
		exit 1
	fi
	awk -v report="$results/report.md" '
		/^<!-- results:begin -->$/ { print; while ((getline line < report) > 0) print line; skip = 1; next }
		/^<!-- results:end -->$/ { skip = 0 }
		!skip { print }
	' "$doc" >"$doc.tmp"
	mv "$doc.tmp" "$doc"
	log "updated $doc"
fi
if [ "$status" -eq 3 ]; then
	log "target missed: a protected route's req/s below $min_ratio of its unprotected twin's (page or middleware pair)"
fi
exit "$status"
