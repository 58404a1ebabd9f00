package flows

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"net/http"
	"slices"
	"time"

	"github.com/gorilla/securecookie"
)

// Flow cookie limits.
const (
	// flowLifetime bounds a flow between two steps, like Stytch's
	// intermediate session tokens.
	flowLifetime = 10 * time.Minute
	// maxCookieSize keeps the encoded cookie well under the 4096 bytes
	// browsers keep per cookie.
	maxCookieSize = 3500
	// maxAttempts wrong codes are allowed before the flow locks for
	// lockoutPeriod.
	maxAttempts   = 5
	lockoutPeriod = 5 * time.Minute
)

// Flow cookie names: "__Host-" binds the cookie to the exact origin over
// https; browsers refuse that prefix on plain http. Step-up flows have a
// cookie of their own: GET /step-up is a link any site can make a browser
// follow, and it must not end a sign-in in progress in the login flow
// cookie. The name is part of the authenticated value, so neither cookie's
// value is accepted as the other's.
const (
	flowCookieName         = "b2bauth_flow"
	secureFlowCookieName   = "__Host-b2bauth_flow"
	stepUpCookieName       = "b2bauth_stepup"
	secureStepUpCookieName = "__Host-b2bauth_stepup"
)

// step is where a flow stands. The zero value is no flow.
type step uint8

const (
	stepNone          step = iota
	stepEmailSent          // magic link sent, PKCE verifier kept
	stepOrganizations      // discovery done, IST kept
	stepMFA                // organization chosen, MFA pending, IST kept
	stepStepUp             // a logged-in member proves a second factor again
	stepLast               // not a step: the bound of valid values
)

// next is the public name of the step, the "next" field of JSON answers.
func (s step) next() string {
	switch s {
	case stepEmailSent:
		return "check_email"
	case stepOrganizations:
		return "select_organization"
	case stepMFA:
		return "mfa"
	case stepStepUp:
		return "step_up"
	}
	return "email"
}

// flowState is everything a flow remembers between requests. It lives only
// in the encrypted, HttpOnly flow cookie, so the intermediate session token
// never reaches a URL, a page or JavaScript.
type flowState struct {
	FlowID    string    `json:"id"`
	Step      step      `json:"st"`
	ExpiresAt time.Time `json:"exp"`
	ReturnTo  string    `json:"rt,omitempty"`

	// Discovery.
	PKCEVerifier  string         `json:"pkce,omitempty"`
	Email         string         `json:"em,omitempty"`
	IST           string         `json:"ist,omitempty"`
	ISTExpiresAt  time.Time      `json:"iste,omitzero"`
	Organizations []Organization `json:"orgs,omitempty"` // dropped when the cookie would be too large

	// Started is the stytch_token_type of an organization-scoped start
	// (SSO, OAuth or magic link) whose redirect the flow waits for, with
	// OrganizationID its organization; at stepOrganizations, OrganizationID
	// alone names the organization whose primary method is pending.
	Started string `json:"sta,omitempty"`
	// Switched marks an organization switch of a signed-in member (see
	// switch.go), for the after-login hook.
	Switched bool `json:"sw,omitempty"`

	// Email codes and password resets: when the code was sent, and the
	// token of an opened reset link (never a password).
	CodeSentAt time.Time `json:"cs,omitzero"`
	ResetToken string    `json:"rst,omitempty"`

	// MFA and step-up.
	OrganizationID string    `json:"org,omitempty"`
	MemberID       string    `json:"mem,omitempty"`
	Methods        []string  `json:"mth,omitempty"`
	PhoneHint      string    `json:"ph,omitempty"`
	HasPhone       bool      `json:"hp,omitempty"`
	TOTPEnrolled   bool      `json:"te,omitempty"`
	TOTPPending    bool      `json:"tp,omitempty"` // created in this flow, not yet verified
	SMSSentAt      time.Time `json:"sms,omitzero"`
	Attempts       int       `json:"att,omitempty"`
	LockedUntil    time.Time `json:"lock,omitzero"`

	// TOTP is the authenticator registration created in this flow, until
	// its first code passes: shown again, never created twice (see
	// enrollTOTP).
	TOTP *pendingTOTP `json:"totp,omitempty"`
	// showEnroll answers a failure with the pending registration's page
	// (a wrong first code); never stored.
	showEnroll bool
	// ssoDone marks a flow whose SSO login just came back, so that an
	// organization still asking for SSO is not sent to it again; never stored.
	ssoDone bool
}

// allows reports whether the flow offers the MFA method.
func (st *flowState) allows(method string) bool {
	return slices.Contains(st.Methods, method)
}

// flowCookie encodes and decodes flow states with authenticated encryption.
type flowCookie struct {
	name   string
	secure bool
	codecs []securecookie.Codec
}

