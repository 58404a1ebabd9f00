package client_test

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/b2bauth/b2bauth/client"
)

// recorded is one request seen by a fake Stytch server.
type recorded struct {
	Method, Path, RawQuery string
	Auth                   string // "user:pass" or "" without basic auth
	ContentType, UA        string
	Body                   map[string]any
}

// fakeStytch is an httptest server that records requests and answers with
// the handler's status and body.
type fakeStytch struct {
	*httptest.Server
	mu       sync.Mutex
	requests []recorded
	respond  func(r *http.Request, n int) (int, string)
}

func newFake(t *testing.T, respond func(r *http.Request, n int) (int, string)) *fakeStytch {
	t.Helper()
	f := &fakeStytch{respond: respond}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeStytch) serve(w http.ResponseWriter, r *http.Request) {
	rec := recorded{Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery,
		ContentType: r.Header.Get("Content-Type"), UA: r.Header.Get("User-Agent")}
	if h := r.Header.Get("Authorization"); strings.HasPrefix(h, "Basic ") {
		raw, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(h, "Basic "))
		rec.Auth = string(raw)
	}
	data, _ := io.ReadAll(r.Body)
	if len(data) > 0 {
		_ = json.Unmarshal(data, &rec.Body)
	}
	f.mu.Lock()
	f.requests = append(f.requests, rec)
	n := len(f.requests)
	f.mu.Unlock()
	status, body := f.respond(r, n)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

func (f *fakeStytch) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.requests)
}

func (f *fakeStytch) last() recorded {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.requests[len(f.requests)-1]
}

func okJSON(string) (int, string) {
	return http.StatusOK, `{"status_code":200,"request_id":"request-id-test-1"}`
}

func newClient(t *testing.T, baseURL string, opts ...client.Option) *client.Client {
	t.Helper()
	opts = append([]client.Option{client.WithBaseURL(baseURL), client.WithUserAgent("b2bauth-test")}, opts...)
	c, err := client.New("project-test-123", "secret-test-abc", opts...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	client.SetBackoff(c, func(int) time.Duration { return 0 })
	return c
}

// handlerTransport answers requests in-process, without sockets, so tests in
// a testing/synctest bubble see every goroutine block durably.
type handlerTransport struct{ h http.Handler }

func (t handlerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, r)
	return rec.Result(), nil
}

// fakeClock is a settable clock for the policy cache.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func writeJSON(w http.ResponseWriter, v any) {
	_ = json.NewEncoder(w).Encode(v)
}

// mustPolicyCache is Client.NewPolicyCache that fails tb on an error.
func mustPolicyCache(tb testing.TB, c *client.Client, opts ...client.PolicyCacheOption) *client.PolicyCache {
	tb.Helper()
	p, err := c.NewPolicyCache(opts...)
	if err != nil {
		tb.Fatal(err)
	}
	return p
}
