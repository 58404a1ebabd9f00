// Package flows serves the Stytch B2B login as drop-in net/http handlers:
// discovery by email magic link, email one-time code, password
// ([WithPrimaryMethods]) or OAuth ([WithOAuth]), organization choice
// or creation, MFA (SMS one-time passcode, authenticator app with
// enrollment, recovery code), step-up for logged-in members, and logout.
//
// A [Handler] is mounted under a prefix (default "/auth") and serves, with
// HTML pages by default and JSON when the request's Accept header prefers
// application/json:
//
//	GET  /login?return_to=/x   email form
//	POST /login                send a discovery magic link (PKCE S256)
//	GET  /login/check-email    its "check your email" page
//	POST /login/code           email a discovery code; GET shows its form,
//	                           POST /login/code/verify checks code=...
//	POST /login/password       check email=... and password=... across organizations
//	POST /oauth/start          start OAuth discovery at a provider=... (PKCE S256)
//	GET  /callback             authenticate the token of a redirect: discovery magic link
//	                           or OAuth, organization magic link or invite, OAuth, SSO
//	GET  /organizations        discovered organizations and a create form; for a
//	                           signed-in member without a sign-in in progress, the
//	                           switcher of their other organizations
//	POST /organizations/switch switch the session to organization_id=... (sessions
//	                           exchange; MFA when the organization requires it)
//	POST /organizations/select enter an organization
//	POST /organizations/create create one and enter it
//	GET  /o/{slug}             an organization's own login page: the methods its policy allows
//	POST /o/{slug}/email       send its login or sign-up magic link (PKCE S256);
//	                           GET shows its "check your email" page
//	POST /o/{slug}/oauth/start start OAuth into it with provider=... (PKCE S256)
//	POST /o/{slug}/sso/start   start SSO with connection_id=... (PKCE S256)
//	POST /o/{slug}/code        email its login or sign-up code; GET shows its form,
//	                           POST /o/{slug}/code/verify checks it
//	POST /o/{slug}/password    sign in with email=... and password=...
//	POST /o/{slug}/password/reset/start  email a reset link (PKCE S256) to the callback;
//	                           GET shows its "check your email" page
//	GET, POST /password/reset  the new password of an opened reset link (used once)
//	POST /o/{slug}/password/change       new_password=... with existing_password=...
//	GET  /mfa                  the second-factor choices
//	POST /mfa/sms/send         send an SMS code (enrolling phone_number if needed)
//	POST /mfa/sms/verify       check it
//	POST /mfa/totp/enroll      set up an authenticator app; GET shows its setup again
//	POST /mfa/totp/verify      check its code
//	POST /mfa/recovery         check a recovery code
//	GET  /step-up?return_to=/x a fresh second factor for a logged-in member
//	POST /step-up/sms/send, /step-up/sms/verify, /step-up/totp/verify
//	POST /step-up/totp/enroll  set up an app, for a member with no second factor;
//	                           GET shows its setup again
//	POST /logout               revoke the session and clear the cookies
//
// A form that succeeds with a page to show answers a browser with a 303 to
// the GET of that page (post/redirect/get), which draws it from the flow
// cookie: the back button and a reload show the page again and never send
// the form again. JSON clients get the step in the answer instead.
//
// A return_to is a local path (anything else leads to the after-login
// path) of at most 1024 bytes as the flow cookie stores it; a longer one
// is refused with 400 where it enters, before Stytch is asked.
// SSO and organization OAuth start in the browser at Stytch with the
// project's public token ([WithPublicToken] or [WithOAuth]); Stytch speaks
// SAML or OIDC with the identity provider and redirects to the callback.
// Invites land on the callback too. An organization whose policy requires
// another primary method than the one a discovered member used is not a
// dead end in the organization choice: SSO starts at once with the
// intermediate session, other methods are offered by the organization's
// login page, and that method completes the intermediate session. A policy
// refusal answers [ErrAuthMethodNotAllowed], [ErrEmailDomainNotAllowed] or
// [ErrJITNotAllowed].
//
// Between steps the flow lives in one encrypted, authenticated, HttpOnly,
// SameSite=Lax cookie ("__Host-b2bauth_flow" over https), valid for 10
// minutes: the intermediate session token never appears in a URL, a page, a
// JSON body or JavaScript-readable storage. Step-up flows use a cookie of
// their own ("__Host-b2bauth_stepup"), so that opening GET /step-up, with
// or without a session, never ends a sign-in in progress. The pages also
// give a browser a random id in a cookie of its own
// ("__Host-b2bauth_browser"), which tells a double submit of an email
// form from another browser's request (see [WithEmailResendCooldown]).
// Every POST is
// checked with [net/http.CrossOriginProtection], and one that carries
// neither Origin nor Sec-Fetch-Site is refused when its Referer names
// another origin. Sessions are written and read with the
// cookies of the [middleware.Middleware] given to [New].
//
// Failures are answered with a message the member can act on: a wrong code
// may be retried (five times, then the member waits five minutes; the count
// is also kept per member in the guard's [Store], so a replayed or
// restarted flow does not reset it; so is the wait between two SMS codes,
// and, per address, the wait between two emails of one kind: sign-in
// links, sign-in codes, password reset links; see
// [WithEmailResendCooldown]),
// a lost or expired flow leads back to the email form, and an outage of
// Stytch or of the store answers 503 and keeps the flow. JSON failures have
// the shape {"error":{"code":"...","message":"..."},"next":"..."}; the
// codes are those of the [Error] sentinels.
package flows
