package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// maxResponseBytes bounds every response body read from Stytch.
const maxResponseBytes = 1 << 20

// maxGetAttempts bounds the attempts of an idempotent GET.
const maxGetAttempts = 3

// Client is a Stytch B2B API client. Create it with [New]; it is safe for
// concurrent use by multiple goroutines and holds no background goroutines.
type Client struct {
	projectID  string
	secret     string
	baseURL    string
	httpClient *http.Client
	timeout    time.Duration
	userAgent  string
	logger     *slog.Logger
	observer   Observer // nil: none
	// backoff returns the wait before retry number n (1-based); tests shorten it.
	backoff func(n int) time.Duration

	// Sessions authenticates, lists, exchanges, migrates and revokes member sessions.
	Sessions *SessionsService
	// Discovery exchanges intermediate session tokens and creates or lists organizations.
	Discovery *DiscoveryService
	// MagicLinks sends and authenticates email magic links: discovery,
	// organization login or sign-up, and invites.
	MagicLinks *MagicLinksService
	// OAuth authenticates discovery and organization OAuth tokens.
	OAuth *OAuthService
	// OTPs sends and authenticates SMS and email one-time passcodes.
	OTPs *OTPsService
	// TOTPs creates, authenticates and migrates TOTP registrations.
	TOTPs *TOTPsService
	// RecoveryCodes recovers with, lists and rotates TOTP recovery codes.
	RecoveryCodes *RecoveryCodesService
	// RBAC reads the project's and an organization's RBAC policy.
	RBAC *RBACService
	// Organizations reads organizations and their members.
	Organizations *OrganizationsService
	// SSO lists SSO connections and authenticates SSO logins.
	SSO *SSOService
	// M2M gets machine-to-machine access tokens and manages M2M clients.
	M2M *M2MService
	// Passwords authenticates, checks and resets member passwords.
	Passwords *PasswordsService
}

// New returns a client for the project projectID authenticating with secret.
// Both must be non-empty. The base URL defaults to [LiveBaseURL] for project
// IDs starting with "project-live-" and to [TestBaseURL] otherwise, as in
// Stytch's SDKs; see the With... options for the other defaults.
func New(projectID, secret string, opts ...Option) (*Client, error) {
	if projectID == "" {
		return nil, errors.New("b2bauth: client: empty project id")
	}
	if secret == "" {
		return nil, errors.New("b2bauth: client: empty secret")
	}
	cfg := config{timeout: DefaultTimeout, userAgent: "b2bauth-go"}
	// As Stytch's SDKs: live only for a live project id.
	cfg.baseURL = TestBaseURL
	if strings.HasPrefix(projectID, "project-live-") {
		cfg.baseURL = LiveBaseURL
	}
	for _, o := range opts {
		if o == nil {
			return nil, errors.New("b2bauth: client: nil option")
		}
		o.apply(&cfg)
	}
	u, err := url.Parse(cfg.baseURL)
	if err != nil {
		// Not the URL itself: it may carry a password.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("b2bauth: client: base url is not a URL: %w", err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("b2bauth: client: base url %q needs an http or https scheme and a host", u.Redacted())
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return nil, fmt.Errorf("b2bauth: client: base url %q must not carry credentials, a query or a fragment", u.Redacted())
	}
	if host := strings.TrimSuffix(strings.ToLower(u.Hostname()), "."); u.Scheme == "http" && (host == "stytch.com" || strings.HasSuffix(host, ".stytch.com")) {
		return nil, fmt.Errorf("b2bauth: client: base url %q would send the project secret unencrypted: use https", u.Redacted())
	}
	if cfg.httpClientSet && cfg.httpClient == nil {
		return nil, errors.New("b2bauth: client: nil http client")
	}
	if cfg.httpClient == nil {
		cfg.httpClient = &http.Client{Transport: http.DefaultTransport}
	}
	if cfg.timeout <= 0 {
		return nil, fmt.Errorf("b2bauth: client: timeout %v is not positive", cfg.timeout)
	}
	if cfg.loggerSet && cfg.logger == nil {
		return nil, errors.New("b2bauth: client: nil logger")
	}
	if cfg.logger == nil {
		cfg.logger = slog.New(slog.DiscardHandler)
	}
	c := &Client{
		projectID:  projectID,
		secret:     secret,
		baseURL:    strings.TrimRight(u.String(), "/"),
		httpClient: cfg.httpClient,
		timeout:    cfg.timeout,
		userAgent:  cfg.userAgent,
		logger:     cfg.logger,
		observer:   cfg.observer,
		backoff:    jitteredBackoff,
	}
	c.Sessions = &SessionsService{c: c}
	c.Discovery = &DiscoveryService{c: c}
	c.MagicLinks = &MagicLinksService{c: c}
	c.OAuth = &OAuthService{c: c}
	c.OTPs = &OTPsService{c: c}
	c.TOTPs = &TOTPsService{c: c}
	c.RecoveryCodes = &RecoveryCodesService{c: c}
	c.RBAC = &RBACService{c: c}
	c.Organizations = &OrganizationsService{c: c}
	c.SSO = &SSOService{c: c}
	c.M2M = &M2MService{c: c}
	c.Passwords = &PasswordsService{c: c}
	return c, nil
}

// ProjectID returns the project ID given to [New].
func (c *Client) ProjectID() string { return c.projectID }

// BaseURL returns the API base URL without a trailing slash.
func (c *Client) BaseURL() string { return c.baseURL }

// Issuers returns the issuers a session JWT of this project may carry:
// "stytch.com/{project_id}" and the base URL.
func (c *Client) Issuers() []string {
	return []string{"stytch.com/" + c.projectID, c.baseURL}
}

