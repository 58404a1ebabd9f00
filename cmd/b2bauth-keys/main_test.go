package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/b2bauth/b2bauth/flows"
)

func TestRun(t *testing.T) {
	var first bytes.Buffer
	if err := run(nil, nil, &first); err != nil {
		t.Fatal(err)
	}
	name, value, ok := strings.Cut(strings.TrimSpace(first.String()), "=")
	if !ok || name != "B2BAUTH_COOKIE_KEYS" {
		t.Fatalf("output %q, want B2BAUTH_COOKIE_KEYS=...", first.String())
	}
	keys, err := flows.ParseCookieKeys(value)
	if err != nil || len(keys) != 1 {
		t.Fatalf("printed keys parse to %d pairs, %v", len(keys), err)
	}

	var rotated bytes.Buffer
	if err := run([]string{"-name", "KEYS", "-rotate", value}, nil, &rotated); err != nil {
		t.Fatal(err)
	}
	name, value2, _ := strings.Cut(strings.TrimSpace(rotated.String()), "=")
	if name != "KEYS" || !strings.HasSuffix(value2, ","+value) {
		t.Fatalf("rotation printed %q, want a new pair before the old one", rotated.String())
	}
	if keys, err := flows.ParseCookieKeys(value2); err != nil || len(keys) != 2 {
		t.Fatalf("rotated keys parse to %d pairs, %v", len(keys), err)
	}

	if err := run([]string{"-rotate", "zz:zz"}, nil, &bytes.Buffer{}); err == nil {
		t.Fatal("bad keys to rotate: no error")
	}
}

// testPair is a key pair in the text form: a 32-byte hash key and a 32-byte
// block key.
var testPair = strings.Repeat("01", 32) + ":" + strings.Repeat("02", 32)

// printed runs the command with args and returns the value it prints.
func printed(t *testing.T, args ...string) []flows.KeyPair {
	t.Helper()
	var out bytes.Buffer
	if err := run(args, nil, &out); err != nil {
		t.Fatalf("run(%q): %v", args, err)
	}
	_, value, _ := strings.Cut(strings.TrimSpace(out.String()), "=")
	keys, err := flows.ParseCookieKeys(value)
	if err != nil {
		t.Fatalf("run(%q) printed %q: %v", args, out.String(), err)
	}
	return keys
}

// TestRunStagesARotation: the rotation of a deployment with several
// replicas, or rolled out one process at a time, is done in steps: the new
// pair added last (every replica then decodes with it), then made first,
// then the old pair dropped. A replica still on the previous step reads
// every cookie the others write.
func TestRunStagesARotation(t *testing.T) {
	current := printed(t)
	added := printed(t, "-add", flows.FormatCookieKeys(current...))
	if len(added) != 2 || !slices.EqualFunc(added[:1], current, samePair) {
		t.Fatalf("-add printed %d pairs, want the current pair first and a new one after it", len(added))
	}
	promoted := printed(t, "-name", "KEYS", "-promote", flows.FormatCookieKeys(added...))
	if len(promoted) != 2 || !samePair(promoted[0], added[1]) || !samePair(promoted[1], added[0]) {
		t.Fatal("-promote did not put the added pair first, before the current one")
	}
	three := printed(t, "-promote", flows.FormatCookieKeys(current[0], added[1], current[0]))
	if !samePair(three[0], current[0]) || !samePair(three[1], current[0]) || !samePair(three[2], added[1]) {
		t.Fatal("-promote did not keep the order of the other pairs")
	}
}

