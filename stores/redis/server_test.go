package redisstore_test

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// redisServer is a redis-server the test started, or one named by
// B2BAUTH_REDIS_URL (then it cannot be stopped).
type redisServer struct {
	t    testing.TB
	addr string // host:port, or "" with a URL
	url  string
	dir  string
	cmd  *exec.Cmd
	exit chan struct{}
}

// skipOrFail skips the test, or fails it when B2BAUTH_REQUIRE_REDIS=1.
func skipOrFail(t testing.TB, format string, args ...any) {
	t.Helper()
	if os.Getenv("B2BAUTH_REQUIRE_REDIS") == "1" {
		t.Fatalf(format+" (B2BAUTH_REQUIRE_REDIS=1)", args...)
	}
	t.Skipf(format+"; install redis-server or set B2BAUTH_REDIS_URL", args...)
}

// startRedis returns the Redis of B2BAUTH_REDIS_URL, or starts a
// redis-server on a free loopback port; own asks for a server of the
// test's own, which it may stop and start again.
func startRedis(t testing.TB, own bool) *redisServer {
	t.Helper()
	if u := os.Getenv("B2BAUTH_REDIS_URL"); u != "" && !own {
		return &redisServer{t: t, url: u}
	}
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		skipOrFail(t, "no redis-server in PATH")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	s := &redisServer{t: t, addr: addr, url: "redis://" + addr, dir: t.TempDir()}
	s.start(bin)
	t.Cleanup(s.Stop)
	return s
}

// start runs redis-server and waits until it says it accepts connections.
func (s *redisServer) start(bin string) {
	s.t.Helper()
	_, port, _ := net.SplitHostPort(s.addr)
	s.cmd = exec.Command(bin, "--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
		"--dir", s.dir, "--loglevel", "notice")
	out, err := s.cmd.StdoutPipe()
	if err != nil {
		s.t.Fatal(err)
	}
	if err := s.cmd.Start(); err != nil {
		skipOrFail(s.t, "redis-server does not start: %v", err)
	}
	ready := make(chan bool, 1)
	s.exit = make(chan struct{})
	go func() {
		sc := bufio.NewScanner(out)
		said := false
		for sc.Scan() {
			if !said && strings.Contains(sc.Text(), "Ready to accept connections") {
				said = true
				ready <- true
			}
		}
		if !said {
			ready <- false
		}
		io.Copy(io.Discard, out)
		s.cmd.Wait()
		close(s.exit)
	}()
	select {
	case ok := <-ready:
		if !ok {
			s.t.Fatalf("redis-server on %s exited before it was ready", s.addr)
		}
	case <-time.After(10 * time.Second):
		s.Stop()
		s.t.Fatalf("redis-server on %s not ready after 10s", s.addr)
	}
}

// Stop stops the server and waits for it to exit.
func (s *redisServer) Stop() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	s.cmd.Process.Kill()
	<-s.exit
	s.cmd = nil
}

// Restart starts the server again on the same port.
func (s *redisServer) Restart() {
	s.t.Helper()
	bin, _ := exec.LookPath("redis-server")
	s.start(bin)
}

// Client returns a client of the server with short timeouts, closed when
// the test ends.
func (s *redisServer) Client(t testing.TB) *redis.Client {
	t.Helper()
	opts, err := redis.ParseURL(s.url)
	if err != nil {
		t.Fatal(err)
	}
	opts.DialTimeout = 500 * time.Millisecond
	opts.ReadTimeout = 500 * time.Millisecond
	opts.WriteTimeout = 500 * time.Millisecond
	opts.MaxRetries = 0
	rdb := redis.NewClient(opts)
	t.Cleanup(func() { rdb.Close() })
	if err := rdb.Ping(context.Background()).Err(); err != nil {
		skipOrFail(t, "redis at %s does not answer: %v", s.url, err)
	}
	return rdb
}

// projectID returns a project id of the test's own, so that tests sharing
// a server share no key.
func projectID(t testing.TB) string {
	t.Helper()
	b := make([]byte, 8)
	rand.Read(b)
	return "project-test-" + hex.EncodeToString(b) + "-" + strconv.Itoa(os.Getpid())
}