// JWKSURL returns the URL of the project's JSON Web Key Set.
func (c *Client) JWKSURL() string {
	return c.baseURL + "/v1/b2b/sessions/jwks/" + url.PathEscape(c.projectID)
}

// jitteredBackoff waits up to 100 ms, 200 ms, ... (full jitter, at least a quarter).
func jitteredBackoff(n int) time.Duration {
	ceiling := 100 * time.Millisecond << (n - 1)
	return ceiling/4 + rand.N(ceiling*3/4+1)
}

// request describes one API call.
type request struct {
	method string
	path   string // already escaped
	query  url.Values
	body   any        // encoded as JSON when non-nil
	form   url.Values // encoded as a form when non-nil (and body is nil)
	noAuth bool       // the JWKS and the M2M token endpoint are public
}

// call performs r and decodes a 200 or 201 answer into out. Idempotent GETs
// are retried (bounded, with jittered backoff) while Stytch is unavailable.
func (c *Client) call(ctx context.Context, r request, out any) error {
	var payload []byte
	if r.body != nil {
		var err error
		if payload, err = json.Marshal(r.body); err != nil {
			return fmt.Errorf("b2bauth: encode %s %s: %w", r.method, r.path, err)
		}
	} else if r.form != nil {
		payload = []byte(r.form.Encode())
	}
	attempts := 1
	if r.method == http.MethodGet {
		attempts = maxGetAttempts
	}
	var err error
	for attempt := 1; ; attempt++ {
		err = c.once(ctx, r, payload, out, attempt)
		if err == nil || attempt >= attempts || !errors.Is(err, ErrUnavailable) || ctx.Err() != nil {
			return err
		}
		wait := c.backoff(attempt)
		c.logger.LogAttrs(ctx, slog.LevelWarn, "b2bauth: retrying stytch call",
			slog.String("method", r.method), slog.String("path", r.path),
			slog.Int("attempt", attempt), slog.Duration("backoff", wait), slog.String("error", redact(err, c.secret)))
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
	}
}

// once performs a single HTTP attempt, the attempt-th of its call.
func (c *Client) once(ctx context.Context, r request, payload []byte, out any, attempt int) (err error) {
	callCtx := ctx
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()

	target := c.baseURL + r.path
	if len(r.query) > 0 {
		target += "?" + r.query.Encode()
	}
	var body io.Reader
	if payload != nil {
		body = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, target, body)
	if err != nil {
		return fmt.Errorf("b2bauth: build %s %s: %w", r.method, r.path, err)
	}
	req.Header.Set("Accept", "application/json")
	switch {
	case payload != nil && r.body == nil:
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	case payload != nil:
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("User-Agent", c.userAgent)
	if !r.noAuth {
		req.SetBasicAuth(c.projectID, c.secret)
	}

	start := time.Now()
	status := 0
	if c.observer != nil {
		defer func() { c.observeCall(callCtx, r, status, attempt, start, err) }()
	}
	resp, err := c.httpClient.Do(req)
	if err != nil {
		c.logger.LogAttrs(ctx, slog.LevelWarn, "b2bauth: stytch call failed",
			slog.String("method", r.method), slog.String("path", r.path),
			slog.Duration("duration", time.Since(start)), slog.String("error", redact(err, c.secret)))
		// The cause is kept (timeouts, DNS, refused connections) next to the class.
		return fmt.Errorf("%w: %s %s: %w", ErrUnavailable, r.method, r.path, err)
	}
	defer resp.Body.Close()
	status = resp.StatusCode
	data, readErr := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes+1))
	tooLarge := len(data) > maxResponseBytes
	success := resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusCreated

	elapsed := time.Since(start)

	switch {
	case !success:
		if tooLarge || readErr != nil {
			data = nil
		}
		apiErr := decodeError(resp.StatusCode, data)
		if tooLarge {
			apiErr.ErrorMessage = "error response body larger than 1 MiB"
		}
		c.logger.LogAttrs(ctx, slog.LevelDebug, "b2bauth: stytch call rejected",
			slog.String("method", r.method), slog.String("path", r.path), slog.Int("status", resp.StatusCode),
			slog.String("error_type", apiErr.ErrorType), slog.String("request_id", apiErr.RequestID),
			slog.Duration("duration", elapsed))
		return apiErr
	case readErr != nil:
		return fmt.Errorf("%w: %s %s: read response: %w", ErrUnavailable, r.method, r.path, readErr)
	case tooLarge:
		return fmt.Errorf("%w: %s %s: response body larger than %d bytes", ErrUnavailable, r.method, r.path, maxResponseBytes)
	}
	c.logger.LogAttrs(ctx, slog.LevelDebug, "b2bauth: stytch call",
		slog.String("method", r.method), slog.String("path", r.path),
		slog.Int("status", resp.StatusCode), slog.Duration("duration", elapsed))
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("%w: %s %s: decode response: %w", ErrUnavailable, r.method, r.path, err)
	}
	return nil
}

// redact keeps the secret out of logged error text (a URL error may echo the request).
func redact(err error, secret string) string {
	return strings.ReplaceAll(err.Error(), secret, "[redacted]")
}

// send performs a call whose request body is p (an empty object when p is nil)
// and returns the decoded response.
func send[R any, P any](ctx context.Context, c *Client, method, path string, p *P) (*R, error) {
	r := request{method: method, path: path}
	if p != nil {
		r.body = p
	} else if method != http.MethodGet {
		r.body = struct{}{}
	}
	var out R
	if err := c.call(ctx, r, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// get performs a GET call with query parameters and returns the decoded response.
func get[R any](ctx context.Context, c *Client, path string, query url.Values, noAuth bool) (*R, error) {
	var out R
	if err := c.call(ctx, request{method: http.MethodGet, path: path, query: query, noAuth: noAuth}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
