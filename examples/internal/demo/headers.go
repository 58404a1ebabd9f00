package demo

import "net/http"

// contentSecurityPolicy allows no scripts at all: the pages and the flows'
// templates use inline styles, forms posting to the app, and the TOTP QR
// code as a data: image.
const contentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; " +
	"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// SetSecurityHeaders sets the headers every answer of the app carries: a
// script-free Content-Security-Policy, no framing, no MIME sniffing, no
// cross-origin Referer and an isolated browsing context. Handlers may
// override them, as the flows do with a stricter Referrer-Policy.
func SetSecurityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
}

// SecurityHeaders is [SetSecurityHeaders] as net/http middleware.
func SecurityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		SetSecurityHeaders(w.Header())
		next.ServeHTTP(w, r)
	})
}
