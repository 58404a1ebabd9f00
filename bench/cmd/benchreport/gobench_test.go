package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func writeFile(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "out.txt")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

const roundsOutput = `goos: linux
goarch: amd64
pkg: github.com/b2bauth/b2bauth/flows
cpu: Test CPU
BenchmarkGuardStore/memory-2   	 1000000	       950.0 ns/op	         0.8000 p50-µs	         2.500 p99-µs	      48 B/op	       1 allocs/op
PASS
pkg: github.com/b2bauth/b2bauth/stores/redis
BenchmarkGuardStore/redis-2    	    5000	    210000 ns/op	       200.0 p50-µs	       900.0 p99-µs	    1200 B/op	      40 allocs/op
PASS
pkg: github.com/b2bauth/b2bauth/flows
BenchmarkGuardStore/memory-2   	 1000000	       1050 ns/op	         0.9000 p50-µs	         3.500 p99-µs	      48 B/op	       1 allocs/op
pkg: github.com/b2bauth/b2bauth/stores/redis
BenchmarkGuardStore/redis-2    	    5000	    230000 ns/op	       220.0 p50-µs	      1400 p99-µs	    1200 B/op	      40 allocs/op
`

func TestParseBench(t *testing.T) {
	runs := map[string]*samples{}
	cpu, err := parseBench(runs, writeFile(t, roundsOutput), false)
	if err != nil {
		t.Fatal(err)
	}
	summarize(runs)
	if cpu != "Test CPU" {
		t.Errorf("cpu = %q", cpu)
	}
	tests := []struct {
		name, bench, unit string
		want              []float64
	}{
		{"ns/op is kept by round", "BenchmarkGuardStore/memory", "ns/op", []float64{950, 1050}},
		{"allocs/op is kept by round", "BenchmarkGuardStore/redis", "allocs/op", []float64{40, 40}},
		{"a custom metric reported before B/op is kept", "BenchmarkGuardStore/redis", "p99-µs", []float64{900, 1400}},
		{"another custom metric is kept beside it", "BenchmarkGuardStore/memory", "p50-µs", []float64{0.8, 0.9}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := runs[tt.bench]
			if s == nil {
				t.Fatalf("no runs of %s; have %v", tt.bench, keys(runs))
			}
			if got := s.values(tt.unit); !slices.Equal(got, tt.want) {
				t.Errorf("%s %s = %v, want %v", tt.bench, tt.unit, got, tt.want)
			}
		})
	}
	if got := runs["BenchmarkGuardStore/redis"].units; !slices.Equal(got, []string{"p50-µs", "p99-µs"}) {
		t.Errorf("custom units = %v, want them in the order reported", got)
	}
}

func keys(runs map[string]*samples) []string {
	var k []string
	for n := range runs {
		k = append(k, n)
	}
	slices.Sort(k)
	return k
}

func TestParseBenchTellsCPUsApart(t *testing.T) {
	out := `pkg: github.com/b2bauth/b2bauth/middleware
BenchmarkRequireSession/repeat_parallel         	 3000000	       400.0 ns/op	       2 allocs/op
BenchmarkRequireSession/repeat_parallel-2       	 6000000	       210.0 ns/op	       2 allocs/op
`
	tests := []struct {
		name  string
		byCPU bool
		want  map[string][]float64
	}{
		{"a -cpu run is stored by GOMAXPROCS, 1 without a suffix", true, map[string][]float64{
			cpuKey(repeatParallel, 1): {400},
			cpuKey(repeatParallel, 2): {210},
		}},
		{"an ordinary run drops the suffix", false, map[string][]float64{
			repeatParallel: {400, 210},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			runs := map[string]*samples{}
			if _, err := parseBench(runs, writeFile(t, out), tt.byCPU); err != nil {
				t.Fatal(err)
			}
			if len(runs) != len(tt.want) {
				t.Errorf("runs = %v, want %d names", keys(runs), len(tt.want))
			}
			for name, want := range tt.want {
				if s := runs[name]; s == nil || !slices.Equal(s.ns, want) {
					t.Errorf("%s: runs %v, want ns/op %v", name, keys(runs), want)
				}
			}
		})
	}
}

func TestParseTestLog(t *testing.T) {
	out := `=== RUN   TestTokenCacheMemoryPerEntry
    cache_test.go:126: 10000 cached session JWTs of 1130 bytes: 2712 bytes per entry
--- PASS: TestTokenCacheMemoryPerEntry (0.21s)
PASS
`
	runs := map[string]*samples{}
	if err := parseTestLog(runs, writeFile(t, out)); err != nil {
		t.Fatal(err)
	}
	s := runs[memoryTest]
	if s == nil || !slices.Equal(s.metrics["B/entry"], []float64{2712}) {
		t.Fatalf("runs = %v, want B/entry 2712 of %s", keys(runs), memoryTest)
	}
}

// reportOf renders the targets table of a go test -bench output.
func reportOf(t *testing.T, out string) string {
	t.Helper()
	runs := map[string]*samples{}
	if _, err := parseBench(runs, writeFile(t, out), false); err != nil {
		t.Fatal(err)
	}
	summarize(runs)
	var b bytes.Buffer
	(&report{w: &b}).targets(runs)
	return b.String()
}

