package emulator

import (
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"testing"
)

func TestBasicAuth(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	tests := []struct {
		name       string
		user, pass string
		status     int
	}{
		{"right credentials are accepted", f.ProjectID(), f.Secret(), http.StatusOK},
		{"a wrong secret is refused", f.ProjectID(), "nope", http.StatusUnauthorized},
		{"another project is refused", "project-test-other", f.Secret(), http.StatusUnauthorized},
		{"no credentials are refused", "", "", http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := f.doWith(t, "GET", "/v1/b2b/rbac/policy", nil, tt.user, tt.pass)
			if tt.status == http.StatusOK {
				wantOK(t, r)
				return
			}
			wantError(t, r, tt.status, errUnauthorizedCredentials)
		})
	}
}

func TestMalformedRequests(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	huge := `{"session_token":"` + strings.Repeat("a", maxBodyBytes+10) + `"}`
	tests := []struct {
		name    string
		method  string
		path    string
		body    any
		status  int
		errType string
	}{
		{"malformed JSON is a bad request", "POST", "/v1/b2b/sessions/authenticate", `{"session_token":`, 400, errBadRequest},
		{"an empty body is a bad request", "POST", "/v1/b2b/sessions/authenticate", "", 400, errBadRequest},
		{"a JSON array is a bad request", "POST", "/v1/b2b/sessions/authenticate", `[1,2]`, 400, errBadRequest},
		{"trailing data is a bad request", "POST", "/v1/b2b/sessions/authenticate", `{} {}`, 400, errBadRequest},
		{"a wrongly typed field is a bad request", "POST", "/v1/b2b/sessions/authenticate", `{"session_duration_minutes":"ten"}`, 400, errBadRequest},
		{"a body over 1 MiB is a bad request", "POST", "/v1/b2b/sessions/authenticate", huge, 400, errBadRequest},
		{"a missing field is a bad request", "POST", "/v1/b2b/discovery/intermediate_sessions/exchange", `{}`, 400, errBadRequest},
		{"an unknown path is not found", "GET", "/v1/b2b/nothing", nil, 404, errNotFound},
		{"a wrong method is not found", "GET", "/v1/b2b/sessions/authenticate", nil, 404, errNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			wantError(t, f.do(t, tt.method, tt.path, tt.body), tt.status, tt.errType)
		})
	}
}

func TestPanicsAnswerInErrorShape(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.mux.HandleFunc("GET /boom", func(http.ResponseWriter, *http.Request) { panic("boom") })
	wantError(t, f.do(t, "GET", "/boom", nil), 500, errInternalServerError)
	// The server is still serving.
	wantOK(t, f.do(t, "GET", "/v1/b2b/rbac/policy", nil))
}

func TestNewValidatesOptions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opts []Option
	}{
		{"an empty project id is refused", []Option{WithProjectID("")}},
		{"a project id with a slash is refused", []Option{WithProjectID("a/b")}},
		{"an empty secret is refused", []Option{WithSecret("")}},
		{"a nil clock is refused", []Option{WithClock(nil)}},
		{"a bad seed is refused", []Option{WithSeed(Seed{Members: []MemberSeed{{Organization: "none", Email: "a@b.c"}}})}},
		{"an unusable address is refused", []Option{WithAddr("256.0.0.1:0")}},
		{"a nil logger is refused", []Option{WithLogger(nil)}},
		{"a nil option is refused", []Option{nil}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := New(tt.opts...)
			if err == nil {
				s.Close()
				t.Fatal("New succeeded")
			}
		})
	}
}

func TestTheEmulatorDoesNotLinkTesting(t *testing.T) {
	t.Parallel()
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	for _, p := range strings.Fields(string(out)) {
		if p == "testing" {
			t.Fatal("the emulator package imports testing: a program using it outside tests would link it")
		}
	}
}

func TestCreateSessionRefusesANilOption(t *testing.T) {
	t.Parallel()
	s := NewTest(t, WithSeed(Seed{Organizations: []OrganizationSeed{{Name: "Acme", Slug: "acme"}},
		Members: []MemberSeed{{Organization: "acme", Email: "a@acme.test"}}}))
	id, _ := s.MemberID("acme", "a@acme.test")
	if _, _, err := s.CreateSession(id, nil); err == nil || !strings.Contains(err.Error(), "nil session option") {
		t.Errorf("CreateSession(nil option) error = %v, want a nil session option error", err)
	}
}

func TestHandlerServesInProcess(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	req, _ := http.NewRequest("GET", "/v1/b2b/sessions/jwks/"+f.ProjectID(), nil)
	rec := httptest.NewRecorder()
	f.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"keys"`) {
		t.Fatalf("got %d %s", rec.Code, rec.Body.String())
	}
}
