package middleware

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Default cookie names: the ones Stytch's frontend SDKs set, so apps that mix
// b2bauth handlers and Stytch's frontend SDKs share one session.
const (
	DefaultSessionCookie = "stytch_session"
	DefaultJWTCookie     = "stytch_session_jwt"
)

type cookieConfig struct {
	sessionName string
	jwtName     string
	path        string
	domain      string
	secure      bool
	sameSite    http.SameSite
}

func defaultCookies() cookieConfig {
	return cookieConfig{
		sessionName: DefaultSessionCookie,
		jwtName:     DefaultJWTCookie,
		path:        "/",
		secure:      true,
		sameSite:    http.SameSiteLaxMode,
	}
}

// WithCookieNames sets the names of the session-token and session-JWT
// cookies. Defaults [DefaultSessionCookie] and [DefaultJWTCookie]. Names with
// the "__Host-" prefix require Secure, Path "/" and no Domain; "__Secure-"
// requires Secure; both are checked by [New].
//
// Prefer "__Host-" names when the app does not share its session with
// Stytch's frontend SDKs: no other host (a sibling subdomain) can then plant
// a cookie of the same name. Without the prefix, a request carrying either
// cookie twice is ambiguous, and never a logout: the middleware neither
// clears nor writes cookies for it; a JWT among them that verifies wins,
// else the session tokens, then the JWTs only Stytch can judge, are sent to
// Stytch in the order the browser sent them (at most three of each) until
// one is accepted.
func WithCookieNames(session, jwt string) Option {
	return shared("WithCookieNames", func(c *config) error {
		c.cookies.sessionName, c.cookies.jwtName = session, jwt
		return nil
	})
}

// WithCookiePath sets the Path of the session cookies. Default "/".
func WithCookiePath(path string) Option {
	return shared("WithCookiePath", func(c *config) error {
		c.cookies.path = path
		return nil
	})
}

// WithCookieDomain sets the Domain of the session cookies. Default "": the
// cookies are host-only.
func WithCookieDomain(domain string) Option {
	return shared("WithCookieDomain", func(c *config) error {
		c.cookies.domain = domain
		return nil
	})
}

// WithSameSite sets the SameSite attribute of the session cookies: Lax,
// Strict or None ([New] refuses http.SameSiteDefaultMode, which writes no
// attribute). Default http.SameSiteLaxMode. SameSite=None requires Secure
// cookies.
func WithSameSite(s http.SameSite) Option {
	return shared("WithSameSite", func(c *config) error {
		c.cookies.sameSite = s
		return nil
	})
}

// WithInsecureCookies drops the Secure attribute so cookies travel over plain
// HTTP. Only for development on hosts browsers do not treat as secure
// contexts; localhost is already one. Default: Secure cookies.
func WithInsecureCookies() Option {
	return shared("WithInsecureCookies", func(c *config) error {
		c.cookies.secure = false
		return nil
	})
}

// validate reports a cookie configuration that browsers would silently
// refuse or mishandle.
func (cc cookieConfig) validate() error {
	if cc.sessionName == "" || cc.jwtName == "" {
		return errors.New("b2bauth: cookie names must not be empty")
	}
	if cc.sessionName == cc.jwtName {
		return fmt.Errorf("b2bauth: session and JWT cookies share the name %q", cc.sessionName)
	}
	if cc.path == "" || cc.path[0] != '/' {
		return fmt.Errorf("b2bauth: cookie path %q must start with /", cc.path)
	}
	switch cc.sameSite {
	case http.SameSiteLaxMode, http.SameSiteStrictMode, http.SameSiteNoneMode:
	default:
		// SameSiteDefaultMode writes no attribute at all, leaving the
		// cookies to each browser's default.
		return fmt.Errorf("b2bauth: SameSite must be Lax, Strict or None, not %d", cc.sameSite)
	}
	if cc.sameSite == http.SameSiteNoneMode && !cc.secure {
		return errors.New("b2bauth: SameSite=None cookies must be Secure")
	}
	for _, name := range []string{cc.sessionName, cc.jwtName} {
		probe := cc.cookie(name, "v", time.Time{})
		if err := probe.Valid(); err != nil {
			return fmt.Errorf("b2bauth: cookie %q: %w", name, err)
		}
		switch {
		case strings.HasPrefix(name, "__Host-"):
			if !cc.secure || cc.path != "/" || cc.domain != "" {
				return fmt.Errorf("b2bauth: cookie %q: the __Host- prefix requires Secure, Path \"/\" and no Domain", name)
			}
		case strings.HasPrefix(name, "__Secure-"):
			if !cc.secure {
				return fmt.Errorf("b2bauth: cookie %q: the __Secure- prefix requires Secure", name)
			}
		}
	}
	return nil
}

func (cc cookieConfig) cookie(name, value string, expires time.Time) *http.Cookie {
	c := &http.Cookie{
		Name:     name,
		Value:    value,
		Path:     cc.path,
		Domain:   cc.domain,
		Secure:   cc.secure,
		HttpOnly: true,
		SameSite: cc.sameSite,
	}
	if !expires.IsZero() {
		c.Expires = expires.UTC()
	}
	return c
}

// SetSessionCookies writes the session-token and session-JWT cookies, both
// expiring with the session. An empty value leaves that cookie untouched.
func (m *Middleware) SetSessionCookies(w http.ResponseWriter, token, jwt string, expires time.Time) {
	if token != "" {
		http.SetCookie(w, m.cfg.cookies.cookie(m.cfg.cookies.sessionName, token, expires))
	}
	if jwt != "" {
		http.SetCookie(w, m.cfg.cookies.cookie(m.cfg.cookies.jwtName, jwt, expires))
	}
}

// ClearSessionCookies expires both session cookies.
func (m *Middleware) ClearSessionCookies(w http.ResponseWriter) {
	for _, name := range []string{m.cfg.cookies.sessionName, m.cfg.cookies.jwtName} {
		c := m.cfg.cookies.cookie(name, "", time.Time{})
		c.MaxAge = -1
		http.SetCookie(w, c)
	}
}

// Credentials returns the session token and session JWT r presents, read from
// the configured sources without verifying them: for revoking a session on
// logout even when it can no longer be verified.
func (m *Middleware) Credentials(r *http.Request) (token, jwt string) {
	return firstToken(r, m.cfg.tokenSources), firstToken(r, m.cfg.jwtSources)
}
