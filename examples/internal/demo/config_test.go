package demo_test

import (
	"strings"
	"testing"

	"github.com/b2bauth/b2bauth/examples/internal/demo"
)

func TestConfigFromEnv(t *testing.T) {
	t.Parallel()
	key := func(hashBytes, blockBytes int) string {
		return strings.Repeat("ab", hashBytes) + ":" + strings.Repeat("cd", blockBytes)
	}
	tests := []struct {
		name    string
		env     map[string]string
		want    demo.Config
		wantErr string
	}{
		{
			name: "defaults to the emulator on localhost:8080",
			env:  map[string]string{},
			want: demo.Config{Addr: "localhost:8080", PublicURL: "http://localhost:8080", EmulatorAddr: "127.0.0.1:0"},
		},
		{
			name: "derives the public URL from a wildcard listen address",
			env:  map[string]string{"ADDR": ":9090"},
			want: demo.Config{Addr: ":9090", PublicURL: "http://localhost:9090", EmulatorAddr: "127.0.0.1:0"},
		},
		{
			name: "keeps an explicit public URL without its trailing slash",
			env:  map[string]string{"PUBLIC_URL": "https://app.example.com/", "EMULATOR_ADDR": "127.0.0.1:4010"},
			want: demo.Config{Addr: "localhost:8080", PublicURL: "https://app.example.com", EmulatorAddr: "127.0.0.1:4010"},
		},
		{
			name: "selects Stytch with a project and a secret",
			env:  map[string]string{"STYTCH_PROJECT_ID": "project-test-1", "STYTCH_SECRET": "secret-test-1"},
			want: demo.Config{ProjectID: "project-test-1", Secret: "secret-test-1", Addr: "localhost:8080", PublicURL: "http://localhost:8080", EmulatorAddr: "127.0.0.1:0"},
		},
		{
			name: "shares limits and revocations through the Redis of REDIS_URL",
			env:  map[string]string{"REDIS_URL": " redis://localhost:6379/0 "},
			want: demo.Config{Addr: "localhost:8080", PublicURL: "http://localhost:8080", EmulatorAddr: "127.0.0.1:0", RedisURL: "redis://localhost:6379/0"},
		},
		{
			name: "reaches the project at STYTCH_API_URL",
			env:  map[string]string{"STYTCH_PROJECT_ID": "project-test-1", "STYTCH_SECRET": "secret-test-1", "STYTCH_API_URL": "http://127.0.0.1:9000"},
			want: demo.Config{ProjectID: "project-test-1", Secret: "secret-test-1", APIURL: "http://127.0.0.1:9000", Addr: "localhost:8080", PublicURL: "http://localhost:8080", EmulatorAddr: "127.0.0.1:0"},
		},
		{
			name:    "refuses STYTCH_API_URL without a project",
			env:     map[string]string{"STYTCH_API_URL": "http://127.0.0.1:9000"},
			wantErr: "STYTCH_API_URL",
		},
		{
			name:    "refuses a STYTCH_API_URL that is not a URL",
			env:     map[string]string{"STYTCH_PROJECT_ID": "project-test-1", "STYTCH_SECRET": "secret-test-1", "STYTCH_API_URL": "127.0.0.1:9000"},
			wantErr: "must be an absolute http(s) URL",
		},
		{
			name:    "refuses a secret without a project",
			env:     map[string]string{"STYTCH_SECRET": "secret-test-1"},
			wantErr: "set both STYTCH_PROJECT_ID and STYTCH_SECRET",
		},
		{
			name:    "refuses a public URL that is not http(s)",
			env:     map[string]string{"PUBLIC_URL": "ftp://app.example.com"},
			wantErr: "must be an absolute http(s) URL",
		},
		{
			name:    "refuses cookie keys that are not hex",
			env:     map[string]string{"B2BAUTH_COOKIE_KEYS": "zz:zz"},
			wantErr: "B2BAUTH_COOKIE_KEYS: b2bauth: flows: cookie key pair 0: hash key is not hex",
		},
		{
			name:    "refuses a cookie key pair without a block key",
			env:     map[string]string{"B2BAUTH_COOKIE_KEYS": strings.Repeat("ab", 32)},
			wantErr: `want hex "hash:block"`,
		},
		{
			name:    "refuses a short block key in the second pair",
			env:     map[string]string{"B2BAUTH_COOKIE_KEYS": key(32, 32) + "," + key(64, 8)},
			wantErr: "cookie key pair 1: block key must be 16, 24 or 32 bytes, got 8",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := demo.ConfigFromEnv(func(k string) string { return tt.env[k] })
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Clock == nil {
				t.Error("no default clock")
			}
			got.Clock = nil
			if got.ProjectID != tt.want.ProjectID || got.Secret != tt.want.Secret || got.Addr != tt.want.Addr ||
				got.PublicURL != tt.want.PublicURL || got.EmulatorAddr != tt.want.EmulatorAddr {
				t.Errorf("config %+v, want %+v", got, tt.want)
			}
		})
	}
}
