package demo_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/b2bauth/b2bauth/examples/internal/demo"
)

// The READMEs that walk a newcomer through the demo, from this package's
// folder.
const (
	rootReadme     = "../../../README.md"
	examplesReadme = "../../README.md"
)

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestReadmesNameTheDemoAsSeeded: what the READMEs tell a newcomer to type
// (members, secrets, the emulator's fixed project, the seeded M2M client) is
// what the demo seeds, so following them leads to the dashboard.
func TestReadmesNameTheDemoAsSeeded(t *testing.T) {
	t.Parallel()
	members := []string{demo.AliceEmail, demo.BobEmail, demo.CarolEmail, demo.DaveEmail, demo.GinaEmail,
		demo.IvanEmail, demo.UmaEmail, demo.CarolTOTPSecret}
	tests := []struct {
		name, path string
		want       []string
	}{
		{"README.md names the seeded members, the project and the M2M client", rootReadme,
			append([]string{demo.EmulatorProjectID, demo.ReportsClientID, demo.ReportsClientSecret, demo.AlicePhone,
				demo.PathOutbox, demo.Prefix + "/o/" + demo.InitechSlug, demo.Prefix + "/o/" + demo.UmbrellaSlug,
				demo.Prefix + "/o/" + demo.HooliSlug, "@" + demo.HooliDomain}, members...)},
		{"examples/README.md names the seeded members and the shared emulator's project", examplesReadme,
			append([]string{demo.EmulatorProjectID, demo.EmulatorSecret, demo.AlicePassword, demo.PathOutbox}, members...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			text := readFile(t, tt.path)
			for _, w := range tt.want {
				if !strings.Contains(text, w) {
					t.Errorf("%s does not name %q", tt.path, w)
				}
			}
		})
	}
}

// syncBuffer is a log sink safe for the emulator's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestReadmeShowsTheConsoleLineOfTheMagicLink: the console line README.md's
// quick start tells the newcomer to look for is the one the demo prints when
// the login page sends a magic link, with the parts it elides ("…") left out.
func TestReadmeShowsTheConsoleLineOfTheMagicLink(t *testing.T) {
	t.Parallel()
	var quoted string
	for line := range strings.Lines(readFile(t, rootReadme)) {
		if strings.Contains(line, `msg="emulator: sent email"`) {
			quoted = strings.TrimSpace(line)
			break
		}
	}
	if quoted == "" {
		t.Fatalf("%s quotes no console line of a sent email", rootReadme)
	}

	console := &syncBuffer{}
	app, err := demo.New(t.Context(), demo.Config{Logger: slog.New(slog.NewTextHandler(console, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(app.Close)
	form := url.Values{"email": {demo.AliceEmail}, "return_to": {demo.PathDashboard}}
	req := httptest.NewRequest(http.MethodPost, demo.Prefix+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	app.Flows.ServeHTTP(rec, req)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != demo.Prefix+"/login/check-email" {
		t.Fatalf("login = %d to %q, want 303 to the check-email page: %s", rec.Code, rec.Header().Get("Location"), rec.Body)
	}

	var printed string
	for line := range strings.Lines(console.String()) {
		if strings.Contains(line, `msg="emulator: sent email"`) {
			printed = line
		}
	}
	rest := printed
	for _, part := range strings.Split(quoted, "…") {
		i := strings.Index(rest, part)
		if i < 0 {
			t.Fatalf("the README quotes the console line\n\t%s\nbut the demo printed\n\t%s(%q not found in order)", quoted, printed, part)
		}
		rest = rest[i+len(part):]
	}
}
