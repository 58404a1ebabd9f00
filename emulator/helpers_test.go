package emulator

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"
)

// testClock is a clock tests move by hand.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func newTestClock() *testClock {
	return &testClock{now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// fixture is a server with two organizations:
// acme (OPTIONAL MFA) with alice (stytch_admin) and bob (enrolled, phone and TOTP),
// globex (REQUIRED_FOR_ALL, sms and totp) with alice (phone verified).
type fixture struct {
	*Server
	clock                   *testClock
	acme, globex            string
	alice, bob, aliceGlobex string
	bobSecret               string
}

const bobSecret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

func newFixture(t *testing.T, opts ...Option) *fixture {
	t.Helper()
	clock := newTestClock()
	seed := Seed{
		Resources: []Resource{{ResourceID: "documents", Actions: []string{"read", "write", "delete"}}},
		Roles: []Role{{RoleID: "editor", Permissions: []Permission{
			{ResourceID: "documents", Actions: []string{"read", "write"}},
		}}},
		Organizations: []OrganizationSeed{
			{Name: "Acme", Slug: "acme", EmailAllowedDomains: []string{"acme.test"}},
			{Name: "Globex", Slug: "globex", MFAPolicy: mfaPolicyRequired, AllowedMFAMethods: []string{mfaSMS, mfaTOTP},
				CustomRoles: []Role{{RoleID: "auditor", Permissions: []Permission{{ResourceID: "documents", Actions: []string{"read"}}}}}},
		},
		Members: []MemberSeed{
			{Organization: "acme", Email: "alice@acme.test", Roles: []string{"stytch_admin"}},
			{Organization: "acme", Email: "bob@acme.test", Roles: []string{"editor"}, Phone: "+15555550100",
				MFAPhoneNumberVerified: true, MFAEnrolled: true, TOTPSecret: bobSecret,
				RecoveryCodes: []string{"aaaa-bbbb-cccc", "dddd-eeee-ffff"}},
			{Organization: "globex", Email: "alice@acme.test", Roles: []string{"auditor"}, Phone: "+15555550101", MFAPhoneNumberVerified: true},
		},
	}
	s := NewTest(t, append([]Option{WithClock(clock.Now), WithSeed(seed)}, opts...)...)
	f := &fixture{Server: s, clock: clock, bobSecret: bobSecret}
	f.acme, _ = s.OrganizationID("acme")
	f.globex, _ = s.OrganizationID("globex")
	f.alice, _ = s.MemberID("acme", "alice@acme.test")
	f.bob, _ = s.MemberID("acme", "bob@acme.test")
	f.aliceGlobex, _ = s.MemberID("globex", "alice@acme.test")
	return f
}

// result is a decoded answer.
type result struct {
	status int
	body   map[string]any
	raw    []byte
}

func (r result) str(path ...string) string {
	v, _ := r.get(path...).(string)
	return v
}

// get walks nested objects and lists (list indexes as "0", "1", ...).
func (r result) get(path ...string) any {
	var cur any = r.body
	for _, p := range path {
		switch c := cur.(type) {
		case map[string]any:
			cur = c[p]
		case []any:
			i := 0
			for _, ch := range p {
				i = i*10 + int(ch-'0')
			}
			if i >= len(c) {
				return nil
			}
			cur = c[i]
		default:
			return nil
		}
	}
	return cur
}

// do sends a raw request with the project's basic auth.
func (s *Server) do(t *testing.T, method, path string, body any) result {
	t.Helper()
	return s.doWith(t, method, path, body, s.ProjectID(), s.Secret())
}

func (s *Server) doWith(t *testing.T, method, path string, body any, user, pass string) result {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	case string:
		rd = bytes.NewReader([]byte(b))
	default:
		data, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, s.URL()+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if user != "" {
		req.SetBasicAuth(user, pass)
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	out := result{status: res.StatusCode, raw: raw}
	if err := json.Unmarshal(raw, &out.body); err != nil {
		t.Fatalf("%s %s: answer is not a JSON object (%d): %q", method, path, res.StatusCode, raw)
	}
	return out
}

// wantError checks a non-2xx answer has Stytch's error shape.
func wantError(t *testing.T, r result, status int, errType string) {
	t.Helper()
	if r.status != status || r.str("error_type") != errType {
		t.Fatalf("got %d %q, want %d %q: %s", r.status, r.str("error_type"), status, errType, r.raw)
	}
	if code, _ := r.get("status_code").(float64); int(code) != status {
		t.Errorf("status_code = %v, want %d", r.get("status_code"), status)
	}
	for _, k := range []string{"request_id", "error_message", "error_url"} {
		if r.str(k) == "" {
			t.Errorf("error body lacks %s: %s", k, r.raw)
		}
	}
	if _, ok := r.body["error_details"]; !ok {
		t.Errorf("error body lacks error_details: %s", r.raw)
	}
}

func wantOK(t *testing.T, r result) {
	t.Helper()
	if r.status != http.StatusOK {
		t.Fatalf("got %d: %s", r.status, r.raw)
	}
	if code, _ := r.get("status_code").(float64); code != 200 || r.str("request_id") == "" {
		t.Fatalf("bad envelope: %s", r.raw)
	}
}

func decodeJSON(res *http.Response, v any) error {
	return json.NewDecoder(res.Body).Decode(v)
}
