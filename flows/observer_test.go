package flows_test

import (
	"context"
	"net/url"
	"sync"
	"testing"

	"github.com/b2bauth/b2bauth/emulator"
	"github.com/b2bauth/b2bauth/flows"
)

// stepLog records what a flows.Observer is told.
type stepLog struct {
	mu    sync.Mutex
	steps []flows.Step
}

func (o *stepLog) StepDone(_ context.Context, s flows.Step) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.steps = append(o.steps, s)
}

func (o *stepLog) take() []flows.Step {
	o.mu.Lock()
	defer o.mu.Unlock()
	s := o.steps
	o.steps = nil
	return s
}

// TestObserverIsToldOfEveryStepOutcome walks steps that succeed and steps
// that fail, and checks the route and outcome the observer is told of.
func TestObserverIsToldOfEveryStepOutcome(t *testing.T) {
	t.Parallel()
	obs := &stepLog{}
	h := newHarness(t, flows.WithObserver(obs))
	orgID := h.org(emulator.OrganizationSeed{Name: "Acme", Slug: "acme"})
	h.member(emulator.MemberSeed{Organization: "acme", Email: "alice@acme.example"})

	type want struct{ route, outcome string }
	tests := []struct {
		name string
		run  func()
		want []want
	}{
		{
			name: "the email step and the magic link succeed",
			run:  func() { h.discover("alice@acme.example", "/dashboard") },
			want: []want{{"POST /login", "ok"}, {"GET /callback", "ok"}},
		},
		{
			name: "a selection without an organization fails with its code",
			run:  func() { h.postJSON("/auth/organizations/select", url.Values{}) },
			want: []want{{"POST /organizations/select", "invalid_input"}},
		},
		{
			name: "a cross-origin post is refused before any route",
			run: func() {
				r := h.postRequest("/auth/login", url.Values{"email": {"alice@acme.example"}}, "application/json")
				r.Header.Set("Origin", "https://evil.example")
				r.Header.Set("Sec-Fetch-Site", "cross-site")
				h.do(r)
			},
			want: []want{{"cross_origin", "cross_origin"}},
		},
		{
			name: "entering the organization succeeds",
			run:  func() { h.expectDone(h.selectOrg(orgID), "/dashboard") },
			want: []want{{"POST /organizations/select", "ok"}},
		},
		{
			name: "a step-up route is observed around the middleware",
			run:  func() { h.getJSON("/auth/step-up") },
			want: []want{{"GET /step-up", "ok"}},
		},
		{
			name: "an outage of Stytch is told as such",
			run: func() {
				h.emu.SetFault(emulator.Fault{Path: "/v1/b2b/magic_links/email/discovery/send", Status: 503})
				defer h.emu.ClearFaults()
				h.waitOutEmailCooldown()
				h.postJSON("/auth/login", url.Values{"email": {"alice@acme.example"}})
			},
			want: []want{{"POST /login", "stytch_unavailable"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.run()
			got := obs.take()
			if len(got) != len(tt.want) {
				t.Fatalf("observer told of %d steps, want %d: %+v", len(got), len(tt.want), got)
			}
			for i, s := range got {
				if s.Route != tt.want[i].route || s.Outcome() != tt.want[i].outcome {
					t.Errorf("step %d: %s %s, want %s %s (err %v)", i, s.Route, s.Outcome(), tt.want[i].route, tt.want[i].outcome, s.Err)
				}
				if (s.Err == nil) != (s.Outcome() == "ok") || s.Duration <= 0 {
					t.Errorf("step %d: err %v, duration %v", i, s.Err, s.Duration)
				}
			}
		})
	}
}

func TestWithObserverRefusesNil(t *testing.T) {
	t.Parallel()
	if _, err := flows.New(newClient(t), newMiddleware(t), flows.WithCookieKeys(testKeys),
		flows.WithPublicURL("https://app.example"), flows.WithObserver(nil)); err == nil {
		t.Fatal("New accepted a nil observer")
	}
}
