package middleware

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/b2bauth/b2bauth/client"
)

// verifyLocal checks a JWT against the key set and the claim rules. On
// success it returns the session and until when it may be trusted. errTooOld
// comes with the session (the JWT is otherwise valid); errExpired and
// errKeyStale ask for a remote check; any other error is ErrInvalidToken.
//
// It decides exactly as golang-jwt's parser configured in New followed by
// the issuer, identity and age rules, in the same order of refusals, so that
// a JWT gets the same error class either way (FuzzVerifyAgreesWithGolangJWT
// holds it to that), but does each piece of work once: every segment is
// decoded once, the claims are read in one pass straight into the session
// they describe (see decodeClaims), and the RSA signature, the costliest
// step, is checked only when its answer can change the verdict.
func (m *Middleware) verifyLocal(ctx context.Context, raw string) (*Session, time.Time, error) {
	h64, p64, s64, header, c, err := decodeJWT(raw)
	if err != nil {
		return nil, time.Time{}, ErrInvalidToken.with(err)
	}
	alg, ok := header["alg"].(string)
	switch {
	case !ok:
		return nil, time.Time{}, invalid(jwt.ErrTokenUnverifiable, "signing method (alg) is unspecified")
	case jwt.GetSigningMethod(alg) == nil:
		return nil, time.Time{}, invalid(jwt.ErrTokenUnverifiable, "signing method (alg) is unavailable")
	}
	sig, err := base64.RawURLEncoding.DecodeString(s64)
	if err != nil {
		return nil, time.Time{}, malformed("could not base64 decode signature", err)
	}
	// Stytch signs with RS256 only; pinning it before any key lookup
	// refuses "none" and HMAC tokens keyed with the public key.
	if alg != jwt.SigningMethodRS256.Alg() {
		return nil, time.Time{}, invalid(jwt.ErrTokenSignatureInvalid, "signing method "+alg+" is invalid")
	}

	key, err := m.key(ctx, &jwt.Token{Raw: raw, Method: jwt.SigningMethodRS256, Header: header, Claims: c, Signature: sig})
	if err != nil {
		err = fmt.Errorf("%w: error while executing keyfunc: %w", jwt.ErrTokenUnverifiable, err)
		switch {
		case errors.Is(err, client.ErrUnavailable):
			return nil, time.Time{}, fmt.Errorf("%w: %w", errKeyStale, ErrUnavailable.with(err))
		case errors.Is(err, client.ErrKeyNotYetFetched):
			// The key may be one Stytch began signing with after the
			// last fetch: undecided until the set is refreshed, unless
			// the claims refuse the token whatever signed it.
			if _, cerr := m.checkClaims(c, m.cfg.now()); cerr != nil {
				return nil, time.Time{}, ErrInvalidToken.with(cerr)
			}
			if !m.issuerOK(c.iss) {
				return nil, time.Time{}, ErrInvalidToken.with(fmt.Errorf("issuer %q not accepted", c.iss))
			}
			if cerr := c.identified(); cerr != nil {
				return nil, time.Time{}, ErrInvalidToken.with(cerr)
			}
			return nil, time.Time{}, fmt.Errorf("%w: %w", errKeyStale, err)
		case errors.Is(err, client.ErrUnknownKID):
			return nil, time.Time{}, fmt.Errorf("%w: %w", errKeyStale, err)
		}
		return nil, time.Time{}, ErrInvalidToken.with(err)
	}
	signed := raw[:len(h64)+1+len(p64)]

	now := m.cfg.now()
	expired, err := m.checkClaims(c, now)
	switch {
	case err != nil:
		// Refused whatever the signature says: the RSA check is skipped.
		return nil, time.Time{}, ErrInvalidToken.with(err)
	case expired:
		if !m.issuerOK(c.iss) || c.identified() != nil {
			return nil, time.Time{}, ErrInvalidToken.with(jwt.ErrTokenExpired)
		}
		if err := verifySignature(signed, sig, key); err != nil {
			return nil, time.Time{}, ErrInvalidToken.with(err)
		}
		// The signature is verified: an expired JWT of ours names a
		// session Stytch may still honour.
		return nil, time.Time{}, errExpired
	case !m.issuerOK(c.iss):
		return nil, time.Time{}, ErrInvalidToken.with(fmt.Errorf("issuer %q not accepted", c.iss))
	}
	if err := c.identified(); err != nil {
		return nil, time.Time{}, ErrInvalidToken.with(err)
	}
	if err := verifySignature(signed, sig, key); err != nil {
		return nil, time.Time{}, ErrInvalidToken.with(err)
	}
	s := c.session(raw)
	if !c.hasIat {
		return s, time.Time{}, errTooOld
	}
	validUntil := c.exp.Add(m.cfg.leeway)
	if tooOldAt := c.iat.Add(m.cfg.maxTokenAge); tooOldAt.Before(validUntil) {
		validUntil = tooOldAt
	}
	if !now.Before(validUntil) {
		return s, time.Time{}, errTooOld
	}
	return s, validUntil, nil
}

