package redisstore

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/b2bauth/b2bauth/middleware"
)

// Defaults of [NewRevocations].
const (
	// DefaultRetry is the wait before the subscription is tried again after
	// Redis failed, unless [WithRetry] says otherwise.
	DefaultRetry = 500 * time.Millisecond
	// probeAfter is how long the subscription waits for a message before it
	// pings Redis, so that a connection lost without a word is noticed.
	probeAfter = 30 * time.Second
	// pongWait is how long the subscription waits for the answer to its
	// ping before it takes the connection for dead and makes a new one.
	pongWait = 5 * time.Second
)

// Revocations is a [middleware.RevocationFeed] on Redis pub/sub: the
// session ids published by any instance, on the channel
// "b2bauth:{<project id>}:revoked", are delivered to every instance
// subscribed, within about a second while Redis is up. Ids published while
// an instance is disconnected are not delivered to it (pub/sub keeps no
// history): that instance serves the sessions' JWTs it had verified until
// their maximum age, as without a feed. A connection that dies without an
// error (a half-open TCP connection) is noticed by a ping left unanswered
// for 5 seconds after 30 seconds without a message, and replaced. Create it
// with [NewRevocations]; it is safe for concurrent use.
type Revocations struct {
	rdb     redis.UniversalClient
	channel string
	logger  *slog.Logger
	retry   time.Duration
	probe   time.Duration // probeAfter, but in tests
}

var _ middleware.RevocationFeed = (*Revocations)(nil)

// Option configures [NewRevocations].
type Option interface {
	apply(*Revocations) error
}

type optionFunc func(*Revocations) error

func (f optionFunc) apply(r *Revocations) error { return f(r) }

// WithLogger sets the logger of the subscription's failures and
// reconnections. Session ids are not logged. Default: nothing is logged.
func WithLogger(l *slog.Logger) Option {
	return optionFunc(func(r *Revocations) error {
		if l == nil {
			return errors.New("b2bauth: redis revocations: nil logger")
		}
		r.logger = l
		return nil
	})
}

// WithRetry sets the wait before the subscription is tried again after
// Redis failed. Default [DefaultRetry] (500 ms); at least 10 ms.
func WithRetry(d time.Duration) Option {
	return optionFunc(func(r *Revocations) error {
		if d < 10*time.Millisecond {
			return errors.New("b2bauth: redis revocations: retry below 10ms")
		}
		r.retry = d
		return nil
	})
}

// NewRevocations returns the revocation feed of the Stytch project
// projectID in rdb. Pass it to middleware.WithRevocations on every
// instance. It does not contact Redis.
func NewRevocations(rdb redis.UniversalClient, projectID string, opts ...Option) (*Revocations, error) {
	if rdb == nil {
		return nil, errors.New("b2bauth: redis revocations: nil client")
	}
	if err := checkProjectID(projectID); err != nil {
		return nil, err
	}
	r := &Revocations{
		rdb:     rdb,
		channel: namespace(projectID) + ":revoked",
		logger:  slog.New(slog.DiscardHandler),
		retry:   DefaultRetry,
		probe:   probeAfter,
	}
	for _, o := range opts {
		if o == nil {
			return nil, errors.New("b2bauth: redis revocations: nil option")
		}
		if err := o.apply(r); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// Publish implements [middleware.RevocationFeed] with PUBLISH. It is not
// cut short when ctx is cancelled or its deadline passes: the session is
// already ended, and an id not published would leave the other instances
// serving its JWTs until their maximum age. The client's timeouts bound it.
func (r *Revocations) Publish(ctx context.Context, sessionID string) error {
	return unavailable(r.rdb.Publish(context.WithoutCancel(ctx), r.channel, sessionID).Err())
}

// Subscribe implements [middleware.RevocationFeed]: one goroutine receives
// the channel's messages and calls deliver, reconnecting after a failure,
// until stop. It waits up to a second for Redis to confirm the
// subscription, so that ids published once it returns are delivered; an
// unreachable Redis is no error: the goroutine keeps trying. stop returns
// once the goroutine has ended, so that nothing is delivered after it:
// while Redis accepts connections and does not answer, that can take as
// long as the client's DialTimeout or ReadTimeout since the subscription
// was last asked for (5 s with go-redis's defaults), whatever the context,
// and an application's shutdown (middleware.Middleware.Close) waits for it.
func (r *Revocations) Subscribe(deliver func(sessionID string)) (stop func(), err error) {
	if deliver == nil {
		return nil, errors.New("b2bauth: redis revocations: nil deliver")
	}
	ctx, cancel := context.WithCancel(context.Background())
	sub := &subscription{}
	subscribed := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		// Dialing and subscribing happen here, bounded only by the client's
		// timeouts: Subscribe waits for them no longer than a second.
		if !sub.replace(r.rdb.Subscribe(ctx, r.channel)) {
			return
		}
		r.receive(ctx, sub, deliver, subscribed)
	}()
	t := time.NewTimer(time.Second)
	select {
	case <-subscribed:
		t.Stop()
	case <-t.C:
		r.logger.Warn("b2bauth: redis revocations: not subscribed yet; retrying")
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			cancel()
			sub.close()
			<-done
		})
	}, nil
}

