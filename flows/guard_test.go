package flows_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/b2bauth/b2bauth/emulator"
	"github.com/b2bauth/b2bauth/flows"
)

const exchangePath = "/v1/b2b/discovery/intermediate_sessions/exchange"

// heapAlloc returns the bytes of live heap objects after a collection.
func heapAlloc() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// TestReplayedFlowCookieFloodKeepsTheHeapSmall: a flow cookie of the
// organization step, replayed with organization ids of 60 KB, once grew the
// guard by every id it was sent, kept as a key until a full scan at 65,536
// of them. Ids are now refused for their shape before they become a key or
// reach Stytch, and keys have a fixed size.
func TestReplayedFlowCookieFloodKeepsTheHeapSmall(t *testing.T) {
	// Not parallel: the heap is measured.
	h := newHarness(t)
	h.org(emulator.OrganizationSeed{Name: "Acme", Slug: "acme"})
	h.member(emulator.MemberSeed{Organization: "acme", Email: "flo@acme.example"})
	h.discover("flo@acme.example", "")
	cookie := &http.Cookie{Name: flows.FlowCookieName(h.flows), Value: h.flowCookie()}
	pad := strings.Repeat("a", 60<<10)
	post := func(i int) int {
		body := "organization_id=organization-test-" + strconv.Itoa(i) + pad
		req := httptest.NewRequest(http.MethodPost, "/auth/organizations/select", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Accept", "application/json")
		req.AddCookie(cookie)
		rec := httptest.NewRecorder()
		h.flows.ServeHTTP(rec, req)
		return rec.Code
	}
	post(-1) // warms up what any first request allocates
	exchanges := h.emu.Calls(http.MethodPost, exchangePath)

	const posts = 2000
	before := heapAlloc()
	statuses := map[int]int{}
	for i := range posts {
		statuses[post(i)]++
	}
	growth := int64(heapAlloc()) - int64(before)
	t.Logf("%d POSTs of 60 KB organization ids with a replayed flow cookie grew the heap by %.2f MiB", posts, float64(growth)/(1<<20))
	if growth > 16<<20 {
		t.Errorf("the heap grew by %.1f MiB, want at most 16 MiB", float64(growth)/(1<<20))
	}
	if statuses[http.StatusBadRequest] != posts {
		t.Errorf("statuses %v, want %d × 400", statuses, posts)
	}
	if n := h.emu.Calls(http.MethodPost, exchangePath) - exchanges; n != 0 {
		t.Errorf("malformed organization ids reached Stytch %d times", n)
	}
	runtime.KeepAlive(h.flows)
}

// TestOrganizationIDsAreCheckedBeforeStytch: an organization id that
// cannot be one of Stytch's is refused before it reaches Stytch or the
// guard; any id of a safe alphabet and a generous length goes on, whatever
// its exact format.
func TestOrganizationIDsAreCheckedBeforeStytch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		id     string
		status int
		code   string
		asked  bool
	}{
		{"an id of 60 KB is refused", "organization-test-" + strings.Repeat("a", 60<<10), http.StatusBadRequest, "invalid_input", false},
		{"an id of 129 bytes is refused", strings.Repeat("a", 129), http.StatusBadRequest, "invalid_input", false},
		{"an id with a slash is refused", "organization-test-../x", http.StatusBadRequest, "invalid_input", false},
		{"an id with a NUL byte is refused", "organization-test-a\x00b", http.StatusBadRequest, "invalid_input", false},
		{"an id with non-ASCII letters is refused", "organization-test-é", http.StatusBadRequest, "invalid_input", false},
		{"an unknown id of another format goes to Stytch", "org_live_" + strings.Repeat("Z", 100), http.StatusForbidden, "organization_unavailable", true},
	}
	h := newHarness(t)
	h.org(emulator.OrganizationSeed{Name: "Acme", Slug: "acme"})
	h.member(emulator.MemberSeed{Organization: "acme", Email: "ida@acme.example"})
	h.discover("ida@acme.example", "")
	cookie := h.flowCookie()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.setCookie(flows.FlowCookieName(h.flows), cookie)
			before := h.emu.Calls(http.MethodPost, exchangePath)
			a := h.selectOrg(tt.id)
			if a.status != tt.status || a.errorCode(t) != tt.code {
				t.Fatalf("select = %d %s, want %d %s", a.status, a.body, tt.status, tt.code)
			}
			if asked := h.emu.Calls(http.MethodPost, exchangePath) > before; asked != tt.asked {
				t.Fatalf("Stytch asked: %v, want %v", asked, tt.asked)
			}
		})
	}
}

