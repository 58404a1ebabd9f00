package client

import (
	"log/slog"
	"net/http"
	"time"
)

// DefaultTimeout is the time limit of one HTTP attempt unless [WithTimeout] says otherwise.
const DefaultTimeout = 10 * time.Second

// Default base URLs, chosen by [New] from the project ID unless [WithBaseURL] is given.
const (
	// TestBaseURL is the API of "project-test-" projects.
	TestBaseURL = "https://test.stytch.com"
	// LiveBaseURL is the API of live projects.
	LiveBaseURL = "https://api.stytch.com"
)

// Option configures a [Client] in [New]. Options are created by the With...
// functions of this package; the interface is closed. [New] rejects a nil
// Option and an invalid value with an error, never falling back to a
// default.
type Option interface {
	apply(*config)
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	baseURL       string
	httpClient    *http.Client
	httpClientSet bool
	timeout       time.Duration
	userAgent     string
	logger        *slog.Logger
	observer      Observer
	loggerSet     bool
}

// WithBaseURL sets the API base URL, such as the emulator's URL in tests.
// The default is [LiveBaseURL] for project IDs starting with "project-live-"
// and [TestBaseURL] otherwise. [New] rejects a URL without an http or https
// scheme and a host, and a plain http URL of a stytch.com host, which would
// send the project secret unencrypted: plain http is for the emulator, on
// loopback or a network of your own.
func WithBaseURL(baseURL string) Option {
	return optionFunc(func(c *config) { c.baseURL = baseURL })
}

// WithHTTPClient sets the HTTP client used for every call, for instance one
// with an instrumented Transport. The client is never modified: the time limit
// of [WithTimeout] is applied through each request's context. The default is a
// new client with http.DefaultTransport. [New] rejects nil.
func WithHTTPClient(hc *http.Client) Option {
	return optionFunc(func(c *config) {
		c.httpClient = hc
		c.httpClientSet = true
	})
}

// WithTimeout sets the time limit of each HTTP attempt, applied through the
// request context. The default is [DefaultTimeout] (10 s). A GET is tried up
// to 3 times while Stytch is unavailable (a timeout, a transport failure, 429
// or 5xx), with jittered backoff under a second in all, so it can last about
// three times d; other calls are tried once. The caller's context bounds the
// whole call. [New] rejects a duration that is not positive.
func WithTimeout(d time.Duration) Option {
	return optionFunc(func(c *config) { c.timeout = d })
}

// WithUserAgent sets the User-Agent header of every request. The default is
// "b2bauth-go".
func WithUserAgent(ua string) Option {
	return optionFunc(func(c *config) { c.userAgent = ua })
}

// WithLogger sets a logger for call outcomes (method, path, status, request
// ID, duration, retries) at debug and warn levels. Secrets, tokens and bodies
// are never logged. The default logs nothing. [New] rejects nil.
func WithLogger(l *slog.Logger) Option {
	return optionFunc(func(c *config) {
		c.logger = l
		c.loggerSet = true
	})
}
