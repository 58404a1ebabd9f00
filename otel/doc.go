// Package otel reports b2bauth's verifications, calls to Stytch, key set
// fetches and login steps to OpenTelemetry, as the instrumentation modules
// of OpenTelemetry's contrib repository do for other libraries.
//
// Create an [Observer] with [New] and give it to each part of b2bauth:
//
//	obs, err := b2botel.New() // the global providers unless told otherwise
//	c, err := client.New(projectID, secret, client.WithObserver(obs))
//	m, err := middleware.New(c, middleware.WithObserver(obs))
//	reg, err := obs.ObserveCaches(m) // the cache size gauge
//	h, err := flows.New(c, m, ..., flows.WithObserver(obs))
//
// Import it under another name, such as b2botel, next to
// go.opentelemetry.io/otel.
//
// # Traces
//
// A verification that did not come from the verified-JWT cache is a span
// "b2bauth.verify" (internal), a child of the request's span when the
// request context carries one (otelhttp, otelgin, otelecho put it there).
// Cache hits, the common request, make no span: a span costs many times
// the work of a hit. Each HTTP attempt to Stytch is an HTTP client span
// named "{method} {url.template}", and each key set fetch a client span
// "b2bauth.jwks.fetch", following the semantic conventions for HTTP
// clients. The spans are recorded once their work is done, with its start
// and end times.
//
// # Metrics
//
//   - b2bauth.verifications {verification}: counter, by
//     b2bauth.verification.source and b2bauth.verification.outcome.
//   - b2bauth.verification.duration (s): histogram of the verifications not
//     served from the verified-JWT cache, by the same attributes; with
//     source "remote" it is the latency of the fallback to Stytch.
//   - b2bauth.jwt_cache.hit_ratio (1): gauge, the share of verifications
//     served from the verified-JWT cache since the observer was created.
//   - b2bauth.jwt_cache.size {entry}: gauge, the entries of the verified-JWT
//     caches of the middlewares given to [Observer.ObserveCaches], summed.
//   - http.client.request.duration (s): histogram of the attempts to
//     Stytch, with http.request.method, server.address, server.port,
//     url.template, http.response.status_code and error.type.
//   - b2bauth.jwks.refreshes {fetch}: counter of the key set fetches, by
//     b2bauth.jwks.reason and b2bauth.jwks.outcome ("success" or
//     "failure"), with error.type on failures.
//   - b2bauth.flows.steps {step}: counter of the login steps, by
//     b2bauth.flows.route and b2bauth.flows.outcome.
//
// No attribute carries a credential, a member's identity or an error text.
package otel
