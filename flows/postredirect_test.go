package flows_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/b2bauth/b2bauth/emulator"
)

// TestAStepDrawnAfterAPostHasAPageOfItsOwn: a form whose success shows a
// step (the "check your email" page, the code form, the authenticator
// app's setup) answers a browser with a 303 to a GET of that step, which
// draws it from the flow cookie: the back button and a reload reach the
// page again instead of asking to send the form again, and show the same
// step. JSON clients keep their answers.
func TestAStepDrawnAfterAPostHasAPageOfItsOwn(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// post starts a flow and submits the form under test.
		post func(t *testing.T, h *harness) answer
		// location is the GET the form leads to.
		location string
		// want is what the page of that GET says.
		want []string
	}{
		{
			name: "sending a discovery link leads to its check-your-email page",
			post: func(t *testing.T, h *harness) answer {
				h.org(emulator.OrganizationSeed{Name: "Acme", Slug: "acme"})
				h.member(emulator.MemberSeed{Organization: "acme", Email: "ann@acme.example"})
				return h.post("/auth/login", url.Values{"email": {"ann@acme.example"}, "return_to": {"/dashboard"}})
			},
			location: "/auth/login/check-email",
			want:     []string{"Check your email", "ann@acme.example"},
		},
		{
			name: "emailing a discovery code leads to the code form",
			post: func(t *testing.T, h *harness) answer {
				h.org(emulator.OrganizationSeed{Name: "Acme", Slug: "acme"})
				h.member(emulator.MemberSeed{Organization: "acme", Email: "ann@acme.example"})
				return h.post("/auth/login/code", url.Values{"email": {"ann@acme.example"}})
			},
			location: "/auth/login/code",
			want:     []string{`action="/auth/login/code/verify"`, "ann@acme.example"},
		},
		{
			name: "sending an organization's link leads to its check-your-email page",
			post: func(t *testing.T, h *harness) answer {
				h.org(emulator.OrganizationSeed{Name: "Acme", Slug: "acme", EmailAllowedDomains: []string{"acme.example"}})
				h.member(emulator.MemberSeed{Organization: "acme", Email: "ann@acme.example"})
				return h.post("/auth/o/acme/email", url.Values{"email": {"ann@acme.example"}})
			},
			location: "/auth/o/acme/email",
			want:     []string{"Check your email", "ann@acme.example"},
		},
		{
			name: "emailing an organization's code leads to its code form",
			post: func(t *testing.T, h *harness) answer {
				h.org(emulator.OrganizationSeed{Name: "Acme", Slug: "acme"})
				h.member(emulator.MemberSeed{Organization: "acme", Email: "ann@acme.example"})
				return h.post("/auth/o/acme/code", url.Values{"email": {"ann@acme.example"}})
			},
			location: "/auth/o/acme/code",
			want:     []string{`action="/auth/o/acme/code/verify"`, "ann@acme.example"},
		},
		{
			name: "asking for a password reset link leads to its sent page",
			post: func(t *testing.T, h *harness) answer {
				h.org(emulator.OrganizationSeed{Name: "Acme", Slug: "acme"})
				h.member(emulator.MemberSeed{Organization: "acme", Email: "ann@acme.example", Password: dianaPassword})
				return h.post("/auth/o/acme/password/reset/start", url.Values{"email": {"ann@acme.example"}})
			},
			location: "/auth/o/acme/password/reset/start",
			want:     []string{"ann@acme.example", "Back to sign-in"},
		},
		{
			name: "setting up an authenticator app during MFA leads to its setup page",
			post: func(t *testing.T, h *harness) answer {
				orgID := h.org(emulator.OrganizationSeed{Name: "Acme", Slug: "acme", MFAPolicy: "REQUIRED_FOR_ALL", AllowedMFAMethods: []string{"totp"}})
				h.member(emulator.MemberSeed{Organization: "acme", Email: "ann@acme.example"})
				h.discover("ann@acme.example", "/dashboard")
				h.selectOrg(orgID)
				return h.post("/auth/mfa/totp/enroll", nil)
			},
			location: "/auth/mfa/totp/enroll",
			want:     []string{`src="data:image/png;base64,`, `action="/auth/mfa/totp/verify"`},
		},
		{
			name: "setting up an authenticator app during step-up leads to its setup page",
			post: func(t *testing.T, h *harness) answer {
				orgID := h.org(emulator.OrganizationSeed{Name: "Globex", Slug: "globex", MFAPolicy: "OPTIONAL"})
				memberID := h.member(emulator.MemberSeed{Organization: "globex", Email: "hal@globex.example"})
				h.discover("hal@globex.example", "")
				h.expectDone(h.selectOrg(orgID), "/")
				h.expectLoggedIn(memberID)
				if a := h.get("/auth/step-up?return_to=/sensitive"); a.status != http.StatusOK {
					t.Fatalf("step-up page = %d: %s", a.status, a.body)
				}
				return h.post("/auth/step-up/totp/enroll", nil)
			},
			location: "/auth/step-up/totp/enroll",
			want:     []string{`src="data:image/png;base64,`, `action="/auth/step-up/totp/verify"`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			a := tt.post(t, h)
			if a.status != http.StatusSeeOther || a.location != tt.location {
				t.Fatalf("POST = %d to %q, want 303 to %q:\n%s", a.status, a.location, tt.location, a.body)
			}
			first := h.get(tt.location)
			if first.status != http.StatusOK {
				t.Fatalf("GET %s = %d:\n%s", tt.location, first.status, first.body)
			}
			for _, want := range tt.want {
				if !strings.Contains(first.body, want) {
					t.Errorf("GET %s does not say %q:\n%s", tt.location, want, first.body)
				}
			}
			if got := first.header.Get("Cache-Control"); got != "no-store" {
				t.Errorf("GET %s Cache-Control = %q, want no-store", tt.location, got)
			}
			// The back button or a reload: the same step again.
			again := h.get(tt.location)
			if again.status != http.StatusOK {
				t.Fatalf("GET %s again = %d:\n%s", tt.location, again.status, again.body)
			}
			if a, b := shownEnrollment(t, first), shownEnrollment(t, again); a.secret != b.secret || !slices.Equal(a.codes, b.codes) {
				t.Errorf("the setup shown again is another one: %+v, then %+v", a, b)
			}
			for _, want := range tt.want {
				if !strings.Contains(again.body, want) {
					t.Errorf("GET %s again does not say %q", tt.location, want)
				}
			}
		})
	}
	t.Run("a GET of a step without its flow leads back to the email form", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		h.org(emulator.OrganizationSeed{Name: "Acme", Slug: "acme"})
		for _, path := range []string{"/auth/login/check-email", "/auth/login/code", "/auth/o/acme/email", "/auth/o/acme/code", "/auth/o/acme/password/reset/start", "/auth/mfa/totp/enroll"} {
			a := h.get(path)
			if a.status >= 500 || !strings.Contains(a.body, `action="/auth/login"`) {
				t.Errorf("GET %s without a flow = %d, want the email form:\n%s", path, a.status, a.body)
			}
		}
	})
}

