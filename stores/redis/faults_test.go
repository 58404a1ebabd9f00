package redisstore_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/b2bauth/b2bauth/emulator"
)

// TestRedisOutage: with Redis stopped mid-test, login steps answer 503 and
// keep their flow, a locked member stays refused, and valid JWTs are still
// served; once Redis is back on the same port, limits and revocation work
// again without restarting the replicas.
func TestRedisOutage(t *testing.T) {
	t.Parallel()
	srv := startRedis(t, true)
	c := newCluster(t, srv)
	rdb := srv.Client(t)
	project := c.emu.ProjectID()

	// A session verified by both replicas, from another browser.
	br := c.newBrowser()
	jwt, memberID := br.login(0, "outage")
	for i := range 2 {
		if a := c.dashboard(i, jwt); a.status != http.StatusOK {
			t.Fatalf("replica %d before the outage = %d %s", i, a.status, a.body)
		}
	}
	// A member locked by five wrong codes.
	orgID, lockedID := c.member("locked", "REQUIRED_FOR_ALL", emulator.MemberSeed{Email: "lu@locked.example", TOTPSecret: totpSecret})
	c.discover(0, "lu@locked.example")
	if a := c.selectOrg(0, orgID); a.field(t, "next") != "mfa" {
		t.Fatalf("select = %d %s", a.status, a.body)
	}
	saved := c.flowCookie()
	right, wrong := c.totpCodes(lockedID)
	for i := range 5 {
		c.setCookie(flowCookieName, saved)
		c.post(i%2, "/auth/mfa/totp/verify", url.Values{"code": {wrong}})
	}
	c.setCookie(flowCookieName, saved)

	srv.Stop()
	for i := range 2 {
		expect(t, "the locked member's right code during the outage", c.post(i, "/auth/mfa/totp/verify", url.Values{"code": {right}}),
			http.StatusServiceUnavailable, "stytch_unavailable")
		if c.flowCookie() != saved {
			t.Fatal("the step changed the flow during the outage")
		}
		if a := c.dashboard(i, jwt); a.status != http.StatusOK || a.body != "dashboard of "+memberID {
			t.Fatalf("replica %d served the valid JWT with %d %s during the outage", i, a.status, a.body)
		}
	}

	srv.Restart()
	// The replicas' subscriptions come back by themselves.
	eventually(t, 5*time.Second, "both replicas subscribed again", func() bool { return numSub(t, rdb, project) == 2 })
	// A fresh flow is limited again: five wrong codes lock it. (The
	// restarted server, without persistence, lost the old lock.)
	c.discover(1, "lu@locked.example")
	if a := c.selectOrg(1, orgID); a.field(t, "next") != "mfa" {
		t.Fatalf("select after the restart = %d %s", a.status, a.body)
	}
	saved = c.flowCookie()
	right, wrong = c.totpCodes(lockedID)
	for i := range 5 {
		c.setCookie(flowCookieName, saved)
		c.post(i%2, "/auth/mfa/totp/verify", url.Values{"code": {wrong}})
	}
	c.setCookie(flowCookieName, saved)
	expect(t, "the right code after five wrong ones", c.post(0, "/auth/mfa/totp/verify", url.Values{"code": {right}}),
		http.StatusTooManyRequests, "too_many_attempts")

	// And a logout on A reaches B.
	if a := br.post(0, "/auth/logout", nil); a.status != http.StatusOK {
		t.Fatalf("logout = %d %s", a.status, a.body)
	}
	c.awaitRevocation(1)
	calls := c.emu.Calls(http.MethodPost, authenticatePath)
	expect(t, "B after the logout on A", c.dashboard(1, jwt), http.StatusUnauthorized, "session_invalid")
	if n := c.emu.Calls(http.MethodPost, authenticatePath) - calls; n != 0 {
		t.Fatalf("B asked Stytch %d times", n)
	}
}
