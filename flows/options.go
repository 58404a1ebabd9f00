package flows

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/b2bauth/b2bauth/middleware"
)

// Defaults of the options.
const (
	// DefaultPrefix is where the handlers are mounted unless [WithPrefix]
	// says otherwise.
	DefaultPrefix = "/auth"
	// DefaultAfterLoginPath is where members land after login when no valid
	// return path was given, unless [WithAfterLoginPath] says otherwise.
	DefaultAfterLoginPath = "/"
	// DefaultSessionDuration is the lifetime of the sessions the login
	// creates unless [WithSessionDuration] says otherwise.
	DefaultSessionDuration = 7 * 24 * time.Hour
	// DefaultSMSResendCooldown is the wait between two SMS sends to a member
	// unless [WithSMSResendCooldown] says otherwise.
	DefaultSMSResendCooldown = 30 * time.Second
	// DefaultEmailResendCooldown is the wait between two emails of one
	// kind to an address unless [WithEmailResendCooldown] says otherwise.
	DefaultEmailResendCooldown = 30 * time.Second
)

// Option configures a [Handler] in [New]. Options are created by the With...
// functions of this package; the interface is closed. New refuses a nil
// Option and an invalid value with an error, never falling back to a
// default.
type Option interface {
	apply(*config) error
}

type optionFunc func(*config) error

func (f optionFunc) apply(c *config) error { return f(c) }

// KeyPair is one pair of keys for the encrypted flow cookie: Hash
// authenticates it (HMAC-SHA256, 32 or 64 bytes) and Block encrypts it
// (AES, 16, 24 or 32 bytes). Generate them with a cryptographic random
// source and keep them secret; [New] and [ParseCookieKeys] refuse a key of
// zero bytes, the mark of a placeholder.
type KeyPair struct {
	Hash  []byte
	Block []byte
}

type config struct {
	prefix          string
	prefixSet       bool
	keys            []KeyPair
	publicURL       *url.URL
	afterLogin      string
	sessionDuration int32
	templates       *template.Template
	logger          *slog.Logger
	smsCooldown     time.Duration
	emailCooldown   time.Duration
	now             func() time.Time
	oauthToken      string
	oauthProviders  []string
	stepUpEnroll    bool
	store           Store
	storeCapacity   int // of the default store
	observer        Observer

	// Primary methods, hooks and organization creation.
	primaryMethods    []string
	afterLoginHook    AfterLoginFunc
	afterLogoutHook   AfterLogoutFunc
	afterLogout       string
	orgCreation       bool
	orgCreationPolicy func(ctx context.Context, email string) bool
	branding          branding
}

func defaultConfig() config {
	return config{
		prefix:          DefaultPrefix,
		afterLogin:      DefaultAfterLoginPath,
		sessionDuration: int32(DefaultSessionDuration / time.Minute),
		logger:          slog.New(slog.DiscardHandler),
		smsCooldown:     DefaultSMSResendCooldown,
		emailCooldown:   DefaultEmailResendCooldown,
		now:             time.Now,
		stepUpEnroll:    true,
		storeCapacity:   defaultStoreCapacity,
		primaryMethods:  []string{authMagicLink, authEmailOTP, authPassword},
		afterLogout:     DefaultAfterLogoutPath,
		orgCreation:     true,
	}
}

// WithPrefix sets the path under which [Handler.ServeHTTP] serves its routes,
// e.g. "/auth" for "/auth/login". It must be a local absolute path without a
// trailing slash. Default: taken from the middleware's login URL
// (middleware.WithLoginURL("/auth/login") gives "/auth"), else
// [DefaultPrefix] ("/auth"). [New] refuses a prefix the middleware's login
// or step-up URL does not agree with.
func WithPrefix(prefix string) Option {
	return optionFunc(func(c *config) error {
		if !middleware.IsSafeReturnPath(prefix) || strings.ContainsAny(prefix, "?#{}") ||
			len(prefix) < 2 || strings.HasSuffix(prefix, "/") {
			return fmt.Errorf("b2bauth: flows: prefix %q must be a local path like \"/auth\" without a trailing slash", prefix)
		}
		c.prefix, c.prefixSet = prefix, true
		return nil
	})
}

