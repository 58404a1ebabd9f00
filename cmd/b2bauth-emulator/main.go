// Command b2bauth-emulator serves the b2bauth in-memory Stytch B2B API for
// local development: point an app's Stytch base URL at it.
//
//	b2bauth-emulator -addr 127.0.0.1:9000 -seed seed.json -key-file keys.pem
//
// It listens on 127.0.0.1:9000 unless -addr says otherwise, as the project
// project-test-00000000-0000-4000-8000-000000000000 with the secret
// secret-test-emulator (-project-id, -secret): give those to the app with the
// emulator's URL as its base URL (client.WithBaseURL). -seed loads
// organizations, members, roles and M2M clients from a JSON file (its form is
// under "Seed file" in the documentation of package emulator); without it the
// project starts empty. -key-file keeps the JWT signing keys in a PEM file,
// created if missing, so that key ids and signatures stay valid across
// restarts.
//
// -public-token fixes the public token the OAuth discovery start endpoint
// accepts (random otherwise, and logged at start), and -redirect-url the
// page magic links lead to when a send names none.
//
// Messages it would send (magic links, SMS codes) are logged and shown at
// /_emulator/outbox. That page needs no credentials: keep the emulator on a
// loopback address.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/b2bauth/b2bauth/emulator"
	"github.com/b2bauth/b2bauth/internal/interrupt"
)

func main() {
	ctx, stop := interrupt.Context(context.Background())
	err := run(ctx, os.Args[1:], os.Stderr, nil)
	stop()
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "b2bauth-emulator:", err)
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

// run serves until ctx ends; ready, when set, is told the base URL once the
// server listens.
func run(ctx context.Context, args []string, stderr io.Writer, ready func(url string)) error {
	fs := flag.NewFlagSet("b2bauth-emulator", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:9000", "address to listen on")
	projectID := fs.String("project-id", "project-test-00000000-0000-4000-8000-000000000000", "project id (basic-auth user, JWT audience)")
	secret := fs.String("secret", "secret-test-emulator", "project secret (basic-auth password)")
	seedPath := fs.String("seed", "", "JSON seed file with organizations, members and roles")
	keyFile := fs.String("key-file", "", "PEM file keeping the JWT signing keys across restarts (created if missing)")
	publicToken := fs.String("public-token", "", "public token the OAuth discovery start endpoint accepts (default random)")
	redirectURL := fs.String("redirect-url", "", "where magic links lead when a send names no redirect URL (default http://localhost:3000/authenticate)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		// Parsing stops at the first argument that is not a flag, so the
		// flags after it would be ignored too: refuse rather than serve
		// something other than what was asked.
		return fmt.Errorf("unexpected argument %q: every setting is a flag, such as -seed FILE (see -h)", fs.Arg(0))
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	opts := []emulator.Option{
		emulator.WithAddr(*addr),
		emulator.WithProjectID(*projectID),
		emulator.WithSecret(*secret),
		emulator.WithLogger(log),
	}
	if *seedPath != "" {
		seed, err := emulator.LoadSeed(*seedPath)
		if err != nil {
			return err
		}
		opts = append(opts, emulator.WithSeed(seed))
	}
	if *keyFile != "" {
		opts = append(opts, emulator.WithKeyFile(*keyFile))
	}
	if *publicToken != "" {
		opts = append(opts, emulator.WithPublicToken(*publicToken))
	}
	if *redirectURL != "" {
		opts = append(opts, emulator.WithDiscoveryRedirectURL(*redirectURL))
	}
	s, err := emulator.New(opts...)
	if err != nil {
		return err
	}
	defer s.Close()
	log.Info("b2bauth emulator listening", "url", s.URL(), "project_id", s.ProjectID(), "public_token", s.PublicToken(),
		"outbox", s.URL()+"/_emulator/outbox", "jwks", s.URL()+"/v1/b2b/sessions/jwks/"+s.ProjectID())
	if ready != nil {
		ready(s.URL())
	}
	<-ctx.Done()
	log.Info("b2bauth emulator stopping")
	return nil
}
