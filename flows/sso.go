package flows

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/b2bauth/b2bauth/client"
)

// SSO: Stytch speaks SAML or OIDC with the organization's identity provider.
// The browser starts at Stytch's public start URL with a PKCE challenge whose
// verifier only the flow cookie holds, and comes back to the callback with
// stytch_token_type=sso.

// postSSOStart starts SSO with one of the organization's active
// connections (field connection_id; default the organization's default
// connection).
func (h *Handler) postSSOStart(w http.ResponseWriter, r *http.Request) {
	in, err := input(w, r)
	if err != nil {
		h.fail(w, r, nil, err)
		return
	}
	org, err := h.lookupOrganization(r)
	if err != nil {
		h.failOrganization(w, r, nil, nil, "", err)
		return
	}
	l := h.organizationLogin(org)
	if len(l.SSOConnections) == 0 {
		h.failOrganization(w, r, nil, l, "", ErrAuthMethodNotAllowed)
		return
	}
	conn := strings.TrimSpace(in.Get("connection_id"))
	if conn == "" {
		conn = org.SSODefaultConnectionID
	}
	if !slices.ContainsFunc(l.SSOConnections, func(c SSOConnection) bool { return c.ID == conn }) {
		if in.Get("connection_id") != "" {
			h.failOrganization(w, r, nil, l, "", ErrInvalidInput.withMessage("Choose one of the organization's single sign-on connections."))
			return
		}
		conn = l.SSOConnections[0].ID
	}
	returnTo, err := returnPath(in.Get("return_to"))
	if err != nil {
		h.failOrganization(w, r, nil, l, "", err)
		return
	}
	st := h.organizationFlow(r, org.OrganizationID, returnTo, tokenTypeSSO)
	h.startSSO(w, r, st, conn)
}

// startSSO sends the browser to Stytch's SSO start for connection (or, when
// empty, the default connection of st.OrganizationID), with st saved.
func (h *Handler) startSSO(w http.ResponseWriter, r *http.Request, st *flowState, connection string) {
	callback := h.callbackURL()
	target, err := h.client.SSO.StartURL(&client.SSOStartParams{
		ConnectionID:   connection,
		OrganizationID: st.OrganizationID,
		RedirectParams: client.RedirectParams{
			PublicToken: h.cfg.oauthToken, LoginRedirectURL: callback, SignupRedirectURL: callback,
			PkceCodeChallenge: pkceChallenge(st.PKCEVerifier),
		},
	})
	if err != nil {
		h.fail(w, r, st, ErrAuthMethodNotAllowed.with(err))
		return
	}
	h.startAt(w, r, st, tokenTypeSSO, target)
}

// primaryRequired leads a member whose organization requires another
// primary method to it, keeping the intermediate session (ist, usable until
// istExpires) in the flow so that the method completes it: SSO starts at
// once; other methods are offered by the organization's login page. A flow
// just back from SSO is not sent there again.
func (h *Handler) primaryRequired(w http.ResponseWriter, r *http.Request, st *flowState, orgID, slug string, methods []string, ist string, istExpires time.Time) {
	next := &flowState{
		FlowID: st.FlowID, Step: stepOrganizations, ReturnTo: st.ReturnTo, Email: st.Email,
		IST: ist, ISTExpiresAt: istExpires, OrganizationID: orgID,
	}
	switch {
	case st.ssoDone || ist == "" || len(methods) == 0:
	case slices.Contains(methods, authSSO) && h.cfg.oauthToken != "":
		next.PKCEVerifier, next.Started = randomString(32), tokenTypeSSO
		h.startSSO(w, r, next, "")
		return
	case validSlug(slug):
		if err := h.saveFlow(w, next); err != nil {
			h.fail(w, r, st, err)
			return
		}
		h.redirect(w, r, stepOrganizationLogin, h.cfg.prefix+"/o/"+slug+returnQuery(st.ReturnTo))
		return
	}
	h.fail(w, r, st, ErrOrganizationUnavailable.withMessage(
		"This organization requires another sign-in method. Choose another organization."))
}

// discoveredPrimary returns the organization of the flow's discovery answer
// with id orgID if it requires another primary method, else nil.
func discoveredPrimary(st *flowState, orgID string) *Organization {
	for i, o := range st.Organizations {
		if o.ID == orgID && len(o.PrimaryRequired) > 0 {
			return &st.Organizations[i]
		}
	}
	return nil
}
