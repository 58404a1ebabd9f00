package middleware_test

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/b2bauth/b2bauth/emulator"
	"github.com/b2bauth/b2bauth/middleware"
	"github.com/b2bauth/b2bauth/middleware/middlewaretest"
)

// sessionOf verifies the credentials as a request would and returns the
// session the handler sees.
func sessionOf(t *testing.T, e *middlewaretest.Env, token, jwt string) *middleware.Session {
	t.Helper()
	var got *middleware.Session
	h := e.Middleware.RequireSession(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, _ = middleware.SessionFrom(r.Context())
	}))
	if res := serve(h, jsonRequest(e.SessionCookies(token, jwt))); res.StatusCode != http.StatusOK {
		t.Fatalf("session refused: %d", res.StatusCode)
	}
	return got
}

func TestSessionEmail(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		factor  emulator.Factor
		advance time.Duration // past the JWT: verified remotely
		want    string
	}{
		{"an email factor of the JWT gives the address", emulator.Factor{Type: "magic_link", DeliveryMethod: "email"}, 0, "member@acme.test"},
		{"an OAuth factor of the JWT gives none", emulator.Factor{Type: "oauth", DeliveryMethod: "oauth_google"}, 0, ""},
		{"a remote answer gives the member's address, OAuth included", emulator.Factor{Type: "oauth", DeliveryMethod: "oauth_google"}, 6 * time.Minute, "member@acme.test"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := middlewaretest.NewEnv(t)
			token, jwt, err := e.Emulator.CreateSession(e.MemberID, emulator.WithSessionFactors(tt.factor))
			if err != nil {
				t.Fatal(err)
			}
			e.Clock.Advance(tt.advance)
			if s := sessionOf(t, e, token, jwt); s.Email != tt.want {
				t.Fatalf("Session.Email = %q, want %q", s.Email, tt.want)
			}
		})
	}
}

func TestMemberLookup(t *testing.T) {
	t.Parallel()
	memberPath := func(e *middlewaretest.Env) string {
		return "/v1/b2b/organizations/" + e.OrganizationID + "/member"
	}
	t.Run("an OAuth session's member has its name and email, cached", func(t *testing.T) {
		t.Parallel()
		e := middlewaretest.NewEnv(t)
		token, jwt, err := e.Emulator.CreateSession(e.MemberID, emulator.WithSessionFactors(emulator.Factor{Type: "oauth", DeliveryMethod: "oauth_google"}))
		if err != nil {
			t.Fatal(err)
		}
		s := sessionOf(t, e, token, jwt)
		e.Emulator.ResetCalls()
		for range 3 {
			m, err := e.Middleware.Member(context.Background(), s)
			if err != nil || m.EmailAddress != "member@acme.test" || m.MemberID != e.MemberID {
				t.Fatalf("Member = %+v, %v, want member@acme.test", m, err)
			}
		}
		if n := e.Emulator.Calls(http.MethodGet, memberPath(e)); n != 1 {
			t.Fatalf("3 lookups made %d calls, want 1", n)
		}
		e.Clock.Advance(middleware.MemberCacheTTL + time.Second)
		if _, err := e.Middleware.Member(context.Background(), s); err != nil {
			t.Fatal(err)
		}
		if n := e.Emulator.Calls(http.MethodGet, memberPath(e)); n != 2 {
			t.Fatalf("a lookup after the TTL made %d calls in all, want 2", n)
		}
	})
	t.Run("concurrent lookups of one member make one call", func(t *testing.T) {
		t.Parallel()
		e := middlewaretest.NewEnv(t)
		token, jwt := e.Login(t, e.MemberID)
		s := sessionOf(t, e, token, jwt)
		e.Emulator.SetFault(emulator.Fault{Path: memberPath(e), Latency: 500 * time.Millisecond})
		e.Emulator.ResetCalls()
		var wg sync.WaitGroup
		for range 50 {
			wg.Go(func() {
				if _, err := e.Middleware.Member(context.Background(), s); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if n := e.Emulator.Calls(http.MethodGet, memberPath(e)); n != 1 {
			t.Fatalf("50 concurrent lookups made %d calls, want 1", n)
		}
	})
	t.Run("failures are typed", func(t *testing.T) {
		t.Parallel()
		e := middlewaretest.NewEnv(t)
		if _, err := e.Middleware.Member(context.Background(), nil); !errors.Is(err, middleware.ErrNoSession) {
			t.Fatalf("nil session: %v, want ErrNoSession", err)
		}
		gone := &middleware.Session{MemberID: "member-test-00000000-0000-0000-0000-000000000000", OrganizationID: e.OrganizationID}
		if _, err := e.Middleware.Member(context.Background(), gone); !errors.Is(err, middleware.ErrMemberNotFound) {
			t.Fatalf("unknown member: %v, want ErrMemberNotFound", err)
		}
		e.Emulator.SetFault(emulator.Fault{Path: memberPath(e), Status: http.StatusServiceUnavailable})
		s := &middleware.Session{MemberID: e.AdminID, OrganizationID: e.OrganizationID}
		if _, err := e.Middleware.Member(context.Background(), s); !errors.Is(err, middleware.ErrUnavailable) {
			t.Fatalf("outage: %v, want ErrUnavailable", err)
		}
	})
}
