package middlewaretest_test

import (
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/b2bauth/b2bauth/client"
	"github.com/b2bauth/b2bauth/emulator"
	"github.com/b2bauth/b2bauth/middleware"
)

// acmeSeed is the organization "acme" with one member, ada@acme.test, who
// holds roles.
func acmeSeed(roles ...string) emulator.Seed {
	return emulator.Seed{
		Organizations: []emulator.OrganizationSeed{{Name: "Acme", Slug: "acme"}},
		Members:       []emulator.MemberSeed{{Organization: "acme", Email: "ada@acme.test", Roles: roles}},
	}
}

// startExample starts an emulator built with emuOpts and a middleware, built
// with opts, for its project. The caller closes both.
func startExample(emuOpts []emulator.Option, opts ...middleware.Option) (*emulator.Server, *middleware.Middleware) {
	emu, err := emulator.New(emuOpts...)
	if err != nil {
		log.Fatal(err)
	}
	c, err := client.New(emu.ProjectID(), emu.Secret(), client.WithBaseURL(emu.URL()))
	if err != nil {
		log.Fatal(err)
	}
	m, err := middleware.New(c, opts...)
	if err != nil {
		log.Fatal(err)
	}
	return emu, m
}

// login starts a session for the member and returns its token and JWT.
func login(emu *emulator.Server, memberID string) (token, jwt string) {
	token, jwt, err := emu.CreateSession(memberID)
	if err != nil {
		log.Fatal(err)
	}
	return token, jwt
}

// serve serves r on h and returns the recorded response.
func serve(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}
