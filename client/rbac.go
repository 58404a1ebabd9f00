package client

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"
)

// RBACService reads RBAC policies. Get it from [Client.RBAC]. For local
// authorization checks use the caching [Client.NewPolicyCache].
type RBACService struct {
	c *Client
}

// RBACPolicyParams is the (empty) request of [RBACService.Policy]; nil is fine.
type RBACPolicyParams struct{}

// RBACPolicyResponse carries the project's RBAC policy.
type RBACPolicyResponse struct {
	// RequestID identifies the call at Stytch.
	RequestID string `json:"request_id,omitempty"`
	// StatusCode is the HTTP status.
	StatusCode int `json:"status_code,omitempty"`
	// Policy is the project's policy.
	Policy *Policy `json:"policy,omitempty"`
}

// Policy fetches the project's RBAC policy (GET /v1/b2b/rbac/policy).
func (s *RBACService) Policy(ctx context.Context, _ *RBACPolicyParams) (*RBACPolicyResponse, error) {
	return get[RBACPolicyResponse](ctx, s.c, "/v1/b2b/rbac/policy", nil, false)
}

// RBACOrganizationPolicyParams names the organization whose policy to fetch.
type RBACOrganizationPolicyParams struct {
	// OrganizationID identifies the organization (required).
	OrganizationID string `json:"organization_id,omitempty"`
}

// RBACOrganizationPolicyResponse carries an organization's own roles.
type RBACOrganizationPolicyResponse struct {
	// RequestID identifies the call at Stytch.
	RequestID string `json:"request_id,omitempty"`
	// OrgPolicy is the organization's policy.
	OrgPolicy OrgPolicy `json:"org_policy,omitempty"`
	// StatusCode is the HTTP status.
	StatusCode int `json:"status_code,omitempty"`
}

// OrganizationPolicy fetches an organization's RBAC policy
// (GET /v1/b2b/rbac/organizations/{organization_id}).
func (s *RBACService) OrganizationPolicy(ctx context.Context, p *RBACOrganizationPolicyParams) (*RBACOrganizationPolicyResponse, error) {
	if p == nil || p.OrganizationID == "" {
		return nil, errors.New("b2bauth: rbac organization policy: organization id is required")
	}
	return get[RBACOrganizationPolicyResponse](ctx, s.c, "/v1/b2b/rbac/organizations/"+url.PathEscape(p.OrganizationID), nil, false)
}

// AuthorizeWithPolicy is the local authorization decision, without caching or
// HTTP. It follows Stytch's algorithm: the check's organization must be the
// session's (else an error matching [ErrTenancyMismatch]); then the check is
// allowed when some role in roles, defined in policy or in orgPolicy, has a
// permission on check.ResourceID whose actions contain check.Action or "*"
// (else an error matching [ErrAuthorizationDenied]). Either policy may be nil.
// Denials are [*Error] values with status 403 and Stytch's error types.
func AuthorizeWithPolicy(policy *Policy, orgPolicy *OrgPolicy, sessionOrgID string, roles []string, check AuthorizationCheck) error {
	if check.OrganizationID != sessionOrgID {
		return tenancyError(sessionOrgID, check.OrganizationID)
	}
	grants := func(defined []PolicyRole) bool {
		for _, role := range defined {
			if !slices.Contains(roles, role.RoleID) {
				continue
			}
			for _, perm := range role.Permissions {
				if perm.ResourceID == check.ResourceID &&
					(slices.Contains(perm.Actions, "*") || slices.Contains(perm.Actions, check.Action)) {
					return true
				}
			}
		}
		return false
	}
	if policy != nil && grants(policy.Roles) {
		return nil
	}
	if orgPolicy != nil && grants(orgPolicy.Roles) {
		return nil
	}
	return deniedError()
}

func tenancyError(sessionOrgID, checkOrgID string) error {
	return &Error{
		StatusCode:   http.StatusForbidden,
		ErrorType:    errorTypeTenancy,
		ErrorMessage: fmt.Sprintf("session organization %q does not match authorization check organization %q", sessionOrgID, checkOrgID),
	}
}

