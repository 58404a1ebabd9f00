package emulator

import (
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"
)

const (
	defaultSessionMinutes = 60
	minSessionMinutes     = 5
	maxSessionMinutes     = 527040
	maxCustomClaimsBytes  = 4096
)

// sessionMinutes checks session_duration_minutes; 0 means "not given".
func sessionMinutes(v int) error {
	if v != 0 && (v < minSessionMinutes || v > maxSessionMinutes) {
		return badRequest("session_duration_minutes must be between %d and %d", minSessionMinutes, maxSessionMinutes).
			withDetail("field", "session_duration_minutes")
	}
	return nil
}

// checkCustomClaims rejects claims that would shadow the registered or Stytch
// claims, and oversized ones, as Stytch does.
func checkCustomClaims(claims map[string]any) error {
	for k := range claims {
		switch {
		case k == "iss" || k == "sub" || k == "aud" || k == "exp" || k == "nbf" || k == "iat" || k == "jti":
			return badRequest("session_custom_claims may not set the reserved claim %q", k)
		case strings.HasPrefix(k, "https://stytch.com/"):
			return badRequest("session_custom_claims may not use the Stytch namespace (%q)", k)
		}
	}
	if b, _ := json.Marshal(claims); len(b) > maxCustomClaimsBytes {
		return badRequest("session_custom_claims larger than %d bytes", maxCustomClaimsBytes)
	}
	return nil
}

// sessionOptions are the session fields of a call that starts a session or
// extends one.
type sessionOptions struct {
	SessionDurationMinutes int            `json:"session_duration_minutes"`
	SessionCustomClaims    map[string]any `json:"session_custom_claims"`
}

// check refuses a duration or claims that Stytch refuses.
func (o sessionOptions) check() error {
	if err := sessionMinutes(o.SessionDurationMinutes); err != nil {
		return err
	}
	return checkCustomClaims(o.SessionCustomClaims)
}

// mergeClaims applies add to old as Stytch updates custom claims: a null
// value deletes its key, objects merge key by key, anything else replaces.
func mergeClaims(old, add map[string]any) map[string]any {
	if len(add) == 0 {
		return old
	}
	out := maps.Clone(old)
	if out == nil {
		out = map[string]any{}
	}
	for k, v := range add {
		switch v := v.(type) {
		case nil:
			delete(out, k)
		case map[string]any:
			prev, _ := out[k].(map[string]any)
			out[k] = mergeClaims(prev, v)
		default:
			out[k] = v
		}
	}
	return out
}

// lookupOrg finds an organization by id; s.mu must be held.
func (s *Server) lookupOrg(id string) (*organization, error) {
	if id == "" {
		return nil, missingField("organization_id")
	}
	if o := s.orgs[id]; o != nil {
		return o, nil
	}
	if !strings.HasPrefix(id, "organization-") {
		return nil, invalid(errInvalidOrganizationID, "organization_id is not a valid organization id")
	}
	return nil, notFound(errOrganizationNotFound, "organization not found: "+id)
}

// lookupMember finds a member of an organization; s.mu must be held.
func (s *Server) lookupMember(orgID, memberID string) (*organization, *member, error) {
	o, err := s.lookupOrg(orgID)
	if err != nil {
		return nil, nil, err
	}
	if memberID == "" {
		return nil, nil, missingField("member_id")
	}
	m := s.members[memberID]
	if m == nil || m.orgID != o.id {
		return nil, nil, notFound(errMemberNotFound, "member not found: "+memberID)
	}
	return o, m, nil
}

// sessionFromCredentials finds the live session named by a session token or
// JWT; exactly one must be given. s.mu must be held.
func (s *Server) sessionFromCredentials(now time.Time, token, jwt string) (*session, error) {
	switch {
	case token != "" && jwt != "":
		return nil, badRequest("give session_token or session_jwt, not both")
	case token != "":
		ss := s.tokens[token]
		if ss == nil || !ss.live(now) {
			return nil, notFound(errSessionNotFound, "session not found, expired or revoked")
		}
		return ss, nil
	case jwt != "":
		return s.sessionFromJWTLocked(now, jwt)
	default:
		return nil, badRequest("session_token or session_jwt is required").withDetail("field", "session_token")
	}
}

