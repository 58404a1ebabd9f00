package flows_test

import (
	"net/http"
	"strings"
	"testing"
)

func TestPagesLoadTheBusyScript(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	tests := []struct {
		name, path string
		check      func(a answer) bool
	}{
		{"the login page loads it from under the prefix", "/auth/login", func(a answer) bool {
			return a.status == http.StatusOK && strings.Contains(a.body, `<script src="/auth/assets/busy.js" defer></script>`)
		}},
		{"the script is served as JavaScript that marks forms busy", "/auth/assets/busy.js", func(a answer) bool {
			return a.status == http.StatusOK && strings.HasPrefix(a.header.Get("Content-Type"), "text/javascript") &&
				a.header.Get("X-Content-Type-Options") == "nosniff" && strings.Contains(a.body, `"aria-busy"`)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if a := h.get(tt.path); !tt.check(a) {
				t.Fatalf("GET %s = %d %v\n%s", tt.path, a.status, a.header, a.body)
			}
		})
	}
}
