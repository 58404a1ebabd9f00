package flows

import (
	"errors"
	"net/http"

	"github.com/b2bauth/b2bauth/client"
)

// magicLinkCallback authenticates an organization's magic link or an
// invite: both arrive with stytch_token_type=multi_tenant_magic_links. A
// login link sent from the organization's page is bound to the browser that
// asked by PKCE; an invite carries no PKCE challenge and is accepted in any
// browser, as the invited address's inbox proves the email. When this
// browser is in the middle of a discovered member's sign-in, its
// intermediate session goes along: Stytch then refuses a link of another
// email address instead of switching accounts.
func (h *Handler) magicLinkCallback(w http.ResponseWriter, r *http.Request, token string) {
	st, err := h.loadFlow(r, stepEmailSent, stepOrganizations)
	if err != nil {
		st = newFlow(stepEmailSent, "")
	}
	p := &client.MagicLinksAuthenticateParams{
		MagicLinksToken:        token,
		OrganizationAuthParams: client.OrganizationAuthParams{SessionDurationMinutes: h.cfg.sessionDuration},
	}
	if st.Started == tokenTypeOrgMagicLink {
		p.PkceCodeVerifier = st.PKCEVerifier
	}
	if st.Step == stepOrganizations {
		p.IntermediateSessionToken = st.IST
	}
	res, err := h.client.MagicLinks.Authenticate(r.Context(), p)
	if p.PkceCodeVerifier != "" && isStytchError(err, "pkce_mismatch") {
		// An invite opened while a login link of this browser is pending
		// has no challenge to match: it is accepted as in any browser.
		p.PkceCodeVerifier = ""
		res, err = h.client.MagicLinks.Authenticate(r.Context(), p)
	}
	if err != nil {
		h.failCallback(w, r, st, err, ErrEmailMismatch.withMessage(
			"This link was sent to another email address than the one signing in in this browser. Finish that sign-in, or open the link in another browser."))
		return
	}
	if p.PkceCodeVerifier != "" {
		h.emailUsed(r, emailLink, st.Email)
	}
	h.authenticated(w, r, st, res)
}

// isStytchError reports whether err is Stytch's refusal of type typ.
func isStytchError(err error, typ string) bool {
	var apiErr *client.Error
	return errors.As(err, &apiErr) && apiErr.ErrorType == typ
}
