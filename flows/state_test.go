package flows_test

import (
	"bytes"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/b2bauth/b2bauth/emulator"
	"github.com/b2bauth/b2bauth/flows"
)

var otherKeys = flows.KeyPair{Hash: bytes.Repeat([]byte{3}, 64), Block: bytes.Repeat([]byte{4}, 16)}

// TestBadFlowCookiesAreRefused: a flow cookie that is not exactly one of
// ours, still valid, leads back to the email form and is cleared.
func TestBadFlowCookiesAreRefused(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		value    func(h *harness) string
		wantCode string
	}{
		{"a forged value", func(*harness) string { return "bm90IGEgZmxvdw" }, "flow_invalid"},
		{"a tampered value", func(h *harness) string {
			v := []byte(h.flowCookie())
			i := len(v) / 2
			if v[i] == 'A' {
				v[i] = 'B'
			} else {
				v[i] = 'A'
			}
			return string(v)
		}, "flow_invalid"},
		{"a value of another key", func(h *harness) string {
			other, err := flows.New(h.client, h.mw, flows.WithCookieKeys(otherKeys), flows.WithPublicURL(h.srv.URL))
			if err != nil {
				h.t.Fatal(err)
			}
			v, err := flows.EncodeFlowCookie(other, "ist", h.clock.Now().Add(time.Minute))
			if err != nil {
				h.t.Fatal(err)
			}
			return v
		}, "flow_invalid"},
		{"an expired value", func(h *harness) string {
			v := h.flowCookie()
			h.clock.Advance(11 * time.Minute)
			return v
		}, "flow_expired"},
		{"an oversized value", func(*harness) string { return strings.Repeat("A", flows.MaxCookieSize+10) }, "flow_invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			h.org(emulator.OrganizationSeed{Name: "Acme", Slug: "acme"})
			h.member(emulator.MemberSeed{Organization: "acme", Email: "ned@acme.example"})
			h.discover("ned@acme.example", "")
			h.setCookie(flows.FlowCookieName(h.flows), tt.value(h))

			a := h.getJSON("/auth/organizations")
			if a.status == http.StatusOK || a.errorCode(t) != tt.wantCode || a.json(t)["next"] != "email" {
				t.Fatalf("organizations = %d %s, want %s and the email step", a.status, a.body, tt.wantCode)
			}
			if h.flowCookie() != "" {
				t.Error("the refused flow cookie was not cleared")
			}
			if n := h.emu.Calls("POST", "/v1/b2b/discovery/organizations"); n != 0 {
				t.Errorf("a refused flow reached Stytch (%d calls)", n)
			}
		})
	}
}

