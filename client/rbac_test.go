package client_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/b2bauth/b2bauth/client"
)

var testPolicy = &client.Policy{Roles: []client.PolicyRole{
	{RoleID: "stytch_admin", Permissions: []client.PolicyPermission{
		{ResourceID: "stytch.organization", Actions: []string{"*"}},
		{ResourceID: "documents", Actions: []string{"*"}},
	}},
	{RoleID: "stytch_member", Permissions: []client.PolicyPermission{
		{ResourceID: "documents", Actions: []string{"read"}},
	}},
	{RoleID: "editor", Permissions: []client.PolicyPermission{
		{ResourceID: "documents", Actions: []string{"read", "write"}},
	}},
}}

var testOrgPolicy = &client.OrgPolicy{Roles: []client.PolicyRole{
	{RoleID: "org-auditor", Permissions: []client.PolicyPermission{
		{ResourceID: "audit_logs", Actions: []string{"export"}},
	}},
}}

var decisionCases = []struct {
	name        string
	sessionOrg  string
	roles       []string
	check       client.AuthorizationCheck
	wantErr     error
	needsOrgPol bool
}{
	{name: "a role with the action is allowed", sessionOrg: "org-1", roles: []string{"stytch_member"},
		check: client.AuthorizationCheck{OrganizationID: "org-1", ResourceID: "documents", Action: "read"}},
	{name: "a role with * is allowed any action", sessionOrg: "org-1", roles: []string{"stytch_admin"},
		check: client.AuthorizationCheck{OrganizationID: "org-1", ResourceID: "documents", Action: "delete"}},
	{name: "any one of several roles suffices", sessionOrg: "org-1", roles: []string{"stytch_member", "editor"},
		check: client.AuthorizationCheck{OrganizationID: "org-1", ResourceID: "documents", Action: "write"}},
	{name: "a role without the action is denied", sessionOrg: "org-1", roles: []string{"stytch_member"},
		check: client.AuthorizationCheck{OrganizationID: "org-1", ResourceID: "documents", Action: "write"}, wantErr: client.ErrAuthorizationDenied},
	{name: "a permission on another resource is denied", sessionOrg: "org-1", roles: []string{"editor"},
		check: client.AuthorizationCheck{OrganizationID: "org-1", ResourceID: "stytch.organization", Action: "read"}, wantErr: client.ErrAuthorizationDenied},
	{name: "a role the policy does not define grants nothing", sessionOrg: "org-1", roles: []string{"ghost"},
		check: client.AuthorizationCheck{OrganizationID: "org-1", ResourceID: "documents", Action: "read"}, wantErr: client.ErrAuthorizationDenied},
	{name: "no roles grant nothing", sessionOrg: "org-1",
		check: client.AuthorizationCheck{OrganizationID: "org-1", ResourceID: "documents", Action: "read"}, wantErr: client.ErrAuthorizationDenied},
	{name: "an organization's own role is allowed", sessionOrg: "org-1", roles: []string{"org-auditor"}, needsOrgPol: true,
		check: client.AuthorizationCheck{OrganizationID: "org-1", ResourceID: "audit_logs", Action: "export"}},
	{name: "a check naming another organization is a tenancy error even for admins", sessionOrg: "org-1", roles: []string{"stytch_admin"},
		check: client.AuthorizationCheck{OrganizationID: "org-2", ResourceID: "documents", Action: "read"}, wantErr: client.ErrTenancyMismatch},
	{name: "an empty check organization is a tenancy error", sessionOrg: "org-1", roles: []string{"stytch_admin"},
		check: client.AuthorizationCheck{ResourceID: "documents", Action: "read"}, wantErr: client.ErrTenancyMismatch},
}

