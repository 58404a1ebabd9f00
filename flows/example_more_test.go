package flows_test

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing/fstest"

	"github.com/b2bauth/b2bauth/flows"
	"github.com/b2bauth/b2bauth/middleware"
)

// ExampleWithCookieKeys rotates the flow cookie keys: the new pair comes
// first and encodes, the old pair still decodes the flows started before the
// rotation, until it is dropped after the flow lifetime (10 minutes).
func ExampleWithCookieKeys() {
	emu, c, m := exampleStytch()
	defer emu.Close()
	defer m.Close()
	oldKeys, newKeys := exampleKeys(), exampleKeys()
	handler := func(keys ...flows.KeyPair) *flows.Handler {
		h, err := flows.New(c, m, flows.WithCookieKeys(keys...), flows.WithPublicURL("https://app.example"))
		if err != nil {
			log.Fatal(err)
		}
		return h
	}
	before, during, after := handler(oldKeys), handler(newKeys, oldKeys), handler(newKeys)

	// A member asks for a magic link before the rotation...
	res, next := exchange(before, jsonRequest(http.MethodPost, "/auth/login", map[string]string{"email": "ada@acme.test"}))
	fmt.Println(next)
	flow := flowCookie(res)
	_, token, _ := emu.LastMagicLink("ada@acme.test")
	callback := "/auth/callback?stytch_token_type=discovery&token=" + url.QueryEscape(token)

	// ...and opens it after: only a handler that still holds the old keys
	// can continue the flow.
	_, next = exchange(after, jsonRequest(http.MethodGet, callback, nil, flow))
	fmt.Println(next)
	_, next = exchange(during, jsonRequest(http.MethodGet, callback, nil, flow))
	fmt.Println(next)
	// Output:
	// 200 check_email
	// 401 link_invalid email
	// 200 select_organization /auth/organizations
}

func ExampleKeyPair() {
	emu, c, m := exampleStytch()
	defer emu.Close()
	defer m.Close()

	// A hash key of 32 or 64 bytes and a block key of 16, 24 or 32 bytes,
	// from a cryptographic random source (here) or a secret store.
	keys := flows.KeyPair{Hash: make([]byte, 64), Block: make([]byte, 32)}
	rand.Read(keys.Hash)
	rand.Read(keys.Block)
	_, err := flows.New(c, m, flows.WithCookieKeys(keys), flows.WithPublicURL("https://app.example"))
	fmt.Println(err)

	_, err = flows.New(c, m, flows.WithCookieKeys(flows.KeyPair{Hash: []byte("too short"), Block: keys.Block}),
		flows.WithPublicURL("https://app.example"))
	fmt.Println(err)
	// Output:
	// <nil>
	// b2bauth: flows: cookie key pair 0: hash key must be 32 or 64 bytes, got 9
}

func ExampleWithPublicURL() {
	emu, c, m := exampleStytch()
	defer emu.Close()
	defer m.Close()

	for _, opts := range [][]flows.Option{
		{flows.WithCookieKeys(exampleKeys())},
		{flows.WithCookieKeys(exampleKeys()), flows.WithPublicURL("app.example")},
		{flows.WithCookieKeys(exampleKeys()), flows.WithPublicURL("https://app.example/")},
	} {
		_, err := flows.New(c, m, opts...)
		fmt.Println(err)
	}
	// Output:
	// b2bauth: flows: the public URL is required: use WithPublicURL, e.g. "https://app.example.com"
	// b2bauth: flows: public URL "app.example" must be an absolute http(s) URL without credentials, query or fragment
	// <nil>
}

// ExampleHandler_Prefix mounts the flows under another prefix than /auth.
// The middleware's login URL must name the same prefix.
func ExampleHandler_Prefix() {
	emu, c, m := exampleStytch(middleware.WithLoginURL("/account/login"))
	defer emu.Close()
	defer m.Close()
	login := newLogin(c, m, flows.WithPrefix("/account"))

	mux := http.NewServeMux()
	mux.Handle(login.Prefix()+"/", login)
	fmt.Println(login.Prefix())
	_, next := exchange(mux, jsonRequest(http.MethodGet, "/account/login", nil))
	fmt.Println(next)
	_, next = exchange(login, jsonRequest(http.MethodGet, "/auth/login", nil))
	fmt.Println(next)
	// Output:
	// /account
	// 200 email
	// 404
}

// ExampleHandler_logout ends a session: POST /auth/logout revokes it at
// Stytch and clears the session and flow cookies.
func ExampleHandler_logout() {
	emu, c, m := exampleStytch()
	defer emu.Close()
	defer m.Close()
	login := newLogin(c, m)
	memberID, _ := emu.MemberID("acme", "ada@acme.test")
	token, jwt, err := emu.CreateSession(memberID)
	if err != nil {
		log.Fatal(err)
	}
	session := &http.Cookie{Name: middleware.DefaultSessionCookie, Value: token}

	res, next := exchange(login, jsonRequest(http.MethodPost, "/auth/logout", nil,
		session, &http.Cookie{Name: middleware.DefaultJWTCookie, Value: jwt}))
	fmt.Println(next)
	for _, c := range res.Cookies() {
		if c.MaxAge < 0 {
			fmt.Println("cleared", c.Name)
		}
	}

	// The session token no longer authenticates.
	_, next = exchange(m.RequireSession(http.NotFoundHandler()), jsonRequest(http.MethodGet, "/dashboard", nil, session))
	fmt.Println(next)
	// Output:
	// 200 done /
	// cleared stytch_session
	// cleared stytch_session_jwt
	// cleared __Host-b2bauth_flow
	// cleared __Host-b2bauth_stepup
	// 401 session_invalid
}