// verifiedSessionID returns the session and member ids of the JWT raw when
// its signature, issuer and identity verify, whatever its age: an expired
// JWT still names its session truthfully.
func (m *Middleware) verifiedSessionID(ctx context.Context, raw string) (id, memberID string, ok bool) {
	s, _, err := m.verifyLocal(ctx, raw)
	switch {
	case s != nil && (err == nil || errors.Is(err, errTooOld)):
		return s.ID, s.MemberID, s.ID != ""
	case errors.Is(err, errExpired):
		// verifyLocal verified the signature, issuer and identity before
		// answering errExpired; only the claims are read again.
		_, rest, _ := strings.Cut(raw, ".")
		p64, _, _ := strings.Cut(rest, ".")
		pb, derr := base64.RawURLEncoding.DecodeString(p64)
		if derr != nil {
			return "", "", false
		}
		c, derr := decodeClaims(pb)
		if derr != nil {
			return "", "", false
		}
		return c.ID, c.MemberID, c.ID != ""
	}
	return "", "", false
}

// key looks up the key of t with the configured keyfunc, or the key set's.
func (m *Middleware) key(ctx context.Context, t *jwt.Token) (any, error) {
	if m.jwks != nil {
		// An unknown kid waits for the shared refresh of the key set; the
		// request bounds only its own wait, never the refresh.
		return m.jwks.KeyfuncCtx(ctx)(t)
	}
	return m.cfg.keyfunc(t)
}

// verifySignature checks an RS256 signature with golang-jwt's signing
// method, trying each key of a key set as its parser does.
func verifySignature(signed string, sig []byte, key any) error {
	ks, ok := key.(jwt.VerificationKeySet)
	if !ok {
		if err := jwt.SigningMethodRS256.Verify(signed, sig, key); err != nil {
			return fmt.Errorf("%w: %w", jwt.ErrTokenSignatureInvalid, err)
		}
		return nil
	}
	if len(ks.Keys) == 0 {
		return fmt.Errorf("%w: keyfunc returned empty verification key set", jwt.ErrTokenUnverifiable)
	}
	var err error
	for _, k := range ks.Keys {
		if err = jwt.SigningMethodRS256.Verify(signed, sig, k); err == nil {
			return nil
		}
	}
	return fmt.Errorf("%w: %w", jwt.ErrTokenSignatureInvalid, err)
}

// checkClaims applies the registered-claim rules golang-jwt's validator
// applies with the options of New: exp required, exp, nbf and iat (not in
// the future) against now with the leeway, and the project in aud. expired
// is true when exp is the only rule broken.
func (m *Middleware) checkClaims(c *jwtClaims, now time.Time) (expired bool, err error) {
	leeway := m.cfg.leeway
	var errs []error
	switch {
	case !c.hasExp:
		errs = append(errs, fmt.Errorf("%w: exp claim is required", jwt.ErrTokenRequiredClaimMissing))
	case !now.Before(c.exp.Add(leeway)):
		expired = true
	}
	if c.hasNbf && now.Before(c.nbf.Add(-leeway)) {
		errs = append(errs, jwt.ErrTokenNotValidYet)
	}
	if c.hasIat && now.Before(c.iat.Add(-leeway)) {
		errs = append(errs, jwt.ErrTokenUsedBeforeIssued)
	}
	if err := m.checkAudience(c.aud); err != nil {
		errs = append(errs, err)
	}
	if errs == nil {
		return expired, nil
	}
	if expired {
		errs = append(errs, jwt.ErrTokenExpired)
	}
	return false, fmt.Errorf("%w: %w", jwt.ErrTokenInvalidClaims, errors.Join(errs...))
}

