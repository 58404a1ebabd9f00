package flows

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/b2bauth/b2bauth/client"
	"github.com/b2bauth/b2bauth/middleware"
	"github.com/gorilla/securecookie"
)

// A browser sends the same step twice: a double click on a submit button
// sends the second request with the cookies of the first, before its answer
// (the session cookies and the cleared flow cookie) arrives; a reload of a
// POST, or the back button to a step, comes once the flow cookie is gone.
// The browser shows the last answer, so answering these as an expired
// sign-in would show an error to a member who is signed in. A request whose
// flow finished is led on, where the sign-in was going, instead: a flow
// cookie sent with a request is known to have finished by a record of its
// flow id in the guard's [Store]; a request without a flow cookie, from a
// browser holding a valid session, has nothing left to do. Nothing new is
// granted either way: the session was made by the request that finished the
// flow, and is only written again, to a request carrying that flow's
// cookie, when the browser lost the answer that carried it; the return path
// is one the flow or the form holds, checked as local like every return
// path.

// finishedMemory is how long the end of a flow is remembered: long enough
// for the requests a browser sent before the answer that ended it.
const finishedMemory = time.Minute

func finishedKey(flowID string) Key { return keyOf("finished", flowID) }

// markFinished records that the flow st ended with the session whose token
// is token. The record holds the token encrypted and authenticated with the
// flow cookie's keys, under a name of the flow's own, so that a request of
// the flow whose browser never got the answer carrying the session cookies
// (it cancelled that request, a double click without the busy-state
// script) gets the session written again (see endedFlow).
func (h *Handler) markFinished(r *http.Request, st *flowState, token string) {
	if st == nil || st.FlowID == "" {
		return
	}
	v, err := securecookie.EncodeMulti(finishedName(st.FlowID), token, h.cookie.codecs...)
	if err == nil {
		_, err = h.guard.store.SetNX(context.WithoutCancel(r.Context()), finishedKey(st.FlowID), []byte(v), finishedMemory)
	}
	h.guardFailed(r, err)
}

// finishedName binds a finished record to its flow: the name is part of
// what the codec authenticates.
func finishedName(flowID string) string { return "b2bauth-finished-" + flowID }

// finished reports whether the flow st ended with a session. A store that
// cannot say counts as no: the step goes on as without the record.
func (h *Handler) finished(r *http.Request, st *flowState) bool {
	_, ok := h.finishedToken(r, st)
	return ok
}

// finishedToken is finished, with the token of the session the flow made
// ("" when the record cannot be read back, such as after a key rotation).
func (h *Handler) finishedToken(r *http.Request, st *flowState) (token string, ok bool) {
	if st == nil || st.FlowID == "" {
		return "", false
	}
	v, _, ok, err := h.guard.store.Get(r.Context(), finishedKey(st.FlowID))
	h.guardFailed(r, err)
	if err != nil || !ok {
		return "", false
	}
	if securecookie.DecodeMulti(finishedName(st.FlowID), string(v), &token, h.cookie.codecs...) != nil {
		token = ""
	}
	return token, true
}

// leadOn answers a request whose flow failed with e, and reports whether
// it did, when the flow finished (see endedFlow), or when there is no flow
// cookie (st nil) and the request holds a valid session: the browser is
// sent to a return path the request carries. A step-up flow's failures
// are left alone (its stub has no flow id): its session is there whether
// or not the step-up was done.
func (h *Handler) leadOn(w http.ResponseWriter, r *http.Request, st *flowState, e *Error) bool {
	if !errors.Is(e, ErrFlowMissing) && !errors.Is(e, ErrFlowExpired) && !errors.Is(e, ErrLinkInvalid) {
		return false
	}
	if st != nil {
		return h.endedFlow(w, r, st)
	}
	if !errors.Is(e, ErrFlowMissing) || h.heldSession(w, r) == nil {
		return false
	}
	h.redirect(w, r, "done", h.destination(&flowState{ReturnTo: requestedReturnPath(w, r)}))
	return true
}

