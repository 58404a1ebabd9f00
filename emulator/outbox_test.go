package emulator

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestOutboxPage(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	wantOK(t, f.do(t, "POST", "/v1/b2b/magic_links/email/discovery/send", map[string]any{"email_address": "alice@acme.test"}))
	wantOK(t, f.do(t, "POST", "/v1/b2b/otps/sms/send", map[string]any{"organization_id": f.acme, "member_id": f.bob}))
	link, _, _ := f.LastMagicLink("alice@acme.test")
	code := f.LastSMSCode("+15555550100")
	if msgs := f.Outbox(); len(msgs) != 2 || msgs[0].Kind != KindEmail || msgs[1].Kind != KindSMS {
		t.Fatalf("outbox = %v", msgs)
	}

	get := func(t *testing.T, accept string) (*http.Response, string) {
		req, _ := http.NewRequest("GET", f.URL()+"/_emulator/outbox", nil)
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		return res, string(body)
	}
	t.Run("the page is HTML by default and needs no credentials", func(t *testing.T) {
		res, body := get(t, "")
		if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
			t.Fatalf("got %d %s", res.StatusCode, res.Header.Get("Content-Type"))
		}
		escaped := strings.ReplaceAll(link, "&", "&amp;")
		if !strings.Contains(body, escaped) || !strings.Contains(body, code) {
			t.Fatalf("page lacks the link or code: %s", body)
		}
	})
	t.Run("the page is JSON when asked", func(t *testing.T) {
		res, body := get(t, "application/json")
		var out struct {
			Messages []Message `json:"messages"`
		}
		if err := json.Unmarshal([]byte(body), &out); err != nil || res.StatusCode != 200 || len(out.Messages) != 2 {
			t.Fatalf("got %d %s: %v", res.StatusCode, body, err)
		}
		if out.Messages[0].Code != code || out.Messages[1].URL != link {
			t.Errorf("messages (newest first) = %+v", out.Messages)
		}
	})
	t.Run("unknown recipients have nothing", func(t *testing.T) {
		if _, _, ok := f.LastMagicLink("nobody@x.test"); ok || f.LastSMSCode("+1000") != "" {
			t.Fatal("found a message for nobody")
		}
	})
}
