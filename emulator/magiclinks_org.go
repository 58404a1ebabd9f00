package emulator

import (
	"net/http"
	"strings"
	"time"
)

// Organization-scoped email magic links: login or sign-up links and invites.
// Both links carry stytch_token_type=multi_tenant_magic_links and are
// authenticated by POST /v1/b2b/magic_links/authenticate.

const (
	defaultInviteMinutes = 10080
	linkTokenType        = "multi_tenant_magic_links"
)

type orgMagicLink struct {
	orgID, memberID string
	email           string
	invite          bool
	pkceGrant
}

type loginOrSignupParams struct {
	OrganizationID          string `json:"organization_id"`
	EmailAddress            string `json:"email_address"`
	LoginRedirectURL        string `json:"login_redirect_url"`
	SignupRedirectURL       string `json:"signup_redirect_url"`
	PkceCodeChallenge       string `json:"pkce_code_challenge"`
	LoginTemplateID         string `json:"login_template_id"`
	SignupTemplateID        string `json:"signup_template_id"`
	Locale                  string `json:"locale"`
	LoginExpirationMinutes  int    `json:"login_expiration_minutes"`
	SignupExpirationMinutes int    `json:"signup_expiration_minutes"`
}

// loginOrSignupResponse answers the login_or_signup calls of magic links and
// email OTPs: the member the link or code was sent to.
type loginOrSignupResponse struct {
	envelope
	MemberID      string           `json:"member_id"`
	MemberCreated bool             `json:"member_created"`
	Member        wireMember       `json:"member"`
	Organization  wireOrganization `json:"organization"`
}

// handleLoginOrSignup answers POST /v1/b2b/magic_links/email/login_or_signup:
// a login link for an active member, a sign-up link for a pending or invited
// one, and for an unknown email a new pending member when the organization
// provisions by email domain.
func (s *Server) handleLoginOrSignup(r *http.Request) (response, error) {
	var p loginOrSignupParams
	if err := decode(r, &p); err != nil {
		return nil, err
	}
	if err := checkEmail(p.EmailAddress); err != nil {
		return nil, err
	}
	login, err := minutesBetween("login_expiration_minutes", p.LoginExpirationMinutes, defaultLinkMinutes, minLinkMinutes, maxLinkMinutes)
	if err != nil {
		return nil, err
	}
	signup, err := minutesBetween("signup_expiration_minutes", p.SignupExpirationMinutes, defaultLinkMinutes, minLinkMinutes, maxLinkMinutes)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.org.init()
	now := s.cfg.clock()
	o, err := s.lookupOrgOrSlug(p.OrganizationID)
	if err != nil {
		return nil, err
	}
	if err := requireAuthMethod(o, "magic_link"); err != nil {
		return nil, err
	}
	email := strings.ToLower(p.EmailAddress)
	m, created, err := s.findOrProvisionLocked(o, email, func() (*member, error) { return s.provisionByEmailLocked(o, email, memberPending) })
	if err != nil {
		return nil, err
	}
	redirect, lifetime, subject := p.LoginRedirectURL, login, "Your login link"
	if m.status != memberActive {
		redirect, lifetime, subject = p.SignupRedirectURL, signup, "Finish signing up"
	}
	token := newToken()
	link, err := s.redirectWithToken(redirect, "login_redirect_url", linkTokenType, token)
	if err != nil {
		return nil, err
	}
	s.org.links[token] = &orgMagicLink{orgID: o.id, memberID: m.id, email: email, pkceGrant: pkceGrant{pkceChallenge: p.PkceCodeChallenge, expires: now.Add(lifetime)}}
	s.sendLocked(Message{Kind: KindEmail, To: email, Subject: subject + " to " + o.name,
		Body: "Click to log in to " + o.name + ": " + link, URL: link, Token: token, SentAt: now})
	return &loginOrSignupResponse{MemberID: m.id, MemberCreated: created, Member: renderMember(m), Organization: renderOrganization(o)}, nil
}

type inviteParams struct {
	OrganizationID          string         `json:"organization_id"`
	EmailAddress            string         `json:"email_address"`
	InviteRedirectURL       string         `json:"invite_redirect_url"`
	InvitedByMemberID       string         `json:"invited_by_member_id"`
	Name                    string         `json:"name"`
	TrustedMetadata         map[string]any `json:"trusted_metadata"`
	UntrustedMetadata       map[string]any `json:"untrusted_metadata"`
	InviteTemplateID        string         `json:"invite_template_id"`
	Locale                  string         `json:"locale"`
	Roles                   []string       `json:"roles"`
	InviteExpirationMinutes int            `json:"invite_expiration_minutes"`
}

