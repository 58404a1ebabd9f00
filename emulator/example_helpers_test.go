package emulator_test

import (
	"errors"
	"fmt"
	"log"
	"slices"
	"testing"
	"time"

	"github.com/b2bauth/b2bauth/client"
	"github.com/b2bauth/b2bauth/emulator"
)

// start is emulator.New that stops the example on an error. The caller
// closes the server.
func start(opts ...emulator.Option) *emulator.Server {
	s, err := emulator.New(opts...)
	if err != nil {
		log.Fatal(err)
	}
	return s
}

// connect returns a client of the emulator's project pointed at it.
func connect(s *emulator.Server) *client.Client {
	c, err := s.Client()
	if err != nil {
		log.Fatal(err)
	}
	return c
}

// acmeSeed is one organization, "acme" (MFA optional), with one member,
// ada@acme.test.
var acmeSeed = emulator.Seed{
	Organizations: []emulator.OrganizationSeed{{Name: "Acme", Slug: "acme"}},
	Members:       []emulator.MemberSeed{{Organization: "acme", Email: "ada@acme.test"}},
}

// exampleTB stands in for the *testing.T a test passes to NewTest, so that
// ExampleNewTest can run: it records cleanups and runs them in reverse order
// when the "test" ends, as the testing package does.
type exampleTB struct {
	testing.TB
	cleanups []func()
}

func (tb *exampleTB) Helper()                        {}
func (tb *exampleTB) Cleanup(f func())               { tb.cleanups = append(tb.cleanups, f) }
func (tb *exampleTB) Fatalf(format string, a ...any) { log.Fatalf(format, a...) }
func (tb *exampleTB) end() {
	for _, f := range slices.Backward(tb.cleanups) {
		f()
	}
}

// login starts a session for the member of the organization org with this
// email and returns its token and JWT.
func login(s *emulator.Server, org, email string) (token, jwt string) {
	member, ok := s.MemberID(org, email)
	if !ok {
		log.Fatalf("no member %s in %s", email, org)
	}
	token, jwt, err := s.CreateSession(member)
	if err != nil {
		log.Fatal(err)
	}
	return token, jwt
}

// rejection returns the status and Stytch error type of err, or "no answer"
// when err is not an API rejection.
func rejection(err error) string {
	var apiErr *client.Error
	if errors.As(err, &apiErr) {
		return fmt.Sprint(apiErr.StatusCode, " ", apiErr.ErrorType)
	}
	return "no answer"
}

// clock is a time source an example moves by hand.
type clock struct{ now time.Time }

func (c *clock) Now() time.Time          { return c.now }
func (c *clock) Advance(d time.Duration) { c.now = c.now.Add(d) }
