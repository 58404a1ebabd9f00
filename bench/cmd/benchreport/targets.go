package main

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// figure is what a target is judged on: one value per round when its
// benchmarks ran in every round alike (a ratio or a difference is then
// taken within each round, where load from elsewhere on the machine hits
// both sides alike), else one value from the medians, said so in note.
type figure struct {
	vals []float64
	note string
}

// measure computes a figure from the runs; it returns the benchmarks it
// needs and did not find, and no figure, when any is missing.
type measure func(runs map[string]*samples) (figure, []string)

// target is one row of the targets table.
type target struct {
	area, what string
	measure    measure
	// limit is the highest value that meets the target; NaN reports the
	// figure without a target.
	limit  float64
	format func(float64) string
}

// one is a benchmark's own values of unit.
func one(name, unit string) measure {
	return func(runs map[string]*samples) (figure, []string) {
		s := runs[name]
		if s == nil || len(s.values(unit)) == 0 {
			return figure{}, []string{name}
		}
		return figure{vals: s.values(unit)}, nil
	}
}

// combine applies op to the values of unit of a and b, round by round when
// both have one per round, else to their medians.
func combine(a, b, unit string, op func(x, y float64) float64) measure {
	return func(runs map[string]*samples) (figure, []string) {
		var missing []string
		for _, n := range []string{a, b} {
			if s := runs[n]; s == nil || len(s.values(unit)) == 0 {
				missing = append(missing, n)
			}
		}
		if missing != nil {
			return figure{}, missing
		}
		x, y := runs[a].values(unit), runs[b].values(unit)
		if len(x) != len(y) {
			return figure{vals: []float64{op(median(x), median(y))}, note: "of the medians: the runs differ in number"}, nil
		}
		var f figure
		for i := range x {
			f.vals = append(f.vals, op(x[i], y[i]))
		}
		return f, nil
	}
}

func quotient(a, b, unit string) measure {
	return combine(a, b, unit, func(x, y float64) float64 {
		if y == 0 {
			return math.Inf(1)
		}
		return x / y
	})
}

func difference(a, b, unit string) measure {
	return combine(a, b, unit, func(x, y float64) float64 { return x - y })
}

// overBare is name's unit over the same request served without the
// middleware (bare), or name's own when bare did not run: a stricter
// figure, said so in the note.
func overBare(name, bare, unit string) measure {
	return func(runs map[string]*samples) (figure, []string) {
		if runs[bare] == nil {
			f, missing := one(name, unit)(runs)
			f.note = "absolute: " + bare + " not run"
			return f, missing
		}
		return difference(name, bare, unit)(runs)
	}
}

// anyMetric is the first run, benchmarks before tests, that reports unit:
// a figure some benchmark or test may provide under any name.
func anyMetric(unit string) measure {
	return func(runs map[string]*samples) (figure, []string) {
		names := make([]string, 0, len(runs))
		for n, s := range runs {
			if len(s.metrics[unit]) > 0 {
				names = append(names, n)
			}
		}
		if len(names) == 0 {
			return figure{}, []string{"a benchmark or test reporting " + unit}
		}
		slices.Sort(names) // Benchmark... sorts before Test...
		return figure{vals: runs[names[0]].metrics[unit], note: "from " + names[0]}, nil
	}
}

// times renders a ratio with three decimals, so that a figure just over
// its target does not read as equal to it.
func times(v float64) string { return fmt.Sprintf("%.3f×", v) }

func integer(v float64) string { return fmt.Sprintf("%.0f", v) }

func bytesPer(v float64) string { return fmt.Sprintf("%.0f B", v) }

// signedNs renders a difference of ns/op.
func signedNs(v float64) string {
	if v < 0 {
		return "−" + ns(-v)
	}
	return "+" + ns(v)
}

// signedMicros renders a difference of a metric in µs.
func signedMicros(v float64) string { return signedNs(v * 1e3) }

