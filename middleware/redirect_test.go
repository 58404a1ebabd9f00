package middleware

import "testing"

func TestIsSafeReturnPath(t *testing.T) {
	t.Parallel()
	tests := []struct {
		path string
		want bool
	}{
		{"/", true},
		{"/dashboard", true},
		{"/admin?tab=members&x=1#top", true},
		{"/a/b/../c", true},
		{"", false},
		{"dashboard", false},
		{"//evil.example", false},
		{"///evil.example", false},
		{"/\\evil.example", false},
		{"\\\\evil.example", false},
		{"https://evil.example/", false},
		{"javascript:alert(1)", false},
		{"/ok\r\nLocation: https://evil.example", false},
		{"/tab\tinside", false},
		{" /leading-space", false},
		{"/%2F%2Fevil.example", false}, // decodes to //evil.example: refused to be safe
	}
	for _, tt := range tests {
		if got := IsSafeReturnPath(tt.path); got != tt.want {
			t.Errorf("IsSafeReturnPath(%q) = %v, want %v", tt.path, got, tt.want)
		}
	}
}

func TestLoginRedirect(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, target, ret, want string
	}{
		{"a safe path is carried", "/auth/login", "/admin?x=1", "/auth/login?return_to=%2Fadmin%3Fx%3D1"},
		{"an unsafe path is dropped", "/auth/login", "//evil.example", "/auth/login"},
		{"a target with a query gets &", "/auth/login?m=1", "/a", "/auth/login?m=1&return_to=%2Fa"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := loginRedirect(tt.target, "return_to", tt.ret); got != tt.want {
				t.Errorf("loginRedirect = %q, want %q", got, tt.want)
			}
		})
	}
}

func FuzzIsSafeReturnPath(f *testing.F) {
	for _, s := range []string{"/", "/a?b=c", "//x", "/\\x", "https://x", "/%0d%0a", "/\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		if !IsSafeReturnPath(p) {
			return
		}
		// Whatever passes must be a same-origin path for a browser too.
		if p[0] != '/' || (len(p) > 1 && (p[1] == '/' || p[1] == '\\')) {
			t.Fatalf("unsafe path accepted: %q", p)
		}
		for _, r := range p {
			if r < 0x20 || r == 0x7f || r == '\\' {
				t.Fatalf("control or backslash accepted: %q", p)
			}
		}
	})
}
