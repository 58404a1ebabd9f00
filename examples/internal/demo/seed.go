package demo

import "github.com/b2bauth/b2bauth/emulator"

// The seeded organizations, members and RBAC names. The phone numbers are
// not verified yet: the first SMS code verifies them, so the MFA page asks
// before it texts.
const (
	// AcmeSlug is an organization whose mfa_policy is REQUIRED_FOR_ALL.
	AcmeSlug = "acme"
	// GlobexSlug is an organization whose mfa_policy is OPTIONAL.
	GlobexSlug = "globex"

	// AliceEmail is an admin (stytch_admin) of Acme and a member of Globex.
	AliceEmail = "alice@acme.test"
	// AlicePassword is Alice's password in Globex (passwords are per
	// organization).
	AlicePassword = "globex-demo-Password-7"
	// AlicePhone is Alice's MFA phone number.
	AlicePhone = "+15555550100"
	// BobEmail is a plain member of Acme, with a phone and no
	// authenticator app.
	BobEmail = "bob@acme.test"
	// BobPhone is Bob's MFA phone number.
	BobPhone = "+15555550101"
	// CarolEmail is an Acme member with an authenticator app (secret
	// CarolTOTPSecret) and the role ReportsEditorRole.
	CarolEmail = "carol@acme.test"
	// CarolTOTPSecret is the base32 secret of Carol's authenticator app.
	CarolTOTPSecret = "JBSWY3DPEHPK3PXP"
	// DaveEmail is an Acme member with no second factor yet: the MFA step
	// offers to enroll a phone or an authenticator app. Members who have one
	// must use it.
	DaveEmail = "dave@acme.test"
	// GinaEmail is a member of Globex only.
	GinaEmail = "gina@globex.test"

	// InitechSlug is an organization whose policy allows SSO only, through
	// the SAML connection InitechSAMLConnection, with MFA required for all.
	InitechSlug = "initech"
	// InitechSAMLConnection is Initech's SAML connection ("Okta").
	InitechSAMLConnection = "saml-connection-test-initech-okta"
	// IvanEmail is an Initech member with a phone.
	IvanEmail = "ivan@initech.test"
	// IvanPhone is Ivan's MFA phone number.
	IvanPhone = "+15555550102"
	// UmbrellaSlug is an organization signing in with the OIDC connection
	// UmbrellaOIDCConnection or an email magic link, MFA optional; its
	// connection provisions new members.
	UmbrellaSlug = "umbrella"
	// UmbrellaOIDCConnection is Umbrella's OIDC connection ("Entra ID").
	UmbrellaOIDCConnection = "oidc-connection-test-umbrella-entra"
	// UmaEmail is an Umbrella member.
	UmaEmail = "uma@umbrella.test"
	// HooliSlug is an organization any address of HooliDomain joins by
	// signing in (email domain JIT provisioning), MFA optional.
	HooliSlug = "hooli"
	// HooliDomain is the email domain of Hooli.
	HooliDomain = "hooli.test"

	// AdminResource and AdminAction are the permission /admin requires.
	AdminResource = "reports"
	AdminAction   = "write"
	// ReportsEditorRole grants read and write on AdminResource.
	ReportsEditorRole = "reports_editor"
)

// Seed returns the emulator's starting data: Acme (MFA required for all)
// with Alice, Bob, Carol and Dave; Globex (MFA optional) with Alice (who has
// the password AlicePassword there) and Gina;
// Initech (SSO only, SAML, MFA required for all) with Ivan; Umbrella (OIDC
// or magic link) with Uma; Hooli (any address of hooli.test joins); and
// the RBAC resource "reports" (actions read and write) with the role
// "reports_editor" granting both. stytch_admin grants every action on every
// resource, so Alice may open /admin in Acme and Bob may not. The M2M client
// ReportsClientID may read PathReports.
func Seed() emulator.Seed {
	return emulator.Seed{
		Resources: []emulator.Resource{{
			ResourceID:  AdminResource,
			Description: "Reports of the organization",
			Actions:     []string{"read", AdminAction},
		}},
		Roles: []emulator.Role{{
			RoleID:      ReportsEditorRole,
			Description: "Reads and writes reports",
			Permissions: []emulator.Permission{{ResourceID: AdminResource, Actions: []string{"read", AdminAction}}},
		}},
		Organizations: []emulator.OrganizationSeed{
			{Name: "Acme", Slug: AcmeSlug, MFAPolicy: "REQUIRED_FOR_ALL"},
			{Name: "Globex", Slug: GlobexSlug, MFAPolicy: "OPTIONAL"},
			{
				Name: "Initech", Slug: InitechSlug, MFAPolicy: "REQUIRED_FOR_ALL", AllowedAuthMethods: []string{"sso"},
				LoginPolicy: emulator.LoginPolicy{SSOConnections: []emulator.SSOConnectionSeed{
					{ID: InitechSAMLConnection, Type: "saml", DisplayName: "Okta", IdentityProvider: "okta"},
				}},
			},
			{
				Name: "Umbrella", Slug: UmbrellaSlug, MFAPolicy: "OPTIONAL", AllowedAuthMethods: []string{"sso", "magic_link"},
				LoginPolicy: emulator.LoginPolicy{SSOConnections: []emulator.SSOConnectionSeed{
					{ID: UmbrellaOIDCConnection, Type: "oidc", DisplayName: "Entra ID", IdentityProvider: "microsoft-entra"},
				}},
			},
			{Name: "Hooli", Slug: HooliSlug, MFAPolicy: "OPTIONAL", EmailAllowedDomains: []string{HooliDomain}},
		},
		Members: []emulator.MemberSeed{
			{Organization: AcmeSlug, Email: AliceEmail, Name: "Alice Admin", Phone: AlicePhone, Roles: []string{"stytch_admin"}},
			{Organization: AcmeSlug, Email: BobEmail, Name: "Bob Member", Phone: BobPhone},
			{
				Organization: AcmeSlug, Email: CarolEmail, Name: "Carol Editor",
				TOTPSecret: CarolTOTPSecret, MFAEnrolled: true, DefaultMFAMethod: "totp",
				Roles: []string{ReportsEditorRole},
			},
			{Organization: AcmeSlug, Email: DaveEmail, Name: "Dave Newcomer"},
			{Organization: GlobexSlug, Email: AliceEmail, Name: "Alice Admin", Phone: AlicePhone, Password: AlicePassword},
			{Organization: GlobexSlug, Email: GinaEmail, Name: "Gina Globex"},
			{Organization: InitechSlug, Email: IvanEmail, Name: "Ivan Initech", Phone: IvanPhone},
			{Organization: UmbrellaSlug, Email: UmaEmail, Name: "Uma Umbrella"},
		},
		M2MClients: []emulator.M2MClientSeed{{
			ID: ReportsClientID, Secret: ReportsClientSecret, Name: "Reports exporter",
			Scopes: []string{ReportsScope},
		}},
	}
}
