// Package emulator is an in-memory Stytch B2B API for tests, examples,
// benchmarks and local development: there is no network to Stytch.
//
// [New] starts a server on a local port; [NewTest] does the same for a test
// and closes it at the end. Point a client at [Server.URL] with
// [Server.ProjectID] and [Server.Secret]. State is seeded from Go
// ([Server.AddOrganization], [Server.AddMember], [Server.AddRole], ...) or
// from JSON ([LoadSeed], [WithSeed]).
//
// # Faithfulness
//
// The emulator follows the rules real clients rely on: HTTP basic auth on
// every API path except the JWKS, which answers 200 with or without
// credentials; Stytch's JSON field names; RFC 3339 times or null; objects or
// null, never "" or []; the error body {status_code, request_id, error_type,
// error_message, error_url, error_details} on every non-2xx answer, including
// malformed JSON, bodies over 1 MiB, unknown paths and handler panics.
// Intermediate session tokens live 10 minutes and are consumed when they
// become a session; SMS codes have 6 digits, live 2 minutes, are replaced by a
// new send and die after 5 wrong tries; TOTP codes are real RFC 6238 codes
// that work once, and a registration's qr_code is a PNG data URL, or "" when
// the organization's name and the member's address are too long for any QR
// code; recovery codes work once; session JWTs are RS256, valid 5
// minutes, with exactly Stytch's claims; an expired JWT of a live session is
// still accepted by sessions authenticate, as with the real API.
//
// Time comes from [WithClock]: tests move a fake clock instead of sleeping.
//
// # Error types and statuses
//
// The statuses follow one rule: 400 for invalid input, 401 for bad
// credentials or a failed code or token, 403 for authorization, 404 for
// something not found, 429 for rate limits and 500 for internal errors.
//
//	400 bad_request                        malformed or oversized body, missing or invalid field
//	400 invalid_organization_id            organization_id is not an organization id
//	400 invalid_intermediate_session_token_for_organization
//	                                       IST bound to, or discovered for, someone else
//	                                       (an IST an organization's MFA step holds may
//	                                       still be exchanged into another organization,
//	                                       or create one, as with Stytch)
//	400 insufficient_factors_for_session_exchange
//	                                       MFA attempted before a primary method the organization allows
//	400 organization_slug_already_used     discovery organization create with a taken slug
//	400 invalid_email, invalid_phone_number, invalid_recovery_code (wrong shape)
//	400 mfa_method_not_allowed             the organization's allowed_mfa_methods exclude it
//	400 active_totp_exists                 TOTP create or migrate for a member with one
//	400 duplicate_member_email             invite of an email that is already an active member
//	400 invalid_member_get_fields          member get with neither or both of member_id and email_address
//	400 organization_search_filter_name_not_recognized, member_search_filter_name_not_recognized
//	400 member_search_organization_ids_empty
//	400 session_on_code_does_not_match_session_passed_in
//	                                       a session of another member passed to an authenticate call
//	400 weak_password                      a new password fails the strength check (feedback in error_details)
//	400 member_reset_password              right password, but a reset was required (require_reset)
//	400 m2m_client_secret_rotation_not_started
//	                                       secret rotate or cancel without a started rotation
//	401 unauthorized_credentials           wrong or missing basic auth; wrong password, or unknown email or
//	                                       no password (answered alike, so emails cannot be probed)
//	401 invalid_session_jwt                bad signature, unknown kid, wrong iss/aud/sub
//	401 unable_to_auth_magic_link          unknown, expired or used magic link, password reset link or migrate token
//	401 pkce_mismatch                      PKCE verifier does not match the challenge
//	401 unable_to_auth_otp_code            wrong SMS or email code (counts an attempt)
//	401 invalid_totp_code                  wrong TOTP code
//	401 totp_code_already_authenticated    TOTP code of an already used time step
//	401 unable_to_authenticate_recovery_code wrong or already used recovery code
//	403 session_authorization_error        authorization_check denied
//	403 session_authorization_tenancy_error authorization_check names another organization
//	403 operation_restricted_by_organization_auth_methods
//	                                       the organization's allowed_auth_methods exclude the method
//	403 email_jit_provisioning_not_allowed new email, and email_jit_provisioning is NOT_ALLOWED
//	403 invalid_email_for_jit_provisioning new email outside email_allowed_domains
//	403 invalid_email_for_invites          email_invites NOT_ALLOWED, or RESTRICTED and another domain
//	403 invalid_connection_for_jit_provisioning
//	                                       new SSO member, and sso_jit_provisioning excludes the connection
//	404 not_found                          unknown path (or JWKS of another project)
//	404 session_not_found                  unknown, expired or revoked session
//	404 intermediate_session_not_found     unknown, expired or consumed IST
//	404 organization_not_found, member_not_found
//	404 otp_code_not_found                 no live SMS or email code: never sent, expired, replaced, used, or killed by wrong tries
//	404 member_password_not_found          require_reset for a member without a password
//	404 totp_not_found, recovery_codes_not_found
//	404 oauth_token_not_found              unknown, expired or used (discovery or organization) OAuth token
//	404 sso_token_not_found                unknown, expired or used SSO token
//	404 sso_connection_not_found, no_sso_connection_exists_for_organization
//	404 m2m_client_not_found               unknown M2M client id
//	429 too_many_requests                  fault injection only
//	500 internal_server_error              fault injection, or a bug in the emulator
//
// # Email one-time codes
//
// POST /v1/b2b/otps/email/discovery/send and .../discovery/authenticate (an
// IST and the discovered organizations, as magic link discovery), and POST
// /v1/b2b/otps/email/login_or_signup and /v1/b2b/otps/email/authenticate for
// one organization (a login code for an active member, a signup code for a
// pending or invited one, or for a new pending member whose email domain may
// join). Codes have 6 digits and follow Stytch's documented limits: valid 10
// minutes unless the send says 2 to 15 (discovery_expiration_minutes,
// login_expiration_minutes, signup_expiration_minutes); only the latest code
// of an address (per organization, or for discovery) works; a code works
// once; 5 wrong tries kill it. The session factor is type "otp", delivery
// method "email", with email_factor: a primary factor (allowed_auth_methods
// "email_otp"), where an SMS "otp" is a second one. Codes land in the outbox;
// [Server.LastEmailCode] reads the last one.
//
// # Passwords
//
// POST /v1/b2b/passwords/authenticate, /passwords/discovery/authenticate
// (cross-organization: any member with the email and password passes),
// /passwords/strength_check, /passwords/email/reset/start then
// /passwords/email/reset (a single-use link with
// stytch_token_type=multi_tenant_passwords, valid 30 minutes unless
// reset_password_expiration_minutes says 5 to 10080, bound by PKCE when
// code_challenge is given), /passwords/email/require_reset and
// /passwords/existing_password/reset. The factor is type "password",
// delivery method "knowledge". Passwords are stored only as bcrypt hashes
// (lowest cost, of the password's SHA-256 so length past 72 bytes counts);
// [MemberSeed].Password seeds one without a strength check.
//
// The strength check answers Stytch's zxcvbn shape (valid_password, score 0
// to 4, breached_password, strength_policy "zxcvbn",
// breach_detection_on_create, luds_feedback, zxcvbn_feedback{warning,
// suggestions}) from a small deterministic scorer: the length times log2 of
// the alphabet used (lowercase 26, uppercase 26, digits 10, others 33),
// halved when most characters repeat or continue a sequence; a password on a
// short breached list, or a common word wrapped in digits or symbols, scores
// 0; one holding the email's local part at most 1; 28, 36, 60 and 80 bits
// are the steps to scores 1 to 4. Valid means a score of 3 or more and not
// breached; setting a password that is not valid answers weak_password.
//
// # Members
//
// GET /v1/b2b/organizations/{organization_id}/member?member_id= (or
// email_address=) returns one member, as the official SDK's members get.
//
// # Multi-factor authentication
//
// Exchanging an IST for an organization whose mfa_policy is REQUIRED_FOR_ALL,
// or whose member is mfa_enrolled, returns the IST unconsumed with
// mfa_required. So does every primary method of one organization (email OTP
// authenticate, password authenticate and resets, sessions exchange): a
// session, or the IST (the one passed in, carrying every primary factor so
// far, or a new one) with mfa_required or primary_required. When SMS is the member's way (a verified phone and no TOTP,
// or SMS as default method) a code is sent at once and
// secondary_auth_initiated is "sms_otp", as Stytch does.
//
// Policy refusals are 403 and the type names come from Stytch's published
// error list; Stytch does not document their statuses, so these follow the
// rule above.
//
// # Organization login and SSO
//
// Endpoints (paths and fields as in the official Go SDK):
//
//	GET  /v1/b2b/organizations/{organization_id}          id or slug
//	POST /v1/b2b/organizations/search                     filters organization_ids, organization_slugs,
//	                                                      organization_slug_fuzzy, organization_name_fuzzy,
//	                                                      allowed_domains, member_emails; AND/OR; cursor, limit
//	GET  /v1/b2b/organizations/{organization_id}/member   ?member_id= or ?email_address=
//	POST /v1/b2b/organizations/members/search             organization_ids; filters member_ids,
//	                                                      member_emails, member_email_fuzzy, statuses
//	GET  /v1/b2b/sso/{organization_id}                    saml_connections, oidc_connections
//	GET  /v1/public/sso/start                             public; connection_id or organization_id
//	POST /v1/b2b/sso/authenticate                         sso_token, pkce_code_verifier
//	POST /v1/b2b/magic_links/email/login_or_signup        organization-scoped link
//	POST /v1/b2b/magic_links/email/invite                 invite link
//	POST /v1/b2b/magic_links/authenticate                 magic_links_token (both kinds)
//	GET  /v1/b2b/public/oauth/{provider}/start            public; organization_id or slug
//	POST /v1/b2b/oauth/authenticate                       oauth_token
//
// The public start endpoints show a page standing in for the identity
// provider (the same page as the OAuth discovery start): it asks which email
// signs in (offering the organization's members) and redirects to the login
// redirect URL, or the signup one for an email that is not a member yet, with
// stytch_token_type=sso or oauth and a single-use token bound to the start's
// PKCE challenge. Magic links carry stytch_token_type=multi_tenant_magic_links.
//
// The authenticate calls apply the organization's policy: the method must be
// in allowed_auth_methods (an invite still proves the email: its answer then
// carries primary_required), a new email joins by email_jit_provisioning and
// email_allowed_domains (SSO: by sso_jit_provisioning), and invites follow
// email_invites. Given an intermediate_session_token of the same email the
// factor joins it, completing a discovered organization's primary_required;
// MFA still pending returns that token with mfa_required. Exchanging an
// intermediate session into an organization whose primary requirement is not
// met gives no session: member_authenticated false, the token back and
// primary_required, as Stytch documents. Organizations are seeded with
// [LoginPolicy] (JSON fields of the organization) or [Server.AddSSOConnection];
// [Server.SSOToken] and [Server.OAuthToken] skip the identity provider page.
//
// # Machine-to-machine clients
//
// M2M clients (seeded, [Server.AddM2MClient], or POST /v1/m2m/clients) hold
// scopes and a secret kept only as a SHA-256 hash and compared in constant
// time; GET and PUT /v1/m2m/clients/{client_id}, DELETE, POST
// /v1/m2m/clients/search and the secret rotation calls (rotate/start,
// rotate, rotate/cancel under /secrets) manage them. The public token
// endpoint POST /v1/public/{project_id}/oauth2/token takes the client
// credentials grant, form-encoded or JSON, with the client's id and secret
// in the body or in basic auth (not the project's), and an optional
// space-separated scope: every requested scope must be one of the client's,
// spelled the same (no wildcard expansion); without one the token carries all
// of them. The access token is an RS256 JWT signed by the session keys, valid
// one hour: sub is the client id, iss and aud as in session JWTs, scope the
// granted scopes, plus the client's custom claims. Its errors follow OAuth 2.0
// (RFC 6749 section 5.2) with Stytch's envelope: {status_code, request_id,
// error, error_description, error_uri}:
//
//	400 invalid_request          malformed body, missing grant_type or credentials
//	400 unsupported_grant_type   a grant other than client_credentials
//	400 invalid_scope            a requested scope the client does not hold
//	401 invalid_client           unknown client, wrong secret or inactive client
//	404 invalid_request          another project's token endpoint
//
// [Server.M2MToken] mints a token without the secret.
//
// # Seed file
//
// [LoadSeed] reads the JSON form of [Seed] (b2bauth-emulator -seed):
//
//	{
//	  "resources": [{"resource_id": "documents", "actions": ["read", "write"]}],
//	  "roles": [{"role_id": "editor", "permissions": [{"resource_id": "documents", "actions": ["*"]}]}],
//	  "organizations": [{"organization_name": "Acme", "organization_slug": "acme"}],
//	  "members": [{"organization": "acme", "email_address": "ada@acme.test", "roles": ["editor"]}],
//	  "m2m_clients": [{"client_id": "m2m-client-test-reports", "client_secret": "at-least-8-characters",
//	                   "client_name": "Reports exporter", "scopes": ["read:reports"],
//	                   "custom_claims": {"tenant": "acme"}}]
//	}
//
// # Test controls
//
// [Server.SetFault] adds latency, forced error statuses, dropped connections
// and malformed JWKS, per path or for all; [Server.Calls] counts requests
// before faults apply. [Server.RotateKey] rotates the signing key.
// [Server.CreateSession], [Server.SignJWT], [Server.TOTPCode],
// [Server.OAuthDiscoveryToken], [Server.IntermediateSessionToken] and
// [Server.MigrationToken] skip the parts of flows a test does not exercise.
//
// # Outbox
//
// Magic links, password reset links, email and SMS codes are not sent but
// kept: [Server.Outbox], [Server.LastMagicLink] (also the last reset link),
// [Server.LastEmailCode], [Server.LastSMSCode], and the page GET
// /_emulator/outbox (HTML, or JSON with "Accept: application/json"). The page
// needs no credentials: it is a development tool, so never expose an emulator
// beyond your machine.
package emulator
