package client_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/b2bauth/b2bauth/client"
	"github.com/b2bauth/b2bauth/emulator"
)

func TestCheckCredentials(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		secret      string // "" keeps the emulator's
		fault       *emulator.Fault
		wantRefused bool
		wantUnavail bool
	}{
		{name: "accepted credentials pass"},
		{name: "a wrong secret is refused", secret: "secret-test-wrong", wantRefused: true},
		{name: "an outage says nothing of the credentials", fault: &emulator.Fault{Status: 503}, wantUnavail: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := emulator.NewTest(t)
			secret := srv.Secret()
			if tt.secret != "" {
				secret = tt.secret
			}
			c, err := client.New(srv.ProjectID(), secret, client.WithBaseURL(srv.URL()))
			if err != nil {
				t.Fatal(err)
			}
			client.SetBackoff(c, func(int) time.Duration { return 0 })
			if tt.fault != nil {
				srv.SetFault(*tt.fault)
			}
			err = c.CheckCredentials(context.Background())
			if got := errors.Is(err, client.ErrCredentialsRefused); got != tt.wantRefused {
				t.Errorf("err = %v; refused %v, want %v", err, got, tt.wantRefused)
			}
			if got := errors.Is(err, client.ErrUnavailable); got != tt.wantUnavail {
				t.Errorf("err = %v; unavailable %v, want %v", err, got, tt.wantUnavail)
			}
			var apiErr *client.Error
			if tt.wantRefused && (!errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusUnauthorized) {
				t.Errorf("err = %v: want Stytch's 401 inside", err)
			}
			if !tt.wantRefused && !tt.wantUnavail && err != nil {
				t.Errorf("err = %v, want nil", err)
			}
		})
	}
}
