package client_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/b2bauth/b2bauth/client"
	"github.com/b2bauth/b2bauth/emulator"
)

func ExampleNew() {
	c, err := client.New("project-test-6f1c2d3e", "secret-test-abc",
		client.WithTimeout(5*time.Second),
		client.WithUserAgent("my-app/1.0"),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c.BaseURL())
	fmt.Println(c.Issuers())

	_, err = client.New("project-test-6f1c2d3e", "")
	fmt.Println(err)
	// Output:
	// https://test.stytch.com
	// [stytch.com/project-test-6f1c2d3e https://test.stytch.com]
	// b2bauth: client: empty secret
}

func ExampleSessionsService_Authenticate() {
	// A stand-in for Stytch that knows no session.
	stytch := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, `{"status_code":404,"request_id":"req-1","error_type":"session_not_found","error_message":"Session not found."}`)
	}))
	defer stytch.Close()

	c, err := client.New("project-test-6f1c2d3e", "secret-test-abc", client.WithBaseURL(stytch.URL))
	if err != nil {
		fmt.Println(err)
		return
	}
	_, err = c.Sessions.Authenticate(context.Background(), &client.SessionsAuthenticateParams{SessionToken: "expired"})
	var apiErr *client.Error
	switch {
	case errors.Is(err, client.ErrUnavailable):
		fmt.Println("Stytch could not answer: try again later")
	case errors.As(err, &apiErr):
		fmt.Println("rejected:", apiErr.ErrorType, apiErr.StatusCode)
	}
	// Output:
	// rejected: session_not_found 404
}

func ExampleAuthorizeWithPolicy() {
	policy := &client.Policy{Roles: []client.PolicyRole{
		{RoleID: "editor", Permissions: []client.PolicyPermission{{ResourceID: "documents", Actions: []string{"read", "write"}}}},
		{RoleID: "stytch_admin", Permissions: []client.PolicyPermission{{ResourceID: "documents", Actions: []string{"*"}}}},
	}}
	check := client.AuthorizationCheck{OrganizationID: "org-1", ResourceID: "documents", Action: "delete"}

	fmt.Println(client.AuthorizeWithPolicy(policy, nil, "org-1", []string{"stytch_admin"}, check))
	err := client.AuthorizeWithPolicy(policy, nil, "org-1", []string{"editor"}, check)
	fmt.Println(errors.Is(err, client.ErrAuthorizationDenied))
	err = client.AuthorizeWithPolicy(policy, nil, "org-2", []string{"stytch_admin"}, check)
	fmt.Println(errors.Is(err, client.ErrTenancyMismatch))
	// Output:
	// <nil>
	// true
	// true
}

func ExampleOAuthService_DiscoveryStartURL() {
	c, err := client.New("project-test-00000000-0000-0000-0000-000000000000", "secret-test-x")
	if err != nil {
		log.Fatal(err)
	}
	u, err := c.OAuth.DiscoveryStartURL("google", &client.OAuthDiscoveryStartParams{
		PublicToken:          "public-token-test-1",
		DiscoveryRedirectURL: "https://app.example.com/auth/callback",
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(u)
	// Output: https://test.stytch.com/v1/b2b/public/oauth/google/discovery/start?discovery_redirect_url=https%3A%2F%2Fapp.example.com%2Fauth%2Fcallback&public_token=public-token-test-1
}

func ExampleClient_NewJWKS() {
	s, err := emulator.New(emulator.WithSeed(emulator.Seed{
		Organizations: []emulator.OrganizationSeed{{Name: "Acme", Slug: "acme"}},
		Members:       []emulator.MemberSeed{{Organization: "acme", Email: "ada@acme.test"}},
	}))
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	c, err := s.Client() // in production: client.New(projectID, secret)
	if err != nil {
		log.Fatal(err)
	}

	jwks, err := c.NewJWKS(context.Background(), client.WithRefreshInterval(30*time.Minute))
	if err != nil {
		log.Fatal(err)
	}
	defer jwks.Close() // stops the background refresh

	ada, _ := s.MemberID("acme", "ada@acme.test")
	_, sessionJWT, err := s.CreateSession(ada)
	if err != nil {
		log.Fatal(err)
	}

	// Verify the session JWT locally: no call to Stytch per request.
	var claims client.SessionClaims
	_, err = jwt.ParseWithClaims(sessionJWT, &claims, jwks.Keyfunc,
		jwt.WithValidMethods([]string{"RS256"}),
		jwt.WithAudience(c.ProjectID()),
		jwt.WithExpirationRequired(),
	)
	fmt.Println(err, claims.Organization.Slug, claims.Session.Roles)
	// Output: <nil> acme [stytch_member]
}

func ExampleSessionsService_Revoke() {
	s, err := emulator.New(emulator.WithSeed(emulator.Seed{
		Organizations: []emulator.OrganizationSeed{{Name: "Acme", Slug: "acme"}},
		Members:       []emulator.MemberSeed{{Organization: "acme", Email: "ada@acme.test"}},
	}))
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	c, err := s.Client()
	if err != nil {
		log.Fatal(err)
	}
	ada, _ := s.MemberID("acme", "ada@acme.test")
	token, _, err := s.CreateSession(ada)
	if err != nil {
		log.Fatal(err)
	}

	// On logout: revoke the session, after which Stytch no longer knows it.
	ctx := context.Background()
	if _, err := c.Sessions.Revoke(ctx, &client.SessionsRevokeParams{SessionToken: token}); err != nil {
		log.Fatal(err)
	}
	_, err = c.Sessions.Authenticate(ctx, &client.SessionsAuthenticateParams{SessionToken: token})
	var apiErr *client.Error
	fmt.Println(errors.As(err, &apiErr) && apiErr.ErrorType == "session_not_found")
	// Output: true
}
