package flows

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// pageSamples are the default pages with the data of a busy case each.
func pageSamples() map[string]*Page {
	orgs := []Organization{
		{ID: "organization-test-1", Name: "Acme", MembershipType: "active_member", MFARequired: true},
		{ID: "organization-test-2", Name: "Globex", MembershipType: "eligible_to_join_by_email_domain"},
		{ID: "organization-test-3", Name: "Initech", MembershipType: "active_member", PrimaryRequired: []string{"sso"}},
	}
	methods := []string{"sms_otp", "totp", "recovery_code"}
	return map[string]*Page{
		"login.html":       {Step: "email", ErrorMessage: "Enter a valid email address.", ReturnTo: "/reports", OAuthProviders: []string{"google", "microsoft", "github"}},
		"check_email.html": {Step: "check_email", Email: "ada@acme.example", ReturnTo: "/reports"},
		"organizations.html": {Step: "select_organization", Email: "ada@acme.example", Organizations: orgs, CanCreate: true,
			ErrorMessage: "That URL slug is already taken. Choose another one."},
		"mfa.html":     {Step: "mfa", Methods: methods, SMSSent: true, PhoneHint: "+1•••••1234", TOTPEnrolled: true, ErrorMessage: "That code is not right."},
		"step_up.html": {Step: "step_up", Methods: methods[:2], NeedsPhone: true, StepUp: true, BackURL: "/"},
		"totp_enroll.html": {Step: "totp_enroll", Methods: methods[:2], TOTP: &TOTPEnrollment{
			QRCode: qrCodeURL("data:image/png;base64," + string(make([]byte, 0))), Secret: "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP",
			RecoveryCodes: []string{"abcd-efgh-ijkl", "mnop-qrst-uvwx", "yzab-cdef-ghij", "klmn-opqr-stuv", "wxyz-abcd-efgh"}}},
		"error.html": {Step: "error", ErrorMessage: "The sign-in service is not answering right now.", RetryURL: "/auth/mfa"},
		"organization_login.html": {OrganizationLogin: &OrganizationLogin{Name: "Umbrella", Slug: "umbrella", MagicLink: true,
			SSOConnections: []SSOConnection{{ID: "oidc-connection-test-1", Name: "Entra ID"}}, OAuthProviders: []string{"google"}}},
	}
}

func renderingHandler(tb testing.TB) *Handler {
	tb.Helper()
	b, err := Branding{ProductName: "Acme Cloud", LogoURL: "/logo.svg", PrimaryColor: "#0a7"}.validate()
	if err != nil {
		tb.Fatal(err)
	}
	t, err := buildTemplates(nil, b)
	if err != nil {
		tb.Fatal(err)
	}
	return &Handler{cfg: defaultConfig(), templates: t}
}

// TestPagesAreSmall: every default page, stylesheet included, is under
// 30 KB.
func TestPagesAreSmall(t *testing.T) {
	t.Parallel()
	h := renderingHandler(t)
	for name, p := range pageSamples() {
		t.Run(name+" is under 30 KB", func(t *testing.T) {
			w := httptest.NewRecorder()
			h.render(w, httptest.NewRequest(http.MethodGet, "/auth/x", nil), http.StatusOK, name, p)
			if w.Code != http.StatusOK || w.Body.Len() >= 30<<10 {
				t.Fatalf("%s = %d, %d bytes", name, w.Code, w.Body.Len())
			}
			t.Logf("%s: %d bytes", name, w.Body.Len())
		})
	}
}

// BenchmarkRenderPages renders each default page.
func BenchmarkRenderPages(b *testing.B) {
	h := renderingHandler(b)
	for name, p := range pageSamples() {
		b.Run(name, func(b *testing.B) {
			r := httptest.NewRequest(http.MethodGet, "/auth/x", nil)
			for b.Loop() {
				h.render(httptest.NewRecorder(), r, http.StatusOK, name, p)
			}
		})
	}
}
