package middleware

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/b2bauth/b2bauth/client"
	"github.com/b2bauth/b2bauth/emulator"
)

const fuzzProject = "project-test-fuzz"

// fuzzNow is the clock of the verifiers the fuzz target compares.
var fuzzNow = time.Unix(1_800_000_000, 0)

// refClaims is the shape the verifier decoded claims into with golang-jwt
// before it read them itself: the reference.
type refClaims struct {
	jwt.RegisteredClaims
	Session struct {
		ID                    string                        `json:"id"`
		StartedAt             string                        `json:"started_at"`
		LastAccessedAt        string                        `json:"last_accessed_at"`
		ExpiresAt             string                        `json:"expires_at"`
		AuthenticationFactors []client.AuthenticationFactor `json:"authentication_factors"`
		Roles                 []string                      `json:"roles"`
	} `json:"https://stytch.com/session"`
	Organization struct {
		ID   string `json:"organization_id"`
		Slug string `json:"slug"`
	} `json:"https://stytch.com/organization"`
}

// referenceVerify decides raw with golang-jwt's full parser, configured as
// New configures it, and the issuer, identity and age rules of the
// middleware: what verifyLocal decided before it read JWTs itself.
func referenceVerify(m *Middleware, raw string) (s *Session, validUntil time.Time, err error) {
	defer func() {
		// golang-jwt panics on a signed payload of null (its claims
		// become nil); that JWT is refused.
		if p := recover(); p != nil {
			s, validUntil, err = nil, time.Time{}, ErrInvalidToken.with(fmt.Errorf("panic: %v", p))
		}
	}()
	parser := jwt.NewParser(jwt.WithValidMethods([]string{"RS256"}), jwt.WithAudience(fuzzProject),
		jwt.WithExpirationRequired(), jwt.WithIssuedAt(), jwt.WithLeeway(m.cfg.leeway), jwt.WithTimeFunc(m.cfg.now))
	var c refClaims
	identified := func() bool {
		return c.Subject != "" && !strings.HasPrefix(c.Subject, m2mClientIDPrefix) && c.Session.ID != "" && c.Organization.ID != ""
	}
	only := func(err error) bool {
		for _, other := range []error{jwt.ErrTokenNotValidYet, jwt.ErrTokenInvalidAudience,
			jwt.ErrTokenRequiredClaimMissing, jwt.ErrTokenInvalidIssuer, jwt.ErrTokenUsedBeforeIssued,
			jwt.ErrTokenSignatureInvalid, jwt.ErrTokenMalformed, jwt.ErrTokenUnverifiable} {
			if errors.Is(err, other) {
				return false
			}
		}
		return errors.Is(err, jwt.ErrTokenExpired)
	}
	if _, err := parser.ParseWithClaims(raw, &c, m.cfg.keyfunc); err != nil {
		switch {
		case errors.Is(err, client.ErrUnavailable):
			return nil, time.Time{}, fmt.Errorf("%w: %w", errKeyStale, ErrUnavailable.with(err))
		case errors.Is(err, client.ErrUnknownKID):
			return nil, time.Time{}, fmt.Errorf("%w: %w", errKeyStale, err)
		case only(err) && m.issuerOK(c.Issuer) && identified():
			return nil, time.Time{}, errExpired
		}
		return nil, time.Time{}, ErrInvalidToken.with(err)
	}
	if !m.issuerOK(c.Issuer) || !identified() {
		return nil, time.Time{}, ErrInvalidToken.with(errors.New("issuer or identity"))
	}
	s = &Session{
		ID: c.Session.ID, MemberID: c.Subject, OrganizationID: c.Organization.ID, OrganizationSlug: c.Organization.Slug,
		Roles: c.Session.Roles, AuthenticationFactors: c.Session.AuthenticationFactors,
		StartedAt: parseTime(c.Session.StartedAt), ExpiresAt: parseTime(c.Session.ExpiresAt), JWT: raw,
	}
	if s.ExpiresAt.IsZero() {
		s.ExpiresAt = c.ExpiresAt.Time
	}
	if c.IssuedAt == nil {
		return s, time.Time{}, errTooOld
	}
	validUntil = c.ExpiresAt.Add(m.cfg.leeway)
	if tooOldAt := c.IssuedAt.Add(m.cfg.maxTokenAge); tooOldAt.Before(validUntil) {
		validUntil = tooOldAt
	}
	if !m.cfg.now().Before(validUntil) {
		return s, time.Time{}, errTooOld
	}
	return s, validUntil, nil
}

