// Package smoke_test runs the three example apps (net/http, gin, echo)
// through one conformance table over httptest TLS servers, with a cookie-jar
// client as the browser and the embedded emulator as Stytch, and checks that
// replicas of the app share sessions and login flows.
package smoke_test
