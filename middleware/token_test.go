package middleware

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestTokenFromHeader(t *testing.T) {
	t.Parallel()
	tests := []struct {
		header, want string
	}{
		{"Bearer abc.def.ghi", "abc.def.ghi"},
		{"bearer abc", "abc"},
		{"BEARER  abc ", "abc"},
		{"Basic dXNlcjpwYXNz", ""},
		{"Bearer", ""},
		{"Bearer ", ""},
		{"", ""},
	}
	for _, tt := range tests {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		if tt.header != "" {
			r.Header.Set("Authorization", tt.header)
		}
		if got := TokenFromHeader(r); got != tt.want {
			t.Errorf("TokenFromHeader(%q) = %q, want %q", tt.header, got, tt.want)
		}
	}
}

func TestTokenFromCookie(t *testing.T) {
	t.Parallel()
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.AddCookie(&http.Cookie{Name: "stytch_session", Value: "tok"})
	if got := TokenFromCookie("stytch_session")(r); got != "tok" {
		t.Errorf("present cookie: got %q", got)
	}
	if got := TokenFromCookie("other")(r); got != "" {
		t.Errorf("absent cookie: got %q", got)
	}
}

func TestIsNavigation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, method, mode, accept string
		want                       bool
	}{
		{"a navigation by fetch metadata", "GET", "navigate", "", true},
		{"a fetch() call by fetch metadata", "GET", "cors", "text/html", false},
		{"an old browser asking for html", "GET", "", "text/html,application/xhtml+xml", true},
		{"an API client asking for json", "GET", "", "application/json", false},
		{"a form POST without metadata", "POST", "", "text/html", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(tt.method, "/", nil)
			if tt.mode != "" {
				r.Header.Set("Sec-Fetch-Mode", tt.mode)
			}
			if tt.accept != "" {
				r.Header.Set("Accept", tt.accept)
			}
			if got := IsNavigation(r); got != tt.want {
				t.Errorf("IsNavigation = %v, want %v", got, tt.want)
			}
		})
	}
}

func FuzzTokenFromHeader(f *testing.F) {
	for _, s := range []string{"Bearer a.b.c", "bearer", "Bearer \x00", "Basic x", "Bearer  "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, h string) {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header["Authorization"] = []string{h}
		tok := TokenFromHeader(r)
		if len(tok) > len(h) {
			t.Fatalf("token longer than header: %q from %q", tok, h)
		}
	})
}
