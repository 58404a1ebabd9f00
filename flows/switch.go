package flows

import (
	"context"
	"net/http"
	"strings"

	"github.com/b2bauth/b2bauth/client"
	"github.com/b2bauth/b2bauth/middleware"
)

// The organization switcher: a signed-in member opens GET /organizations
// (with no sign-in in progress) for the other organizations of their email
// address, listed by Stytch for the live session, and POST
// /organizations/switch exchanges the session for one in the chosen
// organization. When that organization requires MFA (or another primary
// method), the exchange answers with an intermediate session and the
// switch goes on through the same steps as a sign-in; the session cookies
// are replaced only once the new session is complete, in one answer, so
// the member stays signed in to the current organization meanwhile.

// stepSwitch names the switcher, as the "next" field of JSON answers names
// it.
const stepSwitch = "switch_organization"

// Switch is the organization switcher of a signed-in member, as the page
// ("switch_organization.html") and JSON answers show it.
type Switch struct {
	// Current is the organization of the session.
	Current Organization `json:"current"`
	// Organizations are the member's other organizations, each entered by a
	// form POST to Prefix+"/organizations/switch" with field
	// organization_id.
	Organizations []Organization `json:"organizations"`
}

// switchBody is the JSON answer of the switcher.
type switchBody struct {
	Next string `json:"next"`
	*Switch
}

// switchCredentials is what the exchange and the list present for the
// session s: its token when the request carries a plausible one, else the
// JWT it was verified from.
func (h *Handler) switchCredentials(r *http.Request, s *middleware.Session) (token, jwt string) {
	token, _ = h.mw.Credentials(r)
	if token != "" && len(token) <= middleware.MaxTokenSize {
		return token, ""
	}
	return "", s.JWT
}

// switcher lists the organizations of the session s.
func (h *Handler) switcher(r *http.Request, s *middleware.Session) (*Switch, error) {
	token, jwt := h.switchCredentials(r, s)
	res, err := h.client.Discovery.ListOrganizations(r.Context(), &client.DiscoveryListOrganizationsParams{
		SessionToken: token, SessionJWT: jwt,
	})
	if err != nil {
		return nil, fromStytch(err)
	}
	sw := &Switch{
		Current:       Organization{ID: s.OrganizationID, Slug: s.OrganizationSlug, MembershipType: "active_member"},
		Organizations: []Organization{},
	}
	for _, o := range organizationsFrom(res.DiscoveredOrganizations) {
		if o.ID == s.OrganizationID {
			sw.Current = o
			continue
		}
		sw.Organizations = append(sw.Organizations, o)
	}
	return sw, nil
}

// getSwitch shows the switcher of the request's session s.
func (h *Handler) getSwitch(w http.ResponseWriter, r *http.Request, s *middleware.Session) {
	returnTo, err := returnPath(r.URL.Query().Get("return_to"))
	if err != nil {
		h.fail(w, r, nil, err)
		return
	}
	sw, err := h.switcher(r, s)
	if err != nil {
		h.failSwitch(w, r, nil, s, returnTo, asError(err))
		return
	}
	if wantsJSON(r) {
		h.writeJSON(w, http.StatusOK, switchBody{Next: stepSwitch, Switch: sw})
		return
	}
	h.render(w, r, http.StatusOK, "switch_organization.html", &Page{Step: stepSwitch, Switch: sw, ReturnTo: returnTo})
}

