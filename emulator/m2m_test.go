package emulator

import (
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

const reportsSecret = "reports-secret-1234"

// newM2MFixture is the fixture with one client "reports" holding
// read:reports, write:reports and read:* and custom claims.
func newM2MFixture(t *testing.T) *fixture {
	t.Helper()
	f := newFixture(t)
	if _, _, err := f.AddM2MClient(M2MClientSeed{ID: "m2m-client-test-reports", Secret: reportsSecret, Name: "reports",
		Scopes: []string{"read:reports", "write:reports", "read:*"}, CustomClaims: map[string]any{"tenant": "acme"}}); err != nil {
		t.Fatal(err)
	}
	return f
}

// postToken sends a token request: form-encoded unless asJSON.
func (f *fixture) postToken(t *testing.T, form url.Values, asJSON bool, basicUser, basicPass string) result {
	t.Helper()
	body, ctype := form.Encode(), "application/x-www-form-urlencoded"
	if asJSON {
		m := map[string]string{}
		for k := range form {
			m[k] = form.Get(k)
		}
		data, _ := json.Marshal(m)
		body, ctype = string(data), "application/json"
	}
	req, err := http.NewRequest(http.MethodPost, f.URL()+"/v1/public/"+f.ProjectID()+"/oauth2/token", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", ctype)
	if basicUser != "" {
		req.SetBasicAuth(basicUser, basicPass)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	out := result{status: res.StatusCode}
	if err := json.NewDecoder(res.Body).Decode(&out.body); err != nil {
		t.Fatalf("token answer is not JSON: %v", err)
	}
	return out
}

func creds(scope string) url.Values {
	v := url.Values{"grant_type": {"client_credentials"}, "client_id": {"m2m-client-test-reports"}, "client_secret": {reportsSecret}}
	if scope != "" {
		v.Set("scope", scope)
	}
	return v
}

// tokenClaims verifies an access token with the server's key and returns its claims.
func (f *fixture) tokenClaims(t *testing.T, raw string) jwt.MapClaims {
	t.Helper()
	claims := jwt.MapClaims{}
	_, err := jwt.ParseWithClaims(raw, claims, func(*jwt.Token) (any, error) {
		return &f.keys[len(f.keys)-1].priv.PublicKey, nil
	}, jwt.WithValidMethods([]string{"RS256"}), jwt.WithTimeFunc(f.clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	return claims
}

func TestM2MTokenIssuance(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		form      url.Values
		asJSON    bool
		basic     [2]string
		wantScope string
	}{
		{"a form-encoded request without scope gets every scope of the client", creds(""), false, [2]string{},
			"read:reports write:reports read:*"},
		{"a JSON request gets the same token", creds(""), true, [2]string{}, "read:reports write:reports read:*"},
		{"credentials in basic auth are accepted", url.Values{"grant_type": {"client_credentials"}}, false,
			[2]string{"m2m-client-test-reports", reportsSecret}, "read:reports write:reports read:*"},
		{"a requested scope narrows the token", creds("read:reports"), false, [2]string{}, "read:reports"},
		{"requested scopes are kept in order without repeats", creds("read:* read:reports read:*"), false, [2]string{}, "read:* read:reports"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newM2MFixture(t)
			r := f.postToken(t, tt.form, tt.asJSON, tt.basic[0], tt.basic[1])
			wantOK(t, r)
			if r.str("token_type") != "bearer" || r.get("expires_in") != float64(3600) {
				t.Fatalf("token_type/expires_in = %v/%v", r.get("token_type"), r.get("expires_in"))
			}
			c := f.tokenClaims(t, r.str("access_token"))
			iat, _ := c.GetIssuedAt()
			exp, _ := c.GetExpirationTime()
			aud, _ := c.GetAudience()
			switch {
			case c["sub"] != "m2m-client-test-reports", c["iss"] != "stytch.com/"+f.ProjectID(),
				len(aud) != 1 || aud[0] != f.ProjectID(), c["scope"] != tt.wantScope, c["tenant"] != "acme":
				t.Fatalf("claims = %v", c)
			case exp.Sub(iat.Time) != time.Hour:
				t.Fatalf("lifetime = %s, want 1h", exp.Sub(iat.Time))
			}
			if _, ok := c[sessionClaimName]; ok {
				t.Fatal("an access token carries the session claim")
			}
		})
	}
}

func TestM2MTokenErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		prepare func(f *fixture) url.Values
		basic   [2]string
		status  int
		code    string
	}{
		{"a wrong secret is an invalid client", func(*fixture) url.Values {
			v := creds("")
			v.Set("client_secret", reportsSecret+"x")
			return v
		}, [2]string{}, 401, "invalid_client"},
		{"an unknown client is an invalid client", func(*fixture) url.Values {
			v := creds("")
			v.Set("client_id", "m2m-client-test-nobody")
			return v
		}, [2]string{}, 401, "invalid_client"},
		{"an inactive client gets no token", func(f *fixture) url.Values {
			wantOK(t, f.do(t, http.MethodPut, "/v1/m2m/clients/m2m-client-test-reports", map[string]any{"status": "inactive"}))
			return creds("")
		}, [2]string{}, 401, "invalid_client"},
		{"the project's credentials are not a client's", func(f *fixture) url.Values {
			return url.Values{"grant_type": {"client_credentials"}}
		}, [2]string{"project", "secret"}, 401, "invalid_client"},
		{"a scope the client does not hold is refused", func(*fixture) url.Values { return creds("delete:reports") },
			[2]string{}, 400, "invalid_scope"},
		{"a wildcard scope is not expanded on request", func(*fixture) url.Values { return creds("read:users") },
			[2]string{}, 400, "invalid_scope"},
		{"a missing grant type is an invalid request", func(*fixture) url.Values {
			v := creds("")
			v.Del("grant_type")
			return v
		}, [2]string{}, 400, "invalid_request"},
		{"another grant type is unsupported", func(*fixture) url.Values {
			v := creds("")
			v.Set("grant_type", "password")
			return v
		}, [2]string{}, 400, "unsupported_grant_type"},
		{"a missing secret is an invalid request", func(*fixture) url.Values {
			v := creds("")
			v.Del("client_secret")
			return v
		}, [2]string{}, 400, "invalid_request"},
		{"credentials sent twice are an invalid request", func(*fixture) url.Values { return creds("") },
			[2]string{"m2m-client-test-reports", reportsSecret}, 400, "invalid_request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newM2MFixture(t)
			basic := tt.basic
			if basic[0] == "project" {
				basic = [2]string{f.ProjectID(), f.Secret()}
			}
			r := f.postToken(t, tt.prepare(f), false, basic[0], basic[1])
			if r.status != tt.status || r.str("error") != tt.code {
				t.Fatalf("got %d %q, want %d %q: %v", r.status, r.str("error"), tt.status, tt.code, r.body)
			}
			if r.get("status_code") != float64(tt.status) || r.str("request_id") == "" || r.str("error_description") == "" || r.str("error_uri") == "" {
				t.Fatalf("error body lacks Stytch's OAuth2 fields: %v", r.body)
			}
			if r.str("access_token") != "" {
				t.Fatal("an error carries a token")
			}
		})
	}
}

