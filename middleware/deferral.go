package middleware

import (
	"context"
	"net/http"
)

// deferralKey is the context key of [DeferFailures].
type deferralKey struct{}

// deferral is what [DeferFailures] keeps in a context.
type deferral func(w http.ResponseWriter, r *http.Request, err error, answer http.Handler)

// DeferFailures returns a copy of ctx under which the middlewares of every
// Middleware leave the answer to a request they refuse to the caller: instead
// of running the error handler ([WithErrorHandler]), they call record with
// the writer and the request the refusing middleware was given, the reason,
// and a handler that writes the answer the error handler would have
// written, and call no next handler. The cookies of an invalid session are
// cleared on w before record runs, as always. It is for adapters of
// frameworks that route errors to a handler of their own, such as echo's
// HTTPErrorHandler. A refusal further down the chain, behind net/http
// wrappers of its own (compression, [http.TimeoutHandler], a logging
// recorder), reaches the same record: answering it on w and r keeps those
// wrappers in the answer's path. A nil record ends the deferral for the
// handlers further down the chain.
func DeferFailures(ctx context.Context, record func(w http.ResponseWriter, r *http.Request, err error, answer http.Handler)) context.Context {
	if record == nil {
		return context.WithValue(ctx, deferralKey{}, deferral(nil))
	}
	return context.WithValue(ctx, deferralKey{}, deferral(record))
}

// setErrorHandler sets the handler the middlewares answer refusals with:
// WithErrorHandler's or m.DefaultErrorHandler, unless the request defers its
// failures (see DeferFailures).
func (m *Middleware) setErrorHandler() {
	h := m.cfg.customHandler
	if h == nil {
		h = m.DefaultErrorHandler
	}
	m.cfg.errorHandler = func(w http.ResponseWriter, r *http.Request, err error) {
		if record, _ := r.Context().Value(deferralKey{}).(deferral); record != nil {
			record(w, r, err, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h(w, r, err) }))
			return
		}
		h(w, r, err)
	}
}
