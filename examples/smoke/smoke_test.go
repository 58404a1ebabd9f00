package smoke_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/b2bauth/b2bauth/client"
	"github.com/b2bauth/b2bauth/examples/internal/demo"

	echoroutes "github.com/b2bauth/b2bauth/examples/echo/routes"
	ginroutes "github.com/b2bauth/b2bauth/examples/gin/routes"
	nethttproutes "github.com/b2bauth/b2bauth/examples/nethttp/routes"
)

// apps are the example apps; every test runs through all of them.
var apps = []struct {
	name   string
	routes func(*demo.App) http.Handler
}{
	{"net/http", nethttproutes.New},
	{"gin", ginroutes.New},
	{"echo", echoroutes.New},
}

func TestApps(t *testing.T) {
	for _, tc := range apps {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			t.Run("serves the public home page with security headers", func(t *testing.T) {
				t.Parallel()
				s := startApp(t, tc.routes, demo.Config{Clock: newClock().Now})
				a := newBrowser(t, s).get(s.srv.URL + "/")
				expect(t, "home", a, http.StatusOK, "", "b2bauth demo", `href="/auth/login?return_to=%2Fdashboard"`)
				for _, h := range []string{"Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy"} {
					if a.header.Get(h) == "" {
						t.Errorf("home page lacks %s", h)
					}
				}
			})

			t.Run("sends anonymous visitors of the dashboard and admin pages to the login page", func(t *testing.T) {
				t.Parallel()
				s := startApp(t, tc.routes, demo.Config{Clock: newClock().Now})
				b := newBrowser(t, s)
				expect(t, "dashboard", b.get(s.srv.URL+demo.PathDashboard), http.StatusSeeOther, "/auth/login?return_to=%2Fdashboard")
				expect(t, "admin", b.get(s.srv.URL+demo.PathAdmin), http.StatusSeeOther, "/auth/login?return_to=%2Fadmin")
			})

			t.Run("logs an admin in with a magic link and an SMS code, lets her in to admin, and logs her out", func(t *testing.T) {
				t.Parallel()
				clock := newClock()
				s := startApp(t, tc.routes, demo.Config{Clock: clock.Now})
				b := newBrowser(t, s)
				id := login(t, b, alice, s)
				expectDashboard(t, b, s, alice, id, "stytch_admin", "stytch_member")
				expect(t, "admin", b.get(s.srv.URL+demo.PathAdmin), http.StatusOK, "", `id="admin-granted"`)
				expect(t, "home", b.get(s.srv.URL+"/"), http.StatusOK, "", "Signed in as <strong>"+alice.email)

				session := b.sessionCookies(s)
				expect(t, "logout", b.post(s.srv.URL+demo.Prefix+"/logout", url.Values{}), http.StatusSeeOther, "/")
				if left := b.sessionCookies(s); len(left) > 0 {
					t.Fatalf("session cookies kept after logout: %v", left)
				}
				expect(t, "dashboard after logout", b.get(s.srv.URL+demo.PathDashboard), http.StatusSeeOther, "/auth/login?return_to=%2Fdashboard")

				// The session was revoked at Stytch: once its JWT is too old
				// to be trusted locally, a copy of the old cookies is refused.
				clock.Advance(6 * time.Minute)
				b.setCookies(s, session)
				expect(t, "dashboard with the revoked session", b.get(s.srv.URL+demo.PathDashboard), http.StatusSeeOther, "/auth/login?return_to=%2Fdashboard")
			})

			t.Run("refuses the admin page to a member without the permission", func(t *testing.T) {
				t.Parallel()
				s := startApp(t, tc.routes, demo.Config{Clock: newClock().Now})
				b := newBrowser(t, s)
				id := login(t, b, bob, s)
				expectDashboard(t, b, s, bob, id, "stytch_member")
				a := b.get(s.srv.URL + demo.PathAdmin)
				expect(t, "admin", a, http.StatusForbidden, "", "have access to this page", "does not include the permission", `id="sign-out"`)
				if strings.Contains(a.body, "admin-granted") {
					t.Fatal("the 403 answer shows the admin page")
				}
			})

			t.Run("asks a member without a fresh second factor to step up by SMS before the settings page", func(t *testing.T) {
				t.Parallel()
				s := startApp(t, tc.routes, demo.Config{Clock: newClock().Now})
				b := newBrowser(t, s)
				stepUp := demo.Prefix + "/step-up?return_to=%2Fsettings"
				expect(t, "anonymous settings", b.get(s.srv.URL+demo.PathSettings), http.StatusSeeOther, "/auth/login?return_to=%2Fsettings")

				// Globex leaves MFA optional: the session holds the email
				// factor only.
				m := member{demo.AliceEmail, demo.AlicePhone, demo.GlobexSlug}
				id := loginWithoutMFA(t, b, m, s)
				expectDashboard(t, b, s, m, id, "stytch_member")
				expect(t, "dashboard link", b.get(s.srv.URL+demo.PathDashboard), http.StatusOK, "", `href="/settings"`)
				expect(t, "settings without a second factor", b.get(s.srv.URL+demo.PathSettings), http.StatusSeeOther, stepUp)
				expect(t, "step-up page", b.get(s.srv.URL+stepUp), http.StatusOK, "", "Confirm it", demo.Prefix+"/step-up/sms/send")

				expect(t, "step-up SMS send", b.post(s.srv.URL+demo.Prefix+"/step-up/sms/send", url.Values{}), http.StatusSeeOther, stepUp)
				code := s.app.Emulator.LastSMSCode(m.phone)
				if code == "" {
					t.Fatalf("no SMS code sent to %s", m.phone)
				}
				expect(t, "step-up SMS verify", b.post(s.srv.URL+demo.Prefix+"/step-up/sms/verify", url.Values{"code": {code}}),
					http.StatusSeeOther, demo.PathSettings)
				expect(t, "settings after the step-up", b.get(s.srv.URL+demo.PathSettings), http.StatusOK, "",
					`id="settings-granted"`, id, "otp (sms)")
			})

			t.Run("logs a member in with OAuth at the emulated provider", func(t *testing.T) {
				t.Parallel()
				s := startApp(t, tc.routes, demo.Config{Clock: newClock().Now})
				b := newBrowser(t, s)
				emu := s.app.Emulator
				expect(t, "login page", b.get(s.srv.URL+demo.Prefix+"/login"), http.StatusOK, "", "Continue with Google")
				start := b.post(s.srv.URL+demo.Prefix+"/oauth/start", url.Values{"provider": {"google"}, "return_to": {demo.PathDashboard}})
				expect(t, "OAuth start", start, http.StatusSeeOther, "")
				if !strings.HasPrefix(start.location, emu.URL()+"/v1/b2b/public/oauth/google/discovery/start?") {
					t.Fatalf("OAuth start leads to %q", start.location)
				}
				expect(t, "provider page", b.get(start.location), http.StatusOK, "", "Sign in with Google")
				q, _ := url.Parse(start.location)
				back := b.post(emu.URL()+"/_emulator/oauth/consent", url.Values{
					"provider": {"google"}, "email": {demo.GinaEmail},
					"discovery_redirect_url": {q.Query().Get("discovery_redirect_url")},
					"pkce_code_challenge":    {q.Query().Get("pkce_code_challenge")},
				})
				expect(t, "provider consent", back, http.StatusSeeOther, "")
				expect(t, "OAuth callback", b.get(back.location), http.StatusSeeOther, demo.Prefix+"/organizations")
				orgID, _ := emu.OrganizationID(demo.GlobexSlug)
				memberID, _ := emu.MemberID(orgID, demo.GinaEmail)
				expect(t, "organization choice", b.post(s.srv.URL+demo.Prefix+"/organizations/select", url.Values{"organization_id": {orgID}}),
					http.StatusSeeOther, demo.PathDashboard)
				// An OAuth session names no email factor: the dashboard shows
				// the member, the organization and the OAuth factor.
				expect(t, "dashboard", b.get(s.srv.URL+demo.PathDashboard), http.StatusOK, "",
					memberID, orgID, `<span id="organization-slug">`+demo.GlobexSlug+`</span>`, "oauth_google")
			})

			t.Run("shows the emulator outbox in development", func(t *testing.T) {
				t.Parallel()
				s := startApp(t, tc.routes, demo.Config{Clock: newClock().Now})
				b := newBrowser(t, s)
				b.post(s.srv.URL+demo.Prefix+"/login", url.Values{"email": {demo.BobEmail}})
				a := b.get(s.srv.URL + demo.PathOutbox)
				expect(t, "outbox", a, http.StatusOK, "", "Outbox", demo.BobEmail, s.srv.URL+demo.Prefix+"/callback")
				if got := a.header.Get("Content-Security-Policy"); got == "" {
					t.Error("the outbox page lacks the security headers")
				}
			})

			t.Run("has no outbox page without the emulator", func(t *testing.T) {
				t.Parallel()
				s := startApp(t, tc.routes, demo.Config{Clock: newClock().Now})
				// An app talking to Stytch has no outbox page.
				s.app.Pages.Outbox = nil
				h := tc.routes(s.app)
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, demo.PathOutbox, nil))
				if rec.Code != http.StatusNotFound {
					t.Fatalf("GET %s = %d, want 404", demo.PathOutbox, rec.Code)
				}
			})
		})
	}
}

