package emulator

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/MicahParks/keyfunc/v3"
	"github.com/golang-jwt/jwt/v5"
)

// fetchKeyfunc fetches the JWKS without credentials, as clients do.
func fetchKeyfunc(t *testing.T, s *Server) keyfunc.Keyfunc {
	t.Helper()
	res, err := http.Get(s.URL() + "/v1/b2b/sessions/jwks/" + s.ProjectID())
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("JWKS: %d %s", res.StatusCode, raw)
	}
	k, err := keyfunc.NewJWKSetJSON(raw)
	if err != nil {
		t.Fatalf("JWKS does not parse: %v: %s", err, raw)
	}
	return k
}

func parse(t *testing.T, s *Server, k keyfunc.Keyfunc, clock func() time.Time, token string) (*jwt.Token, error) {
	t.Helper()
	return jwt.Parse(token, k.Keyfunc,
		jwt.WithValidMethods([]string{"RS256"}),
		jwt.WithIssuer("stytch.com/"+s.ProjectID()),
		jwt.WithAudience(s.ProjectID()),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithTimeFunc(clock))
}

func TestSessionJWTVerifiesWithJWKS(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	_, token, err := f.CreateSession(f.bob, WithSessionCustomClaims(map[string]any{"team": "blue"}),
		WithSessionFactors(Factor{Type: "magic_link", DeliveryMethod: "email"}, Factor{Type: "totp", DeliveryMethod: "authenticator_app"}))
	if err != nil {
		t.Fatal(err)
	}
	k := fetchKeyfunc(t, f.Server)
	tok, err := parse(t, f.Server, k, f.clock.Now, token)
	if err != nil {
		t.Fatalf("emulator JWT does not verify: %v", err)
	}
	if tok.Header["kid"] != f.KeyIDs()[0] || tok.Header["alg"] != "RS256" {
		t.Errorf("header = %v", tok.Header)
	}
	claims := tok.Claims.(jwt.MapClaims)
	var keys []string
	for k := range claims {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	want := []string{"aud", "exp", "https://stytch.com/organization", "https://stytch.com/session", "iat", "iss", "nbf", "sub", "team"}
	if !slices.Equal(keys, want) {
		t.Fatalf("claims = %v, want %v", keys, want)
	}
	iat, _ := claims.GetIssuedAt()
	exp, _ := claims.GetExpirationTime()
	if exp.Sub(iat.Time) != 5*time.Minute || !iat.Equal(f.clock.Now()) {
		t.Errorf("iat %v exp %v", iat, exp)
	}
	if sub, _ := claims.GetSubject(); sub != f.bob {
		t.Errorf("sub = %s", sub)
	}
	sess := claims["https://stytch.com/session"].(map[string]any)
	for _, k := range []string{"id", "started_at", "last_accessed_at", "expires_at"} {
		if _, err := time.Parse(time.RFC3339, sess[k].(string)); err != nil && k != "id" {
			t.Errorf("%s = %v: %v", k, sess[k], err)
		}
	}
	factors := sess["authentication_factors"].([]any)
	if len(factors) != 2 || factors[1].(map[string]any)["authenticator_app_factor"] == nil {
		t.Errorf("factors = %v", factors)
	}
	if _, ok := sess["attributes"].(map[string]any); !ok {
		t.Errorf("attributes = %v", sess["attributes"])
	}
	org := claims["https://stytch.com/organization"].(map[string]any)
	if org["organization_id"] != f.acme || org["slug"] != "acme" {
		t.Errorf("organization claim = %v", org)
	}
	t.Run("the JWT expires after five minutes", func(t *testing.T) {
		later := func() time.Time { return f.clock.Now().Add(6 * time.Minute) }
		if _, err := parse(t, f.Server, k, later, token); err == nil {
			t.Fatal("expired JWT verified")
		}
	})
}

func TestJWKSAnswersWithAndWithoutCredentials(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	path := "/v1/b2b/sessions/jwks/" + f.ProjectID()
	for _, user := range []string{"", f.ProjectID()} {
		r := f.doWith(t, "GET", path, nil, user, f.Secret())
		wantOK(t, r)
		key := r.get("keys", "0").(map[string]any)
		for k, v := range map[string]string{"kty": "RSA", "use": "sig", "alg": "RS256"} {
			if key[k] != v {
				t.Errorf("%s = %v", k, key[k])
			}
		}
	}
	wantError(t, f.doWith(t, "GET", "/v1/b2b/sessions/jwks/project-test-other", nil, "", ""), 404, errNotFound)
}

func TestRotateKey(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	_, before, _ := f.CreateSession(f.alice)
	kid := f.RotateKey()
	_, after, _ := f.CreateSession(f.alice)
	k := fetchKeyfunc(t, f.Server)
	for _, tok := range []string{before, after} {
		if _, err := parse(t, f.Server, k, f.clock.Now, tok); err != nil {
			t.Fatalf("JWT does not verify after rotation: %v", err)
		}
	}
	tok, _, _ := jwt.NewParser().ParseUnverified(after, jwt.MapClaims{})
	if tok.Header["kid"] != kid {
		t.Errorf("kid = %v, want %s", tok.Header["kid"], kid)
	}
	t.Run("dropping old keys unpublishes them", func(t *testing.T) {
		f.RotateKey(WithDropOldKeys())
		if n := len(f.KeyIDs()); n != 1 {
			t.Fatalf("%d keys published", n)
		}
		k := fetchKeyfunc(t, f.Server)
		if _, err := parse(t, f.Server, k, f.clock.Now, before); err == nil {
			t.Fatal("JWT of a dropped key verified")
		}
		wantError(t, f.do(t, "POST", "/v1/b2b/sessions/authenticate", map[string]any{"session_jwt": before}), 401, errInvalidSessionJWT)
	})
}

func TestSignJWT(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	k := fetchKeyfunc(t, f.Server)
	now := f.clock.Now()
	base := func() map[string]any {
		return map[string]any{"iss": "stytch.com/" + f.ProjectID(), "aud": []string{f.ProjectID()}, "sub": f.alice,
			"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(time.Minute).Unix()}
	}
	t.Run("a minted token verifies", func(t *testing.T) {
		tok, err := f.SignJWT(base(), nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := parse(t, f.Server, k, f.clock.Now, tok); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("a token without exp is minted as asked", func(t *testing.T) {
		c := base()
		delete(c, "exp")
		tok, _ := f.SignJWT(c, nil)
		if _, err := parse(t, f.Server, k, f.clock.Now, tok); err == nil {
			t.Fatal("exp-less token accepted with WithExpirationRequired")
		}
	})
	t.Run("header overrides apply and nil removes", func(t *testing.T) {
		tok, _ := f.SignJWT(base(), map[string]any{"kid": "jwk-test-unknown", "typ": nil})
		parsed, _, _ := jwt.NewParser().ParseUnverified(tok, jwt.MapClaims{})
		if parsed.Header["kid"] != "jwk-test-unknown" || parsed.Header["typ"] != nil {
			t.Fatalf("header = %v", parsed.Header)
		}
		if _, err := parse(t, f.Server, k, f.clock.Now, tok); err == nil {
			t.Fatal("unknown kid verified")
		}
	})
}

func TestKeyFileKeepsKeysAcrossRestarts(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "keys.pem")
	a := NewTest(t, WithKeyFile(path))
	b := NewTest(t, WithKeyFile(path))
	if !slices.Equal(a.KeyIDs(), b.KeyIDs()) {
		t.Fatalf("kids differ: %v %v", a.KeyIDs(), b.KeyIDs())
	}
	info, err := os.Stat(path)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", info, err)
	}
	if err := os.WriteFile(path, []byte("junk"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := New(WithKeyFile(path)); err == nil {
		t.Fatal("a junk key file was accepted")
	}
}

func TestJWKSIsJSON(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	var set struct {
		Keys []map[string]any `json:"keys"`
	}
	res, err := http.Get(f.URL() + "/v1/b2b/sessions/jwks/" + f.ProjectID())
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if err := json.NewDecoder(res.Body).Decode(&set); err != nil || len(set.Keys) != 1 {
		t.Fatalf("%v %v", set, err)
	}
}
