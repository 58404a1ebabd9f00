package smoke_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/b2bauth/b2bauth/examples/internal/demo"
	nethttproutes "github.com/b2bauth/b2bauth/examples/nethttp/routes"
)

// startReplicas starts two instances of the net/http app on their own
// ports, sharing the cookie keys and the emulator (one Stytch project) and
// nothing else, as behind a load balancer without sticky sessions. Both
// name replica A as the public URL, where the load balancer would be.
func startReplicas(t *testing.T, clock *fakeClock) (a, b *server) {
	t.Helper()
	a = startApp(t, nethttproutes.New, demo.Config{Clock: clock.Now})
	b = startApp(t, nethttproutes.New, demo.Config{
		Clock:     clock.Now,
		Emulator:  a.app.Emulator,
		PublicURL: a.app.Config.PublicURL,
	})
	if a.srv.URL == b.srv.URL {
		t.Fatal("the replicas share a port")
	}
	return a, b
}

func TestReplicas(t *testing.T) {
	t.Run("accept a session logged in on the other replica", func(t *testing.T) {
		t.Parallel()
		clock := newClock()
		a, b := startReplicas(t, clock)
		br := newBrowser(t, a)
		id := login(t, br, alice, a)

		// Cookies belong to the host, not the port: the jar sends replica
		// A's cookies to replica B as a browser sends them to any replica.
		expectDashboard(t, br, b, alice, id, "stytch_admin")
		expect(t, "admin on B", br.get(b.srv.URL+demo.PathAdmin), http.StatusOK, "", `id="admin-granted"`)

		// Past the JWT's trusted age B asks Stytch with the session token
		// and refreshes the cookies; A accepts the refreshed JWT.
		clock.Advance(10 * time.Minute)
		expectDashboard(t, br, b, alice, id)
		expectDashboard(t, br, a, alice, id)
	})

	t.Run("continue a login flow started on the other replica", func(t *testing.T) {
		t.Parallel()
		a, b := startReplicas(t, newClock())
		br := newBrowser(t, a)
		// Every step goes to the other replica than the step before.
		id := login(t, br, bob, a, b)
		expectDashboard(t, br, a, bob, id)
		expectDashboard(t, br, b, bob, id)
	})

	t.Run("reach the other replica's emulator as a separate process does", func(t *testing.T) {
		t.Parallel()
		clock := newClock()
		a := startApp(t, nethttproutes.New, demo.Config{Clock: clock.Now})
		// What STYTCH_API_URL, STYTCH_PROJECT_ID and STYTCH_SECRET give a
		// second process: the first one's embedded emulator.
		b := startApp(t, nethttproutes.New, demo.Config{
			Clock:      clock.Now,
			ProjectID:  demo.EmulatorProjectID,
			Secret:     demo.EmulatorSecret,
			APIURL:     a.app.Emulator.URL(),
			PublicURL:  a.app.Config.PublicURL,
			CookieKeys: a.app.Config.CookieKeys,
		})
		br := newBrowser(t, a)
		id := login(t, br, alice, a)
		clock.Advance(10 * time.Minute) // B must ask the emulator
		expect(t, "dashboard on B", br.get(b.srv.URL+demo.PathDashboard), http.StatusOK, "", id, alice.email)
	})

	t.Run("log out on one replica for both", func(t *testing.T) {
		t.Parallel()
		a, b := startReplicas(t, newClock())
		br := newBrowser(t, a)
		login(t, br, bob, b)
		expect(t, "logout on A", br.post(a.srv.URL+demo.Prefix+"/logout", nil), http.StatusSeeOther, "/")
		expect(t, "dashboard on B", br.get(b.srv.URL+demo.PathDashboard), http.StatusSeeOther, "/auth/login?return_to=%2Fdashboard")
	})
}
