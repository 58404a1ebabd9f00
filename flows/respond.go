package flows

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/b2bauth/b2bauth/client"
)

// wantsJSON reports whether the request's Accept header prefers
// application/json to text/html. Equal preferences go to the type listed
// first; no Accept header, or only wildcards, means HTML.
func wantsJSON(r *http.Request) bool {
	jsonQ, htmlQ := -1.0, -1.0
	jsonPos, htmlPos := 0, 0
	pos := 0
	for _, field := range r.Header.Values("Accept") {
		for part := range strings.SplitSeq(field, ",") {
			mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
			if err != nil {
				continue
			}
			pos++
			q := 1.0
			if v, ok := params["q"]; ok {
				if f, err := strconv.ParseFloat(v, 64); err == nil {
					q = f
				}
			}
			switch mt {
			case "application/json":
				if q > jsonQ {
					jsonQ, jsonPos = q, pos
				}
			case "text/html", "application/xhtml+xml":
				if q > htmlQ {
					htmlQ, htmlPos = q, pos
				}
			}
		}
	}
	if jsonQ <= 0 {
		return false
	}
	return jsonQ > htmlQ || (jsonQ == htmlQ && jsonPos < htmlPos)
}

// JSON answers.
type (
	errorBody struct {
		Error errorDetail `json:"error"`
		Next  string      `json:"next"`
	}
	errorDetail struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	}
	nextBody struct {
		Next     string `json:"next"`
		Redirect string `json:"redirect,omitempty"`
	}
	organizationsBody struct {
		Next          string         `json:"next"`
		Organizations []Organization `json:"organizations"`
		CanCreate     bool           `json:"can_create"`
	}
	mfaBody struct {
		Next         string   `json:"next"`
		Methods      []string `json:"methods"`
		SMSSent      bool     `json:"sms_sent"`
		PhoneHint    string   `json:"phone_hint"`
		NeedsPhone   bool     `json:"needs_phone"`
		TOTPEnrolled bool     `json:"totp_enrolled"`
		// Back is where a member leaves a step-up for (see backPath).
		Back string `json:"back,omitempty"`
	}
	totpEnrollBody struct {
		Next          string   `json:"next"`
		Secret        string   `json:"secret"`
		QRCode        string   `json:"qr_code"`
		RecoveryCodes []string `json:"recovery_codes"`
	}
)

// noStore marks an answer as private and uncacheable: flow pages carry
// codes, secrets and per-member data.
func noStore(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
}

