package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// syncBuffer is a log sink safe for the server's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestRunServesSeedAndLogsSends(t *testing.T) {
	dir := t.TempDir()
	seed := filepath.Join(dir, "seed.json")
	if err := os.WriteFile(seed, []byte(`{"organizations":[{"organization_name":"Acme","organization_slug":"acme"}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	urls := make(chan string, 1)
	done := make(chan error, 1)
	logs := &syncBuffer{}
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-project-id", "project-test-cli", "-secret", "s3cret",
			"-seed", seed, "-key-file", filepath.Join(dir, "keys.pem"), "-public-token", "public-token-test-cli",
			"-redirect-url", "http://app.test/auth/callback"}, logs, func(u string) { urls <- u })
	}()
	var base string
	select {
	case base = <-urls:
	case err := <-done:
		t.Fatalf("run: %v", err)
	}

	res, err := http.Get(base + "/v1/b2b/sessions/jwks/project-test-cli")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("JWKS: %d", res.StatusCode)
	}
	req, _ := http.NewRequest("POST", base+"/v1/b2b/magic_links/email/discovery/send", strings.NewReader(`{"email_address":"a@acme.test"}`))
	req.SetBasicAuth("project-test-cli", "s3cret")
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("send: %d", res.StatusCode)
	}

	cancel()
	if err := <-done; err != nil {
		t.Fatalf("run: %v", err)
	}
	if out := logs.String(); !strings.Contains(out, "a@acme.test") || !strings.Contains(out, "stytch_token_type=discovery") {
		t.Fatalf("the send was not logged: %s", out)
	}
	if out := logs.String(); !strings.Contains(out, "http://app.test/auth/callback?") || !strings.Contains(out, "public_token=public-token-test-cli") {
		t.Fatalf("-redirect-url or -public-token not applied: %s", out)
	}
	if _, err := os.Stat(filepath.Join(dir, "keys.pem")); err != nil {
		t.Fatalf("key file: %v", err)
	}
}

func TestRunRejectsBadFlags(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{"an unknown flag is refused", []string{"-nope"}},
		{"a missing seed file is refused", []string{"-seed", "/does/not/exist.json"}},
		{"a bad address is refused", []string{"-addr", "256.1.1.1:0"}},
		// The flag package stops at the first argument that is not a
		// flag: the flags after it would be ignored too.
		{"an argument that is not a flag is refused", []string{"seed.json", "-addr", "127.0.0.1:0"}},
		{"an argument after the flags is refused", []string{"-addr", "127.0.0.1:0", "seed.json"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Already ended: a run that accepts the arguments returns at
			// once instead of serving.
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			err := run(ctx, tt.args, io.Discard, nil)
			if err == nil {
				t.Fatal("accepted")
			}
		})
	}
	if err := run(context.Background(), []string{"-h"}, io.Discard, nil); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("-h: %v", err)
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
