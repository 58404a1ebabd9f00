package emulator

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"time"

	"golang.org/x/crypto/bcrypt"
)

const (
	// passwordHashCost is bcrypt's lowest cost: the emulator holds test
	// passwords, and logins must stay fast under the race detector. The hash
	// is still a real one, so the store never holds a password in clear.
	passwordHashCost = bcrypt.MinCost

	defaultResetMinutes = 30
	minResetMinutes     = 5
	maxResetMinutes     = 10080
)

// memberPassword is a member's password: a bcrypt hash, never the password.
type memberPassword struct {
	id            string
	hash          []byte
	resetRequired bool // set by require_reset: the password must be reset before it logs in
}

// passwordID is the member's member_password_id, or "".
func (m *member) passwordID() string {
	if m.password == nil {
		return ""
	}
	return m.password.id
}

// hashPassword hashes a password with bcrypt. bcrypt reads at most 72 bytes,
// and Stytch accepts any length, so the password is first reduced to its
// SHA-256 (base64, 44 bytes): every byte of a long password counts.
func hashPassword(password string) ([]byte, error) {
	return bcrypt.GenerateFromPassword(prehash(password), passwordHashCost)
}

func prehash(password string) []byte {
	sum := sha256.Sum256([]byte(password))
	return []byte(base64.StdEncoding.EncodeToString(sum[:]))
}

// checkPassword reports whether password is the member's.
func (m *member) checkPassword(password string) bool {
	return m.password != nil && bcrypt.CompareHashAndPassword(m.password.hash, prehash(password)) == nil
}

// setPasswordLocked replaces the member's password, which must pass the
// strength check, and lifts a required reset.
func (s *Server) setPasswordLocked(now time.Time, m *member, password string) error {
	if st := judgePassword(password, m.email); !st.valid() {
		return weakPassword(st)
	}
	hash, err := hashPassword(password)
	if err != nil {
		return err
	}
	id := newID("member-password")
	if m.password != nil {
		id = m.password.id
	}
	m.password = &memberPassword{id: id, hash: hash}
	m.updated = now
	return nil
}

// passwordFactor is the factor a password authentication adds.
func passwordFactor(now time.Time, m *member) factor {
	return factor{typ: "password", method: "knowledge", at: now, created: now, email: m.email, emailID: m.emailID}
}

// wrongPassword answers every failed password check alike, whether the
// member is unknown, has no password or gave a wrong one, so that the answer
// tells nothing about which emails have accounts.
func wrongPassword() *apiError {
	return unauthenticated(errUnauthorizedCredentials, "the email address or password is wrong")
}

type passwordAuthenticateParams struct {
	sessionTarget
	OrganizationID string `json:"organization_id"`
	EmailAddress   string `json:"email_address"`
	Password       string `json:"password"`
}

// handlePasswordAuthenticate logs a member into one organization with a
// password.
func (s *Server) handlePasswordAuthenticate(r *http.Request) (response, error) {
	var p passwordAuthenticateParams
	if err := decode(r, &p); err != nil {
		return nil, err
	}
	if err := requireFields(field{"email_address", p.EmailAddress}, field{"password", p.Password}); err != nil {
		return nil, err
	}
	return s.authenticateInOrg(p.OrganizationID, p.sessionTarget, func(now time.Time, o *organization) (*member, factor, error) {
		m := s.memberByEmail(o.id, p.EmailAddress)
		if m == nil || !m.checkPassword(p.Password) {
			return nil, factor{}, wrongPassword()
		}
		if m.password.resetRequired {
			return nil, factor{}, resetRequired()
		}
		return m, passwordFactor(now, m), nil
	})
}

func resetRequired() *apiError {
	return invalid(errMemberResetPassword, "the password must be reset before it can be used to log in")
}

type passwordDiscoveryAuthenticateParams struct {
	EmailAddress string `json:"email_address"`
	Password     string `json:"password"`
}

// handlePasswordDiscoveryAuthenticate checks a password across
// organizations (Stytch's cross-organization passwords): it passes when a
// member with this email has this password, and starts an IST.
func (s *Server) handlePasswordDiscoveryAuthenticate(r *http.Request) (response, error) {
	var p passwordDiscoveryAuthenticateParams
	if err := decode(r, &p); err != nil {
		return nil, err
	}
	if err := requireFields(field{"email_address", p.EmailAddress}, field{"password", p.Password}); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.cfg.clock()
	var match *member
	for _, id := range s.orgOrder {
		if m := s.memberByEmail(id, p.EmailAddress); m != nil && m.checkPassword(p.Password) {
			match = m
			break
		}
	}
	if match == nil {
		return nil, wrongPassword()
	}
	if match.password.resetRequired {
		return nil, resetRequired()
	}
	return s.discoverLocked(now, match.email, passwordFactor(now, match)), nil
}

