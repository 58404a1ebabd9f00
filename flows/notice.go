package flows

import (
	"net/http"
	"net/url"

	"github.com/gorilla/securecookie"
)

// A failed POST or callback is answered, for browsers, with a 303 to the
// page of the step (post/redirect/get), never with a page at the POST's or
// callback's URL: the address bar never keeps a link's token, and reloading
// the page never submits a form again. What the page must say travels in a
// short-lived notice cookie beside the flow cookie, encrypted and
// authenticated with the flow cookie's keys under its own name, and is
// shown once by the next GET of that page.
const (
	noticeCookieName       = "b2bauth_notice"
	secureNoticeCookieName = "__Host-b2bauth_notice"
	// noticeLifetime bounds the redirect and the GET it leads to.
	noticeLifetime = 60
)

// notice is a failure on its way to the page that shows it.
type notice struct {
	// Page is the template the notice is for; another page drops it.
	Page    string `json:"p"`
	Code    string `json:"c"`
	Message string `json:"m"`
	// Email is the address typed into the email form that failed.
	Email string `json:"e,omitempty"`
	// Info marks a message that is no failure (see Page.Info).
	Info bool `json:"i,omitempty"`
}

func (h *Handler) noticeName() string {
	if h.cookie.secure {
		return secureNoticeCookieName
	}
	return noticeCookieName
}

func (h *Handler) noticeCookie(value string, maxAge int) *http.Cookie {
	return &http.Cookie{
		Name: h.noticeName(), Value: value, Path: "/", MaxAge: maxAge,
		Secure: h.cookie.secure, HttpOnly: true, SameSite: http.SameSiteLaxMode,
	}
}

// failureTarget returns where a browser is sent after a failed request whose
// page would be name, and the page the notice is for; "" to render the
// page in place: a GET of a page (already where a reload retries), an
// outage (a reload or the form retries), a cross-origin refusal (nothing of
// the member's), or a page with no URL of its own.
func (h *Handler) failureTarget(r *http.Request, status int, name string, p *Page) (target, page string) {
	if status < 400 || status == http.StatusServiceUnavailable || p.ErrorCode == ErrCrossOrigin.Code ||
		wantsJSON(r) || (r.Method != http.MethodPost && r.URL.Path != h.cfg.prefix+"/callback") {
		return "", ""
	}
	pre := h.cfg.prefix
	switch name {
	case "login.html":
		return pre + "/login" + returnQuery(p.ReturnTo), name
	case "organization_login.html":
		slug := r.PathValue("slug")
		if p.OrganizationLogin != nil {
			slug = p.OrganizationLogin.Slug
		}
		if slug == "" {
			return "", ""
		}
		return pre + "/o/" + url.PathEscape(slug) + returnQuery(p.ReturnTo), name
	case "enter_code.html":
		if p.CodeOrganization != "" {
			return pre + "/o/" + url.PathEscape(p.CodeOrganization) + "/code", name
		}
		return pre + "/login/code", name
	case "organizations.html":
		return pre + "/organizations", name
	case "mfa.html":
		return pre + "/mfa", name
	case "step_up.html":
		return pre + "/step-up" + returnQuery(p.ReturnTo), name
	case "totp_enroll.html":
		if p.StepUp {
			return pre + "/step-up" + returnQuery(p.ReturnTo), name
		}
		return pre + "/mfa", name
	case "error.html":
		if p.StepUp && p.RetryURL != "" {
			// A step-up that cannot go on starts again from its page.
			return p.RetryURL, "step_up.html"
		}
	}
	return "", ""
}

// sendNotice answers a failure with a 303 to target, the notice in its
// cookie.
func (h *Handler) sendNotice(w http.ResponseWriter, r *http.Request, target string, n notice) {
	noStore(w)
	if v, err := securecookie.EncodeMulti(h.noticeName(), n, h.cookie.codecs...); err == nil {
		http.SetCookie(w, h.noticeCookie(v, noticeLifetime))
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// peekNotice returns the request's notice, or nil.
func (h *Handler) peekNotice(r *http.Request) *notice {
	c, err := r.Cookie(h.noticeName())
	if err != nil || c.Value == "" || len(c.Value) >= maxCookieSize {
		return nil
	}
	var n notice
	if securecookie.DecodeMulti(h.noticeName(), c.Value, &n, h.cookie.codecs...) != nil {
		return nil
	}
	return &n
}

// takeNotice shows the request's notice on page name, when it is for that
// page, and clears it either way: a notice is shown once, and only where
// it was meant.
func (h *Handler) takeNotice(w http.ResponseWriter, r *http.Request, name string, p *Page) {
	if _, err := r.Cookie(h.noticeName()); err != nil {
		return
	}
	http.SetCookie(w, h.noticeCookie("", -1))
	n := h.peekNotice(r)
	if n == nil || n.Page != name || p.ErrorMessage != "" {
		return
	}
	if n.Info {
		p.Info = n.Message
	} else {
		p.ErrorCode, p.ErrorMessage = n.Code, n.Message
	}
	if p.Email == "" {
		p.Email = n.Email
	}
}
