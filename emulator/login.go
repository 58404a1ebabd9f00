package emulator

import (
	"slices"
	"strings"
	"time"
)

// istLifetime is how long an intermediate session token lives, as with Stytch.
const istLifetime = 10 * time.Minute

// login is a primary authentication about to enter one organization.
type login struct {
	ist     *intermediateSession // nil when the primary factors come from a session
	email   string
	primary []factor
	org     *organization
	member  *member // nil: found by email, or provisioned by email domain
	minutes int
	claims  map[string]any
}

// loginLocked ends a primary authentication for one organization: a session
// when nothing more is needed, otherwise the intermediate session token
// (unconsumed, now bound to the member) with what is still required.
func (s *Server) loginLocked(now time.Time, l login) (*sessionResponse, error) {
	m := l.member
	if m == nil {
		var err error
		m, _, err = s.findOrProvisionLocked(l.org, l.email, func() (*member, error) { return s.joinByDomainLocked(l.org, l.email, "") })
		if err != nil {
			return nil, err
		}
	}
	if m.status != memberActive {
		m.status = memberActive
		m.updated = now
	}
	primaryReq := primaryRequired(l.org, l.primary)
	mfaReq := s.needsMFA(l.org, m)
	if primaryReq == nil && !mfaReq {
		if l.ist != nil {
			l.ist.consumed = true
		}
		ss := s.newSessionLocked(now, m, slices.Clone(l.primary), l.minutes, l.claims)
		return s.sessionResponseLocked(now, ss)
	}
	ist := l.ist
	if ist == nil {
		ist = s.newISTLocked(now, l.email, l.primary)
	}
	// The IST carries every primary factor passed so far, so the MFA step
	// that consumes it starts a session with all of them.
	ist.factors = slices.Clone(l.primary)
	ist.orgID, ist.memberID = l.org.id, m.id
	res := &sessionResponse{
		MemberID:                          m.id,
		Organization:                      renderOrganization(l.org),
		IntermediateSessionToken:          ist.token,
		IntermediateSessionTokenExpiresAt: wireTime(ist.expires),
		PrimaryRequired:                   primaryReq,
	}
	if primaryReq == nil {
		res.MFARequired = s.mfaRequiredLocked(now, l.org, m, true)
	}
	res.Member = renderMember(m)
	return res, nil
}

// findOrProvisionLocked returns the member of o with this email or, when
// there is none, the member provision creates; created reports which. A nil
// provision refuses an unknown email.
func (s *Server) findOrProvisionLocked(o *organization, email string, provision func() (*member, error)) (m *member, created bool, err error) {
	if m = s.memberByEmail(o.id, email); m != nil {
		return m, false, nil
	}
	if provision == nil {
		return nil, false, notFound(errMemberNotFound, "no member with this email in organization "+o.id)
	}
	if m, err = provision(); err != nil {
		return nil, false, err
	}
	return m, true, nil
}

// memberWithEmailLocked finds the member of o with this email, or answers
// that there is none.
func (s *Server) memberWithEmailLocked(o *organization, email string) (*member, error) {
	if m := s.memberByEmail(o.id, email); m != nil {
		return m, nil
	}
	return nil, notFound(errMemberNotFound, "no member with email "+email+" in organization "+o.id)
}

// joinByDomainLocked creates a member with status (default active) for an
// email whose domain may join the organization, as discovery offers it, and
// otherwise answers that there is no such member.
func (s *Server) joinByDomainLocked(o *organization, email, status string) (*member, error) {
	if _, ok := o.eligibleDomain(email); !ok {
		return nil, notFound(errMemberNotFound, "no member with email "+email+" in organization "+o.id+", and it may not join by email domain")
	}
	return s.newMember(MemberSeed{Organization: o.id, Email: email, Status: status})
}

func (s *Server) newISTLocked(now time.Time, email string, factors []factor) *intermediateSession {
	ist := &intermediateSession{
		token:   newToken(),
		email:   strings.ToLower(email),
		factors: slices.Clone(factors),
		expires: now.Add(istLifetime),
	}
	s.ists[ist.token] = ist
	return ist
}

