// Command b2bauth-keys prints a new key pair for the login flow cookie in
// the form [flows.ParseCookieKeys] reads, ready for an environment variable:
//
//	$ go run github.com/b2bauth/b2bauth/cmd/b2bauth-keys
//	B2BAUTH_COOKIE_KEYS=5f0c…:9a41…
//
// The first pair encodes and every pair decodes. Rotate in three steps,
// each deployed to every replica (every process serving the app, old and
// new ones alike during a rolling deploy) before the next:
//
//  1. -add CURRENT prints CURRENT with a new pair after it: every replica
//     learns to decode with the new pair while all still encode with the
//     old one.
//  2. -promote KEYS prints KEYS with its last pair, the one added, moved
//     first: replicas encode with it, and those not yet updated still read
//     what it encodes.
//  3. A flow lifetime (10 minutes) after the last replica took step 2,
//     keep only the first pair (${B2BAUTH_COOKIE_KEYS%%,*} in a shell).
//
// With -rotate CURRENT, the new pair is put first at once, steps 1 and 2
// together: only for an app that never runs beside a copy of itself with
// the previous keys, since such a copy cannot read the cookies the new
// pair encodes and ends the sign-ins they carry.
//
// A value of - reads the keys from standard input instead, so that they
// show neither in the process list nor in the shell's history; the line may
// be the command's own output, NAME=KEYS:
//
//	$ printenv B2BAUTH_COOKIE_KEYS | b2bauth-keys -add -
//
// The output is a secret: store it in the app's secret store.
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/b2bauth/b2bauth/flows"
)

func main() {
	err := run(os.Args[1:], os.Stdin, os.Stdout)
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "b2bauth-keys:", err)
	}
	os.Exit(exitCode(err))
}

// exitCode is the status of a run that ended with err: 0 for success and for
// -h (the usage, already printed, is what was asked for), else 2.
func exitCode(err error) int {
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return 0
	}
	return 2
}

func run(args []string, in io.Reader, out io.Writer) error {
	fs := flag.NewFlagSet("b2bauth-keys", flag.ContinueOnError)
	name := fs.String("name", "B2BAUTH_COOKIE_KEYS", "the variable name to print")
	rotate := fs.String("rotate", "", "current keys to keep after a new pair made first (the value of the variable; - reads it from standard input)")
	add := fs.String("add", "", "current keys to put a new pair after, to decode with it only (rotation step 1; - reads them from standard input)")
	promote := fs.String("promote", "", "keys whose last pair is moved first, to encode with it (rotation step 2; - reads them from standard input)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	given := 0
	for _, f := range []string{"rotate", "add", "promote"} {
		if flagSet(fs, f) {
			given++
		}
	}
	if given > 1 {
		return errors.New("-rotate, -add and -promote are different steps: give one")
	}
	if fs.NArg() > 0 {
		// Parsing stops at the first argument that is not a flag: a
		// mistyped "rotate OLD" would print a lone new pair, which would
		// replace the keys still in use.
		return fmt.Errorf("unexpected argument %q: every setting is a flag, such as -rotate OLD (see -h)", fs.Arg(0))
	}
	if *name == "" || strings.Contains(*name, "=") {
		return fmt.Errorf("-name %q: want a variable name, without =", *name)
	}
	for _, v := range []*string{rotate, add, promote} {
		if *v == "-" {
			keys, err := readKeys(in, *name)
			if err != nil {
				return err
			}
			*v = keys
		}
	}
	var pairs []flows.KeyPair
	if flagSet(fs, "promote") {
		keys, err := flows.ParseCookieKeys(*promote)
		if err != nil {
			return fmt.Errorf("-promote: %w", err)
		}
		if len(keys) < 2 {
			return errors.New("-promote: want the keys printed by -add, the new pair last")
		}
		last := keys[len(keys)-1]
		pairs = append([]flows.KeyPair{last}, keys[:len(keys)-1]...)
		_, err = fmt.Fprintf(out, "%s=%s\n", *name, flows.FormatCookieKeys(pairs...))
		return err
	}
	p, err := flows.GenerateKeyPair()
	if err != nil {
		return err
	}
	pairs = []flows.KeyPair{p}
	// An empty value is refused too: -rotate "$B2BAUTH_COOKIE_KEYS" in a
	// shell without that variable would otherwise print a lone new pair,
	// which would replace the keys still in use.
	switch {
	case flagSet(fs, "rotate"):
		old, err := flows.ParseCookieKeys(*rotate)
		if err != nil {
			return fmt.Errorf("-rotate: %w", err)
		}
		pairs = append(pairs, old...)
	case flagSet(fs, "add"):
		old, err := flows.ParseCookieKeys(*add)
		if err != nil {
			return fmt.Errorf("-add: %w", err)
		}
		pairs = append(old, p)
	}
	_, err = fmt.Fprintf(out, "%s=%s\n", *name, flows.FormatCookieKeys(pairs...))
	return err
}

// flagSet reports whether the flag name was given on the command line,
// whatever its value.
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// maxInput bounds what readKeys reads: a list of a few dozen key pairs.
const maxInput = 64 << 10

// readKeys reads the keys given as "-" from in: one line, either the keys
// alone or name=keys as the command prints them.
func readKeys(in io.Reader, name string) (string, error) {
	sc := bufio.NewScanner(io.LimitReader(in, maxInput))
	sc.Buffer(make([]byte, 0, 4096), maxInput)
	var line string
	for sc.Scan() {
		if t := strings.TrimSpace(sc.Text()); t != "" {
			if line != "" {
				return "", errors.New("standard input: want one line of keys, found more")
			}
			line = t
		}
	}
	if err := sc.Err(); err != nil {
		return "", fmt.Errorf("standard input: %w", err)
	}
	if line == "" {
		return "", errors.New("standard input: no keys")
	}
	// The command's own output, possibly from another -name.
	if before, after, ok := strings.Cut(line, "="); ok && !strings.ContainsAny(before, ":,") {
		if before != name {
			return "", fmt.Errorf("standard input: keys of %s, not of %s (give -name %s)", before, name, before)
		}
		line = after
	}
	return line, nil
}
