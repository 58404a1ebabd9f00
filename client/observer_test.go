package client_test

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/b2bauth/b2bauth/client"
	"github.com/b2bauth/b2bauth/emulator"
)

// unknownKIDToken is a parsed RS256 token naming a key the set lacks.
func unknownKIDToken() *jwt.Token {
	return &jwt.Token{Method: jwt.SigningMethodRS256, Header: map[string]any{"alg": "RS256", "kid": "jwk-test-unknown"}}
}

// recordingObserver keeps what a client.Observer is told.
type recordingObserver struct {
	mu      sync.Mutex
	calls   []client.UpstreamCall
	fetches []client.KeySetFetch
}

func (o *recordingObserver) UpstreamCall(_ context.Context, c client.UpstreamCall) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.calls = append(o.calls, c)
}

func (o *recordingObserver) KeySetFetch(_ context.Context, f client.KeySetFetch) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.fetches = append(o.fetches, f)
}

func (o *recordingObserver) snapshot() ([]client.UpstreamCall, []client.KeySetFetch) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]client.UpstreamCall(nil), o.calls...), append([]client.KeySetFetch(nil), o.fetches...)
}

func TestObserverIsToldOfEveryUpstreamAttempt(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		fault *emulator.Fault
		call  func(context.Context, *client.Client) error
		want  []client.UpstreamCall // compared on Method, Endpoint, Status, Attempt and whether Err is set
	}{
		{
			name: "a read of an unknown organization is one 4xx attempt, its identifier templated",
			call: func(ctx context.Context, c *client.Client) error {
				_, err := c.RBAC.OrganizationPolicy(ctx, &client.RBACOrganizationPolicyParams{OrganizationID: "organization-test-1234"})
				return err
			},
			want: []client.UpstreamCall{{Method: "GET", Endpoint: "/v1/b2b/rbac/organizations/{id}", Status: 404, Attempt: 1, Err: errors.New("")}},
		},
		{
			name: "a refused session is one 4xx attempt with the error",
			call: func(ctx context.Context, c *client.Client) error {
				_, err := c.Sessions.Authenticate(ctx, &client.SessionsAuthenticateParams{SessionToken: "made-up-token-made-up-token-00"})
				return err
			},
			want: []client.UpstreamCall{{Method: "POST", Endpoint: "/v1/b2b/sessions/authenticate", Status: 404, Attempt: 1, Err: errors.New("")}},
		},
		{
			name:  "a retried read while Stytch answers 503 is three 5xx attempts",
			fault: &emulator.Fault{Path: "/v1/b2b/rbac/policy", Status: 503},
			call: func(ctx context.Context, c *client.Client) error {
				_, err := c.RBAC.Policy(ctx, nil)
				return err
			},
			want: []client.UpstreamCall{
				{Method: "GET", Endpoint: "/v1/b2b/rbac/policy", Status: 503, Attempt: 1, Err: errors.New("")},
				{Method: "GET", Endpoint: "/v1/b2b/rbac/policy", Status: 503, Attempt: 2, Err: errors.New("")},
				{Method: "GET", Endpoint: "/v1/b2b/rbac/policy", Status: 503, Attempt: 3, Err: errors.New("")},
			},
		},
		{
			name:  "a dropped connection is an attempt without a status",
			fault: &emulator.Fault{Path: "/v1/b2b/sessions/revoke", Drop: true},
			call: func(ctx context.Context, c *client.Client) error {
				_, err := c.Sessions.Revoke(ctx, &client.SessionsRevokeParams{SessionToken: "t"})
				return err
			},
			want: []client.UpstreamCall{{Method: "POST", Endpoint: "/v1/b2b/sessions/revoke", Status: 0, Attempt: 1, Err: errors.New("")}},
		},
		{
			name: "a successful read carries no error",
			call: func(ctx context.Context, c *client.Client) error {
				_, err := c.RBAC.Policy(ctx, nil)
				return err
			},
			want: []client.UpstreamCall{{Method: "GET", Endpoint: "/v1/b2b/rbac/policy", Status: 200, Attempt: 1}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := emulator.NewTest(t)
			obs := &recordingObserver{}
			c, err := srv.Client(client.WithObserver(obs))
			if err != nil {
				t.Fatal(err)
			}
			client.SetBackoff(c, func(int) time.Duration { return 0 })
			if tt.fault != nil {
				srv.SetFault(*tt.fault)
			}
			_ = tt.call(context.Background(), c)
			calls, _ := obs.snapshot()
			if len(calls) != len(tt.want) {
				t.Fatalf("observer told of %d attempts, want %d: %+v", len(calls), len(tt.want), calls)
			}
			for i, got := range calls {
				w := tt.want[i]
				if got.Method != w.Method || got.Endpoint != w.Endpoint || got.Status != w.Status ||
					got.Attempt != w.Attempt || (got.Err != nil) != (w.Err != nil) {
					t.Errorf("attempt %d = %+v, want %+v", i, got, w)
				}
				if got.URL != srv.URL() || got.Duration <= 0 {
					t.Errorf("attempt %d: URL %q, duration %v", i, got.URL, got.Duration)
				}
			}
		})
	}
}

func TestUpstreamCallStatusClass(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		status int
		want   string
	}{{0, "none"}, {200, "2xx"}, {201, "2xx"}, {401, "4xx"}, {503, "5xx"}, {999, "none"}} {
		if got := (client.UpstreamCall{Status: tt.status}).StatusClass(); got != tt.want {
			t.Errorf("status %d: class %q, want %q", tt.status, got, tt.want)
		}
	}
}

func TestObserverIsToldOfKeySetFetches(t *testing.T) {
	t.Parallel()
	srv := emulator.NewTest(t)
	obs := &recordingObserver{}
	c, err := srv.Client(client.WithObserver(obs))
	if err != nil {
		t.Fatal(err)
	}
	jwks, err := c.NewJWKS(context.Background(), client.WithStartWait(5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer jwks.Close()

	t.Run("the first fetch is told with its reason and keys", func(t *testing.T) {
		_, fetches := obs.snapshot()
		if len(fetches) != 1 {
			t.Fatalf("%d fetches told, want 1", len(fetches))
		}
		f := fetches[0]
		if f.Reason != client.KeySetStart || f.Status != http.StatusOK || f.Keys < 1 || f.Err != nil || f.URL != c.JWKSURL() {
			t.Errorf("fetch = %+v", f)
		}
		if st := jwks.Status(); !st.Held() || st.Keys != f.Keys || st.LastError != nil {
			t.Errorf("status after a good fetch = %+v", st)
		}
	})
	t.Run("a failed fetch for an unknown kid is told and kept in the status", func(t *testing.T) {
		srv.SetFault(emulator.Fault{Path: "/v1/b2b/sessions/jwks/" + srv.ProjectID(), Status: 500})
		_, _ = jwks.KeyfuncCtx(context.Background())(unknownKIDToken())
		_, fetches := obs.snapshot()
		if len(fetches) != 2 {
			t.Fatalf("%d fetches told, want 2", len(fetches))
		}
		f := fetches[1]
		if f.Reason != client.KeySetUnknownKID || f.Status != 500 || f.Keys != 0 || !errors.Is(f.Err, client.ErrUnavailable) {
			t.Errorf("fetch = %+v", f)
		}
		st := jwks.Status()
		if !st.Held() || !errors.Is(st.LastError, client.ErrUnavailable) || st.LastErrorAt.Before(st.FetchedAt) {
			t.Errorf("status after a failed refresh = %+v: the last good set must be kept, the failure recorded", st)
		}
	})
}
