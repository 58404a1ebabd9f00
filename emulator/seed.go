package emulator

import (
	"encoding/base32"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"
)

// Seed is the emulator's starting data. It loads from JSON (see [LoadSeed]);
// members name their organization by id or slug, so a JSON seed needs no ids.
type Seed struct {
	Organizations []OrganizationSeed `json:"organizations"`
	Members       []MemberSeed       `json:"members"`
	// Resources are added to the project's RBAC policy before Roles.
	Resources []Resource `json:"resources"`
	// Roles are project-wide custom roles (stytch_admin and stytch_member always exist).
	Roles []Role `json:"roles"`
	// M2MClients are machine-to-machine clients, added last.
	M2MClients []M2MClientSeed `json:"m2m_clients"`
}

// OrganizationSeed describes an organization to create.
type OrganizationSeed struct {
	// ID fixes the organization id; default a new "organization-test-<uuid>".
	ID   string `json:"organization_id,omitempty"`
	Name string `json:"organization_name"`
	// Slug must be unique; default derived from Name.
	Slug string `json:"organization_slug,omitempty"`
	// MFAPolicy is "REQUIRED_FOR_ALL" or "OPTIONAL" (default).
	MFAPolicy string `json:"mfa_policy,omitempty"`
	// AllowedMFAMethods restricts MFA to "sms_otp" and/or "totp"; empty allows both.
	AllowedMFAMethods []string `json:"allowed_mfa_methods,omitempty"`
	// EmailAllowedDomains lets anyone with an email of these domains discover
	// and join the organization (email JIT provisioning).
	EmailAllowedDomains []string `json:"email_allowed_domains,omitempty"`
	// AllowedAuthMethods restricts primary authentication ("magic_link",
	// "google_oauth", "microsoft_oauth", ...); empty allows all.
	AllowedAuthMethods []string `json:"allowed_auth_methods,omitempty"`
	// CustomRoles are the organization's own roles (its org policy).
	CustomRoles     []Role         `json:"custom_roles,omitempty"`
	TrustedMetadata map[string]any `json:"trusted_metadata,omitempty"`
	// LoginPolicy holds the rest of the authentication policy: invites,
	// email and SSO JIT provisioning, SSO connections.
	LoginPolicy
}

// MemberSeed describes a member to create.
type MemberSeed struct {
	// ID fixes the member id; default a new "member-test-<uuid>".
	ID string `json:"member_id,omitempty"`
	// Organization is the organization's id or slug.
	Organization string `json:"organization"`
	Email        string `json:"email_address"`
	Name         string `json:"name,omitempty"`
	// Status is "active" (default), "invited" or "pending".
	Status string `json:"status,omitempty"`
	// Phone is the member's MFA phone number in E.164 form.
	Phone                  string `json:"mfa_phone_number,omitempty"`
	MFAPhoneNumberVerified bool   `json:"mfa_phone_number_verified,omitempty"`
	MFAEnrolled            bool   `json:"mfa_enrolled,omitempty"`
	// DefaultMFAMethod is "sms_otp", "totp" or "".
	DefaultMFAMethod string `json:"default_mfa_method,omitempty"`
	// Roles are role ids beyond stytch_member, e.g. "stytch_admin".
	Roles []string `json:"roles,omitempty"`
	// TOTPSecret (base32) gives the member a verified TOTP registration, so
	// tests can compute codes with [Server.TOTPCode].
	TOTPSecret string `json:"totp_secret,omitempty"`
	// RecoveryCodes for the TOTP registration; default ten new codes.
	RecoveryCodes []string `json:"recovery_codes,omitempty"`
	// Password gives the member a password (kept only as a bcrypt hash). It
	// skips the strength check, so tests may seed weak ones.
	Password          string         `json:"password,omitempty"`
	TrustedMetadata   map[string]any `json:"trusted_metadata,omitempty"`
	UntrustedMetadata map[string]any `json:"untrusted_metadata,omitempty"`
}

// LoadSeed reads a JSON [Seed] from a file.
func LoadSeed(path string) (Seed, error) {
	var seed Seed
	data, err := os.ReadFile(path)
	if err != nil {
		return seed, fmt.Errorf("b2bauth: emulator seed: %w", err)
	}
	if err := json.Unmarshal(data, &seed); err != nil {
		return seed, fmt.Errorf("b2bauth: emulator seed %s: %w", path, err)
	}
	return seed, nil
}