func ExampleWithTemplates() {
	emu, c, m := exampleStytch()
	defer emu.Close()
	defer m.Close()

	// Only the login page is replaced; the other pages stay the defaults.
	pages := template.Must(template.New("login.html").Parse(
		`<h1>Sign in to Acme</h1><form method="post" action="{{.Prefix}}/login">` +
			`<input type="hidden" name="return_to" value="{{.ReturnTo}}"><input name="email"></form>`))
	login := newLogin(c, m, flows.WithTemplates(pages))

	r := httptest.NewRequest(http.MethodGet, "https://app.example/auth/login?return_to=/reports", nil)
	r.Header.Set("Accept", "text/html")
	w := record(login, r)
	fmt.Println(w.Code)
	fmt.Println(w.Body.String())
	// Output:
	// 200
	// <h1>Sign in to Acme</h1><form method="post" action="/auth/login"><input type="hidden" name="return_to" value="/reports"><input name="email"></form>
}

// ExampleWithTemplateFS overrides the login page from a file system, such as
// an embed.FS of the application's templates. The page still calls the
// default "error" block.
func ExampleWithTemplateFS() {
	emu, c, m := exampleStytch()
	defer emu.Close()
	defer m.Close()

	fsys := fstest.MapFS{"login.html": {Data: []byte(`<h1>Acme</h1>{{template "error" .}}`)}}
	login := newLogin(c, m, flows.WithTemplateFS(fsys))

	r := httptest.NewRequest(http.MethodPost, "https://app.example/auth/login", strings.NewReader("email=not-an-email"))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Accept", "text/html")
	w := record(login, r)
	// A failed form leads back to its page (post/redirect/get), which
	// shows the message.
	fmt.Println(w.Code, w.Header().Get("Location"))
	r = httptest.NewRequest(http.MethodGet, "https://app.example"+w.Header().Get("Location"), nil)
	for _, c := range w.Result().Cookies() {
		r.AddCookie(c)
	}
	w = record(login, r)
	fmt.Println(w.Code)
	fmt.Println(w.Body.String())
	// Output:
	// 303 /auth/login
	// 200
	// <h1>Acme</h1><p class="error" role="alert" id="error">Enter a valid email address.</p>
}

func ExampleWithOAuth() {
	emu, c, m := exampleStytch()
	defer emu.Close()
	defer m.Close()
	login := newLogin(c, m, flows.WithOAuth(examplePublicToken, "google", "microsoft"))

	// The login page posts the chosen provider; the browser is then sent to
	// Stytch, which sends it back to /auth/callback.
	w := httptest.NewRecorder()
	login.ServeHTTP(w, jsonRequest(http.MethodPost, "/auth/oauth/start", map[string]string{"provider": "google"}))
	var body struct{ Next, Redirect string }
	if err := json.NewDecoder(w.Body).Decode(&body); err != nil {
		log.Fatal(err)
	}
	target, err := url.Parse(body.Redirect)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(w.Code, body.Next)
	fmt.Println(target.Path)
	fmt.Println(target.Query().Get("discovery_redirect_url"))
	// Output:
	// 200 oauth
	// /v1/b2b/public/oauth/google/discovery/start
	// https://app.example/auth/callback
}

func ExampleError() {
	emu, c, m := exampleStytch()
	defer emu.Close()
	defer m.Close()
	login := newLogin(c, m)

	// JSON answers carry the code of the failure and the next step: a code
	// sent without a sign-in in progress starts again at the email form.
	_, next := exchange(login, jsonRequest(http.MethodPost, "/auth/mfa/sms/verify", map[string]string{"code": "123456"}))
	fmt.Println(next)

	// In Go, an *Error matches its sentinel, whatever its cause.
	err := fmt.Errorf("verify: %w", flows.ErrInvalidCode)
	var e *flows.Error
	if errors.As(err, &e) {
		fmt.Println(errors.Is(err, flows.ErrInvalidCode), e.Code, e.Status, e.Restart())
	}
	fmt.Println(flows.ErrFlowExpired.Code, flows.ErrFlowExpired.Restart())
	// Output:
	// 401 flow_missing email
	// true invalid_code 401 false
	// flow_expired true
}

func ExampleWithLogger() {
	emu, c, m := exampleStytch()
	defer emu.Close()
	defer m.Close()

	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey { // for a stable example output
				return slog.Attr{}
			}
			return a
		},
	}))
	login := newLogin(c, m, flows.WithLogger(logger))

	// A cross-site form post is refused and logged.
	r := httptest.NewRequest(http.MethodPost, "https://app.example/auth/logout", nil)
	r.Header.Set("Sec-Fetch-Site", "cross-site")
	w := record(login, r)
	fmt.Println(w.Code)
	// Output:
	// level=INFO msg="b2bauth: flows: step failed" code=cross_origin path=/auth/logout
	// 403
}

func ExamplePage_Allows() {
	p := &flows.Page{Methods: []string{"sms_otp", "totp"}}
	fmt.Println(p.Allows("totp"), p.Allows("recovery_code"))
	// Output: true false
}
