package emulator

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"maps"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// m2mTokenLifetime is how long an M2M access token is valid, as with Stytch.
const m2mTokenLifetime = time.Hour

// minM2MSecretLength is the shortest client secret a client may bring.
const minM2MSecretLength = 8

const (
	m2mStatusActive   = "active"
	m2mStatusInactive = "inactive"

	errM2MClientNotFound = "m2m_client_not_found"
	errM2MNoRotation     = "m2m_client_secret_rotation_not_started"
)

// M2MClientSeed describes a machine-to-machine client to create with
// [Server.AddM2MClient] or in a [Seed].
type M2MClientSeed struct {
	// ID fixes the client id; default a new "m2m-client-test-<uuid>".
	ID string `json:"client_id,omitempty"`
	// Secret fixes the client secret (at least 8 characters); default a new
	// random one, returned by [Server.AddM2MClient]. Only its hash is kept.
	Secret string `json:"client_secret,omitempty"`
	Name   string `json:"client_name,omitempty"`
	// Description is a human-readable description.
	Description string `json:"client_description,omitempty"`
	// Scopes are the scopes the client may be granted, e.g. "read:users"; a
	// scope may not contain spaces.
	Scopes []string `json:"scopes,omitempty"`
	// Status is "active" (default) or "inactive": an inactive client gets
	// no tokens.
	Status          string         `json:"status,omitempty"`
	TrustedMetadata map[string]any `json:"trusted_metadata,omitempty"`
	// CustomClaims are added at the top level of every access token of the
	// client, as Stytch's JWT templates do. They cannot replace the
	// registered claims or scope.
	CustomClaims map[string]any `json:"custom_claims,omitempty"`
}

// m2mClient is a stored M2M client; secrets are kept as SHA-256 hashes.
type m2mClient struct {
	id, name, description, status string
	scopes                        []string
	trustedMetadata, customClaims map[string]any
	secretHash                    [sha256.Size]byte
	secretLastFour                string
	next                          *[sha256.Size]byte // a rotation in progress
	nextLastFour                  string
	created                       time.Time
}

func hashSecret(secret string) [sha256.Size]byte { return sha256.Sum256([]byte(secret)) }

func lastFour(secret string) string { return secret[len(secret)-4:] }

// secretMatches compares in constant time with the current secret and, during
// a rotation, the next one.
func (c *m2mClient) secretMatches(secret string) bool {
	h := hashSecret(secret)
	ok := subtle.ConstantTimeCompare(h[:], c.secretHash[:])
	if c.next != nil {
		ok |= subtle.ConstantTimeCompare(h[:], c.next[:])
	}
	return ok == 1
}

// validScope accepts what can travel in a space-separated scope claim.
func validScope(scope string) bool {
	return scope != "" && !strings.ContainsFunc(scope, func(r rune) bool { return r <= ' ' || r == 0x7f })
}

// AddM2MClient creates an M2M client and returns its id and secret.
func (s *Server) AddM2MClient(seed M2MClientSeed) (clientID, secret string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, secret, err := s.newM2MClientLocked(seed)
	if err != nil {
		return "", "", fmt.Errorf("b2bauth: emulator: add m2m client %q: %w", seed.Name, err)
	}
	return c.id, secret, nil
}