func deniedError() error {
	return &Error{
		StatusCode:   http.StatusForbidden,
		ErrorType:    errorTypeAuthorization,
		ErrorMessage: "the member is not authorized to perform the requested action on that resource",
	}
}

// DefaultPolicyMaxAge is how long a fetched policy is used before it is
// fetched again, unless [WithPolicyMaxAge] says otherwise.
const DefaultPolicyMaxAge = 5 * time.Minute

// DefaultPolicyCacheSize is how many organizations' policies a [PolicyCache]
// keeps, unless [WithPolicyCacheSize] says otherwise.
const DefaultPolicyCacheSize = 10000

// maxFailureBackoff bounds how long a failed policy fetch is not retried.
const maxFailureBackoff = 30 * time.Second

// PolicyCacheOption configures a [PolicyCache] in [Client.NewPolicyCache].
// The interface is closed.
type PolicyCacheOption interface {
	applyPolicyCache(*policyCacheConfig) error
}

type policyCacheOptionFunc func(*policyCacheConfig) error

func (f policyCacheOptionFunc) applyPolicyCache(c *policyCacheConfig) error { return f(c) }

type policyCacheConfig struct {
	maxAge time.Duration
	size   int
	now    func() time.Time
}

// WithPolicyMaxAge sets how long a fetched policy is used before the next
// check fetches it again. The default is [DefaultPolicyMaxAge] (5 min); a
// duration that is not positive is refused by [Client.NewPolicyCache].
func WithPolicyMaxAge(d time.Duration) PolicyCacheOption {
	return policyCacheOptionFunc(func(c *policyCacheConfig) error {
		if d <= 0 {
			return fmt.Errorf("b2bauth: policy max age %s is not positive", d)
		}
		c.maxAge = d
		return nil
	})
}

// WithPolicyCacheSize sets how many organizations' policies are kept. When
// a check needs the policy of one more organization, the organization seen
// longest ago is forgotten (its policy is fetched again when next needed), so
// sessions of many organizations, which anyone may be able to create, cannot
// grow the cache without bound. The project policy is always kept. The
// default is [DefaultPolicyCacheSize] (10000); a size that is not positive is
// refused by [Client.NewPolicyCache].
func WithPolicyCacheSize(n int) PolicyCacheOption {
	return policyCacheOptionFunc(func(c *policyCacheConfig) error {
		if n <= 0 {
			return fmt.Errorf("b2bauth: policy cache size %d is not positive", n)
		}
		c.size = n
		return nil
	})
}

// WithPolicyClock sets the clock that ages cached policies, for tests. The
// default is time.Now; nil is refused by [Client.NewPolicyCache].
func WithPolicyClock(now func() time.Time) PolicyCacheOption {
	return policyCacheOptionFunc(func(c *policyCacheConfig) error {
		if now == nil {
			return errors.New("b2bauth: nil policy clock")
		}
		c.now = now
		return nil
	})
}

// PolicyCache authorizes RBAC checks locally against the project policy and
// the organizations' policies, fetched lazily from Stytch and kept for a
// maximum age, for at most [WithPolicyCacheSize] organizations. A refresh
// that fails keeps the stale copy (retried after a short backoff);
// concurrent refreshes of one policy are coalesced. When the
// policies are fresh, [PolicyCache.Authorize] takes no lock and allocates
// nothing on an allowed check. A PolicyCache is safe for concurrent use and
// owns no goroutines.
type PolicyCache struct {
	c      *Client
	maxAge time.Duration
	now    func() time.Time
	group  singleflight.Group

	project atomic.Pointer[policyEntry]
	// orgs holds a slot per organization kept (id →
	// *atomic.Pointer[policyEntry]): reads take no lock, and adding an
	// organization copies nothing.
	orgs sync.Map

	// mu serializes adding and evicting organizations; ring lists the
	// organizations in orgs in the order they were added (a ring once it
	// holds size of them, next being the oldest), so that the map and the
	// ring always hold the same ids.
	mu   sync.Mutex
	size int
	ring []string
	next int
}

