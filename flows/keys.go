package flows

import (
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/gorilla/securecookie"
)

// ErrNoCookieKeys is returned by [CookieKeysFromEnv] when the variable is
// unset or empty.
var ErrNoCookieKeys = errors.New("b2bauth: flows: no cookie keys")

// GenerateKeyPair returns a new [KeyPair] from the operating system's
// cryptographic random source: a 32-byte hash key and a 32-byte block key
// (AES-256). Generate keys once, store them as a secret (see
// [FormatCookieKeys]) and give every replica the same ones: keys generated at
// start-up end every sign-in in progress at each restart.
func GenerateKeyPair() (KeyPair, error) {
	hash := securecookie.GenerateRandomKey(32)
	block := securecookie.GenerateRandomKey(32)
	if hash == nil || block == nil {
		return KeyPair{}, errors.New("b2bauth: flows: no random source for cookie keys")
	}
	return KeyPair{Hash: hash, Block: block}, nil
}

// FormatCookieKeys writes key pairs in the text form [ParseCookieKeys]
// reads: hex "hash:block" pairs separated by commas. The result is a secret.
func FormatCookieKeys(pairs ...KeyPair) string {
	parts := make([]string, len(pairs))
	for i, p := range pairs {
		parts[i] = hex.EncodeToString(p.Hash) + ":" + hex.EncodeToString(p.Block)
	}
	return strings.Join(parts, ",")
}

// ParseCookieKeys reads key pairs written as hex "hash:block[,hash:block]",
// as [FormatCookieKeys] writes them: per pair a 32- or 64-byte hash key and
// a 16-, 24- or 32-byte block key. The first pair encrypts and every pair
// decrypts: keys rotate by adding a new pair last, then moving it first
// (see [WithCookieKeys]). A pair can also be made with
//
//	echo "$(openssl rand -hex 32):$(openssl rand -hex 32)"
//
// Errors name the pair at fault, never the key material.
func ParseCookieKeys(s string) ([]KeyPair, error) {
	if strings.TrimSpace(s) == "" {
		return nil, ErrNoCookieKeys
	}
	var pairs []KeyPair
	for i, part := range strings.Split(s, ",") {
		hashHex, blockHex, ok := strings.Cut(strings.TrimSpace(part), ":")
		if !ok {
			return nil, fmt.Errorf("b2bauth: flows: cookie key pair %d: want hex \"hash:block\"", i)
		}
		hash, err := hex.DecodeString(hashHex)
		if err != nil {
			return nil, fmt.Errorf("b2bauth: flows: cookie key pair %d: hash key is not hex", i)
		}
		block, err := hex.DecodeString(blockHex)
		if err != nil {
			return nil, fmt.Errorf("b2bauth: flows: cookie key pair %d: block key is not hex", i)
		}
		p := KeyPair{Hash: hash, Block: block}
		if err := p.validate(i); err != nil {
			return nil, err
		}
		pairs = append(pairs, p)
	}
	return pairs, nil
}

// CookieKeysFromEnv reads key pairs from the environment variable name with
// [ParseCookieKeys]. An unset or empty variable is [ErrNoCookieKeys].
func CookieKeysFromEnv(name string) ([]KeyPair, error) {
	pairs, err := ParseCookieKeys(os.Getenv(name))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return pairs, nil
}

// validate checks the key sizes securecookie accepts, and refuses a key of
// zero bytes: no random source yields one, while a placeholder left in a
// configuration does, and with it anyone could read and forge flow cookies.
// i names the pair in the error.
func (p KeyPair) validate(i int) error {
	if n := len(p.Hash); n != 32 && n != 64 {
		return fmt.Errorf("b2bauth: flows: cookie key pair %d: hash key must be 32 or 64 bytes, got %d", i, n)
	}
	if n := len(p.Block); n != 16 && n != 24 && n != 32 {
		return fmt.Errorf("b2bauth: flows: cookie key pair %d: block key must be 16, 24 or 32 bytes, got %d", i, n)
	}
	if allZero(p.Hash) {
		return fmt.Errorf("b2bauth: flows: cookie key pair %d: hash key is all zero bytes, not a random key", i)
	}
	if allZero(p.Block) {
		return fmt.Errorf("b2bauth: flows: cookie key pair %d: block key is all zero bytes, not a random key", i)
	}
	return nil
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}