// endedFlow answers a request of the flow st if the flow finished, and
// reports whether it did: its cookie is cleared and the browser sent on to
// the flow's return path.
func (h *Handler) endedFlow(w http.ResponseWriter, r *http.Request, st *flowState) bool {
	token, ok := h.finishedToken(r, st)
	if !ok {
		return false
	}
	if token != "" && h.heldSession(w, r) == nil {
		h.restoreSession(w, r, token)
	}
	h.clearFlow(w, st.Step)
	h.redirect(w, r, "done", h.destination(st))
	return true
}

// restoreSession writes again the cookies of the session a finished flow
// made, for a browser that holds no valid session: the answer that carried
// them never reached it. Stytch is asked, so a session ended meanwhile is
// not written; failing that, the browser is led on without it, as before.
func (h *Handler) restoreSession(w http.ResponseWriter, r *http.Request, token string) {
	res, err := h.client.Sessions.Authenticate(r.Context(), &client.SessionsAuthenticateParams{SessionToken: token})
	if err != nil || res.SessionToken == "" || res.SessionJWT == "" {
		h.cfg.logger.InfoContext(r.Context(), "b2bauth: flows: the session of a finished sign-in could not be written again", "error", err)
		return
	}
	expires := h.cfg.now().Add(time.Duration(h.cfg.sessionDuration) * time.Minute)
	if res.MemberSession.ExpiresAt != nil {
		expires = *res.MemberSession.ExpiresAt
	}
	h.mw.SetSessionCookies(w, res.SessionToken, res.SessionJWT, expires)
}

// heldSession returns the valid session the request carries, or nil.
func (h *Handler) heldSession(w http.ResponseWriter, r *http.Request) *middleware.Session {
	var s *middleware.Session
	h.mw.OptionalSession(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		s, _ = middleware.SessionFrom(r.Context())
	})).ServeHTTP(w, r)
	return s
}

// requestedReturnPath is the return path a request names: a form's
// return_to for a POST, the query's for a GET; "" when it names none or
// an unsafe one.
func requestedReturnPath(w http.ResponseWriter, r *http.Request) string {
	v := r.URL.Query().Get("return_to")
	if !safeMethod(r) {
		in := r.PostForm
		if in == nil {
			in, _ = input(w, r)
		}
		v = in.Get("return_to")
	}
	p, _ := returnPath(v)
	return p
}

// maxFlowWaiting bounds the POSTs of one flow that wait for its turn on
// an instance: a double click, a reload, a few more. net/http does not see
// that a client sent a body and hung up while its request waits unread, so
// an unbounded queue would let one cookie park any number of requests,
// each then run to its end.
const maxFlowWaiting = 4

// errFlowQueueFull is enter's answer when maxFlowWaiting requests of the
// flow already wait.
var errFlowQueueFull = errors.New("b2bauth: flows: too many requests of one flow waiting")

// flowQueue runs the POSTs that carry the same flow cookies one at a time
// on this instance, so that the second request of a double click starts
// once the first has finished its flow, and then finds the record of that
// (see endedFlow) rather than racing it to Stytch; each runs to its end
// even if its browser gives it up. Up to maxFlowWaiting requests wait;
// one more is served at once, as without the queue. Entries live only
// while requests wait or run.
type flowQueue struct {
	mu      sync.Mutex
	waiting map[Key]*queued
}

// queued is the turn of the requests of one key: a token in ch, taken by
// the request that runs; n counts the requests waiting or running.
type queued struct {
	n  int
	ch chan struct{}
}

// enter waits for the turn of key k, until ctx ends, and returns the func
// that gives the turn up; errFlowQueueFull when maxFlowWaiting requests
// already wait for it.
func (q *flowQueue) enter(ctx context.Context, k Key) (leave func(), err error) {
	q.mu.Lock()
	if q.waiting == nil {
		q.waiting = make(map[Key]*queued)
	}
	e := q.waiting[k]
	if e != nil && e.n > maxFlowWaiting {
		q.mu.Unlock()
		return nil, errFlowQueueFull
	}
	if e == nil {
		e = &queued{ch: make(chan struct{}, 1)}
		e.ch <- struct{}{}
		q.waiting[k] = e
	}
	e.n++
	q.mu.Unlock()
	done := func() {
		q.mu.Lock()
		if e.n--; e.n == 0 {
			delete(q.waiting, k)
		}
		q.mu.Unlock()
	}
	leave = func() { e.ch <- struct{}{}; done() }
	// A free turn is taken even by a request its browser gave up: it is
	// served, as it would have been without the queue.
	select {
	case <-e.ch:
		return leave, nil
	default:
	}
	select {
	case <-e.ch:
		return leave, nil
	case <-ctx.Done():
		done()
		return nil, ctx.Err()
	}
}