func (h *Handler) writeJSON(w http.ResponseWriter, status int, v any) {
	noStore(w)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// render executes the named page into a buffer first, so a template error
// is a clean 500 instead of half a page.
//
// Failures of POSTs and callbacks are not rendered but sent to the page of
// their step (see failureTarget), and that page shows them (see notice.go).
// Every page of the email form offers the OAuth providers, and keeps the
// return path a failed form posted.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, name string, p *Page) {
	p.Prefix = h.cfg.prefix
	if name == "login.html" && p.OAuthProviders == nil {
		p.OAuthProviders = h.cfg.oauthProviders
	}
	if p.ReturnTo == "" && r.PostForm != nil {
		if rt, err := returnPath(r.PostForm.Get("return_to")); err == nil {
			p.ReturnTo = rt
		}
	}
	if target, page := h.failureTarget(r, status, name, p); target != "" {
		h.sendNotice(w, r, target, notice{Page: page, Code: p.ErrorCode, Message: p.ErrorMessage, Email: p.Email})
		return
	}
	if status < 400 && safeMethod(r) {
		h.takeNotice(w, r, name, p)
	}
	var buf bytes.Buffer
	if err := h.templates.ExecuteTemplate(&buf, name, p); err != nil {
		h.cfg.logger.ErrorContext(r.Context(), "b2bauth: flows: template failed", "template", name, "error", err)
		noStore(w)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	noStore(w)
	if safeMethod(r) {
		h.markBrowser(w, r)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// redirect answers a browser with a 303 to target and a JSON client with
// {"next": next, "redirect": target}.
func (h *Handler) redirect(w http.ResponseWriter, r *http.Request, next, target string) {
	if wantsJSON(r) {
		h.writeJSON(w, http.StatusOK, nextBody{Next: next, Redirect: target})
		return
	}
	noStore(w)
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// seeStep answers a browser whose form succeeded with a 303 to target, the
// GET that draws the next step from the flow cookie (post/redirect/get): the
// back button and a reload then reach that page again, never a browser's
// "confirm form resubmission". JSON clients are answered before.
func (h *Handler) seeStep(w http.ResponseWriter, r *http.Request, target string) {
	noStore(w)
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// stepMovedOn answers the GET of a step page whose flow loaded but stands
// elsewhere, and reports whether it did: a flow gone on to the
// organizations, MFA or step-up (the back button after the step) is sent
// to the page of where it stands, and kept.
func (h *Handler) stepMovedOn(w http.ResponseWriter, r *http.Request, st *flowState, err error) bool {
	if st == nil || !errors.Is(err, ErrWrongStep) || st.Step == stepEmailSent {
		return false
	}
	h.redirect(w, r, st.Step.next(), h.stepURL(st.Step, st.ReturnTo))
	return true
}

// fail answers a failed step. A flow that cannot go on sends the member back
// to the email form and is cleared (by a GET only when its cookie is
// unusable); an outage keeps the flow and asks
// to try again; any other failure shows the current step again with the
// message. st is the flow as it stands (nil when there is none; on the
// step-up routes at least a flow in stepStepUp, see stepUpStub).
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, st *flowState, err error) {
	e := asError(err)
	if e.restart && h.leadOn(w, r, st, e) {
		return
	}
	h.log(r, st, e)
	var returnTo string
	current := stepNone
	if st != nil {
		returnTo, current = st.ReturnTo, st.Step
	}
	if e.restart {
		// Only the cookie of the failed flow: a failed step-up must not
		// end a sign-in in progress, nor the other way round. A GET
		// clears it only when the cookie itself is unusable: any site can
		// make a browser follow a link (a bogus callback, the page of
		// another step), and must not end a sign-in with it.
		if !safeMethod(r) || cookieUnusable(e) {
			h.clearFlow(w, current)
		}
		if current == stepStepUp && !errors.Is(e, ErrSessionRequired) {
			h.restartStepUp(w, r, e, returnTo)
			return
		}
		current = stepNone
	}
	if e.Status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", strconv.Itoa(int(h.mw.RetryAfter()/time.Second)))
	}
	setRetryAfter(w, e)
	if wantsJSON(r) {
		h.writeJSON(w, e.Status, errorBody{
			Error: errorDetail{Code: e.Code, Message: e.msg},
			Next:  current.next(),
		})
		return
	}
	p := &Page{ErrorCode: e.Code, ErrorMessage: e.msg, ReturnTo: returnTo}
	if e.Status == http.StatusServiceUnavailable {
		p.Step = "error"
		// A GET is retried by reloading it; a POST by going back to the
		// page of the step, whose form resubmits.
		if r.Method == http.MethodPost {
			p.RetryURL = h.stepURL(current, returnTo)
		}
		h.render(w, r, e.Status, "error.html", p)
		return
	}
	if st != nil && st.showEnroll && st.TOTP != nil && current != stepNone {
		h.showTOTPEnrollment(w, r, st, e.Status, p, "")
		return
	}
	switch current {
	case stepOrganizations:
		h.fillOrganizations(r, st, p)
		h.render(w, r, e.Status, "organizations.html", p)
	case stepMFA:
		h.fillMFA(st, p)
		h.render(w, r, e.Status, "mfa.html", p)
	case stepStepUp:
		if st.MemberID == "" {
			// A stub (see stepUpStub): the failure came before the
			// member's factors were known, and the step-up page would
			// say the account has none.
			p.Step, p.StepUp, p.BackURL = "error", true, h.backPath(returnTo)
			p.RetryURL = h.stepURL(stepStepUp, returnTo)
			h.render(w, r, e.Status, "error.html", p)
			return
		}
		h.fillMFA(st, p)
		h.render(w, r, e.Status, "step_up.html", p)
	default:
		p.Step = "email"
		p.OAuthProviders, p.PrimaryMethods = h.cfg.oauthProviders, h.cfg.primaryMethods
		h.render(w, r, e.Status, "login.html", p)
	}
}

// setRetryAfter sets the Retry-After of an answer refusing a request that
// may be sent again after a known wait, in whole seconds rounded up.
func setRetryAfter(w http.ResponseWriter, e *Error) {
	if e.retryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(ceilUnits(e.retryAfter, time.Second)))
	}
}

// restartStepUp answers a step-up that cannot go on. The member is still
// signed in: they start the step-up again from its page, never the sign-in,
// and the sign-in's messages ("enter your email") do not apply.
func (h *Handler) restartStepUp(w http.ResponseWriter, r *http.Request, e *Error, returnTo string) {
	const msg = "Your verification could not be completed. Start it again."
	if wantsJSON(r) {
		h.writeJSON(w, e.Status, errorBody{
			Error: errorDetail{Code: e.Code, Message: msg},
			Next:  stepStepUp.next(),
		})
		return
	}
	h.render(w, r, e.Status, "error.html", &Page{
		Step: "error", ErrorCode: e.Code, ErrorMessage: msg, ReturnTo: returnTo,
		RetryURL: h.stepURL(stepStepUp, returnTo), StepUp: true, BackURL: h.backPath(returnTo),
	})
}

// stepURL is the page of a step, where a "try again" link leads.
func (h *Handler) stepURL(s step, returnTo string) string {
	switch s {
	case stepOrganizations:
		return h.cfg.prefix + "/organizations"
	case stepMFA:
		return h.cfg.prefix + "/mfa"
	case stepStepUp:
		return h.cfg.prefix + "/step-up" + returnQuery(returnTo)
	}
	return h.cfg.prefix + "/login" + returnQuery(returnTo)
}

// log records a failure without credentials: the error text of the client
// carries Stytch's error type, message and request id, never a token. Every
// failed step passes here, which notes it for the observer.
func (h *Handler) log(r *http.Request, st *flowState, e *Error) {
	noteFailure(r, e)
	level := slog.LevelInfo
	switch {
	case errors.Is(e, client.ErrProjectCredentials):
		// Our project credentials were refused: a configuration error,
		// answered as an outage.
		level = slog.LevelError
	case errors.Is(e, ErrUnavailable):
		level = slog.LevelWarn
	case errors.Is(e, ErrLoginFailed) || e.Status >= 500:
		level = slog.LevelError
	}
	attrs := []slog.Attr{slog.String("code", e.Code), slog.String("path", r.URL.Path)}
	if st != nil {
		attrs = append(attrs, slog.String("flow_id", st.FlowID), slog.String("step", st.Step.next()))
	}
	if e.Err != nil {
		attrs = append(attrs, slog.String("error", e.Err.Error()))
	}
	h.cfg.logger.LogAttrs(r.Context(), level, "b2bauth: flows: step failed", attrs...)
}

func safeMethod(r *http.Request) bool {
	return r.Method == http.MethodGet || r.Method == http.MethodHead
}

// cookieUnusable reports whether e says the flow cookie itself cannot be
// used (missing, undecodable, expired or too large).
func cookieUnusable(e *Error) bool {
	for _, c := range []*Error{ErrFlowMissing, ErrFlowInvalid, ErrFlowExpired, ErrFlowTooLarge} {
		if e.Code == c.Code {
			return true
		}
	}
	return false
}
