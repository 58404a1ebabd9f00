package flows

import (
	"fmt"
	"html/template"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/b2bauth/b2bauth/internal/theme"
	"github.com/b2bauth/b2bauth/middleware"
)

// branding is a validated [Branding], as the templates read it.
type branding struct {
	// Name and Logo are shown by the "head" block; Logo is "" or a checked
	// URL.
	Name string
	Logo template.URL
	// Style is the stylesheet with the primary colour applied.
	Style template.CSS
	// Script is the URL of the busy-state script, "" for none.
	Script string
}

// validate checks b and returns what the pages show.
func (b Branding) validate() (branding, error) {
	v := branding{Name: strings.TrimSpace(b.ProductName), Style: theme.CSS()}
	if len(v.Name) > 100 || !utf8.ValidString(v.Name) || strings.ContainsFunc(v.Name, func(r rune) bool { return r < ' ' || r == 0x7f }) {
		return branding{}, fmt.Errorf("%w: product name must be printable text of at most 100 bytes", ErrBranding)
	}
	if b.LogoURL != "" {
		if !validLogoURL(b.LogoURL) {
			return branding{}, fmt.Errorf("%w: logo URL %q must be an https URL or a local absolute path", ErrBranding, b.LogoURL)
		}
		v.Logo = template.URL(b.LogoURL)
	}
	if b.PrimaryColor != "" {
		c, err := theme.ParseColor(b.PrimaryColor)
		if err != nil {
			return branding{}, fmt.Errorf("%w: primary colour: %w", ErrBranding, err)
		}
		v.Style += theme.Primary(c)
	}
	return v, nil
}

// validLogoURL accepts an https URL with a host and no credentials, or a
// local absolute path ("/logo.svg", not "//host/logo.svg").
func validLogoURL(s string) bool {
	if len(s) > 2048 || strings.ContainsAny(s, " \"'<>\\`") {
		return false
	}
	if strings.HasPrefix(s, "/") {
		return middleware.IsSafeReturnPath(s)
	}
	u, err := url.Parse(s)
	return err == nil && u.Scheme == "https" && u.Host != "" && u.User == nil
}

// providerNames are the OAuth providers as their owners spell them.
var providerNames = map[string]string{
	"google": "Google", "microsoft": "Microsoft", "github": "GitHub",
	"hubspot": "HubSpot", "slack": "Slack",
}

// providerName is the name of an OAuth provider on a button.
func providerName(p string) string {
	if n, ok := providerNames[p]; ok {
		return n
	}
	return p
}

// funcs are the functions the templates may call: "brand" returns the
// branding (Name, Logo, Style), "provider" the name of an OAuth provider.
func (b branding) funcs() template.FuncMap {
	if b.Style == "" {
		b.Style = theme.CSS()
	}
	return template.FuncMap{
		"brand":    func() branding { return b },
		"provider": providerName,
	}
}