type strengthCheckParams struct {
	Password     string `json:"password"`
	EmailAddress string `json:"email_address"`
}

type strengthCheckResponse struct {
	envelope
	ValidPassword           bool               `json:"valid_password"`
	Score                   int                `json:"score"`
	BreachedPassword        bool               `json:"breached_password"`
	StrengthPolicy          string             `json:"strength_policy"`
	BreachDetectionOnCreate bool               `json:"breach_detection_on_create"`
	LudsFeedback            wireLudsFeedback   `json:"luds_feedback"`
	ZxcvbnFeedback          wireZxcvbnFeedback `json:"zxcvbn_feedback"`
}

func (s *Server) handlePasswordStrengthCheck(r *http.Request) (response, error) {
	var p strengthCheckParams
	if err := decode(r, &p); err != nil {
		return nil, err
	}
	if p.Password == "" {
		return nil, missingField("password")
	}
	st := judgePassword(p.Password, p.EmailAddress)
	return &strengthCheckResponse{
		ValidPassword:           st.valid(),
		Score:                   st.score,
		BreachedPassword:        st.breached,
		StrengthPolicy:          strengthZxcvbn,
		BreachDetectionOnCreate: true,
		LudsFeedback:            st.luds,
		ZxcvbnFeedback:          wireZxcvbnFeedback{Warning: st.warning, Suggestions: st.suggestions},
	}, nil
}

// passwordReset is an emailed password reset link: single use.
type passwordReset struct {
	orgID, memberID string
	pkceGrant
}

type passwordResetStartParams struct {
	OrganizationID                 string `json:"organization_id"`
	EmailAddress                   string `json:"email_address"`
	ResetPasswordRedirectURL       string `json:"reset_password_redirect_url"`
	ResetPasswordExpirationMinutes int    `json:"reset_password_expiration_minutes"`
	CodeChallenge                  string `json:"code_challenge"`
	LoginRedirectURL               string `json:"login_redirect_url"`
}

type passwordResetStartResponse struct {
	envelope
	MemberID      string     `json:"member_id"`
	MemberEmailID string     `json:"member_email_id"`
	Member        wireMember `json:"member"`
}

// handlePasswordResetStart emails a reset link (to the outbox). The link
// carries stytch_token_type=multi_tenant_passwords and the token.
func (s *Server) handlePasswordResetStart(r *http.Request) (response, error) {
	var p passwordResetStartParams
	if err := decode(r, &p); err != nil {
		return nil, err
	}
	if p.EmailAddress == "" {
		return nil, missingField("email_address")
	}
	lifetime, err := minutesBetween("reset_password_expiration_minutes", p.ResetPasswordExpirationMinutes, defaultResetMinutes, minResetMinutes, maxResetMinutes)
	if err != nil {
		return nil, err
	}
	token := newToken()
	link, err := s.redirectWithToken(p.ResetPasswordRedirectURL, "reset_password_redirect_url", "multi_tenant_passwords", token)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.cfg.clock()
	o, err := s.lookupOrg(p.OrganizationID)
	if err != nil {
		return nil, err
	}
	m, err := s.memberWithEmailLocked(o, p.EmailAddress)
	if err != nil {
		return nil, err
	}
	if s.resets == nil {
		s.resets = map[string]*passwordReset{}
	}
	s.resets[token] = &passwordReset{orgID: o.id, memberID: m.id, pkceGrant: pkceGrant{pkceChallenge: p.CodeChallenge,
		expires: now.Add(lifetime)}}
	s.sendLocked(Message{
		Kind:    KindEmail,
		To:      m.email,
		Subject: "Reset your password",
		Body:    "Click to reset your password: " + link,
		URL:     link,
		Token:   token,
		SentAt:  now,
	})
	return &passwordResetStartResponse{MemberID: m.id, MemberEmailID: m.emailID, Member: renderMember(m)}, nil
}

