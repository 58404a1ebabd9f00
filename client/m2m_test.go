package client_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"

	"github.com/b2bauth/b2bauth/client"
	"github.com/b2bauth/b2bauth/emulator"
)

func TestM2MTokenFromTheEmulator(t *testing.T) {
	t.Parallel()
	e := newEmu(t)
	ctx := context.Background()
	created, err := e.c.M2M.CreateClient(ctx, &client.M2MClientCreateParams{ClientName: "exporter", Scopes: []string{"read:users", "write:users"}})
	if err != nil {
		t.Fatal(err)
	}
	id, secret := created.M2MClient.ClientID, created.M2MClient.ClientSecret
	if created.StatusCode != http.StatusCreated || id == "" || secret == "" {
		t.Fatalf("create: %+v", created)
	}
	tests := []struct {
		name      string
		secret    string
		scopes    []string
		wantScope string
		wantType  string
		status    int
	}{
		{"all the client's scopes by default", secret, nil, "read:users write:users", "", 200},
		{"a narrowed scope", secret, []string{"write:users"}, "write:users", "", 200},
		{"a wrong secret is a typed invalid_client error", secret + "x", nil, "", "invalid_client", 401},
		{"a scope the client lacks is a typed invalid_scope error", secret, []string{"admin:users"}, "", "invalid_scope", 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := e.c.M2M.Token(ctx, &client.M2MTokenParams{ClientID: id, ClientSecret: tt.secret, Scopes: tt.scopes})
			if tt.wantType != "" {
				var apiErr *client.Error
				if !errors.As(err, &apiErr) || apiErr.ErrorType != tt.wantType || apiErr.StatusCode != tt.status ||
					apiErr.ErrorMessage == "" || apiErr.RequestID == "" || errors.Is(err, client.ErrUnavailable) {
					t.Fatalf("err = %v, want a %d %s *client.Error", err, tt.status, tt.wantType)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			claims := jwt.MapClaims{}
			if _, _, err := jwt.NewParser().ParseUnverified(res.AccessToken, claims); err != nil {
				t.Fatal(err)
			}
			if res.TokenType != "bearer" || res.ExpiresIn != 3600 || claims["sub"] != id || claims["scope"] != tt.wantScope {
				t.Fatalf("token %+v claims %v", res, claims)
			}
		})
	}
}

func TestM2MTokenNeedsCredentials(t *testing.T) {
	t.Parallel()
	e := newEmu(t)
	for _, p := range []*client.M2MTokenParams{nil, {ClientID: "m2m-client-test-x"}, {ClientSecret: "s3cret-s3cret"}} {
		if _, err := e.c.M2M.Token(context.Background(), p); err == nil {
			t.Errorf("Token(%+v) succeeded", p)
		}
	}
	if n := e.srv.Calls(http.MethodPost, "/v1/public/"+e.c.ProjectID()+"/oauth2/token"); n != 0 {
		t.Fatalf("%d calls for invalid params", n)
	}
}

func TestM2MClientSecretIsNeverLogged(t *testing.T) {
	t.Parallel()
	e := newEmu(t)
	id, secret, err := e.srv.AddM2MClient(emulator.M2MClientSeed{Scopes: []string{"read:users"}})
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	c, err := client.New(e.srv.ProjectID(), e.srv.Secret(), client.WithBaseURL(e.srv.URL()),
		client.WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.M2M.Token(context.Background(), &client.M2MTokenParams{ClientID: id, ClientSecret: secret}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.M2M.Token(context.Background(), &client.M2MTokenParams{ClientID: id, ClientSecret: secret + "-wrong"}); err == nil {
		t.Fatal("a wrong secret got a token")
	}
	if logs.Len() == 0 || strings.Contains(logs.String(), secret) {
		t.Fatalf("logs hold the secret (or nothing at all): %s", logs.String())
	}
}

func TestM2MClientsCalls(t *testing.T) {
	t.Parallel()
	e := newEmu(t)
	ctx := context.Background()
	created, err := e.c.M2M.CreateClient(ctx, &client.M2MClientCreateParams{ClientID: "m2m-client-test-imported",
		ClientSecret: "imported-secret", ClientName: "imported", Scopes: []string{"read:users"}})
	if err != nil {
		t.Fatal(err)
	}
	if created.M2MClient.ClientSecret != "imported-secret" || created.M2MClient.ClientSecretLastFour != "cret" {
		t.Fatalf("create: %+v", created.M2MClient)
	}
	got, err := e.c.M2M.GetClient(ctx, "m2m-client-test-imported")
	if err != nil || got.M2MClient.ClientSecret != "" || got.M2MClient.Status != "active" || got.M2MClient.ClientName != "imported" {
		t.Fatalf("get: %+v, %v", got, err)
	}
	var apiErr *client.Error
	if _, err := e.c.M2M.GetClient(ctx, "m2m-client-test-nobody"); !errors.As(err, &apiErr) || apiErr.StatusCode != 404 {
		t.Fatalf("get unknown: %v", err)
	}
	found, err := e.c.M2M.SearchClients(ctx, &client.M2MClientSearchParams{Query: &client.M2MSearchQuery{Operator: "AND",
		Operands: []map[string]any{{"filter_name": "scopes", "filter_value": []string{"read:users"}}}}})
	if err != nil || len(found.M2MClients) != 1 || found.M2MClients[0].ClientID != "m2m-client-test-imported" || found.ResultsMetadata.Total != 1 {
		t.Fatalf("search: %+v, %v", found, err)
	}

	started, err := e.c.M2M.RotateSecretStart(ctx, "m2m-client-test-imported")
	if err != nil || started.M2MClient.NextClientSecret == "" || started.M2MClient.NextClientSecretLastFour == nil {
		t.Fatalf("rotate start: %+v, %v", started, err)
	}
	if _, err := e.c.M2M.RotateSecret(ctx, "m2m-client-test-imported"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.M2M.Token(ctx, &client.M2MTokenParams{ClientID: "m2m-client-test-imported", ClientSecret: started.M2MClient.NextClientSecret}); err != nil {
		t.Fatalf("token with the rotated secret: %v", err)
	}
	if _, err := e.c.M2M.RotateSecretCancel(ctx, "m2m-client-test-imported"); !errors.As(err, &apiErr) || apiErr.StatusCode != 400 {
		t.Fatalf("cancel without rotation: %v", err)
	}

	if _, err := e.c.M2M.UpdateClient(ctx, &client.M2MClientUpdateParams{ClientID: "m2m-client-test-imported", Status: "inactive"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.M2M.Token(ctx, &client.M2MTokenParams{ClientID: "m2m-client-test-imported", ClientSecret: started.M2MClient.NextClientSecret}); !errors.As(err, &apiErr) || apiErr.ErrorType != "invalid_client" {
		t.Fatalf("token of an inactive client: %v", err)
	}
	if del, err := e.c.M2M.DeleteClient(ctx, "m2m-client-test-imported"); err != nil || del.ClientID != "m2m-client-test-imported" {
		t.Fatalf("delete: %+v, %v", del, err)
	}
	if _, err := e.c.M2M.GetClient(ctx, ""); err == nil {
		t.Fatal("an empty client id was sent")
	}
}
