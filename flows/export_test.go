package flows

import (
	"encoding/json"
	"net/http"
	"time"
)

// FlowCookieName returns the name of h's flow cookie.
func FlowCookieName(h *Handler) string { return h.cookie.name }

// DecodeFlowCookie decodes a flow cookie value of h and returns the state as
// JSON, so tests can check what it holds (and what it does not).
func DecodeFlowCookie(h *Handler, value string) (string, error) {
	st, err := h.cookie.decode(value)
	if err != nil {
		return "", err
	}
	b, err := json.Marshal(st)
	return string(b), err
}

// EncodeFlowCookie returns a valid flow cookie value of h for a flow in the
// organization step with the given IST, expiring at expires.
func EncodeFlowCookie(h *Handler, ist string, expires time.Time) (string, error) {
	st := newFlow(stepOrganizations, "")
	st.IST, st.ExpiresAt = ist, expires
	return h.cookie.encode(st)
}

// MaxCookieSize is the encoded size budget of the flow cookie.
const MaxCookieSize = maxCookieSize

// StepUpCookieName returns the name of h's step-up flow cookie.
func StepUpCookieName(h *Handler) string { return h.stepUpCookie.name }

// ClassifyStytchError returns the code of the flows error a client error
// becomes.
func ClassifyStytchError(err error) string { return fromStytch(err).Code }

// WithStoreCapacity bounds the default store of h's guard to n records.
func WithStoreCapacity(n int) Option {
	return optionFunc(func(c *config) error {
		c.storeCapacity = n
		return nil
	})
}

// NewMemoryStore returns the default store of the guard, with its clock
// and capacity, for tests that wrap it.
func NewMemoryStore(now func() time.Time, capacity int) Store {
	return newMemoryStore(now, capacity)
}

// NoticeCookieName returns the name of h's notice cookie.
func NoticeCookieName(h *Handler) string { return h.noticeName() }

// HoldFlowTurn takes the turn of the POSTs that carry r's flow cookies, as
// a request of the same flow in flight holds it, and returns the func that
// gives it up.
func HoldFlowTurn(h *Handler, r *http.Request) (release func(), err error) {
	var login, stepUp string
	if c, err := r.Cookie(h.cookie.name); err == nil {
		login = c.Value
	}
	if c, err := r.Cookie(h.stepUpCookie.name); err == nil {
		stepUp = c.Value
	}
	return h.queue.enter(r.Context(), keyOf("queue", login, stepUp))
}

// MaxFlowWaiting is how many POSTs of one flow wait for its turn.
const MaxFlowWaiting = maxFlowWaiting
