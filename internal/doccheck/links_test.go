package doccheck

import (
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"
)

// localLink matches the target of a Markdown link or image, or of an HTML
// src or href attribute.
var localLink = regexp.MustCompile(`\]\(([^)\s]+)\)|(?:src|href)="([^"]+)"`)

// links returns the targets of the links of a document that point into the
// repository: not to another site, not mail addresses.
func links(lines []string) []string {
	var out []string
	for _, l := range lines {
		for _, m := range localLink.FindAllStringSubmatch(l, -1) {
			target := m[1] + m[2]
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			out = append(out, target)
		}
	}
	return out
}

// anchor is GitHub's anchor for a heading: lower case, spaces as hyphens,
// other punctuation dropped.
func anchor(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(heading)) {
		switch {
		case r == ' ':
			b.WriteByte('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

// anchors returns the anchors of a document's headings.
func anchors(lines []string) []string {
	var out []string
	for _, l := range lines {
		if h, ok := strings.CutPrefix(l, "#"); ok {
			out = append(out, anchor(strings.TrimLeft(h, "#")))
		}
	}
	return out
}

func TestDocumentLinksLeadSomewhere(t *testing.T) {
	for _, file := range tableDocuments {
		t.Run(file, func(t *testing.T) {
			for _, target := range links(markdownLines(t, file)) {
				p, frag, _ := strings.Cut(target, "#")
				linked := file
				if p != "" {
					linked = path.Join(path.Dir(file), p)
					if _, err := os.Stat(filepath.Join(root, linked)); err != nil {
						t.Errorf("%s links to %s, which does not exist", file, target)
						continue
					}
				}
				if frag != "" && !slices.Contains(anchors(markdownLines(t, linked)), frag) {
					t.Errorf("%s links to %s, but %s has no heading with that anchor", file, target, linked)
				}
			}
		})
	}
}

func TestLinkChecksReadMarkdown(t *testing.T) {
	tests := []struct {
		name, doc   string
		wantLinks   []string
		wantAnchors []string
	}{
		{"a link and an image are read, a web address is not",
			"see [a](docs/a.md), <img src=\"x.png\"> and [b](https://example.com/b)", []string{"docs/a.md", "x.png"}, nil},
		{"a link in a code fence is not read", "```\n[a](b.md)\n```", nil, nil},
		{"headings give GitHub's anchors", "## The soak\n### Load + fault soak", nil, []string{"the-soak", "load--fault-soak"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lines := proseLines(tt.doc)
			if got := links(lines); !slices.Equal(got, tt.wantLinks) {
				t.Errorf("links = %q, want %q", got, tt.wantLinks)
			}
			if got := anchors(lines); !slices.Equal(got, tt.wantAnchors) {
				t.Errorf("anchors = %q, want %q", got, tt.wantAnchors)
			}
		})
	}
}
