package main

import (
	"bufio"
	"context"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, "127.0.0.1:0", pw)
		pw.Close()
	}()
	lines := bufio.NewScanner(pr)
	printed := map[string]string{}
	for len(printed) < 2 && lines.Scan() {
		k, v, _ := strings.Cut(lines.Text(), " ")
		printed[k] = v
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	url, cookie := printed["url"], printed["cookie"]
	if url == "" || cookie == "" {
		cancel()
		t.Fatalf("printed %q, want url and cookie lines (run: %v)", printed, <-done)
	}

	// Browsers without a session are sent to the login page; wrk would count
	// that redirect as a success, hence the cookie on every load.
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, tc := range []struct {
		name, path string
		cookie     bool
		want       int
	}{
		{"the home page answers a logged-in member", "/", true, http.StatusOK},
		{"the home page answers a visitor", "/", false, http.StatusOK},
		{"the dashboard answers a logged-in member", "/dashboard", true, http.StatusOK},
		{"the dashboard refuses a visitor", "/dashboard", false, http.StatusUnauthorized},
		{"the public bench route answers anyone", pathPublic, false, http.StatusOK},
		{"the protected bench route answers a logged-in member", pathProtected, true, http.StatusOK},
		{"the protected bench route refuses a visitor", pathProtected, false, http.StatusUnauthorized},
		{"the dashboard twin answers a logged-in member", pathDashboardTwin, true, http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url+tc.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			if tc.cookie {
				r.Header.Set("Cookie", cookie)
			}
			resp, err := noRedirect.Do(r)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.want {
				t.Errorf("status %d, want %d", resp.StatusCode, tc.want)
			}
		})
	}

	// The twin must send the very page /dashboard sends, headers included,
	// or the pair would compare more than the middleware.
	get := func(path string) (http.Header, string) {
		t.Helper()
		r, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		r.Header.Set("Cookie", cookie)
		resp, err := noRedirect.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		resp.Header.Del("Date")
		return resp.Header, string(body)
	}
	dashHeader, dashBody := get("/dashboard")
	twinHeader, twinBody := get(pathDashboardTwin)
	if !strings.Contains(dashBody, "gina") || dashBody != twinBody {
		t.Errorf("%s body differs from /dashboard's (or /dashboard does not show the member):\n%s\n---\n%s", pathDashboardTwin, twinBody, dashBody)
	}
	if !maps.EqualFunc(dashHeader, twinHeader, slices.Equal) {
		t.Errorf("%s headers %v, want /dashboard's %v", pathDashboardTwin, twinHeader, dashHeader)
	}

	cancel()
	if err := <-done; err != nil {
		t.Errorf("run after cancel: %v", err)
	}
}

func TestRunRefusesNonLoopback(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", ":0", "192.0.2.1:0", "localhost:0"} {
		if err := run(t.Context(), addr, io.Discard); err == nil || !strings.Contains(err.Error(), "loopback") {
			t.Errorf("run(%q) = %v, want a loopback error", addr, err)
		}
	}
}

// BenchmarkRoutes serves each route run.sh loads, in process and with the
// session cookie, to show where a request's server time goes without wrk
// and the network sharing the CPUs.
func BenchmarkRoutes(b *testing.B) {
	t, err := newTarget(b.Context(), "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer t.close()
	h := t.srv.Handler
	for _, tc := range []struct{ name, path string }{
		{"home", "/"}, {"dashboard", "/dashboard"}, {"bench_dashboard", pathDashboardTwin}, {"bench_public", pathPublic}, {"bench_protected", pathProtected},
	} {
		b.Run(tc.name, func(b *testing.B) {
			r := httptest.NewRequest(http.MethodGet, tc.path, nil)
			r.Header.Set("Cookie", t.cookie)
			b.ReportAllocs()
			for b.Loop() {
				h.ServeHTTP(discardWriter{header: http.Header{}}, r)
			}
		})
	}
}

// discardWriter is a ResponseWriter that keeps nothing but a header map.
type discardWriter struct{ header http.Header }

func (w discardWriter) Header() http.Header         { clear(w.header); return w.header }
func (w discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w discardWriter) WriteHeader(int)             {}
