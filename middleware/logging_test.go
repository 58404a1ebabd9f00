package middleware_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/b2bauth/b2bauth/emulator"
	"github.com/b2bauth/b2bauth/middleware"
	"github.com/b2bauth/b2bauth/middleware/middlewaretest"
)

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestLogsNeverCarryCredentials walks the paths that log (rejections,
// outages, degraded service) at debug level and looks for any credential in
// the output.
func TestLogsNeverCarryCredentials(t *testing.T) {
	t.Parallel()
	var logs lockedBuffer
	e := middlewaretest.NewEnv(t, middleware.WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))),
		middleware.WithMaxTokenAge(time.Minute))
	tok, jwtRaw := e.Login(t, e.MemberID)
	h := protected(e.Middleware)

	serve(h, jsonRequest(e.SessionCookies(tok, jwtRaw+"x")))    // bad signature
	serve(h, jsonRequest(e.SessionCookies(tok, "garbage.jwt"))) // malformed
	e.Clock.Advance(2 * time.Minute)                            // too old, still unexpired
	e.Emulator.SetFault(emulator.Fault{Path: "/v1/b2b/sessions/authenticate", Status: 503})
	if res := serve(h, jsonRequest(e.SessionCookies(tok, jwtRaw))); res.StatusCode != http.StatusOK {
		t.Fatalf("a locally valid JWT past its max age during an outage: status %d, want 200", res.StatusCode)
	}
	e.Clock.Advance(5 * time.Minute) // expired: now Stytch is needed
	if res := serve(h, jsonRequest(e.SessionCookies(tok, jwtRaw))); res.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("an expired JWT during an outage: status %d, want 503", res.StatusCode)
	}

	out := logs.String()
	if !strings.Contains(out, "unavailable") {
		t.Fatalf("the outage was not logged; logs:\n%s", out)
	}
	for name, secret := range map[string]string{
		"session token":  tok,
		"JWT signature":  jwtRaw[strings.LastIndex(jwtRaw, ".")+1:],
		"JWT payload":    strings.Split(jwtRaw, ".")[1],
		"project secret": e.Emulator.Secret(),
	} {
		if strings.Contains(out, secret) {
			t.Errorf("the logs contain the %s", name)
		}
	}
}
