package flows

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"net/mail"
	"slices"
	"strings"

	"github.com/b2bauth/b2bauth/client"
	"github.com/b2bauth/b2bauth/internal/tokenshape"
)

// Discovery token types of the callback's stytch_token_type parameter.
const (
	tokenTypeDiscovery      = "discovery"
	tokenTypeDiscoveryOAuth = "discovery_oauth"
)

// getLogin shows the email form.
func (h *Handler) getLogin(w http.ResponseWriter, r *http.Request) {
	returnTo, err := returnPath(r.URL.Query().Get("return_to"))
	if err != nil {
		// Refused here rather than when the form is posted, after the
		// member typed their email.
		h.fail(w, r, nil, err)
		return
	}
	if wantsJSON(r) {
		h.writeJSON(w, http.StatusOK, nextBody{Next: stepNone.next()})
		return
	}
	h.render(w, r, http.StatusOK, "login.html", &Page{
		Step:           stepNone.next(),
		ReturnTo:       returnTo,
		OAuthProviders: h.cfg.oauthProviders,
		PrimaryMethods: h.cfg.primaryMethods,
	})
}

// postOAuthStart begins OAuth discovery: the browser goes to Stytch's start
// URL with a PKCE challenge whose verifier only this flow cookie holds.
func (h *Handler) postOAuthStart(w http.ResponseWriter, r *http.Request) {
	in, err := input(w, r)
	if err != nil {
		h.fail(w, r, nil, err)
		return
	}
	provider := in.Get("provider")
	if !slices.Contains(h.cfg.oauthProviders, provider) {
		h.fail(w, r, nil, ErrInvalidInput.withMessage("That sign-in method is not offered."))
		return
	}
	returnTo, err := returnPath(in.Get("return_to"))
	if err != nil {
		h.fail(w, r, nil, err)
		return
	}
	st := newFlow(stepEmailSent, returnTo)
	st.PKCEVerifier = randomString(32)
	target, err := h.client.OAuth.DiscoveryStartURL(provider, &client.OAuthDiscoveryStartParams{
		PublicToken:          h.cfg.oauthToken,
		DiscoveryRedirectURL: h.callbackURL(),
		PkceCodeChallenge:    pkceChallenge(st.PKCEVerifier),
	})
	if err != nil {
		h.fail(w, r, nil, ErrInvalidInput.with(err))
		return
	}
	if err := h.saveFlow(w, st); err != nil {
		h.fail(w, r, nil, err)
		return
	}
	if wantsJSON(r) {
		h.writeJSON(w, http.StatusOK, nextBody{Next: "oauth", Redirect: target})
		return
	}
	noStore(w)
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// postLogin sends a discovery magic link bound to this browser by PKCE.
func (h *Handler) postLogin(w http.ResponseWriter, r *http.Request) {
	in, err := input(w, r)
	if err != nil {
		h.fail(w, r, nil, err)
		return
	}
	returnTo, err := returnPath(in.Get("return_to"))
	if err != nil {
		h.failLogin(w, r, newFlow(stepEmailSent, ""), in.Get("email"), err)
		return
	}
	st := newFlow(stepEmailSent, returnTo)
	if !h.offersPrimary(authMagicLink) {
		h.failLogin(w, r, st, in.Get("email"), ErrAuthMethodNotAllowed)
		return
	}
	email, err := parseEmail(in.Get("email"))
	if err != nil {
		h.failLogin(w, r, st, in.Get("email"), err)
		return
	}
	st.Email = email
	st.PKCEVerifier = randomString(32)
	if prev, err := h.discoveryFlow(r); err == nil && strings.EqualFold(prev.Email, email) {
		// Sent again to the same address from this browser (a second
		// click, the email form sent again after the "try again" link): the
		// new link shares the verifier, so that the first link, still in
		// the inbox, works too.
		st.FlowID, st.PKCEVerifier = prev.FlowID, prev.PKCEVerifier
	}
	h.sendEmail(w, r, &emailSend{
		kind: emailLink, flow: st,
		page: "check_email.html", target: h.cfg.prefix + "/login/check-email", next: stepEmailSent.next(),
		send: func(ctx context.Context) error {
			_, err := h.client.MagicLinks.DiscoverySend(ctx, &client.MagicLinksDiscoverySendParams{
				EmailAddress:         email,
				DiscoveryRedirectURL: h.callbackURL(),
				PkceCodeChallenge:    pkceChallenge(st.PKCEVerifier),
				// The link is only useful while the flow cookie lives.
				DiscoveryExpirationMinutes: uint32(flowLifetime.Minutes()),
			})
			return err
		},
		refuse: func(e *Error) { h.failLogin(w, r, st, email, e) },
	})
}

// getCheckEmail shows the "check your email" page of a discovery magic
// link sent from this browser (see postLogin), drawn from the flow cookie.
func (h *Handler) getCheckEmail(w http.ResponseWriter, r *http.Request) {
	st, err := h.discoveryFlow(r)
	if err != nil {
		if !h.stepMovedOn(w, r, st, err) {
			h.fail(w, r, st, err)
		}
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

// failLogin shows the email form again with the address typed, or the
// outage page; no flow exists yet.
func (h *Handler) failLogin(w http.ResponseWriter, r *http.Request, st *flowState, email string, err error) {
	e := asError(err)
	if wantsJSON(r) || e.Status == http.StatusServiceUnavailable {
		h.fail(w, r, &flowState{FlowID: st.FlowID, ReturnTo: st.ReturnTo}, e)
		return
	}
	h.log(r, st, e)
	h.render(w, r, e.Status, "login.html", &Page{
		Step: stepNone.next(), ErrorCode: e.Code, ErrorMessage: e.msg,
		ReturnTo: st.ReturnTo, Email: email, OAuthProviders: h.cfg.oauthProviders,
		PrimaryMethods: h.cfg.primaryMethods,
	})
}

// getCallback authenticates the discovery token of a magic link (with this
// browser's PKCE verifier) or of an OAuth discovery redirect, keeps the
// intermediate session token in the flow cookie and moves on to the
// organization list.
func (h *Handler) getCallback(w http.ResponseWriter, r *http.Request) {
	// The URL carries a one-time token: keep it out of the Referer of
	// anything this answer loads or leads to.
	w.Header().Set("Referrer-Policy", "no-referrer")
	if r.Method == http.MethodHead {
		// A HEAD is a check of the link (a mail scanner's, say), never a
		// sign-in: it must not use the one-time token up.
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		return
	}
	q := r.URL.Query()
	token := q.Get("token")
	if !plausibleLinkToken(token) {
		// Any site can make a browser follow this link, or send it in a
		// loop: what cannot be a token costs no call to Stytch. The flow
		// is read for its return path only.
		st, _ := h.loadFlow(r, stepEmailSent)
		h.fail(w, r, st, ErrLinkInvalid)
		return
	}
	var (
		res *client.DiscoveryAuthenticateResponse
		st  *flowState
		err error
	)
	switch q.Get("stytch_token_type") {
	case tokenTypeDiscovery:
		// PKCE: without this browser's verifier the link cannot log in, so
		// a link opened elsewhere, or planted by someone else, fails here.
		st, err = h.discoveryFlow(r)
		if errors.Is(err, ErrWrongStep) && (st.Step == stepOrganizations || st.Step == stepMFA) {
			// The link was opened twice: the flow is already past it.
			h.redirect(w, r, st.Step.next(), h.stepURL(st.Step, st.ReturnTo))
			return
		}
		if err != nil {
			h.fail(w, r, st, ErrLinkInvalid.with(err))
			return
		}
		res, err = h.client.MagicLinks.DiscoveryAuthenticate(r.Context(), &client.MagicLinksDiscoveryAuthenticateParams{
			DiscoveryMagicLinksToken: token,
			PkceCodeVerifier:         st.PKCEVerifier,
		})
	case tokenTypeDiscoveryOAuth:
		// Only a flow started here (POST /oauth/start) is continued: its
		// PKCE verifier binds the token to this browser, so a token planted
		// by someone else cannot log this browser into their account.
		st, err = h.discoveryFlow(r)
		if err != nil {
			h.fail(w, r, st, ErrLinkInvalid.with(err))
			return
		}
		res, err = h.client.OAuth.DiscoveryAuthenticate(r.Context(), &client.OAuthDiscoveryAuthenticateParams{
			DiscoveryOAuthToken: token,
			PkceCodeVerifier:    st.PKCEVerifier,
		})
	default:
		// Organization-scoped logins: SSO, OAuth, magic links and invites.
		if !h.organizationCallback(w, r, q.Get("stytch_token_type"), token) {
			h.fail(w, r, nil, ErrLinkInvalid)
		}
		return
	}
	if err != nil {
		// An outage keeps the flow: reloading the link retries with the
		// same verifier. Any other failure ends it.
		h.fail(w, r, st, fromStytch(err))
		return
	}
	if q.Get("stytch_token_type") == tokenTypeDiscovery {
		h.emailUsed(r, emailLink, st.Email)
	}
	next := &flowState{
		FlowID:        st.FlowID,
		Step:          stepOrganizations,
		ReturnTo:      st.ReturnTo,
		Email:         res.EmailAddress,
		IST:           res.IntermediateSessionToken,
		ISTExpiresAt:  h.istExpiry(res.IntermediateSessionTokenExpiresAt),
		Organizations: organizationsFrom(res.DiscoveredOrganizations),
	}
	if err := h.saveFlow(w, next); err != nil {
		h.fail(w, r, nil, err)
		return
	}
	h.redirect(w, r, stepOrganizations.next(), h.cfg.prefix+"/organizations")
}

// discoveryFlow returns the request's flow if it waits for the redirect of
// a discovery magic link or OAuth start, holding the PKCE verifier of that
// start. A flow in the same step that another start left (an email code,
// an organization's link) holds no verifier for it, or another one: with
// an empty verifier Stytch would accept a token issued without a
// challenge, such as one of its public OAuth start, and sign this browser
// in as whoever planted it.
func (h *Handler) discoveryFlow(r *http.Request) (*flowState, error) {
	st, err := h.loadFlow(r, stepEmailSent)
	if err == nil && (st.Started != "" || st.PKCEVerifier == "") {
		err = ErrWrongStep
	}
	return st, err
}

func (h *Handler) callbackURL() string {
	return h.cfg.publicURL.String() + h.cfg.prefix + "/callback"
}

// plausibleLinkToken reports whether t can be the token of a redirect from
// Stytch (magic link, OAuth, SSO or password reset), '=' padding allowed
// (see tokenshape.Plausible).
func plausibleLinkToken(t string) bool { return tokenshape.Plausible(t, true) }

// pkceChallenge is the S256 challenge of verifier (RFC 7636).
func pkceChallenge(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// parseEmail accepts a bare address ("a@b.example").
func parseEmail(s string) (string, error) {
	s = strings.TrimSpace(s)
	invalid := ErrInvalidInput.withMessage("Enter a valid email address.")
	if s == "" || len(s) > 254 {
		return "", invalid
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return "", invalid
	}
	return s, nil
}
