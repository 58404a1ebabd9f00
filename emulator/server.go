package emulator

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// maxBodyBytes bounds request bodies; larger ones are answered 400.
const maxBodyBytes = 1 << 20

// Server is an in-memory Stytch B2B API listening on a local port. All its
// methods are safe for concurrent use.
type Server struct {
	cfg     config
	log     *slog.Logger
	mux     *http.ServeMux
	outboxT *template.Template

	httpSrv   *http.Server
	url       string
	done      chan struct{}
	closing   chan struct{} // closed by Close: ends fault latencies at once
	closeOnce sync.Once

	mu         sync.Mutex // guards the state below
	keys       []*signingKey
	orgs       map[string]*organization
	orgOrder   []string
	members    map[string]*member
	sessions   map[string]*session
	tokens     map[string]*session
	ists       map[string]*intermediateSession
	links      map[string]*magicLink
	oauth      map[string]*oauthToken
	migrations map[string]string
	otps       map[string]*otpCode
	emailOTPs  map[string]*sentCode      // by emailOTPKey; made on first use
	resets     map[string]*passwordReset // by token; made on first use
	policy     projectPolicy
	outbox     []Message
	org        orgLoginState
	m2mClients map[string]*m2mClient
	m2mOrder   []string // client ids in creation order

	ctl    sync.Mutex // guards faults and calls
	faults map[string]Fault
	calls  map[string]int
}

// New starts an emulator listening on the configured address (default a
// random port of 127.0.0.1). Stop it with [Server.Close].
func New(opts ...Option) (*Server, error) {
	s, err := newServer(opts...)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", s.cfg.addr)
	if err != nil {
		return nil, fmt.Errorf("b2bauth: emulator: listen on %s: %w", s.cfg.addr, err)
	}
	s.url = "http://" + reachableAddr(ln.Addr())
	s.httpSrv = &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelDebug),
	}
	go func() {
		defer close(s.done)
		_ = s.httpSrv.Serve(ln)
	}()
	return s, nil
}

// newServer builds the state without listening.
func newServer(opts ...Option) (*Server, error) {
	cfg := defaultConfig()
	for _, o := range opts {
		if o == nil {
			return nil, errors.New("b2bauth: emulator: nil option")
		}
		o.apply(&cfg)
	}
	if cfg.projectID == "" || strings.ContainsAny(cfg.projectID, "/:?#") {
		return nil, fmt.Errorf("b2bauth: emulator: invalid project id %q", cfg.projectID)
	}
	if cfg.secret == "" {
		return nil, errors.New("b2bauth: emulator: empty secret")
	}
	if cfg.clock == nil || cfg.logger == nil {
		return nil, errors.New("b2bauth: emulator: nil clock or logger")
	}
	s := &Server{
		cfg:        cfg,
		log:        cfg.logger,
		done:       make(chan struct{}),
		closing:    make(chan struct{}),
		orgs:       map[string]*organization{},
		members:    map[string]*member{},
		sessions:   map[string]*session{},
		tokens:     map[string]*session{},
		ists:       map[string]*intermediateSession{},
		links:      map[string]*magicLink{},
		oauth:      map[string]*oauthToken{},
		migrations: map[string]string{},
		otps:       map[string]*otpCode{},
		m2mClients: map[string]*m2mClient{},
		policy:     defaultPolicy(),
		faults:     map[string]Fault{},
		calls:      map[string]int{},
	}
	var err error
	if cfg.keyFile != "" {
		s.keys, err = loadKeys(cfg.keyFile)
	} else {
		var k *signingKey
		k, err = newSigningKey()
		s.keys = []*signingKey{k}
	}
	if err != nil {
		return nil, err
	}
	if s.outboxT, err = template.New("outbox").Parse(outboxHTML); err != nil {
		return nil, fmt.Errorf("b2bauth: emulator: outbox template: %w", err)
	}
	s.routes()
	if cfg.seed != nil {
		if err := s.ApplySeed(*cfg.seed); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// reachableAddr turns a wildcard listen address into one a client can dial.
func reachableAddr(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}

// URL is the base URL of the server, e.g. "http://127.0.0.1:40123".
func (s *Server) URL() string { return s.url }

// ProjectID is the project id clients authenticate as.
func (s *Server) ProjectID() string { return s.cfg.projectID }

// Secret is the project secret clients authenticate with.
func (s *Server) Secret() string { return s.cfg.secret }

// Handler serves the API in process, e.g. under httptest.NewServer or a
// client's custom transport; it shares the server's state.
func (s *Server) Handler() http.Handler { return s }

// Close stops the listener and waits until every connection has finished
// (at most a few seconds), so no goroutine of the server outlives it; it is
// safe to call more than once.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		close(s.closing)
		if s.httpSrv == nil {
			return
		}
		// Shutdown waits for connections still finishing an answer, such as
		// one lingering after an unread oversized body; Close cuts the rest.
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		if err := s.httpSrv.Shutdown(ctx); err != nil {
			_ = s.httpSrv.Close()
		}
		<-s.done
	})
}

