package flows_test

import (
	"crypto/rand"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/b2bauth/b2bauth/client"
	"github.com/b2bauth/b2bauth/emulator"
	"github.com/b2bauth/b2bauth/flows"
	"github.com/b2bauth/b2bauth/middleware"
)

// ExampleNew mounts the login handlers under /auth next to an app whose
// pages require a session. Stytch is played by the emulator here; use
// client.New("project-live-...", secret) in production, and load the cookie
// keys from your secret store instead of generating them at start.
func ExampleNew() {
	stytch, err := emulator.New()
	if err != nil {
		log.Fatal(err)
	}
	defer stytch.Close()

	c, err := client.New(stytch.ProjectID(), stytch.Secret(), client.WithBaseURL(stytch.URL()))
	if err != nil {
		log.Fatal(err)
	}
	m, err := middleware.New(c,
		middleware.WithLoginURL("/auth/login"),
		middleware.WithStepUpURL("/auth/step-up"))
	if err != nil {
		log.Fatal(err)
	}
	defer m.Close()

	hashKey, blockKey := make([]byte, 32), make([]byte, 32)
	rand.Read(hashKey)
	rand.Read(blockKey)
	login, err := flows.New(c, m,
		flows.WithCookieKeys(flows.KeyPair{Hash: hashKey, Block: blockKey}),
		flows.WithPublicURL("https://app.example"),
		flows.WithAfterLoginPath("/dashboard"))
	if err != nil {
		log.Fatal(err)
	}

	mux := http.NewServeMux()
	mux.Handle("/auth/", login)
	mux.Handle("/dashboard", m.RequireSession(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, _ := middleware.SessionFrom(r.Context())
		fmt.Fprintln(w, "hello", s.MemberID)
	})))

	// A JSON client asks where the login starts.
	req := httptest.NewRequest(http.MethodGet, "https://app.example/auth/login", nil)
	req.Header.Set("Accept", "application/json")
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, req)
	fmt.Print(rec.Code, " ", rec.Body.String())

	// A browser without a session is sent to the login page.
	req = httptest.NewRequest(http.MethodGet, "https://app.example/dashboard", nil)
	req.Header.Set("Accept", "text/html")
	rec = httptest.NewRecorder()
	mux.ServeHTTP(rec, req)
	fmt.Println(rec.Code, rec.Header().Get("Location"))
	// Output:
	// 200 {"next":"email"}
	// 303 /auth/login?return_to=%2Fdashboard
}
