// Package theme holds the stylesheet shared by the pages b2bauth serves
// itself: the login pages of flows and the refusal pages of middleware. It
// is one embedded stylesheet with no build step, no external resource and no
// script, themed through CSS custom properties (light and dark by
// prefers-color-scheme), and the validation of the colours a brand may set.
package theme