// classOf names the class of a verifier's answer, which decides what the
// middleware does next.
func classOf(err error) string {
	switch {
	case err == nil:
		return "valid"
	case errors.Is(err, errTooOld):
		return "too old"
	case errors.Is(err, errExpired):
		return "expired"
	case errors.Is(err, errKeyStale) && errors.Is(err, ErrUnavailable):
		return "key set unavailable"
	case errors.Is(err, errKeyStale):
		return "unknown key"
	case errors.Is(err, ErrInvalidToken):
		return "invalid"
	}
	return "unexpected: " + err.Error()
}

// fuzzKeys are the keys of the fuzz target: kid "k1" names key, "k2" names
// other; "down" stands for a key set that cannot be fetched; any other kid
// is unknown.
type fuzzKeys struct{ key, other *rsa.PrivateKey }

func (k fuzzKeys) keyfunc(t *jwt.Token) (any, error) {
	kid, _ := t.Header["kid"].(string)
	switch kid {
	case "k1":
		return &k.key.PublicKey, nil
	case "k2":
		return &k.other.PublicKey, nil
	case "down":
		return nil, fmt.Errorf("%w: %w", client.ErrUnknownKID, client.ErrUnavailable)
	case "":
		return nil, errors.New("jwt header has no kid")
	}
	return nil, fmt.Errorf("%w %q", client.ErrUnknownKID, kid)
}

func newFuzzMiddleware(tb testing.TB, keys fuzzKeys) *Middleware {
	tb.Helper()
	c, err := client.New(fuzzProject, "secret", client.WithBaseURL("http://127.0.0.1:1"))
	if err != nil {
		tb.Fatal(err)
	}
	m, err := New(c, WithClock(func() time.Time { return fuzzNow }), WithKeyfunc(keys.keyfunc),
		WithAuthenticator(refuseAll{}), WithPolicyAuthorizer(refuseAll{}))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(m.Close)
	return m
}

type refuseAll struct{}

func (refuseAll) Authenticate(context.Context, *client.SessionsAuthenticateParams) (*client.SessionsAuthenticateResponse, error) {
	return nil, &client.Error{StatusCode: http.StatusNotFound, ErrorType: "session_not_found"}
}

func (refuseAll) Authorize(context.Context, string, []string, client.AuthorizationCheck) error {
	return client.ErrAuthorizationDenied
}

// fuzzToken builds a JWT of header and claims signed as signer says (0: by
// the key "k1" names, 1: by the other key, 2: extra as the signature), then
// mutated as mutation says, at pos, with extra.
func fuzzToken(keys fuzzKeys, header, claims string, signer, mutation uint8, pos uint16, extra string) string {
	enc := base64.RawURLEncoding
	signed := enc.EncodeToString([]byte(header)) + "." + enc.EncodeToString([]byte(claims))
	var sig []byte
	switch signer % 3 {
	case 0, 1:
		key := keys.key
		if signer%3 == 1 {
			key = keys.other
		}
		sum := sha256.Sum256([]byte(signed))
		sig, _ = rsa.SignPKCS1v15(nil, key, crypto.SHA256, sum[:])
	case 2:
		sig = []byte(extra)
	}
	tok := signed + "." + enc.EncodeToString(sig)
	at := int(pos) % (len(tok) + 1)
	switch mutation % 8 {
	case 1:
		tok = tok[:at] + extra + tok[at:]
	case 2:
		tok = tok[:at] + "\n" + tok[at:]
	case 3:
		tok = tok[:at] + "=" + tok[at:]
	case 4:
		if at < len(tok) {
			tok = tok[:at] + tok[at+1:]
		}
	case 5:
		tok = extra
	case 6:
		if at < len(tok) {
			tok = tok[:at] + string(tok[at]^1) + tok[at+1:]
		}
	case 7:
		tok += "."
	}
	return tok
}

