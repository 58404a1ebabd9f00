package flows_test

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"time"

	"github.com/b2bauth/b2bauth/client"
	"github.com/b2bauth/b2bauth/emulator"
	"github.com/b2bauth/b2bauth/flows"
	"github.com/b2bauth/b2bauth/middleware"
)

// examplePublicToken is the emulator's public token, for OAuth starts.
const examplePublicToken = "public-token-test-example"

// exampleKeys returns a key pair. Real keys come from a secret store.
func exampleKeys() flows.KeyPair {
	p := flows.KeyPair{Hash: make([]byte, 32), Block: make([]byte, 32)}
	rand.Read(p.Hash)
	rand.Read(p.Block)
	return p
}

// jsonRequest is a request of a JSON client of the flows on
// https://app.example, with body as its JSON object, if any.
func jsonRequest(method, path string, body map[string]string, cookies ...*http.Cookie) *http.Request {
	var r *http.Request
	if body != nil {
		b, _ := json.Marshal(body)
		r = httptest.NewRequest(method, "https://app.example"+path, bytes.NewReader(b))
		r.Header.Set("Content-Type", "application/json")
	} else {
		r = httptest.NewRequest(method, "https://app.example"+path, nil)
	}
	r.Header.Set("Accept", "application/json")
	for _, c := range cookies {
		r.AddCookie(c)
	}
	return r
}

// exchange serves r and returns the response, and its status with the JSON
// answer's error code and next step.
func exchange(h http.Handler, r *http.Request) (*http.Response, string) {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	var body struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
		Next     string `json:"next"`
		Redirect string `json:"redirect"`
	}
	_ = json.NewDecoder(w.Body).Decode(&body)
	return w.Result(), strings.Join(strings.Fields(fmt.Sprint(w.Code, " ", body.Error.Code, " ", body.Next, " ", body.Redirect)), " ")
}

// flowCookie returns the flow cookie set by res.
func flowCookie(res *http.Response) *http.Cookie {
	for _, c := range res.Cookies() {
		if c.Name == "__Host-b2bauth_flow" && c.MaxAge >= 0 {
			return c
		}
	}
	return nil
}

// exampleStytch is exampleStytchAt on the wall clock.
func exampleStytch(opts ...middleware.Option) (*emulator.Server, *client.Client, *middleware.Middleware) {
	return exampleStytchAt(time.Now, opts...)
}

// exampleStytchAt starts an emulator on the clock now, with the public token
// examplePublicToken, and returns a client and a middleware, on the same
// clock, for it. The seed holds "acme", with one member (ada@acme.test),
// and "secure", an organization requiring MFA for all, whose member
// sam@secure.test has a verified phone and an authenticator app as the
// default method, so no text is sent before he asks for one. The middleware
// has the login URL /auth/login, then opts. The caller closes both.
func exampleStytchAt(now func() time.Time, opts ...middleware.Option) (*emulator.Server, *client.Client, *middleware.Middleware) {
	emu, err := emulator.New(
		emulator.WithClock(now),
		emulator.WithPublicToken(examplePublicToken),
		emulator.WithSeed(emulator.Seed{
			Organizations: []emulator.OrganizationSeed{
				{Name: "Acme", Slug: "acme"},
				{Name: "Secure", Slug: "secure", MFAPolicy: client.MFAPolicyRequiredForAll},
			},
			Members: []emulator.MemberSeed{
				{Organization: "acme", Email: "ada@acme.test"},
				{Organization: "secure", Email: "sam@secure.test", Phone: "+15555550101", MFAPhoneNumberVerified: true,
					TOTPSecret: "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", DefaultMFAMethod: client.MFAMethodTOTP},
			},
		}))
	if err != nil {
		log.Fatal(err)
	}
	c, err := client.New(emu.ProjectID(), emu.Secret(), client.WithBaseURL(emu.URL()))
	if err != nil {
		log.Fatal(err)
	}
	m, err := middleware.New(c, append([]middleware.Option{middleware.WithClock(now), middleware.WithLoginURL("/auth/login")}, opts...)...)
	if err != nil {
		log.Fatal(err)
	}
	return emu, c, m
}

// newLogin is flows.New with fresh cookie keys, the public URL
// https://app.example and opts; it stops the example on an error.
func newLogin(c *client.Client, m *middleware.Middleware, opts ...flows.Option) *flows.Handler {
	h, err := flows.New(c, m, append([]flows.Option{
		flows.WithCookieKeys(exampleKeys()),
		flows.WithPublicURL("https://app.example"),
	}, opts...)...)
	if err != nil {
		log.Fatal(err)
	}
	return h
}

// record serves r on h and returns the recorded response.
func record(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// smsSendPath is Stytch's SMS one-time passcode send call.
const smsSendPath = "/v1/b2b/otps/sms/send"

// startLogin runs the email step and the magic link of a JSON client, with
// returnTo as the return path if not empty, and returns the flow cookie
// waiting for the organization choice.
func startLogin(h http.Handler, emu *emulator.Server, email, returnTo string) *http.Cookie {
	body := map[string]string{"email": email}
	if returnTo != "" {
		body["return_to"] = returnTo
	}
	res, next := exchange(h, jsonRequest(http.MethodPost, "/auth/login", body))
	if next != "200 check_email" {
		log.Fatalf("POST /auth/login: %s", next)
	}
	_, token, _ := emu.LastMagicLink(email)
	res, next = exchange(h, jsonRequest(http.MethodGet,
		"/auth/callback?stytch_token_type=discovery&token="+url.QueryEscape(token), nil, flowCookie(res)))
	if next != "200 select_organization /auth/organizations" {
		log.Fatalf("GET /auth/callback: %s", next)
	}
	return flowCookie(res)
}

// selectOrganization posts the choice of the organization with this slug.
func selectOrganization(h http.Handler, emu *emulator.Server, slug string, flow *http.Cookie) (*http.Response, string) {
	id, _ := emu.OrganizationID(slug)
	return exchange(h, jsonRequest(http.MethodPost, "/auth/organizations/select", map[string]string{"organization_id": id}, flow))
}