// WithCookieKeys sets the keys of the encrypted flow cookie. Required: [New]
// fails without keys. The first pair encodes, every pair decodes. Keys are
// rotated in three steps, each given to every replica (during a rolling
// deploy, old processes and new alike) before the next: the new pair added
// last, so every replica decodes with it; then made first, so replicas
// encode with it; then, the flow lifetime (10 minutes) after the last
// replica made it first, the old pair dropped. A new pair put first in one
// step encodes cookies that replicas not yet given it cannot read: the
// sign-ins they serve end. The command b2bauth-keys prints each step
// (-add, -promote).
func WithCookieKeys(pairs ...KeyPair) Option {
	return optionFunc(func(c *config) error {
		if len(pairs) == 0 {
			return errors.New("b2bauth: flows: WithCookieKeys needs at least one key pair")
		}
		for i, p := range pairs {
			if err := p.validate(i); err != nil {
				return err
			}
		}
		c.keys = pairs
		return nil
	})
}

// WithPublicURL sets the absolute base URL of the application as browsers
// reach it, e.g. "https://app.example.com". Required. The magic link
// redirect is built from it (PublicURL + prefix + "/callback"), its origin is
// trusted for cross-origin protection, and an https URL makes the flow
// cookie Secure and "__Host-" prefixed.
func WithPublicURL(publicURL string) Option {
	return optionFunc(func(c *config) error {
		u, err := url.Parse(publicURL)
		if err != nil {
			return fmt.Errorf("b2bauth: flows: public URL: %w", err)
		}
		if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
			u.RawQuery != "" || u.Fragment != "" {
			return fmt.Errorf("b2bauth: flows: public URL %q must be an absolute http(s) URL without credentials, query or fragment", publicURL)
		}
		u.Path = strings.TrimRight(u.Path, "/")
		u.RawPath = ""
		c.publicURL = u
		return nil
	})
}

// WithAfterLoginPath sets where members land after login, logout excepted,
// when the request named no valid return path. It must be a local absolute
// path. Default [DefaultAfterLoginPath] ("/").
func WithAfterLoginPath(path string) Option {
	return optionFunc(func(c *config) error {
		if !middleware.IsSafeReturnPath(path) {
			return fmt.Errorf("b2bauth: flows: after-login path %q must be a local absolute path", path)
		}
		c.afterLogin = path
		return nil
	})
}

// WithSessionDuration sets the lifetime of the sessions the login creates
// (Stytch's session_duration_minutes): a whole number of minutes from 5
// minutes to 366 days. Default [DefaultSessionDuration] (7 days).
func WithSessionDuration(d time.Duration) Option {
	return optionFunc(func(c *config) error {
		// The middleware's check allows 0 (no extension); a login must
		// give its session a lifetime.
		minutes, err := middleware.SessionDurationMinutes(d)
		if err != nil || minutes == 0 {
			return fmt.Errorf("b2bauth: flows: session duration must be a whole number of minutes from 5m to 366 days (8784h), got %s", d)
		}
		c.sessionDuration = minutes
		return nil
	})
}

// WithTemplates overrides pages of the default embedded templates by name:
// each template of t replaces the default of the same name ("login.html",
// "check_email.html", "organizations.html", "mfa.html", "totp_enroll.html",
// "step_up.html", "error.html", "organization_login.html", or the blocks
// "head", "error" and "foot" they call), and the defaults stay for the
// others, so an override may call the default blocks. Pages are executed with a *[Page]. t must not have
// been executed. Default: the embedded templates only.
func WithTemplates(t *template.Template) Option {
	return optionFunc(func(c *config) error {
		if t == nil {
			return errors.New("b2bauth: flows: nil templates")
		}
		c.templates = t
		return nil
	})
}