// policyEntry is an immutable cached policy.
type policyEntry struct {
	roles       compiledRoles // nil when no policy was ever fetched
	err         error         // the last fetch failure, if the entry records one
	nextRefresh time.Time
}

// compiledRoles maps role → resource → allowed actions, precomputed on fetch.
type compiledRoles map[string]map[string]actionSet

type actionSet struct {
	all     bool // "*"
	actions map[string]struct{}
}

func compileRoles(roles []PolicyRole) compiledRoles {
	out := make(compiledRoles, len(roles))
	for _, role := range roles {
		byResource := out[role.RoleID]
		if byResource == nil {
			byResource = make(map[string]actionSet, len(role.Permissions))
			out[role.RoleID] = byResource
		}
		for _, perm := range role.Permissions {
			set := byResource[perm.ResourceID]
			if set.actions == nil {
				set.actions = make(map[string]struct{}, len(perm.Actions))
			}
			for _, a := range perm.Actions {
				if a == "*" {
					set.all = true
				}
				set.actions[a] = struct{}{}
			}
			byResource[perm.ResourceID] = set
		}
	}
	return out
}

func (cr compiledRoles) grants(roles []string, resource, action string) bool {
	for _, r := range roles {
		set, ok := cr[r][resource]
		if !ok {
			continue
		}
		if set.all {
			return true
		}
		if _, ok := set.actions[action]; ok {
			return true
		}
	}
	return false
}

// NewPolicyCache returns a policy cache backed by this client. Nothing is
// fetched until the first [PolicyCache.Authorize]. It returns an error for a
// nil or invalid option.
func (c *Client) NewPolicyCache(opts ...PolicyCacheOption) (*PolicyCache, error) {
	cfg := policyCacheConfig{maxAge: DefaultPolicyMaxAge, size: DefaultPolicyCacheSize, now: time.Now}
	for _, o := range opts {
		if o == nil {
			return nil, errors.New("b2bauth: nil policy cache option")
		}
		if err := o.applyPolicyCache(&cfg); err != nil {
			return nil, err
		}
	}
	return &PolicyCache{c: c, maxAge: cfg.maxAge, size: cfg.size, now: cfg.now}, nil
}

// Authorize reports whether a session of organization sessionOrgID holding
// roles may perform check, with the semantics of [AuthorizeWithPolicy]: nil
// when allowed, an error matching [ErrTenancyMismatch] when the check names
// another organization (decided before anything is fetched), an error
// matching [ErrAuthorizationDenied] when no role grants it, and an error
// matching [ErrUnavailable] when a needed policy could never be fetched.
// Project roles are consulted first; the organization's policy is fetched
// only when they do not grant the check.
func (p *PolicyCache) Authorize(ctx context.Context, sessionOrgID string, roles []string, check AuthorizationCheck) error {
	if check.OrganizationID != sessionOrgID {
		return tenancyError(sessionOrgID, check.OrganizationID)
	}
	project, err := p.load(ctx, &p.project, "")
	if err != nil {
		return err
	}
	if project.grants(roles, check.ResourceID, check.Action) {
		return nil
	}
	org, err := p.load(ctx, p.orgSlot(sessionOrgID), sessionOrgID)
	if err != nil {
		return err
	}
	if org.grants(roles, check.ResourceID, check.Action) {
		return nil
	}
	return deniedError()
}

