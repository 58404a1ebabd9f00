package flows

import (
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/b2bauth/b2bauth/client"
	"github.com/b2bauth/b2bauth/middleware"
)

// maxBodyBytes bounds a form or JSON request body.
const maxBodyBytes = 64 << 10

// Handler serves the login, MFA, step-up and logout routes under its prefix.
// Create it with [New]; it is safe for concurrent use and keeps no state
// between requests beyond the encrypted flow cookies, except the records of
// its guard in a [Store] (see [WithStore]): the recent wrong codes and the
// time of the last SMS per member, the last email of each kind asked for
// per address (with the flow that waits for it, encrypted with the cookie
// keys, so that a second submit whose first answer was lost leads to
// that flow), the entries into an organization in
// flight, the flows that finished in the last minute with the token of
// the session each made, encrypted with the cookie keys (so that a second
// submit of a finished step leads on instead of failing, and writes the
// session again if the browser lost it), and, for the SMS
// cooldown, the MFA step of an entry on which Stytch texted the member (so
// that a second choice of the organization leads to that text's code).
type Handler struct {
	client       *client.Client
	mw           *middleware.Middleware
	cfg          config
	cookie       flowCookie // login flows
	stepUpCookie flowCookie // step-up flows, apart from a login in progress
	guard        *guard
	queue        flowQueue
	templates    *template.Template
	root         http.Handler
}

// New returns the login handlers for the project of c, writing sessions
// through m. [WithCookieKeys] and [WithPublicURL] are required; see the
// With... options for the other defaults.
//
// The paths are configured once, on m: middleware.WithLoginURL(prefix +
// "/login") sends browsers without a session to these handlers, and the
// prefix is taken from it unless [WithPrefix] is given;
// middleware.WithStepUpURL(prefix + "/step-up") sends those
// m.RequireFreshFactor refuses to the step-up page. New returns an error when
// either URL of m, if set, is not the one these handlers serve, or when m
// carries the return path in another parameter than "return_to"
// (middleware.WithReturnParam). Answers given while Stytch is unavailable
// carry m's Retry-After (middleware.WithRetryAfter).
func New(c *client.Client, m *middleware.Middleware, opts ...Option) (*Handler, error) {
	if c == nil {
		return nil, errors.New("b2bauth: flows: nil client")
	}
	if m == nil {
		return nil, errors.New("b2bauth: flows: nil middleware")
	}
	cfg := defaultConfig()
	for _, o := range opts {
		if o == nil {
			return nil, errors.New("b2bauth: flows: nil option")
		}
		if err := o.apply(&cfg); err != nil {
			return nil, err
		}
	}
	if err := agree(&cfg, m); err != nil {
		return nil, err
	}
	if len(cfg.keys) == 0 {
		return nil, errors.New("b2bauth: flows: cookie keys are required: use WithCookieKeys with a 32- or 64-byte hash key and a 16-, 24- or 32-byte block key")
	}
	if cfg.publicURL == nil {
		return nil, errors.New("b2bauth: flows: the public URL is required: use WithPublicURL, e.g. \"https://app.example.com\"")
	}
	if cfg.store == nil {
		cfg.store = newMemoryStore(cfg.now, cfg.storeCapacity)
	}
	b := cfg.branding
	b.Script = cfg.prefix + busyScriptPath
	t, err := buildTemplates(cfg.templates, b)
	if err != nil {
		return nil, err
	}
	h := &Handler{
		client:       c,
		mw:           m,
		cfg:          cfg,
		cookie:       newFlowCookie(cfg.keys, cfg.publicURL.Scheme == "https", false),
		stepUpCookie: newFlowCookie(cfg.keys, cfg.publicURL.Scheme == "https", true),
		guard:        &guard{store: cfg.store},
		templates:    t,
	}
	if h.root, err = h.routes(); err != nil {
		return nil, err
	}
	return h, nil
}