// postSwitch exchanges the session for one in the chosen organization. The
// session switched from stays alive at Stytch until it expires: revoking
// it would refuse any request still in flight with the old cookies, whose
// cookie-clearing answer could land after the switch's and sign the member
// out of the new organization.
func (h *Handler) postSwitch(w http.ResponseWriter, r *http.Request) {
	s, ok := middleware.SessionFrom(r.Context())
	if !ok || s == nil {
		h.fail(w, r, nil, ErrSessionRequired)
		return
	}
	in, err := input(w, r)
	if err != nil {
		h.failSwitch(w, r, nil, s, "", asError(err))
		return
	}
	returnTo, err := returnPath(in.Get("return_to"))
	if err != nil {
		h.failSwitch(w, r, nil, s, "", asError(err))
		return
	}
	orgID := strings.TrimSpace(in.Get("organization_id"))
	if !validID(orgID) {
		h.failSwitch(w, r, nil, s, returnTo, ErrInvalidInput.withMessage("Choose an organization from the list."))
		return
	}
	st := newFlow(stepOrganizations, returnTo)
	st.Switched = true
	if orgID == s.OrganizationID {
		h.redirect(w, r, "done", h.destination(st))
		return
	}
	// Entering an organization whose member signs in with SMS texts a code
	// by itself: the guard keeps the cooldown, as for a sign-in's choice.
	e := entry{organizationID: orgID, email: "member:" + s.MemberID}
	wait, err := h.guard.beginEntry(r.Context(), e, h.cfg.smsCooldown)
	if err != nil {
		h.failSwitch(w, r, nil, s, returnTo, ErrUnavailable.with(err))
		return
	}
	if wait > 0 {
		h.failSwitch(w, r, nil, s, returnTo, smsCooldown(h.cfg.now(), wait))
		return
	}
	token, jwt := h.switchCredentials(r, s)
	res, err := h.client.Sessions.Exchange(r.Context(), &client.SessionsExchangeParams{
		OrganizationID: orgID, SessionToken: token, SessionJWT: jwt,
		SessionDurationMinutes: h.cfg.sessionDuration,
	})
	ctx := context.WithoutCancel(r.Context())
	if err != nil {
		h.guardFailed(r, h.guard.endEntry(ctx, e, nil))
		h.failSwitch(w, r, nil, s, returnTo, fromStytch(err))
		return
	}
	var texted *member
	if res.MFARequired != nil && res.MFARequired.SecondaryAuthInitiated == methodSMS {
		texted = &member{res.Organization.OrganizationID, res.Member.MemberID}
	}
	h.guardFailed(r, h.guard.endEntry(ctx, e, texted))
	st.Email = res.Member.EmailAddress
	st.OrganizationID = orgID
	h.entered(w, r, st, res)
}

// failSwitch answers a failed switch with the switcher again and the
// message, keeping the member signed in; a session Stytch no longer knows
// leads to the sign-in.
func (h *Handler) failSwitch(w http.ResponseWriter, r *http.Request, st *flowState, s *middleware.Session, returnTo string, e *Error) {
	if e.restart || e.Status == http.StatusServiceUnavailable {
		h.fail(w, r, st, e)
		return
	}
	h.log(r, st, e)
	if wantsJSON(r) {
		h.writeJSON(w, e.Status, errorBody{Error: errorDetail{Code: e.Code, Message: e.msg}, Next: stepSwitch})
		return
	}
	p := &Page{Step: stepSwitch, ErrorCode: e.Code, ErrorMessage: e.msg, ReturnTo: returnTo}
	if sw, err := h.switcher(r, s); err == nil {
		p.Switch = sw
	} else {
		p.Switch = &Switch{Current: Organization{ID: s.OrganizationID, Slug: s.OrganizationSlug}}
	}
	h.render(w, r, e.Status, "switch_organization.html", p)
}

// methodRoutes adds the routes of email codes, passwords and the
// organization switcher; session wraps those that read the session.
func (h *Handler) methodRoutes(handle, session func(string, http.HandlerFunc)) {
	handle("GET /login/code", h.getLoginCode)
	handle("POST /login/code", h.postLoginCode)
	handle("POST /login/code/verify", h.postLoginCodeVerify)
	handle("POST /login/password", h.postLoginPassword)
	handle("GET /o/{slug}/code", h.getOrganizationCode)
	handle("POST /o/{slug}/code", h.postOrganizationCode)
	handle("POST /o/{slug}/code/verify", h.postOrganizationCodeVerify)
	handle("POST /o/{slug}/password", h.postOrganizationPassword)
	handle("GET /o/{slug}/password/reset/start", h.getPasswordResetStart)
	handle("POST /o/{slug}/password/reset/start", h.postPasswordResetStart)
	handle("POST /o/{slug}/password/change", h.postPasswordChange)
	handle("GET /password/reset", h.getPasswordReset)
	handle("POST /password/reset", h.postPasswordReset)
	session("POST /organizations/switch", h.postSwitch)
}
