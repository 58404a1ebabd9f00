package flows

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/b2bauth/b2bauth/client"
	"github.com/gorilla/securecookie"
)

// Every route that makes Stytch send an email goes through sendEmail, so
// that an address gets at most one email of each kind per cooldown (see
// WithEmailResendCooldown): each email costs a Stytch call and lands in an
// inbox from the customer's domain, and a form sent again and again must
// spend neither the project's rate limit nor the sender's reputation.

// emailSend is an email a form asks for.
type emailSend struct {
	kind emailKind
	// flow is the flow that waits for the email once it is sent; its
	// Email is the address.
	flow *flowState
	// page, target and next name the page of that flow: its template,
	// the URL of its GET and the "next" of JSON answers.
	page, target, next string
	// send asks Stytch for the email.
	send func(context.Context) error
	// refuse answers a failure on the form the request came from.
	refuse func(*Error)
}

// sentEmail is the record of an email asked for, kept in the guard's
// [Store] under its emailKey while the cooldown lasts, encrypted and
// authenticated with the flow cookie's keys: the flow that waits for the
// email, without the address or an intermediate session, the id of the
// flow the request came with and that of its browser (see markBrowser). A
// request sent with the same flow cookie or from the same browser (a
// double click whose first answer the browser never kept) takes the flow
// over: a link bound to the flow's PKCE verifier then works in this
// browser, which got no answer holding it.
type sentEmail struct {
	Prev    string     `json:"prev,omitempty"`
	Browser string     `json:"browser,omitempty"`
	Flow    *flowState `json:"flow"`
}

// sentName binds a record to its kind of email: the name is part of what
// the codec authenticates.
func sentName(kind emailKind) string { return "b2bauth-email-" + string(kind) }

// sendEmail sends the email of s unless one of its kind was asked for the
// address within the cooldown, then saves its flow and leads to the flow's
// page (JSON clients get its "next").
func (h *Handler) sendEmail(w http.ResponseWriter, r *http.Request, s *emailSend) {
	var (
		key    Key
		record []byte
	)
	if cooldown := h.cfg.emailCooldown; cooldown > 0 {
		cur, err := h.loadFlow(r, stepEmailSent, stepOrganizations)
		if err != nil {
			cur = nil
		}
		// The discovery forms answer every address alike: what is
		// recorded, and how, does not depend on whether it is a member's.
		key, record = emailKey(s.kind, s.flow.Email), h.sentRecord(r, cur, s)
		for try := 0; ; try++ {
			wait, held, err := h.guard.reserveEmail(r.Context(), key, record, cooldown)
			if err != nil {
				s.refuse(ErrUnavailable.with(err))
				return
			}
			if wait == 0 {
				break
			}
			if try == 0 && h.takeOver(r, cur, held, s) != nil {
				// This browser's own request, maybe still waiting for
				// Stytch (a double click): its answer is this one's,
				// and it is known only once that send ends.
				sent, err := h.guard.awaitEmail(r.Context(), key, held)
				if err != nil {
					s.refuse(ErrUnavailable.with(err))
					return
				}
				if !sent {
					continue // nothing went out: ask Stytch, for its answer
				}
			}
			h.emailNotSent(w, r, s, cur, held, wait)
			return
		}
	}
	err := s.send(r.Context())
	if record != nil {
		ctx := context.WithoutCancel(r.Context())
		if err != nil && notSent(err) {
			// Stytch answered without sending: the member must not wait
			// for an email that never comes.
			h.guardFailed(r, h.guard.unreserve(ctx, key, record))
		} else {
			h.guardFailed(r, h.guard.settleEmail(ctx, record, h.cfg.emailCooldown))
		}
	}
	if err != nil {
		s.refuse(fromStytch(err))
		return
	}
	if err := h.saveFlow(w, s.flow); err != nil {
		h.fail(w, r, nil, err)
		return
	}
	if wantsJSON(r) {
		h.writeJSON(w, http.StatusOK, nextBody{Next: s.next})
		return
	}
	h.seeStep(w, r, s.target)
}

// emailUsed lifts the cooldown of the email of kind to address once its
// link or code did its work: a member who then asks for another (back at
// the form, to sign in again or as someone else) needs a new one, which
// the cooldown would keep from coming while it shows the used one as on
// its way. Bombing stays bounded: each email lifted was opened by the
// owner of the inbox.
func (h *Handler) emailUsed(r *http.Request, kind emailKind, address string) {
	if h.cfg.emailCooldown <= 0 || address == "" {
		return
	}
	h.guardFailed(r, h.guard.store.Delete(context.WithoutCancel(r.Context()), emailKey(kind, address)))
}

// notSent reports whether a send failed with an answer saying no email
// went out: Stytch's own error (an invalid address, a policy refusal, its
// rate limit, its failure), or a refusal of something in between (a 4xx
// without Stytch's error body). The outcome of a send without an answer
// (a timeout, a lost connection) or with a gateway's 5xx without Stytch's
// body (a gateway timeout) is unknown: the email may have gone out.
func notSent(err error) bool {
	var apiErr *client.Error
	return errors.As(err, &apiErr) &&
		(apiErr.ErrorType != "" || apiErr.StatusCode < http.StatusInternalServerError)
}