// newM2MClientLocked validates and stores a client; s.mu must be held. The
// error is an *apiError.
func (s *Server) newM2MClientLocked(seed M2MClientSeed) (*m2mClient, string, error) {
	id := seed.ID
	if id == "" {
		id = newID("m2m-client")
	}
	if _, taken := s.m2mClients[id]; taken {
		return nil, "", badRequest("client_id %q already used", id)
	}
	secret := seed.Secret
	if secret == "" {
		secret = newToken()
	}
	if len(secret) < minM2MSecretLength {
		return nil, "", badRequest("client_secret must be at least %d characters", minM2MSecretLength).withDetail("field", "client_secret")
	}
	status := seed.Status
	if status == "" {
		status = m2mStatusActive
	}
	if status != m2mStatusActive && status != m2mStatusInactive {
		return nil, "", badRequest("invalid status %q", status)
	}
	for _, sc := range seed.Scopes {
		if !validScope(sc) {
			return nil, "", badRequest("invalid scope %q", sc).withDetail("field", "scopes")
		}
	}
	for k := range seed.CustomClaims {
		if reservedM2MClaim(k) {
			return nil, "", badRequest("custom claim %q is reserved", k)
		}
	}
	c := &m2mClient{
		id:              id,
		name:            seed.Name,
		description:     seed.Description,
		status:          status,
		scopes:          slices.Clone(seed.Scopes),
		trustedMetadata: maps.Clone(seed.TrustedMetadata),
		customClaims:    maps.Clone(seed.CustomClaims),
		secretHash:      hashSecret(secret),
		secretLastFour:  lastFour(secret),
		created:         s.cfg.clock(),
	}
	s.m2mClients[id] = c
	s.m2mOrder = append(s.m2mOrder, id)
	return c, secret, nil
}

func reservedM2MClaim(k string) bool {
	switch k {
	case "iss", "sub", "aud", "exp", "nbf", "iat", "jti", "scope":
		return true
	}
	return strings.HasPrefix(k, "https://stytch.com/")
}

// M2MToken issues an access token as the token endpoint does for a client
// asking for scopes (all of the client's when none are given), skipping the
// secret: tests use it to get a token in one line.
func (s *Server) M2MToken(clientID string, scopes ...string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.m2mClients[clientID]
	if c == nil {
		return "", fmt.Errorf("b2bauth: emulator: unknown m2m client %q", clientID)
	}
	granted, oerr := c.grant(scopes)
	if oerr != nil {
		return "", fmt.Errorf("b2bauth: emulator: %s: %s", oerr.code, oerr.description)
	}
	return s.m2mTokenLocked(s.cfg.clock(), c, granted)
}

// grant narrows the client's scopes to the requested ones: each requested
// scope must be one of the client's, spelled the same.
func (c *m2mClient) grant(requested []string) ([]string, *oauthError) {
	if len(requested) == 0 {
		return slices.Clone(c.scopes), nil
	}
	var granted []string
	for _, sc := range requested {
		if !slices.Contains(c.scopes, sc) {
			return nil, &oauthError{status: http.StatusBadRequest, code: "invalid_scope",
				description: fmt.Sprintf("scope %q is not assigned to the client", sc)}
		}
		if !slices.Contains(granted, sc) {
			granted = append(granted, sc)
		}
	}
	return granted, nil
}

// m2mTokenLocked mints an access token: the client's custom claims, then
// Stytch's standard claims.
func (s *Server) m2mTokenLocked(now time.Time, c *m2mClient, scopes []string) (string, error) {
	claims := maps.Clone(c.customClaims)
	if claims == nil {
		claims = map[string]any{}
	}
	claims["iss"] = s.issuer()
	claims["aud"] = []string{s.cfg.projectID}
	claims["sub"] = c.id
	claims["scope"] = strings.Join(scopes, " ")
	claims["iat"] = now.Unix()
	claims["nbf"] = now.Unix()
	claims["exp"] = now.Add(m2mTokenLifetime).Unix()
	return s.signLocked(claims, nil)
}

// oauthError is an answer of the token endpoint, in OAuth 2.0's error shape
// (RFC 6749 section 5.2) plus Stytch's status_code and request_id.
type oauthError struct {
	status      int
	code        string
	description string
}

type wireOAuthError struct {
	StatusCode       int    `json:"status_code"`
	RequestID        string `json:"request_id"`
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
	ErrorURI         string `json:"error_uri"`
}