// newSessionLocked starts a session for m with the given factors.
func (s *Server) newSessionLocked(now time.Time, m *member, factors []factor, minutes int, claims map[string]any) *session {
	if minutes == 0 {
		minutes = defaultSessionMinutes
	}
	ss := &session{
		id:           newID("member-session"),
		token:        newToken(),
		memberID:     m.id,
		orgID:        m.orgID,
		started:      now,
		lastAccessed: now,
		expires:      now.Add(time.Duration(minutes) * time.Minute),
		factors:      factors,
		customClaims: mergeClaims(nil, claims),
	}
	s.sessions[ss.id] = ss
	s.tokens[ss.token] = ss
	return ss
}

// touchLocked records an access and, when minutes is set, moves the expiry.
func touchLocked(now time.Time, ss *session, minutes int, claims map[string]any) {
	ss.lastAccessed = now
	if minutes != 0 {
		ss.expires = now.Add(time.Duration(minutes) * time.Minute)
	}
	ss.customClaims = mergeClaims(ss.customClaims, claims)
}

// sessionParts renders a session with a fresh JWT.
type sessionParts struct {
	token   string
	jwt     string
	session wireMemberSession
	member  wireMember
	org     wireOrganization
}

func (s *Server) renderSessionLocked(now time.Time, ss *session) (sessionParts, error) {
	m, o := s.members[ss.memberID], s.orgs[ss.orgID]
	jwt, err := s.sessionJWTLocked(now, ss)
	if err != nil {
		return sessionParts{}, err
	}
	return sessionParts{
		token:   ss.token,
		jwt:     jwt,
		session: renderSession(ss, o, m),
		member:  renderMember(m),
		org:     renderOrganization(o),
	}, nil
}

type sessionsAuthenticateParams struct {
	sessionOptions
	SessionToken       string                  `json:"session_token"`
	SessionJWT         string                  `json:"session_jwt"`
	AuthorizationCheck *wireAuthorizationCheck `json:"authorization_check"`
}

type sessionsAuthenticateResponse struct {
	envelope
	MemberSession wireMemberSession `json:"member_session"`
	SessionToken  string            `json:"session_token"`
	SessionJWT    string            `json:"session_jwt"`
	Member        wireMember        `json:"member"`
	Organization  wireOrganization  `json:"organization"`
	Verdict       *wireVerdict      `json:"verdict"`
}