// sentRecord is the value of the email's record: a sentEmail, or random
// bytes when it cannot be encoded (the record then leads no request on).
func (h *Handler) sentRecord(r *http.Request, cur *flowState, s *emailSend) []byte {
	f := *s.flow
	f.Email, f.IST, f.ISTExpiresAt, f.Organizations = "", "", time.Time{}, nil
	rec := sentEmail{Flow: &f, Browser: h.browserID(r)}
	if cur != nil {
		rec.Prev = cur.FlowID
	}
	v, err := securecookie.EncodeMulti(sentName(s.kind), rec, h.cookie.codecs...)
	if err != nil {
		return []byte(randomString(24))
	}
	return []byte(v)
}

// emailNotSent answers a request for an email within the cooldown of the
// last one of its kind to the address, held the value of its record. A
// browser whose flow waits for that email, or whose request the email was
// sent for (see sentEmail), is led to the flow's page with a notice; any
// other request gets the form with ErrEmailCooldown.
func (h *Handler) emailNotSent(w http.ResponseWriter, r *http.Request, s *emailSend, cur *flowState, held []byte, wait time.Duration) {
	now := h.cfg.now()
	// The flow the email was sent for first: a resend whose answer was
	// lost holds a new PKCE verifier, which the flow in the cookie lacks.
	st := h.takeOver(r, cur, held, s)
	switch {
	case st != nil:
		if err := h.saveFlow(w, st); err != nil {
			h.fail(w, r, nil, err)
			return
		}
		if cur == nil || cur.FlowID != st.FlowID {
			// This browser never got the answer of the request that
			// asked for the email (a double submit): this is that
			// answer, and nothing was asked for twice.
			if wantsJSON(r) {
				h.writeJSON(w, http.StatusOK, nextBody{Next: s.next})
				return
			}
			h.seeStep(w, r, s.target)
			return
		}
	case s.shownBy(cur):
		st = cur
	default:
		s.refuse(emailCooldown(now, wait))
		return
	}
	ago := max(h.cfg.emailCooldown-wait, 0)
	e := ErrEmailCooldown.withMessage(
		"An email to this address was asked for less than %d %s ago. Check the inbox, including the spam folder; you can ask for another %s.",
		int(ago/time.Second)+1, plural(int(ago/time.Second)+1, "second"), when(now, wait)).withRetryAfter(wait)
	h.log(r, st, e)
	if wantsJSON(r) {
		setRetryAfter(w, e)
		h.writeJSON(w, e.Status, errorBody{Error: errorDetail{Code: e.Code, Message: e.msg}, Next: s.next})
		return
	}
	// Not a failure: the page is the one asked for, and the email the
	// member waits for is on its way.
	h.sendNotice(w, r, s.target, notice{Page: s.page, Code: e.Code, Message: e.msg, Info: true})
}

// shownBy reports whether the flow st waits for the email of s: the same
// kind of start, organization and address, at the step that shows it sent.
func (s *emailSend) shownBy(st *flowState) bool {
	return st != nil && strings.EqualFold(st.Email, s.flow.Email) &&
		st.Started == s.flow.Started && st.OrganizationID == s.flow.OrganizationID &&
		(st.Step == stepEmailSent || st.Step == stepOrganizations && st.Started != "") &&
		(s.flow.PKCEVerifier == "" || st.PKCEVerifier != "")
}

// takeOver returns the flow recorded in held when r carries the flow cur
// that the email was asked for from or comes from the same browser (see
// sentEmail), completed with cur's intermediate session when it went on
// with it; else nil.
func (h *Handler) takeOver(r *http.Request, cur *flowState, held []byte, s *emailSend) *flowState {
	if held == nil {
		return nil
	}
	var rec sentEmail
	if securecookie.DecodeMulti(sentName(s.kind), string(held), &rec, h.cookie.codecs...) != nil || rec.Flow == nil {
		return nil
	}
	sameFlow := cur != nil && rec.Prev != "" && rec.Prev == cur.FlowID
	if !sameFlow && !h.sameBrowser(r, rec.Browser) {
		return nil
	}
	next := rec.Flow
	next.Email = s.flow.Email
	if cur != nil && next.FlowID == cur.FlowID {
		// A discovered member's flow that went on with this
		// organization's primary method: the record left its
		// intermediate session out, and the flow cookie brings it.
		next.IST, next.ISTExpiresAt, next.Organizations = cur.IST, cur.ISTExpiresAt, cur.Organizations
	}
	if !s.shownBy(next) {
		return nil
	}
	return next
}

// emailCooldown refuses an email asked for within the cooldown of the last
// one of its kind to the address, saying when another can be asked for.
// It says no more of that email: it was asked for by someone, who may not
// be a member.
func emailCooldown(now time.Time, wait time.Duration) *Error {
	return ErrEmailCooldown.withMessage(
		"An email to this address was asked for moments ago. Check the inbox, including the spam folder; you can ask for another %s.",
		when(now, wait)).withRetryAfter(wait)
}
