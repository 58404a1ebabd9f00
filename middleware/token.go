package middleware

import (
	"net/http"
	"strings"

	"github.com/b2bauth/b2bauth/internal/tokenshape"
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
	// The key is canonical already: indexing skips Header.Get's
	// canonicalization, on every request.
	var h string
	if v := r.Header["Authorization"]; len(v) > 0 {
		h = v[0]
	}
	const prefix = "bearer "
	if len(h) > len(prefix) && strings.EqualFold(h[:len(prefix)], prefix) {
		return strings.TrimSpace(h[len(prefix):])
	}
	return ""
}

// TokenFromCookie returns a TokenSource reading the named cookie: the value
// of the first cookie of that name in the request's Cookie headers, without
// surrounding double quotes, or "".
func TokenFromCookie(name string) TokenSource {
	return func(r *http.Request) string { return cookieValue(r.Header["Cookie"], name) }
}

// cookieValue finds one cookie's value in Cookie header lines. It is the hot
// path of every request: unlike http.Request.Cookie it neither validates nor
// copies the other cookies, nor checks the value's bytes, which costs
// microseconds on kilobyte-long JWT cookies. The value is only ever a cache
// key, a JWT the parser validates, or a token sent to Stytch JSON-encoded.
func cookieValue(lines []string, name string) string {
	if name == "" {
		return ""
	}
	for _, line := range lines {
		for line != "" {
			var part string
			part, line, _ = strings.Cut(line, ";")
			k, v, _ := strings.Cut(trimASCIISpace(part), "=")
			if trimASCIISpace(k) != name {
				continue
			}
			if len(v) > 1 && v[0] == '"' && v[len(v)-1] == '"' {
				v = v[1 : len(v)-1]
			}
			return v
		}
	}
	return ""
}

// cookieValues returns the values of up to max cookies named name in Cookie
// header lines, in the order sent, with cookieValue's parsing.
func cookieValues(lines []string, name string, max int) []string {
	var vals []string
	for _, line := range lines {
		for line != "" && len(vals) < max {
			var part string
			part, line, _ = strings.Cut(line, ";")
			k, v, _ := strings.Cut(trimASCIISpace(part), "=")
			if trimASCIISpace(k) != name {
				continue
			}
			if len(v) > 1 && v[0] == '"' && v[len(v)-1] == '"' {
				v = v[1 : len(v)-1]
			}
			vals = append(vals, v)
		}
	}
	return vals
}

// trimASCIISpace trims what net/http trims around cookie pairs and names
// (space, tab, CR, LF), without strings.Trim's per-call set of characters:
// it runs on every request.
func trimASCIISpace(s string) string {
	for len(s) > 0 && isASCIISpace(s[0]) {
		s = s[1:]
	}
	for len(s) > 0 && isASCIISpace(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	return s
}

func isASCIISpace(b byte) bool { return b == ' ' || b == '\t' || b == '\r' || b == '\n' }

func firstToken(r *http.Request, sources []TokenSource) string {
	for _, src := range sources {
		if t := src(r); t != "" {
			return t
		}
	}
	return ""
}

// plausibleSessionToken reports whether t could be a Stytch session token
// (see tokenshape.Plausible). Anything else is refused without asking
// Stytch.
func plausibleSessionToken(t string) bool { return tokenshape.Plausible(t, false) }