var errStoreDown = errors.New("store down")

// switchableStore is the default store, failing every call while failing
// is set (or SetNX only, while failingSetNX is).
type switchableStore struct {
	flows.Store
	failing      atomic.Bool
	failingSetNX atomic.Bool // SetNX only
	// stored, when set, is sent a value after each SetNX that stored one,
	// unless its buffer is full.
	stored chan struct{}
}

// newSwitchableStore returns a store on the clock of the harness *hp,
// set once the harness exists.
func newSwitchableStore(hp *atomic.Pointer[harness]) *switchableStore {
	return &switchableStore{Store: flows.NewMemoryStore(func() time.Time { return hp.Load().clock.Now() }, 1000)}
}

func (s *switchableStore) Add(ctx context.Context, key flows.Key, delta int64, ttl time.Duration) (int64, error) {
	if s.failing.Load() {
		return 0, errStoreDown
	}
	return s.Store.Add(ctx, key, delta, ttl)
}

func (s *switchableStore) SetNX(ctx context.Context, key flows.Key, value []byte, ttl time.Duration) (bool, error) {
	if s.failing.Load() || s.failingSetNX.Load() {
		return false, errStoreDown
	}
	set, err := s.Store.SetNX(ctx, key, value, ttl)
	if set && s.stored != nil {
		select {
		case s.stored <- struct{}{}:
		default:
		}
	}
	return set, err
}

func (s *switchableStore) Get(ctx context.Context, key flows.Key) ([]byte, time.Duration, bool, error) {
	if s.failing.Load() {
		return nil, 0, false, errStoreDown
	}
	return s.Store.Get(ctx, key)
}

func (s *switchableStore) Delete(ctx context.Context, key flows.Key) error {
	if s.failing.Load() {
		return errStoreDown
	}
	return s.Store.Delete(ctx, key)
}

// storeHarness is newHarness with its guard on a switchableStore.
func storeHarness(t *testing.T, opts ...flows.Option) (*harness, *switchableStore) {
	t.Helper()
	var hp atomic.Pointer[harness]
	store := newSwitchableStore(&hp)
	h := newHarness(t, append([]flows.Option{flows.WithStore(store)}, opts...)...)
	hp.Store(h)
	return h, store
}

// TestGuardStoreOutages: a store that fails is an outage. The step answers
// 503, keeps the flow and asks nothing of Stytch: a check of the guard that
// could not be made is not taken as passed.
func TestGuardStoreOutages(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		seed emulator.MemberSeed
		// mfa leaves the flow at the MFA step before path is posted, else
		// at the organization step.
		mfa        bool
		path       string
		form       func(h *harness) url.Values
		stytchPath string
	}{
		{
			name: "checking an authenticator code answers 503",
			seed: emulator.MemberSeed{Email: "oda@acme.example", TOTPSecret: attackTOTPSecret},
			mfa:  true, path: "/auth/mfa/totp/verify",
			form: func(h *harness) url.Values {
				return url.Values{"code": {totpCode(h.t, attackTOTPSecret, h.clock.Now())}}
			},
			stytchPath: "/v1/b2b/totp/authenticate",
		},
		{
			name: "sending an SMS code answers 503",
			seed: emulator.MemberSeed{Email: "ola@acme.example", Phone: phone, MFAPhoneNumberVerified: true,
				TOTPSecret: attackTOTPSecret, DefaultMFAMethod: "totp"},
			mfa: true, path: "/auth/mfa/sms/send",
			form:       func(*harness) url.Values { return nil },
			stytchPath: "/v1/b2b/otps/sms/send",
		},
		{
			name: "choosing an organization answers 503",
			seed: emulator.MemberSeed{Email: "oma@acme.example", Phone: phone, MFAPhoneNumberVerified: true},
			path: "/auth/organizations/select",
			form: func(h *harness) url.Values {
				id, _ := h.emu.OrganizationID("acme")
				return url.Values{"organization_id": {id}}
			},
			stytchPath: exchangePath,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h, store := storeHarness(t)
			orgID := h.org(emulator.OrganizationSeed{Name: "Acme", Slug: "acme", MFAPolicy: "REQUIRED_FOR_ALL"})
			seed := tt.seed
			seed.Organization = "acme"
			h.member(seed)
			h.discover(seed.Email, "/dashboard")
			if tt.mfa {
				if a := h.selectOrg(orgID); a.status != http.StatusOK || a.json(t)["next"] != "mfa" {
					t.Fatalf("select = %d %s", a.status, a.body)
				}
			}
			flow := h.flowCookie()
			calls := h.emu.Calls(http.MethodPost, tt.stytchPath)

			store.failing.Store(true)
			a := h.postJSON(tt.path, tt.form(h))
			if a.status != http.StatusServiceUnavailable || a.errorCode(t) != "stytch_unavailable" {
				t.Fatalf("%s with the store down = %d %s, want 503", tt.path, a.status, a.body)
			}
			if n := h.emu.Calls(http.MethodPost, tt.stytchPath) - calls; n != 0 {
				t.Errorf("Stytch was asked %d times", n)
			}
			if h.flowCookie() != flow {
				t.Error("the flow cookie changed")
			}

			store.failing.Store(false)
			if a := h.postJSON(tt.path, tt.form(h)); a.status != http.StatusOK {
				t.Fatalf("%s with the store back = %d %s", tt.path, a.status, a.body)
			}
		})
	}
}