// WithTemplateFS is [WithTemplates] with the templates parsed from the
// "*.html" files at the root of fsys, each named by its file name.
func WithTemplateFS(fsys fs.FS) Option {
	return optionFunc(func(c *config) error {
		if fsys == nil {
			return errors.New("b2bauth: flows: nil template file system")
		}
		t, err := template.ParseFS(fsys, "*.html")
		if err != nil {
			return fmt.Errorf("b2bauth: flows: templates: %w", err)
		}
		c.templates = t
		return nil
	})
}

// WithLogger sets the logger for failed steps and Stytch errors. Tokens,
// codes, secrets and intermediate session tokens are never logged. Default:
// nothing is logged.
func WithLogger(l *slog.Logger) Option {
	return optionFunc(func(c *config) error {
		if l == nil {
			return errors.New("b2bauth: flows: nil logger")
		}
		c.logger = l
		return nil
	})
}

// WithSMSResendCooldown sets how long a member waits between two SMS sends.
// The wait is kept in the guard's [Store] per member, not per flow, so
// choosing the organization again or starting a new step-up does not end
// it (behind several instances, each keeps its own unless the store is
// shared, see [WithStore]). Default [DefaultSMSResendCooldown]
// (30 seconds); 0 disables the wait.
func WithSMSResendCooldown(d time.Duration) Option {
	return optionFunc(func(c *config) error {
		if d < 0 {
			return fmt.Errorf("b2bauth: flows: negative SMS resend cooldown %s", d)
		}
		c.smsCooldown = d
		return nil
	})
}

// WithEmailResendCooldown sets how long an address waits between two
// emails of one kind that the handlers make Stytch send: sign-in links
// (POST /login, /o/{slug}/email), sign-in codes (POST /login/code,
// /o/{slug}/code) and password reset links (POST
// /o/{slug}/password/reset/start) each have a wait of their own. The wait
// is kept in the guard's [Store] per address, lower-cased and trimmed, for
// the whole project (every organization, every browser; behind several
// instances, each keeps its own unless the store is shared, see
// [WithStore]), under a hash of the address. It starts when the email is
// asked for, before Stytch is called, so that concurrent requests send one
// email; it is lifted when Stytch answers that it did not send (an invalid
// address, a policy refusal, its rate limit, its own failure) or once the
// email's link or code has signed the member in, and kept when the outcome
// is unknown (no answer: a timeout, a lost connection, a gateway's 5xx).
// Within the wait Stytch is not asked: the browser whose
// flow already waits for that email, or which asked for it (a double
// submit, told by the flow cookie it sent or the browser id cookie the
// handlers' pages set), is led to the flow's page again with a notice,
// once the send it asked for has ended (up to 10 seconds; if Stytch sent
// nothing, this request asks it again and gets its answer);
// any other request gets the form with [ErrEmailCooldown] (429
// with Retry-After for JSON clients). Default [DefaultEmailResendCooldown]
// (30 seconds); 0 disables the wait.
func WithEmailResendCooldown(d time.Duration) Option {
	return optionFunc(func(c *config) error {
		if d < 0 {
			return fmt.Errorf("b2bauth: flows: negative email resend cooldown %s", d)
		}
		c.emailCooldown = d
		return nil
	})
}

// WithClock sets the time source of flow expiry, code attempts and resend
// cooldowns, and of the expiry of the default [Store]. Default time.Now.
func WithClock(now func() time.Time) Option {
	return optionFunc(func(c *config) error {
		if now == nil {
			return errors.New("b2bauth: flows: nil clock")
		}
		c.now = now
		return nil
	})
}

// WithOAuth offers OAuth discovery sign-in with the providers ("google",
// "microsoft", "github", "hubspot", "slack") on the login page, started with
// the project's public token. The callback URL (public URL + prefix +
// "/callback") must be a Discovery redirect URL of the project. Default: no
// OAuth, email magic links only.
func WithOAuth(publicToken string, providers ...string) Option {
	return optionFunc(func(c *config) error {
		if publicToken == "" || len(providers) == 0 {
			return errors.New("b2bauth: flows: WithOAuth needs the public token and at least one provider")
		}
		for _, p := range providers {
			switch p {
			case "google", "microsoft", "github", "hubspot", "slack":
			default:
				return fmt.Errorf("b2bauth: flows: unknown OAuth provider %q", p)
			}
		}
		c.oauthToken, c.oauthProviders = publicToken, slices.Clone(providers)
		return nil
	})
}

