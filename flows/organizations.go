package flows

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/b2bauth/b2bauth/client"
	"github.com/b2bauth/b2bauth/middleware"
)

// MFA method names of JSON answers and [Page.Methods].
const (
	methodSMS      = client.MFAMethodSMSOTP // "sms_otp"
	methodTOTP     = client.MFAMethodTOTP   // "totp"
	methodRecovery = "recovery_code"
)

// getOrganizations lists the organizations the discovered email can enter,
// with a form to create one.
//
// Without a sign-in in progress, a signed-in member gets the organization
// switcher instead (see switch.go).
func (h *Handler) getOrganizations(w http.ResponseWriter, r *http.Request) {
	st, err := h.loadFlow(r, stepOrganizations, stepMFA)
	if s, ok := middleware.SessionFrom(r.Context()); err != nil && ok && s != nil {
		h.getSwitch(w, r, s)
		return
	}
	if err != nil {
		h.fail(w, r, st, err)
		return
	}
	orgs, err := h.organizations(r, st)
	if err != nil {
		h.fail(w, r, st, err)
		return
	}
	if wantsJSON(r) {
		h.writeJSON(w, http.StatusOK, organizationsBody{
			Next: stepOrganizations.next(), Organizations: orgs, CanCreate: h.canCreate(r, st.Email),
		})
		return
	}
	h.render(w, r, http.StatusOK, "organizations.html", &Page{
		Step: stepOrganizations.next(), Email: st.Email, Organizations: orgs,
		CanCreate: h.canCreate(r, st.Email), ReturnTo: st.ReturnTo,
	})
}

// organizations returns the flow's organizations: those kept from the
// discovery answer, else Stytch's list for the intermediate session.
func (h *Handler) organizations(r *http.Request, st *flowState) ([]Organization, error) {
	if len(st.Organizations) > 0 {
		return st.Organizations, nil
	}
	res, err := h.client.Discovery.ListOrganizations(r.Context(), &client.DiscoveryListOrganizationsParams{
		IntermediateSessionToken: st.IST,
	})
	if err != nil {
		return nil, fromStytch(err)
	}
	if res.EmailAddress != "" {
		st.Email = res.EmailAddress
	}
	return organizationsFrom(res.DiscoveredOrganizations), nil
}

// fillOrganizations completes an error page of the organization step; a
// failing list leaves the page with the create form only.
func (h *Handler) fillOrganizations(r *http.Request, st *flowState, p *Page) {
	p.Step = stepOrganizations.next()
	p.Email = st.Email
	p.CanCreate = h.canCreate(r, st.Email)
	if orgs, err := h.organizations(r, st); err == nil {
		p.Organizations = orgs
	}
}

// postSelectOrganization exchanges the intermediate session for a session
// in the chosen organization.
//
// Entering an organization whose member signs in with SMS makes Stytch text
// a code by itself, which the flows cannot prevent; so, for such a member,
// within the SMS cooldown of their last text (sent on entry, on request or
// for a step-up), choosing the same organization again shows its MFA page without
// entering it again, and choosing it in a new sign-in waits for the
// cooldown, as does a second entry while one is in flight. The server keeps
// which member an email entered an organization as, and the member's last
// text, so that a replayed cookie or a new flow cannot reset them.
func (h *Handler) postSelectOrganization(w http.ResponseWriter, r *http.Request) {
	st, left, in, err := h.organizationForm(w, r)
	if err != nil {
		h.fail(w, r, st, err)
		return
	}
	orgID := strings.TrimSpace(in.Get("organization_id"))
	if orgID == "" {
		h.fail(w, r, st, ErrInvalidInput.withMessage("Choose an organization."))
		return
	}
	if !validID(orgID) {
		// Checked before it becomes a key or reaches Stytch.
		h.fail(w, r, st, ErrInvalidInput.withMessage("Choose an organization from the list."))
		return
	}
	if o := discoveredPrimary(st, orgID); o != nil {
		// The organization requires another primary method: lead there
		// instead of an exchange Stytch would refuse.
		h.primaryRequired(w, r, st, o.ID, o.Slug, o.PrimaryRequired, st.IST, st.ISTExpiresAt)
		return
	}
	e := entry{organizationID: orgID, email: st.Email}
	wait, err := h.guard.beginEntry(r.Context(), e, h.cfg.smsCooldown)
	if err != nil {
		h.fail(w, r, st, ErrUnavailable.with(err))
		return
	}
	if wait > 0 {
		if left == nil {
			// The same choice sent again with the cookie the flow had
			// before its entry (a double click): lead to the text sent.
			left = h.textedEntry(r, st, orgID)
		}
		if left != nil && left.OrganizationID == orgID {
			h.toFactors(w, r, left)
			return
		}
		h.fail(w, r, st, ErrSMSCooldown.withMessage(
			"A code was texted for this organization moments ago. You can choose it again %s.",
			when(h.cfg.now(), wait)))
		return
	}
	res, err := h.client.Discovery.ExchangeIntermediateSession(r.Context(), &client.DiscoveryExchangeParams{
		IntermediateSessionToken: st.IST,
		OrganizationID:           orgID,
		SessionDurationMinutes:   h.cfg.sessionDuration,
	})
	// The entry happened at Stytch: what it did is recorded even if the
	// request goes away, and a failure to record it is logged rather than
	// answered, as answering cannot undo it.
	ctx := context.WithoutCancel(r.Context())
	if err != nil {
		h.guardFailed(r, h.guard.endEntry(ctx, e, nil))
		h.fail(w, r, st, fromStytch(err))
		return
	}
	var texted *member
	if res.MFARequired != nil && res.MFARequired.SecondaryAuthInitiated == methodSMS {
		texted = &member{res.Organization.OrganizationID, res.Member.MemberID}
	}
	h.guardFailed(r, h.guard.endEntry(ctx, e, texted))
	h.entered(w, r, st, res)
}

