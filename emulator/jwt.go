package emulator

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"os"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// jwtLifetime is how long a session JWT is valid, as with Stytch.
const jwtLifetime = 5 * time.Minute

type signingKey struct {
	kid  string
	priv *rsa.PrivateKey
}

func newSigningKey() (*signingKey, error) {
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("b2bauth: emulator: generate RSA key: %w", err)
	}
	return keyFromRSA(priv)
}

// keyFromRSA names a key after its public half, so a key loaded from a file
// keeps its kid across restarts.
func keyFromRSA(priv *rsa.PrivateKey) (*signingKey, error) {
	der, err := x509.MarshalPKIXPublicKey(&priv.PublicKey)
	if err != nil {
		return nil, fmt.Errorf("b2bauth: emulator: encode public key: %w", err)
	}
	sum := sha256.Sum256(der)
	b := sum[:16]
	kid := fmt.Sprintf("jwk-test-%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
	return &signingKey{kid: kid, priv: priv}, nil
}

// loadKeys reads the PEM key file, creating it with one new key if absent.
func loadKeys(path string) ([]*signingKey, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		k, err := newSigningKey()
		if err != nil {
			return nil, err
		}
		der, err := x509.MarshalPKCS8PrivateKey(k.priv)
		if err != nil {
			return nil, fmt.Errorf("b2bauth: emulator: encode key: %w", err)
		}
		out := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
		if err := os.WriteFile(path, out, 0o600); err != nil {
			return nil, fmt.Errorf("b2bauth: emulator: write key file: %w", err)
		}
		return []*signingKey{k}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("b2bauth: emulator: read key file: %w", err)
	}
	var keys []*signingKey
	for block, rest := pem.Decode(data); block != nil; block, rest = pem.Decode(rest) {
		parsed, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("b2bauth: emulator: key file %s: %w", path, err)
		}
		priv, ok := parsed.(*rsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("b2bauth: emulator: key file %s: not an RSA key", path)
		}
		k, err := keyFromRSA(priv)
		if err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("b2bauth: emulator: key file %s holds no PEM key", path)
	}
	return keys, nil
}

// RotateOption configures [Server.RotateKey].
type RotateOption interface {
	applyRotate(*rotateConfig)
}

type rotateConfig struct{ dropOld bool }

type rotateOptionFunc func(*rotateConfig)

func (f rotateOptionFunc) applyRotate(c *rotateConfig) { f(c) }

// WithDropOldKeys makes [Server.RotateKey] unpublish every previous key, so
// JWTs signed before the rotation no longer verify.
func WithDropOldKeys() RotateOption {
	return rotateOptionFunc(func(c *rotateConfig) { c.dropOld = true })
}

// RotateKey makes a new signing key current and returns its kid. Previous keys
// stay in the JWKS (and JWTs they signed still verify) unless
// [WithDropOldKeys] is given.
func (s *Server) RotateKey(opts ...RotateOption) string {
	var cfg rotateConfig
	for _, o := range opts {
		o.applyRotate(&cfg)
	}
	k, err := newSigningKey()
	if err != nil {
		// Only a broken crypto/rand could fail here; a test cannot go on.
		panic(err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if cfg.dropOld {
		s.keys = nil
	}
	s.keys = append(s.keys, k)
	return k.kid
}

// KeyIDs lists the kids of the published keys, the current signing key last.
func (s *Server) KeyIDs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := make([]string, 0, len(s.keys))
	for _, k := range s.keys {
		ids = append(ids, k.kid)
	}
	return ids
}

// SignJWT signs claims with the current key (RS256) and returns the compact
// JWT. The header carries alg "RS256", typ "JWT" and the key's kid; entries of
// header replace those (a nil value removes one), so tests can mint tampered,
// expired, exp-less or unknown-kid tokens. The signature is always RS256 with
// the current key, whatever the header says.
func (s *Server) SignJWT(claims map[string]any, header map[string]any) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.signLocked(claims, header)
}

func (s *Server) signLocked(claims map[string]any, header map[string]any) (string, error) {
	k := s.keys[len(s.keys)-1]
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims(claims))
	tok.Header["kid"] = k.kid
	for name, v := range header {
		if v == nil {
			delete(tok.Header, name)
		} else {
			tok.Header[name] = v
		}
	}
	signed, err := tok.SignedString(k.priv)
	if err != nil {
		return "", fmt.Errorf("b2bauth: emulator: sign JWT: %w", err)
	}
	return signed, nil
}

