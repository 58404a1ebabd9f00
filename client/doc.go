// Package client is a typed client for the Stytch B2B API: sessions, discovery,
// email magic links, OAuth discovery, SMS and email one-time passcodes,
// passwords, members, TOTP, recovery codes and RBAC policies, plus a
// refreshing JSON Web Key Set ([JWKS]) for local session JWT verification and
// a local authorization cache ([PolicyCache]).
//
// A [Client] is created with [New] and is safe for concurrent use. It speaks the
// wire only: deciding whether a request is authenticated belongs to the
// middleware package.
//
// Errors the API returns are [*Error] values carrying Stytch's fields. Whether
// Stytch could answer at all is told apart with errors.Is(err, [ErrUnavailable]):
// transport failures, timeouts, 429 and 5xx answers match it, while an answer
// such as "session not found" does not.
package client
