package emulator

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Organization-scoped login: magic links sent for one organization, invites,
// OAuth started for one organization and SSO all end in one authenticate call
// that logs in to that organization. They share the state and the ending in
// this file.

// errSessionMismatch refuses a session of another member passed to an
// authenticate call.
const errSessionMismatch = "session_on_code_does_not_match_session_passed_in"

// orgLoginState holds the single-use tokens of organization-scoped logins.
// Guarded by Server.mu; the maps are made on first use.
type orgLoginState struct {
	links map[string]*orgMagicLink
	oauth map[string]*orgOAuthToken
	sso   map[string]*ssoToken
}

func (st *orgLoginState) init() {
	if st.links == nil {
		st.links = map[string]*orgMagicLink{}
		st.oauth = map[string]*orgOAuthToken{}
		st.sso = map[string]*ssoToken{}
	}
}

// sessionTarget is what a primary authenticate call adds its factor to: a
// session of the same member, or an intermediate session; with the session
// options.
type sessionTarget struct {
	sessionOptions
	SessionToken             string `json:"session_token"`
	SessionJWT               string `json:"session_jwt"`
	IntermediateSessionToken string `json:"intermediate_session_token"`
}

// orgAuthParams are the fields every organization-scoped authenticate call
// shares: the session or intermediate session the factor joins, and the
// session options.
type orgAuthParams struct {
	sessionTarget
	Locale      string `json:"locale"`
	TelemetryID string `json:"telemetry_id"`
}

func (p orgAuthParams) check() error {
	if p.IntermediateSessionToken != "" && (p.SessionToken != "" || p.SessionJWT != "") {
		return badRequest("give intermediate_session_token or a session, not both")
	}
	if p.SessionToken != "" && p.SessionJWT != "" {
		return badRequest("give session_token or session_jwt, not both")
	}
	return p.sessionOptions.check()
}