// apiHandler answers one authenticated API call.
type apiHandler func(r *http.Request) (response, error)

func (s *Server) routes() {
	s.mux = http.NewServeMux()
	s.mux.HandleFunc("GET /v1/b2b/sessions/jwks/{project_id}", s.handleJWKS)
	s.mux.HandleFunc("GET /_emulator/outbox", s.handleOutbox)
	s.mux.HandleFunc("GET /v1/b2b/public/oauth/{provider}/discovery/start", s.handleOAuthDiscoveryStart)
	s.mux.HandleFunc("POST /_emulator/oauth/consent", s.handleOAuthConsent)
	s.mux.HandleFunc("GET /v1/b2b/public/oauth/{provider}/start", s.handleOAuthStart)
	s.mux.HandleFunc("POST /_emulator/oauth/organization/consent", s.handleOAuthOrgConsent)
	s.mux.HandleFunc("GET /v1/public/sso/start", s.handleSSOStart)
	s.mux.HandleFunc("POST /_emulator/sso/consent", s.handleSSOConsent)
	api := map[string]apiHandler{
		"GET /v1/b2b/sessions":                                     s.handleSessionsGet,
		"POST /v1/b2b/sessions/authenticate":                       s.handleSessionsAuthenticate,
		"POST /v1/b2b/sessions/revoke":                             s.handleSessionsRevoke,
		"POST /v1/b2b/sessions/exchange":                           s.handleSessionsExchange,
		"POST /v1/b2b/sessions/migrate":                            s.handleSessionsMigrate,
		"POST /v1/b2b/discovery/intermediate_sessions/exchange":    s.handleISTExchange,
		"POST /v1/b2b/discovery/organizations/create":              s.handleOrganizationCreate,
		"POST /v1/b2b/discovery/organizations":                     s.handleOrganizationsList,
		"POST /v1/b2b/magic_links/email/discovery/send":            s.handleMagicLinkSend,
		"POST /v1/b2b/magic_links/discovery/authenticate":          s.handleMagicLinkAuthenticate,
		"POST /v1/b2b/oauth/discovery/authenticate":                s.handleOAuthAuthenticate,
		"POST /v1/b2b/otps/sms/send":                               s.handleSMSSend,
		"POST /v1/b2b/otps/sms/authenticate":                       s.handleSMSAuthenticate,
		"POST /v1/b2b/totp":                                        s.handleTOTPCreate,
		"POST /v1/b2b/totp/authenticate":                           s.handleTOTPAuthenticate,
		"POST /v1/b2b/totp/migrate":                                s.handleTOTPMigrate,
		"POST /v1/b2b/recovery_codes/recover":                      s.handleRecover,
		"GET /v1/b2b/recovery_codes/{organization_id}/{member_id}": s.handleRecoveryCodesGet,
		"POST /v1/b2b/recovery_codes/rotate":                       s.handleRecoveryCodesRotate,
		"GET /v1/b2b/rbac/policy":                                  s.handlePolicy,
		"GET /v1/b2b/rbac/organizations/{organization_id}":         s.handleOrgPolicy,
		"GET /v1/b2b/organizations/{organization_id}":              s.handleOrganizationGet,
		"POST /v1/b2b/organizations/search":                        s.handleOrganizationSearch,
		"GET /v1/b2b/organizations/{organization_id}/member":       s.handleMemberGet,
		"POST /v1/b2b/organizations/members/search":                s.handleMemberSearch,
		"GET /v1/b2b/sso/{organization_id}":                        s.handleSSOConnections,
		"POST /v1/b2b/sso/authenticate":                            s.handleSSOAuthenticate,
		"POST /v1/b2b/magic_links/email/login_or_signup":           s.handleLoginOrSignup,
		"POST /v1/b2b/magic_links/email/invite":                    s.handleInvite,
		"POST /v1/b2b/magic_links/authenticate":                    s.handleOrgMagicLinkAuthenticate,
		"POST /v1/b2b/oauth/authenticate":                          s.handleOrgOAuthAuthenticate,
		"POST /v1/b2b/otps/email/discovery/send":                   s.handleEmailOTPDiscoverySend,
		"POST /v1/b2b/otps/email/discovery/authenticate":           s.handleEmailOTPDiscoveryAuthenticate,
		"POST /v1/b2b/otps/email/login_or_signup":                  s.handleEmailOTPLoginOrSignup,
		"POST /v1/b2b/otps/email/authenticate":                     s.handleEmailOTPAuthenticate,
		"POST /v1/b2b/passwords/authenticate":                      s.handlePasswordAuthenticate,
		"POST /v1/b2b/passwords/discovery/authenticate":            s.handlePasswordDiscoveryAuthenticate,
		"POST /v1/b2b/passwords/strength_check":                    s.handlePasswordStrengthCheck,
		"POST /v1/b2b/passwords/email/reset/start":                 s.handlePasswordResetStart,
		"POST /v1/b2b/passwords/email/reset":                       s.handlePasswordReset,
		"POST /v1/b2b/passwords/email/require_reset":               s.handleRequireReset,
		"POST /v1/b2b/passwords/existing_password/reset":           s.handleExistingPasswordReset,
	}
	for pattern, h := range api {
		s.mux.Handle(pattern, s.api(h))
	}
	s.m2mRoutes()
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, notFound(errNotFound, fmt.Sprintf("no route for %s %s", r.Method, r.URL.Path)))
	})
}