// TestRunReadsKeysFromStandardInput: keys given as - are read from
// standard input, so that they show neither in the process list nor in the
// shell's history; the command's own output is read back as it is.
func TestRunReadsKeysFromStandardInput(t *testing.T) {
	other := strings.Repeat("03", 32) + ":" + strings.Repeat("04", 32)
	tests := []struct {
		name  string
		args  []string
		stdin string
		want  func(got []flows.KeyPair) bool
	}{
		{"-add - adds a new pair after the keys read", []string{"-add", "-"}, testPair + "\n",
			func(got []flows.KeyPair) bool { return len(got) == 2 && flows.FormatCookieKeys(got[0]) == testPair }},
		{"-add - reads the command's own output", []string{"-add", "-"}, "B2BAUTH_COOKIE_KEYS=" + testPair + "\n",
			func(got []flows.KeyPair) bool { return len(got) == 2 && flows.FormatCookieKeys(got[0]) == testPair }},
		{"-add - reads the output printed under -name", []string{"-name", "KEYS", "-add", "-"}, "KEYS=" + testPair,
			func(got []flows.KeyPair) bool { return len(got) == 2 && flows.FormatCookieKeys(got[0]) == testPair }},
		{"-promote - moves the last pair read first", []string{"-promote", "-"}, "\n" + testPair + "," + other + "\n\n",
			func(got []flows.KeyPair) bool {
				return len(got) == 2 && flows.FormatCookieKeys(got[0]) == other && flows.FormatCookieKeys(got[1]) == testPair
			}},
		{"-rotate - puts a new pair before the keys read", []string{"-rotate", "-"}, "  " + testPair + "  ",
			func(got []flows.KeyPair) bool { return len(got) == 2 && flows.FormatCookieKeys(got[1]) == testPair }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			if err := run(tt.args, strings.NewReader(tt.stdin), &out); err != nil {
				t.Fatalf("run(%q): %v", tt.args, err)
			}
			_, value, _ := strings.Cut(strings.TrimSpace(out.String()), "=")
			keys, err := flows.ParseCookieKeys(value)
			if err != nil || !tt.want(keys) {
				t.Errorf("run(%q) with %q on standard input printed %d pairs (%v), not what was asked", tt.args, tt.stdin, len(keys), err)
			}
		})
	}
}

func samePair(a, b flows.KeyPair) bool {
	return bytes.Equal(a.Hash, b.Hash) && bytes.Equal(a.Block, b.Block)
}

// TestRunRejectsBadArguments: a mistyped command line prints no keys, so
// that a rotation asked for wrongly does not print a lone new pair that
// would replace the old ones.
func TestRunRejectsBadArguments(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		stdin string
	}{
		{"an unknown flag is refused", []string{"-nope"}, ""},
		{"rotate without its dash is refused", []string{"rotate", "-name", "KEYS"}, ""},
		{"an argument after the flags is refused", []string{"-name", "KEYS", "extra"}, ""},
		{"an empty variable name is refused", []string{"-name", ""}, ""},
		{"a variable name holding = is refused", []string{"-name", "A=B"}, ""},
		{"rotating an empty value is refused", []string{"-rotate", ""}, ""},
		{"rotating blanks is refused", []string{"-rotate=  "}, ""},
		{"adding to an empty value is refused", []string{"-add", ""}, ""},
		{"promoting an empty value is refused", []string{"-promote", ""}, ""},
		{"promoting a lone pair is refused", []string{"-promote", testPair}, ""},
		{"two ways of rotating at once are refused", []string{"-add", testPair, "-rotate", testPair}, ""},
		{"adding and promoting at once is refused", []string{"-add", testPair, "-promote", testPair + "," + testPair}, ""},
		{"adding from an empty standard input is refused", []string{"-add", "-"}, ""},
		{"adding from blank lines is refused", []string{"-add", "-"}, "\n  \n"},
		{"adding from two lines of keys is refused", []string{"-add", "-"}, testPair + "\n" + testPair + "\n"},
		{"adding keys printed for another name is refused", []string{"-add", "-"}, "OTHER_KEYS=" + testPair},
		{"adding bad keys from standard input is refused", []string{"-add", "-"}, "zz:zz"},
		{"promoting a lone pair from standard input is refused", []string{"-promote", "-"}, testPair},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			err := run(tt.args, strings.NewReader(tt.stdin), &out)
			if err == nil || exitCode(err) != 2 {
				t.Errorf("run(%q) = %v, want an error exiting 2", tt.args, err)
			}
			if out.Len() != 0 {
				t.Errorf("printed %q, want nothing", out.String())
			}
		})
	}
}

func TestExitCode(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want int
	}{
		{"a run without error exits 0", nil, 0},
		{"asking for the usage with -h exits 0", flag.ErrHelp, 0},
		{"a wrapped request for the usage exits 0", fmt.Errorf("parse: %w", flag.ErrHelp), 0},
		{"any other error exits 2", errors.New("bad flag"), 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := exitCode(tt.err); got != tt.want {
				t.Errorf("exitCode(%v) = %d, want %d", tt.err, got, tt.want)
			}
		})
	}
}
