package redisstore_test

import (
	"context"
	"net"
	"sync"
	"testing"

	"github.com/redis/go-redis/v9"
)

// silentRedis returns the options of a client whose connections reach a
// Redis that accepts them and never answers, as an overloaded one or one
// behind a stuck proxy does. The connections are in-memory pipes, so a test
// in a synctest bubble measures the client's timeouts in fake time; close
// ends the server's side of every connection.
func silentRedis(opts redis.Options) (_ *redis.Options, close func()) {
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	// Never dialled; an IP, as go-redis looks a host name up itself.
	opts.Addr = "127.0.0.1:6379"
	opts.Dialer = func(context.Context, string, string) (net.Conn, error) {
		client, server := net.Pipe()
		mu.Lock()
		conns = append(conns, server)
		mu.Unlock()
		wg.Go(func() {
			buf := make([]byte, 4096)
			for {
				if _, err := server.Read(buf); err != nil {
					return
				}
			}
		})
		return client, nil
	}
	return &opts, func() {
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	}
}

// proxy forwards loopback TCP connections to a Redis server and can make
// the connections it holds go silent without closing them, as a dead NAT
// entry or a half-open connection does: bytes written on either side are
// then dropped, and no error reaches either side. Connections made after
// Freeze are forwarded normally.
type proxy struct {
	t      testing.TB
	target string
	ln     net.Listener
	wg     sync.WaitGroup

	mu    sync.Mutex
	conns map[*proxyConn]bool
}

// proxyConn is one forwarded connection.
type proxyConn struct {
	client, server net.Conn
	mu             sync.Mutex
	frozen         bool
}

// newProxy starts a proxy to target (host:port), stopped when the test ends.
func newProxy(t testing.TB, target string) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{t: t, target: target, ln: ln, conns: map[*proxyConn]bool{}}
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(p.close)
	return p
}

// Addr is the address clients dial.
func (p *proxy) Addr() string { return p.ln.Addr().String() }

func (p *proxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		s, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		pc := &proxyConn{client: c, server: s}
		p.mu.Lock()
		p.conns[pc] = true
		p.mu.Unlock()
		p.wg.Add(2)
		go p.pipe(pc, c, s)
		go p.pipe(pc, s, c)
	}
}

// pipe copies from src to dst until either closes, dropping what it reads
// while pc is frozen.
func (p *proxy) pipe(pc *proxyConn, src, dst net.Conn) {
	defer p.wg.Done()
	defer pc.client.Close()
	defer pc.server.Close()
	buf := make([]byte, 4096)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			pc.mu.Lock()
			frozen := pc.frozen
			pc.mu.Unlock()
			if !frozen {
				if _, werr := dst.Write(buf[:n]); werr != nil {
					return
				}
			}
		}
		if err != nil {
			return
		}
	}
}

// Freeze makes every connection open now go silent.
func (p *proxy) Freeze() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for pc := range p.conns {
		pc.mu.Lock()
		pc.frozen = true
		pc.mu.Unlock()
	}
}

func (p *proxy) close() {
	p.ln.Close()
	p.mu.Lock()
	for pc := range p.conns {
		pc.client.Close()
		pc.server.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}
