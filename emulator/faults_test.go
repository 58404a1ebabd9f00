package emulator

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
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

func TestLatencyRespectsCancellation(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	const path = "/v1/b2b/rbac/policy"
	f.SetFault(Fault{Path: path, Latency: time.Hour})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", f.URL()+path, nil)
	req.SetBasicAuth(f.ProjectID(), f.Secret())
	start := time.Now()
	_, err := http.DefaultClient.Do(req)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v", err)
	}
	if time.Since(start) > 10*time.Second {
		t.Fatal("latency ignored the deadline")
	}
	// Close must not wait for the hour: the handler saw the cancellation.
	f.ClearFaults()
	f.SetFault(Fault{Path: path, Latency: time.Millisecond})
	wantOK(t, f.do(t, "GET", path, nil))
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
