// Package redisstore keeps the shared state of b2bauth's replicas in Redis:
// [Store] holds the guard of the login handlers (wrong-code counts and
// locks, SMS cooldowns, entries into an organization in flight), so that
// its limits hold across every instance of an application, and
// [Revocations] carries revoked sessions from the instance that learns of
// them to every other one.
//
//	rdb := redis.NewClient(opts) // github.com/redis/go-redis/v9
//	store, _ := redisstore.New(rdb, projectID)
//	feed, _ := redisstore.NewRevocations(rdb, projectID)
//	mw, _ := middleware.New(c, middleware.WithRevocations(feed))
//	login, _ := flows.New(c, mw, flows.WithStore(store), ...)
//
// Keys are namespaced by the Stytch project id, as
// "b2bauth:{<project id>}:flows:<hex key>", and every one expires; the
// braces make a Redis Cluster keep a project's keys in one slot. Each call
// of the store is one round trip: a single command or a Lua script.
//
// Guarantee of the revocations: a logout on any replica is honoured by
// every subscribed replica within about a second, while Redis is up. While
// Redis is down, each replica keeps the local JWT rules as without the
// feed (JWTs it verified are served until their maximum age, 5 minutes by
// default), revocations published in the meantime are lost, and nothing is
// logged out because of the outage; the steps of the login handlers answer
// 503 and keep their flow, and no lock is lifted. Once Redis is back, both
// work again without a restart.
//
// Calls are bounded in time by the client's options (DialTimeout,
// ReadTimeout, WriteTimeout, PoolTimeout); keep them short, e.g. 500 ms, so
// that an unreachable Redis answers as an outage rather than hangs a login
// step. go-redis ignores the deadline of the request's context unless the
// client's ContextTimeoutEnabled option is set: set it too for a request's
// deadline to end a call to a Redis that does not answer.
package redisstore