// step checks the answer of a form whose success shows a step: a 303 to
// location (post/redirect/get). It returns the page there, which must be
// a 200.
func (h *harness) step(a answer, location string) answer {
	h.t.Helper()
	if a.status != http.StatusSeeOther || a.location != location {
		h.t.Fatalf("form = %d to %q, want 303 to %q: %s", a.status, a.location, location, a.body)
	}
	page := h.get(location)
	if page.status != http.StatusOK {
		h.t.Fatalf("GET %s after the form = %d: %s", location, page.status, page.body)
	}
	return page
}

// TestAWrongEmailCodeLeadsBackToTheCodeForm: a wrong email code answers a
// browser with a 303 to the code form, which says so once, as every other
// failed form does: a reload of the page then sends no code again, and
// counts no other wrong attempt.
func TestAWrongEmailCodeLeadsBackToTheCodeForm(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, send, verify, form string
	}{
		{"a wrong discovery code", "/auth/login/code", "/auth/login/code/verify", "/auth/login/code"},
		{"a wrong code of an organization", "/auth/o/acme/code", "/auth/o/acme/code/verify", "/auth/o/acme/code"},
	}
	for _, tt := range tests {
		t.Run(tt.name+" leads back to the code form, which says it once", func(t *testing.T) {
			t.Parallel()
			f := newCodeFixture(t)
			f.step(f.post(tt.send, url.Values{"email": {"alice@acme.test"}}), tt.form)
			code := f.emu.LastEmailCode("alice@acme.test")
			page := f.failure(f.post(tt.verify, url.Values{"code": {wrong(code)}}), tt.form)
			if !strings.Contains(page.body, `class="error"`) || !strings.Contains(page.body, `action="`+tt.verify+`"`) {
				t.Fatalf("the code form after a wrong code does not say so:\n%s", page.body)
			}
			if again := f.get(tt.form); again.status != http.StatusOK || strings.Contains(again.body, `class="error"`) {
				t.Fatalf("a reload of the code form = %d, want it without the message:\n%s", again.status, again.body)
			}
		})
	}
}
