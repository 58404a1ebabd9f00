package flows

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/b2bauth/b2bauth/client"
)

// Organization-scoped token types of the callback's stytch_token_type
// parameter.
const (
	tokenTypeOrgMagicLink = "multi_tenant_magic_links"
	tokenTypeOAuth        = "oauth"
	tokenTypeSSO          = "sso"
)

// stepOrganizationLogin is the name of the organization login page, as the
// "next" field of JSON answers names it.
const stepOrganizationLogin = "organization_login"

// OrganizationLogin is an organization as its own login page shows it: its
// name and the sign-in methods its authentication policy allows.
type OrganizationLogin struct {
	// ID is the organization's ID.
	ID string `json:"id"`
	// Name is its display name.
	Name string `json:"name"`
	// Slug is its slug, the {slug} of the page's path.
	Slug string `json:"slug"`
	// SSOConnections are the active SSO connections, each started by a form
	// POST to Prefix+"/o/"+Slug+"/sso/start" with field connection_id.
	SSOConnections []SSOConnection `json:"sso_connections"`
	// MagicLink offers an email magic link: form POST to
	// Prefix+"/o/"+Slug+"/email" with field email.
	MagicLink bool `json:"magic_link"`
	// OAuthProviders are the providers of [WithOAuth] the organization
	// allows: form POST to Prefix+"/o/"+Slug+"/oauth/start" with field
	// provider.
	OAuthProviders []string `json:"oauth_providers"`
	// EmailOTP offers a one-time code by email: form POST to
	// Prefix+"/o/"+Slug+"/code" with field email, then the code to
	// Prefix+"/o/"+Slug+"/code/verify" with field code.
	EmailOTP bool `json:"email_otp"`
	// Password offers a password: form POST to Prefix+"/o/"+Slug+"/password"
	// with fields email and password; a reset link is asked for at
	// Prefix+"/o/"+Slug+"/password/reset/start" with field email, and a
	// password changed with the current one at
	// Prefix+"/o/"+Slug+"/password/change" (email, existing_password,
	// new_password).
	Password bool `json:"password"`
}

// SSOConnection is an active SSO connection of an organization.
type SSOConnection struct {
	// ID is the connection's ID, the connection_id of the start form.
	ID string `json:"id"`
	// Name is its display name, e.g. "Okta".
	Name string `json:"name"`
	// IdentityProvider names the IdP, e.g. "okta" or "generic".
	IdentityProvider string `json:"identity_provider"`
}

// Offers reports whether the page offers any method it can start.
func (o *OrganizationLogin) Offers() bool {
	return len(o.SSOConnections) > 0 || o.MagicLink || o.EmailOTP || o.Password || len(o.OAuthProviders) > 0
}

// organizationLoginBody is the JSON answer of the organization login page.
type organizationLoginBody struct {
	Next         string             `json:"next"`
	Organization *OrganizationLogin `json:"organization"`
}

// lookupOrganization finds the organization of the request's {slug}. The
// slug is lowercased, as Stytch stores slugs, and checked before Stytch is
// asked: a malformed one is not found.
func (h *Handler) lookupOrganization(r *http.Request) (*client.Organization, error) {
	slug := strings.ToLower(strings.TrimSpace(r.PathValue("slug")))
	if !validSlug(slug) {
		return nil, ErrOrganizationNotFound
	}
	res, err := h.client.Organizations.Search(r.Context(), &client.OrganizationsSearchParams{
		Limit: 1,
		Query: &client.SearchQuery{Operator: client.SearchOperatorAND, Operands: []map[string]any{client.SlugsFilter(slug)}},
	})
	if err != nil {
		return nil, fromStytch(err)
	}
	for i := range res.Organizations {
		if strings.EqualFold(res.Organizations[i].OrganizationSlug, slug) {
			return &res.Organizations[i], nil
		}
	}
	return nil, ErrOrganizationNotFound
}