func TestM2MTokenOfAnotherProjectIsNotFound(t *testing.T) {
	t.Parallel()
	f := newM2MFixture(t)
	res, err := http.PostForm(f.URL()+"/v1/public/project-test-other/oauth2/token", creds(""))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusNotFound {
		t.Fatalf("status = %d, want 404", res.StatusCode)
	}
}

func TestM2MClientsAPI(t *testing.T) {
	t.Parallel()
	f := newM2MFixture(t)

	created := f.do(t, http.MethodPost, "/v1/m2m/clients", map[string]any{
		"client_name": "exporter", "scopes": []string{"read:users"}, "trusted_metadata": map[string]any{"team": "data"}})
	if created.status != http.StatusCreated || created.get("status_code") != float64(201) {
		t.Fatalf("create: %d %s", created.status, created.raw)
	}
	id, secret := created.str("m2m_client", "client_id"), created.str("m2m_client", "client_secret")
	if !strings.HasPrefix(id, "m2m-client-test-") || len(secret) < minM2MSecretLength {
		t.Fatalf("create: id %q secret of %d characters", id, len(secret))
	}
	if created.str("m2m_client", "client_secret_last_four") != secret[len(secret)-4:] || created.str("m2m_client", "status") != "active" {
		t.Fatalf("create: %s", created.raw)
	}

	got := f.do(t, http.MethodGet, "/v1/m2m/clients/"+id, nil)
	wantOK(t, got)
	if got.str("m2m_client", "client_secret") != "" || got.str("m2m_client", "client_name") != "exporter" ||
		got.str("m2m_client", "trusted_metadata", "team") != "data" {
		t.Fatalf("get reveals the secret or lost fields: %s", got.raw)
	}
	if strings.Contains(string(got.raw), secret) {
		t.Fatal("get answer contains the secret")
	}
	wantError(t, f.do(t, http.MethodGet, "/v1/m2m/clients/m2m-client-test-nobody", nil), 404, errM2MClientNotFound)
	wantError(t, f.doWith(t, http.MethodGet, "/v1/m2m/clients/"+id, nil, id, secret), 401, errUnauthorizedCredentials)
	wantError(t, f.do(t, http.MethodPost, "/v1/m2m/clients", map[string]any{"client_id": id}), 400, errBadRequest)
	wantError(t, f.do(t, http.MethodPost, "/v1/m2m/clients", map[string]any{"client_secret": "short"}), 400, errBadRequest)
	wantError(t, f.do(t, http.MethodPost, "/v1/m2m/clients", map[string]any{"scopes": []string{"read users"}}), 400, errBadRequest)

	for _, tc := range []struct {
		name  string
		query any
		want  []string
	}{
		{"no query lists every client", nil, []string{"m2m-client-test-reports", id}},
		{"client_id filters", map[string]any{"operator": "AND", "operands": []any{
			map[string]any{"filter_name": "client_id", "filter_value": []string{id}}}}, []string{id}},
		{"scopes filter", map[string]any{"operator": "AND", "operands": []any{
			map[string]any{"filter_name": "scopes", "filter_value": []string{"read:reports"}}}}, []string{"m2m-client-test-reports"}},
		{"OR joins filters", map[string]any{"operator": "OR", "operands": []any{
			map[string]any{"filter_name": "client_name", "filter_value": "exporter"},
			map[string]any{"filter_name": "client_name", "filter_value": "reports"}}}, []string{"m2m-client-test-reports", id}},
		{"AND joins filters", map[string]any{"operator": "AND", "operands": []any{
			map[string]any{"filter_name": "client_name", "filter_value": "exporter"},
			map[string]any{"filter_name": "scopes", "filter_value": []string{"read:reports"}}}}, nil},
	} {
		t.Run("search: "+tc.name, func(t *testing.T) {
			body := map[string]any{}
			if tc.query != nil {
				body["query"] = tc.query
			}
			r := f.do(t, http.MethodPost, "/v1/m2m/clients/search", body)
			wantOK(t, r)
			list, _ := r.get("m2m_clients").([]any)
			var ids []string
			for i := range list {
				ids = append(ids, r.str("m2m_clients", string(rune('0'+i)), "client_id"))
			}
			if strings.Join(ids, ",") != strings.Join(tc.want, ",") || r.get("results_metadata", "total") != float64(len(tc.want)) {
				t.Fatalf("ids = %v, want %v: %s", ids, tc.want, r.raw)
			}
		})
	}
	page := f.do(t, http.MethodPost, "/v1/m2m/clients/search", map[string]any{"limit": 1})
	wantOK(t, page)
	next := page.str("results_metadata", "next_cursor")
	page2 := f.do(t, http.MethodPost, "/v1/m2m/clients/search", map[string]any{"limit": 1, "cursor": next})
	if next == "" || page2.str("m2m_clients", "0", "client_id") != id || page2.get("results_metadata", "next_cursor") != nil {
		t.Fatalf("pagination: %s then %s", page.raw, page2.raw)
	}

	wantOK(t, f.do(t, http.MethodDelete, "/v1/m2m/clients/"+id, nil))
	wantError(t, f.do(t, http.MethodGet, "/v1/m2m/clients/"+id, nil), 404, errM2MClientNotFound)
}