type passwordResetParams struct {
	sessionTarget
	PasswordResetToken string `json:"password_reset_token"`
	Password           string `json:"password"`
	CodeVerifier       string `json:"code_verifier"`
}

// handlePasswordReset sets a password from an emailed reset link. A weak
// password is refused without using up the link; a good one uses it.
func (s *Server) handlePasswordReset(r *http.Request) (response, error) {
	var p passwordResetParams
	if err := decode(r, &p); err != nil {
		return nil, err
	}
	if err := requireFields(field{"password_reset_token", p.PasswordResetToken}, field{"password", p.Password}); err != nil {
		return nil, err
	}
	if err := p.sessionOptions.check(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.cfg.clock()
	reset, err := redeemGrant(s.resets, p.PasswordResetToken, p.CodeVerifier, now,
		unauthenticated(errUnableToAuthMagicLink, "the password reset link is not valid: unknown, expired or already used"))
	if err != nil {
		return nil, err
	}
	o, m, err := s.lookupMember(reset.orgID, reset.memberID)
	if err != nil {
		return nil, err
	}
	if err := s.setPasswordLocked(now, m, p.Password); err != nil {
		return nil, err
	}
	reset.used = true
	res, err := s.finishPrimaryLocked(now, primaryAuth{
		org: o, email: m.email, member: m, factor: passwordFactor(now, m),
		params: orgAuthParams{sessionTarget: p.sessionTarget},
	})
	if err != nil {
		return nil, err
	}
	res.MemberEmailID = m.emailID
	return res, nil
}

type existingPasswordResetParams struct {
	sessionOptions
	OrganizationID   string `json:"organization_id"`
	EmailAddress     string `json:"email_address"`
	ExistingPassword string `json:"existing_password"`
	NewPassword      string `json:"new_password"`
	SessionToken     string `json:"session_token"`
	SessionJWT       string `json:"session_jwt"`
}

// handleExistingPasswordReset replaces a password given the current one;
// it also clears a required reset.
func (s *Server) handleExistingPasswordReset(r *http.Request) (response, error) {
	var p existingPasswordResetParams
	if err := decode(r, &p); err != nil {
		return nil, err
	}
	if err := requireFields(field{"email_address", p.EmailAddress}, field{"existing_password", p.ExistingPassword},
		field{"new_password", p.NewPassword}); err != nil {
		return nil, err
	}
	// This call takes no intermediate session.
	target := sessionTarget{sessionOptions: p.sessionOptions, SessionToken: p.SessionToken, SessionJWT: p.SessionJWT}
	return s.authenticateInOrg(p.OrganizationID, target, func(now time.Time, o *organization) (*member, factor, error) {
		m := s.memberByEmail(o.id, p.EmailAddress)
		if m == nil || !m.checkPassword(p.ExistingPassword) {
			return nil, factor{}, wrongPassword()
		}
		if p.NewPassword == p.ExistingPassword {
			return nil, factor{}, badRequest("new_password must differ from existing_password").withDetail("field", "new_password")
		}
		if err := s.setPasswordLocked(now, m, p.NewPassword); err != nil {
			return nil, factor{}, err
		}
		return m, passwordFactor(now, m), nil
	})
}

type requireResetParams struct {
	OrganizationID string `json:"organization_id"`
	EmailAddress   string `json:"email_address"`
	MemberID       string `json:"member_id"`
}

// handleRequireReset marks a member's password as needing a reset: until
// reset (by email or with the existing password) it no longer logs in, and
// authenticate answers member_reset_password.
func (s *Server) handleRequireReset(r *http.Request) (response, error) {
	var p requireResetParams
	if err := decode(r, &p); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	o, err := s.lookupOrg(p.OrganizationID)
	if err != nil {
		return nil, err
	}
	var m *member
	switch {
	case p.MemberID != "":
		if _, m, err = s.lookupMember(o.id, p.MemberID); err != nil {
			return nil, err
		}
	case p.EmailAddress != "":
		if m, err = s.memberWithEmailLocked(o, p.EmailAddress); err != nil {
			return nil, err
		}
	default:
		return nil, badRequest("email_address or member_id is required").withDetail("field", "email_address")
	}
	if m.password == nil {
		return nil, notFound(errMemberPasswordNotFound, "the member has no password")
	}
	m.password.resetRequired = true
	m.updated = s.cfg.clock()
	return &memberResponse{MemberID: m.id, Member: renderMember(m), Organization: renderOrganization(o)}, nil
}
