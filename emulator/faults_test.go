package emulator

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

func TestFaults(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	const path = "/v1/b2b/rbac/policy"
	tests := []struct {
		name    string
		fault   Fault
		status  int
		errType string
	}{
		{"a forced 429 answers too_many_requests", Fault{Path: path, Status: 429}, 429, errTooManyRequests},
		{"a forced 503 answers internal_server_error", Fault{Path: path, Status: 503}, 503, errInternalServerError},
		{"a catch-all fault applies to every path", Fault{Status: 500}, 500, errInternalServerError},
		{"an error type can be forced", Fault{Path: path, Status: 400, ErrorType: "custom"}, 400, "custom"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f.ClearFaults()
			f.SetFault(tt.fault)
			wantError(t, f.do(t, "GET", path, nil), tt.status, tt.errType)
			f.ClearFaults()
			wantOK(t, f.do(t, "GET", path, nil))
		})
	}
	t.Run("a path fault leaves other paths alone", func(t *testing.T) {
		f.SetFault(Fault{Path: "/v1/b2b/sessions/authenticate", Status: 500})
		defer f.ClearFaults()
		wantOK(t, f.do(t, "GET", path, nil))
	})
	t.Run("a dropped connection gives no answer", func(t *testing.T) {
		f.SetFault(Fault{Path: path, Drop: true})
		defer f.ClearFaults()
		req, _ := http.NewRequest("GET", f.URL()+path, nil)
		req.SetBasicAuth(f.ProjectID(), f.Secret())
		res, err := http.DefaultClient.Do(req)
		if err == nil {
			res.Body.Close()
			t.Fatalf("got an answer: %d", res.StatusCode)
		}
	})
	t.Run("a malformed JWKS is not JSON", func(t *testing.T) {
		jwks := "/v1/b2b/sessions/jwks/" + f.ProjectID()
		f.SetFault(Fault{Path: jwks, MalformedJWKS: true})
		defer f.ClearFaults()
		res, err := http.Get(f.URL() + jwks)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var v any
		if res.StatusCode != 200 || decodeJSON(res, &v) == nil {
			t.Fatalf("got %d, parseable body", res.StatusCode)
		}
	})
	t.Run("the outbox page ignores faults", func(t *testing.T) {
		f.SetFault(Fault{Status: 500})
		defer f.ClearFaults()
		res, err := http.Get(f.URL() + "/_emulator/outbox")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 200 {
			t.Fatalf("outbox: %d", res.StatusCode)
		}
	})
}

// TestLatencyRespectsCancellation runs in a synctest bubble, so the waits
// it checks are exact and take no real time.
func TestLatencyRespectsCancellation(t *testing.T) {
	t.Parallel()
	const path = "/v1/b2b/rbac/policy"
	tests := []struct {
		name     string
		latency  time.Duration
		deadline time.Duration // of the request, 0 for none
		closeAt  time.Duration // when the server is closed, 0 for never
		wait     time.Duration
		answered bool
	}{
		{name: "a latency delays the answer by that long", latency: time.Second, wait: time.Second, answered: true},
		{name: "a request whose deadline passes first gets no answer, at its deadline", latency: time.Hour, deadline: 50 * time.Millisecond, wait: 50 * time.Millisecond},
		{name: "closing the server ends the latency at once", latency: time.Hour, closeAt: time.Minute, wait: time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				s, err := newServer()
				if err != nil {
					t.Fatal(err)
				}
				defer s.Close()
				s.SetFault(Fault{Path: path, Latency: tt.latency})
				ctx := context.Background()
				if tt.deadline > 0 {
					var cancel context.CancelFunc
					ctx, cancel = context.WithTimeout(ctx, tt.deadline)
					defer cancel()
				}
				if tt.closeAt > 0 {
					time.AfterFunc(tt.closeAt, s.Close)
				}
				req := httptest.NewRequestWithContext(ctx, http.MethodGet, path, nil)
				req.SetBasicAuth(s.ProjectID(), s.Secret())
				w := httptest.NewRecorder()
				start := time.Now()
				s.ServeHTTP(w, req)
				if waited := time.Since(start); waited != tt.wait {
					t.Errorf("the request waited %s, want %s", waited, tt.wait)
				}
				if answered := w.Body.Len() > 0; answered != tt.answered || (answered && w.Code != http.StatusOK) {
					t.Errorf("answered = %v (status %d, %d bytes), want %v", answered, w.Code, w.Body.Len(), tt.answered)
				}
			})
		})
	}
}

func TestCalls(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	const path = "/v1/b2b/sessions/authenticate"
	f.SetFault(Fault{Path: path, Status: 503})
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() { _ = f.do(t, "POST", path, map[string]any{}) })
	}
	wg.Wait()
	_ = f.doWith(t, "GET", "/v1/b2b/rbac/policy", nil, "", "")
	if got := f.Calls("POST", path); got != 8 {
		t.Errorf("Calls = %d, want 8 (counted before faults)", got)
	}
	if got := f.Calls("GET", "/v1/b2b/rbac/policy"); got != 1 {
		t.Errorf("Calls = %d, want 1 (counted before auth)", got)
	}
	f.ResetCalls()
	if got := f.Calls("POST", path); got != 0 {
		t.Errorf("after reset Calls = %d", got)
	}
}
