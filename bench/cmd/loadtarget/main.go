// Command loadtarget is the server run.sh loads with wrk: one process with
// an embedded emulator, the b2bauth session middleware and two routes that
// answer the same small body,
//
//	GET /protected  behind middleware.RequireSession
//	GET /public     unprotected
//
// It creates a session for a seeded member with emulator.CreateSession and
// prints, on stdout, the URL and the Cookie header a logged-in browser would
// send:
//
//	url http://127.0.0.1:18089
//	cookie stytch_session=...; stytch_session_jwt=...
//
// then serves until SIGINT or SIGTERM. The session JWT is valid for 5
// minutes: after that, /protected still answers 200 but through a remote
// authentication on every request. Everything listens on loopback.
//
// It does not run the examples' demo app: examples/internal/demo is internal
// to the examples module, and the demo offers no way for another process to
// create a session without walking a login flow.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/b2bauth/b2bauth/client"
	"github.com/b2bauth/b2bauth/emulator"
	"github.com/b2bauth/b2bauth/middleware"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:18089", "loopback address to listen on")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, *addr, os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadtarget:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, addr string, out io.Writer) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("address %q is not on the loopback interface", addr)
	}
	emu, err := emulator.New(emulator.WithSeed(emulator.Seed{
		Organizations: []emulator.OrganizationSeed{{Name: "Acme", Slug: "acme"}},
		Members:       []emulator.MemberSeed{{Organization: "acme", Email: "member@acme.test"}},
	}))
	if err != nil {
		return err
	}
	defer emu.Close()
	c, err := client.New(emu.ProjectID(), emu.Secret(), client.WithBaseURL(emu.URL()))
	if err != nil {
		return err
	}
	m, err := middleware.New(c)
	if err != nil {
		return err
	}
	defer m.Close()

	hello := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, "hello\n")
	})
	mux := http.NewServeMux()
	mux.Handle("GET /protected", m.RequireSession(hello))
	mux.Handle("GET /public", hello)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}

	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	memberID, ok := emu.MemberID("acme", "member@acme.test")
	if !ok {
		return errors.New("seeded member missing")
	}
	token, jwtRaw, err := emu.CreateSession(memberID)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "url http://%s\n", ln.Addr())
	fmt.Fprintf(out, "cookie %s=%s; %s=%s\n", middleware.DefaultSessionCookie, token, middleware.DefaultJWTCookie, jwtRaw)

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