// organizationLogin is what org's login page offers: the methods its policy
// allows that this handler can start.
func (h *Handler) organizationLogin(org *client.Organization) *OrganizationLogin {
	l := &OrganizationLogin{
		ID: org.OrganizationID, Name: org.OrganizationName, Slug: org.OrganizationSlug,
		SSOConnections: []SSOConnection{}, OAuthProviders: []string{},
		MagicLink: h.offers(org, authMagicLink),
		EmailOTP:  h.offers(org, authEmailOTP),
		Password:  h.offers(org, authPassword),
	}
	// SSO and OAuth start in the browser at Stytch, with the public token.
	if h.cfg.oauthToken == "" {
		return l
	}
	if allowsAuth(org, authSSO) {
		for _, c := range org.SSOActiveConnections {
			l.SSOConnections = append(l.SSOConnections, SSOConnection{ID: c.ConnectionID, Name: c.DisplayName, IdentityProvider: c.IdentityProvider})
		}
	}
	for _, p := range h.cfg.oauthProviders {
		if allowsAuth(org, p+"_oauth") {
			l.OAuthProviders = append(l.OAuthProviders, p)
		}
	}
	return l
}

// getOrganizationLogin shows an organization's own login page with the
// methods its policy allows.
func (h *Handler) getOrganizationLogin(w http.ResponseWriter, r *http.Request) {
	org, err := h.lookupOrganization(r)
	if err != nil {
		h.failOrganization(w, r, nil, nil, "", err)
		return
	}
	l := h.organizationLogin(org)
	if wantsJSON(r) {
		h.writeJSON(w, http.StatusOK, organizationLoginBody{Next: stepOrganizationLogin, Organization: l})
		return
	}
	returnTo, err := returnPath(r.URL.Query().Get("return_to"))
	if err != nil {
		h.fail(w, r, nil, err)
		return
	}
	p := &Page{Step: stepOrganizationLogin, OrganizationLogin: l, ReturnTo: returnTo}
	if st := h.pendingPrimary(r, org.OrganizationID); st != nil {
		// A discovered member completes the organization's primary
		// requirement: the intermediate session knows the address.
		p.Email = st.Email
		if p.ReturnTo == "" {
			p.ReturnTo = st.ReturnTo
		}
	}
	h.render(w, r, http.StatusOK, "organization_login.html", p)
}

// postOrganizationEmail sends the organization's login or sign-up magic
// link, bound to this browser by PKCE.
func (h *Handler) postOrganizationEmail(w http.ResponseWriter, r *http.Request) {
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
	typed := in.Get("email")
	if !l.MagicLink {
		h.failOrganization(w, r, nil, l, typed, ErrAuthMethodNotAllowed)
		return
	}
	email, err := parseEmail(typed)
	if err != nil {
		h.failOrganization(w, r, nil, l, typed, err)
		return
	}
	returnTo, err := returnPath(in.Get("return_to"))
	if err != nil {
		h.failOrganization(w, r, nil, l, "", err)
		return
	}
	st := h.emailFlow(r, org.OrganizationID, returnTo, tokenTypeOrgMagicLink, email)
	callback := h.callbackURL()
	h.sendEmail(w, r, &emailSend{
		kind: emailLink, flow: st,
		page: "check_email.html", target: h.cfg.prefix + "/o/" + url.PathEscape(org.OrganizationSlug) + "/email",
		next: stepEmailSent.next(),
		send: func(ctx context.Context) error {
			_, err := h.client.MagicLinks.LoginOrSignup(ctx, &client.MagicLinksLoginOrSignupParams{
				OrganizationID:    org.OrganizationID,
				EmailAddress:      email,
				LoginRedirectURL:  callback,
				SignupRedirectURL: callback,
				PkceCodeChallenge: pkceChallenge(st.PKCEVerifier),
				// The link is only useful while the flow cookie lives.
				LoginExpirationMinutes:  uint32(flowLifetime.Minutes()),
				SignupExpirationMinutes: uint32(flowLifetime.Minutes()),
			})
			return err
		},
		refuse: func(e *Error) { h.failOrganization(w, r, st, l, email, e) },
	})
}

// organizationStep returns the request's flow if it waits for started in
// the organization of the path, or answers and returns nil: the GET of an
// organization's step page (see seeStep).
func (h *Handler) organizationStep(w http.ResponseWriter, r *http.Request, started string) (*flowState, *client.Organization) {
	st, err := h.loadFlow(r, stepEmailSent, stepOrganizations)
	if err == nil && st.Started != started {
		err = ErrWrongStep
	}
	if err != nil {
		if !h.stepMovedOn(w, r, st, err) {
			h.fail(w, r, st, err)
		}
		return nil, nil
	}
	org, err := h.lookupOrganization(r)
	if err == nil && org.OrganizationID != st.OrganizationID {
		err = ErrWrongStep
	}
	if err != nil {
		h.fail(w, r, st, err)
		return nil, nil
	}
	return st, org
}

