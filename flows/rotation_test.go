package flows_test

import (
	"errors"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/b2bauth/b2bauth/emulator"
	"github.com/b2bauth/b2bauth/flows"
)

// rotationApp is the harness's app run as two replicas, a and b, behind
// one origin, sharing the emulator, the middleware and a flows store, each
// with its own cookie key list, as during a rolling deploy.
type rotationApp struct {
	*harness
	store flows.Store
	orgID string
}

func newRotationApp(t *testing.T) *rotationApp {
	t.Helper()
	app := &rotationApp{}
	app.harness = newHarness(t)
	app.store = flows.NewMemoryStore(app.clock.Now, 1000)
	app.orgID = app.org(emulator.OrganizationSeed{Name: "Acme", Slug: "acme"})
	return app
}

// replica returns a replica of the app with the key list keys.
func (app *rotationApp) replica(keys ...flows.KeyPair) *flows.Handler {
	app.t.Helper()
	f, err := flows.New(app.client, app.mw, flows.WithCookieKeys(keys...), flows.WithPublicURL(app.srv.URL),
		flows.WithClock(app.clock.Now), flows.WithStore(app.store))
	if err != nil {
		app.t.Fatal(err)
	}
	return f
}

// signIn signs a new browser in as email, each step served by the next of
// steps (the email form, the magic link, the organization choice), and
// returns the browser and the member id.
func (app *rotationApp) signIn(email string, steps [3]*flows.Handler) (*harness, string) {
	app.t.Helper()
	memberID := app.member(emulator.MemberSeed{Organization: "acme", Email: email})
	b := newBrowser(app.harness)
	b.serveWith(steps[0])
	if a := b.postJSON("/auth/login", url.Values{"email": {email}, "return_to": {"/dashboard"}}); a.status != http.StatusOK {
		app.t.Fatalf("POST /auth/login = %d %s", a.status, a.body)
	}
	link, _, _ := app.emu.LastMagicLink(email)
	b.serveWith(steps[1])
	if a := b.get(link); a.status != http.StatusSeeOther || a.location != "/auth/organizations" {
		app.t.Fatalf("callback = %d to %q, want 303 to /auth/organizations: %s", a.status, a.location, a.body)
	}
	b.serveWith(steps[2])
	b.expectDone(b.selectOrg(app.orgID), "/dashboard")
	b.expectLoggedIn(memberID)
	return b, memberID
}

// TestRollingCookieKeyRotation performs the rotation of the cookie keys
// that the docs describe, one replica at a time: the new pair added last
// everywhere, then made first everywhere, then, a flow lifetime later, the
// old pair dropped. At every stage a sign-in whose steps go to either
// replica finishes, and members signed in before stay signed in.
func TestRollingCookieKeyRotation(t *testing.T) {
	t.Parallel()
	oldKey, newKey := testKeys, otherKeys
	stages := []struct {
		name string
		a, b []flows.KeyPair
		// wait is how long the stage waits before its replicas serve.
		wait time.Duration
	}{
		{name: "before the rotation", a: []flows.KeyPair{oldKey}, b: []flows.KeyPair{oldKey}},
		{name: "while the new pair is added last", a: []flows.KeyPair{oldKey, newKey}, b: []flows.KeyPair{oldKey}},
		{name: "once every replica decodes with the new pair", a: []flows.KeyPair{oldKey, newKey}, b: []flows.KeyPair{oldKey, newKey}},
		{name: "while the new pair is made first", a: []flows.KeyPair{newKey, oldKey}, b: []flows.KeyPair{oldKey, newKey}},
		{name: "once every replica encodes with the new pair", a: []flows.KeyPair{newKey, oldKey}, b: []flows.KeyPair{newKey, oldKey}},
		{name: "while the old pair is dropped a flow lifetime later", a: []flows.KeyPair{newKey}, b: []flows.KeyPair{newKey, oldKey}, wait: 10 * time.Minute},
		{name: "once the old pair is gone", a: []flows.KeyPair{newKey}, b: []flows.KeyPair{newKey}},
	}
	app := newRotationApp(t)
	before := app.replica(oldKey)
	signedIn, earlyID := app.signIn("early@acme.example", [3]*flows.Handler{before, before, before})
	// A sign-in in progress across each stage: started on the previous
	// stage's replicas, finished on this stage's.
	prevA, prevB := before, before
	for i, st := range stages {
		app.clock.Advance(st.wait)
		a, b := app.replica(st.a...), app.replica(st.b...)
		t.Run(st.name+", a sign-in going back and forth between replicas finishes", func(t *testing.T) {
			app.t = t
			app.signIn(emailOf("both", i), [3]*flows.Handler{a, b, a})
			app.signIn(emailOf("back", i), [3]*flows.Handler{b, a, b})
		})
		t.Run(st.name+", a sign-in started at the previous stage finishes", func(t *testing.T) {
			app.t = t
			app.signIn(emailOf("across", i), [3]*flows.Handler{prevA, b, a})
			app.signIn(emailOf("across-back", i), [3]*flows.Handler{prevB, a, b})
		})
		t.Run(st.name+", a member signed in before the rotation stays signed in", func(t *testing.T) {
			signedIn.t = t
			signedIn.serveWith(a)
			signedIn.expectLoggedIn(earlyID)
		})
		prevA, prevB = a, b
	}
}

