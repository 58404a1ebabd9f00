package middleware

import (
	"context"
	"errors"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"weak"
)

type otherKey struct{}

func TestStateContextKeepsItsParent(t *testing.T) {
	parent, cancel := context.WithCancelCause(context.WithValue(context.Background(), otherKey{}, "kept"))
	s := &Session{ID: "session-test-1"}
	body := strings.NewReader("form=1")
	r := httptest.NewRequestWithContext(parent, http.MethodPost, "/x?y=z", body)
	r.Header.Set("X-Kept", "yes")
	r2, st := withStateRequest(r, state{session: s})
	ctx := r2.Context()
	tests := []struct {
		name string
		ok   bool
	}{
		{"the state is found under the package's key", ctx.Value(ctxKey{}) == st},
		{"the request is a copy, the caller's is untouched", r2 != r && r.Context() == parent},
		{"the copy keeps method, URL, headers and body", r2.Method == http.MethodPost && r2.URL.RawQuery == "y=z" &&
			r2.Header.Get("X-Kept") == "yes" && r2.Body == r.Body},
		{"SessionFrom reads the carried session", func() bool { got, ok := SessionFrom(ctx); return ok && got == s }()},
		{"the parent's values are still seen", ctx.Value(otherKey{}) == "kept"},
		{"the parent is not done yet", ctx.Err() == nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !tt.ok {
				t.Fatal("false")
			}
		})
	}
	cause := errors.New("client went away")
	cancel(cause)
	<-ctx.Done()
	if !errors.Is(context.Cause(ctx), cause) {
		t.Fatalf("cause = %v, want the parent's", context.Cause(ctx))
	}
}

func TestTrimASCIISpace(t *testing.T) {
	for in, want := range map[string]string{
		"":              "",
		" \t\r\n":       "",
		" a=b ":         "a=b",
		"\tname\r\n":    "name",
		"a b":           "a b",
		"\u00a0a\u00a0": "\u00a0a\u00a0", // only ASCII space, as net/http
	} {
		if got := trimASCIISpace(in); got != want {
			t.Errorf("trimASCIISpace(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestAKeptContextDoesNotKeepTheRequest: a handler's context kept after it
// returns (a background job's context.WithoutCancel, say) does not keep the
// request alive, nor the form parsed into it.
func TestAKeptContextDoesNotKeepTheRequest(t *testing.T) {
	r := httptest.NewRequest(http.MethodPost, "/upload", nil)
	r2, _ := withStateRequest(r, state{session: &Session{ID: "session-test-1"}})
	form := &multipart.Form{Value: map[string][]string{"big": {strings.Repeat("x", 1<<20)}}}
	r2.MultipartForm = form // as r2.ParseMultipartForm would
	parsed := weak.Make(form)
	ctx := r2.Context()
	form, r, r2 = nil, nil, nil
	runtime.GC()
	runtime.GC()
	if parsed.Value() != nil {
		t.Fatal("the context keeps the request's parsed form alive")
	}
	if s, ok := SessionFrom(ctx); !ok || s.ID != "session-test-1" {
		t.Fatal("the kept context lost its session")
	}
}
