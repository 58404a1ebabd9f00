package flows

import (
	"context"
	"errors"
	"net/http"
	"time"
)

// Observer is told of the outcome of every step of the flows, for metrics
// and traces (the module github.com/b2bauth/b2bauth/otel implements it with
// OpenTelemetry). Install it with [WithObserver].
//
// StepDone is called synchronously, on the request's goroutine, once the
// step has answered: it must be safe for concurrent use and return quickly.
// The ctx is the request's.
type Observer interface {
	StepDone(ctx context.Context, s Step)
}

// Step describes one step of a flow: one request to one of the routes.
type Step struct {
	// Route is the route's pattern without the prefix, such as
	// "POST /login" or "POST /mfa/sms/verify" (a label of low
	// cardinality), or "cross_origin" for a state-changing request of
	// another origin, refused before any route.
	Route string
	// Err is why the step failed (an *[Error]), nil when it succeeded.
	Err error
	// Duration is the time the step took.
	Duration time.Duration
}

// Outcome returns "ok" for a step that succeeded, else the code of its
// error, such as "invalid_code" or "stytch_unavailable".
func (s Step) Outcome() string {
	if s.Err == nil {
		return "ok"
	}
	var e *Error
	if errors.As(s.Err, &e) {
		return e.Code
	}
	return ErrLoginFailed.Code
}

// WithObserver sets the [Observer] told of every step. Default: none.
func WithObserver(o Observer) Option {
	return optionFunc(func(c *config) error {
		if o == nil {
			return errors.New("b2bauth: flows: nil observer")
		}
		c.observer = o
		return nil
	})
}

// stepKey is the context key of a request's *stepRecord.
type stepKey struct{}

// stepRecord collects the failure of the step in progress (see Handler.log).
type stepRecord struct{ err *Error }

// observed wraps the handler of route so that the observer, if any, is told
// of its outcome. Every failed step passes through Handler.log, which notes
// its error in the request's record.
func (h *Handler) observed(route string, next http.Handler) http.Handler {
	obs := h.cfg.observer
	if obs == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &stepRecord{}
		ctx := context.WithValue(r.Context(), stepKey{}, rec)
		next.ServeHTTP(w, r.WithContext(ctx))
		s := Step{Route: route, Duration: time.Since(start)}
		if rec.err != nil {
			s.Err = rec.err
		}
		obs.StepDone(r.Context(), s)
	})
}

// noteFailure records e as the outcome of r's step.
func noteFailure(r *http.Request, e *Error) {
	if rec, ok := r.Context().Value(stepKey{}).(*stepRecord); ok {
		rec.err = e
	}
}