// ServeHTTP counts the call, applies faults, then routes it. A panic in a
// handler is answered 500 in the error shape.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.log.Error("emulator: handler panic", "method", r.Method, "path", r.URL.Path, "panic", fmt.Sprint(v))
			s.writeError(w, &apiError{status: http.StatusInternalServerError, typ: errInternalServerError, message: "internal error"})
		}
	}()
	s.count(r)
	if !strings.HasPrefix(r.URL.Path, "/_emulator/") && s.applyFault(w, r) {
		return
	}
	s.mux.ServeHTTP(w, r)
}

// api checks basic auth, bounds the body and writes the handler's answer.
func (s *Server) api(h apiHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.authorized(r) {
			s.writeError(w, unauthenticated(errUnauthorizedCredentials,
				"unauthorized credentials: use HTTP basic auth with the project id and secret"))
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxBodyBytes)
		res, err := h(r)
		if err != nil {
			var apiErr *apiError
			if !errors.As(err, &apiErr) {
				s.log.Error("emulator: internal error", "path", r.URL.Path, "err", err)
				apiErr = &apiError{status: http.StatusInternalServerError, typ: errInternalServerError, message: "internal error"}
			}
			s.writeError(w, apiErr)
			return
		}
		s.writeJSON(w, res)
	})
}

func (s *Server) authorized(r *http.Request) bool {
	user, pass, ok := r.BasicAuth()
	userOK := subtle.ConstantTimeCompare([]byte(user), []byte(s.cfg.projectID)) == 1
	passOK := subtle.ConstantTimeCompare([]byte(pass), []byte(s.cfg.secret)) == 1
	return ok && userOK && passOK
}

func newRequestID() string { return newID("request-id") }

func (s *Server) writeJSON(w http.ResponseWriter, res response) {
	status := http.StatusOK
	if c, ok := res.(interface{ httpStatus() int }); ok {
		status = c.httpStatus()
	}
	res.stamp(newRequestID(), status)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if err := json.NewEncoder(w).Encode(res); err != nil {
		s.log.Debug("emulator: write response", "err", err)
	}
}

func (s *Server) writeError(w http.ResponseWriter, e *apiError) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(e.status)
	if err := json.NewEncoder(w).Encode(e.wire(newRequestID())); err != nil {
		s.log.Debug("emulator: write error", "err", err)
	}
}

// decode reads one JSON object from the body into v.
func decode(r *http.Request, v any) error {
	dec := json.NewDecoder(r.Body)
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		switch {
		case errors.As(err, &tooBig):
			return badRequest("request body larger than %d bytes", maxBodyBytes)
		case errors.Is(err, io.EOF):
			return badRequest("request body is empty; a JSON object is required")
		default:
			return badRequest("request body is not valid JSON: %v", err)
		}
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return badRequest("request body has data after the JSON object")
	}
	return nil
}
