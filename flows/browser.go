package flows

import (
	"crypto/subtle"
	"net/http"
	"strings"
)

// A browser is told from another by a random id in a cookie of its own,
// which the pages the handlers draw set when it has none: a double submit
// of an email form on a browser that holds no flow yet (the first request
// of a sign-in, sent twice without the busy-state script), whose first
// answer the browser never kept, then takes over the flow the email was
// sent for (see sentEmail), where another browser asking for an email to
// the address within the cooldown is refused. The id says nothing of the
// member; it lives until the browser is closed.
const (
	browserCookieName       = "b2bauth_browser"
	secureBrowserCookieName = "__Host-b2bauth_browser"
	// browserIDBytes is the randomness of an id: 24 bytes, 32 characters
	// of base64url.
	browserIDBytes = 24
	browserIDLen   = 32
)

func (h *Handler) browserCookieName() string {
	if h.cookie.secure {
		return secureBrowserCookieName
	}
	return browserCookieName
}

// browserID returns the id of the browser that sent r, "" when it has none
// of the shape markBrowser gives.
func (h *Handler) browserID(r *http.Request) string {
	c, err := r.Cookie(h.browserCookieName())
	if err != nil || len(c.Value) != browserIDLen ||
		strings.Trim(c.Value, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") != "" {
		return ""
	}
	return c.Value
}

// markBrowser gives the browser that sent r an id, unless it has one.
func (h *Handler) markBrowser(w http.ResponseWriter, r *http.Request) {
	if h.browserID(r) != "" {
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name: h.browserCookieName(), Value: randomString(browserIDBytes), Path: "/",
		Secure: h.cookie.secure, HttpOnly: true, SameSite: http.SameSiteLaxMode,
	})
}

// sameBrowser reports whether r comes from the browser whose id is id.
func (h *Handler) sameBrowser(r *http.Request, id string) bool {
	got := h.browserID(r)
	return id != "" && got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(id)) == 1
}
