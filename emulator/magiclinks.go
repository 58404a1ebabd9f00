package emulator

import (
	"net/http"
	"strings"
	"time"
)

const (
	defaultLinkMinutes = 60
	minLinkMinutes     = 5
	maxLinkMinutes     = 10080
)

type magicLinkSendParams struct {
	EmailAddress               string `json:"email_address"`
	DiscoveryRedirectURL       string `json:"discovery_redirect_url"`
	PkceCodeChallenge          string `json:"pkce_code_challenge"`
	LoginTemplateID            string `json:"login_template_id"`
	DiscoveryExpirationMinutes int    `json:"discovery_expiration_minutes"`
}

// handleMagicLinkSend "sends" a discovery magic link: the message lands in
// the outbox.
func (s *Server) handleMagicLinkSend(r *http.Request) (response, error) {
	var p magicLinkSendParams
	if err := decode(r, &p); err != nil {
		return nil, err
	}
	if err := checkEmail(p.EmailAddress); err != nil {
		return nil, err
	}
	minutes := p.DiscoveryExpirationMinutes
	if minutes == 0 {
		minutes = defaultLinkMinutes
	}
	if minutes < minLinkMinutes || minutes > maxLinkMinutes {
		return nil, badRequest("discovery_expiration_minutes must be between %d and %d", minLinkMinutes, maxLinkMinutes)
	}
	token := newToken()
	link, err := s.redirectWithToken(p.DiscoveryRedirectURL, "discovery_redirect_url", "discovery", token)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.cfg.clock()
	email := strings.ToLower(p.EmailAddress)
	s.links[token] = &magicLink{email: email, pkceGrant: pkceGrant{pkceChallenge: p.PkceCodeChallenge, expires: now.Add(time.Duration(minutes) * time.Minute)}}
	s.sendLocked(Message{
		Kind:    KindEmail,
		To:      email,
		Subject: "Your login link",
		Body:    "Click to log in: " + link,
		URL:     link,
		Token:   token,
		SentAt:  now,
	})
	return &emptyResponse{}, nil
}

type magicLinkAuthenticateParams struct {
	DiscoveryMagicLinksToken string `json:"discovery_magic_links_token"`
	PkceCodeVerifier         string `json:"pkce_code_verifier"`
}

// deadMagicLink refuses a magic link that is unknown, expired or used.
func deadMagicLink() *apiError {
	return unauthenticated(errUnableToAuthMagicLink, "the magic link is not valid: unknown, expired or already used")
}

func (s *Server) handleMagicLinkAuthenticate(r *http.Request) (response, error) {
	var p magicLinkAuthenticateParams
	if err := decode(r, &p); err != nil {
		return nil, err
	}
	if p.DiscoveryMagicLinksToken == "" {
		return nil, missingField("discovery_magic_links_token")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.cfg.clock()
	link, err := redeemGrant(s.links, p.DiscoveryMagicLinksToken, p.PkceCodeVerifier, now, deadMagicLink())
	if err != nil {
		return nil, err
	}
	link.used = true
	f := factor{typ: "magic_link", method: "email", at: now, created: now, email: link.email, emailID: s.emailIDLocked(link.email)}
	return s.discoverLocked(now, link.email, f), nil
}

// emailIDLocked gives an email the id it has as a member, or a new one.
func (s *Server) emailIDLocked(email string) string {
	for _, m := range s.members {
		if strings.EqualFold(m.email, email) {
			return m.emailID
		}
	}
	return newID("email")
}