func emailOf(kind string, stage int) string {
	return kind + string(rune('a'+stage)) + "@acme.example"
}

// TestFinishedSignInRecordsOutliveARotation: a finished sign-in keeps its
// session token in the store, encrypted with the cookie keys, for the
// browser that lost the answer carrying it. A replica with the rotated key
// list reads the record that another replica wrote, and writes the session
// again.
func TestFinishedSignInRecordsOutliveARotation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name             string
		writer, reader   []flows.KeyPair
		wantSessionAgain bool
	}{
		{"a record of the old pair is read once the new pair is added",
			[]flows.KeyPair{testKeys}, []flows.KeyPair{testKeys, otherKeys}, true},
		{"a record of the old pair is read once the new pair is first",
			[]flows.KeyPair{testKeys, otherKeys}, []flows.KeyPair{otherKeys, testKeys}, true},
		{"a record of the new pair is read by a replica still encoding with the old",
			[]flows.KeyPair{otherKeys, testKeys}, []flows.KeyPair{testKeys, otherKeys}, true},
		{"a record of a dropped pair leads on without the session",
			[]flows.KeyPair{testKeys, otherKeys}, []flows.KeyPair{otherKeys}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			app := newRotationApp(t)
			memberID := app.member(emulator.MemberSeed{Organization: "acme", Email: "lee@acme.example"})
			writer := app.replica(tt.writer...)
			app.serveWith(writer)
			app.discover("lee@acme.example", "/dashboard")
			// The choice finishes the sign-in on the writer; its answer,
			// with the session cookies, never reaches the browser.
			res := app.lostAnswer(app.postRequest("/auth/organizations/select", url.Values{"organization_id": {app.orgID}}, "application/json"))
			if res.StatusCode != http.StatusOK || app.cookie("stytch_session") != "" {
				t.Fatalf("first choice = %d, want 200 with its session lost", res.StatusCode)
			}
			// The browser sends the choice again, to the other replica.
			reader := app.replica(tt.reader...)
			app.serveWith(reader)
			a := app.selectOrg(app.orgID)
			if a.status >= http.StatusInternalServerError {
				t.Fatalf("second choice = %d %s", a.status, a.body)
			}
			if !tt.wantSessionAgain {
				// The flow cookie is the writer's first pair, which the
				// reader no longer has: a clear refusal, not an outage.
				if a.status != http.StatusBadRequest || a.errorCode(t) != "flow_invalid" {
					t.Fatalf("second choice = %d %s, want 400 flow_invalid", a.status, a.body)
				}
				if got := app.get("/dashboard"); got.status == http.StatusOK {
					t.Fatal("signed in with a record of a dropped key")
				}
				return
			}
			app.expectDone(a, "/dashboard")
			app.expectLoggedIn(memberID)
		})
	}
}

// TestDroppedCookieKeyIsRefusedClearly: once a pair is dropped, every value
// made with it (the login and step-up flow cookies, a form's notice) is
// refused as a flow that cannot go on, an error matching ErrFlowInvalid,
// never a 500.
func TestDroppedCookieKeyIsRefusedClearly(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	old, err := flows.EncodeFlowCookie(h.flows, "ist", h.clock.Now().Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	dropped, err := flows.New(h.client, h.mw, flows.WithCookieKeys(otherKeys), flows.WithPublicURL(h.srv.URL), flows.WithClock(h.clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := flows.DecodeFlowCookie(dropped, old); !errors.Is(err, flows.ErrFlowInvalid) {
		t.Fatalf("decoding a cookie of a dropped key = %v, want ErrFlowInvalid", err)
	}
	h.serveWith(dropped)
	h.setCookie(flows.FlowCookieName(dropped), old)
	a := h.selectOrg("organization-test-00000000-0000-4000-8000-000000000000")
	if a.status != http.StatusBadRequest || a.errorCode(t) != "flow_invalid" {
		t.Fatalf("a step with a cookie of a dropped key = %d %s, want 400 flow_invalid", a.status, a.body)
	}
	if p := h.get("/auth/organizations"); p.status >= http.StatusInternalServerError {
		t.Fatalf("the organizations page with a cookie of a dropped key = %d", p.status)
	}
}
