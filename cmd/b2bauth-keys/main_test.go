package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/b2bauth/b2bauth/flows"
)

func TestRun(t *testing.T) {
	var first bytes.Buffer
	if err := run(nil, &first); err != nil {
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
	if err := run([]string{"-name", "KEYS", "-rotate", value}, &rotated); err != nil {
		t.Fatal(err)
	}
	name, value2, _ := strings.Cut(strings.TrimSpace(rotated.String()), "=")
	if name != "KEYS" || !strings.HasSuffix(value2, ","+value) {
		t.Fatalf("rotation printed %q, want a new pair before the old one", rotated.String())
	}
	if keys, err := flows.ParseCookieKeys(value2); err != nil || len(keys) != 2 {
		t.Fatalf("rotated keys parse to %d pairs, %v", len(keys), err)
	}

	if err := run([]string{"-rotate", "zz:zz"}, &bytes.Buffer{}); err == nil {
		t.Fatal("bad keys to rotate: no error")
	}
}
