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

func TestCookieValue(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		lines []string
		want  string
	}{
		{"the only cookie", []string{"stytch_session_jwt=a.b.c"}, "a.b.c"},
		{"among others", []string{"theme=dark; stytch_session_jwt=a.b.c; lang=en"}, "a.b.c"},
		{"a longer name sharing the prefix is another cookie", []string{"stytch_session_jwt_old=x; stytch_session_jwt=y"}, "y"},
		{"a name ending like it is another cookie", []string{"xstytch_session_jwt=x"}, ""},
		{"the first of two wins", []string{"stytch_session_jwt=one; stytch_session_jwt=two"}, "one"},
		{"in a second header line", []string{"a=1", "stytch_session_jwt=v"}, "v"},
		{"quotes are removed", []string{`stytch_session_jwt="v"`}, "v"},
		{"spaces around are trimmed", []string{"a=1;   stytch_session_jwt=v  ;b=2"}, "v"},
		{"an empty value", []string{"stytch_session_jwt="}, ""},
		{"absent", []string{"a=1; b=2"}, ""},
		{"no header", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := cookieValue(tt.lines, "stytch_session_jwt"); got != tt.want {
				t.Errorf("cookieValue(%q) = %q, want %q", tt.lines, got, tt.want)
			}
		})
	}
}

// FuzzCookieValue checks the fast lookup against net/http: they agree,
// except where net/http skips an earlier cookie of the name whose value it
// finds invalid (the lookup returns that one and verification refuses it).
func FuzzCookieValue(f *testing.F) {
	for _, s := range []string{"stytch_session=a", "x=1; stytch_session=\"q\"", "stytch_session=a b; stytch_session=c", " stytch_session = v ", "stytch_session", "stytch_session=\x7f; stytch_session=ok"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		got := cookieValue([]string{line}, "stytch_session")
		if len(got) > len(line) {
			t.Fatalf("value longer than the header: %q from %q", got, line)
		}
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header["Cookie"] = []string{line}
		c, err := r.Cookie("stytch_session")
		if err != nil || got == c.Value {
			return
		}
		// They differ: net/http must have refused the cookie we returned.
		probe := httptest.NewRequest(http.MethodGet, "/", nil)
		probe.Header["Cookie"] = []string{"stytch_session=" + got}
		if pc, err := probe.Cookie("stytch_session"); err == nil && pc.Value == got {
			t.Fatalf("cookieValue = %q, net/http = %q, header %q", got, c.Value, line)
		}
	})
}