// TestFailingStoreNeverLiftsALock: a lock that cannot be read is not taken
// as absent.
func TestFailingStoreNeverLiftsALock(t *testing.T) {
	t.Parallel()
	h, store := storeHarness(t)
	orgID := h.org(emulator.OrganizationSeed{Name: "Acme", Slug: "acme", MFAPolicy: "REQUIRED_FOR_ALL"})
	h.member(emulator.MemberSeed{Organization: "acme", Email: "lou@acme.example", TOTPSecret: attackTOTPSecret})
	h.discover("lou@acme.example", "/dashboard")
	if a := h.selectOrg(orgID); a.json(t)["next"] != "mfa" {
		t.Fatalf("select = %d %s", a.status, a.body)
	}
	const verify = "/auth/mfa/totp/verify"
	saved := h.flowCookie()
	for range 5 {
		h.postJSON(verify, url.Values{"code": {wrongTOTP(t, h.clock.Now())}})
	}
	// A flow from before the wrong codes, with the store down: the right
	// code must not pass.
	h.setCookie(flows.FlowCookieName(h.flows), saved)
	right := func() url.Values { return url.Values{"code": {totpCode(t, attackTOTPSecret, h.clock.Now())}} }
	store.failing.Store(true)
	if a := h.postJSON(verify, right()); a.status != http.StatusServiceUnavailable {
		t.Fatalf("right code with the store down = %d %s, want 503", a.status, a.body)
	}
	store.failing.Store(false)
	if a := h.postJSON(verify, right()); a.status != http.StatusTooManyRequests {
		t.Fatalf("right code with the store back = %d %s, want 429", a.status, a.body)
	}
	h.clock.Advance(5 * time.Minute)
	h.expectDone(h.postJSON(verify, right()), "/dashboard")
}

// TestGuardStoreOutageAfterWrongCode: a wrong code whose count cannot be
// recorded answers 503; the count already made still refuses the guesses
// after the fifth.
func TestGuardStoreOutageAfterWrongCode(t *testing.T) {
	t.Parallel()
	h, store := storeHarness(t)
	orgID := h.org(emulator.OrganizationSeed{Name: "Acme", Slug: "acme", MFAPolicy: "REQUIRED_FOR_ALL"})
	h.member(emulator.MemberSeed{Organization: "acme", Email: "lea@acme.example", TOTPSecret: attackTOTPSecret})
	h.discover("lea@acme.example", "/dashboard")
	if a := h.selectOrg(orgID); a.json(t)["next"] != "mfa" {
		t.Fatalf("select = %d %s", a.status, a.body)
	}
	const verify = "/auth/mfa/totp/verify"
	saved := h.flowCookie()
	for range 4 {
		h.postJSON(verify, url.Values{"code": {wrongTOTP(t, h.clock.Now())}})
	}
	// The fifth wrong code is counted, then the store fails to write the
	// lock.
	store.failingSetNX.Store(true)
	a := h.postJSON(verify, url.Values{"code": {wrongTOTP(t, h.clock.Now())}})
	if a.status != http.StatusServiceUnavailable {
		t.Fatalf("fifth wrong code with the lock unwritable = %d %s, want 503", a.status, a.body)
	}
	if h.flowCookie() == saved {
		t.Error("the flow cookie did not keep the wrong code")
	}
	store.failingSetNX.Store(false)
	h.setCookie(flows.FlowCookieName(h.flows), saved)
	if a := h.postJSON(verify, url.Values{"code": {totpCode(t, attackTOTPSecret, h.clock.Now())}}); a.status != http.StatusTooManyRequests {
		t.Fatalf("right code after five wrong ones = %d %s, want 429", a.status, a.body)
	}
}