// agree takes the prefix from m's login URL unless WithPrefix set it, and
// checks that m's login and step-up URLs name the routes these handlers
// serve: a mismatch would send browsers to a page that does not exist.
func agree(cfg *config, m *middleware.Middleware) error {
	login, stepUp := m.LoginURL(), m.StepUpURL()
	if !cfg.prefixSet && login != "" {
		p, ok := strings.CutSuffix(login, "/login")
		if !ok || WithPrefix(p).apply(cfg) != nil {
			return fmt.Errorf("b2bauth: flows: the middleware's login URL %q is not a prefix followed by \"/login\": set middleware.WithLoginURL(prefix + \"/login\")", login)
		}
	}
	if login != "" && login != cfg.prefix+"/login" {
		return fmt.Errorf("b2bauth: flows: the middleware's login URL %q is not this handler's %q: set one prefix in both", login, cfg.prefix+"/login")
	}
	if stepUp != "" && stepUp != cfg.prefix+"/step-up" {
		return fmt.Errorf("b2bauth: flows: the middleware's step-up URL %q is not this handler's %q: set one prefix in both", stepUp, cfg.prefix+"/step-up")
	}
	if (login != "" || stepUp != "") && m.ReturnParam() != "return_to" {
		return fmt.Errorf("b2bauth: flows: the middleware's return parameter %q is not the \"return_to\" these handlers read", m.ReturnParam())
	}
	return nil
}

// ServeHTTP serves the routes under the prefix; other paths get 404.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.root.ServeHTTP(w, r)
}

// Prefix returns the path the routes are served under.
func (h *Handler) Prefix() string { return h.cfg.prefix }

func (h *Handler) routes() (http.Handler, error) {
	mux := http.NewServeMux()
	p := h.cfg.prefix
	handle := func(pattern string, f http.HandlerFunc) {
		method, path, _ := strings.Cut(pattern, " ")
		mux.Handle(method+" "+p+path, h.observed(pattern, h.oneAtATime(f)))
	}
	mux.Handle("GET "+p+busyScriptPath, http.HandlerFunc(serveBusyScript))
	// The step-up and logout routes read the session the middleware
	// verifies; the login routes work without one.
	session := func(pattern string, f http.HandlerFunc) {
		method, path, _ := strings.Cut(pattern, " ")
		mux.Handle(method+" "+p+path, h.observed(pattern, h.oneAtATime(h.mw.OptionalSession(f))))
	}

	handle("GET /login", h.getLogin)
	handle("POST /login", h.postLogin)
	handle("GET /login/check-email", h.getCheckEmail)
	handle("POST /oauth/start", h.postOAuthStart)
	handle("GET /callback", h.getCallback)
	// A signed-in member's GET /organizations is the switcher.
	session("GET /organizations", h.getOrganizations)
	handle("POST /organizations/select", h.postSelectOrganization)
	handle("POST /organizations/create", h.postCreateOrganization)
	h.methodRoutes(handle, session)
	// An organization's own login page and the starts of the methods its
	// policy allows; their redirects come back to GET /callback.
	handle("GET /o/{slug}", h.getOrganizationLogin)
	handle("GET /o/{slug}/email", h.getOrganizationEmail)
	handle("POST /o/{slug}/email", h.postOrganizationEmail)
	handle("POST /o/{slug}/oauth/start", h.postOrganizationOAuthStart)
	handle("POST /o/{slug}/sso/start", h.postSSOStart)
	handle("GET /mfa", h.getMFA)
	handle("POST /mfa/sms/send", h.factor(h.mfaState, methodSMS, h.sendSMS))
	handle("POST /mfa/sms/verify", h.factor(h.mfaState, methodSMS, h.verifySMS))
	handle("GET /mfa/totp/enroll", h.factor(h.mfaState, methodTOTP, h.getTOTPEnrollment))
	handle("POST /mfa/totp/enroll", h.factor(h.mfaState, methodTOTP, h.enrollTOTP))
	handle("POST /mfa/totp/verify", h.factor(h.mfaState, methodTOTP, h.verifyTOTP))
	handle("POST /mfa/recovery", h.factor(h.mfaState, methodRecovery, h.verifyRecovery))
	// Step-up runs the same factor steps, proven by the session instead of
	// an intermediate session. Only a member without a second factor may
	// enroll one here, unless WithStepUpEnrollment(false) (see stepUpFlow).
	session("GET /step-up", h.getStepUp)
	session("POST /step-up/sms/send", h.factor(h.stepUpState, methodSMS, h.sendSMS))
	session("POST /step-up/sms/verify", h.factor(h.stepUpState, methodSMS, h.verifySMS))
	session("GET /step-up/totp/enroll", h.factor(h.stepUpState, methodTOTP, h.getTOTPEnrollment))
	session("POST /step-up/totp/enroll", h.factor(h.stepUpState, methodTOTP, h.enrollTOTP))
	session("POST /step-up/totp/verify", h.factor(h.stepUpState, methodTOTP, h.verifyTOTP))
	// A logout does not wait for the turn of its browser's flow (see
	// oneAtATime): it touches no flow state, and a logout waiting behind
	// a step in flight whose browser went away must still end the session.
	mux.Handle("POST "+p+"/logout", h.observed("POST /logout", h.mw.OptionalSession(http.HandlerFunc(h.postLogout))))

	// Every POST changes state: refuse cross-origin ones (Fetch metadata,
	// then Origin against Host, then Referer). The public URL's origin is
	// trusted for deployments behind a proxy that rewrites Host.
	cop := http.NewCrossOriginProtection()
	origin := h.cfg.publicURL.Scheme + "://" + h.cfg.publicURL.Host
	if err := cop.AddTrustedOrigin(origin); err != nil {
		return nil, fmt.Errorf("b2bauth: flows: public URL origin: %w", err)
	}
	deny := h.observed("cross_origin", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.fail(w, r, nil, ErrCrossOrigin)
	}))
	cop.SetDenyHandler(deny)
	return cop.Handler(h.refererCheck(mux, deny)), nil
}

