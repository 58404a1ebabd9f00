package middleware

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/b2bauth/b2bauth/client"
)

// Classes of the upstream errors the health report names.
const (
	// UpstreamCredentialsRefused: Stytch refused the project ID and secret
	// (401 unauthorized_credentials).
	UpstreamCredentialsRefused = "credentials_refused"
	// UpstreamRateLimited: Stytch answered 429.
	UpstreamRateLimited = "rate_limited"
	// UpstreamServerError: Stytch answered with a 5xx.
	UpstreamServerError = "server_error"
	// UpstreamUnexpectedAnswer: an error answer without Stytch's error body,
	// from something between the app and Stytch (a proxy, a wrong base URL).
	UpstreamUnexpectedAnswer = "unexpected_answer"
	// UpstreamRequestRefused: Stytch refused the call with a 4xx that is no
	// verdict on the session (a malformed request, the project's
	// configuration, plan or network restrictions; see
	// client.ErrSessionRejected).
	UpstreamRequestRefused = "request_refused"
	// UpstreamUnreachable: no answer came (connection refused, DNS, timeout).
	UpstreamUnreachable = "unreachable"
)

// health is what the middleware learnt of Stytch from its own calls.
type health struct {
	mu        sync.Mutex
	lastClass string // of the last upstream error, "" for none
	lastAt    time.Time
	refused   bool // Stytch refused the credentials at the last call that told
}

// record notes the outcome of a call to Stytch: a refusal of a session says
// the credentials were accepted; an error that is no verdict on a session is
// an upstream error.
func (h *health) record(err error, now time.Time) {
	class, accepted := upstreamClass(err)
	if class == "" && !accepted {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if accepted {
		h.refused = false
	}
	if class != "" {
		h.lastClass, h.lastAt = class, now
		h.refused = class == UpstreamCredentialsRefused
	}
}

// upstreamClass classifies the error of a call to Stytch: the class of an
// upstream error ("" when err is none), and whether the answer shows that
// Stytch accepted the project credentials.
func upstreamClass(err error) (class string, accepted bool) {
	var apiErr *client.Error
	switch {
	case err == nil:
		return "", true
	case client.IsCredentialsRefused(err):
		return UpstreamCredentialsRefused, false
	case errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusTooManyRequests:
		return UpstreamRateLimited, true
	case apiErr != nil && apiErr.StatusCode >= 500:
		return UpstreamServerError, false
	case apiErr != nil && apiErr.ErrorType == "":
		return UpstreamUnexpectedAnswer, false
	case errors.Is(err, client.ErrSessionRejected):
		return "", true // a verdict of Stytch's, such as session_not_found
	case apiErr != nil:
		return UpstreamRequestRefused, true
	case errors.Is(err, client.ErrUnavailable):
		return UpstreamUnreachable, false
	}
	return "", false
}

// Check asks Stytch whether it accepts the project credentials (see
// client.Client.CheckCredentials) and notes the answer for
// [Middleware.HealthHandler]. Call it at start-up: a wrong secret otherwise
// shows only as 503 answers to every request that needs Stytch. The error
// matches client.ErrCredentialsRefused when Stytch refused them, and
// client.ErrUnavailable when Stytch could not be asked (which says nothing
// of the credentials).
func (m *Middleware) Check(ctx context.Context) error {
	err := m.checkCredentials(ctx)
	m.health.record(err, time.Now())
	return err
}

// HealthReport is the body of [Middleware.HealthHandler]'s answers.
type HealthReport struct {
	// Ready is true when a key set is held (or keys come from
	// [WithKeyfunc]) and Stytch did not refuse the project credentials at
	// the last call that told.
	Ready bool `json:"ready"`
	// KeySet is the state of the key set, nil with [WithKeyfunc].
	KeySet *KeySetHealth `json:"key_set"`
	// LastUpstreamError is the last error of a call to Stytch made by the
	// middleware (sessions authenticate, [Middleware.Check]), nil when
	// none failed.
	LastUpstreamError *UpstreamError `json:"last_upstream_error"`
	// CredentialsRefused is true when Stytch refused the project ID and
	// secret at the last call that told.
	CredentialsRefused bool `json:"credentials_refused"`
}

// KeySetHealth is the state of the key set in a [HealthReport].
type KeySetHealth struct {
	// Held is true once a key set was fetched: JWTs are verified locally.
	Held bool `json:"held"`
	// Keys is the number of usable keys held.
	Keys int `json:"keys"`
	// FetchedAt is when the key set held was fetched, nil when none is.
	FetchedAt *time.Time `json:"fetched_at"`
	// AgeSeconds is the time since FetchedAt, 0 when none is held.
	AgeSeconds float64 `json:"age_seconds"`
	// LastFailureAt is when a fetch last failed, nil when none did.
	LastFailureAt *time.Time `json:"last_failure_at"`
}

// UpstreamError is an upstream error in a [HealthReport].
type UpstreamError struct {
	// Class is one of the Upstream... classes, e.g. "unreachable".
	Class string `json:"class"`
	// At is when it happened.
	At time.Time `json:"at"`
}

// Health returns the middleware's health report (see [HealthReport]).
func (m *Middleware) Health() HealthReport {
	now := time.Now()
	var rep HealthReport
	m.health.mu.Lock()
	if m.health.lastClass != "" {
		rep.LastUpstreamError = &UpstreamError{Class: m.health.lastClass, At: m.health.lastAt}
	}
	rep.CredentialsRefused = m.health.refused
	m.health.mu.Unlock()
	held := true
	if m.jwks != nil {
		st := m.jwks.Status()
		held = st.Held()
		ks := &KeySetHealth{Held: held, Keys: st.Keys}
		if held {
			at := st.FetchedAt
			ks.FetchedAt, ks.AgeSeconds = &at, now.Sub(at).Seconds()
		}
		if st.LastError != nil {
			at := st.LastErrorAt
			ks.LastFailureAt = &at
		}
		rep.KeySet = ks
	}
	rep.Ready = held && !rep.CredentialsRefused
	return rep
}

// HealthHandler returns a readiness handler to mount at a path such as
// "/healthz": it answers the [HealthReport] as JSON, with status 200 when
// it is ready and 503 otherwise. It makes no call to Stytch: it reports
// what the middleware learnt from its own calls and from [Middleware.Check].
// The report holds no credential; mount it where the operators' probes, not
// the public, can read it if the key set's age and the upstream errors are
// not for everyone.
func (m *Middleware) HealthHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rep := m.Health()
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		status := http.StatusOK
		if !rep.Ready {
			status = http.StatusServiceUnavailable
		}
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(rep)
	})
}
