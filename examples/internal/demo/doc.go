// Package demo is the framework-neutral part of the b2bauth example apps
// (examples/nethttp, examples/gin, examples/echo): configuration from the
// environment, the embedded Stytch emulator with its seed data, the client,
// session middleware and login flows, and the app's own pages.
//
// Each example wires the same [App] into its framework's router, so the
// examples differ only in what differs between the frameworks:
//
//	GET  /              public home page                  [Pages.Home] with OptionalSession
//	GET  /dashboard     member, organization and roles    [Pages.Dashboard] behind RequireSession
//	GET  /admin         reports administration            [Pages.Admin] behind RequirePermission("reports", "write")
//	GET  /settings      account settings (sensitive)      [Pages.Settings] behind RequireFreshFactor(MFAFactor, 5 minutes)
//	GET  /api/reports   reports as JSON, members and      [Reports] behind RequireSessionOrScopes("read:reports")
//	                    machines (M2M access tokens)
//	GET  /healthz       readiness as JSON                 Middleware.HealthHandler
//	GET  /dev/outbox    the emulator's sent messages      [Pages.Outbox], emulator mode only
//	     /auth/...      login, MFA, step-up and logout    [App.Flows], mounted with the adapter's Mount
//
// Without STYTCH_PROJECT_ID and STYTCH_SECRET the app starts the emulator
// on 127.0.0.1 seeded by [Seed]: sign in as alice@acme.test and read the
// magic link and SMS code on the console or at /dev/outbox. [ConfigFromEnv]
// lists the other environment variables.
package demo