func (s *Server) writeOAuthError(w http.ResponseWriter, e *oauthError) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	if e.status == http.StatusUnauthorized {
		h.Set("WWW-Authenticate", `Basic realm="stytch"`)
	}
	w.WriteHeader(e.status)
	_ = json.NewEncoder(w).Encode(wireOAuthError{
		StatusCode:       e.status,
		RequestID:        newRequestID(),
		Error:            e.code,
		ErrorDescription: e.description,
		ErrorURI:         "https://datatracker.ietf.org/doc/html/rfc6749#section-5.2",
	})
}

func invalidRequest(format string, args ...any) *oauthError {
	return &oauthError{status: http.StatusBadRequest, code: "invalid_request", description: fmt.Sprintf(format, args...)}
}

var errInvalidClient = &oauthError{status: http.StatusUnauthorized, code: "invalid_client",
	description: "client authentication failed: unknown client, wrong secret or inactive client"}

type tokenRequest struct {
	GrantType    string `json:"grant_type"`
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
	Scope        string `json:"scope"`
}

// readTokenRequest reads a form-encoded or JSON body; basic auth, when sent,
// carries the client credentials.
func readTokenRequest(w http.ResponseWriter, r *http.Request) (tokenRequest, *oauthError) {
	var req tokenRequest
	r.Body = http.MaxBytesReader(w, r.Body, maxBodyBytes)
	mediaType, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mediaType {
	case "application/json":
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			return req, invalidRequest("request body is not a valid JSON object")
		}
	case "application/x-www-form-urlencoded":
		if err := r.ParseForm(); err != nil {
			return req, invalidRequest("request body is not a valid form")
		}
		req = tokenRequest{GrantType: r.PostForm.Get("grant_type"), ClientID: r.PostForm.Get("client_id"),
			ClientSecret: r.PostForm.Get("client_secret"), Scope: r.PostForm.Get("scope")}
	default:
		return req, invalidRequest("content type must be application/x-www-form-urlencoded or application/json")
	}
	if user, pass, ok := r.BasicAuth(); ok {
		if req.ClientID != "" && req.ClientID != user || req.ClientSecret != "" {
			return req, invalidRequest("client credentials must be sent once: in the body or in basic auth")
		}
		req.ClientID, req.ClientSecret = user, pass
	}
	return req, nil
}

type m2mTokenResponse struct {
	envelope
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
}