// rowOf returns the line of the targets table whose measure starts with
// what.
func rowOf(t *testing.T, table, what string) string {
	t.Helper()
	for line := range strings.Lines(table) {
		if cells := strings.Split(line, " | "); len(cells) > 1 && strings.HasPrefix(cells[1], what) {
			return line
		}
	}
	t.Fatalf("no row %q in\n%s", what, table)
	return ""
}

func TestTargets(t *testing.T) {
	out := roundsOutput + `pkg: github.com/b2bauth/b2bauth/middleware
BenchmarkRequireSession/repeat-2       	 2000000	       600.0 ns/op	     400 B/op	       3 allocs/op
BenchmarkRequireSession/first_seen-2   	   20000	     48000 ns/op	    9700 B/op	      97 allocs/op
BenchmarkJWTParseBaseline-2            	   20000	     49000 ns/op	   10496 B/op	     139 allocs/op
BenchmarkRequireSession/repeat-2       	 2000000	       700.0 ns/op	     400 B/op	       3 allocs/op
BenchmarkRequireSession/first_seen-2   	   20000	     52000 ns/op	    9700 B/op	      97 allocs/op
BenchmarkJWTParseBaseline-2            	   20000	     53000 ns/op	   10496 B/op	     139 allocs/op
BenchmarkRequireSession/repeat-2       	 2000000	       650.0 ns/op	     400 B/op	       3 allocs/op
`
	table := reportOf(t, out)
	tests := []struct {
		name, what string
		want       []string
	}{
		{"a ratio is the median of the rounds' ratios, with their spread",
			"RequireSession/first_seen / JWTParseBaseline", []string{"| 0.980× | 0.980× – 0.981× | ≤ 1.000× | pass |"}},
		{"a ratio over a benchmark that did not run says which",
			"RequireSession/first_seen / RSAVerifyFloor", []string{"not run: BenchmarkRSAVerifyFloor", "**not run**"}},
		{"a figure over the target is a miss",
			"p99 of a guard step added by Redis", []string{"| +1.15 ms | +897.5 µs – +1.40 ms | ≤ 1.00 ms | **miss** |"}},
		{"a figure under the target passes",
			"RequireSession/repeat, ns/op", []string{"| 650 ns | 600 ns – 700 ns | ≤ 1.0 µs | pass |"}},
		{"the repeat path over bare is absolute when bare did not run",
			"RequireSession/repeat over RequireSession/bare, allocs/op", []string{"absolute: BenchmarkRequireSession/bare not run", "| 3 | 3 – 3 | ≤ 2 | **miss** |"}},
		{"a difference with a benchmark that did not run says which",
			"ns/op added by revocations", []string{"not run: BenchmarkRequireSessionWithRevocations/repeat"}},
		{"a figure without a target is reported",
			"p50 of a guard step added by Redis", []string{"| +209.1 µs | +199.2 µs – +219.1 µs | – | reported |"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			row := rowOf(t, table, tt.what)
			for _, w := range tt.want {
				if !strings.Contains(row, w) {
					t.Errorf("row %q lacks %q", row, w)
				}
			}
		})
	}
}

func TestTargetsPairUnequalRunsByMedians(t *testing.T) {
	out := `pkg: github.com/b2bauth/b2bauth/middleware
BenchmarkRequireSession/repeat-2       	 2000000	       600.0 ns/op	     400 B/op	       3 allocs/op
BenchmarkRequireSessionWithRevocations/repeat-2       	 2000000	       700.0 ns/op	     400 B/op	       3 allocs/op
BenchmarkRequireSession/repeat-2       	 2000000	       800.0 ns/op	     400 B/op	       3 allocs/op
`
	row := rowOf(t, reportOf(t, out), "ns/op added by revocations")
	for _, w := range []string{"of the medians", "| +0 ns |"} {
		if !strings.Contains(row, w) {
			t.Errorf("row %q lacks %q", row, w)
		}
	}
}

func TestTargetsOverBareAndMemory(t *testing.T) {
	out := `pkg: github.com/b2bauth/b2bauth/middleware
BenchmarkRequireSession/bare-2         	10000000	       100.0 ns/op	       0 B/op	       0 allocs/op
BenchmarkRequireSession/repeat-2       	 2000000	       350.0 ns/op	     400 B/op	       3 allocs/op
BenchmarkCacheMemory-2                 	       1	    500000 ns/op	      2600 B/entry
`
	table := reportOf(t, out)
	tests := []struct {
		name, what, want string
	}{
		{"the repeat path is measured over the bare handler when it ran",
			"RequireSession/repeat over RequireSession/bare, ns/op", "| RequireSession/repeat over RequireSession/bare, ns/op | 250 ns |"},
		{"allocations over bare are counted the same way",
			"RequireSession/repeat over RequireSession/bare, allocs/op", "| 3 |  | ≤ 2 | **miss** |"},
		{"the memory per entry comes from a benchmark's B/entry metric",
			"memory per cached verified JWT", "(from BenchmarkCacheMemory) | 2600 B |"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if row := rowOf(t, table, tt.what); !strings.Contains(row, tt.want) {
				t.Errorf("row %q lacks %q", row, tt.want)
			}
		})
	}
}
