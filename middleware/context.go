package middleware

import "context"

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

func withState(ctx context.Context, st *state) context.Context {
	return context.WithValue(ctx, ctxKey{}, st)
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