// oneAtATime runs next for a POST after the POSTs in flight on this
// instance that carry the same flow cookies; a request without any, or
// finding maxFlowWaiting requests waiting already, runs at once.
func (h *Handler) oneAtATime(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var login, stepUp string
		if c, err := r.Cookie(h.cookie.name); err == nil {
			login = c.Value
		}
		if c, err := r.Cookie(h.stepUpCookie.name); err == nil {
			stepUp = c.Value
		}
		if r.Method != http.MethodPost || login == "" && stepUp == "" {
			next.ServeHTTP(w, r)
			return
		}
		leave, err := h.queue.enter(r.Context(), keyOf("queue", login, stepUp))
		if errors.Is(err, errFlowQueueFull) {
			// Served as without the queue, on the request's own context:
			// the cost of an ordinary request, not of a parked one.
			next.ServeHTTP(w, r)
			return
		}
		if errors.Is(err, context.DeadlineExceeded) {
			// A deadline of the application's own passed while the step
			// waited: an outage, with the flow kept for a retry.
			h.fail(w, r, nil, ErrUnavailable.with(err))
			return
		}
		if err != nil {
			// The browser went away while waiting: nobody reads an answer.
			return
		}
		defer leave()
		// The step goes on when the browser gives the request up (a
		// second click cancels the first navigation): Stytch may already
		// have acted on it, and the request queued behind needs its
		// outcome, the record of a finished sign-in above all. The
		// client's timeouts bound it.
		next.ServeHTTP(w, r.WithContext(context.WithoutCancel(r.Context())))
	})
}

// textedEntryKey names the record of the MFA step that the flow flowID's
// entry into an organization led to, when Stytch texted the member on
// entry.
func textedEntryKey(flowID, organizationID string) Key {
	return keyOf("texted-entry", flowID, organizationID)
}

// markTextedEntry records next, the MFA step of a flow that entered an
// organization whose member Stytch texted on entry, for the SMS cooldown:
// the same choice sent again with the cookie the flow had before (a double
// click) cannot enter again without texting again, and is led to the code
// page of the text sent instead (see textedEntry). The record holds the
// step encrypted as the flow cookie, without the intermediate session
// token, the email or the return path: the request led on brings its own.
func (h *Handler) markTextedEntry(r *http.Request, next *flowState) {
	if next.FlowID == "" || h.cfg.smsCooldown <= 0 {
		return
	}
	rec := *next
	rec.IST, rec.ISTExpiresAt, rec.Email, rec.ReturnTo, rec.Organizations = "", time.Time{}, "", "", nil
	rec.ExpiresAt = h.cfg.now().Add(flowLifetime)
	v, err := h.cookie.encode(&rec)
	if err == nil {
		_, err = h.guard.store.SetNX(context.WithoutCancel(r.Context()),
			textedEntryKey(next.FlowID, next.OrganizationID), []byte(v), h.cfg.smsCooldown)
	}
	h.guardFailed(r, err)
}

// textedEntry returns the MFA step recorded by markTextedEntry for the flow
// st entering the organization, completed with st's intermediate session
// (Stytch's exchange gives it back unconsumed), or nil when there is none
// or the store cannot say.
func (h *Handler) textedEntry(r *http.Request, st *flowState, organizationID string) *flowState {
	if st == nil || st.FlowID == "" || st.IST == "" {
		return nil
	}
	v, _, ok, err := h.guard.store.Get(r.Context(), textedEntryKey(st.FlowID, organizationID))
	h.guardFailed(r, err)
	if err != nil || !ok {
		return nil
	}
	next, err := h.cookie.decode(string(v))
	if err != nil || next.FlowID != st.FlowID || next.Step != stepMFA || next.OrganizationID != organizationID {
		return nil
	}
	next.IST, next.ISTExpiresAt, next.Email, next.ReturnTo = st.IST, st.ISTExpiresAt, st.Email, st.ReturnTo
	return next
}
