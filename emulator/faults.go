package emulator

import (
	"net/http"
	"time"
)

// Fault makes the server misbehave for tests of client resilience. Faults are
// switched at run time with [Server.SetFault] and [Server.ClearFaults]; they
// never apply to the /_emulator/ pages.
type Fault struct {
	// Path is the request path the fault applies to, e.g.
	// "/v1/b2b/sessions/authenticate"; "" applies it to every path that has
	// no fault of its own.
	Path string
	// Latency delays the answer; a request whose context ends first gets no
	// answer.
	Latency time.Duration
	// Status, when 400..599, answers with that status and Stytch's error body:
	// too_many_requests for 429, internal_server_error for 5xx.
	Status int
	// ErrorType overrides the error_type of a Status fault.
	ErrorType string
	// Drop closes the connection without an answer. Served in process
	// through [Server.Handler] without a hijackable connection, it aborts the
	// handler with [http.ErrAbortHandler] instead.
	Drop bool
	// MalformedJWKS answers the JWKS path 200 with a truncated JSON body.
	MalformedJWKS bool
}

// SetFault installs f for f.Path, replacing the fault that path had.
func (s *Server) SetFault(f Fault) {
	s.ctl.Lock()
	defer s.ctl.Unlock()
	s.faults[f.Path] = f
}

// ClearFaults removes every fault.
func (s *Server) ClearFaults() {
	s.ctl.Lock()
	defer s.ctl.Unlock()
	clear(s.faults)
}

// faultFor returns the fault for a path: its own, else the catch-all one.
func (s *Server) faultFor(path string) Fault {
	s.ctl.Lock()
	defer s.ctl.Unlock()
	if f, ok := s.faults[path]; ok {
		return f
	}
	return s.faults[""]
}

// applyFault delays, drops or fails a request; it reports whether the request
// has been answered.
func (s *Server) applyFault(w http.ResponseWriter, r *http.Request) bool {
	f := s.faultFor(r.URL.Path)
	if f.Latency > 0 {
		t := time.NewTimer(f.Latency)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			return true
		case <-s.closing:
			return true
		}
	}
	if f.Drop {
		s.drop(w)
		return true
	}
	if f.Status >= 400 && f.Status <= 599 {
		s.writeError(w, errorForStatus(f.Status, f.ErrorType))
		return true
	}
	return false
}

// drop closes the client connection without writing anything.
func (s *Server) drop(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		// In-process handlers (httptest.ResponseRecorder) cannot be hijacked;
		// aborting the handler is the nearest thing.
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	_ = conn.Close()
}

// count records a call before any fault applies.
func (s *Server) count(r *http.Request) {
	s.ctl.Lock()
	defer s.ctl.Unlock()
	s.calls[r.Method+" "+r.URL.Path]++
}

// Calls returns how many requests were made with this method and path (query
// excluded), e.g. s.Calls("POST", "/v1/b2b/sessions/authenticate"). Requests
// are counted on arrival, before faults and authentication.
func (s *Server) Calls(method, path string) int {
	s.ctl.Lock()
	defer s.ctl.Unlock()
	return s.calls[method+" "+path]
}

// ResetCalls sets every call count back to zero.
func (s *Server) ResetCalls() {
	s.ctl.Lock()
	defer s.ctl.Unlock()
	clear(s.calls)
}
