// Command b2bauth-keys prints a new key pair for the login flow cookie in
// the form [flows.ParseCookieKeys] reads, ready for an environment variable:
//
//	$ go run github.com/b2bauth/b2bauth/cmd/b2bauth-keys
//	B2BAUTH_COOKIE_KEYS=5f0c…:9a41…
//
// With -rotate OLD, the new pair is put before the pairs of OLD, so cookies
// written with the old keys still decode while new ones use the new pair.
// The output is a secret: store it in the app's secret store.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/b2bauth/b2bauth/flows"
)

func main() {
	err := run(os.Args[1:], os.Stdout)
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

func run(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("b2bauth-keys", flag.ContinueOnError)
	name := fs.String("name", "B2BAUTH_COOKIE_KEYS", "the variable name to print")
	rotate := fs.String("rotate", "", "current keys to keep after the new pair (the value of the variable)")
	if err := fs.Parse(args); err != nil {
		return err
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
	p, err := flows.GenerateKeyPair()
	if err != nil {
		return err
	}
	pairs := []flows.KeyPair{p}
	if flagSet(fs, "rotate") {
		// An empty value is refused too: -rotate "$B2BAUTH_COOKIE_KEYS" in
		// a shell without that variable would otherwise print a lone new
		// pair, which would replace the keys still in use.
		old, err := flows.ParseCookieKeys(*rotate)
		if err != nil {
			return fmt.Errorf("-rotate: %w", err)
		}
		pairs = append(pairs, old...)
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
