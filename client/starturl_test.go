package client_test

import (
	"errors"
	"testing"

	"github.com/b2bauth/b2bauth/client"
)

// The public start URLs are built without a request; their query must stay
// exactly what Stytch's start endpoints read.
func TestStartURLs(t *testing.T) {
	t.Parallel()
	c, err := client.New("project-test-00000000-0000-0000-0000-000000000000", "secret-test-x")
	if err != nil {
		t.Fatal(err)
	}
	redirects := client.RedirectParams{PublicToken: "pt", LoginRedirectURL: "https://app.test/login",
		SignupRedirectURL: "https://app.test/signup", PkceCodeChallenge: "ch"}
	const base = "https://test.stytch.com"
	tests := []struct {
		name  string
		start func() (string, error)
		want  string
	}{
		{"an SSO start names the connection when given one", func() (string, error) {
			return c.SSO.StartURL(&client.SSOStartParams{ConnectionID: "conn", OrganizationID: "org", RedirectParams: redirects})
		}, base + "/v1/public/sso/start?connection_id=conn&login_redirect_url=https%3A%2F%2Fapp.test%2Flogin&pkce_code_challenge=ch&public_token=pt&signup_redirect_url=https%3A%2F%2Fapp.test%2Fsignup"},
		{"an SSO start names the organization otherwise", func() (string, error) {
			return c.SSO.StartURL(&client.SSOStartParams{OrganizationID: "org", RedirectParams: client.RedirectParams{PublicToken: "pt"}})
		}, base + "/v1/public/sso/start?organization_id=org&public_token=pt"},
		{"an OAuth start prefers the organization id to the slug", func() (string, error) {
			return c.OAuth.StartURL("github", &client.OAuthStartParams{OrganizationID: "org", Slug: "acme", CustomScopes: "repo", LoginHint: "a@acme.test", RedirectParams: redirects})
		}, base + "/v1/b2b/public/oauth/github/start?custom_scopes=repo&login_hint=a%40acme.test&login_redirect_url=https%3A%2F%2Fapp.test%2Flogin&organization_id=org&pkce_code_challenge=ch&public_token=pt&signup_redirect_url=https%3A%2F%2Fapp.test%2Fsignup"},
		{"an OAuth start names the slug without an organization id", func() (string, error) {
			return c.OAuth.StartURL("slack", &client.OAuthStartParams{Slug: "acme", RedirectParams: client.RedirectParams{PublicToken: "pt"}})
		}, base + "/v1/b2b/public/oauth/slack/start?public_token=pt&slug=acme"},
		{"an OAuth discovery start carries only the values given", func() (string, error) {
			return c.OAuth.DiscoveryStartURL("microsoft", &client.OAuthDiscoveryStartParams{PublicToken: "pt", PkceCodeChallenge: "ch", CustomScopes: "mail"})
		}, base + "/v1/b2b/public/oauth/microsoft/discovery/start?custom_scopes=mail&pkce_code_challenge=ch&public_token=pt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.start()
			if err != nil || got != tt.want {
				t.Fatalf("got %q, %v\nwant %q", got, err, tt.want)
			}
		})
	}

	refusals := []struct {
		name  string
		start func() (string, error)
	}{
		{"an SSO start without a public token is refused", func() (string, error) {
			return c.SSO.StartURL(&client.SSOStartParams{ConnectionID: "conn"})
		}},
		{"an SSO start without a connection or organization is refused", func() (string, error) {
			return c.SSO.StartURL(&client.SSOStartParams{RedirectParams: client.RedirectParams{PublicToken: "pt"}})
		}},
		{"an OAuth start without an organization or slug is refused", func() (string, error) {
			return c.OAuth.StartURL("google", &client.OAuthStartParams{RedirectParams: client.RedirectParams{PublicToken: "pt"}})
		}},
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := tt.start(); !errors.Is(err, client.ErrMissingParameter) {
				t.Fatalf("got %v, want ErrMissingParameter", err)
			}
		})
	}
	t.Run("an unknown OAuth provider is refused", func(t *testing.T) {
		if _, err := c.OAuth.StartURL("myspace", &client.OAuthStartParams{Slug: "acme", RedirectParams: client.RedirectParams{PublicToken: "pt"}}); err == nil {
			t.Fatal("no error")
		}
		if _, err := c.OAuth.DiscoveryStartURL("myspace", &client.OAuthDiscoveryStartParams{PublicToken: "pt"}); err == nil {
			t.Fatal("no error")
		}
	})
}
