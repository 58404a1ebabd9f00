package middleware_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/b2bauth/b2bauth/middleware"
)

// TestRefusalPages: a refused browser navigation gets a styled page saying
// why in words, with ways on; JSON answers are unchanged.
func TestRefusalPages(t *testing.T) {
	t.Parallel()
	_, c, _ := newWorld(t)
	withLogin := newMiddleware(t, c, middleware.WithLoginURL("/auth/login"))
	t.Cleanup(withLogin.Close)
	bare := newMiddleware(t, c)
	t.Cleanup(bare.Close)

	tests := []struct {
		name   string
		m      *middleware.Middleware
		err    error
		status int
		want   []string
		absent []string
	}{
		{"a missing permission says so and offers home, switching and signing out", withLogin, middleware.ErrPermissionDenied, 403,
			[]string{"You don&#39;t have access to this page", "does not include the permission", `href="/" id="home"`,
				`href="/auth/login?return_to=%2Fadmin%3Fx%3D1" id="switch"`, `action="/auth/logout"`, "prefers-color-scheme", `name="viewport"`},
			[]string{"Try again"}},
		{"another organization's page says to switch", withLogin, middleware.ErrTenancy, 403,
			[]string{"belongs to another organization", `id="switch"`, `id="sign-out"`}, nil},
		{"a missing role says so", withLogin, middleware.ErrRoleRequired, 403,
			[]string{"a role you do not have"}, nil},
		{"an outage offers a reload and no sign-out", withLogin, middleware.ErrUnavailable, 503,
			[]string{"not answering", "Try again", `id="home"`}, []string{`id="sign-out"`, `id="switch"`}},
		{"a missing session without a login URL leads home", bare, middleware.ErrNoSession, 401,
			[]string{"Sign in required", `id="home"`}, []string{`id="switch"`, `id="sign-out"`}},
		{"a refusal without a login URL offers no sign-out it cannot name", bare, middleware.ErrPermissionDenied, 403,
			[]string{"does not include the permission"}, []string{`id="sign-out"`, `id="switch"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := httptest.NewRecorder()
			r := httptest.NewRequest(http.MethodGet, "/admin?x=1", nil)
			r.Header.Set("Sec-Fetch-Mode", "navigate")
			tt.m.DefaultErrorHandler(w, r, tt.err)
			body := w.Body.String()
			if w.Code != tt.status || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/html") {
				t.Fatalf("status %d %s, want %d HTML", w.Code, w.Header().Get("Content-Type"), tt.status)
			}
			for _, s := range tt.want {
				if !strings.Contains(body, s) {
					t.Errorf("page lacks %q:\n%s", s, body)
				}
			}
			for _, s := range tt.absent {
				if strings.Contains(body, s) {
					t.Errorf("page has %q", s)
				}
			}

			w = httptest.NewRecorder()
			r = httptest.NewRequest(http.MethodGet, "/admin", nil)
			r.Header.Set("Accept", "application/json")
			tt.m.DefaultErrorHandler(w, r, tt.err)
			if w.Code != tt.status || !strings.HasPrefix(w.Body.String(), `{"error":{"code":"`) {
				t.Errorf("JSON answer %d %s", w.Code, w.Body.String())
			}
		})
	}
}

// TestRefusalPagesAreSmall: a refusal page, stylesheet included, is under
// 30 KB.
func TestRefusalPagesAreSmall(t *testing.T) {
	t.Parallel()
	_, c, _ := newWorld(t)
	m := newMiddleware(t, c, middleware.WithLoginURL("/auth/login"))
	t.Cleanup(m.Close)
	for _, err := range []error{middleware.ErrPermissionDenied, middleware.ErrTenancy, middleware.ErrUnavailable, middleware.ErrRoleRequired} {
		w := httptest.NewRecorder()
		r := httptest.NewRequest(http.MethodGet, "/admin", nil)
		r.Header.Set("Sec-Fetch-Mode", "navigate")
		m.DefaultErrorHandler(w, r, err)
		if w.Body.Len() >= 30<<10 || !strings.Contains(w.Body.String(), "</html>") {
			t.Errorf("page of %v: %d bytes", err, w.Body.Len())
		}
	}
}

// BenchmarkRefusalPage renders the 403 page of a refused navigation.
func BenchmarkRefusalPage(b *testing.B) {
	_, c, _ := newWorld(b)
	m := newMiddleware(b, c, middleware.WithLoginURL("/auth/login"))
	b.Cleanup(m.Close)
	r := httptest.NewRequest(http.MethodGet, "/admin", nil)
	r.Header.Set("Sec-Fetch-Mode", "navigate")
	for b.Loop() {
		m.DefaultErrorHandler(httptest.NewRecorder(), r, middleware.ErrPermissionDenied)
	}
}