// orgSlot returns the cache slot of one organization, adding it if needed
// and forgetting the oldest organization when the cache is full.
//
// A slot belongs to one organization for its whole life and is never reused:
// a caller still holding an evicted slot fills and reads that organization's
// policy, which is then simply not kept, so eviction can cost a fetch but
// never serve another organization's roles.
func (p *PolicyCache) orgSlot(orgID string) *atomic.Pointer[policyEntry] {
	if slot, ok := p.orgs.Load(orgID); ok {
		return slot.(*atomic.Pointer[policyEntry])
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	slot, loaded := p.orgs.LoadOrStore(orgID, new(atomic.Pointer[policyEntry]))
	if !loaded {
		if len(p.ring) < p.size {
			p.ring = append(p.ring, orgID)
		} else {
			p.orgs.Delete(p.ring[p.next])
			p.ring[p.next] = orgID
			p.next = (p.next + 1) % p.size
		}
	}
	return slot.(*atomic.Pointer[policyEntry])
}

// load returns the cached roles of slot (the project's when orgID is empty),
// refreshing them first when stale.
func (p *PolicyCache) load(ctx context.Context, slot *atomic.Pointer[policyEntry], orgID string) (compiledRoles, error) {
	entry := slot.Load()
	if entry != nil && p.now().Before(entry.nextRefresh) {
		if entry.roles == nil {
			return nil, entry.err
		}
		return entry.roles, nil
	}
	// The fetch runs detached from this caller's cancellation so that one
	// impatient caller does not fail the others waiting on the same refresh;
	// the client's timeout still bounds it.
	key := "project"
	if orgID != "" {
		key = "org:" + orgID
	}
	ch := p.group.DoChan(key, func() (any, error) {
		if e := slot.Load(); e != nil && p.now().Before(e.nextRefresh) {
			return e, nil // refreshed while this caller was queueing
		}
		var roles compiledRoles
		var err error
		if orgID == "" {
			roles, err = p.fetchProject(context.WithoutCancel(ctx))
		} else {
			roles, err = p.fetchOrg(context.WithoutCancel(ctx), orgID)
		}
		now := p.now()
		if err == nil {
			e := &policyEntry{roles: roles, nextRefresh: now.Add(p.maxAge)}
			slot.Store(e)
			return e, nil
		}
		backoff := min(p.maxAge, maxFailureBackoff)
		prev := slot.Load()
		e := &policyEntry{err: err, nextRefresh: now.Add(backoff)}
		if prev != nil && prev.roles != nil {
			e.roles = prev.roles
			p.c.logger.LogAttrs(ctx, slog.LevelWarn, "b2bauth: rbac policy refresh failed, keeping stale copy",
				slog.String("policy", key), slog.String("error", err.Error()))
		}
		slot.Store(e)
		return e, nil
	})
	select {
	case <-ctx.Done():
		if entry != nil && entry.roles != nil {
			return entry.roles, nil
		}
		return nil, fmt.Errorf("%w: rbac policy: %w", ErrUnavailable, ctx.Err())
	case res := <-ch:
		e := res.Val.(*policyEntry)
		if e.roles == nil {
			return nil, e.err
		}
		return e.roles, nil
	}
}

func (p *PolicyCache) fetchProject(ctx context.Context) (compiledRoles, error) {
	resp, err := p.c.RBAC.Policy(ctx, nil)
	if err != nil {
		return nil, policyFetchError("project", err)
	}
	if resp.Policy == nil {
		return nil, fmt.Errorf("%w: rbac policy response has no policy", ErrUnavailable)
	}
	return compileRoles(resp.Policy.Roles), nil
}

func (p *PolicyCache) fetchOrg(ctx context.Context, orgID string) (compiledRoles, error) {
	resp, err := p.c.RBAC.OrganizationPolicy(ctx, &RBACOrganizationPolicyParams{OrganizationID: orgID})
	if err != nil {
		return nil, policyFetchError("organization", err)
	}
	return compileRoles(resp.OrgPolicy.Roles), nil
}

// policyFetchError makes every failure to obtain a policy match ErrUnavailable:
// without the policy no decision is possible, which is not a denial.
func policyFetchError(which string, err error) error {
	if errors.Is(err, ErrUnavailable) {
		return fmt.Errorf("b2bauth: rbac %s policy: %w", which, err)
	}
	return fmt.Errorf("%w: rbac %s policy: %w", ErrUnavailable, which, err)
}
