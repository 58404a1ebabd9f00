package emulator_test

import (
	"context"
	"fmt"
	"time"

	"github.com/b2bauth/b2bauth/client"
	"github.com/b2bauth/b2bauth/emulator"
)

func ExampleServer_Client() {
	s, err := emulator.New(emulator.WithSeed(emulator.Seed{
		Organizations: []emulator.OrganizationSeed{{Name: "Acme", Slug: "acme"}},
		Members:       []emulator.MemberSeed{{Organization: "acme", Email: "ada@acme.test"}},
	}))
	if err != nil {
		panic(err)
	}
	defer s.Close()

	// A client of the emulated project, with options of its own.
	c, err := s.Client(client.WithTimeout(2 * time.Second))
	if err != nil {
		panic(err)
	}

	org, _ := s.OrganizationID("acme")
	member, _ := s.MemberID(org, "ada@acme.test")
	token, _, err := s.CreateSession(member)
	if err != nil {
		panic(err)
	}
	res, err := c.Sessions.Authenticate(context.Background(), &client.SessionsAuthenticateParams{SessionToken: token})
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Organization.OrganizationSlug, res.MemberSession.Roles)
	// Output: acme [stytch_member]
}
