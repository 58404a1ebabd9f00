package emulator_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"testing"
	"time"

	"github.com/b2bauth/b2bauth/client"
	"github.com/b2bauth/b2bauth/emulator"
)

// ExampleNewTest shows a test against a seeded emulator that closes when the
// test ends. It needs the test's *testing.T, so it is compiled but not run
// here.
func ExampleNewTest() {
	// In a _test.go file:
	testSessions := func(t *testing.T) {
		s := emulator.NewTest(t, emulator.WithSeed(emulator.Seed{
			Organizations: []emulator.OrganizationSeed{{Name: "Acme", Slug: "acme"}},
			Members:       []emulator.MemberSeed{{Organization: "acme", Email: "ada@acme.test"}},
		}))
		c, err := s.Client()
		if err != nil {
			t.Fatal(err)
		}
		ada, _ := s.MemberID("acme", "ada@acme.test")
		token, _, err := s.CreateSession(ada)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Sessions.Authenticate(context.Background(), &client.SessionsAuthenticateParams{SessionToken: token}); err != nil {
			t.Errorf("authenticate: %v", err)
		}
	}
	_ = testSessions // func TestSessions(t *testing.T) { ... }
}

func ExampleServer_CreateSession() {
	clock := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	s, err := emulator.New(
		emulator.WithClock(func() time.Time { return clock }),
		emulator.WithSeed(emulator.Seed{
			Organizations: []emulator.OrganizationSeed{{Name: "Acme", Slug: "acme"}},
			Members: []emulator.MemberSeed{{Organization: "acme", Email: "ada@acme.test",
				Phone: "+15555550100", MFAPhoneNumberVerified: true}},
		}),
	)
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	c, err := s.Client()
	if err != nil {
		log.Fatal(err)
	}
	member, _ := s.MemberID("acme", "ada@acme.test")

	// A session as if ada had logged in by magic link an hour ago and done
	// SMS MFA just now, without walking the flow.
	token, _, err := s.CreateSession(member,
		emulator.WithSessionDuration(30*time.Minute),
		emulator.WithSessionCustomClaims(map[string]any{"plan": "pro"}),
		emulator.WithSessionFactors(
			emulator.Factor{Type: "magic_link", DeliveryMethod: "email", At: clock.Add(-time.Hour)},
			emulator.Factor{Type: "otp", DeliveryMethod: "sms"},
		),
	)
	if err != nil {
		log.Fatal(err)
	}
	resp, err := c.Sessions.Authenticate(context.Background(), &client.SessionsAuthenticateParams{SessionToken: token})
	if err != nil {
		log.Fatal(err)
	}
	ms := resp.MemberSession
	fmt.Println(ms.ExpiresAt.Sub(*ms.StartedAt), ms.CustomClaims["plan"])
	for _, f := range ms.AuthenticationFactors {
		fmt.Println(f.Type, f.DeliveryMethod, clock.Sub(*f.LastAuthenticatedAt))
	}
	fmt.Println(ms.AuthenticationFactors[1].PhoneNumberFactor.PhoneNumber)
	// Output:
	// 30m0s pro
	// magic_link email 1h0m0s
	// otp sms 0s
	// +15555550100
}

func ExampleServer_SetFault() {
	s, err := emulator.New()
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	c, err := s.Client()
	if err != nil {
		log.Fatal(err)
	}
	// authenticate prints the status and Stytch error type of the answer
	// to a sessions authenticate call, and whether the client reports
	// Stytch unavailable.
	authenticate := func() {
		_, err := c.Sessions.Authenticate(context.Background(), &client.SessionsAuthenticateParams{SessionToken: "any"})
		answer := "no answer"
		var apiErr *client.Error
		if errors.As(err, &apiErr) {
			answer = fmt.Sprint(apiErr.StatusCode, " ", apiErr.ErrorType)
		}
		fmt.Println(answer, errors.Is(err, client.ErrUnavailable))
	}

	const path = "/v1/b2b/sessions/authenticate"
	s.SetFault(emulator.Fault{Path: path, Status: http.StatusTooManyRequests})
	authenticate()

	s.SetFault(emulator.Fault{Path: path, Status: http.StatusBadGateway, ErrorType: "upstream_timeout"})
	authenticate()

	s.SetFault(emulator.Fault{Path: path, Drop: true})
	authenticate()

	// Without faults the emulator answers again: this session is unknown.
	s.ClearFaults()
	authenticate()
	// Output:
	// 429 too_many_requests true
	// 502 upstream_timeout true
	// no answer true
	// 404 session_not_found false
}
