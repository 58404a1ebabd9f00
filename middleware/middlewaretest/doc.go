// Package middlewaretest runs b2bauth's session middleware against the
// emulator: [NewEnv] builds a seeded emulator, a client and a middleware on
// one clock, and [RunConformance] is the behaviour table every framework
// adapter must pass unchanged (same statuses, headers, cookies and bodies).
package middlewaretest