func TestAuthorizeWithPolicy(t *testing.T) {
	t.Parallel()
	for _, tt := range decisionCases {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := client.AuthorizeWithPolicy(testPolicy, testOrgPolicy, tt.sessionOrg, tt.roles, tt.check)
			checkDecision(t, err, tt.wantErr)
			if tt.needsOrgPol {
				if err := client.AuthorizeWithPolicy(testPolicy, nil, tt.sessionOrg, tt.roles, tt.check); !errors.Is(err, client.ErrAuthorizationDenied) {
					t.Errorf("without the org policy: err = %v, want denied", err)
				}
			}
		})
	}
	if err := client.AuthorizeWithPolicy(nil, nil, "o", []string{"stytch_admin"}, client.AuthorizationCheck{OrganizationID: "o"}); !errors.Is(err, client.ErrAuthorizationDenied) {
		t.Errorf("nil policies: err = %v, want denied", err)
	}
}

func checkDecision(t *testing.T, err, want error) {
	t.Helper()
	if want == nil {
		if err != nil {
			t.Fatalf("err = %v, want allowed", err)
		}
		return
	}
	if !errors.Is(err, want) {
		t.Fatalf("err = %v, want %v", err, want)
	}
	var apiErr *client.Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusForbidden {
		t.Errorf("denial %v is not a 403 *Error", err)
	}
}

// policyServer serves the project and organization policies and counts calls.
type policyServer struct {
	projectCalls, orgCalls atomic.Int32
	fail                   atomic.Bool
	gate                   chan struct{} // when non-nil, each policy answer waits for it
	// ownRoles makes each organization's policy define one role of its own,
	// "auditor-<organization id>", instead of testOrgPolicy.
	ownRoles bool
}

func (s *policyServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.gate != nil {
		<-s.gate
	}
	w.Header().Set("Content-Type", "application/json")
	switch {
	case r.URL.Path == "/v1/b2b/rbac/policy":
		s.projectCalls.Add(1)
		if s.fail.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprint(w, `{"error_type":"internal_server_error"}`)
			return
		}
		writeJSON(w, map[string]any{"status_code": 200, "policy": testPolicy})
	case strings.HasPrefix(r.URL.Path, "/v1/b2b/rbac/organizations/"):
		s.orgCalls.Add(1)
		if s.fail.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprint(w, `{"error_type":"internal_server_error"}`)
			return
		}
		orgPolicy := testOrgPolicy
		if s.ownRoles {
			orgID := strings.TrimPrefix(r.URL.Path, "/v1/b2b/rbac/organizations/")
			orgPolicy = &client.OrgPolicy{Roles: []client.PolicyRole{{RoleID: "auditor-" + orgID,
				Permissions: []client.PolicyPermission{{ResourceID: "audit_logs", Actions: []string{"export"}}}}}}
		}
		writeJSON(w, map[string]any{"status_code": 200, "org_policy": orgPolicy})
	default:
		http.NotFound(w, r)
	}
}

func newPolicyCache(t *testing.T, srv *policyServer, clock *fakeClock, opts ...client.PolicyCacheOption) *client.PolicyCache {
	t.Helper()
	c := newClient(t, "http://stytch.invalid", client.WithHTTPClient(&http.Client{Transport: handlerTransport{srv}}))
	return mustPolicyCache(t, c, append([]client.PolicyCacheOption{client.WithPolicyClock(clock.Now)}, opts...)...)
}

func TestPolicyCacheDecisions(t *testing.T) {
	t.Parallel()
	for _, tt := range decisionCases {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := &policyServer{}
			p := newPolicyCache(t, srv, newFakeClock())
			err := p.Authorize(context.Background(), tt.sessionOrg, tt.roles, tt.check)
			checkDecision(t, err, tt.wantErr)
			if errors.Is(tt.wantErr, client.ErrTenancyMismatch) && srv.projectCalls.Load()+srv.orgCalls.Load() != 0 {
				t.Errorf("a tenancy mismatch fetched policies")
			}
		})
	}
}

