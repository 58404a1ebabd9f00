package middleware

import (
	"net/url"
	"strings"
)

// IsSafeReturnPath reports whether p is safe to redirect to after login: a
// local absolute path ("/dashboard?tab=1"), never a scheme, a host, a
// protocol-relative "//host" or a backslash that browsers read as a slash.
func IsSafeReturnPath(p string) bool {
	if p == "" || p[0] != '/' || len(p) > 2048 {
		return false
	}
	if strings.HasPrefix(p, "//") || strings.ContainsAny(p, "\\") {
		return false
	}
	for _, r := range p {
		if r < 0x20 || r == 0x7f {
			return false
		}
	}
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return false
	}
	return strings.HasPrefix(u.Path, "/") && !strings.HasPrefix(u.Path, "//")
}

// loginRedirect builds target?param=returnPath, dropping an unsafe return
// path.
func loginRedirect(target, param, returnPath string) string {
	if !IsSafeReturnPath(returnPath) {
		return target
	}
	sep := "?"
	if strings.Contains(target, "?") {
		sep = "&"
	}
	return target + sep + url.QueryEscape(param) + "=" + url.QueryEscape(returnPath)
}