func (s *Server) handleSessionsAuthenticate(r *http.Request) (response, error) {
	var p sessionsAuthenticateParams
	if err := decode(r, &p); err != nil {
		return nil, err
	}
	if err := p.sessionOptions.check(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.cfg.clock()
	ss, err := s.sessionFromCredentials(now, p.SessionToken, p.SessionJWT)
	if err != nil {
		return nil, err
	}
	verdict, err := s.authorize(s.orgs[ss.orgID], s.members[ss.memberID], p.AuthorizationCheck)
	if err != nil {
		return nil, err
	}
	touchLocked(now, ss, p.SessionDurationMinutes, p.SessionCustomClaims)
	parts, err := s.renderSessionLocked(now, ss)
	if err != nil {
		return nil, err
	}
	return &sessionsAuthenticateResponse{
		MemberSession: parts.session,
		SessionToken:  parts.token,
		SessionJWT:    parts.jwt,
		Member:        parts.member,
		Organization:  parts.org,
		Verdict:       verdict,
	}, nil
}

type sessionsGetResponse struct {
	envelope
	MemberSessions []wireMemberSession `json:"member_sessions"`
}

func (s *Server) handleSessionsGet(r *http.Request) (response, error) {
	q := r.URL.Query()
	s.mu.Lock()
	defer s.mu.Unlock()
	o, m, err := s.lookupMember(q.Get("organization_id"), q.Get("member_id"))
	if err != nil {
		return nil, err
	}
	now := s.cfg.clock()
	res := &sessionsGetResponse{MemberSessions: []wireMemberSession{}}
	for _, ss := range s.sessionsOfLocked(m.id) {
		if ss.live(now) {
			res.MemberSessions = append(res.MemberSessions, renderSession(ss, o, m))
		}
	}
	return res, nil
}

// sessionsOfLocked lists a member's sessions, oldest first.
func (s *Server) sessionsOfLocked(memberID string) []*session {
	var out []*session
	for _, ss := range s.sessions {
		if ss.memberID == memberID {
			out = append(out, ss)
		}
	}
	slices.SortStableFunc(out, func(a, b *session) int { return a.started.Compare(b.started) })
	return out
}

type sessionsRevokeParams struct {
	MemberSessionID string `json:"member_session_id"`
	SessionToken    string `json:"session_token"`
	SessionJWT      string `json:"session_jwt"`
	MemberID        string `json:"member_id"`
}

func (s *Server) handleSessionsRevoke(r *http.Request) (response, error) {
	var p sessionsRevokeParams
	if err := decode(r, &p); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.cfg.clock()
	var targets []*session
	switch {
	case p.MemberSessionID != "":
		ss := s.sessions[p.MemberSessionID]
		if ss == nil || !ss.live(now) {
			return nil, notFound(errSessionNotFound, "session not found, expired or revoked")
		}
		targets = []*session{ss}
	case p.SessionToken != "" || p.SessionJWT != "":
		ss, err := s.sessionFromCredentials(now, p.SessionToken, p.SessionJWT)
		if err != nil {
			return nil, err
		}
		targets = []*session{ss}
	case p.MemberID != "":
		if s.members[p.MemberID] == nil {
			return nil, notFound(errMemberNotFound, "member not found: "+p.MemberID)
		}
		targets = s.sessionsOfLocked(p.MemberID)
	default:
		return nil, badRequest("one of member_session_id, session_token, session_jwt or member_id is required")
	}
	for _, ss := range targets {
		ss.revoked = true
	}
	return &emptyResponse{}, nil
}

type sessionsExchangeParams struct {
	sessionOptions
	OrganizationID string `json:"organization_id"`
	SessionToken   string `json:"session_token"`
	SessionJWT     string `json:"session_jwt"`
}

// handleSessionsExchange moves a member to another organization where the
// same email is a member (or may join). Only primary factors carry over: MFA
// done in one organization does not count in another.
func (s *Server) handleSessionsExchange(r *http.Request) (response, error) {
	var p sessionsExchangeParams
	if err := decode(r, &p); err != nil {
		return nil, err
	}
	if err := p.sessionOptions.check(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.cfg.clock()
	ss, err := s.sessionFromCredentials(now, p.SessionToken, p.SessionJWT)
	if err != nil {
		return nil, err
	}
	o, err := s.lookupOrg(p.OrganizationID)
	if err != nil {
		return nil, err
	}
	if o.id == ss.orgID {
		return nil, badRequest("the session already belongs to organization %s", o.id)
	}
	return s.loginLocked(now, login{
		email:   s.members[ss.memberID].email,
		primary: primaryFactors(ss.factors),
		org:     o,
		minutes: p.SessionDurationMinutes,
		claims:  p.SessionCustomClaims,
	})
}

type sessionsMigrateParams struct {
	sessionOptions
	SessionToken   string `json:"session_token"`
	OrganizationID string `json:"organization_id"`
}

// handleSessionsMigrate turns a session of an external identity provider
// into a Stytch session. The emulator has no such provider: the external
// tokens are minted by [Server.MigrationToken].
func (s *Server) handleSessionsMigrate(r *http.Request) (response, error) {
	var p sessionsMigrateParams
	if err := decode(r, &p); err != nil {
		return nil, err
	}
	if p.SessionToken == "" {
		return nil, missingField("session_token")
	}
	if err := p.sessionOptions.check(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	o, err := s.lookupOrg(p.OrganizationID)
	if err != nil {
		return nil, err
	}
	email, ok := s.migrations[p.SessionToken]
	if !ok {
		return nil, unauthenticated(errUnableToAuthMagicLink, "the external session token is not valid")
	}
	m := s.memberByEmail(o.id, email)
	if m == nil {
		return nil, notFound(errMemberNotFound, "no member with email "+email+" in "+o.id)
	}
	delete(s.migrations, p.SessionToken)
	now := s.cfg.clock()
	f := factor{typ: "imported", method: "imported", at: now, created: now, email: email, emailID: m.emailID}
	ss := s.newSessionLocked(now, m, []factor{f}, p.SessionDurationMinutes, p.SessionCustomClaims)
	return s.sessionResponseLocked(now, ss)
}

// MigrationToken registers an external session token for an email, to be
// passed to POST /v1/b2b/sessions/migrate (single use).
func (s *Server) MigrationToken(email string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	tok := newToken()
	s.migrations[tok] = strings.ToLower(email)
	return tok
}

// sessionResponseLocked answers a call that ended in a session.
func (s *Server) sessionResponseLocked(now time.Time, ss *session) (*sessionResponse, error) {
	parts, err := s.renderSessionLocked(now, ss)
	if err != nil {
		return nil, err
	}
	return &sessionResponse{
		MemberID:            ss.memberID,
		SessionToken:        parts.token,
		SessionJWT:          parts.jwt,
		Member:              parts.member,
		Organization:        parts.org,
		MemberAuthenticated: true,
		MemberSession:       &parts.session,
	}, nil
}