// sessionClaimsJSON is the claims text of a valid session JWT at fuzzNow.
func sessionClaimsJSON(iat time.Time, extra string) string {
	return fmt.Sprintf(`{"aud":[%q],"exp":%d,"https://stytch.com/organization":{"organization_id":"organization-test-1","slug":"acme"},`+
		`"https://stytch.com/session":{"id":"member-session-test-1","started_at":"2027-01-15T08:00:00Z","last_accessed_at":"2027-01-15T08:00:00Z",`+
		`"expires_at":"2027-01-15T09:00:00Z","attributes":{"ip_address":"","user_agent":""},"authentication_factors":[{"type":"magic_link",`+
		`"delivery_method":"email","last_authenticated_at":"2027-01-15T08:00:00Z","created_at":"2027-01-15T08:00:00Z","updated_at":"2027-01-15T08:00:00Z",`+
		`"email_factor":{"email_id":"email-test-1","email_address":"member@acme.test"}}],"roles":["stytch_member"]},"iat":%d,"iss":"stytch.com/%s",`+
		`"nbf":%d,"sub":"member-test-1"%s}`, fuzzProject, iat.Add(5*time.Minute).Unix(), iat.Unix(), fuzzProject, iat.Unix(), extra)
}

const fuzzHeader = `{"alg":"RS256","kid":"k1","typ":"JWT"}`

// FuzzVerifyAgreesWithGolangJWT feeds tokens built from fuzzed headers and
// claims, signed by the right key, another or none, then mutated, to
// verifyLocal and to golang-jwt's full parser with the same rules
// (referenceVerify): they must give the same verdict and, for a JWT
// accepted, the same session and validity.
func FuzzVerifyAgreesWithGolangJWT(f *testing.F) {
	key, err := rsa.GenerateKey(rand.Reader, 1024) // signing is most of an execution
	if err != nil {
		f.Fatal(err)
	}
	other, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		f.Fatal(err)
	}
	keys := fuzzKeys{key, other}
	m := newFuzzMiddleware(f, keys)
	valid := sessionClaimsJSON(fuzzNow.Add(-time.Minute), "")
	f.Add(fuzzHeader, valid, uint8(0), uint8(0), uint16(0), "")
	f.Add(fuzzHeader, valid, uint8(1), uint8(0), uint16(0), "")
	f.Add(fuzzHeader, valid, uint8(0), uint8(2), uint16(700), "")
	f.Add(`{"alg":"none","kid":"k1"}`, valid, uint8(2), uint8(0), uint16(0), "")
	f.Add(`{"kid":"k1","alg":"RS256","alg":"HS256"}`, valid, uint8(0), uint8(0), uint16(0), "")
	f.Add(fuzzHeader, sessionClaimsJSON(fuzzNow.Add(-time.Minute), `,"sub":"member-test-2"`), uint8(0), uint8(0), uint16(0), "")
	f.Add(fuzzHeader, sessionClaimsJSON(fuzzNow.Add(-time.Hour), ""), uint8(0), uint8(0), uint16(0), "")
	f.Add(`{"alg":"RS256","kid":"down"}`, valid, uint8(0), uint8(0), uint16(0), "")
	f.Fuzz(func(t *testing.T, header, claims string, signer, mutation uint8, pos uint16, extra string) {
		tok := fuzzToken(keys, header, claims, signer, mutation, pos, extra)
		got, gotUntil, gotErr := m.verifyLocal(context.Background(), tok)
		want, wantUntil, wantErr := referenceVerify(m, tok)
		if g, w := classOf(gotErr), classOf(wantErr); g != w {
			t.Fatalf("verdict %q (%v), golang-jwt's %q (%v), for %q", g, gotErr, w, wantErr, tok)
		}
		if !gotUntil.Equal(wantUntil) {
			t.Fatalf("valid until %v, golang-jwt's %v", gotUntil, wantUntil)
		}
		if (got == nil) != (want == nil) {
			t.Fatalf("session %v, golang-jwt's %v", got, want)
		}
		if got != nil {
			if diff := sessionDiff(got, want); diff != "" {
				t.Fatalf("sessions differ in %s for claims %s", diff, claims)
			}
		}
	})
}

