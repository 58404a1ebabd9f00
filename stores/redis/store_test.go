package redisstore_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/redis/go-redis/v9"
	"go.uber.org/goleak"

	"github.com/b2bauth/b2bauth/flows"
	redisstore "github.com/b2bauth/b2bauth/stores/redis"
)

// quiet drops go-redis's own log lines (dial failures while a test has
// stopped the server).
type quiet struct{}

func (quiet) Printf(context.Context, string, ...any) {}

func TestMain(m *testing.M) {
	redis.SetLogger(quiet{})
	goleak.VerifyTestMain(m)
}

func newStore(t testing.TB, rdb redis.UniversalClient, project string) *redisstore.Store {
	t.Helper()
	s, err := redisstore.New(rdb, project)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestStore(t *testing.T) {
	t.Parallel()
	srv := startRedis(t, false)
	ctx := context.Background()
	k := flows.Key{1}
	tests := []struct {
		name string
		run  func(t *testing.T, s *redisstore.Store, rdb *redis.Client, project string)
	}{
		{"Add counts and every call sets the expiry again", func(t *testing.T, s *redisstore.Store, rdb *redis.Client, project string) {
			for want := int64(1); want <= 3; want++ {
				if n, err := s.Add(ctx, k, 1, time.Duration(want)*time.Minute); n != want || err != nil {
					t.Fatalf("Add = %d, %v, want %d", n, err, want)
				}
			}
			if n, _ := s.Add(ctx, k, -1, time.Hour); n != 2 {
				t.Fatalf("Add -1 = %d, want 2", n)
			}
			v, ttl, ok, err := s.Get(ctx, k)
			if string(v) != "2" || !ok || err != nil || ttl <= 59*time.Minute || ttl > time.Hour {
				t.Fatalf("Get = %q %s %v %v, want \"2\" about 1h", v, ttl, ok, err)
			}
		}},
		{"SetNX stores only when nothing live is there", func(t *testing.T, s *redisstore.Store, rdb *redis.Client, project string) {
			if set, err := s.SetNX(ctx, k, []byte("a"), time.Minute); !set || err != nil {
				t.Fatalf("first SetNX = %v, %v", set, err)
			}
			if set, err := s.SetNX(ctx, k, []byte("b"), time.Hour); set || err != nil {
				t.Fatalf("second SetNX = %v, %v, want not stored", set, err)
			}
			v, ttl, ok, err := s.Get(ctx, k)
			if string(v) != "a" || !ok || err != nil || ttl <= 50*time.Second || ttl > time.Minute {
				t.Fatalf("Get = %q %s %v %v, want \"a\" about 1m", v, ttl, ok, err)
			}
		}},
		{"Get of an absent key reports none", func(t *testing.T, s *redisstore.Store, rdb *redis.Client, project string) {
			if v, _, ok, err := s.Get(ctx, k); ok || v != nil || err != nil {
				t.Fatalf("Get = %q %v %v, want nothing", v, ok, err)
			}
		}},
		{"Delete removes a record and accepts an absent one", func(t *testing.T, s *redisstore.Store, rdb *redis.Client, project string) {
			s.SetNX(ctx, k, []byte("a"), time.Minute)
			for range 2 {
				if err := s.Delete(ctx, k); err != nil {
					t.Fatal(err)
				}
			}
			if _, _, ok, _ := s.Get(ctx, k); ok {
				t.Fatal("a deleted record is still there")
			}
		}},
		{"keys are namespaced by the project and all expire", func(t *testing.T, s *redisstore.Store, rdb *redis.Client, project string) {
			s.Add(ctx, k, 1, time.Minute)
			s.SetNX(ctx, flows.Key{2}, []byte("x"), time.Minute+1500*time.Microsecond)
			keys, err := rdb.Keys(ctx, "b2bauth:{"+project+"}:flows:*").Result()
			if err != nil || len(keys) == 0 {
				t.Fatalf("keys %v, %v", keys, err)
			}
			want := "b2bauth:{" + project + "}:flows:" + k.String()
			found := false
			for _, key := range keys {
				found = found || key == want
				if ttl := rdb.PTTL(ctx, key).Val(); ttl <= 0 {
					t.Errorf("key %s has no expiry (%s)", key, ttl)
				}
			}
			if !found {
				t.Fatalf("keys %v lack %s", keys, want)
			}
			other := newStore(t, rdb, project+"-other")
			if _, _, ok, _ := other.Get(ctx, k); ok {
				t.Fatal("another project reads the record")
			}
		}},
		{"a TTL that is not positive is refused", func(t *testing.T, s *redisstore.Store, rdb *redis.Client, project string) {
			if _, err := s.Add(ctx, k, 1, 0); err == nil {
				t.Fatal("Add with TTL 0 succeeded")
			}
			if _, err := s.SetNX(ctx, k, nil, -time.Second); err == nil {
				t.Fatal("SetNX with a negative TTL succeeded")
			}
		}},
		{"a key holds a counter or a value, not both", func(t *testing.T, s *redisstore.Store, rdb *redis.Client, project string) {
			s.SetNX(ctx, k, []byte("a"), time.Minute)
			if _, err := s.Add(ctx, k, 1, time.Minute); err == nil {
				t.Fatal("Add to a value succeeded")
			}
		}},
		{"scripts flushed from Redis are loaded again", func(t *testing.T, s *redisstore.Store, rdb *redis.Client, project string) {
			s.Add(ctx, k, 1, time.Minute)
			if err := rdb.ScriptFlush(ctx).Err(); err != nil {
				t.Fatal(err)
			}
			if n, err := s.Add(ctx, k, 1, time.Minute); n != 2 || err != nil {
				t.Fatalf("Add after SCRIPT FLUSH = %d, %v", n, err)
			}
			if _, _, ok, err := s.Get(ctx, k); !ok || err != nil {
				t.Fatalf("Get after SCRIPT FLUSH = %v, %v", ok, err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rdb := srv.Client(t)
			project := projectID(t)
			tt.run(t, newStore(t, rdb, project), rdb, project)
		})
	}
}

func TestNewRefusesBadArguments(t *testing.T) {
	t.Parallel()
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"})
	defer rdb.Close()
	tests := []struct {
		name    string
		rdb     redis.UniversalClient
		project string
	}{
		{"a nil client is refused", nil, "project-test-1"},
		{"an empty project id is refused", rdb, ""},
		{"a project id with braces is refused", rdb, "project-{x}"},
		{"a project id with a colon is refused", rdb, "project:x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := redisstore.New(tt.rdb, tt.project); err == nil {
				t.Fatal("New accepted it")
			}
			if _, err := redisstore.NewRevocations(tt.rdb, tt.project); err == nil {
				t.Fatal("NewRevocations accepted it")
			}
		})
	}
}

func TestUnreachableRedisIsUnavailable(t *testing.T) {
	t.Parallel()
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1, DialTimeout: 200 * time.Millisecond})
	defer rdb.Close()
	s := newStore(t, rdb, "project-test-down")
	if _, err := s.Add(context.Background(), flows.Key{}, 1, time.Minute); !errors.Is(err, redisstore.ErrUnavailable) {
		t.Fatalf("Add = %v, want ErrUnavailable", err)
	}
	if _, _, _, err := s.Get(context.Background(), flows.Key{}); !errors.Is(err, redisstore.ErrUnavailable) {
		t.Fatalf("Get = %v, want ErrUnavailable", err)
	}
}

