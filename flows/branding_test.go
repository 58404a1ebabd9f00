package flows_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/b2bauth/b2bauth/flows"
)

// TestBranding: the branding appears on every default page through the
// stylesheet's custom properties; invalid fields fail New with ErrBranding.
func TestBranding(t *testing.T) {
	t.Parallel()
	t.Run("the name, logo and colour appear on the pages", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, flows.WithBranding(flows.Branding{
			ProductName: "Acme Cloud", LogoURL: "/static/logo.svg", PrimaryColor: "#0A7",
		}), flows.WithOAuth(testPublicToken, "google", "github"))
		a := h.get("/auth/login")
		for _, want := range []string{
			"<title>Sign in · Acme Cloud</title>", `<img src="/static/logo.svg"`, "<span>Acme Cloud</span>",
			"--primary:#00aa77", "Continue with Google", "Continue with GitHub", `class="divider"`,
		} {
			if !strings.Contains(a.body, want) {
				t.Errorf("login page lacks %q", want)
			}
		}
	})
	t.Run("without branding the pages have the default theme and no header", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		a := h.get("/auth/login")
		if !strings.Contains(a.body, "prefers-color-scheme:dark") || strings.Contains(a.body, `class="brand"`) ||
			strings.Contains(a.body, `class="divider"`) {
			t.Errorf("default login page:\n%s", a.body)
		}
	})
	c, m := newClient(t), newMiddleware(t)
	for _, b := range []flows.Branding{
		{PrimaryColor: "red"},
		{PrimaryColor: "#12345"},
		{PrimaryColor: "#12345g"},
		{PrimaryColor: "#123;}body{x"},
		{LogoURL: "http://cdn.example/logo.png"},
		{LogoURL: "javascript:alert(1)"},
		{LogoURL: "//evil.example/logo.png"},
		{LogoURL: "https://user:pw@cdn.example/logo.png"},
		{ProductName: strings.Repeat("x", 101)},
		{ProductName: "two\nlines"},
	} {
		t.Run("New refuses the branding "+b.PrimaryColor+b.LogoURL+b.ProductName[:min(len(b.ProductName), 10)], func(t *testing.T) {
			_, err := flows.New(c, m,
				flows.WithCookieKeys(testKeys), flows.WithPublicURL("https://app.example"), flows.WithBranding(b))
			if !errors.Is(err, flows.ErrBranding) {
				t.Fatalf("New = %v, want ErrBranding", err)
			}
		})
	}
}