// newFlowCookie returns the cookie of login flows, or with stepUp that of
// step-up flows.
func newFlowCookie(keys []KeyPair, secure, stepUp bool) flowCookie {
	fc := flowCookie{name: flowCookieName, secure: secure}
	switch {
	case stepUp && secure:
		fc.name = secureStepUpCookieName
	case stepUp:
		fc.name = stepUpCookieName
	case secure:
		fc.name = secureFlowCookieName
	}
	for _, k := range keys {
		sc := securecookie.New(k.Hash, k.Block)
		sc.MaxAge(int(flowLifetime / time.Second))
		sc.MaxLength(maxCookieSize)
		sc.SetSerializer(securecookie.JSONEncoder{})
		fc.codecs = append(fc.codecs, sc)
	}
	return fc
}

// encode returns the cookie value of st. A state too large for the budget is
// shrunk by dropping the cached organization list (it can be listed again),
// then the labels of a pending authenticator registration (an
// organization's name and an address, neither bounded by Stytch; a QR
// code drawn again says "Stytch" and "member" instead), then the return
// path (the member lands on the after-login path instead): a step that
// Stytch has taken is not lost for them. If still too large, the error
// matches ErrFlowTooLarge.
func (fc flowCookie) encode(st *flowState) (string, error) {
	v, err := securecookie.EncodeMulti(fc.name, st, fc.codecs...)
	if err == nil && len(v) < maxCookieSize {
		return v, nil
	}
	if len(st.Organizations) > 0 {
		st.Organizations = nil
		return fc.encode(st)
	}
	if t := st.TOTP; t != nil && (t.Issuer != "" || t.Account != "") {
		unlabelled := *t
		unlabelled.Issuer, unlabelled.Account = "", ""
		st.TOTP = &unlabelled
		return fc.encode(st)
	}
	if st.ReturnTo != "" {
		st.ReturnTo = ""
		return fc.encode(st)
	}
	if err == nil {
		err = errors.New("encoded flow state over the size budget")
	}
	return "", ErrFlowTooLarge.with(err)
}

// decode returns the state in value. Every failure is an *Error matching
// ErrFlowInvalid: a value that is not ours, tampered with, encrypted with an
// unknown key, older than the flow lifetime or not a state at all.
func (fc flowCookie) decode(value string) (*flowState, error) {
	var st flowState
	if len(value) >= maxCookieSize {
		return nil, ErrFlowInvalid.with(errors.New("flow cookie over the size budget"))
	}
	if err := securecookie.DecodeMulti(fc.name, value, &st, fc.codecs...); err != nil {
		return nil, ErrFlowInvalid.with(err)
	}
	if st.FlowID == "" || st.Step == stepNone || st.Step >= stepLast || st.ExpiresAt.IsZero() {
		return nil, ErrFlowInvalid.with(errors.New("incomplete flow state"))
	}
	return &st, nil
}

func (fc flowCookie) cookie(value string, maxAge int) *http.Cookie {
	return &http.Cookie{
		Name:     fc.name,
		Value:    value,
		Path:     "/",
		MaxAge:   maxAge,
		Secure:   fc.secure,
		HttpOnly: true,
		// Lax: the magic link is a cross-site top-level navigation that must
		// carry the cookie; cross-site POSTs never do.
		SameSite: http.SameSiteLaxMode,
	}
}

// cookieOf returns the cookie that holds flows in step s.
func (h *Handler) cookieOf(s step) flowCookie {
	if s == stepStepUp {
		return h.stepUpCookie
	}
	return h.cookie
}

// loadFlow returns the request's flow if it is in one of steps, read from
// the cookie of the first step.
func (h *Handler) loadFlow(r *http.Request, steps ...step) (*flowState, error) {
	fc := h.cookieOf(steps[0])
	c, err := r.Cookie(fc.name)
	if err != nil || c.Value == "" {
		return nil, ErrFlowMissing
	}
	st, err := fc.decode(c.Value)
	if err != nil {
		return nil, err
	}
	now := h.cfg.now()
	if !now.Before(st.ExpiresAt) {
		return st, ErrFlowExpired
	}
	if st.IST != "" && !st.ISTExpiresAt.IsZero() && !now.Before(st.ISTExpiresAt) {
		return st, ErrFlowExpired
	}
	if !slices.Contains(steps, st.Step) {
		return st, ErrWrongStep
	}
	return st, nil
}

// saveFlow writes st into the cookie of its step, extending its lifetime.
func (h *Handler) saveFlow(w http.ResponseWriter, st *flowState) error {
	st.ExpiresAt = h.cfg.now().Add(flowLifetime)
	fc := h.cookieOf(st.Step)
	v, err := fc.encode(st)
	if err != nil {
		return err
	}
	http.SetCookie(w, fc.cookie(v, int(flowLifetime/time.Second)))
	return nil
}

// clearFlow expires the cookie of flows in step s: the step-up cookie for
// stepStepUp, else the login flow cookie.
func (h *Handler) clearFlow(w http.ResponseWriter, s step) {
	http.SetCookie(w, h.cookieOf(s).cookie("", -1))
}

// newFlow starts a flow in step s.
func newFlow(s step, returnTo string) *flowState {
	return &flowState{FlowID: randomString(12), Step: s, ReturnTo: returnTo}
}

// randomString returns n random bytes, base64url encoded.
func randomString(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails (crypto/rand panics rather than returning an error)
	return base64.RawURLEncoding.EncodeToString(b)
}