// getOrganizationEmail shows the "check your email" page of an
// organization's magic link sent from this browser, drawn from the flow
// cookie.
func (h *Handler) getOrganizationEmail(w http.ResponseWriter, r *http.Request) {
	st, _ := h.organizationStep(w, r, tokenTypeOrgMagicLink)
	if st == nil {
		return
	}
	if wantsJSON(r) {
		h.writeJSON(w, http.StatusOK, nextBody{Next: stepEmailSent.next()})
		return
	}
	h.render(w, r, http.StatusOK, "check_email.html", &Page{
		Step: stepEmailSent.next(), Email: st.Email, ReturnTo: st.ReturnTo,
	})
}

// postOrganizationOAuthStart begins an OAuth login into the organization:
// the browser goes to Stytch's start URL with a PKCE challenge whose
// verifier only this flow cookie holds.
func (h *Handler) postOrganizationOAuthStart(w http.ResponseWriter, r *http.Request) {
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
	provider := in.Get("provider")
	if !slices.Contains(l.OAuthProviders, provider) {
		h.failOrganization(w, r, nil, l, "", ErrAuthMethodNotAllowed)
		return
	}
	returnTo, err := returnPath(in.Get("return_to"))
	if err != nil {
		h.failOrganization(w, r, nil, l, "", err)
		return
	}
	st := h.organizationFlow(r, org.OrganizationID, returnTo, tokenTypeOAuth)
	callback := h.callbackURL()
	target, err := h.client.OAuth.StartURL(provider, &client.OAuthStartParams{
		OrganizationID: org.OrganizationID,
		RedirectParams: client.RedirectParams{
			PublicToken: h.cfg.oauthToken, LoginRedirectURL: callback, SignupRedirectURL: callback,
			PkceCodeChallenge: pkceChallenge(st.PKCEVerifier),
		},
	})
	if err != nil {
		h.failOrganization(w, r, nil, l, "", ErrInvalidInput.with(err))
		return
	}
	h.startAt(w, r, st, tokenTypeOAuth, target)
}

