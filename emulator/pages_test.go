package emulator_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/b2bauth/b2bauth/emulator"
)

// TestPagesFitPhones: the emulator's own pages, the outbox and the
// provider stand-in, declare a viewport, so they read on a phone.
func TestPagesFitPhones(t *testing.T) {
	t.Parallel()
	s := emulator.NewTest(t)
	q := url.Values{"public_token": {s.PublicToken()}, "discovery_redirect_url": {"https://app.test/auth/callback"},
		"pkce_code_challenge": {"E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"}}
	for _, path := range []string{
		"/_emulator/outbox",
		"/v1/b2b/public/oauth/google/discovery/start?" + q.Encode(),
	} {
		t.Run(path, func(t *testing.T) {
			res, err := http.Get(s.URL() + path)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			b, _ := io.ReadAll(res.Body)
			if res.StatusCode != http.StatusOK || !strings.Contains(string(b), `<meta name="viewport" content="width=device-width, initial-scale=1">`) {
				t.Fatalf("GET %s = %d without a viewport:\n%s", path, res.StatusCode, b)
			}
		})
	}
}