// postCreateOrganization creates an organization with the discovered email
// as its first member.
func (h *Handler) postCreateOrganization(w http.ResponseWriter, r *http.Request) {
	st, _, in, err := h.organizationForm(w, r)
	if err != nil {
		h.fail(w, r, st, err)
		return
	}
	if !h.canCreate(r, st.Email) {
		h.fail(w, r, st, ErrOrganizationCreationNotAllowed)
		return
	}
	name := strings.TrimSpace(in.Get("organization_name"))
	// Stytch stores slugs in lowercase.
	slug := strings.ToLower(strings.TrimSpace(in.Get("organization_slug")))
	if name == "" || slug == "" {
		h.fail(w, r, st, ErrInvalidInput.withMessage("Enter a name and a URL slug for the organization."))
		return
	}
	// Checked here too: a typo is the member's to fix, not a failed
	// sign-in, whatever error Stytch would name it with. ".." passes
	// Stytch's rule, but browsers resolve the organization's login page,
	// Prefix+"/o/..", to Prefix+"/": it could never be opened.
	if !validSlug(slug) || slug == ".." {
		h.fail(w, r, st, errInvalidSlug)
		return
	}
	res, err := h.client.Discovery.CreateOrganization(r.Context(), &client.DiscoveryCreateOrganizationParams{
		IntermediateSessionToken: st.IST,
		OrganizationName:         name,
		OrganizationSlug:         slug,
		SessionDurationMinutes:   h.cfg.sessionDuration,
	})
	if err != nil {
		h.fail(w, r, st, fromStytch(err))
		return
	}
	// Stytch answers a creation with the fields of an exchange.
	h.entered(w, r, st, res)
}

// organizationForm returns the flow and the fields of an organization
// choice, the flow back at the list (see backToList), and the MFA step it
// left, if it was at one.
func (h *Handler) organizationForm(w http.ResponseWriter, r *http.Request) (st, left *flowState, in url.Values, err error) {
	st, err = h.loadFlow(r, stepOrganizations, stepMFA)
	if err != nil {
		return st, nil, nil, err
	}
	if st.Step == stepMFA {
		prev := *st
		left = &prev
	}
	backToList(st)
	in, err = input(w, r)
	return st, left, in, err
}

// backToList returns a flow waiting for MFA to the organization choice: the
// member picked another organization.
func backToList(st *flowState) {
	if st.Step != stepMFA {
		return
	}
	*st = flowState{
		FlowID: st.FlowID, Step: stepOrganizations, ReturnTo: st.ReturnTo, Email: st.Email,
		IST: st.IST, ISTExpiresAt: st.ISTExpiresAt,
	}
}

