// Package tokenshape tells whether a string can be one of Stytch's opaque
// tokens (session tokens, and the tokens of its redirects), so that what
// cannot be one is refused without asking Stytch.
package tokenshape

// Bounds of a plausible token's length. Stytch's tokens are 44 URL-safe
// base64 characters today; the bounds are generous on purpose, so that a
// change of format at Stytch neither logs members out nor breaks sign-in.
const (
	MinLen = 20
	MaxLen = 256
)

// Plausible reports whether t is MinLen to MaxLen characters of the URL-safe
// base64 alphabet, with '=' padding when padded is set. The exact format is
// not checked.
func Plausible(t string, padded bool) bool {
	if len(t) < MinLen || len(t) > MaxLen {
		return false
	}
	for i := 0; i < len(t); i++ {
		c := t[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || padded && c == '=') {
			return false
		}
	}
	return true
}