func TestPolicyCacheRefresh(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	read := client.AuthorizationCheck{OrganizationID: "org-1", ResourceID: "documents", Action: "read"}
	export := client.AuthorizationCheck{OrganizationID: "org-1", ResourceID: "audit_logs", Action: "export"}

	t.Run("nothing is fetched before the first check", func(t *testing.T) {
		t.Parallel()
		srv := &policyServer{}
		_ = newPolicyCache(t, srv, newFakeClock())
		if srv.projectCalls.Load() != 0 {
			t.Fatal("policy fetched eagerly")
		}
	})

	t.Run("a fresh policy is reused and a stale one fetched again", func(t *testing.T) {
		t.Parallel()
		srv, clock := &policyServer{}, newFakeClock()
		p := newPolicyCache(t, srv, clock, client.WithPolicyMaxAge(time.Minute))
		for range 5 {
			if err := p.Authorize(ctx, "org-1", []string{"stytch_member"}, read); err != nil {
				t.Fatal(err)
			}
		}
		if n := srv.projectCalls.Load(); n != 1 {
			t.Fatalf("project policy fetched %d times while fresh, want 1", n)
		}
		if n := srv.orgCalls.Load(); n != 0 {
			t.Fatalf("org policy fetched %d times although project roles allowed", n)
		}
		clock.Advance(time.Minute)
		if err := p.Authorize(ctx, "org-1", []string{"stytch_member"}, read); err != nil {
			t.Fatal(err)
		}
		if n := srv.projectCalls.Load(); n != 2 {
			t.Fatalf("project policy fetched %d times after max age, want 2", n)
		}
	})

	t.Run("the default max age is five minutes", func(t *testing.T) {
		t.Parallel()
		srv, clock := &policyServer{}, newFakeClock()
		p := newPolicyCache(t, srv, clock)
		_ = p.Authorize(ctx, "org-1", []string{"stytch_member"}, read)
		clock.Advance(5*time.Minute - time.Second)
		_ = p.Authorize(ctx, "org-1", []string{"stytch_member"}, read)
		if n := srv.projectCalls.Load(); n != 1 {
			t.Fatalf("fetched %d times within 5 min", n)
		}
		clock.Advance(time.Second)
		_ = p.Authorize(ctx, "org-1", []string{"stytch_member"}, read)
		if n := srv.projectCalls.Load(); n != 2 {
			t.Fatalf("fetched %d times at 5 min", n)
		}
	})

	t.Run("organization policies are cached per organization", func(t *testing.T) {
		t.Parallel()
		srv, clock := &policyServer{}, newFakeClock()
		p := newPolicyCache(t, srv, clock)
		for range 3 {
			if err := p.Authorize(ctx, "org-1", []string{"org-auditor"}, export); err != nil {
				t.Fatal(err)
			}
		}
		other := export
		other.OrganizationID = "org-2"
		if err := p.Authorize(ctx, "org-2", []string{"org-auditor"}, other); err != nil {
			t.Fatal(err)
		}
		if n := srv.orgCalls.Load(); n != 2 {
			t.Fatalf("org policies fetched %d times, want one per organization", n)
		}
	})

	t.Run("a failed refresh keeps the stale copy", func(t *testing.T) {
		t.Parallel()
		srv, clock := &policyServer{}, newFakeClock()
		p := newPolicyCache(t, srv, clock)
		if err := p.Authorize(ctx, "org-1", []string{"org-auditor"}, export); err != nil {
			t.Fatal(err)
		}
		srv.fail.Store(true)
		clock.Advance(time.Hour)
		if err := p.Authorize(ctx, "org-1", []string{"org-auditor"}, export); err != nil {
			t.Fatalf("stale copy not used: %v", err)
		}
		if err := p.Authorize(ctx, "org-1", []string{"stytch_member"}, client.AuthorizationCheck{OrganizationID: "org-1", ResourceID: "documents", Action: "write"}); !errors.Is(err, client.ErrAuthorizationDenied) {
			t.Fatalf("stale copy still denies: err = %v", err)
		}
		calls := srv.projectCalls.Load()
		for range 10 {
			_ = p.Authorize(ctx, "org-1", []string{"stytch_member"}, read)
		}
		if srv.projectCalls.Load() != calls {
			t.Errorf("a failing Stytch was asked again before the failure backoff")
		}
		srv.fail.Store(false)
		clock.Advance(time.Minute)
		_ = p.Authorize(ctx, "org-1", []string{"stytch_member"}, read)
		if srv.projectCalls.Load() != calls+1 {
			t.Errorf("no refresh after the failure backoff")
		}
	})

	t.Run("a policy that was never fetched is unavailable, not a denial", func(t *testing.T) {
		t.Parallel()
		srv := &policyServer{}
		srv.fail.Store(true)
		p := newPolicyCache(t, srv, newFakeClock())
		err := p.Authorize(ctx, "org-1", []string{"stytch_admin"}, read)
		if !errors.Is(err, client.ErrUnavailable) || errors.Is(err, client.ErrAuthorizationDenied) {
			t.Fatalf("err = %v, want ErrUnavailable", err)
		}
	})

	t.Run("a missing organization policy is unavailable only when project roles deny", func(t *testing.T) {
		t.Parallel()
		srv, clock := &policyServer{}, newFakeClock()
		p := newPolicyCache(t, srv, clock)
		if err := p.Authorize(ctx, "org-1", []string{"stytch_member"}, read); err != nil {
			t.Fatal(err)
		}
		srv.fail.Store(true)
		if err := p.Authorize(ctx, "org-1", []string{"stytch_member"}, read); err != nil {
			t.Fatalf("project grant needs no org policy: %v", err)
		}
		if err := p.Authorize(ctx, "org-1", []string{"org-auditor"}, export); !errors.Is(err, client.ErrUnavailable) {
			t.Fatalf("err = %v, want ErrUnavailable", err)
		}
	})
}

