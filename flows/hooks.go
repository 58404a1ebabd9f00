package flows

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/b2bauth/b2bauth/client"
	"github.com/b2bauth/b2bauth/middleware"
)

// Login is a completed sign-in, as the hook of [WithAfterLogin] sees it,
// before the session cookies are written.
type Login struct {
	// Member is the member signed in.
	Member *client.Member
	// Organization is the organization entered.
	Organization *client.Organization
	// Session is the new member session.
	Session *client.MemberSession
	// Method is the primary method the session was authenticated with, by
	// the name of an organization's allowed_auth_methods: "magic_link",
	// "email_otp", "password", "sso", "google_oauth", "microsoft_oauth"...,
	// or "" when the session names none.
	Method string
	// Switched reports that the member switched organizations with a
	// session they already had (see GET Prefix+"/organizations").
	Switched bool
}

// AfterLoginFunc is called once a sign-in has a complete session, before
// its cookies are written; it runs on the request's goroutine and may be
// called concurrently for different requests. A nil error lets the login
// through. An error refuses it: the session is revoked at Stytch, no cookie
// is written and the member sees the message of an error made with
// [RefuseLogin], or a generic one for any other error (which is logged).
// ctx carries the request's values; on a POST that carries a flow cookie
// it is not cancelled when the browser gives the request up (a second
// click, a closed tab), as the step runs to its end: bound the hook's own
// calls in time.
type AfterLoginFunc func(ctx context.Context, l *Login) error

// AfterLogoutFunc is called after a logout revoked the session s, which is
// nil when the request carried no verified session. It runs on the
// request's goroutine before the redirect is answered.
type AfterLogoutFunc func(ctx context.Context, s *middleware.Session)

// ErrLoginRefused: the after-login hook of [WithAfterLogin] refused the
// sign-in. Errors made with [RefuseLogin] match it, with their own message.
var ErrLoginRefused = &Error{Code: "login_refused", Status: http.StatusForbidden, restart: true,
	msg: "Your sign-in could not be completed. Try again later or ask an administrator."}

// ErrOrganizationCreationNotAllowed: the member may not create an
// organization here (see [WithOrganizationCreation]).
var ErrOrganizationCreationNotAllowed = &Error{Code: "organization_creation_not_allowed", Status: http.StatusForbidden,
	msg: "Creating an organization is not allowed here. Ask an administrator of your organization for an invitation."}

// RefuseLogin returns the error an [AfterLoginFunc] returns to refuse a
// login with message, shown to the member as it is (keep it free of
// secrets). It matches [ErrLoginRefused].
func RefuseLogin(message string) error {
	return ErrLoginRefused.withMessage("%s", message)
}

// afterLoginHook runs the after-login hook, if any, for the session s of
// flow st and reports whether the login may go on. A refused login has its
// session revoked at Stytch and is answered here.
func (h *Handler) afterLoginHook(w http.ResponseWriter, r *http.Request, st *flowState, s *session) bool {
	if h.cfg.afterLoginHook == nil || st.Step == stepStepUp {
		return true
	}
	l := &Login{Member: s.who, Organization: s.org, Session: s.member, Method: primaryMethod(s.member), Switched: st.Switched}
	err := h.cfg.afterLoginHook(r.Context(), l)
	if err == nil {
		return true
	}
	var refusal *Error
	if !errors.As(err, &refusal) || !errors.Is(refusal, ErrLoginRefused) {
		refusal = ErrLoginRefused.with(err)
	}
	// The session exists at Stytch: end it there, and on every instance,
	// even if the request goes away now.
	ctx := context.WithoutCancel(r.Context())
	p := &client.SessionsRevokeParams{SessionToken: s.token}
	if s.token == "" {
		p.SessionJWT = s.jwt
	}
	if _, rerr := h.client.Sessions.Revoke(ctx, p); rerr != nil {
		h.cfg.logger.WarnContext(ctx, "b2bauth: flows: revoking a refused login's session failed", "error", rerr)
	}
	if s.member != nil {
		if rerr := h.mw.Revoke(ctx, s.member.MemberSessionID); rerr != nil {
			h.cfg.logger.WarnContext(ctx, "b2bauth: flows: publishing a refused login's revocation failed", "error", rerr)
		}
	}
	h.fail(w, r, st, refusal)
	return false
}

// primaryMethod names the primary method of a session's factors, as an
// organization's allowed_auth_methods names it.
func primaryMethod(ms *client.MemberSession) string {
	if ms == nil {
		return ""
	}
	for _, f := range ms.AuthenticationFactors {
		switch {
		case f.Type == "magic_link":
			return authMagicLink
		case f.Type == "otp" && f.DeliveryMethod == client.DeliveryEmail:
			return authEmailOTP
		case f.Type == "password":
			return authPassword
		case f.Type == "sso":
			return authSSO
		case f.Type == "oauth":
			// delivery_method is e.g. "oauth_google".
			if p, ok := strings.CutPrefix(f.DeliveryMethod, "oauth_"); ok && p != "" {
				return p + "_oauth"
			}
			return "oauth"
		}
	}
	return ""
}

// canCreate reports whether the member of email may create an organization
// (see [WithOrganizationCreation]).
func (h *Handler) canCreate(r *http.Request, email string) bool {
	if !h.cfg.orgCreation {
		return false
	}
	return h.cfg.orgCreationPolicy == nil || h.cfg.orgCreationPolicy(r.Context(), email)
}

// afterLogoutPath is where a logout leads.
func (h *Handler) afterLogoutPath() string {
	return h.cfg.afterLogout
}