// liveISTLocked finds an unexpired, unconsumed intermediate session.
func (s *Server) liveISTLocked(now time.Time, token string) (*intermediateSession, error) {
	if token == "" {
		return nil, missingField("intermediate_session_token")
	}
	ist := s.ists[token]
	if ist == nil || !ist.live(now) {
		return nil, notFound(errISTNotFound, "intermediate session not found, expired or already used")
	}
	return ist, nil
}

// needsMFA applies the organization's MFA policy and the member's enrollment.
func (s *Server) needsMFA(o *organization, m *member) bool {
	return o.mfaPolicy == mfaPolicyRequired || m.mfaEnrolled
}

// primaryRequired says which primary methods an organization still wants
// when the ones used are not allowed there, or nil.
func primaryRequired(o *organization, primary []factor) *wirePrimaryRequired {
	if len(o.allowedAuthMethods) == 0 {
		return nil
	}
	for _, f := range primary {
		if slices.Contains(o.allowedAuthMethods, authMethodOf(f)) {
			return nil
		}
	}
	return &wirePrimaryRequired{AllowedAuthMethods: slices.Clone(o.allowedAuthMethods)}
}

// authMethodOf names a factor as organizations' allowed_auth_methods do.
func authMethodOf(f factor) string {
	switch {
	case f.typ == "otp" && f.method == "email":
		return "email_otp"
	case f.method == "email":
		return "magic_link"
	}
	if provider, ok := strings.CutPrefix(f.method, "oauth_"); ok {
		return provider + "_oauth"
	}
	return f.typ
}

// mfaRequiredLocked describes the MFA a member must do. With send, an SMS
// code goes out at once when SMS is the member's way (a verified phone and no
// TOTP, or SMS as default), as Stytch does, and secondary_auth_initiated says so.
func (s *Server) mfaRequiredLocked(now time.Time, o *organization, m *member, send bool) *wireMFARequired {
	req := &wireMFARequired{}
	opts := wireMemberOptions{TOTPRegistrationID: m.totpID()}
	if m.phoneVerified {
		opts.MFAPhoneNumber = m.phone
	}
	if opts != (wireMemberOptions{}) {
		req.MemberOptions = &opts
	}
	smsFirst := m.phoneVerified && o.allowsMFA(mfaSMS) &&
		(m.totpID() == "" || !o.allowsMFA(mfaTOTP) || m.defaultMFAMethod == mfaSMS)
	if send && smsFirst {
		s.sendSMSLocked(now, m, m.phone)
		initiated := mfaSMS
		req.SecondaryAuthInitiated = &initiated
	}
	return req
}

// discoveredLocked lists the organizations an email can enter: where it is a
// member, and where its domain may join.
func (s *Server) discoveredLocked(email string, primary []factor) []wireDiscoveredOrganization {
	out := []wireDiscoveredOrganization{}
	for _, id := range s.orgOrder {
		o := s.orgs[id]
		d := wireDiscoveredOrganization{}
		m := s.memberByEmail(o.id, email)
		switch {
		case m != nil:
			wm := renderMember(m)
			d.Membership = &wireMembership{Type: membershipType(m), Member: &wm}
		default:
			domain, ok := o.eligibleDomain(email)
			if !ok {
				continue
			}
			d.Membership = &wireMembership{Type: "eligible_to_join_by_email_domain", Details: map[string]any{"domain": domain}}
		}
		wo := renderOrganization(o)
		d.Organization = &wo
		d.PrimaryRequired = primaryRequired(o, primary)
		mfa := o.mfaPolicy == mfaPolicyRequired || (m != nil && m.mfaEnrolled)
		if mfa && d.PrimaryRequired == nil {
			probe := m
			if probe == nil {
				probe = &member{}
			}
			d.MFARequired = s.mfaRequiredLocked(time.Time{}, o, probe, false)
		}
		d.MemberAuthenticated = m != nil && m.status == memberActive && !mfa && d.PrimaryRequired == nil
		out = append(out, d)
	}
	return out
}

func membershipType(m *member) string {
	switch m.status {
	case memberInvited:
		return "invited_member"
	case memberPending:
		return "pending_member"
	}
	return "active_member"
}
