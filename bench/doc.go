// Package bench holds b2bauth's performance proof, outside the root module so
// that the peers it is compared with never become dependencies of b2bauth:
//
//   - peer_test.go: BenchmarkPeer runs b2bauth's RequireSession, golang-jwt's
//     raw RS256 parse and auth0's go-jwt-middleware on one emulator-issued
//     session JWT, in one run.
//   - cmd/benchreport: turns the raw outputs of run.sh into the markdown
//     tables of BENCHMARKS.md.
//
// run.sh reproduces everything and writes to bench/results/. Two of the
// programs it runs live in the examples module because they serve the demo
// app, which is internal to that module: the target of its wrk load,
// examples/cmd/loadtarget, and the load + fault soak, examples/soak
// (TestSoak), which puts the example app under load while the emulator's
// faults toggle and checks that no valid session is logged out, no revoked
// or garbage credential gets in, and nothing leaks. The soak runs only with
// -soak or B2BAUTH_SOAK=1.
package bench
