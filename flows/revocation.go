package flows

import (
	"net/http"

	"github.com/b2bauth/b2bauth/middleware"
)

// revokeEverywhere refuses the JWTs of the session logged out, on this
// instance and, with middleware.WithRevocations, on every instance sharing
// the feed: without it, a JWT verified before the logout would still be
// served from the middleware's cache until its maximum age. It is done
// whatever Stytch answered: the member asked to leave.
func (h *Handler) revokeEverywhere(r *http.Request, s *middleware.Session, verified bool) {
	if !verified {
		return
	}
	if err := h.mw.Revoke(r.Context(), s.ID); err != nil {
		h.cfg.logger.WarnContext(r.Context(), "b2bauth: flows: publishing the logout failed; other instances serve the session's JWTs until their maximum age",
			"member_id", s.MemberID, "error", err)
	}
}