// handleInvite answers POST /v1/b2b/magic_links/email/invite: it creates (or
// refreshes) an invited member and emails an invite link, which logs in only
// as that member's email.
func (s *Server) handleInvite(r *http.Request) (response, error) {
	var p inviteParams
	if err := decode(r, &p); err != nil {
		return nil, err
	}
	if err := checkEmail(p.EmailAddress); err != nil {
		return nil, err
	}
	lifetime, err := minutesBetween("invite_expiration_minutes", p.InviteExpirationMinutes, defaultInviteMinutes, minLinkMinutes, maxLinkMinutes)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.org.init()
	now := s.cfg.clock()
	o, err := s.lookupOrgOrSlug(p.OrganizationID)
	if err != nil {
		return nil, err
	}
	email := strings.ToLower(p.EmailAddress)
	switch o.emailInvites {
	case policyNotAllowed:
		return nil, forbidden(errEmailNotAllowedForInvites, "the organization does not allow email invites (email_invites is NOT_ALLOWED)")
	case policyRestricted:
		_, domain, _ := strings.Cut(email, "@")
		if !containsFold(o.emailAllowedDomains, domain) {
			return nil, forbidden(errEmailNotAllowedForInvites, "the email's domain is not one of the organization's email_allowed_domains")
		}
	}
	if p.InvitedByMemberID != "" {
		if inviter := s.members[p.InvitedByMemberID]; inviter == nil || inviter.orgID != o.id {
			return nil, notFound(errMemberNotFound, "invited_by_member_id is not a member of the organization")
		}
	}
	for _, role := range p.Roles {
		if !s.roleExists(o, role) {
			return nil, badRequest("unknown role %q", role).withDetail("field", "roles")
		}
	}
	token := newToken()
	link, err := s.redirectWithToken(p.InviteRedirectURL, "invite_redirect_url", linkTokenType, token)
	if err != nil {
		return nil, err
	}
	m := s.memberByEmail(o.id, email)
	switch {
	case m == nil:
		if m, err = s.newMember(MemberSeed{Organization: o.id, Email: email, Name: p.Name, Status: memberInvited, Roles: p.Roles,
			TrustedMetadata: p.TrustedMetadata, UntrustedMetadata: p.UntrustedMetadata}); err != nil {
			return nil, badRequest("%v", err)
		}
	case m.status == memberActive:
		return nil, invalid(errDuplicateMemberEmail, "the email is already an active member of the organization")
	default:
		m.status = memberInvited
		m.updated = now
	}
	s.org.links[token] = &orgMagicLink{orgID: o.id, memberID: m.id, email: email, invite: true, pkceGrant: pkceGrant{expires: now.Add(lifetime)}}
	s.sendLocked(Message{Kind: KindEmail, To: email, Subject: "You are invited to " + o.name,
		Body: "Click to join " + o.name + ": " + link, URL: link, Token: token, SentAt: now})
	return &memberResponse{MemberID: m.id, Member: renderMember(m), Organization: renderOrganization(o)}, nil
}

type orgMagicLinkAuthenticateParams struct {
	orgAuthParams
	MagicLinksToken  string `json:"magic_links_token"`
	PkceCodeVerifier string `json:"pkce_code_verifier"`
}

// handleOrgMagicLinkAuthenticate answers POST /v1/b2b/magic_links/authenticate
// for login, sign-up and invite links. An invite into an organization that
// does not allow magic links still proves the email: the answer then carries
// primary_required instead of a refusal.
func (s *Server) handleOrgMagicLinkAuthenticate(r *http.Request) (response, error) {
	var p orgMagicLinkAuthenticateParams
	if err := decode(r, &p); err != nil {
		return nil, err
	}
	return authenticateOrgToken(s, "magic_links_token", p.MagicLinksToken, p.PkceCodeVerifier, p.orgAuthParams,
		func() map[string]*orgMagicLink { return s.org.links }, deadMagicLink(),
		func(now time.Time, link *orgMagicLink) (*orgAuthResponse, error) {
			o, m := s.orgs[link.orgID], s.members[link.memberID]
			if m == nil {
				return nil, notFound(errMemberNotFound, "the member of the magic link no longer exists")
			}
			if !link.invite {
				if err := requireAuthMethod(o, "magic_link"); err != nil {
					return nil, err
				}
			}
			f := factor{typ: "magic_link", method: "email", at: now, created: now, email: link.email, emailID: m.emailID}
			res, err := s.finishPrimaryLocked(now, primaryAuth{org: o, email: link.email, factor: f, member: m, params: p.orgAuthParams})
			if err != nil {
				return nil, err
			}
			link.used = true
			res.MethodID, res.ResetSessions = m.emailID, new(bool)
			return res, nil
		})
}
