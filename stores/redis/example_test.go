package redisstore_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/b2bauth/b2bauth/flows"
	redisstore "github.com/b2bauth/b2bauth/stores/redis"
)

// ExampleNew makes the shared store of the login handlers. New does not
// contact Redis: with no Redis listening, each call is an outage
// (ErrUnavailable), which the login handlers answer with 503.
func ExampleNew() {
	rdb := redis.NewClient(&redis.Options{
		Addr:         "127.0.0.1:1", // no Redis listens here
		DialTimeout:  500 * time.Millisecond,
		ReadTimeout:  500 * time.Millisecond,
		WriteTimeout: 500 * time.Millisecond,
		MaxRetries:   -1,
	})
	defer rdb.Close()
	store, err := redisstore.New(rdb, "project-test-6f1c2d3e")
	if err != nil {
		log.Fatal(err)
	}
	// login, err := flows.New(c, m, flows.WithStore(store), ...)

	_, err = store.Add(context.Background(), flows.Key{1}, 1, time.Minute)
	fmt.Println("outage:", errors.Is(err, redisstore.ErrUnavailable))
	_, err = redisstore.New(rdb, "")
	fmt.Println(err)
	// Output:
	// outage: true
	// b2bauth: redis store: project id "" must be a Stytch project id
}

// ExampleNewRevocations makes the revocation feed every instance passes to
// middleware.WithRevocations. NewRevocations does not contact Redis; a
// revocation published while Redis is down is an outage (ErrUnavailable).
func ExampleNewRevocations() {
	rdb := redis.NewClient(&redis.Options{
		Addr:        "127.0.0.1:1", // no Redis listens here
		DialTimeout: 500 * time.Millisecond,
		MaxRetries:  -1,
	})
	defer rdb.Close()
	feed, err := redisstore.NewRevocations(rdb, "project-test-6f1c2d3e")
	if err != nil {
		log.Fatal(err)
	}
	// m, err := middleware.New(c, middleware.WithRevocations(feed))

	err = feed.Publish(context.Background(), "member-session-test-1")
	fmt.Println("outage:", errors.Is(err, redisstore.ErrUnavailable))
	// Output:
	// outage: true
}
