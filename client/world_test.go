package client_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/b2bauth/b2bauth/client"
	"github.com/b2bauth/b2bauth/emulator"
)

// The scenario tests run against the in-memory emulator, seeded by
// startExample:
//
//   - the project policy has the resources "documents" (read, write, delete)
//     and "audit_logs" (export), and the role "editor" (read and write documents);
//   - "acme" (MFA optional) has ada@acme.test as editor, and its own role
//     "org-auditor" (export audit logs);
//   - "beta" (MFA optional) has ada@acme.test too;
//   - "secure" (MFA required for all) has bob@secure.test (verified phone,
//     TOTP and three recovery codes), sam@secure.test (verified phone only)
//     and tia@secure.test (no MFA factor yet).
const (
	exampleAda      = "ada@acme.test"
	exampleBob      = "bob@secure.test"
	exampleSam      = "sam@secure.test"
	exampleTia      = "tia@secure.test"
	exampleSamPhone = "+15555550101"
	exampleTOTPS    = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
)

// startExample starts a seeded emulator and a client pointed at it. The
// returned stop closes both.
func startExample(t testing.TB, opts ...emulator.Option) (*emulator.Server, *client.Client, func()) {
	t.Helper()
	seed := emulator.Seed{
		Resources: []emulator.Resource{
			{ResourceID: "documents", Actions: []string{"read", "write", "delete"}},
			{ResourceID: "audit_logs", Actions: []string{"export"}},
		},
		Roles: []emulator.Role{{RoleID: "editor",
			Permissions: []emulator.Permission{{ResourceID: "documents", Actions: []string{"read", "write"}}}}},
		Organizations: []emulator.OrganizationSeed{
			{Name: "Acme", Slug: "acme", MFAPolicy: client.MFAPolicyOptional, EmailAllowedDomains: []string{"acme.test"},
				CustomRoles: []emulator.Role{{RoleID: "org-auditor",
					Permissions: []emulator.Permission{{ResourceID: "audit_logs", Actions: []string{"export"}}}}}},
			{Name: "Beta", Slug: "beta", MFAPolicy: client.MFAPolicyOptional},
			{Name: "Secure", Slug: "secure", MFAPolicy: client.MFAPolicyRequiredForAll},
		},
		Members: []emulator.MemberSeed{
			{Organization: "acme", Email: exampleAda, Roles: []string{"editor"}},
			{Organization: "beta", Email: exampleAda},
			{Organization: "secure", Email: exampleBob, Phone: "+15555550100", MFAPhoneNumberVerified: true,
				TOTPSecret: exampleTOTPS, RecoveryCodes: []string{"aaaa-bbbb-0001", "aaaa-bbbb-0002", "aaaa-bbbb-0003"}},
			{Organization: "secure", Email: exampleSam, Phone: exampleSamPhone, MFAPhoneNumberVerified: true},
			{Organization: "secure", Email: exampleTia},
		},
	}
	s, err := emulator.New(append([]emulator.Option{emulator.WithSeed(seed)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	c, err := client.New(s.ProjectID(), s.Secret(), client.WithBaseURL(s.URL()))
	if err != nil {
		s.Close()
		t.Fatal(err)
	}
	return s, c, s.Close
}

// mustOrg returns the id of the organization with this slug.
func mustOrg(t testing.TB, s *emulator.Server, slug string) string {
	t.Helper()
	id, ok := s.OrganizationID(slug)
	if !ok {
		t.Fatalf("no organization %q", slug)
	}
	return id
}

// mustMember returns the id of a member of the organization with this slug.
func mustMember(t testing.TB, s *emulator.Server, slug, email string) string {
	t.Helper()
	id, ok := s.MemberID(slug, email)
	if !ok {
		t.Fatalf("no member %q in %q", email, slug)
	}
	return id
}

// errorType returns the Stytch error type of err, or "" when err is not an
// API rejection.
func errorType(err error) string {
	var apiErr *client.Error
	if errors.As(err, &apiErr) {
		return apiErr.ErrorType
	}
	return ""
}

// login starts a session for the member of the organization with this slug
// and returns its token and JWT.
func login(t testing.TB, s *emulator.Server, slug, email string) (token, jwt string) {
	t.Helper()
	token, jwt, err := s.CreateSession(mustMember(t, s, slug, email))
	if err != nil {
		t.Fatal(err)
	}
	return token, jwt
}

// newJWKS is c.NewJWKS with the default settings that fails t on an
// error. The caller closes the key set.
func newJWKS(t testing.TB, c *client.Client) *client.JWKS {
	t.Helper()
	jwks, err := c.NewJWKS(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return jwks
}

// enter exchanges an intermediate session token of the member with this
// email for the organization with this slug, as after a discovery login.
func enter(t testing.TB, s *emulator.Server, c *client.Client, email, slug string) *client.DiscoveryExchangeResponse {
	t.Helper()
	ex, err := c.Discovery.ExchangeIntermediateSession(context.Background(), &client.DiscoveryExchangeParams{
		IntermediateSessionToken: s.IntermediateSessionToken(email),
		OrganizationID:           mustOrg(t, s, slug),
	})
	if err != nil {
		t.Fatal(err)
	}
	return ex
}

// examplePKCE returns a PKCE verifier, kept by the browser that asks for a
// link, and its S256 challenge, sent with the request.
func examplePKCE() (verifier, challenge string) {
	verifier = "example-verifier-0123456789-0123456789-0123456789"
	sum := sha256.Sum256([]byte(verifier))
	return verifier, base64.RawURLEncoding.EncodeToString(sum[:])
}

// sendDiscoveryLink sends the member with this email a discovery magic link
// bound to the PKCE challenge and returns the link's token, which arrives as
// its "token" query parameter.
func sendDiscoveryLink(t testing.TB, s *emulator.Server, c *client.Client, email, challenge string) string {
	t.Helper()
	if _, err := c.MagicLinks.DiscoverySend(context.Background(), &client.MagicLinksDiscoverySendParams{
		EmailAddress:         email,
		DiscoveryRedirectURL: "https://app.example.com/authenticate",
		PkceCodeChallenge:    challenge,
	}); err != nil {
		t.Fatal(err)
	}
	_, token, _ := s.LastMagicLink(email)
	return token
}

// countingTransport counts the requests it forwards.
type countingTransport struct {
	base http.RoundTripper
	n    atomic.Int64
}

func (t *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	t.n.Add(1)
	return t.base.RoundTrip(r)
}
