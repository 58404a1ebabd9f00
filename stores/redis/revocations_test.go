package redisstore_test

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/redis/go-redis/v9"

	redisstore "github.com/b2bauth/b2bauth/stores/redis"
)

// subscribed starts a feed of project on rdb whose subscription probes a
// quiet connection after probe, and returns the ids it delivers.
func subscribed(t *testing.T, rdb redis.UniversalClient, project string, probe time.Duration) <-chan string {
	t.Helper()
	feed, err := redisstore.NewRevocations(rdb, project)
	if err != nil {
		t.Fatal(err)
	}
	redisstore.SetProbe(feed, probe)
	delivered := make(chan string, 64)
	stop, err := feed.Subscribe(func(id string) {
		select {
		case delivered <- id:
		default:
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	return delivered
}

// publishUntilDelivered publishes id on rdb every 20 ms until delivered
// hands it over, for up to d.
func publishUntilDelivered(t *testing.T, rdb *redis.Client, project, id string, delivered <-chan string, d time.Duration) bool {
	t.Helper()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(d)
	for {
		rdb.Publish(context.Background(), "b2bauth:{"+project+"}:revoked", id)
		select {
		case got := <-delivered:
			if got == id {
				return true
			}
		case <-tick.C:
		case <-deadline:
			return false
		}
	}
}

// TestSilentConnectionIsReplaced: a subscription whose connection goes
// silent without an error (a half-open TCP connection: writes still
// succeed, nothing comes back) is noticed by its unanswered ping and made
// again, so revocations reach the replica again instead of being lost
// until the kernel gives up on the connection, many minutes later.
func TestSilentConnectionIsReplaced(t *testing.T) {
	t.Parallel()
	srv := startRedis(t, false)
	direct := srv.Client(t)
	p := newProxy(t, direct.Options().Addr)
	opts := *direct.Options()
	opts.Addr = p.Addr()
	viaProxy := redis.NewClient(&opts)
	t.Cleanup(func() { viaProxy.Close() })
	project := projectID(t)
	delivered := subscribed(t, viaProxy, project, 100*time.Millisecond)

	if !publishUntilDelivered(t, direct, project, "session-before", delivered, 2*time.Second) {
		t.Fatal("a revocation was not delivered before the connection went silent")
	}
	p.Freeze()
	if !publishUntilDelivered(t, direct, project, "session-after", delivered, 3*time.Second) {
		t.Fatal("a revocation was not delivered within 3s of the connection going silent")
	}
}

// silentFeed returns a revocation feed on a client with opts whose
// connections reach a Redis that never answers (see silentRedis), closed
// when the test ends; call it in a synctest bubble.
func silentFeed(t *testing.T, opts redis.Options) *redisstore.Revocations {
	t.Helper()
	o, closeRedis := silentRedis(opts)
	rdb := redis.NewClient(o)
	t.Cleanup(func() {
		rdb.Close()
		closeRedis()
	})
	feed, err := redisstore.NewRevocations(rdb, projectID(t))
	if err != nil {
		t.Fatal(err)
	}
	return feed
}

// TestSubscribeWaitsAtMostASecond: Subscribe, called by middleware.New,
// returns after a second even when Redis accepts the connection and never
// answers, whatever the client's own timeouts (go-redis's defaults here: 5 s
// to dial, 3 s to read). It runs in a synctest bubble: the second is exact.
func TestSubscribeWaitsAtMostASecond(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		feed := silentFeed(t, redis.Options{})
		start := time.Now()
		stop, err := feed.Subscribe(func(string) {})
		took := time.Since(start)
		if err != nil {
			t.Fatalf("Subscribe = %v, want no error for an unresponsive Redis", err)
		}
		defer stop()
		if took != time.Second {
			t.Fatalf("Subscribe took %s, want a second", took)
		}
	})
}

// TestStopWaitsAtMostTheClientsTimeouts: the stop function Subscribe
// returns, called by middleware.Middleware.Close when an application shuts
// down, waits for a subscription being made; against a Redis that accepts
// connections and never answers, go-redis ends that at its own timeouts,
// whatever the context, as the doc of Subscribe says.
func TestStopWaitsAtMostTheClientsTimeouts(t *testing.T) {
	t.Parallel()
	const timeout = 2 * time.Second
	synctest.Test(t, func(t *testing.T) {
		feed := silentFeed(t, redis.Options{DialTimeout: timeout, ReadTimeout: timeout})
		start := time.Now()
		stop, err := feed.Subscribe(func(string) {})
		if err != nil {
			t.Fatal(err)
		}
		stop()
		if took := time.Since(start); took > timeout {
			t.Fatalf("Subscribe and stop took %s, want at most the client's timeouts, %s", took, timeout)
		}
	})
}

// TestPublishOutlivesTheRequest: a revocation is published even when the
// request that ended the session was cancelled meanwhile (the browser
// closed after a logout): the session is already revoked at Stytch, and
// dropping the id would leave the other replicas serving its JWTs until
// their maximum age.
func TestPublishOutlivesTheRequest(t *testing.T) {
	t.Parallel()
	srv := startRedis(t, false)
	rdb := srv.Client(t)
	project := projectID(t)
	delivered := subscribed(t, rdb, project, time.Minute)
	feed, err := redisstore.NewRevocations(rdb, project)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := feed.Publish(ctx, "session-of-a-closed-tab"); err != nil {
		t.Fatalf("Publish with a cancelled request context = %v", err)
	}
	select {
	case id := <-delivered:
		if id != "session-of-a-closed-tab" {
			t.Fatalf("delivered %q", id)
		}
	case <-time.After(time.Second):
		t.Fatal("the revocation was not delivered within 1s")
	}
}
