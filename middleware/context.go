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

// stateContext is a context carrying a state, allocated with its request
// (see stateRequest).
type stateContext struct {
	context.Context
	st state
}

// stateRequest is a request and the context node carrying its state, in one
// allocation: the repeat path's only one. The request is the caller's,
// copied with the node as its context, as Request.WithContext copies it.
type stateRequest struct {
	node stateContext
	req  http.Request
}

// withStateRequest returns a shallow copy of r whose context carries st, and
// the carried state.
func withStateRequest(r *http.Request, st state) (*http.Request, *state) {
	p := &stateRequest{node: stateContext{Context: r.Context(), st: st}}
	// WithContext is inlined and its copy does not escape: the copy
	// lands in p, next to the node.
	p.req = *r.WithContext(&p.node)
	return &p.req, &p.node.st
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