// TestCallsAreBoundedInTime: against a Redis that accepts connections and
// never answers, each call of the store ends, as an outage, within the
// client's timeouts, or the request's deadline with ContextTimeoutEnabled,
// as the package documentation says.
func TestCallsAreBoundedInTime(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		opts     redis.Options
		deadline time.Duration
		within   time.Duration
	}{
		{"short client timeouts bound a call without a deadline",
			redis.Options{DialTimeout: 200 * time.Millisecond, ReadTimeout: 200 * time.Millisecond, WriteTimeout: 200 * time.Millisecond, MaxRetries: -1}, 0, time.Second},
		{"with ContextTimeoutEnabled the request's deadline bounds a call",
			redis.Options{ContextTimeoutEnabled: true, MaxRetries: -1}, 100 * time.Millisecond, time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// In a bubble the time a call takes is measured in fake time.
			synctest.Test(t, func(t *testing.T) {
				opts, closeRedis := silentRedis(tt.opts)
				defer closeRedis()
				rdb := redis.NewClient(opts)
				defer rdb.Close()
				s := newStore(t, rdb, projectID(t))
				ctx := context.Background()
				if tt.deadline > 0 {
					var cancel context.CancelFunc
					ctx, cancel = context.WithTimeout(ctx, tt.deadline)
					defer cancel()
				}
				start := time.Now()
				_, err := s.Add(ctx, flows.Key{1}, 1, time.Minute)
				if took := time.Since(start); took > tt.within {
					t.Errorf("Add took %s, want at most %s", took, tt.within)
				}
				if !errors.Is(err, redisstore.ErrUnavailable) {
					t.Errorf("Add = %v, want ErrUnavailable", err)
				}
			})
		})
	}
}
