package redisstore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/b2bauth/b2bauth/flows"
)

// ErrUnavailable wraps every error of a Redis call: the server could not
// be reached or answered with an error. The login handlers answer it as an
// outage (503) and keep the flow.
var ErrUnavailable = errors.New("b2bauth: redis unavailable")

// Store is a [flows.Store] in Redis, shared by every instance of an
// application that uses the same Redis and Stytch project. Create it with
// [New]; it is safe for concurrent use.
type Store struct {
	rdb    redis.UniversalClient
	prefix string // "b2bauth:{<project id>}:flows:"
}

var _ flows.Store = (*Store)(nil)

// New returns a store in rdb for the Stytch project projectID, whose id
// namespaces the keys. It does not contact Redis: an unreachable Redis is
// an outage of each call, not an error of New.
func New(rdb redis.UniversalClient, projectID string) (*Store, error) {
	if rdb == nil {
		return nil, errors.New("b2bauth: redis store: nil client")
	}
	if err := checkProjectID(projectID); err != nil {
		return nil, err
	}
	return &Store{rdb: rdb, prefix: namespace(projectID) + ":flows:"}, nil
}

// namespace is the prefix of every key and channel of a project.
func namespace(projectID string) string { return "b2bauth:{" + projectID + "}" }

func checkProjectID(id string) error {
	if id == "" || len(id) > 128 || strings.ContainsAny(id, "{}: \t\r\n") {
		return fmt.Errorf("b2bauth: redis store: project id %q must be a Stytch project id", id)
	}
	return nil
}

func (s *Store) key(k flows.Key) string { return s.prefix + k.String() }

// milliseconds returns ttl in whole milliseconds, rounded up: a TTL is
// never shortened.
func milliseconds(ttl time.Duration) (int64, error) {
	if ttl <= 0 {
		return 0, fmt.Errorf("b2bauth: redis store: TTL %s is not positive", ttl)
	}
	return int64((ttl + time.Millisecond - 1) / time.Millisecond), nil
}

func unavailable(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%w: %w", ErrUnavailable, err)
}

// addScript adds to a counter and sets its expiry, atomically.
var addScript = redis.NewScript(`
local n = redis.call('INCRBY', KEYS[1], ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return n`)

// getScript reads a record and the time it has left, atomically.
var getScript = redis.NewScript(`
local v = redis.call('GET', KEYS[1])
if not v then return false end
return {v, redis.call('PTTL', KEYS[1])}`)

// Add implements [flows.Store] with INCRBY and PEXPIRE in one script.
func (s *Store) Add(ctx context.Context, key flows.Key, delta int64, ttl time.Duration) (int64, error) {
	ms, err := milliseconds(ttl)
	if err != nil {
		return 0, err
	}
	n, err := addScript.Run(ctx, s.rdb, []string{s.key(key)}, delta, ms).Int64()
	return n, unavailable(err)
}

// SetNX implements [flows.Store] with SET NX PX.
func (s *Store) SetNX(ctx context.Context, key flows.Key, value []byte, ttl time.Duration) (bool, error) {
	ms, err := milliseconds(ttl)
	if err != nil {
		return false, err
	}
	set, err := s.rdb.SetNX(ctx, s.key(key), value, time.Duration(ms)*time.Millisecond).Result()
	return set, unavailable(err)
}

// Get implements [flows.Store] with GET and PTTL in one script.
func (s *Store) Get(ctx context.Context, key flows.Key) ([]byte, time.Duration, bool, error) {
	res, err := getScript.Run(ctx, s.rdb, []string{s.key(key)}).Slice()
	if errors.Is(err, redis.Nil) {
		return nil, 0, false, nil
	}
	if err != nil {
		return nil, 0, false, unavailable(err)
	}
	if len(res) != 2 {
		return nil, 0, false, unavailable(fmt.Errorf("unexpected answer %v", res))
	}
	v, ok := res[0].(string)
	pttl, ok2 := res[1].(int64)
	if !ok || !ok2 {
		return nil, 0, false, unavailable(fmt.Errorf("unexpected answer %v", res))
	}
	// A key without expiry (-1) was not written by a store: give it the
	// shortest life rather than none.
	return []byte(v), max(time.Duration(pttl)*time.Millisecond, time.Millisecond), true, nil
}

// Delete implements [flows.Store] with DEL.
func (s *Store) Delete(ctx context.Context, key flows.Key) error {
	return unavailable(s.rdb.Del(ctx, s.key(key)).Err())
}
