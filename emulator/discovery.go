package emulator

import (
	"net/http"
	"strings"
	"time"
)

type istExchangeParams struct {
	sessionOptions
	IntermediateSessionToken string `json:"intermediate_session_token"`
	OrganizationID           string `json:"organization_id"`
}

func (s *Server) handleISTExchange(r *http.Request) (response, error) {
	var p istExchangeParams
	if err := decode(r, &p); err != nil {
		return nil, err
	}
	if err := p.sessionOptions.check(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.cfg.clock()
	ist, err := s.liveISTLocked(now, p.IntermediateSessionToken)
	if err != nil {
		return nil, err
	}
	o, err := s.lookupOrg(p.OrganizationID)
	if err != nil {
		return nil, err
	}
	// An IST an organization's MFA step holds unconsumed may still enter
	// another organization, as Stytch documents: the login binds it anew.
	return s.loginLocked(now, login{
		ist:     ist,
		email:   ist.email,
		primary: ist.factors,
		org:     o,
		minutes: p.SessionDurationMinutes,
		claims:  p.SessionCustomClaims,
	})
}

type organizationCreateParams struct {
	sessionOptions
	IntermediateSessionToken string         `json:"intermediate_session_token"`
	OrganizationName         string         `json:"organization_name"`
	OrganizationSlug         string         `json:"organization_slug"`
	TrustedMetadata          map[string]any `json:"trusted_metadata"`
	EmailAllowedDomains      []string       `json:"email_allowed_domains"`
	AllowedAuthMethods       []string       `json:"allowed_auth_methods"`
	MFAPolicy                string         `json:"mfa_policy"`
	AllowedMFAMethods        []string       `json:"allowed_mfa_methods"`
}

// handleOrganizationCreate creates an organization from an IST; its creator
// becomes a stytch_admin member.
func (s *Server) handleOrganizationCreate(r *http.Request) (response, error) {
	var p organizationCreateParams
	if err := decode(r, &p); err != nil {
		return nil, err
	}
	if p.OrganizationName == "" {
		return nil, missingField("organization_name")
	}
	if err := p.sessionOptions.check(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.cfg.clock()
	ist, err := s.liveISTLocked(now, p.IntermediateSessionToken)
	if err != nil {
		return nil, err
	}
	slug := strings.ToLower(p.OrganizationSlug)
	if slug == "" {
		slug = slugFrom(p.OrganizationName)
	}
	if s.orgBySlug(slug) != nil {
		return nil, invalid(errSlugAlreadyUsed, "organization_slug "+slug+" is already used")
	}
	o, err := s.newOrganization(OrganizationSeed{
		Name:                p.OrganizationName,
		Slug:                slug,
		MFAPolicy:           p.MFAPolicy,
		AllowedMFAMethods:   p.AllowedMFAMethods,
		EmailAllowedDomains: p.EmailAllowedDomains,
		AllowedAuthMethods:  p.AllowedAuthMethods,
		TrustedMetadata:     p.TrustedMetadata,
	})
	if err != nil {
		return nil, badRequest("%v", err)
	}
	m, err := s.newMember(MemberSeed{Organization: o.id, Email: ist.email, Roles: []string{roleAdmin}})
	if err != nil {
		return nil, err
	}
	return s.loginLocked(now, login{
		ist:     ist,
		email:   ist.email,
		primary: ist.factors,
		org:     o,
		member:  m,
		minutes: p.SessionDurationMinutes,
		claims:  p.SessionCustomClaims,
	})
}

type organizationsListParams struct {
	IntermediateSessionToken string `json:"intermediate_session_token"`
	SessionToken             string `json:"session_token"`
	SessionJWT               string `json:"session_jwt"`
}

type organizationsListResponse struct {
	envelope
	EmailAddress            string                       `json:"email_address"`
	DiscoveredOrganizations []wireDiscoveredOrganization `json:"discovered_organizations"`
	OrganizationIDHint      string                       `json:"organization_id_hint"`
}

func (s *Server) handleOrganizationsList(r *http.Request) (response, error) {
	var p organizationsListParams
	if err := decode(r, &p); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.cfg.clock()
	var email, hint string
	var primary []factor
	if p.IntermediateSessionToken != "" {
		if p.SessionToken != "" || p.SessionJWT != "" {
			return nil, badRequest("give intermediate_session_token or a session, not both")
		}
		ist, err := s.liveISTLocked(now, p.IntermediateSessionToken)
		if err != nil {
			return nil, err
		}
		email, primary, hint = ist.email, ist.factors, ist.orgID
	} else {
		ss, err := s.sessionFromCredentials(now, p.SessionToken, p.SessionJWT)
		if err != nil {
			return nil, err
		}
		email, hint = s.members[ss.memberID].email, ss.orgID
		primary = primaryFactors(ss.factors)
	}
	return &organizationsListResponse{
		EmailAddress:            email,
		DiscoveredOrganizations: s.discoveredLocked(email, primary),
		OrganizationIDHint:      hint,
	}, nil
}

// discoveryResponse answers the discovery authenticate calls (magic link and
// OAuth).
type discoveryResponse struct {
	envelope
	IntermediateSessionToken          string                       `json:"intermediate_session_token"`
	IntermediateSessionTokenExpiresAt *time.Time                   `json:"intermediate_session_token_expires_at"`
	EmailAddress                      string                       `json:"email_address"`
	DiscoveredOrganizations           []wireDiscoveredOrganization `json:"discovered_organizations"`
	ProviderType                      string                       `json:"provider_type,omitempty"`
	ProviderTenantID                  string                       `json:"provider_tenant_id,omitempty"`
	ProviderTenantIDs                 []string                     `json:"provider_tenant_ids,omitempty"`
	FullName                          string                       `json:"full_name,omitempty"`
}

// discoverLocked starts an IST for a primary factor and lists where it leads.
func (s *Server) discoverLocked(now time.Time, email string, f factor) *discoveryResponse {
	ist := s.newISTLocked(now, email, []factor{f})
	return &discoveryResponse{
		IntermediateSessionToken:          ist.token,
		IntermediateSessionTokenExpiresAt: wireTime(ist.expires),
		EmailAddress:                      ist.email,
		DiscoveredOrganizations:           s.discoveredLocked(ist.email, ist.factors),
	}
}
