package flows_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/b2bauth/b2bauth/flows"
)

// TestTheTurnOfAFlowHasABoundedQueue: the POSTs that carry the same flow
// cookies wait for one another, and run once their turn comes even if
// their browser left (see oneAtATime). A client that sends a body and
// hangs up is not seen to leave while its request waits (net/http notices
// only once the body is read), so a flood of such POSTs with one cookie,
// behind a slow step, would park without bound, then each run to its end.
// Past a few waiting requests, a POST is served at once instead, as it is
// without the queue.
func TestTheTurnOfAFlowHasABoundedQueue(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// sent is how many POSTs of the flow are sent while a step of it
		// runs.
		sent int
	}{
		{name: "a double click waits for the step in flight", sent: 1},
		{name: "as many requests as the bound wait for the step in flight", sent: flows.MaxFlowWaiting},
		{name: "a flood of requests of one flow is served at once past the bound", sent: 50},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				f, request, release := heldFlowTurn(t)
				served := make(chan int, tt.sent)
				for range tt.sent {
					go func() {
						w := httptest.NewRecorder()
						f.ServeHTTP(w, request())
						served <- w.Code
					}()
				}
				synctest.Wait()
				want := max(tt.sent-flows.MaxFlowWaiting, 0)
				if got := len(served); got != want {
					t.Errorf("%d of %d requests served while a step of their flow runs, want %d", got, tt.sent, want)
				}
				release()
				for range tt.sent {
					if code := <-served; code != http.StatusSeeOther {
						t.Errorf("a request with a flow cookie that does not decode = %d, want 303 to the sign-in", code)
					}
				}
			})
		})
	}
}

// TestAStepWhoseDeadlinePassesInTheQueueIsAnOutage: a deadline of the
// application's own (a context deadline set around the handler) that
// passes while a POST waits for its flow's turn answers 503, keeping the
// flow, not an empty 200.
func TestAStepWhoseDeadlinePassesInTheQueueIsAnOutage(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		f, request, release := heldFlowTurn(t)
		defer release()
		ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
		defer cancel()
		w := httptest.NewRecorder()
		f.ServeHTTP(w, request().WithContext(ctx))
		if w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") == "" {
			t.Fatalf("a step whose deadline passed in the queue = %d (Retry-After %q) %q, want 503 with Retry-After",
				w.Code, w.Header().Get("Retry-After"), w.Body)
		}
		for _, c := range w.Result().Cookies() {
			if c.Name == flows.FlowCookieName(f) && c.MaxAge < 0 {
				t.Error("the flow cookie was cleared")
			}
		}
	})
}

// heldFlowTurn returns flows whose turn of one flow is held, as by a step
// in flight, a maker of POSTs of that flow, and the func that gives the
// turn up.
func heldFlowTurn(t *testing.T) (f *flows.Handler, request func() *http.Request, release func()) {
	t.Helper()
	f, err := flows.New(newClient(t), newMiddleware(t),
		flows.WithCookieKeys(testKeys), flows.WithPublicURL("https://app.example"))
	if err != nil {
		t.Fatal(err)
	}
	request = func() *http.Request {
		r := httptest.NewRequest(http.MethodPost, "https://app.example/auth/mfa/sms/verify",
			strings.NewReader(url.Values{"code": {"123456"}}.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.AddCookie(&http.Cookie{Name: flows.FlowCookieName(f), Value: "a-cookie-of-the-flow"})
		return r
	}
	release, err = flows.HoldFlowTurn(f, request())
	if err != nil {
		t.Fatal(err)
	}
	return f, request, release
}