func TestPolicyCacheIsBounded(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	export := func(orgID string) client.AuthorizationCheck {
		return client.AuthorizationCheck{OrganizationID: orgID, ResourceID: "audit_logs", Action: "export"}
	}
	authorize := func(t *testing.T, p *client.PolicyCache, orgID string) {
		t.Helper()
		if err := p.Authorize(ctx, orgID, []string{"auditor-" + orgID}, export(orgID)); err != nil {
			t.Fatalf("%s: %v", orgID, err)
		}
	}

	t.Run("the organization added longest ago is forgotten and fetched again", func(t *testing.T) {
		t.Parallel()
		srv := &policyServer{ownRoles: true}
		p := newPolicyCache(t, srv, newFakeClock(), client.WithPolicyCacheSize(2))
		for _, org := range []string{"org-1", "org-2", "org-3", "org-2", "org-3"} {
			authorize(t, p, org)
		}
		if n := srv.orgCalls.Load(); n != 3 {
			t.Fatalf("org policies fetched %d times, want 3: the two newest organizations are kept", n)
		}
		authorize(t, p, "org-1")
		if n := srv.orgCalls.Load(); n != 4 {
			t.Fatalf("org policies fetched %d times, want 4: org-1 was forgotten", n)
		}
		if n := client.PolicyCacheOrganizations(p); n != 2 {
			t.Errorf("the cache holds %d organizations, want its size 2", n)
		}
	})

	t.Run("the default keeps ten thousand organizations", func(t *testing.T) {
		t.Parallel()
		srv := &policyServer{ownRoles: true}
		p := newPolicyCache(t, srv, newFakeClock())
		for i := range client.DefaultPolicyCacheSize + 1 {
			authorize(t, p, fmt.Sprintf("org-%d", i))
		}
		authorize(t, p, "org-1")
		if n, want := srv.orgCalls.Load(), int32(client.DefaultPolicyCacheSize+1); n != want {
			t.Fatalf("org policies fetched %d times, want %d: org-1 is still kept", n, want)
		}
		authorize(t, p, "org-0")
		if n, want := srv.orgCalls.Load(), int32(client.DefaultPolicyCacheSize+2); n != want {
			t.Fatalf("org policies fetched %d times, want %d: org-0 was forgotten", n, want)
		}
	})

	t.Run("eviction under concurrent checks never lends one organization's roles to another", func(t *testing.T) {
		t.Parallel()
		srv := &policyServer{ownRoles: true}
		p := newPolicyCache(t, srv, newFakeClock(), client.WithPolicyCacheSize(3))
		var wg sync.WaitGroup
		errs := make(chan error, 64)
		for g := range 8 {
			wg.Go(func() {
				for i := range 200 {
					org := fmt.Sprintf("org-%d", (g+i)%12)
					other := fmt.Sprintf("org-%d", (g+i+1)%12)
					if err := p.Authorize(ctx, org, []string{"auditor-" + org}, export(org)); err != nil {
						errs <- fmt.Errorf("%s refused its own role: %w", org, err)
						return
					}
					if err := p.Authorize(ctx, org, []string{"auditor-" + other}, export(org)); !errors.Is(err, client.ErrAuthorizationDenied) {
						errs <- fmt.Errorf("%s with the role of %s: err = %v, want denied", org, other, err)
						return
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		if n := client.PolicyCacheOrganizations(p); n > 3 {
			t.Errorf("the cache holds %d organizations, more than its size 3", n)
		}
	})
}

func TestPolicyCacheCoalescesRefreshes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := &policyServer{gate: make(chan struct{})}
		p := newPolicyCache(t, srv, newFakeClock())
		check := client.AuthorizationCheck{OrganizationID: "org-1", ResourceID: "documents", Action: "read"}
		var wg sync.WaitGroup
		errs := make([]error, 20)
		for i := range errs {
			wg.Go(func() { errs[i] = p.Authorize(context.Background(), "org-1", []string{"stytch_member"}, check) })
		}
		synctest.Wait() // every caller now waits on the one fetch
		close(srv.gate)
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if n := srv.projectCalls.Load(); n != 1 {
			t.Fatalf("%d concurrent checks fetched the policy %d times, want 1", len(errs), n)
		}
	})
}

func TestPolicyCacheCallerCancellation(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := &policyServer{gate: make(chan struct{})}
		p := newPolicyCache(t, srv, newFakeClock())
		check := client.AuthorizationCheck{OrganizationID: "org-1", ResourceID: "documents", Action: "read"}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error)
		go func() { done <- p.Authorize(ctx, "org-1", []string{"stytch_member"}, check) }()
		synctest.Wait()
		cancel()
		if err := <-done; !errors.Is(err, client.ErrUnavailable) || !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want ErrUnavailable and context.Canceled", err)
		}
		close(srv.gate) // the detached fetch completes and fills the cache
		synctest.Wait()
		if err := p.Authorize(context.Background(), "org-1", []string{"stytch_member"}, check); err != nil {
			t.Fatal(err)
		}
		if n := srv.projectCalls.Load(); n != 1 {
			t.Fatalf("policy fetched %d times, want 1", n)
		}
	})
}