// TestReportsAPI: the reports API serves a machine whose access token
// grants read:reports, and a member session, in every example app.
func TestReportsAPI(t *testing.T) {
	for _, tc := range apps {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := startApp(t, tc.routes, demo.Config{Clock: newClock().Now})
			c, err := client.New(s.app.Emulator.ProjectID(), s.app.Emulator.Secret(), client.WithBaseURL(s.app.Emulator.URL()))
			if err != nil {
				t.Fatal(err)
			}
			tok, err := c.M2M.Token(t.Context(), &client.M2MTokenParams{ClientID: demo.ReportsClientID, ClientSecret: demo.ReportsClientSecret})
			if err != nil {
				t.Fatal(err)
			}
			// A machine: no cookies, JSON.
			machine := func(token string) answer {
				req, _ := http.NewRequest(http.MethodGet, s.srv.URL+demo.PathReports, nil)
				req.Header.Set("Accept", "application/json")
				if token != "" {
					req.Header.Set("Authorization", "Bearer "+token)
				}
				res, err := s.srv.Client().Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer res.Body.Close()
				body, _ := io.ReadAll(res.Body)
				return answer{status: res.StatusCode, header: res.Header, body: string(body)}
			}
			expect(t, "reports as a machine", machine(tok.AccessToken), http.StatusOK, "",
				`"caller":"machine"`, `"id":"`+demo.ReportsClientID+`"`, `"scopes":["read:reports"]`)
			expect(t, "reports with a forged token", machine(tok.AccessToken+"x"), http.StatusUnauthorized, "", `"code":"access_token_invalid"`)
			expect(t, "reports anonymously", machine(""), http.StatusUnauthorized, "", `"code":"session_missing"`)

			b := newBrowser(t, s)
			id := login(t, b, bob, s)
			expect(t, "reports as a member", b.get(s.srv.URL+demo.PathReports), http.StatusOK, "", `"caller":"member"`, `"id":"`+id+`"`)
		})
	}
}
