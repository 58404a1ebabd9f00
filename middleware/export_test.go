package middleware

import "net/http"

// DecideForTest runs the verification step of m on r without attaching its
// outcome to a copy of r: the hit path's work but its one allocation.
func DecideForTest(m *Middleware, w http.ResponseWriter, r *http.Request) (*Session, error) {
	v := m.authenticate(w, r)
	return v.session, v.err
}
