// Package middleware authenticates Stytch B2B member sessions on net/http requests
// and authorizes them per route.
//
// A [Middleware] reads the session credentials of a request (an
// "Authorization: Bearer" session JWT, the session-JWT cookie, then the
// session-token cookie), verifies the JWT locally against the project's JWKS
// and falls back to Stytch's sessions authenticate call only when the JWT is
// missing, expired, older than the maximum token age, or signed with a key the
// key set does not hold. Junk tokens (malformed, badly signed, wrong issuer or
// audience, session tokens not shaped like Stytch's) are refused locally and
// never cost an upstream call; concurrent identical fallbacks share one
// upstream call, and Stytch's verdicts on a credential are remembered (a
// refusal for a minute, a session for an expired JWT until the maximum token
// age), so a repeated credential is not sent again. [WithUpstreamLimit]
// bounds the rate of calls for session tokens never seen before. A bearer JWT is judged alone:
// the cookies sent with it are neither used in its place nor written. A JWT
// cookie that fails verification beside a session token does not end that
// session: the token, which only Stytch can judge, decides. Cookies are
// cleared only when a credential read from them is refused. Against cookies planted
// by sibling subdomains (cookie tossing), name them with the __Host- prefix
// ([WithCookieNames]); without it, a session cookie sent twice makes the
// request ambiguous: it is decided from the duplicates without clearing or
// writing any cookie.
//
// Verification and enforcement are separate steps. [Middleware.OptionalSession]
// attaches the session, or the reason it is absent, to the request context and
// never rejects; [Middleware.RequireSession], [Middleware.RequirePermission],
// [Middleware.RequireRole] and [Middleware.RequireFreshFactor] enforce. Handlers
// read the session with [SessionFrom] and the failure reason with
// [FailureReason]; [Middleware.Authorize] checks a permission inside a handler.
// A permission is checked in the session's own organization unless the route
// names the resource's organization ([InOrganization],
// [Middleware.AuthorizeInOrganization]): a session of another organization is
// then refused with [ErrTenancy].
//
// Machines call API routes with Stytch M2M access tokens:
// [Middleware.RequireScopes] verifies them locally with the same key set
// (never upstream), checks their scopes by Stytch's rule and attaches an
// [M2MClient] for [M2MClientFrom]; [Middleware.RequireSessionOrScopes] serves
// members and machines on one route. A session JWT is never an access token
// and an access token never a session.
//
// An outage of Stytch is never a logout: when Stytch cannot answer, cookies are
// kept, a still-valid JWT keeps working, and requests that need Stytch get 503
// with Retry-After instead of 401.
//
// The package uses no framework types; adapters/gin and adapters/echo translate
// it for those frameworks.
package middleware
