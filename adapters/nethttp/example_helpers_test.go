package b2bhttp_test

import (
	"log"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/b2bauth/b2bauth/client"
	"github.com/b2bauth/b2bauth/emulator"
	"github.com/b2bauth/b2bauth/middleware"
)

// exampleWorld starts an emulator holding the organization acme, with an
// admin (ada@acme.test) and a plain member (bob@acme.test); it returns the
// emulator and a middleware for its project. The caller closes both.
func exampleWorld() (*emulator.Server, *middleware.Middleware) {
	emu, err := emulator.New(emulator.WithSeed(emulator.Seed{
		Organizations: []emulator.OrganizationSeed{{Name: "Acme", Slug: "acme"}},
		Members: []emulator.MemberSeed{
			{Organization: "acme", Email: "ada@acme.test", Roles: []string{"stytch_admin"}},
			{Organization: "acme", Email: "bob@acme.test"},
		},
	}))
	if err != nil {
		log.Fatal(err)
	}
	c, err := client.New(emu.ProjectID(), emu.Secret(), client.WithBaseURL(emu.URL()))
	if err != nil {
		log.Fatal(err)
	}
	m, err := middleware.New(c)
	if err != nil {
		log.Fatal(err)
	}
	return emu, m
}

// exampleLogin starts a session for the member of organization org with that
// email and returns its session JWT.
func exampleLogin(emu *emulator.Server, org, email string, opts ...emulator.SessionOption) string {
	member, ok := emu.MemberID(org, email)
	if !ok {
		log.Fatalf("no member %s in %s", email, org)
	}
	_, jwt, err := emu.CreateSession(member, opts...)
	if err != nil {
		log.Fatal(err)
	}
	return jwt
}

// exampleDo serves a request of method and path on h, with jwt as the bearer
// token unless it is empty, and returns the status and the body without its
// final newline.
func exampleDo(h http.Handler, method, path, jwt string) (int, string) {
	req := httptest.NewRequest(method, path, nil)
	if jwt != "" {
		req.Header.Set("Authorization", "Bearer "+jwt)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w.Code, strings.TrimSuffix(w.Body.String(), "\n")
}

// exampleGet is exampleDo for a GET.
func exampleGet(h http.Handler, path, jwt string) (int, string) {
	return exampleDo(h, http.MethodGet, path, jwt)
}
