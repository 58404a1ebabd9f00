package middlewaretest_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/b2bauth/b2bauth/emulator"
	"github.com/b2bauth/b2bauth/middleware"
	"github.com/b2bauth/b2bauth/middleware/middlewaretest"
)

// invoices is an app handler under test: it answers the session's member and
// organization.
func invoices(w http.ResponseWriter, r *http.Request) {
	s, _ := middleware.SessionFrom(r.Context())
	io.WriteString(w, s.MemberID+" of "+s.OrganizationID)
}

// TestNewEnvTakesTheAppsSeedAndOptions: an app tests its own handlers with
// its own organizations and configuration, with a real signed session.
func TestNewEnvTakesTheAppsSeedAndOptions(t *testing.T) {
	t.Parallel()
	e := middlewaretest.NewEnv(t,
		middlewaretest.WithSeed(emulator.Seed{
			Organizations: []emulator.OrganizationSeed{{Name: "Initech", Slug: "initech"}},
			Members:       []emulator.MemberSeed{{Organization: "initech", Email: "peter@initech.test"}},
		}),
		middlewaretest.WithEmulatorOptions(emulator.WithProjectID("project-test-initech")),
		middlewaretest.WithMiddlewareOptions(middleware.WithLoginURL("/signin/login")),
		middleware.WithMaxTokenAge(time.Minute))
	h := e.Middleware.RequireSession(http.HandlerFunc(invoices))

	tests := []struct {
		name       string
		request    func() *http.Request
		wantStatus int
		wantBody   string
	}{
		{name: "a member of the app's seed is served",
			request: func() *http.Request {
				return e.SignIn(t, httptest.NewRequest(http.MethodGet, "/invoices", nil), e.Member(t, "initech", "peter@initech.test"))
			},
			wantStatus: http.StatusOK,
			wantBody:   e.Member(t, "initech", "peter@initech.test") + " of " + orgID(t, e, "initech")},
		{name: "a navigation without a session goes to the app's login URL",
			request: func() *http.Request {
				r := httptest.NewRequest(http.MethodGet, "/invoices", nil)
				r.Header.Set("Sec-Fetch-Mode", "navigate")
				return r
			},
			wantStatus: http.StatusSeeOther},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, tt.request())
			if w.Code != tt.wantStatus || tt.wantBody != "" && w.Body.String() != tt.wantBody {
				t.Fatalf("%d %q, want %d %q", w.Code, w.Body, tt.wantStatus, tt.wantBody)
			}
			if w.Code == http.StatusSeeOther && w.Header().Get("Location") != "/signin/login?return_to=%2Finvoices" {
				t.Errorf("Location = %q", w.Header().Get("Location"))
			}
		})
	}
	if e.Client.ProjectID() != "project-test-initech" {
		t.Errorf("project id = %q, want the emulator option's", e.Client.ProjectID())
	}
	if e.AdminID != "" || e.OrganizationID != "" || e.M2MClientID != "" {
		t.Errorf("ids of the default seed set with the app's seed: %q %q %q", e.AdminID, e.OrganizationID, e.M2MClientID)
	}
}

// TestNewEnvKeepsItsDefaults: NewEnv(t) still seeds acme and globex.
func TestNewEnvKeepsItsDefaults(t *testing.T) {
	t.Parallel()
	e := middlewaretest.NewEnv(t)
	for name, id := range map[string]string{"OrganizationID": e.OrganizationID, "OtherOrganizationID": e.OtherOrganizationID,
		"AdminID": e.AdminID, "MemberID": e.MemberID, "EditorID": e.EditorID, "OtherEditorID": e.OtherEditorID, "M2MClientID": e.M2MClientID} {
		if id == "" {
			t.Errorf("%s is empty", name)
		}
	}
	if got := e.Member(t, "acme", "admin@acme.test"); got != e.AdminID {
		t.Errorf("Member = %q, want %q", got, e.AdminID)
	}
}

func orgID(t *testing.T, e *middlewaretest.Env, slug string) string {
	t.Helper()
	id, ok := e.Emulator.OrganizationID(slug)
	if !ok {
		t.Fatalf("no organization %q", slug)
	}
	return id
}