// ApplySeed adds the seed's resources, roles, organizations, members and M2M
// clients, in that order, stopping at the first invalid entry.
func (s *Server) ApplySeed(seed Seed) error {
	for _, r := range seed.Resources {
		if err := s.AddResource(r); err != nil {
			return err
		}
	}
	for _, r := range seed.Roles {
		if err := s.AddRole(r); err != nil {
			return err
		}
	}
	for _, o := range seed.Organizations {
		if _, err := s.AddOrganization(o); err != nil {
			return err
		}
	}
	for _, m := range seed.Members {
		if _, err := s.AddMember(m); err != nil {
			return err
		}
	}
	for _, c := range seed.M2MClients {
		if _, _, err := s.AddM2MClient(c); err != nil {
			return err
		}
	}
	return nil
}

// validSlug follows Stytch's slug rule: 2 to 128 of a-z, 0-9, ".", "_", "~", "-".
func validSlug(slug string) bool {
	if len(slug) < 2 || len(slug) > 128 {
		return false
	}
	for _, r := range slug {
		if !slugRune(r) {
			return false
		}
	}
	return true
}

func slugRune(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || strings.ContainsRune("._~-", r)
}

// validPhone accepts E.164 numbers: "+", a non-zero digit, 6 to 14 more digits.
func validPhone(phone string) bool {
	if len(phone) < 8 || len(phone) > 16 || phone[0] != '+' || phone[1] == '0' {
		return false
	}
	for _, r := range phone[1:] {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// slugFrom derives an organization slug from its name.
func slugFrom(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		if slugRune(r) && r != '-' {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimRight(b.String(), "-")
}

// AddOrganization creates an organization and returns its id.
func (s *Server) AddOrganization(seed OrganizationSeed) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, err := s.newOrganization(seed)
	if err != nil {
		return "", fmt.Errorf("b2bauth: emulator: add organization %q: %w", seed.Name, err)
	}
	return o.id, nil
}

// newOrganization validates and stores an organization; s.mu must be held.
func (s *Server) newOrganization(seed OrganizationSeed) (*organization, error) {
	if seed.Name == "" {
		return nil, errors.New("organization_name is required")
	}
	slug := strings.ToLower(seed.Slug) // Stytch stores slugs in lowercase
	if slug == "" {
		slug = slugFrom(seed.Name)
	}
	if !validSlug(slug) {
		return nil, fmt.Errorf("invalid organization_slug %q", slug)
	}
	if s.orgBySlug(slug) != nil {
		return nil, fmt.Errorf("organization_slug %q already used", slug)
	}
	policy := seed.MFAPolicy
	if policy == "" {
		policy = mfaPolicyOptional
	}
	if policy != mfaPolicyOptional && policy != mfaPolicyRequired {
		return nil, fmt.Errorf("invalid mfa_policy %q", policy)
	}
	for _, m := range seed.AllowedMFAMethods {
		if m != mfaSMS && m != mfaTOTP {
			return nil, fmt.Errorf("invalid allowed_mfa_methods entry %q", m)
		}
	}
	id := seed.ID
	if id == "" {
		id = newID("organization")
	}
	if _, taken := s.orgs[id]; taken {
		return nil, fmt.Errorf("organization_id %q already used", id)
	}
	for _, r := range seed.CustomRoles {
		if err := s.policy.validateRole(r); err != nil {
			return nil, err
		}
	}
	jit := "NOT_ALLOWED"
	if len(seed.EmailAllowedDomains) > 0 {
		jit = "RESTRICTED"
	}
	now := s.cfg.clock()
	o := &organization{
		id:                  id,
		name:                seed.Name,
		slug:                slug,
		mfaPolicy:           policy,
		allowedMFAMethods:   slices.Clone(seed.AllowedMFAMethods),
		emailAllowedDomains: slices.Clone(seed.EmailAllowedDomains),
		emailJIT:            jit,
		allowedAuthMethods:  slices.Clone(seed.AllowedAuthMethods),
		customRoles:         slices.Clone(seed.CustomRoles),
		trustedMetadata:     seed.TrustedMetadata,
		created:             now,
		updated:             now,
	}
	if err := s.applyLoginPolicy(o, seed.LoginPolicy, now); err != nil {
		return nil, err
	}
	s.orgs[id] = o
	s.orgOrder = append(s.orgOrder, id)
	return o, nil
}

// AddMember creates a member and returns its id.
func (s *Server) AddMember(seed MemberSeed) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, err := s.newMember(seed)
	if err != nil {
		return "", fmt.Errorf("b2bauth: emulator: add member %q: %w", seed.Email, err)
	}
	return m.id, nil
}

// newMember validates and stores a member; s.mu must be held.
func (s *Server) newMember(seed MemberSeed) (*member, error) {
	o := s.orgByIDOrSlug(seed.Organization)
	if o == nil {
		return nil, fmt.Errorf("unknown organization %q", seed.Organization)
	}
	if !strings.Contains(seed.Email, "@") {
		return nil, errors.New("a valid email_address is required")
	}
	if s.memberByEmail(o.id, seed.Email) != nil {
		return nil, fmt.Errorf("email %q is already a member of %s", seed.Email, o.slug)
	}
	if seed.Phone != "" && !validPhone(seed.Phone) {
		return nil, fmt.Errorf("invalid mfa_phone_number %q (E.164 expected)", seed.Phone)
	}
	status := seed.Status
	if status == "" {
		status = memberActive
	}
	if status != memberActive && status != memberInvited && status != memberPending {
		return nil, fmt.Errorf("invalid status %q", status)
	}
	for _, r := range seed.Roles {
		if !s.roleExists(o, r) {
			return nil, fmt.Errorf("unknown role %q", r)
		}
	}
	id := seed.ID
	if id == "" {
		id = newID("member")
	}
	if _, taken := s.members[id]; taken {
		return nil, fmt.Errorf("member_id %q already used", id)
	}
	now := s.cfg.clock()
	m := &member{
		id:                id,
		orgID:             o.id,
		email:             strings.ToLower(seed.Email),
		emailID:           newID("email"),
		name:              seed.Name,
		status:            status,
		phone:             seed.Phone,
		phoneVerified:     seed.Phone != "" && seed.MFAPhoneNumberVerified,
		mfaEnrolled:       seed.MFAEnrolled,
		defaultMFAMethod:  seed.DefaultMFAMethod,
		roles:             slices.Clone(seed.Roles),
		trustedMetadata:   seed.TrustedMetadata,
		untrustedMetadata: seed.UntrustedMetadata,
		created:           now,
		updated:           now,
	}
	if m.phone != "" {
		m.phoneID = newID("phone-number")
	}
	if seed.TOTPSecret != "" {
		reg, err := newTOTPRegistration(seed.TOTPSecret, seed.RecoveryCodes, now)
		if err != nil {
			return nil, err
		}
		reg.verified = true
		m.totp = reg
	}
	if seed.Password != "" {
		hash, err := hashPassword(seed.Password)
		if err != nil {
			return nil, err
		}
		m.password = &memberPassword{id: newID("member-password"), hash: hash}
	}
	s.members[id] = m
	return m, nil
}

// newTOTPRegistration checks a base32 secret and builds a registration with
// the given recovery codes, or ten new ones.
func newTOTPRegistration(secret string, codes []string, now time.Time) (*totpRegistration, error) {
	secret = strings.ToUpper(strings.TrimRight(secret, "="))
	if _, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(secret); err != nil {
		return nil, fmt.Errorf("invalid base32 TOTP secret: %w", err)
	}
	if len(codes) == 0 {
		for range 10 {
			codes = append(codes, newRecoveryCode())
		}
	}
	reg := &totpRegistration{id: newID("totp"), secret: secret, created: now}
	for _, c := range codes {
		reg.recovery = append(reg.recovery, recoveryCode{id: newID("recovery-code"), code: strings.ToLower(c)})
	}
	return reg, nil
}

// OrganizationID returns the id of the organization with this slug.
func (s *Server) OrganizationID(slug string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if o := s.orgBySlug(slug); o != nil {
		return o.id, true
	}
	return "", false
}

// MemberID returns the id of the member with this email in an organization
// named by id or slug.
func (s *Server) MemberID(organization, email string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.orgByIDOrSlug(organization)
	if o == nil {
		return "", false
	}
	if m := s.memberByEmail(o.id, email); m != nil {
		return m.id, true
	}
	return "", false
}

// orgByIDOrSlug finds an organization by id or slug, or returns nil.
func (s *Server) orgByIDOrSlug(ref string) *organization {
	if o := s.orgs[ref]; o != nil {
		return o
	}
	return s.orgBySlug(ref)
}

func (s *Server) orgBySlug(slug string) *organization {
	for _, id := range s.orgOrder {
		if o := s.orgs[id]; o.slug == slug {
			return o
		}
	}
	return nil
}

func (s *Server) memberByEmail(orgID, email string) *member {
	for _, m := range s.members {
		if m.orgID == orgID && strings.EqualFold(m.email, email) {
			return m
		}
	}
	return nil
}
