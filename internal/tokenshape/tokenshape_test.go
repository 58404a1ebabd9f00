package tokenshape

import (
	"strings"
	"testing"
)

func TestPlausible(t *testing.T) {
	tests := []struct {
		name   string
		token  string
		padded bool
		want   bool
	}{
		{"a token of Stytch's shape", strings.Repeat("aZ0-_", 8) + "abcd", false, true},
		{"the shortest token", strings.Repeat("a", MinLen), false, true},
		{"the longest token", strings.Repeat("a", MaxLen), false, true},
		{"one character too short", strings.Repeat("a", MinLen-1), false, false},
		{"one character too long", strings.Repeat("a", MaxLen+1), false, false},
		{"padding where none is allowed", strings.Repeat("a", 30) + "==", false, false},
		{"padding where it is allowed", strings.Repeat("a", 30) + "==", true, true},
		{"standard base64 characters", strings.Repeat("a", 30) + "+/", true, false},
		{"a space", strings.Repeat("a", 30) + " a", true, false},
		{"non-ASCII", strings.Repeat("a", 30) + "é", true, false},
		{"empty", "", true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Plausible(tt.token, tt.padded); got != tt.want {
				t.Errorf("Plausible(%q, %v) = %v, want %v", tt.token, tt.padded, got, tt.want)
			}
		})
	}
}
