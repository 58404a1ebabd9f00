// Package bench holds b2bauth's performance proof, outside the root module so
// that the peers it is compared with never become dependencies of b2bauth:
//
//   - peer_test.go: BenchmarkPeer runs b2bauth's RequireSession, golang-jwt's
//     raw RS256 parse and auth0's go-jwt-middleware on one emulator-issued
//     session JWT, in one run.
//   - soak_test.go: TestSoak puts a protected handler under concurrent load
//     while the emulator's faults toggle, and checks that no valid session is
//     logged out, no revoked or garbage credential gets in, and nothing leaks.
//     It runs only with -soak or B2BAUTH_SOAK=1.
//   - cmd/benchreport: turns the raw outputs of run.sh into the markdown
//     tables of BENCHMARKS.md.
//
// run.sh reproduces everything and writes to bench/results/. The target of
// its wrk load, examples/cmd/loadtarget, lives in the examples module because
// it serves the demo app, which is internal to that module.
package bench
