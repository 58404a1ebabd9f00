package flows_test

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/b2bauth/b2bauth/flows"
)

func TestCookieKeysRoundTrip(t *testing.T) {
	a, err := flows.GenerateKeyPair()
	if err != nil {
		t.Fatal(err)
	}
	b, err := flows.GenerateKeyPair()
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(a.Hash, b.Hash) || bytes.Equal(a.Block, b.Block) {
		t.Fatal("two generated key pairs are equal")
	}
	if len(a.Hash) != 32 || len(a.Block) != 32 {
		t.Fatalf("key sizes %d/%d, want 32/32", len(a.Hash), len(a.Block))
	}
	got, err := flows.ParseCookieKeys(flows.FormatCookieKeys(a, b))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || !bytes.Equal(got[0].Hash, a.Hash) || !bytes.Equal(got[0].Block, a.Block) ||
		!bytes.Equal(got[1].Hash, b.Hash) || !bytes.Equal(got[1].Block, b.Block) {
		t.Fatal("parsed keys differ from the formatted ones")
	}
}

func TestParseCookieKeysRefusesBadInput(t *testing.T) {
	hex := func(n int) string { return strings.Repeat("ab", n) }
	tests := []struct {
		name, in, want string
		is             error
	}{
		{name: "an empty value is no keys", in: "  ", is: flows.ErrNoCookieKeys},
		{name: "a pair without a block key", in: hex(32), want: `cookie key pair 0: want hex "hash:block"`},
		{name: "a hash key that is not hex", in: "zz:" + hex(32), want: "cookie key pair 0: hash key is not hex"},
		{name: "a block key that is not hex", in: hex(32) + ":zz", want: "cookie key pair 0: block key is not hex"},
		{name: "a short hash key", in: hex(16) + ":" + hex(32), want: "hash key must be 32 or 64 bytes, got 16"},
		{name: "a hash key of zero bytes", in: strings.Repeat("00", 32) + ":" + hex(32), want: "cookie key pair 0: hash key is all zero"},
		{name: "a block key of zero bytes", in: hex(32) + ":" + strings.Repeat("00", 32), want: "cookie key pair 0: block key is all zero"},
		{name: "a bad block key in the second pair", in: hex(32) + ":" + hex(32) + "," + hex(64) + ":" + hex(8), want: "cookie key pair 1: block key must be 16, 24 or 32 bytes, got 8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := flows.ParseCookieKeys(tt.in)
			if err == nil {
				t.Fatal("no error")
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %v, want %v", err, tt.is)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q, want it to contain %q", err, tt.want)
			}
			if strings.Contains(err.Error(), hex(8)) {
				t.Errorf("error %q repeats key material", err)
			}
		})
	}
}

func TestCookieKeysFromEnv(t *testing.T) {
	t.Setenv("TEST_COOKIE_KEYS", "")
	if _, err := flows.CookieKeysFromEnv("TEST_COOKIE_KEYS"); !errors.Is(err, flows.ErrNoCookieKeys) || !strings.Contains(err.Error(), "TEST_COOKIE_KEYS") {
		t.Fatalf("unset variable: error %v, want ErrNoCookieKeys naming the variable", err)
	}
	p, err := flows.GenerateKeyPair()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("TEST_COOKIE_KEYS", flows.FormatCookieKeys(p))
	got, err := flows.CookieKeysFromEnv("TEST_COOKIE_KEYS")
	if err != nil || len(got) != 1 || !bytes.Equal(got[0].Hash, p.Hash) {
		t.Fatalf("CookieKeysFromEnv = %v, %v", len(got), err)
	}
}

func ExampleParseCookieKeys() {
	// Read keys from a secret, e.g. the B2BAUTH_COOKIE_KEYS environment
	// variable (flows.CookieKeysFromEnv does both steps).
	keys, err := flows.ParseCookieKeys(
		"0101010101010101010101010101010101010101010101010101010101010101:0202020202020202020202020202020202020202020202020202020202020202," +
			"0303030303030303030303030303030303030303030303030303030303030303:04040404040404040404040404040404")
	fmt.Println(len(keys), len(keys[0].Hash), len(keys[0].Block), len(keys[1].Block), err)

	_, err = flows.ParseCookieKeys("0101:0202")
	fmt.Println(err)
	// Output:
	// 2 32 32 16 <nil>
	// b2bauth: flows: cookie key pair 0: hash key must be 32 or 64 bytes, got 2
}

func ExampleGenerateKeyPair() {
	p, err := flows.GenerateKeyPair()
	if err != nil {
		panic(err)
	}
	// Store this once as a secret, e.g. B2BAUTH_COOKIE_KEYS; every replica
	// needs the same keys.
	secret := flows.FormatCookieKeys(p)
	fmt.Println(len(secret))
	// Output: 129
}