// issuer is the iss claim of session JWTs.
func (s *Server) issuer() string {
	return "stytch.com/" + s.cfg.projectID
}

// sessionJWTLocked mints the JWT of a session as Stytch does: registered
// claims, the session and organization claims, and the custom claims at the
// top level.
func (s *Server) sessionJWTLocked(now time.Time, ss *session) (string, error) {
	m, o := s.members[ss.memberID], s.orgs[ss.orgID]
	claims := map[string]any{}
	for k, v := range ss.customClaims {
		claims[k] = v
	}
	claims["iss"] = s.issuer()
	claims["aud"] = []string{s.cfg.projectID}
	claims["sub"] = m.id
	claims["iat"] = now.Unix()
	claims["nbf"] = now.Unix()
	claims["exp"] = now.Add(jwtLifetime).Unix()
	claims[sessionClaimName] = wireSessionClaim{
		ID:                    ss.id,
		StartedAt:             claimTime(ss.started),
		LastAccessedAt:        claimTime(ss.lastAccessed),
		ExpiresAt:             claimTime(ss.expires),
		AuthenticationFactors: renderFactors(ss.factors),
		Roles:                 m.roleIDs(),
	}
	claims[organizationClaimName] = wireOrganizationClaim{OrganizationID: o.id, Slug: o.slug}
	return s.signLocked(claims, nil)
}

const (
	sessionClaimName      = "https://stytch.com/session"
	organizationClaimName = "https://stytch.com/organization"
)

// sessionFromJWTLocked finds the session a JWT names. The signature, issuer
// and audience must be right, but an expired JWT is accepted: the session, not
// the JWT, decides, as with the real API.
func (s *Server) sessionFromJWTLocked(now time.Time, raw string) (*session, error) {
	keyfunc := func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		for _, k := range s.keys {
			if k.kid == kid {
				return &k.priv.PublicKey, nil
			}
		}
		return nil, errors.New("unknown kid")
	}
	claims := jwt.MapClaims{}
	_, err := jwt.ParseWithClaims(raw, claims, keyfunc,
		jwt.WithValidMethods([]string{"RS256"}), jwt.WithoutClaimsValidation())
	if err != nil {
		return nil, unauthenticated(errInvalidSessionJWT, "the session JWT could not be verified: "+err.Error())
	}
	iss, _ := claims.GetIssuer()
	aud, _ := claims.GetAudience()
	if iss != s.issuer() || !containsString(aud, s.cfg.projectID) {
		return nil, unauthenticated(errInvalidSessionJWT, "the session JWT was not issued for this project")
	}
	sc, _ := claims[sessionClaimName].(map[string]any)
	id, _ := sc["id"].(string)
	ss := s.sessions[id]
	if ss == nil || !ss.live(now) {
		return nil, notFound(errSessionNotFound, "session not found, expired or revoked")
	}
	if sub, _ := claims.GetSubject(); sub != ss.memberID {
		return nil, unauthenticated(errInvalidSessionJWT, "the session JWT's subject does not own the session")
	}
	return ss, nil
}

func containsString(list []string, v string) bool {
	for _, s := range list {
		if s == v {
			return true
		}
	}
	return false
}

type jwksResponse struct {
	Keys []wireJWK `json:"keys"`
	envelope
}

func (s *Server) jwks() *jwksResponse {
	s.mu.Lock()
	defer s.mu.Unlock()
	res := &jwksResponse{Keys: []wireJWK{}}
	for _, k := range s.keys {
		pub := k.priv.PublicKey
		res.Keys = append(res.Keys, wireJWK{
			Kty:    "RSA",
			Use:    "sig",
			KeyOps: []string{"verify"},
			Alg:    "RS256",
			Kid:    k.kid,
			N:      base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
			E:      base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
		})
	}
	return res
}

// handleJWKS serves the key set without credentials, as Stytch does.
func (s *Server) handleJWKS(w http.ResponseWriter, r *http.Request) {
	if r.PathValue("project_id") != s.cfg.projectID {
		s.writeError(w, notFound(errNotFound, "no JWKS for project "+r.PathValue("project_id")))
		return
	}
	if s.faultFor(r.URL.Path).MalformedJWKS {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"keys":[{"kty":"RSA","kid":`))
		return
	}
	s.writeJSON(w, s.jwks())
}