// TestCookieKeyRotation: with a new key pair first, cookies of the old pair
// still decode.
func TestCookieKeyRotation(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	old, err := flows.EncodeFlowCookie(h.flows, "ist", h.clock.Now().Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	rotated, err := flows.New(h.client, h.mw, flows.WithCookieKeys(otherKeys, testKeys), flows.WithPublicURL(h.srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := flows.DecodeFlowCookie(rotated, old); err != nil {
		t.Fatalf("a cookie of the old key is refused after rotation: %v", err)
	}
	fresh, _ := flows.EncodeFlowCookie(rotated, "ist", h.clock.Now().Add(time.Minute))
	if _, err := flows.DecodeFlowCookie(h.flows, fresh); err == nil {
		t.Fatal("the new key did not encode")
	}
}

// TestFlowCookieAttributes: HttpOnly, Secure, SameSite=Lax, Path /, a
// __Host- name over https and 10 minutes of life.
func TestFlowCookieAttributes(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	req := h.postRequest("/auth/login", map[string][]string{"email": {"ola@acme.example"}}, "application/json")
	res, err := h.browser.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	var c *http.Cookie
	for _, rc := range res.Cookies() {
		if rc.Name == "__Host-b2bauth_flow" {
			c = rc
		}
	}
	if c == nil {
		t.Fatalf("no __Host-b2bauth_flow cookie in %v", res.Header["Set-Cookie"])
	}
	if !c.HttpOnly || !c.Secure || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.Domain != "" || c.MaxAge != 600 {
		t.Errorf("flow cookie = %+v", c)
	}
	if len(c.Value) >= flows.MaxCookieSize {
		t.Errorf("flow cookie of %d bytes", len(c.Value))
	}
}

// TestBrowserIDCookie: the pages give a browser without one a random id,
// in an HttpOnly, Secure, SameSite=Lax cookie of a __Host- name over https
// that lives until the browser is closed, and keep the id it has.
func TestBrowserIDCookie(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	browserID := func(path string) *http.Cookie {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, h.url(path), nil)
		req.Header.Set("Accept", "text/html")
		for _, c := range h.browser.Jar.Cookies(req.URL) {
			req.AddCookie(c)
		}
		res, err := h.browser.Transport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		h.browser.Jar.SetCookies(req.URL, res.Cookies())
		for _, rc := range res.Cookies() {
			if rc.Name == "__Host-b2bauth_browser" {
				return rc
			}
		}
		return nil
	}
	c := browserID("/auth/login")
	if c == nil {
		t.Fatal("the sign-in page set no __Host-b2bauth_browser cookie")
	}
	if !c.HttpOnly || !c.Secure || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.Domain != "" || c.MaxAge != 0 || !c.Expires.IsZero() {
		t.Errorf("browser id cookie = %+v", c)
	}
	if len(c.Value) != 32 {
		t.Errorf("browser id %q, want 32 characters", c.Value)
	}
	if again := browserID("/auth/o/acme"); again != nil {
		t.Errorf("a second page replaced the browser's id: %+v", again)
	}
	other := newBrowser(h)
	other.get("/auth/login")
	root, _ := url.Parse(h.url("/"))
	otherID := ""
	for _, oc := range other.browser.Jar.Cookies(root) {
		if oc.Name == "__Host-b2bauth_browser" {
			otherID = oc.Value
		}
	}
	if otherID == "" || otherID == c.Value {
		t.Errorf("another browser got the id %q, want one of its own", otherID)
	}
}

// TestManyOrganizationsStayWithinTheBudget: a discovery with more
// organizations than the cookie holds still lists them all.
func TestManyOrganizationsStayWithinTheBudget(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	const n = 60
	for i := range n {
		slug := "org-" + strings.Repeat("x", 40) + "-" + string(rune('a'+i%26)) + string(rune('a'+i/26))
		h.org(emulator.OrganizationSeed{Name: "Organization with a long name " + slug, Slug: slug, EmailAllowedDomains: []string{"big.example"}})
	}
	h.discover("pia@big.example", "")
	if len(h.flowCookie()) >= flows.MaxCookieSize {
		t.Fatalf("flow cookie of %d bytes", len(h.flowCookie()))
	}
	a := h.getJSON("/auth/organizations")
	if orgs, _ := a.json(t)["organizations"].([]any); len(orgs) != n {
		t.Fatalf("%d organizations listed, want %d", len(orgs), n)
	}
}

// FuzzDecodeFlowCookie: any cookie value decodes to a state or to an error
// matching ErrFlowInvalid; it never panics.
func FuzzDecodeFlowCookie(f *testing.F) {
	h, err := flows.New(newClient(f), newMiddleware(f), flows.WithCookieKeys(testKeys), flows.WithPublicURL("https://app.example"))
	if err != nil {
		f.Fatal(err)
	}
	valid, err := flows.EncodeFlowCookie(h, "ist", time.Now().Add(time.Minute))
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{"", "x", "|||", valid, valid[:len(valid)/2], strings.Repeat("A", 5000), "MTIzfGFiY3xkZWY="} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, value string) {
		state, err := flows.DecodeFlowCookie(h, value)
		if err != nil {
			var fe *flows.Error
			if !errors.As(err, &fe) || !errors.Is(err, flows.ErrFlowInvalid) {
				t.Fatalf("error %v (%T) is not an ErrFlowInvalid", err, err)
			}
			return
		}
		if state == "" {
			t.Fatal("no state and no error")
		}
	})
}
