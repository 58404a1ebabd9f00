package flows

import (
	"context"
	"errors"
	"net/http"

	"github.com/b2bauth/b2bauth/client"
	"github.com/b2bauth/b2bauth/middleware"
)

// postLogout revokes the session at Stytch and clears every cookie, also
// when Stytch cannot be reached: the browser is logged out either way.
//
// It sends no Clear-Site-Data header. Its "cookies" directive clears every
// cookie of the registrable domain, of every subdomain and path, not only
// the ones the flows and the middleware set: it would log the browser out
// of sibling applications on other subdomains and drop the application's
// own cookies (preferences, consent), and "storage" would drop data the
// flows do not own. The cookies that hold a session or a flow are expired
// here by name, with the attributes they were set with, and flow pages are
// never cached (Cache-Control: no-store). An application that owns its
// whole site may add the header around this route itself.
func (h *Handler) postLogout(w http.ResponseWriter, r *http.Request) {
	// Revoke with whatever the browser holds, verified or not: a session
	// whose JWT can no longer be checked locally must still end at Stytch.
	p := &client.SessionsRevokeParams{}
	token, jwt := h.mw.Credentials(r)
	s, verified := middleware.SessionFrom(r.Context())
	switch {
	case token != "" && len(token) <= middleware.MaxTokenSize:
		p.SessionToken = token
	case verified && s.ID != "":
		p.MemberSessionID = s.ID
	case jwt != "" && len(jwt) <= middleware.MaxTokenSize:
		p.SessionJWT = jwt
	}
	// A browser closed right after the click cancels the request: the
	// session must end anyway, as the answer clearing its cookies may
	// never arrive. The client's timeout bounds the call.
	ctx := context.WithoutCancel(r.Context())
	if *p != (client.SessionsRevokeParams{}) {
		_, err := h.client.Sessions.Revoke(ctx, p)
		if err != nil && p.SessionToken != "" && verified && s.ID != "" && !errors.Is(fromStytch(err), ErrUnavailable) {
			// Stytch knows no session by the token cookie (stale, or
			// written by another application of the site), yet the
			// request was served a session by its JWT: end that one, or
			// it stays alive for whoever holds it.
			_, err = h.client.Sessions.Revoke(ctx, &client.SessionsRevokeParams{MemberSessionID: s.ID})
		}
		if err != nil {
			h.cfg.logger.WarnContext(r.Context(), "b2bauth: flows: session revoke failed; cookies cleared anyway", "error", err)
		}
	}
	h.revokeEverywhere(r, s, verified)
	h.mw.ClearSessionCookies(w)
	h.clearFlow(w, stepEmailSent)
	h.clearFlow(w, stepStepUp)
	if h.cfg.afterLogoutHook != nil {
		if !verified {
			s = nil
		}
		h.cfg.afterLogoutHook(r.Context(), s)
	}
	h.redirect(w, r, "done", h.afterLogoutPath())
}