// refererCheck refuses, with deny, a state-changing request that carries
// neither Sec-Fetch-Site nor Origin, which [http.CrossOriginProtection]
// lets through, when its Referer names another origin: such a request
// comes from a page of another site, in a browser too old to send the
// other headers or with them stripped on the way. A request without any
// of the three (not a browser's) goes on.
func (h *Handler) refererCheck(next, deny http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
		default:
			ref := r.Header.Get("Referer")
			if r.Header.Get("Sec-Fetch-Site") == "" && r.Header.Get("Origin") == "" &&
				ref != "" && !h.sameOrigin(r, ref) {
				deny.ServeHTTP(w, r)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// sameOrigin reports whether the URL ref names the origin of r: its Host,
// as [http.CrossOriginProtection] compares Origin, or the public URL's
// origin.
func (h *Handler) sameOrigin(r *http.Request, ref string) bool {
	u, err := url.Parse(ref)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return false
	}
	return u.Host == r.Host ||
		u.Scheme == h.cfg.publicURL.Scheme && strings.EqualFold(u.Host, h.cfg.publicURL.Host)
}

// guardFailed logs an error of the guard's store that the step goes on
// without: a record the store could not write after Stytch answered.
func (h *Handler) guardFailed(r *http.Request, err error) {
	if err != nil {
		h.cfg.logger.WarnContext(r.Context(), "b2bauth: flows: guard store failed", "path", r.URL.Path, "error", err)
	}
}

// input returns the request's fields: from a JSON object body (string
// values) or a form. Query parameters are not read for POSTs.
func input(w http.ResponseWriter, r *http.Request) (url.Values, error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxBodyBytes)
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "application/json" {
		var m map[string]string
		dec := json.NewDecoder(r.Body)
		if err := dec.Decode(&m); err != nil && !errors.Is(err, io.EOF) {
			return nil, ErrInvalidInput.with(err).withMessage("The request body is not a JSON object of strings.")
		}
		v := url.Values{}
		for k, s := range m {
			v.Set(k, s)
		}
		return v, nil
	}
	if err := r.ParseForm(); err != nil {
		return nil, ErrInvalidInput.with(err).withMessage("The form could not be read.")
	}
	return r.PostForm, nil
}

// maxReturnPathSize bounds a requested return path, counted as the flow
// cookie stores it (in JSON, where '<', '>' and '&' take 6 bytes each): a
// flow holding the longest one still fits its cookie at every step, with
// the longest email address and Stytch's ids and tokens as they are (see
// flowCookie.encode for larger ones).
const maxReturnPathSize = 1024

// errReturnPathTooLong refuses a return path over maxReturnPathSize.
var errReturnPathTooLong = ErrInvalidInput.withMessage(
	"The address to return to after sign-in is too long. Start again from the page you wanted.")

// returnPath validates a requested return path before anything is sent or
// stored: one longer than maxReturnPathSize is refused with
// errReturnPathTooLong, as it would not fit the flow cookie; an unsafe one
// becomes "" (the after-login path).
func returnPath(p string) (string, error) {
	if len(p) > maxReturnPathSize {
		return "", errReturnPathTooLong
	}
	if !middleware.IsSafeReturnPath(p) {
		return "", nil
	}
	if b, _ := json.Marshal(p); len(b)-2 > maxReturnPathSize {
		return "", errReturnPathTooLong
	}
	return p, nil
}

// destination is where a finished flow leads.
func (h *Handler) destination(st *flowState) string {
	if st != nil && middleware.IsSafeReturnPath(st.ReturnTo) {
		return st.ReturnTo
	}
	return h.cfg.afterLogin
}

func returnQuery(p string) string {
	if p == "" {
		return ""
	}
	return "?return_to=" + url.QueryEscape(p)
}