// sessionDiff names the first field in which a and b differ, or "".
func sessionDiff(a, b *Session) string {
	switch {
	case a.ID != b.ID, a.MemberID != b.MemberID, a.OrganizationID != b.OrganizationID, a.OrganizationSlug != b.OrganizationSlug:
		return "identity"
	case !reflect.DeepEqual(a.Roles, b.Roles):
		return "roles"
	case !reflect.DeepEqual(a.AuthenticationFactors, b.AuthenticationFactors):
		return "authentication factors"
	case !a.StartedAt.Equal(b.StartedAt), !a.ExpiresAt.Equal(b.ExpiresAt):
		return "times"
	case a.JWT != b.JWT:
		return "jwt"
	case !reflect.DeepEqual(a.CustomClaims(), b.CustomClaims()):
		return "custom claims"
	}
	return ""
}

// TestStytchClaimsAreReadInOnePass: the claims of the session JWTs Stytch
// issues, with factors of each common kind, are read by the one-pass reader
// (not left to encoding/json) into what encoding/json decodes.
func TestStytchClaimsAreReadInOnePass(t *testing.T) {
	t.Parallel()
	emu := emulator.NewTest(t)
	org, err := emu.AddOrganization(emulator.OrganizationSeed{Name: "Acme"})
	if err != nil {
		t.Fatal(err)
	}
	member, err := emu.AddMember(emulator.MemberSeed{Organization: org, Email: "a@acme.test", Roles: []string{"stytch_admin"}})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	tests := []struct {
		name    string
		factors []emulator.Factor
	}{
		{"a magic link session", nil},
		{"a session with an SMS second factor", []emulator.Factor{{Type: "magic_link", DeliveryMethod: "email", At: now}, {Type: "otp", DeliveryMethod: "sms", At: now}}},
		{"a session with a TOTP second factor", []emulator.Factor{{Type: "magic_link", DeliveryMethod: "email", At: now}, {Type: "totp", DeliveryMethod: "authenticator_app", At: now}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var opts []emulator.SessionOption
			if tt.factors != nil {
				opts = append(opts, emulator.WithSessionFactors(tt.factors...))
			}
			_, raw, err := emu.CreateSession(member, opts...)
			if err != nil {
				t.Fatal(err)
			}
			payload, err := base64.RawURLEncoding.DecodeString(strings.Split(raw, ".")[1])
			if err != nil {
				t.Fatal(err)
			}
			var fast jwtClaims
			r := jsonReader{b: payload, s: string(payload)}
			if fast.read(&r); r.bad {
				t.Fatalf("left to encoding/json: %s", payload)
			}
			var sc sessionClaims
			if err := json.Unmarshal(payload, &sc); err != nil {
				t.Fatal(err)
			}
			slow := claimsFrom(&sc)
			if diff := sessionDiff(fast.session(raw), slow.session(raw)); diff != "" {
				t.Fatalf("sessions differ in %s", diff)
			}
			if !reflect.DeepEqual([]any{fast.iss, fast.aud, fast.exp.Unix(), fast.nbf.Unix(), fast.iat.Unix()},
				[]any{slow.iss, slow.aud, slow.exp.Unix(), slow.nbf.Unix(), slow.iat.Unix()}) {
				t.Fatalf("registered claims differ")
			}
		})
	}
}