func TestM2MSecretRotation(t *testing.T) {
	t.Parallel()
	tokenWith := func(f *fixture, secret string) int {
		v := creds("")
		v.Set("client_secret", secret)
		return f.postToken(t, v, false, "", "").status
	}
	const path = "/v1/m2m/clients/m2m-client-test-reports/secrets/rotate"
	tests := []struct {
		name             string
		finish           string // suffix of the call ending the rotation; the first case leaves it open
		oldWant, newWant int
	}{
		{"during a rotation both secrets work", "", 200, 200},
		{"a finished rotation leaves only the new secret", "", 401, 200},
		{"a cancelled rotation leaves only the old secret", "/cancel", 200, 401},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newM2MFixture(t)
			start := f.do(t, http.MethodPost, path+"/start", map[string]any{})
			wantOK(t, start)
			next := start.str("m2m_client", "next_client_secret")
			if next == "" || start.str("m2m_client", "next_client_secret_last_four") != next[len(next)-4:] {
				t.Fatalf("start: %s", start.raw)
			}
			if i > 0 {
				wantOK(t, f.do(t, http.MethodPost, path+tt.finish, map[string]any{}))
				wantError(t, f.do(t, http.MethodPost, path+tt.finish, map[string]any{}), 400, errM2MNoRotation)
			}
			if got := tokenWith(f, reportsSecret); got != tt.oldWant {
				t.Errorf("old secret: %d, want %d", got, tt.oldWant)
			}
			if got := tokenWith(f, next); got != tt.newWant {
				t.Errorf("new secret: %d, want %d", got, tt.newWant)
			}
		})
	}
}

func TestM2MClientsLoadFromASeedFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "seed.json")
	data := `{"m2m_clients":[{"client_id":"m2m-client-test-seeded","client_secret":"seeded-secret","scopes":["read:reports"],
		"custom_claims":{"tenant":"acme"}}]}`
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	seed, err := LoadSeed(path)
	if err != nil {
		t.Fatal(err)
	}
	s := NewTest(t, WithSeed(seed))
	tok, err := s.M2MToken("m2m-client-test-seeded")
	if err != nil || tok == "" {
		t.Fatalf("M2MToken: %q, %v", tok, err)
	}
	c := s.m2mClients["m2m-client-test-seeded"]
	if c.secretHash != hashSecret("seeded-secret") || !c.secretMatches("seeded-secret") || c.secretMatches("seeded-secreT") {
		t.Fatal("the seeded secret is not what authenticates the client")
	}
	for _, bad := range []M2MClientSeed{
		{Secret: "short"},
		{Scopes: []string{""}},
		{Status: "paused"},
		{CustomClaims: map[string]any{"sub": "someone"}},
		{CustomClaims: map[string]any{"scope": "admin:*"}},
	} {
		if _, _, err := s.AddM2MClient(bad); err == nil {
			t.Errorf("AddM2MClient(%+v) succeeded", bad)
		}
	}
}