// entered finishes the login with the session, or moves the flow to MFA.
func (h *Handler) entered(w http.ResponseWriter, r *http.Request, st *flowState, x *client.DiscoveryExchangeResponse) {
	if x.MemberAuthenticated && (x.SessionToken != "" || x.SessionJWT != "") {
		h.finish(w, r, st, &session{x.SessionToken, x.SessionJWT, x.MemberSession, &x.Member, &x.Organization})
		return
	}
	if x.PrimaryRequired != nil || x.MFARequired == nil {
		// Another primary method (SSO, OAuth...) is required first.
		var methods []string
		if x.PrimaryRequired != nil {
			methods = x.PrimaryRequired.AllowedAuthMethods
		}
		ist, expires := st.IST, st.ISTExpiresAt
		if x.IntermediateSessionToken != "" {
			ist, expires = x.IntermediateSessionToken, h.istExpiry(x.IntermediateSessionTokenExpiresAt)
		}
		h.primaryRequired(w, r, st, x.Organization.OrganizationID, x.Organization.OrganizationSlug, methods, ist, expires)
		return
	}
	next := &flowState{
		FlowID:         st.FlowID,
		Step:           stepMFA,
		ReturnTo:       st.ReturnTo,
		Email:          st.Email,
		IST:            st.IST,
		ISTExpiresAt:   st.ISTExpiresAt,
		OrganizationID: x.Organization.OrganizationID,
		MemberID:       x.Member.MemberID,
		Switched:       st.Switched,
	}
	if x.IntermediateSessionToken != "" {
		next.IST, next.ISTExpiresAt = x.IntermediateSessionToken, h.istExpiry(x.IntermediateSessionTokenExpiresAt)
	}
	phone, totpID := x.Member.MFAPhoneNumber, x.Member.TOTPRegistrationID
	if o := x.MFARequired.MemberOptions; o != nil {
		if o.MFAPhoneNumber != "" {
			phone = o.MFAPhoneNumber
		}
		if o.TOTPRegistrationID != "" {
			totpID = o.TOTPRegistrationID
		}
	}
	next.HasPhone = phone != ""
	if next.HasPhone {
		next.PhoneHint = phoneHint(phone)
	}
	next.TOTPEnrolled = totpID != ""
	next.Methods = offeredMethods(mfaMethods(x.Organization, next.TOTPEnrolled), next.HasPhone, next.TOTPEnrolled)
	if x.MFARequired.SecondaryAuthInitiated == methodSMS {
		next.SMSSentAt = h.cfg.now()
		h.guardFailed(r, h.guard.sentSMS(context.WithoutCancel(r.Context()), memberOf(next), h.cfg.smsCooldown))
		h.markTextedEntry(r, next)
	}
	h.toFactors(w, r, next)
}

// offeredMethods narrows the allowed methods for a member who already has a
// usable second factor to the factors they have: offering to enroll another
// phone or authenticator app would let someone holding only the member's
// inbox pass MFA with a device of their own. A member with no usable factor
// may enroll any allowed method.
func offeredMethods(allowed []string, hasPhone, totpEnrolled bool) []string {
	usable := hasPhone && slices.Contains(allowed, methodSMS) || totpEnrolled && slices.Contains(allowed, methodTOTP)
	if !usable {
		return allowed
	}
	return slices.DeleteFunc(allowed, func(m string) bool {
		return m == methodSMS && !hasPhone || m == methodTOTP && !totpEnrolled
	})
}

// mfaMethods are the methods the organization allows (both when it does not
// restrict them), plus recovery codes for members with an authenticator app.
func mfaMethods(org client.Organization, totpEnrolled bool) []string {
	allowed := org.AllowedMFAMethods
	if len(allowed) == 0 || org.MFAMethods == "ALL_ALLOWED" {
		allowed = []string{methodSMS, methodTOTP}
	}
	var methods []string
	for _, m := range []string{methodSMS, methodTOTP} {
		if slices.Contains(allowed, m) {
			methods = append(methods, m)
		}
	}
	// Recovery codes come with an authenticator app registration.
	if totpEnrolled && slices.Contains(methods, methodTOTP) {
		methods = append(methods, methodRecovery)
	}
	return methods
}

// finish runs the after-login hook, then writes the session cookies, ends the flow and leads to the return
// path.
func (h *Handler) finish(w http.ResponseWriter, r *http.Request, st *flowState, s *session) {
	if !h.afterLoginHook(w, r, st, s) {
		return
	}
	expires := h.cfg.now().Add(time.Duration(h.cfg.sessionDuration) * time.Minute)
	if s.member != nil && s.member.ExpiresAt != nil {
		expires = *s.member.ExpiresAt
	}
	h.mw.SetSessionCookies(w, s.token, s.jwt, expires)
	h.markFinished(r, st, s.token)
	h.clearFlow(w, st.Step)
	h.redirect(w, r, "done", h.destination(st))
}

// istExpiry is when an intermediate session token stops being usable: as
// Stytch says, but never later than the flow lifetime.
func (h *Handler) istExpiry(at *time.Time) time.Time {
	limit := h.cfg.now().Add(flowLifetime)
	if at == nil || at.After(limit) {
		return limit
	}
	return *at
}

// validSlug follows Stytch's rule for organization slugs: 2 to 128 of a-z,
// 0-9, '-', '.', '_' and '~'.
func validSlug(slug string) bool {
	return len(slug) >= 2 && len(slug) <= 128 && strings.Trim(slug, "abcdefghijklmnopqrstuvwxyz0123456789-._~") == ""
}

// maxIDSize bounds the Stytch ids a request may name: more than twice the
// longest seen ("organization-test-" and a UUID, 54 bytes), so that a
// change of format at Stytch does not break sign-in.
const maxIDSize = 128

// validID reports whether id can be a Stytch id such as
// "organization-test-<uuid>" or "member-live-<uuid>": 1 to maxIDSize of
// a-z, A-Z, 0-9, '-' and '_'. The exact format is not checked.
func validID(id string) bool {
	if id == "" || len(id) > maxIDSize {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
