package theme

import (
	_ "embed"
	"errors"
	"fmt"
	"html/template"
	"math"
	"strconv"
)

//go:embed theme.css
var css string

// CSS returns the stylesheet, to be placed in a <style> element. Pages use
// its element styles (a submit button is the primary action) and its
// classes: "secondary" (a button or link styled as a secondary action),
// "divider" (an "or" between methods), "error" and "notice" (messages),
// "brand" (the product's name and logo), "orgs" (a list of organizations),
// "links" (the ways out of a page) and "muted".
func CSS() template.CSS { return template.CSS(css) }

// ErrColor is the error of a colour that is not a CSS hex colour.
var ErrColor = errors.New("b2bauth: theme: colour must be a CSS hex colour such as #4338ca")

// Color is a validated CSS hex colour.
type Color struct{ r, g, b uint8 }

// ParseColor parses a CSS hex colour: "#rgb" or "#rrggbb", either case.
func ParseColor(s string) (Color, error) {
	if len(s) != 4 && len(s) != 7 || s[0] != '#' {
		return Color{}, fmt.Errorf("%w: %q", ErrColor, s)
	}
	hex := s[1:]
	if len(hex) == 3 {
		hex = string([]byte{hex[0], hex[0], hex[1], hex[1], hex[2], hex[2]})
	}
	v, err := strconv.ParseUint(hex, 16, 32)
	if err != nil {
		return Color{}, fmt.Errorf("%w: %q", ErrColor, s)
	}
	return Color{uint8(v >> 16), uint8(v >> 8), uint8(v)}, nil
}

// String returns the colour as "#rrggbb".
func (c Color) String() string { return fmt.Sprintf("#%02x%02x%02x", c.r, c.g, c.b) }

// luminance is the relative luminance of WCAG 2.
func (c Color) luminance() float64 {
	ch := func(v uint8) float64 {
		x := float64(v) / 255
		if x <= 0.03928 {
			return x / 12.92
		}
		return math.Pow((x+0.055)/1.055, 2.4)
	}
	return 0.2126*ch(c.r) + 0.7152*ch(c.g) + 0.0722*ch(c.b)
}

// contrast is the WCAG 2 contrast ratio of two luminances.
func contrast(a, b float64) float64 {
	if a < b {
		a, b = b, a
	}
	return (a + 0.05) / (b + 0.05)
}

// Primary returns the custom properties that make c the primary colour:
// buttons in c with white or near-black text, whichever contrasts more, and
// links in c on light backgrounds when it is readable there (a contrast of
// 4.5 to white), else in the text colour. Place it after [CSS].
func Primary(c Color) template.CSS {
	l := c.luminance()
	on := "#ffffff"
	if contrast(l, 0.0103) > contrast(l, 1) { // #1b1f24 against white
		on = "#1b1f24"
	}
	link := c.String()
	if contrast(l, 1) < 4.5 {
		link = "var(--text)"
	}
	return template.CSS(fmt.Sprintf(":root{--primary:%s;--on-primary:%s;--link-light:%s}", c, on, link))
}