// authenticateOrgToken runs an organization-scoped authenticate call with a
// single-use token: it refuses a missing token (field names it) or bad
// session parameters, then, holding s.mu, redeems the token from the map
// tokens returns and hands it to finish.
func authenticateOrgToken[T interface{ grant() *pkceGrant }](s *Server, field, token, verifier string, p orgAuthParams,
	tokens func() map[string]T, dead *apiError, finish func(now time.Time, t T) (*orgAuthResponse, error)) (response, error) {
	if token == "" {
		return nil, missingField(field)
	}
	if err := p.check(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.org.init()
	now := s.cfg.clock()
	t, err := redeemGrant(tokens(), token, verifier, now, dead)
	if err != nil {
		return nil, err
	}
	res, err := finish(now, t)
	if err != nil {
		return nil, err
	}
	return res, nil
}

// authenticateInOrg runs a primary authenticate call of one organization
// that names the member: after the session options are checked, holding
// s.mu, it finds the organization, lets pass find the member and check the
// secret, and logs the member in with the factor pass returns.
func (s *Server) authenticateInOrg(orgID string, target sessionTarget, pass func(now time.Time, o *organization) (*member, factor, error)) (response, error) {
	if err := target.sessionOptions.check(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.cfg.clock()
	o, err := s.lookupOrg(orgID)
	if err != nil {
		return nil, err
	}
	m, f, err := pass(now, o)
	if err != nil {
		return nil, err
	}
	res, err := s.finishPrimaryLocked(now, primaryAuth{org: o, email: m.email, member: m, factor: f, params: orgAuthParams{sessionTarget: target}})
	if err != nil {
		return nil, err
	}
	if f.typ == "otp" && f.method == "email" {
		// Stytch's email OTP answer names the email the code went to.
		res.MethodID = m.emailID
	}
	return res, nil
}

// primaryAuth is one passed primary factor for one organization.
type primaryAuth struct {
	org    *organization
	email  string
	factor factor
	member *member // the member the token was issued for, or nil
	// provision creates the member when none has the email; nil refuses.
	provision func() (*member, error)
	params    orgAuthParams
}

// orgAuthResponse answers the organization-scoped authenticate calls. The
// fields below the session differ by call, as in the official SDK's response
// types: reset_sessions only for magic links and OAuth, reset_session
// (singular) only for SSO, member_email_id only for a password reset by email.
type orgAuthResponse struct {
	*sessionResponse
	OrganizationID  string              `json:"organization_id"`
	MethodID        string              `json:"method_id,omitempty"`
	MemberEmailID   string              `json:"member_email_id,omitempty"`
	ResetSessions   *bool               `json:"reset_sessions,omitempty"`
	ResetSession    *bool               `json:"reset_session,omitempty"`
	ProviderSubject string              `json:"provider_subject,omitempty"`
	ProviderType    string              `json:"provider_type,omitempty"`
	ProviderValues  *wireProviderValues `json:"provider_values,omitempty"`
}

type wireProviderValues struct {
	AccessToken  string     `json:"access_token"`
	RefreshToken string     `json:"refresh_token"`
	IDToken      string     `json:"id_token"`
	Scopes       []string   `json:"scopes"`
	ExpiresAt    *time.Time `json:"expires_at"`
}

// finishPrimaryLocked logs a primary factor in to its organization: into the
// session passed (same member only), or completing the intermediate session
// passed (same email, not bound to another organization; it gains the
// factor), or starting afresh. The answer is a session, or the intermediate
// session token with what the organization still requires (MFA, or a
// primary method it allows).
func (s *Server) finishPrimaryLocked(now time.Time, a primaryAuth) (*orgAuthResponse, error) {
	o := a.org
	m := a.member
	if m == nil {
		var err error
		if m, _, err = s.findOrProvisionLocked(o, a.email, a.provision); err != nil {
			return nil, err
		}
	}
	out := &orgAuthResponse{OrganizationID: o.id}
	p := a.params
	if p.SessionToken != "" || p.SessionJWT != "" {
		ss, err := s.sessionFromCredentials(now, p.SessionToken, p.SessionJWT)
		if err != nil {
			return nil, err
		}
		if ss.memberID != m.id {
			return nil, invalid(errSessionMismatch, "the session passed belongs to another member than the one authenticating")
		}
		ss.factors = addFactor(ss.factors, a.factor)
		touchLocked(now, ss, p.SessionDurationMinutes, p.SessionCustomClaims)
		res, err := s.sessionResponseLocked(now, ss)
		out.sessionResponse = res
		return out, err
	}
	l := login{email: a.email, primary: []factor{a.factor}, org: o, member: m,
		minutes: p.SessionDurationMinutes, claims: p.SessionCustomClaims}
	if p.IntermediateSessionToken != "" {
		ist, err := s.liveISTLocked(now, p.IntermediateSessionToken)
		if err != nil {
			return nil, err
		}
		if !strings.EqualFold(ist.email, a.email) || (ist.orgID != "" && ist.orgID != o.id) {
			return nil, invalid(errISTForOrganization, "the intermediate session token belongs to another email or organization")
		}
		// The IST gains the factor, so MFA with it later sees both.
		ist.factors = addFactor(ist.factors, a.factor)
		l.ist, l.primary = ist, slices.Clone(ist.factors)
	}
	res, err := s.loginLocked(now, l)
	out.sessionResponse = res
	return out, err
}

// redirectWithToken returns raw (or the default redirect URL when raw is
// empty) with stytch_token_type and token added, or an error when it is not
// an absolute http(s) URL.
func (s *Server) redirectWithToken(raw, field, tokenType, token string) (string, error) {
	if raw == "" {
		raw = s.cfg.redirectURL
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", badRequest("%s is not an http(s) URL", field).withDetail("field", field)
	}
	q := u.Query()
	q.Set("stytch_token_type", tokenType)
	q.Set("token", token)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// checkRedirect validates a redirect URL given to a public start endpoint
// and returns it, or the default redirect URL when it is empty.
func (s *Server) checkRedirect(raw, field string) (string, error) {
	if raw == "" {
		raw = s.cfg.redirectURL
	}
	if _, err := s.redirectWithToken(raw, field, "", ""); err != nil {
		return "", err
	}
	return raw, nil
}

// startRedirects checks the login and signup redirect URLs of a public start
// URL.
func (s *Server) startRedirects(q url.Values) (login, signup string, err error) {
	if login, err = s.checkRedirect(q.Get("login_redirect_url"), "login_redirect_url"); err != nil {
		return "", "", err
	}
	if signup, err = s.checkRedirect(q.Get("signup_redirect_url"), "signup_redirect_url"); err != nil {
		return "", "", err
	}
	return login, signup, nil
}

// signInRedirectLocked returns where an emulated provider's form sends the
// browser back with token: its login redirect URL for a member of orgID,
// its signup one otherwise.
func (s *Server) signInRedirectLocked(f url.Values, orgID, email, tokenType, token string) (string, error) {
	redirect := f.Get("login_redirect_url")
	if s.memberByEmail(orgID, email) == nil {
		redirect = f.Get("signup_redirect_url")
	}
	return s.redirectWithToken(redirect, "redirect_url", tokenType, token)
}

// memberEmailsLocked lists an organization's member emails, for the
// emulated identity providers' pages.
func (s *Server) memberEmailsLocked(orgID string) []string {
	var out []string
	for _, m := range s.members {
		if m.orgID == orgID {
			out = append(out, m.email)
		}
	}
	slices.Sort(out)
	return out
}

// asAPIError returns the rejection err carries, or an internal error.
func asAPIError(err error) *apiError {
	var e *apiError
	if errors.As(err, &e) {
		return e
	}
	return &apiError{status: http.StatusInternalServerError, typ: errInternalServerError, message: "internal error"}
}

// formRequest parses a consent form, bounding its size.
func formRequest(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxBodyBytes)
	if err := r.ParseForm(); err != nil {
		return badRequest("malformed form: %v", err)
	}
	return nil
}
