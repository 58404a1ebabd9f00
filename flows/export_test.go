package flows

import (
	"encoding/json"
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
