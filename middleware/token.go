package middleware

import (
	"net/http"
	"strings"
)

// MaxTokenSize is the longest credential, in bytes, that is parsed at all.
// Stytch session JWTs are a few kilobytes; anything longer is refused as
// invalid without decoding it.
const MaxTokenSize = 16 << 10

// TokenSource extracts a credential from a request, or returns "".
type TokenSource func(*http.Request) string

// TokenFromHeader returns the token of an "Authorization: Bearer <token>"
// header (scheme case-insensitive), or "".
func TokenFromHeader(r *http.Request) string {
	h := r.Header.Get("Authorization")
	const prefix = "bearer "
	if len(h) > len(prefix) && strings.EqualFold(h[:len(prefix)], prefix) {
		return strings.TrimSpace(h[len(prefix):])
	}
	return ""
}

// TokenFromCookie returns a TokenSource reading the named cookie.
func TokenFromCookie(name string) TokenSource {
	return func(r *http.Request) string {
		c, err := r.Cookie(name)
		if err != nil {
			return ""
		}
		return c.Value
	}
}

func firstToken(r *http.Request, sources []TokenSource) string {
	for _, src := range sources {
		if t := src(r); t != "" {
			return t
		}
	}
	return ""
}