// subscription is the PubSub a feed receives on, replaced when its
// connection goes silent; it is closed once by the stop function.
type subscription struct {
	mu     sync.Mutex
	ps     *redis.PubSub
	closed bool
}

// current returns the PubSub in use.
func (s *subscription) current() *redis.PubSub {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ps
}

// replace closes the PubSub in use, if any, and puts next in its place;
// once the subscription is closed, it closes next instead and reports
// false.
func (s *subscription) replace(next *redis.PubSub) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		next.Close()
		return false
	}
	if s.ps != nil {
		s.ps.Close()
	}
	s.ps = next
	return true
}

// close closes the PubSub in use, which ends a receive in progress.
func (s *subscription) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	if s.ps != nil {
		s.ps.Close()
	}
}

// receive delivers the messages of sub until ctx is done, and closes
// subscribed once Redis first confirms the subscription.
func (r *Revocations) receive(ctx context.Context, sub *subscription, deliver func(string), subscribed chan<- struct{}) {
	failing, confirmed := false, false
	pinged := false // a ping is unanswered
	for {
		ps := sub.current()
		wait := r.probe
		if pinged {
			wait = min(r.probe, pongWait)
		}
		msg, err := ps.ReceiveTimeout(ctx, wait)
		if ctx.Err() != nil {
			return
		}
		var netErr net.Error
		switch {
		case errors.As(err, &netErr) && netErr.Timeout() && pinged:
			// Not even the pong came back: the connection is dead without
			// a word (a half-open TCP connection, a dropped NAT entry), and
			// writes to it still succeed, so go-redis would keep it until
			// the kernel gives up on it, many minutes later. Only a new
			// connection ends that.
			r.logger.Warn("b2bauth: redis revocations: no answer to a ping; subscribing on a new connection")
			pinged, failing = false, true
			if !sub.replace(r.rdb.Subscribe(ctx, r.channel)) {
				return
			}
		case errors.As(err, &netErr) && netErr.Timeout():
			// Quiet for a while: make sure the connection still stands (a
			// failed ping makes the next receive reconnect, an unanswered
			// one the case above).
			if err := ps.Ping(ctx); err != nil {
				if ctx.Err() == nil {
					r.logger.Warn("b2bauth: redis revocations: ping failed", "error", err)
				}
			} else {
				pinged = true
			}
		case err != nil:
			pinged = false
			if !failing {
				r.logger.Warn("b2bauth: redis revocations: subscription lost; retrying", "error", err)
				failing = true
			}
			t := time.NewTimer(r.retry)
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-t.C:
			}
		default:
			pinged = false
			switch m := msg.(type) {
			case *redis.Message:
				deliver(m.Payload)
			case *redis.Subscription:
				if !confirmed {
					confirmed = true
					close(subscribed)
				}
				if failing {
					r.logger.Info("b2bauth: redis revocations: subscribed again")
					failing = false
				}
			}
		}
	}
}