func TestPolicyCacheFastPathAllocatesNothing(t *testing.T) {
	srv := &policyServer{}
	p := newPolicyCache(t, srv, newFakeClock())
	ctx := context.Background()
	roles := []string{"stytch_member", "org-auditor"}
	project := client.AuthorizationCheck{OrganizationID: "org-1", ResourceID: "documents", Action: "read"}
	org := client.AuthorizationCheck{OrganizationID: "org-1", ResourceID: "audit_logs", Action: "export"}
	if err := p.Authorize(ctx, "org-1", roles, org); err != nil {
		t.Fatal(err)
	}
	allocs := testing.AllocsPerRun(100, func() {
		if p.Authorize(ctx, "org-1", roles, project) != nil || p.Authorize(ctx, "org-1", roles, org) != nil {
			t.Fatal("denied")
		}
	})
	if allocs != 0 {
		t.Errorf("fresh allowed checks allocate %v times per run, want 0", allocs)
	}
}

func BenchmarkPolicyCacheAuthorize(b *testing.B) {
	srv := &policyServer{}
	c, err := client.New("project-test-1", "s", client.WithBaseURL("http://stytch.invalid"),
		client.WithHTTPClient(&http.Client{Transport: handlerTransport{srv}}))
	if err != nil {
		b.Fatal(err)
	}
	p := mustPolicyCache(b, c)
	ctx := context.Background()
	roles := []string{"stytch_member", "org-auditor"}
	check := client.AuthorizationCheck{OrganizationID: "org-1", ResourceID: "audit_logs", Action: "export"}
	if err := p.Authorize(ctx, "org-1", roles, check); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if p.Authorize(ctx, "org-1", roles, check) != nil {
				b.Fatal("denied")
			}
		}
	})
}