// WithPublicToken sets the project's public token (not the secret), with
// which browsers start SSO and organization OAuth logins at Stytch.
// [WithOAuth] sets it too. The callback URL (public URL + prefix +
// "/callback") must be a Login and Signup redirect URL of the project.
// Default: none, and organization login pages offer neither SSO nor OAuth.
func WithPublicToken(publicToken string) Option {
	return optionFunc(func(c *config) error {
		if publicToken == "" {
			return errors.New("b2bauth: flows: WithPublicToken needs the public token")
		}
		c.oauthToken = publicToken
		return nil
	})
}

// WithStepUpEnrollment sets whether the step-up page lets a member who has
// no second factor (possible where the organization's MFA policy is
// OPTIONAL) set one up, an SMS phone number or an authenticator app, as
// Stytch allows for a session without a second factor. A member who has a
// phone or an authenticator app is only ever offered those. With false, such
// a member gets a page saying why the route is closed to them, with a way
// back. Enrollment is proven by the session alone, as it is by the
// intermediate session of a sign-in in an organization that requires MFA:
// whoever holds the session can register a device of their own. Default
// true.
func WithStepUpEnrollment(allow bool) Option {
	return optionFunc(func(c *config) error {
		c.stepUpEnroll = allow
		return nil
	})
}

// WithStore sets where the guard of the second-factor steps keeps its
// records: wrong-code counts and locks (five wrong codes lock a member for
// five minutes), the time of the last SMS per member (see
// [WithSMSResendCooldown]), the last email of each kind per address (see
// [WithEmailResendCooldown]) and the entries into an organization in
// flight.
// A store shared by every instance of the application (Redis, for
// example) makes these limits hold across instances. s must follow the
// concurrency contract of [Store]; its errors are answered as outages
// (503, the flow kept) and never lift a lock. Default: a store in the
// memory of the process, holding at most 131072 records, each expiring by
// itself; when full it refuses new records (answered as 503) rather than
// forget a live one, so each instance counts for itself.
func WithStore(s Store) Option {
	return optionFunc(func(c *config) error {
		if s == nil {
			return errors.New("b2bauth: flows: nil store")
		}
		c.store = s
		return nil
	})
}

// DefaultAfterLogoutPath is where a logout leads unless
// [WithAfterLogoutPath] says otherwise.
const DefaultAfterLogoutPath = "/"

// WithPrimaryMethods sets the email-based primary methods the handlers
// offer, by the names of an organization's allowed_auth_methods:
// "magic_link" (a sign-in link), "email_otp" (a one-time code by email) and
// "password". The login page offers each for discovery; an organization's
// login page offers those its policy allows too. A method left out is
// refused on its routes (403 [ErrAuthMethodNotAllowed]). SSO and OAuth are
// set by [WithPublicToken] and [WithOAuth]. Default: all three.
func WithPrimaryMethods(methods ...string) Option {
	return optionFunc(func(c *config) error {
		if len(methods) == 0 {
			return errors.New("b2bauth: flows: WithPrimaryMethods needs at least one method")
		}
		for _, m := range methods {
			switch m {
			case authMagicLink, authEmailOTP, authPassword:
			default:
				return fmt.Errorf("b2bauth: flows: unknown primary method %q: use \"magic_link\", \"email_otp\" or \"password\"", m)
			}
		}
		c.primaryMethods = slices.Clone(methods)
		return nil
	})
}

