package client_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/b2bauth/b2bauth/client"
	"github.com/b2bauth/b2bauth/emulator"
)

// ExampleWithJWKSHTTPClient fetches the key set through an HTTP client of its
// own, e.g. one allowed through an egress proxy or traced separately; API
// calls keep the client's.
func ExampleWithJWKSHTTPClient() {
	s, _, stop := startExample()
	defer stop()
	api, keys := &countingTransport{base: http.DefaultTransport}, &countingTransport{base: http.DefaultTransport}
	c, err := client.New(s.ProjectID(), s.Secret(), client.WithBaseURL(s.URL()),
		client.WithHTTPClient(&http.Client{Transport: api}))
	if err != nil {
		log.Fatal(err)
	}

	jwks, err := c.NewJWKS(context.Background(), client.WithJWKSHTTPClient(&http.Client{Transport: keys}))
	if err != nil {
		log.Fatal(err)
	}
	defer jwks.Close()
	if _, err := c.RBAC.Policy(context.Background(), nil); err != nil {
		log.Fatal(err)
	}
	fmt.Println("API calls:", api.n.Load())
	fmt.Println("key set fetches:", keys.n.Load())
	// Output:
	// API calls: 1
	// key set fetches: 1
}

// ExampleWithUnknownKIDInterval: a JWT naming a key the set lacks makes the
// set be fetched again, at most once per interval, so a flood of tokens with
// made-up key IDs cannot turn into a flood of fetches.
func ExampleWithUnknownKIDInterval() {
	s, c, stop := startExample()
	defer stop()
	jwks, err := c.NewJWKS(context.Background(), client.WithUnknownKIDInterval(time.Hour))
	if err != nil {
		log.Fatal(err)
	}
	defer jwks.Close()
	ada := mustMember(s, "acme", exampleAda)
	jwksPath := "/v1/b2b/sessions/jwks/" + c.ProjectID()

	for range 2 {
		s.RotateKey() // Stytch signs with a new key from now on
		_, sessionJWT, err := s.CreateSession(ada)
		if err != nil {
			log.Fatal(err)
		}
		_, err = jwt.Parse(sessionJWT, jwks.Keyfunc)
		fmt.Printf("unknown kid: %v, key set fetches: %d\n", errors.Is(err, client.ErrUnknownKID), s.Calls(http.MethodGet, jwksPath))
	}
	// Output:
	// unknown kid: false, key set fetches: 2
	// unknown kid: true, key set fetches: 2
}

// ExampleWithStartWait: NewJWKS does not wait for a slow key set longer than
// the start wait, and a token checked meanwhile waits for that same fetch
// (at most the key wait) instead of starting another.
func ExampleWithStartWait() {
	s, c, stop := startExample()
	defer stop()
	_, sessionJWT := login(s, "acme", exampleAda)
	jwksPath := "/v1/b2b/sessions/jwks/" + c.ProjectID()
	s.SetFault(emulator.Fault{Path: jwksPath, Latency: 200 * time.Millisecond})

	jwks, err := c.NewJWKS(context.Background(), client.WithStartWait(0), client.WithKeyWait(5*time.Second))
	if err != nil {
		log.Fatal(err)
	}
	defer jwks.Close()
	_, err = jwt.Parse(sessionJWT, jwks.Keyfunc)
	fmt.Println(err)
	fmt.Println("key set fetches:", s.Calls(http.MethodGet, jwksPath))
	// Output:
	// <nil>
	// key set fetches: 1
}

// uaTransport prints the User-Agent of each request it sends.
type uaTransport struct{}

func (uaTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	fmt.Println(r.URL.Path, r.Header.Get("User-Agent"))
	return http.DefaultTransport.RoundTrip(r)
}

// ExampleWithUserAgent names the application in the User-Agent of API calls
// and key set fetches alike.
func ExampleWithUserAgent() {
	s, err := emulator.New(emulator.WithProjectID("project-test-example"))
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	c, err := client.New(s.ProjectID(), s.Secret(), client.WithBaseURL(s.URL()),
		client.WithHTTPClient(&http.Client{Transport: uaTransport{}}),
		client.WithUserAgent("acme-billing/2.3"))
	if err != nil {
		log.Fatal(err)
	}

	if _, err := c.RBAC.Policy(context.Background(), nil); err != nil {
		log.Fatal(err)
	}
	jwks, err := c.NewJWKS(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	jwks.Close()
	// Output:
	// /v1/b2b/rbac/policy acme-billing/2.3
	// /v1/b2b/sessions/jwks/project-test-example acme-billing/2.3
}

// ExampleWithPolicyMaxAge bounds how long a change to the project's roles at
// Stytch takes to reach local authorization checks. The policy cache runs on
// a clock the example moves by hand (WithPolicyClock).
func ExampleWithPolicyMaxAge() {
	s, c, stop := startExample()
	defer stop()
	acme := mustOrg(s, "acme")
	now := time.Date(2030, time.January, 2, 9, 0, 0, 0, time.UTC)
	cache := c.NewPolicyCache(
		client.WithPolicyMaxAge(time.Minute),
		client.WithPolicyClock(func() time.Time { return now }))
	check := client.AuthorizationCheck{OrganizationID: acme, ResourceID: "documents", Action: "read"}
	authorize := func() {
		err := cache.Authorize(context.Background(), acme, []string{"reviewer"}, check)
		fmt.Println(now.Format("15:04:05"), "reviewer may read:", err == nil)
	}

	authorize()
	// An administrator adds the role at Stytch.
	if err := s.AddRole(emulator.Role{RoleID: "reviewer",
		Permissions: []emulator.Permission{{ResourceID: "documents", Actions: []string{"read"}}}}); err != nil {
		log.Fatal(err)
	}
	now = now.Add(30 * time.Second)
	authorize()
	now = now.Add(30 * time.Second)
	authorize()
	// Output:
	// 09:00:00 reviewer may read: false
	// 09:00:30 reviewer may read: false
	// 09:01:00 reviewer may read: true
}

// ExampleJWKS_Close stops the background refresh. Keys asked of a closed set
// are refused as unavailable, not as a verdict on the token.
func ExampleJWKS_Close() {
	s, c, stop := startExample()
	defer stop()
	_, sessionJWT := login(s, "acme", exampleAda)
	jwks, err := c.NewJWKS(context.Background())
	if err != nil {
		log.Fatal(err)
	}

	_, err = jwt.Parse(sessionJWT, jwks.Keyfunc)
	fmt.Println(err)
	jwks.Close()
	_, err = jwt.Parse(sessionJWT, jwks.Keyfunc)
	fmt.Println(errors.Is(err, client.ErrUnavailable))
	// Output:
	// <nil>
	// true
}
