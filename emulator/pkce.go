package emulator

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"time"
)

// pkceGrant is what every single-use login token shares (discovery and
// organization magic links, OAuth and SSO tokens, password reset links): it
// is bound to the PKCE challenge of the browser that asked for it, lives
// until expires and works once.
type pkceGrant struct {
	pkceChallenge string
	expires       time.Time
	used          bool
}

func (g *pkceGrant) grant() *pkceGrant { return g }

// redeemGrant finds token in tokens and checks that it is live at now and
// that verifier matches its PKCE challenge. An unknown, expired or used token
// gets dead. The caller marks the token used once it has served.
func redeemGrant[T interface{ grant() *pkceGrant }](tokens map[string]T, token, verifier string, now time.Time, dead *apiError) (T, error) {
	var zero T
	t, ok := tokens[token]
	if !ok || t.grant().used || !now.Before(t.grant().expires) {
		return zero, dead
	}
	if err := checkPKCE(t.grant().pkceChallenge, verifier); err != nil {
		return zero, err
	}
	return t, nil
}

// checkPKCE binds a token to the browser that asked for it: with a challenge
// the verifier must hash to it (S256), and a verifier without a challenge is
// refused too.
func checkPKCE(challenge, verifier string) error {
	if challenge == "" && verifier == "" {
		return nil
	}
	if challenge == "" || verifier == "" {
		return unauthenticated(errPKCEMismatch, "the PKCE code verifier does not match the challenge")
	}
	sum := sha256.Sum256([]byte(verifier))
	got := base64.RawURLEncoding.EncodeToString(sum[:])
	if subtle.ConstantTimeCompare([]byte(got), []byte(challenge)) != 1 {
		return unauthenticated(errPKCEMismatch, "the PKCE code verifier does not match the challenge")
	}
	return nil
}