// startAt saves the flow and sends the browser to a start URL at Stytch,
// or tells a JSON client to go there ({"next": next, "redirect": target}).
func (h *Handler) startAt(w http.ResponseWriter, r *http.Request, st *flowState, next, target string) {
	if err := h.saveFlow(w, st); err != nil {
		h.fail(w, r, nil, err)
		return
	}
	if wantsJSON(r) {
		h.writeJSON(w, http.StatusOK, nextBody{Next: next, Redirect: target})
		return
	}
	noStore(w)
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// organizationFlow starts the flow of an organization-scoped login whose
// redirect has stytch_token_type started, with a new PKCE verifier. When r
// carries a discovered member's flow waiting for this organization's primary
// method (see primaryRequired), the flow goes on with its intermediate
// session, which the authenticate call then completes.
func (h *Handler) organizationFlow(r *http.Request, orgID, returnTo, started string) *flowState {
	st := newFlow(stepEmailSent, returnTo)
	if r != nil {
		if p := h.pendingPrimary(r, orgID); p != nil {
			st = p
			if returnTo != "" {
				st.ReturnTo = returnTo
			}
		}
	}
	st.PKCEVerifier = randomString(32)
	st.Started, st.OrganizationID = started, orgID
	return st
}

// pendingPrimary returns r's flow if it is a discovered member's, waiting at
// the organization choice for a primary method of orgID, else nil.
func (h *Handler) pendingPrimary(r *http.Request, orgID string) *flowState {
	st, err := h.loadFlow(r, stepOrganizations)
	if err != nil || st.IST == "" || st.OrganizationID != orgID {
		return nil
	}
	return st
}

// failOrganization answers a failure of the organization login page: an
// unknown organization is a 404 page leading to discovery; other failures
// show the organization's page again with the message and the address
// typed (l nil: the organization could not be read).
func (h *Handler) failOrganization(w http.ResponseWriter, r *http.Request, st *flowState, l *OrganizationLogin, email string, err error) {
	e := asError(err)
	returnTo := requestedReturnPath(w, r)
	if st != nil {
		returnTo = st.ReturnTo
	}
	if wantsJSON(r) || e.Status == http.StatusServiceUnavailable || (l == nil && !errors.Is(e, ErrOrganizationNotFound)) {
		// No flow is changed by a failed start.
		h.fail(w, r, &flowState{FlowID: randomString(12), ReturnTo: returnTo}, e)
		return
	}
	h.log(r, st, e)
	h.render(w, r, e.Status, "organization_login.html", &Page{
		Step: stepOrganizationLogin, ErrorCode: e.Code, ErrorMessage: e.msg,
		OrganizationLogin: l, Email: email, ReturnTo: returnTo,
	})
}

// organizationCallback authenticates the token of an organization-scoped
// redirect (SSO, OAuth, magic link or invite) and reports whether tokenType
// is one. SSO and OAuth tokens are only continued by the flow that started
// them: its PKCE verifier binds the token to this browser.
func (h *Handler) organizationCallback(w http.ResponseWriter, r *http.Request, tokenType, token string) bool {
	switch tokenType {
	case tokenTypeSSO, tokenTypeOAuth:
	case tokenTypeOrgMagicLink:
		h.magicLinkCallback(w, r, token)
		return true
	case tokenTypePasswordReset:
		h.passwordResetCallback(w, r, token)
		return true
	default:
		return false
	}
	st, err := h.loadFlow(r, stepEmailSent, stepOrganizations)
	if err == nil && (st.Started != tokenType || st.PKCEVerifier == "") {
		err = ErrWrongStep
	}
	if err != nil {
		h.fail(w, r, st, ErrLinkInvalid.with(err))
		return true
	}
	auth := client.OrganizationAuthParams{
		SessionDurationMinutes:   h.cfg.sessionDuration,
		IntermediateSessionToken: st.IST,
	}
	var res *client.OrganizationAuthenticateResponse
	if tokenType == tokenTypeSSO {
		res, err = h.client.SSO.Authenticate(r.Context(), &client.SSOAuthenticateParams{
			SSOToken: token, PkceCodeVerifier: st.PKCEVerifier, OrganizationAuthParams: auth,
		})
		st.ssoDone = true
	} else {
		res, err = h.client.OAuth.Authenticate(r.Context(), &client.OAuthAuthenticateParams{
			OAuthToken: token, PkceCodeVerifier: st.PKCEVerifier, OrganizationAuthParams: auth,
		})
	}
	if err != nil {
		h.failCallback(w, r, st, err, ErrEmailMismatch.withMessage(
			"You signed in as another email address than the one you started with in this browser. Start again with the right account."))
		return true
	}
	h.authenticated(w, r, st, res)
	return true
}

// failCallback answers a failed organization-scoped authenticate call. An
// intermediate session of another email (refused by Stytch) becomes
// mismatch; an outage keeps the flow for a reload; a flow that came from
// the organization choice shows it again with the message; others lead back
// to the email form.
func (h *Handler) failCallback(w http.ResponseWriter, r *http.Request, st *flowState, err error, mismatch *Error) {
	e := fromStytch(err)
	if st.IST != "" && isStytchError(err, "invalid_intermediate_session_token_for_organization") {
		e = mismatch.with(err)
	}
	if errors.Is(e, ErrUnavailable) || st.Step == stepOrganizations {
		h.fail(w, r, st, e)
		return
	}
	h.fail(w, r, &flowState{FlowID: st.FlowID, ReturnTo: st.ReturnTo}, e)
}

// authenticated continues an organization-scoped login as an organization
// choice does: a session, MFA, or the primary method the organization
// still requires.
func (h *Handler) authenticated(w http.ResponseWriter, r *http.Request, st *flowState, res *client.OrganizationAuthenticateResponse) {
	if st.Email == "" {
		st.Email = res.Member.EmailAddress
	}
	h.entered(w, r, st, &client.DiscoveryExchangeResponse{
		MemberID:                          res.MemberID,
		SessionToken:                      res.SessionToken,
		SessionJWT:                        res.SessionJWT,
		Member:                            res.Member,
		Organization:                      res.Organization,
		MemberAuthenticated:               res.MemberAuthenticated,
		IntermediateSessionToken:          res.IntermediateSessionToken,
		IntermediateSessionTokenExpiresAt: res.IntermediateSessionTokenExpiresAt,
		MemberSession:                     res.MemberSession,
		MFARequired:                       res.MFARequired,
		PrimaryRequired:                   res.PrimaryRequired,
	})
}