// handleM2MToken is the public client credentials endpoint: the client
// authenticates with its own id and secret, not the project's.
func (s *Server) handleM2MToken(w http.ResponseWriter, r *http.Request) {
	if r.PathValue("project_id") != s.cfg.projectID {
		s.writeOAuthError(w, &oauthError{status: http.StatusNotFound, code: "invalid_request",
			description: "unknown project " + strconv.Quote(r.PathValue("project_id"))})
		return
	}
	req, oerr := readTokenRequest(w, r)
	switch {
	case oerr != nil:
	case req.GrantType == "":
		oerr = invalidRequest("grant_type is required")
	case req.GrantType != "client_credentials":
		oerr = &oauthError{status: http.StatusBadRequest, code: "unsupported_grant_type",
			description: "only client_credentials is supported"}
	case req.ClientID == "" || req.ClientSecret == "":
		oerr = invalidRequest("client_id and client_secret are required")
	}
	if oerr != nil {
		s.writeOAuthError(w, oerr)
		return
	}
	s.mu.Lock()
	token, oerr, err := s.issueM2MTokenLocked(req)
	s.mu.Unlock()
	if err != nil {
		s.log.Error("emulator: internal error", "path", r.URL.Path, "err", err)
		s.writeOAuthError(w, &oauthError{status: http.StatusInternalServerError, code: "server_error", description: "internal error"})
		return
	}
	if oerr != nil {
		s.writeOAuthError(w, oerr)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	s.writeJSON(w, &m2mTokenResponse{AccessToken: token, TokenType: "bearer", ExpiresIn: int(m2mTokenLifetime / time.Second)})
}

func (s *Server) issueM2MTokenLocked(req tokenRequest) (string, *oauthError, error) {
	c := s.m2mClients[req.ClientID]
	if c == nil {
		// Spend the same hashing and comparison as for a known client.
		(&m2mClient{}).secretMatches(req.ClientSecret)
		return "", errInvalidClient, nil
	}
	if !c.secretMatches(req.ClientSecret) || c.status != m2mStatusActive {
		return "", errInvalidClient, nil
	}
	granted, oerr := c.grant(strings.Fields(req.Scope))
	if oerr != nil {
		return "", oerr, nil
	}
	token, err := s.m2mTokenLocked(s.cfg.clock(), c, granted)
	return token, nil, err
}

// wireM2MClient is Stytch's M2M client object; ClientSecret and
// NextClientSecret are only set in the one answer that reveals them.
type wireM2MClient struct {
	ClientID                 string         `json:"client_id"`
	ClientSecret             string         `json:"client_secret,omitempty"`
	NextClientSecret         string         `json:"next_client_secret,omitempty"`
	ClientName               string         `json:"client_name"`
	ClientDescription        string         `json:"client_description"`
	Status                   string         `json:"status"`
	Scopes                   []string       `json:"scopes"`
	ClientSecretLastFour     string         `json:"client_secret_last_four"`
	NextClientSecretLastFour *string        `json:"next_client_secret_last_four"`
	TrustedMetadata          map[string]any `json:"trusted_metadata"`
}

func renderM2MClient(c *m2mClient) wireM2MClient {
	w := wireM2MClient{
		ClientID:             c.id,
		ClientName:           c.name,
		ClientDescription:    c.description,
		Status:               c.status,
		Scopes:               nonNil(c.scopes),
		ClientSecretLastFour: c.secretLastFour,
		TrustedMetadata:      nonNilMap(c.trustedMetadata),
	}
	if c.next != nil {
		next := c.nextLastFour
		w.NextClientSecretLastFour = &next
	}
	return w
}

type m2mClientResponse struct {
	envelope
	M2MClient wireM2MClient `json:"m2m_client"`
	created   bool
}

// httpStatus answers 201 for a creation, as Stytch does.
func (r *m2mClientResponse) httpStatus() int {
	if r.created {
		return http.StatusCreated
	}
	return http.StatusOK
}

type m2mClientCreateRequest struct {
	ClientID          string         `json:"client_id"`
	ClientSecret      string         `json:"client_secret"`
	ClientName        string         `json:"client_name"`
	ClientDescription string         `json:"client_description"`
	Scopes            []string       `json:"scopes"`
	TrustedMetadata   map[string]any `json:"trusted_metadata"`
}

func (s *Server) handleM2MClientCreate(r *http.Request) (response, error) {
	var req m2mClientCreateRequest
	if err := decode(r, &req); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, secret, err := s.newM2MClientLocked(M2MClientSeed{ID: req.ClientID, Secret: req.ClientSecret, Name: req.ClientName,
		Description: req.ClientDescription, Scopes: req.Scopes, TrustedMetadata: req.TrustedMetadata})
	if err != nil {
		return nil, err
	}
	res := &m2mClientResponse{M2MClient: renderM2MClient(c), created: true}
	res.M2MClient.ClientSecret = secret
	return res, nil
}

func (s *Server) lookupM2MClientLocked(id string) (*m2mClient, error) {
	if c := s.m2mClients[id]; c != nil {
		return c, nil
	}
	return nil, notFound(errM2MClientNotFound, "m2m client not found")
}

func (s *Server) handleM2MClientGet(r *http.Request) (response, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.lookupM2MClientLocked(r.PathValue("client_id"))
	if err != nil {
		return nil, err
	}
	return &m2mClientResponse{M2MClient: renderM2MClient(c)}, nil
}

type m2mClientUpdateRequest struct {
	ClientName        *string        `json:"client_name"`
	ClientDescription *string        `json:"client_description"`
	Status            string         `json:"status"`
	Scopes            []string       `json:"scopes"`
	TrustedMetadata   map[string]any `json:"trusted_metadata"`
}

func (s *Server) handleM2MClientUpdate(r *http.Request) (response, error) {
	var req m2mClientUpdateRequest
	if err := decode(r, &req); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.lookupM2MClientLocked(r.PathValue("client_id"))
	if err != nil {
		return nil, err
	}
	if req.Status != "" && req.Status != m2mStatusActive && req.Status != m2mStatusInactive {
		return nil, badRequest("invalid status %q", req.Status).withDetail("field", "status")
	}
	for _, sc := range req.Scopes {
		if !validScope(sc) {
			return nil, badRequest("invalid scope %q", sc).withDetail("field", "scopes")
		}
	}
	if req.ClientName != nil {
		c.name = *req.ClientName
	}
	if req.ClientDescription != nil {
		c.description = *req.ClientDescription
	}
	if req.Status != "" {
		c.status = req.Status
	}
	if req.Scopes != nil {
		c.scopes = slices.Clone(req.Scopes)
	}
	if req.TrustedMetadata != nil {
		c.trustedMetadata = maps.Clone(req.TrustedMetadata)
	}
	return &m2mClientResponse{M2MClient: renderM2MClient(c)}, nil
}

type m2mClientDeleteResponse struct {
	envelope
	ClientID string `json:"client_id"`
}

func (s *Server) handleM2MClientDelete(r *http.Request) (response, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.lookupM2MClientLocked(r.PathValue("client_id"))
	if err != nil {
		return nil, err
	}
	delete(s.m2mClients, c.id)
	s.m2mOrder = slices.DeleteFunc(s.m2mOrder, func(id string) bool { return id == c.id })
	return &m2mClientDeleteResponse{ClientID: c.id}, nil
}

type m2mSearchRequest struct {
	Cursor string `json:"cursor"`
	Limit  int    `json:"limit"`
	Query  *struct {
		Operator string `json:"operator"`
		Operands []struct {
			FilterName  string          `json:"filter_name"`
			FilterValue json.RawMessage `json:"filter_value"`
		} `json:"operands"`
	} `json:"query"`
}

type m2mSearchResponse struct {
	envelope
	M2MClients      []wireM2MClient `json:"m2m_clients"`
	ResultsMetadata struct {
		Total      int     `json:"total"`
		NextCursor *string `json:"next_cursor"`
	} `json:"results_metadata"`
}

// handleM2MClientSearch filters on client_id (a list), client_name and
// scopes (a list: a client matches holding any of them), joined by AND or
// OR; results come in creation order, limit (default 100, at most 1000) at
// a time, the cursor being the index of the next one.
func (s *Server) handleM2MClientSearch(r *http.Request) (response, error) {
	var req m2mSearchRequest
	if err := decode(r, &req); err != nil {
		return nil, err
	}
	limit := req.Limit
	switch {
	case limit == 0:
		limit = 100
	case limit < 0 || limit > 1000:
		return nil, badRequest("limit must be 1..1000").withDetail("field", "limit")
	}
	start := 0
	if req.Cursor != "" {
		n, err := strconv.Atoi(req.Cursor)
		if err != nil || n < 0 {
			return nil, badRequest("invalid cursor").withDetail("field", "cursor")
		}
		start = n
	}
	var filters []func(*m2mClient) bool
	and := true
	if q := req.Query; q != nil {
		switch strings.ToUpper(q.Operator) {
		case "AND":
		case "OR":
			and = false
		default:
			return nil, badRequest("query operator must be AND or OR").withDetail("field", "operator")
		}
		for _, op := range q.Operands {
			f, err := m2mFilter(op.FilterName, op.FilterValue)
			if err != nil {
				return nil, err
			}
			filters = append(filters, f)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var matched []*m2mClient
	for _, id := range s.m2mOrder {
		c := s.m2mClients[id]
		if len(filters) == 0 {
			matched = append(matched, c)
			continue
		}
		hit := and
		for _, f := range filters {
			if and {
				hit = hit && f(c)
			} else {
				hit = hit || f(c)
			}
		}
		if hit {
			matched = append(matched, c)
		}
	}
	res := &m2mSearchResponse{M2MClients: []wireM2MClient{}}
	res.ResultsMetadata.Total = len(matched)
	for i := start; i < len(matched) && i < start+limit; i++ {
		res.M2MClients = append(res.M2MClients, renderM2MClient(matched[i]))
	}
	if start+limit < len(matched) {
		next := strconv.Itoa(start + limit)
		res.ResultsMetadata.NextCursor = &next
	}
	return res, nil
}

func m2mFilter(name string, raw json.RawMessage) (func(*m2mClient) bool, error) {
	switch name {
	case "client_id", "scopes":
		var values []string
		if err := json.Unmarshal(raw, &values); err != nil {
			return nil, badRequest("filter %s takes a list of strings", name).withDetail("field", "filter_value")
		}
		if name == "client_id" {
			return func(c *m2mClient) bool { return slices.Contains(values, c.id) }, nil
		}
		return func(c *m2mClient) bool {
			return slices.ContainsFunc(values, func(v string) bool { return slices.Contains(c.scopes, v) })
		}, nil
	case "client_name":
		var value string
		if err := json.Unmarshal(raw, &value); err != nil {
			return nil, badRequest("filter client_name takes a string").withDetail("field", "filter_value")
		}
		return func(c *m2mClient) bool { return c.name == value }, nil
	}
	return nil, badRequest("unknown filter_name %q", name).withDetail("field", "filter_name")
}

// handleM2MSecretRotateStart makes a next secret valid beside the current
// one and reveals it once.
func (s *Server) handleM2MSecretRotateStart(r *http.Request) (response, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.lookupM2MClientLocked(r.PathValue("client_id"))
	if err != nil {
		return nil, err
	}
	next := newToken()
	h := hashSecret(next)
	c.next, c.nextLastFour = &h, lastFour(next)
	res := &m2mClientResponse{M2MClient: renderM2MClient(c)}
	res.M2MClient.NextClientSecret = next
	return res, nil
}

// handleM2MSecretRotate makes the next secret the only one; cancel drops it.
func (s *Server) handleM2MSecretRotate(cancel bool) apiHandler {
	return func(r *http.Request) (response, error) {
		s.mu.Lock()
		defer s.mu.Unlock()
		c, err := s.lookupM2MClientLocked(r.PathValue("client_id"))
		if err != nil {
			return nil, err
		}
		if c.next == nil {
			return nil, invalid(errM2MNoRotation, "no secret rotation was started for this client")
		}
		if !cancel {
			c.secretHash, c.secretLastFour = *c.next, c.nextLastFour
		}
		c.next, c.nextLastFour = nil, ""
		return &m2mClientResponse{M2MClient: renderM2MClient(c)}, nil
	}
}

// m2mRoutes registers the token endpoint and the M2M clients API.
func (s *Server) m2mRoutes() {
	s.mux.HandleFunc("POST /v1/public/{project_id}/oauth2/token", s.handleM2MToken)
	for pattern, h := range map[string]apiHandler{
		"POST /v1/m2m/clients":                                   s.handleM2MClientCreate,
		"GET /v1/m2m/clients/{client_id}":                        s.handleM2MClientGet,
		"PUT /v1/m2m/clients/{client_id}":                        s.handleM2MClientUpdate,
		"DELETE /v1/m2m/clients/{client_id}":                     s.handleM2MClientDelete,
		"POST /v1/m2m/clients/search":                            s.handleM2MClientSearch,
		"POST /v1/m2m/clients/{client_id}/secrets/rotate/start":  s.handleM2MSecretRotateStart,
		"POST /v1/m2m/clients/{client_id}/secrets/rotate/cancel": s.handleM2MSecretRotate(true),
		"POST /v1/m2m/clients/{client_id}/secrets/rotate":        s.handleM2MSecretRotate(false),
	} {
		s.mux.Handle(pattern, s.api(h))
	}
}
