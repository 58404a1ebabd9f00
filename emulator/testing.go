package emulator

import (
	"errors"
	"fmt"
	"time"
)

// TB is the part of testing.TB that [NewTest] uses; *testing.T and
// *testing.B satisfy it. The package takes this interface rather than
// testing.TB so that a program using the emulator outside tests (an app's
// development mode) does not link the testing package.
type TB interface {
	Helper()
	Cleanup(func())
	Fatalf(format string, args ...any)
}

// NewTest starts a server for a test or benchmark and closes it when the test
// ends; a failure to start is fatal.
func NewTest(tb TB, opts ...Option) *Server {
	tb.Helper()
	s, err := New(opts...)
	if err != nil {
		tb.Fatalf("b2bauth: emulator: %v", err)
	}
	tb.Cleanup(s.Close)
	return s
}

// Factor is an authentication factor to put on a session made by
// [Server.CreateSession]. Type and DeliveryMethod take Stytch's values:
// "magic_link"/"email", "otp"/"sms", "totp"/"authenticator_app",
// "recovery_codes"/"recovery_code", "oauth"/"oauth_google". The email, phone
// and TOTP details come from the member. A zero At means now.
type Factor struct {
	Type           string
	DeliveryMethod string
	At             time.Time
}

// SessionOption configures [Server.CreateSession].
type SessionOption interface {
	applySession(*sessionConfig)
}

type sessionConfig struct {
	minutes int
	claims  map[string]any
	factors []Factor
}

type sessionOptionFunc func(*sessionConfig)

func (f sessionOptionFunc) applySession(c *sessionConfig) { f(c) }

// WithSessionDuration sets the session's lifetime, rounded down to minutes
// (default 60 minutes).
func WithSessionDuration(d time.Duration) SessionOption {
	return sessionOptionFunc(func(c *sessionConfig) { c.minutes = int(d / time.Minute) })
}

// WithSessionCustomClaims sets the session's custom claims.
func WithSessionCustomClaims(claims map[string]any) SessionOption {
	return sessionOptionFunc(func(c *sessionConfig) { c.claims = claims })
}

// WithSessionFactors sets the session's authentication factors (default one
// email magic link factor, authenticated now).
func WithSessionFactors(factors ...Factor) SessionOption {
	return sessionOptionFunc(func(c *sessionConfig) { c.factors = factors })
}

// CreateSession starts a session for a member directly, without any flow,
// and returns its session token and a fresh session JWT.
func (s *Server) CreateSession(memberID string, opts ...SessionOption) (sessionToken, sessionJWT string, err error) {
	cfg := sessionConfig{factors: []Factor{{Type: "magic_link", DeliveryMethod: "email"}}}
	for _, o := range opts {
		if o == nil {
			return "", "", errors.New("b2bauth: emulator: nil session option")
		}
		o.applySession(&cfg)
	}
	if err := (sessionOptions{SessionDurationMinutes: cfg.minutes, SessionCustomClaims: cfg.claims}).check(); err != nil {
		return "", "", fmt.Errorf("b2bauth: emulator: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.members[memberID]
	if m == nil {
		return "", "", fmt.Errorf("b2bauth: emulator: unknown member %q", memberID)
	}
	now := s.cfg.clock()
	var factors []factor
	for _, f := range cfg.factors {
		factors = addFactor(factors, memberFactor(m, f, now))
	}
	ss := s.newSessionLocked(now, m, factors, cfg.minutes, cfg.claims)
	jwt, err := s.sessionJWTLocked(now, ss)
	if err != nil {
		return "", "", err
	}
	return ss.token, jwt, nil
}

// memberFactor fills a factor's details from the member.
func memberFactor(m *member, f Factor, now time.Time) factor {
	at := f.At
	if at.IsZero() {
		at = now
	}
	out := factor{typ: f.Type, method: f.DeliveryMethod, at: at, created: at,
		email: m.email, emailID: m.emailID, phone: m.phone, phoneID: m.phoneID}
	if m.totp != nil {
		out.totpID = m.totp.id
		if len(m.totp.recovery) > 0 {
			out.recoveryID = m.totp.recovery[0].id
		}
	}
	if f.Type == "oauth" {
		out.provider, out.providerSubject = "google", newUUID()
	}
	return out
}

// IntermediateSessionToken starts an intermediate session for an email as if
// a discovery magic link had just been authenticated, and returns its token
// (valid 10 minutes).
func (s *Server) IntermediateSessionToken(email string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.cfg.clock()
	f := factor{typ: "magic_link", method: "email", at: now, created: now, email: email, emailID: s.emailIDLocked(email)}
	return s.newISTLocked(now, email, []factor{f}).token
}