// WithOrganizationCreation sets whether a discovered member may create an
// organization: with false, the organization choice offers no create form
// (JSON can_create false) and POST Prefix+"/organizations/create" answers
// 403 [ErrOrganizationCreationNotAllowed]. Default true, as Stytch's
// discovery allows; an application whose organizations are provisioned by
// its staff, or sold, turns it off.
func WithOrganizationCreation(allow bool) Option {
	return optionFunc(func(c *config) error {
		c.orgCreation = allow
		return nil
	})
}

// WithOrganizationCreationPolicy decides per discovered email address
// whether it may create an organization, when [WithOrganizationCreation]
// allows creation at all (e.g. only addresses of a domain, or of a
// waiting list). allow runs on the request's goroutine, concurrently for
// different requests; false refuses as [WithOrganizationCreation](false)
// does. Default: every address may.
func WithOrganizationCreationPolicy(allow func(ctx context.Context, email string) bool) Option {
	return optionFunc(func(c *config) error {
		if allow == nil {
			return errors.New("b2bauth: flows: nil organization creation policy")
		}
		c.orgCreationPolicy = allow
		return nil
	})
}

// WithAfterLogin sets a hook called when a sign-in (by any method, MFA
// included, or an organization switch) has a complete session, before the
// session cookies are written: to provision the application's own record
// of the member, write an audit entry, or refuse the login (see
// [AfterLoginFunc] and [RefuseLogin]). Step-ups do not call it. Default:
// none.
func WithAfterLogin(hook AfterLoginFunc) Option {
	return optionFunc(func(c *config) error {
		if hook == nil {
			return errors.New("b2bauth: flows: nil after-login hook")
		}
		c.afterLoginHook = hook
		return nil
	})
}

// WithAfterLogout sets a hook called after a logout revoked the session
// and cleared the cookies (see [AfterLogoutFunc]). Default: none.
func WithAfterLogout(hook AfterLogoutFunc) Option {
	return optionFunc(func(c *config) error {
		if hook == nil {
			return errors.New("b2bauth: flows: nil after-logout hook")
		}
		c.afterLogoutHook = hook
		return nil
	})
}

// WithAfterLogoutPath sets where a logout leads. It must be a local
// absolute path (an absolute URL or "//host" is refused, so a logout never
// redirects to another site). Default [DefaultAfterLogoutPath] ("/").
func WithAfterLogoutPath(path string) Option {
	return optionFunc(func(c *config) error {
		if !middleware.IsSafeReturnPath(path) {
			return fmt.Errorf("b2bauth: flows: after-logout path %q must be a local absolute path", path)
		}
		c.afterLogout = path
		return nil
	})
}

// Branding is how the default pages present the application: a product
// name and logo above every page and the primary colour of buttons and
// links. The zero value is the default look: no name, no logo, indigo
// (#4338ca). Pages replaced with [WithTemplates] or [WithTemplateFS] use it
// only through the default "head" block.
type Branding struct {
	// ProductName is shown above every page and in the window title, e.g.
	// "Acme Cloud". At most 100 bytes. Default: none.
	ProductName string
	// LogoURL is the logo shown before the product name: an https URL or a
	// local absolute path such as "/static/logo.svg", at most 2048 bytes,
	// shown 32 pixels high. A Content-Security-Policy must allow it as an
	// image. Default: none.
	LogoURL string
	// PrimaryColor is the colour of primary buttons and links, as a CSS hex
	// colour ("#4338ca" or "#43c"). Button text is white or near-black,
	// whichever contrasts more; links fall back to the text colour where the
	// colour is too light to read on white. Default "#4338ca".
	PrimaryColor string
}

// ErrBranding is the error of [WithBranding] with an invalid field; the
// error returned wraps it and names the field.
var ErrBranding = errors.New("b2bauth: flows: invalid branding")

// WithBranding sets the product name, logo and primary colour of the
// default pages (see [Branding]); the colour applies through CSS custom
// properties of the embedded stylesheet. An invalid field fails [New] with
// an error matching [ErrBranding]. Default: the zero [Branding].
func WithBranding(b Branding) Option {
	return optionFunc(func(c *config) error {
		v, err := b.validate()
		if err != nil {
			return err
		}
		c.branding = v
		return nil
	})
}
