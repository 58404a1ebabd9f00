package flows

import (
	"net/http"

	"github.com/b2bauth/b2bauth/client"
	"github.com/b2bauth/b2bauth/middleware"
)

// postLogout revokes the session at Stytch and clears every cookie, also
// when Stytch cannot be reached: the browser is logged out either way.
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
	if *p != (client.SessionsRevokeParams{}) {
		if _, err := h.client.Sessions.Revoke(r.Context(), p); err != nil {
			h.cfg.logger.WarnContext(r.Context(), "b2bauth: flows: session revoke failed; cookies cleared anyway", "error", err)
		}
	}
	h.mw.ClearSessionCookies(w)
	h.clearFlow(w, stepEmailSent)
	h.clearFlow(w, stepStepUp)
	h.redirect(w, r, "done", "/")
}
