package emulator

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Message kinds in the outbox.
const (
	KindEmail = "email"
	KindSMS   = "sms"
)

// Message is an email or SMS the emulator "sent". Nothing leaves the
// process: messages are kept in the outbox and logged.
type Message struct {
	Kind    string    `json:"kind"`
	To      string    `json:"to"`
	Subject string    `json:"subject,omitempty"`
	Body    string    `json:"body"`
	URL     string    `json:"url,omitempty"`
	Token   string    `json:"token,omitempty"`
	Code    string    `json:"code,omitempty"`
	SentAt  time.Time `json:"sent_at"`
}

func (s *Server) sendLocked(msg Message) {
	s.outbox = append(s.outbox, msg)
	s.log.Info("emulator: sent "+msg.Kind, "to", msg.To, "body", msg.Body)
}

// Outbox returns every message sent so far, oldest first.
func (s *Server) Outbox() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.outbox)
}

// LastMagicLink returns the URL and token of the last magic link sent to an
// email; ok is false when none was.
func (s *Server) LastMagicLink(email string) (link, token string, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := len(s.outbox) - 1; i >= 0; i-- {
		m := s.outbox[i]
		if m.Kind == KindEmail && strings.EqualFold(m.To, email) && m.Token != "" {
			return m.URL, m.Token, true
		}
	}
	return "", "", false
}

// LastSMSCode returns the last one-time code sent to a phone number, or "".
func (s *Server) LastSMSCode(phone string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := len(s.outbox) - 1; i >= 0; i-- {
		if m := s.outbox[i]; m.Kind == KindSMS && m.To == phone {
			return m.Code
		}
	}
	return ""
}

// handleOutbox shows the outbox: HTML for people, JSON for
// "Accept: application/json". It needs no credentials: it is a development
// page of the emulator, not part of the Stytch API.
func (s *Server) handleOutbox(w http.ResponseWriter, r *http.Request) {
	msgs := s.Outbox()
	slices.Reverse(msgs)
	if strings.Contains(r.Header.Get("Accept"), "application/json") {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"messages": msgs})
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := s.outboxT.Execute(w, msgs); err != nil {
		s.log.Debug("emulator: write outbox page", "err", err)
	}
}

const outboxHTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>b2bauth emulator outbox</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem}table{border-collapse:collapse;width:100%}
td,th{border:1px solid #ccc;padding:.4rem .6rem;text-align:left;vertical-align:top;overflow-wrap:anywhere}code{font-size:1.1em}</style>
</head><body><main>
<h1>Outbox</h1>
<p>Messages the emulator "sent", newest first. Nothing leaves this process.</p>
{{if .}}<table><tr><th>Sent</th><th>Kind</th><th>To</th><th>Content</th></tr>
{{range .}}<tr><td>{{.SentAt.Format "2006-01-02 15:04:05Z07:00"}}</td><td>{{.Kind}}</td><td>{{.To}}</td>
<td>{{if .URL}}<a href="{{.URL}}">{{.URL}}</a>{{else if .Code}}code <code>{{.Code}}</code>{{else}}{{.Body}}{{end}}</td></tr>
{{end}}</table>{{else}}<p>No messages yet.</p>{{end}}
</main></body></html>
`
