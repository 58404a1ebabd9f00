package emulator_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/b2bauth/b2bauth/emulator"
)

func ExampleNew() {
	s, err := emulator.New(emulator.WithSeed(emulator.Seed{
		Organizations: []emulator.OrganizationSeed{{Name: "Acme", Slug: "acme"}},
		Members:       []emulator.MemberSeed{{Organization: "acme", Email: "ada@acme.test"}},
	}))
	if err != nil {
		panic(err)
	}
	defer s.Close()

	org, _ := s.OrganizationID("acme")
	member, _ := s.MemberID(org, "ada@acme.test")
	token, _, err := s.CreateSession(member)
	if err != nil {
		panic(err)
	}

	// Authenticate the session token as a backend would.
	body, _ := json.Marshal(map[string]string{"session_token": token})
	req, _ := http.NewRequest("POST", s.URL()+"/v1/b2b/sessions/authenticate", bytes.NewReader(body))
	req.SetBasicAuth(s.ProjectID(), s.Secret())
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	defer res.Body.Close()
	var out struct {
		StatusCode    int `json:"status_code"`
		MemberSession struct {
			Roles []string `json:"roles"`
		} `json:"member_session"`
		Organization struct {
			Slug string `json:"organization_slug"`
		} `json:"organization"`
	}
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		panic(err)
	}
	fmt.Println(out.StatusCode, out.Organization.Slug, out.MemberSession.Roles)
	// Output: 200 acme [stytch_member]
}