// targets are the figures the issues set, by area.
var goTargets = []target{
	{"M2M", "RequireScopes/first_seen / JWTParseBaselineM2M, ns/op",
		quotient("BenchmarkRequireScopes/first_seen", "BenchmarkJWTParseBaselineM2M", "ns/op"), 1.05, times},
	{"M2M", "RequireScopes/repeat, ns/op",
		one("BenchmarkRequireScopes/repeat", "ns/op"), 1000, ns},
	{"M2M", "RequireScopes/repeat, allocs/op",
		one("BenchmarkRequireScopes/repeat", "allocs/op"), 8, integer},
	{"Verification floor", "RequireSession/first_seen / RSAVerifyFloor, ns/op",
		quotient("BenchmarkRequireSession/first_seen", "BenchmarkRSAVerifyFloor", "ns/op"), 1.5, times},
	{"Verification floor", "RequireSession/first_seen / JWTParseBaseline, ns/op",
		quotient("BenchmarkRequireSession/first_seen", "BenchmarkJWTParseBaseline", "ns/op"), 1.0, times},
	{"Verification floor", "RequireSession/repeat over RequireSession/bare, ns/op",
		overBare("BenchmarkRequireSession/repeat", "BenchmarkRequireSession/bare", "ns/op"), 300, ns},
	{"Verification floor", "RequireSession/repeat over RequireSession/bare, allocs/op",
		overBare("BenchmarkRequireSession/repeat", "BenchmarkRequireSession/bare", "allocs/op"), 2, integer},
	{"Verification floor", "RequireSession/repeat_parallel, ns/op at -cpu 2 / at -cpu 1",
		quotient(cpuKey(repeatParallel, 2), cpuKey(repeatParallel, 1), "ns/op"), 0.6, times},
	{"Verification floor", "RequireSession/repeat_parallel_decide (the hit path, no allocation), ns/op at -cpu 2 / at -cpu 1",
		quotient(cpuKey(repeatParallel+"_decide", 2), cpuKey(repeatParallel+"_decide", 1), "ns/op"), math.NaN(), times},
	{"Verification floor", "RequireSession/repeat_parallel_alloc (its request copy alone), ns/op at -cpu 2 / at -cpu 1",
		quotient(cpuKey(repeatParallel+"_alloc", 2), cpuKey(repeatParallel+"_alloc", 1), "ns/op"), math.NaN(), times},
	{"Verification floor", "RequireSessionWithRevocations/repeat_parallel_decide (the hit path with 1000 revocations), ns/op at -cpu 2 / at -cpu 1",
		quotient(cpuKey(revocationsParallel, 2), cpuKey(revocationsParallel, 1), "ns/op"), math.NaN(), times},
	{"Verification floor", "memory per cached verified JWT",
		anyMetric("B/entry"), math.NaN(), bytesPer},
	{"Hardening", "RequireSession/repeat, ns/op",
		one("BenchmarkRequireSession/repeat", "ns/op"), 1000, ns},
	{"Hardening", "RequireSession/repeat, allocs/op",
		one("BenchmarkRequireSession/repeat", "allocs/op"), 8, integer},
	{"Observability", "ns/op added by the otel observer: RequireSessionRepeat/otel − /bare",
		difference("BenchmarkRequireSessionRepeat/otel", "BenchmarkRequireSessionRepeat/bare", "ns/op"), 300, signedNs},
	{"Observability", "ns/op added by the observer hook: ObservedRepeat − RequireSession/repeat",
		difference("BenchmarkObservedRepeat", "BenchmarkRequireSession/repeat", "ns/op"), math.NaN(), signedNs},
	{"Shared state", "p99 of a guard step added by Redis: GuardStore/redis − /memory",
		difference("BenchmarkGuardStore/redis", "BenchmarkGuardStore/memory", "p99-µs"), 1000, signedMicros},
	{"Shared state", "p50 of a guard step added by Redis: GuardStore/redis − /memory",
		difference("BenchmarkGuardStore/redis", "BenchmarkGuardStore/memory", "p50-µs"), math.NaN(), signedMicros},
	{"Shared state", "ns/op added by revocations: RequireSessionWithRevocations/repeat − RequireSession/repeat",
		difference("BenchmarkRequireSessionWithRevocations/repeat", "BenchmarkRequireSession/repeat", "ns/op"), math.NaN(), signedNs},
}

// targets prints one row per target: the figure, the target and whether
// the figure meets it.
func (r *report) targets(runs map[string]*samples) {
	r.printf("#### Targets\n\n" +
		"A figure is the median over the rounds of the value taken within each round (a ratio or a difference of two benchmarks of the same round), " +
		"with its min–max; it meets its target when the median does.\n\n")
	r.printf("| area | measure | figure (median) | min–max | target | result |\n|---|---|---:|---:|---:|---|\n")
	met, total, notRun := 0, 0, 0
	for _, t := range goTargets {
		limit, result := "–", "reported"
		if !math.IsNaN(t.limit) {
			limit = "≤ " + strings.TrimPrefix(t.format(t.limit), "+")
			total++
		}
		f, missing := t.measure(runs)
		if missing != nil {
			if limit != "–" {
				result = "**not run**"
				notRun++
			} else {
				result = "not run"
			}
			r.printf("| %s | %s | not run: %s | | %s | %s |\n", t.area, t.what, strings.Join(missing, ", "), limit, result)
			continue
		}
		got := median(f.vals)
		if limit != "–" {
			if got <= t.limit {
				result = "pass"
				met++
			} else {
				result = "**miss**"
			}
		}
		spread := ""
		if len(f.vals) > 1 {
			spread = t.format(slices.Min(f.vals)) + " – " + t.format(slices.Max(f.vals))
		}
		what := t.what
		if f.note != "" {
			what += " (" + f.note + ")"
		}
		r.printf("| %s | %s | %s | %s | %s | %s |\n", t.area, what, t.format(got), spread, limit, result)
	}
	r.printf("\n%d of %d targets met, %d not run.\n\n", met, total, notRun)
}
