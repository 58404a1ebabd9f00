package flows

import (
	"net/http"
	"slices"

	"github.com/b2bauth/b2bauth/client"
)

// An organization's authentication policy: which primary methods its login
// page offers, and the refusals of the policy as failures a member can act
// on.

// Primary authentication methods, by their names in an organization's
// allowed_auth_methods.
const (
	authSSO       = "sso"
	authMagicLink = "magic_link"
	authEmailOTP  = "email_otp"
	authPassword  = "password"
)

// The refusals of an organization's policy and of organization login.
var (
	// ErrAuthMethodNotAllowed: the organization's authentication policy
	// does not allow this sign-in method.
	ErrAuthMethodNotAllowed = &Error{Code: "auth_method_not_allowed", Status: http.StatusForbidden,
		msg: "This organization does not allow this sign-in method. Use one of the methods on its sign-in page."}
	// ErrEmailDomainNotAllowed: the email address is not of a domain the
	// organization admits.
	ErrEmailDomainNotAllowed = &Error{Code: "email_domain_not_allowed", Status: http.StatusForbidden,
		msg: "This organization only admits email addresses of its own domains. Use your work email address, or ask an administrator for an invitation."}
	// ErrJITNotAllowed: the address is not a member, and the organization
	// does not let new members join by signing in (email or SSO JIT
	// provisioning is off).
	ErrJITNotAllowed = &Error{Code: "jit_not_allowed", Status: http.StatusForbidden,
		msg: "You are not a member of this organization, and it does not let new members join by signing in. Ask an administrator for an invitation."}
	// ErrEmailMismatch: a link or identity provider signed in another email
	// address than the sign-in in progress in this browser.
	ErrEmailMismatch = &Error{Code: "email_mismatch", Status: http.StatusForbidden, restart: true,
		msg: "This sign-in belongs to another email address than the one you started with in this browser. Start again with the right address."}
	// ErrOrganizationNotFound: no organization has the slug of the login
	// page.
	ErrOrganizationNotFound = &Error{Code: "organization_not_found", Status: http.StatusNotFound,
		msg: "There is no organization at this address. Sign in with your email to find yours."}
)

// policyErrors maps Stytch's policy refusals onto the failures above.
var policyErrors = map[string]*Error{
	"operation_restricted_by_organization_auth_methods": ErrAuthMethodNotAllowed,
	"email_jit_provisioning_not_allowed":                ErrJITNotAllowed,
	"invalid_connection_for_jit_provisioning":           ErrJITNotAllowed,
	"invalid_email_for_jit_provisioning":                ErrEmailDomainNotAllowed,
	"invalid_email_for_invites":                         ErrEmailDomainNotAllowed,
	"sso_token_not_found":                               ErrLinkInvalid,
	"sso_connection_not_found": ErrAuthMethodNotAllowed.withMessage(
		"This single sign-on connection is not active. Use another sign-in method of your organization."),
	"no_sso_connection_exists_for_organization": ErrAuthMethodNotAllowed.withMessage(
		"This organization has no active single sign-on connection. Ask an administrator."),
}

// policyError returns the failure of a policy refusal of type typ, or nil.
func policyError(typ string) *Error { return policyErrors[typ] }

// restrictsAuth reports whether org allows only its allowed_auth_methods.
func restrictsAuth(org *client.Organization) bool {
	return org.AuthMethods == "RESTRICTED" || (org.AuthMethods == "" && len(org.AllowedAuthMethods) > 0)
}

// allowsAuth reports whether org's policy allows the primary method.
func allowsAuth(org *client.Organization, method string) bool {
	return !restrictsAuth(org) || slices.Contains(org.AllowedAuthMethods, method)
}
