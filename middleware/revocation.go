package middleware

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/b2bauth/b2bauth/client"
)

// RevocationFeed carries the ids of revoked sessions between the instances
// of an application, so that a session ended on one is refused by all: a
// logout through one replica, or a session Stytch declared gone to one,
// reaches the verified-JWT caches of the others. Set it with
// [WithRevocations]; the stores/redis module provides one on Redis pub/sub.
//
// Concurrency contract: Publish is called from concurrent requests, and
// must be safe for that and bound its own duration. Subscribe is called
// once by [New]; deliver is then called from the feed's own goroutines,
// with every id published by any instance (this one's included), until the
// stop function Subscribe returned is called by [Middleware.Close]; stop
// returns once deliver will not be called again and the feed's goroutines
// have ended.
type RevocationFeed interface {
	// Publish announces that the session sessionID was revoked.
	Publish(ctx context.Context, sessionID string) error
	// Subscribe starts delivering the revoked session ids.
	Subscribe(deliver func(sessionID string)) (stop func(), err error)
}

// WithRevocations makes the middleware take part in feed: the sessions
// [Middleware.Revoke] revokes, and those the middleware learns from Stytch
// are gone, are published on it, and the ids it delivers are refused
// locally. The guarantee: a logout on any instance is honoured by every
// subscribed instance within about a second, while the feed works. While it
// does not (its server down), each instance keeps the local rules as
// without it: JWTs it verified are served until their maximum age, the ids
// revoked in the meantime are not delivered, and no session is refused
// because of the outage. The per-request path never calls the feed.
// Default: no feed; [Middleware.Revoke] then acts on this instance only.
func WithRevocations(feed RevocationFeed) Option {
	return optionFunc(func(c *config) error {
		if feed == nil {
			return errors.New("b2bauth: nil revocation feed")
		}
		c.revocations = feed
		return nil
	})
}

// revokedCapacity bounds the session ids a middleware refuses: each takes
// about 100 bytes, so a full set holds about 6 MiB. When full, the id
// refused the longest is forgotten first: its JWTs are the nearest to their
// maximum age.
const revokedCapacity = 1 << 16

// errRevoked is the cause of [ErrSessionInvalid] for a JWT of a session
// revoked on an instance of the application.
var errRevoked = errors.New("session revoked")

// revokedSet holds the ids of revoked sessions, each until its JWTs can no
// longer be served locally (the maximum token age plus the leeway after it
// was added). Its zero value is empty; it is safe for concurrent use.
//
// It is read on every request once a session was revoked within the
// maximum token age, which with a feed shared by replicas is nearly always:
// reads take no lock and write no shared memory (sync.Map's reads are
// atomic loads), so that requests on many cores do not contend. Adds, rare,
// are serialized by mu; the ring of insertion order grows with them.
type revokedSet struct {
	// last is the latest expiry held, in Unix nanoseconds: once passed,
	// has answers without a lookup, as it does when the set was never used.
	last atomic.Int64

	until sync.Map // session id → Unix nanoseconds it is refused until (int64)

	mu   sync.Mutex
	ring []string // insertion order, for eviction; grows to revokedCapacity
	next int      // once ring is full, the oldest id's index
}

// has reports whether the session id is refused at now.
func (s *revokedSet) has(id string, now time.Time) bool {
	n := now.UnixNano()
	if n >= s.last.Load() || id == "" {
		return false
	}
	u, ok := s.until.Load(id)
	return ok && n < u.(int64)
}

// add refuses the session id until the given time.
func (s *revokedSet) add(id string, until time.Time) {
	if id == "" {
		return
	}
	n := until.UnixNano()
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.until.Load(id); ok {
		if n > old.(int64) {
			s.until.Store(id, n)
		}
	} else {
		if len(s.ring) < revokedCapacity {
			s.ring = append(s.ring, id)
		} else {
			s.until.Delete(s.ring[s.next])
			s.ring[s.next] = id
			s.next = (s.next + 1) % revokedCapacity
		}
		s.until.Store(id, n)
	}
	if n > s.last.Load() {
		s.last.Store(n)
	}
}

// subscribeRevocations starts receiving the feed's ids, if there is a feed.
func (m *Middleware) subscribeRevocations() error {
	if m.cfg.revocations == nil {
		return nil
	}
	stop, err := m.cfg.revocations.Subscribe(m.revokeLocally)
	if err != nil {
		return err
	}
	m.closeFns = append(m.closeFns, stop)
	return nil
}

// revokeLocally refuses the session's JWTs here until they pass the maximum
// token age, counted from now: any JWT of the session was issued before.
func (m *Middleware) revokeLocally(sessionID string) {
	m.revoked.add(sessionID, m.cfg.now().Add(m.cfg.maxTokenAge+m.cfg.leeway))
}

// Revoke refuses the JWTs of the session sessionID, cached or not, until
// they pass the maximum token age, and publishes the id on the feed of
// [WithRevocations], if any, for the other instances to do the same. Call
// it after revoking the session at Stytch (the flows' logout does). The
// session is refused here even when publishing fails; the error is the
// feed's. Publishing is not cut short when ctx is cancelled (a browser
// that went away after asking to log out): an id left unpublished would let
// the other instances serve the session's JWTs until their maximum age.
// The feed is given [PublishTimeout] as its deadline instead (the Redis
// feed of stores/redis leaves the bound to its client's own timeouts). It
// does not revoke the session at Stytch, and an empty id is ignored.
func (m *Middleware) Revoke(ctx context.Context, sessionID string) error {
	if sessionID == "" {
		return nil
	}
	m.revokeLocally(sessionID)
	if m.cfg.revocations == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), PublishTimeout)
	defer cancel()
	return m.cfg.revocations.Publish(ctx, sessionID)
}

// PublishTimeout is the deadline [Middleware.Revoke] gives its feed to
// publish a revoked session's id, whatever the caller's context.
const PublishTimeout = 5 * time.Second

// refused reports whether the session s is revoked here.
func (m *Middleware) refused(s *Session) bool {
	return s != nil && m.refusedAt(s, m.cfg.now())
}

// refusedAt is refused with the clock already read.
func (m *Middleware) refusedAt(s *Session, now time.Time) bool {
	return s != nil && m.revoked.has(s.ID, now)
}

// goneAtStytch publishes, as revoked, the session of the JWT jwtRaw after
// Stytch answered err for credential: only when Stytch said the session
// does not exist, and credential is that JWT or a session token presented
// with it in the middleware's own cookies (which are written together).
// The JWT's signature is verified first: an id read from a forged JWT
// would let anyone end someone else's session.
func (m *Middleware) goneAtStytch(r *http.Request, err error, credential, jwtRaw string) {
	lines := r.Header["Cookie"]
	own := credentials{cookieJWT: cookieValue(lines, m.cfg.cookies.jwtName), cookieToken: cookieValue(lines, m.cfg.cookies.sessionName)}
	var apiErr *client.Error
	if jwtRaw == "" || !errors.As(err, &apiErr) || apiErr.ErrorType != "session_not_found" ||
		credential != jwtRaw && !(own.isCookieValue(credential) && own.isCookieValue(jwtRaw)) {
		return
	}
	id, memberID, ok := m.verifiedSessionID(r.Context(), jwtRaw)
	if !ok {
		return
	}
	if perr := m.Revoke(r.Context(), id); perr != nil {
		m.cfg.logger.WarnContext(r.Context(), "b2bauth: publishing a session Stytch declared gone failed",
			"member_id", memberID, "error", perr)
	}
}
