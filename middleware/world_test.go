package middleware_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/b2bauth/b2bauth/client"
	"github.com/b2bauth/b2bauth/emulator"
	"github.com/b2bauth/b2bauth/middleware"
)

// authenticatePath is Stytch's sessions authenticate call, the remote check.
const authenticatePath = "/v1/b2b/sessions/authenticate"

// newWorld starts an emulator, built with opts, holding one organization
// ("acme") and one admin (ada@acme.test), and returns a client for it and
// the admin's session cookies. With emulator.WithClock, the session, its JWT
// and its expiry are all stamped by that clock. The emulator closes with t.
func newWorld(t testing.TB, opts ...emulator.Option) (*emulator.Server, *client.Client, []*http.Cookie) {
	t.Helper()
	emu, err := emulator.New(append(opts, emulator.WithSeed(emulator.Seed{
		Organizations: []emulator.OrganizationSeed{{Name: "Acme", Slug: "acme"}},
		Members:       []emulator.MemberSeed{{Organization: "acme", Email: "ada@acme.test", Roles: []string{"stytch_admin"}}},
	}))...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(emu.Close)
	c, err := client.New(emu.ProjectID(), emu.Secret(), client.WithBaseURL(emu.URL()))
	if err != nil {
		t.Fatal(err)
	}
	member, _ := emu.MemberID("acme", "ada@acme.test")
	return emu, c, sessionCookies(t, emu, member)
}

// addMember adds a member without extra roles to the "acme" organization of
// newWorld and returns the cookies of a new session for them.
func addMember(t testing.TB, emu *emulator.Server, seed emulator.MemberSeed, opts ...emulator.SessionOption) []*http.Cookie {
	t.Helper()
	seed.Organization = "acme"
	id, err := emu.AddMember(seed)
	if err != nil {
		t.Fatal(err)
	}
	return sessionCookies(t, emu, id, opts...)
}

// sessionCookies starts a session for the member and returns its cookies,
// the session token first and the JWT second.
func sessionCookies(t testing.TB, emu *emulator.Server, member string, opts ...emulator.SessionOption) []*http.Cookie {
	t.Helper()
	token, jwt, err := emu.CreateSession(member, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return []*http.Cookie{
		{Name: middleware.DefaultSessionCookie, Value: token},
		{Name: middleware.DefaultJWTCookie, Value: jwt},
	}
}

// newMiddleware is middleware.New that fails t on an error. The caller
// closes the middleware.
func newMiddleware(t testing.TB, c *client.Client, opts ...middleware.Option) *middleware.Middleware {
	t.Helper()
	m, err := middleware.New(c, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// call sends an API request (Accept: application/json) to h and returns the
// status and the body without its final newline.
func call(h http.Handler, r *http.Request) string {
	r.Header.Set("Accept", "application/json")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	body, _ := io.ReadAll(w.Result().Body)
	return fmt.Sprint(w.Code, " ", strings.TrimSuffix(string(body), "\n"))
}

// navigate sends h a top-level browser navigation and returns the status and
// the Location header, if any.
func navigate(h http.Handler, target string, cookies []*http.Cookie) string {
	r := withCookies(target, cookies)
	r.Header.Set("Sec-Fetch-Mode", "navigate")
	r.Header.Set("Accept", "text/html")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return strings.TrimSpace(fmt.Sprint(w.Code, " ", w.Header().Get("Location")))
}

// withCookies returns a GET request for target carrying cookies.
func withCookies(target string, cookies []*http.Cookie) *http.Request {
	r := httptest.NewRequest(http.MethodGet, target, nil)
	for _, c := range cookies {
		r.AddCookie(c)
	}
	return r
}

// bearerRequest is an API request carrying jwt in an Authorization header.
func bearerRequest(jwt string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "/api/reports", nil)
	r.Header.Set("Authorization", "Bearer "+jwt)
	return r
}

// hello greets the organization of the request's session.
var hello = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	s, _ := middleware.SessionFrom(r.Context())
	fmt.Fprint(w, "hello ", s.OrganizationSlug)
})

// countingTransport counts the requests sent through it.
type countingTransport struct{ n atomic.Int64 }

func (t *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	t.n.Add(1)
	return http.DefaultTransport.RoundTrip(r)
}
