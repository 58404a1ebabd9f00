package emulator

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"math/big"
)

// randomBytes reads from crypto/rand, which never fails since Go 1.24.
func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

func newUUID() string {
	b := randomBytes(16)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// newID returns an identifier shaped like Stytch's test ids, e.g.
// "member-test-2f1c...".
func newID(kind string) string {
	return kind + "-test-" + newUUID()
}

// newToken returns a 44 character URL-safe secret, the length of Stytch's
// session tokens.
func newToken() string {
	return base64.RawURLEncoding.EncodeToString(randomBytes(33))
}

// randomString draws n characters uniformly from alphabet.
func randomString(n int, alphabet string) string {
	out := make([]byte, n)
	limit := big.NewInt(int64(len(alphabet)))
	for i := range out {
		v, _ := rand.Int(rand.Reader, limit)
		out[i] = alphabet[v.Int64()]
	}
	return string(out)
}

func newOTPCode() string {
	return randomString(6, "0123456789")
}

// newRecoveryCode returns a code shaped like Stytch's, e.g. "ckss-2skx-ebow".
func newRecoveryCode() string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	return randomString(4, alphabet) + "-" + randomString(4, alphabet) + "-" + randomString(4, alphabet)
}