// TestFullGuardStoreKeepsTheLock: a flood of entries that fills the store
// is refused, and evicts nothing: the lock of a member holds.
func TestFullGuardStoreKeepsTheLock(t *testing.T) {
	t.Parallel()
	// The flood signs in as one member from 30 browsers within seconds, in
	// a store of 8 records: the email cooldown, which would refuse all but
	// the first link and take records of its own, is not what this tests.
	h := newHarness(t, flows.WithStoreCapacity(8), flows.WithEmailResendCooldown(0))
	orgID := h.org(emulator.OrganizationSeed{Name: "Acme", Slug: "acme", MFAPolicy: "REQUIRED_FOR_ALL"})
	h.member(emulator.MemberSeed{Organization: "acme", Email: "kim@acme.example", TOTPSecret: attackTOTPSecret})
	h.discover("kim@acme.example", "/dashboard")
	if a := h.selectOrg(orgID); a.json(t)["next"] != "mfa" {
		t.Fatalf("select = %d %s", a.status, a.body)
	}
	const verify = "/auth/mfa/totp/verify"
	for range 5 {
		h.postJSON(verify, url.Values{"code": {wrongTOTP(t, h.clock.Now())}})
	}

	// Other browsers flood entries into made-up organizations, each in
	// flight while Stytch answers slowly (the POSTs of one browser's flow
	// run one at a time).
	floods := make([]*harness, 30)
	for i := range floods {
		floods[i] = newBrowser(h)
		floods[i].discover("kim@acme.example", "")
	}
	h.emu.SetFault(emulator.Fault{Path: exchangePath, Latency: 300 * time.Millisecond})
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		statuses = map[int]int{}
	)
	for i := range 30 {
		wg.Go(func() {
			flood := floods[i]
			req := flood.postRequest("/auth/organizations/select",
				url.Values{"organization_id": {"organization-test-flood-" + strconv.Itoa(i)}}, "application/json")
			res, err := flood.browser.Do(req)
			if err != nil {
				return
			}
			res.Body.Close()
			mu.Lock()
			statuses[res.StatusCode]++
			mu.Unlock()
		})
	}
	wg.Wait()
	h.emu.ClearFaults()
	if statuses[http.StatusServiceUnavailable] == 0 {
		t.Fatalf("flood statuses %v, want some 503 from a full store", statuses)
	}

	a := h.postJSON(verify, url.Values{"code": {totpCode(t, attackTOTPSecret, h.clock.Now())}})
	if a.status != http.StatusTooManyRequests {
		t.Fatalf("right code after the flood = %d %s, want 429", a.status, a.body)
	}
}

// TestAbandonedAttemptsStayCounted: a code whose request goes away while
// Stytch checks it is still judged to its end, and a wrong one counted:
// cancelling requests is no way around the limit.
func TestAbandonedAttemptsStayCounted(t *testing.T) {
	t.Parallel()
	h := mfaTOTPFlow(t)
	const path = "/v1/b2b/totp/authenticate"
	h.emu.SetFault(emulator.Fault{Path: path, Latency: 100 * time.Millisecond})
	cookie := &http.Cookie{Name: flows.FlowCookieName(h.flows), Value: h.flowCookie()}
	for range 5 {
		// The request goes away while Stytch is still checking.
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
		body := url.Values{"code": {wrongTOTP(t, h.clock.Now())}}.Encode()
		req := httptest.NewRequestWithContext(ctx, http.MethodPost, "/auth/mfa/totp/verify", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Accept", "application/json")
		req.AddCookie(cookie)
		h.flows.ServeHTTP(httptest.NewRecorder(), req)
		cancel()
	}
	h.emu.ClearFaults()
	a := h.postJSON("/auth/mfa/totp/verify", url.Values{"code": {totpCode(t, attackTOTPSecret, h.clock.Now())}})
	if a.status != http.StatusTooManyRequests {
		t.Fatalf("right code after five abandoned ones = %d %s, want 429", a.status, a.body)
	}
}
