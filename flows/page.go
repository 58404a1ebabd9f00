package flows

import (
	"html/template"
	"slices"
	"strings"

	"github.com/b2bauth/b2bauth/client"
)

// Page is the data every template is executed with. Fields not used by a
// page are zero. Pages never receive intermediate session tokens or session
// credentials.
type Page struct {
	// Prefix is the mount prefix: forms post to Prefix+"/login" and so on.
	Prefix string
	// Step names the page as JSON answers name the next step: "email",
	// "check_email", "select_organization", "mfa", "totp_enroll", "step_up"
	// or "error".
	Step string
	// ErrorCode and ErrorMessage describe the failure being shown, if any
	// (see [Error]).
	ErrorCode    string
	ErrorMessage string
	// Info is a message about the step that is no failure, such as an
	// email not sent again because one was sent moments ago.
	Info string
	// ReturnTo is the validated local path the member returns to.
	ReturnTo string
	// Email is the address a magic link was sent to.
	Email string
	// Organizations are the organizations the member can enter or join.
	Organizations []Organization
	// CanCreate reports whether the member may create an organization.
	CanCreate bool
	// Methods are the MFA methods offered: "sms_otp", "totp",
	// "recovery_code".
	Methods []string
	// SMSSent reports whether a code was sent by SMS in this flow.
	SMSSent bool
	// PhoneHint is the masked MFA phone number, e.g. "+1•••••1234".
	PhoneHint string
	// NeedsPhone reports that the member has no MFA phone number yet: the
	// SMS form must ask for one (field phone_number).
	NeedsPhone bool
	// TOTPEnrolled reports whether the member has an authenticator app
	// (or one set up in this flow waits for its first code).
	TOTPEnrolled bool
	// TOTPPending reports that an authenticator app set up in this flow
	// waits for its first code: posting to the enroll route shows the same
	// QR code, secret and recovery codes again.
	TOTPPending bool
	// TOTP is the authenticator registration being set up, shown until its
	// first code passes.
	TOTP *TOTPEnrollment
	// StepUp reports that the page belongs to a step-up: its forms post
	// under Prefix+"/step-up" instead of Prefix+"/mfa".
	StepUp bool
	// BackURL is where the step-up pages' Cancel link leads: the after-login
	// path, never the page that asked for the step-up.
	BackURL string
	// RetryURL is where a "try again" link leads, or "" to reload.
	RetryURL string
	// OAuthProviders are the OAuth providers the login page offers
	// (form POST to Prefix+"/oauth/start" with field provider).
	OAuthProviders []string
	// OrganizationLogin is the organization of its own login page
	// ("organization_login.html"); nil there when the slug is unknown.
	OrganizationLogin *OrganizationLogin
	// PrimaryMethods are the email-based primary methods the login page
	// offers for discovery: "magic_link", "email_otp", "password" (see
	// [WithPrimaryMethods]).
	PrimaryMethods []string
	// CodeOrganization is, on "enter_code.html", the slug of the
	// organization whose email code is entered ("" for discovery: the form
	// posts to Prefix+"/login/code/verify", else to
	// Prefix+"/o/"+CodeOrganization+"/code/verify").
	CodeOrganization string
	// PasswordReset is, on "password_reset.html", what the page asks:
	// "required" (the password must be reset: email a link, or change it
	// with the current one), "sent" (a reset link was emailed) or "new"
	// (choose the new password of an opened reset link).
	PasswordReset string
	// PasswordFeedback is Stytch's advice on a new password refused as too
	// weak.
	PasswordFeedback *PasswordFeedback
	// Switch is the organization switcher of a signed-in member
	// ("switch_organization.html").
	Switch *Switch
}

// OffersPrimary reports whether the login page offers the primary method
// ("magic_link", "email_otp" or "password").
func (p *Page) OffersPrimary(method string) bool { return slices.Contains(p.PrimaryMethods, method) }

// Allows reports whether the page offers the MFA method.
func (p *Page) Allows(method string) bool { return slices.Contains(p.Methods, method) }

// Organization is a discovered organization, as pages and JSON answers list
// it.
type Organization struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Slug string `json:"slug"`
	// MembershipType is Stytch's membership type, e.g. "active_member" or
	// "eligible_to_join_by_email_domain".
	MembershipType string `json:"membership_type"`
	// MFARequired reports whether entering needs a second factor.
	MFARequired bool `json:"mfa_required"`
	// PrimaryRequired lists the sign-in methods the organization requires
	// before it can be entered (Stytch's allowed_auth_methods names, e.g.
	// "sso"); choosing it leads to one of them.
	PrimaryRequired []string `json:"primary_required,omitempty"`
}

// TOTPEnrollment is a new authenticator app registration. It is shown until
// its first code passes, kept meanwhile in the encrypted flow cookie only.
type TOTPEnrollment struct {
	// QRCode is the otpauth URI as a PNG data URL, safe for an img src.
	QRCode template.URL
	// Secret is the shared secret for manual entry.
	Secret string
	// RecoveryCodes are single-use codes replacing the app.
	RecoveryCodes []string
}

func organizationsFrom(discovered []client.DiscoveredOrganization) []Organization {
	out := make([]Organization, 0, len(discovered))
	for _, d := range discovered {
		if d.Organization == nil {
			continue
		}
		o := Organization{
			ID:          d.Organization.OrganizationID,
			Name:        d.Organization.OrganizationName,
			Slug:        d.Organization.OrganizationSlug,
			MFARequired: d.MFARequired != nil,
		}
		if d.Membership != nil {
			o.MembershipType = d.Membership.Type
		}
		if d.PrimaryRequired != nil {
			o.PrimaryRequired = d.PrimaryRequired.AllowedAuthMethods
		}
		out = append(out, o)
	}
	return out
}

// qrCodeURL returns Stytch's QR code as a PNG data URL, or "" when it is
// not base64 PNG data. html/template refuses data URLs unless typed, so the
// value is checked before it is trusted.
func qrCodeURL(qr string) template.URL {
	const prefix = "data:image/png;base64,"
	data := strings.TrimPrefix(qr, prefix)
	if data == "" {
		return ""
	}
	for _, r := range data {
		if !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '+' || r == '/' || r == '=') {
			return ""
		}
	}
	return template.URL(prefix + data)
}

// phoneHint masks a phone number, keeping the country prefix's first
// characters and the last four digits: "+15551231234" → "+1•••••1234".
func phoneHint(phone string) string {
	if len(phone) < 7 {
		return "•••••"
	}
	return phone[:2] + "•••••" + phone[len(phone)-4:]
}
