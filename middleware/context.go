package middleware

import (
	"context"
	"fmt"
	"net/http"
)

type ctxKey struct{}

// state is what a verification step attaches to a request: the session or
// the reason it is absent.
type state struct {
	// owner is the Middleware that decided; another instance (another
	// project, other cookies) decides afresh.
	owner   *Middleware
	session *Session
	err     error
}

// NewContext returns a copy of ctx carrying s, as the middleware attaches it.
// Useful in tests of handlers that read [SessionFrom].
func NewContext(ctx context.Context, s *Session) context.Context {
	return context.WithValue(ctx, ctxKey{}, &state{session: s})
}

// stateContext is a context carrying a state: one allocation where
// context.WithValue and a separate state would take two.
type stateContext struct {
	context.Context
	st state
}

// withStateRequest returns a shallow copy of r whose context carries st, and
// the carried state. The context node is allocated apart from the request
// copy, as with Request.WithContext: one allocation holding both would save
// a few nanoseconds but let a context kept after the handler returns (a
// background job's context.WithoutCancel, say) keep the whole request alive,
// its headers and any parsed form included.
func withStateRequest(r *http.Request, st state) (*http.Request, *state) {
	sc := &stateContext{Context: r.Context(), st: st}
	return r.WithContext(sc), &sc.st
}

// Value returns the carried state for the package's key; other keys are
// the parent's.
func (c *stateContext) Value(key any) any {
	if _, ok := key.(ctxKey); ok {
		return &c.st
	}
	return c.Context.Value(key)
}

// String names the context as context.WithValue's do, for debugging.
func (c *stateContext) String() string {
	return fmt.Sprint(c.Context) + ".WithValue(middleware.state)"
}

func stateFrom(ctx context.Context) (*state, bool) {
	st, ok := ctx.Value(ctxKey{}).(*state)
	return st, ok
}

// SessionFrom returns the session attached to ctx by the middleware.
func SessionFrom(ctx context.Context) (*Session, bool) {
	st, ok := stateFrom(ctx)
	if !ok || st.session == nil {
		return nil, false
	}
	return st.session, true
}

// FailureReason returns why ctx carries no session (an *[Error]), or nil if it
// carries one or was never verified.
func FailureReason(ctx context.Context) error {
	if st, ok := stateFrom(ctx); ok {
		return st.err
	}
	return nil
}