func TestNewPolicyCacheRefusesInvalidOptions(t *testing.T) {
	t.Parallel()
	c := newClient(t, "http://stytch.invalid")
	tests := []struct {
		name string
		opt  client.PolicyCacheOption
	}{
		{"a nil option", nil},
		{"a max age of zero", client.WithPolicyMaxAge(0)},
		{"a negative max age", client.WithPolicyMaxAge(-time.Minute)},
		{"a nil clock", client.WithPolicyClock(nil)},
		{"a size of zero", client.WithPolicyCacheSize(0)},
		{"a negative size", client.WithPolicyCacheSize(-1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if p, err := c.NewPolicyCache(tt.opt); err == nil || p != nil {
				t.Fatalf("NewPolicyCache = %v, %v; want an error", p, err)
			}
		})
	}
	if _, err := c.NewPolicyCache(client.WithPolicyMaxAge(time.Minute), client.WithPolicyClock(time.Now)); err != nil {
		t.Fatalf("valid options refused: %v", err)
	}
}

// hangingTransport never answers: each attempt ends when its context does.
type hangingTransport struct{ attempts atomic.Int32 }

func (h *hangingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	h.attempts.Add(1)
	<-r.Context().Done()
	return nil, r.Context().Err()
}

// A policy fetch is a GET: up to three attempts of the client's timeout each,
// so about 30 s against a Stytch that never answers; a check waits for it
// only until its own context ends.
func TestPolicyFetchAgainstAHangingStytch(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		hang := &hangingTransport{}
		c, err := client.New("project-test-1", "s", client.WithBaseURL("http://stytch.invalid"),
			client.WithHTTPClient(&http.Client{Transport: hang}))
		if err != nil {
			t.Fatal(err)
		}
		p := mustPolicyCache(t, c)
		check := client.AuthorizationCheck{OrganizationID: "org-1", ResourceID: "documents", Action: "read"}
		start := time.Now()

		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		err = p.Authorize(ctx, "org-1", []string{"stytch_member"}, check)
		if !errors.Is(err, client.ErrUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v, want ErrUnavailable and the request's deadline", err)
		}
		if waited := time.Since(start); waited != 2*time.Second {
			t.Errorf("a check with a 2 s deadline waited %s", waited)
		}

		// Without a deadline, a check waits for the whole fetch.
		err = p.Authorize(context.Background(), "org-1", []string{"stytch_member"}, check)
		if !errors.Is(err, client.ErrUnavailable) {
			t.Fatalf("err = %v, want ErrUnavailable", err)
		}
		if n := hang.attempts.Load(); n != 3 {
			t.Errorf("the fetch made %d attempts, want 3", n)
		}
		if waited := time.Since(start); waited < 3*client.DefaultTimeout || waited > 3*client.DefaultTimeout+time.Second {
			t.Errorf("the fetch took %s, want three attempts of %s plus short backoffs", waited, client.DefaultTimeout)
		}
	})
}