func (m *Middleware) checkAudience(aud []string) error {
	if len(aud) == 0 || len(aud) == 1 && aud[0] == "" {
		return fmt.Errorf("%w: aud claim is required", jwt.ErrTokenRequiredClaimMissing)
	}
	for _, a := range aud {
		if a == m.audience {
			return nil
		}
	}
	return jwt.ErrTokenInvalidAudience
}

func malformed(msg string, cause error) error {
	return ErrInvalidToken.with(malformedErr(msg, cause))
}

func malformedErr(msg string, cause error) error {
	if cause == nil {
		return fmt.Errorf("%w: %s", jwt.ErrTokenMalformed, msg)
	}
	return fmt.Errorf("%w: %s: %w", jwt.ErrTokenMalformed, msg, cause)
}

// decodeJWT splits raw into its three segments and decodes the header and
// the claims, in golang-jwt's order of refusals; an error matches
// jwt.ErrTokenMalformed. Session JWTs and M2M access tokens share it.
func decodeJWT(raw string) (h64, p64, s64 string, header map[string]any, c *jwtClaims, err error) {
	h64, rest, ok1 := strings.Cut(raw, ".")
	p64, s64, ok2 := strings.Cut(rest, ".")
	if !ok1 || !ok2 || strings.IndexByte(s64, '.') >= 0 {
		return "", "", "", nil, nil, malformedErr("token contains an invalid number of segments", nil)
	}
	hb, err := base64.RawURLEncoding.DecodeString(h64)
	if err != nil {
		return "", "", "", nil, nil, malformedErr("could not base64 decode header", err)
	}
	if header, err = decodeHeader(hb); err != nil {
		return "", "", "", nil, nil, malformedErr("could not JSON decode header", err)
	}
	pb, err := base64.RawURLEncoding.DecodeString(p64)
	if err != nil {
		return "", "", "", nil, nil, malformedErr("could not base64 decode claim", err)
	}
	if c, err = decodeClaims(pb); err != nil {
		return "", "", "", nil, nil, malformedErr("could not JSON decode claim", err)
	}
	return h64, p64, s64, header, c, nil
}

func invalid(sentinel error, msg string) error {
	return ErrInvalidToken.with(fmt.Errorf("%w: %s", sentinel, msg))
}

// decodeHeader decodes a JOSE header into the map golang-jwt would build.
// The common header, alg, kid and typ as plain strings, is read without
// encoding/json; any other goes through it.
func decodeHeader(b []byte) (map[string]any, error) {
	r := jsonReader{b: b}
	var alg, kid, typ string
	var seen uint8
	for more := r.open('{', '}'); more && !r.bad; more = r.more('}') {
		var bit uint8
		key := r.key()
		if r.peek() != '"' {
			r.fail() // null or another type: as encoding/json keeps it
		}
		switch string(key) {
		case "alg":
			bit, alg = 1, r.plainString()
		case "kid":
			bit, kid = 2, r.plainString()
		case "typ":
			bit, typ = 4, r.plainString()
		default:
			r.fail()
		}
		if seen&bit != 0 {
			r.fail()
		}
		seen |= bit
	}
	if r.end(); r.bad {
		var h map[string]any
		if err := json.Unmarshal(b, &h); err != nil {
			return nil, err
		}
		return h, nil
	}
	h := make(map[string]any, 3)
	if seen&1 != 0 {
		h["alg"] = alg
	}
	if seen&2 != 0 {
		h["kid"] = kid
	}
	if seen&4 != 0 {
		h["typ"] = typ
	}
	return h, nil
}
