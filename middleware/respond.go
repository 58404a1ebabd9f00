package middleware

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
)

// IsNavigation reports whether r is a top-level browser navigation, which is
// answered with redirects and pages rather than JSON: Sec-Fetch-Mode
// "navigate" when the browser sends it, otherwise a GET or HEAD whose Accept
// header lists text/html.
func IsNavigation(r *http.Request) bool {
	if mode := r.Header.Get("Sec-Fetch-Mode"); mode != "" {
		return mode == "navigate"
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false
	}
	return strings.Contains(r.Header.Get("Accept"), "text/html")
}

// errorBody is the JSON shape of every error answer.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code          string `json:"code"`
	Message       string `json:"message"`
	Factor        string `json:"factor,omitempty"`
	WithinSeconds int64  `json:"within_seconds,omitempty"`
}

// DefaultErrorHandler answers a rejected request. Browser navigations (see
// [WithNavigationDetector]) without a valid session are redirected (303) to
// the login URL with the return path when one is configured, and step-up
// refusals to the step-up URL; other navigations get a page in the style of
// the flows' pages saying why in words, with links home, to the login to
// switch organization or account, and to sign out (a POST to the login
// URL's sibling "/logout", the flows' logout, on 403 pages when the login
// URL ends in "/login"); everything else gets a JSON body
// {"error":{"code","message"}}. 503 answers carry
// Retry-After. No answer is cached.
func (m *Middleware) DefaultErrorHandler(w http.ResponseWriter, r *http.Request, err error) {
	code, status := Code(err)
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	if status == http.StatusServiceUnavailable {
		h.Set("Retry-After", strconv.Itoa(int(m.cfg.retryAfter.Seconds())))
	}
	detail := errorDetail{Code: code, Message: publicMessage(err)}
	var stepUp *StepUpError
	if errors.As(err, &stepUp) {
		detail.Factor = stepUp.Kind.String()
		detail.WithinSeconds = int64(stepUp.Within.Seconds())
	}
	if m.cfg.navigation(r) {
		target := ""
		switch {
		case status == http.StatusUnauthorized:
			target = m.cfg.loginURL
		case stepUp != nil:
			target = m.cfg.stepUpURL
		}
		if target != "" {
			http.Redirect(w, r, loginRedirect(target, m.cfg.returnParam, r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		h.Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(status)
		_ = refusalPage.Execute(w, m.refusalOf(r, code, status))
		return
	}
	h.Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(errorBody{Error: detail})
}

func publicMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message()
	}
	if errors.Is(err, ErrStepUpRequired) {
		return ErrStepUpRequired.Message()
	}
	return "internal error"
}
