package demo

import "net/http"

// contentSecurityPolicy allows only the app's own script files (the flows'
// busy-state script; no inline script): the pages and the flows' templates
// use inline styles, forms posting to the app, and the TOTP QR code as a
// data: image.
//
// It has no form-action, on purpose. Chromium checks form-action against
// every redirect that follows a submission, not only the form's action, and
// "Continue with google" posts to the app, whose 303 goes on across origins:
// to the emulator's provider page in development; in production to Stytch,
// then the identity provider (Google, Microsoft, or an enterprise tenant's
// own federation server) and, for a user already signed in there, straight
// back through Stytch to the app. form-action 'self' blocks the first hop and
// leaves the button dead; a host list would name hosts the app does not
// control and break the same silent way when one of them changes. What the
// directive would add is a limit on where an injected form could post
// (form-action does not fall back to default-src): the pages come from
// html/template, no script can submit a form for the user, and base-uri
// 'none' keeps an injected <base> from retargeting the relative actions.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; img-src 'self' data:; " +
	"frame-ancestors 'none'; base-uri 'none'"

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
