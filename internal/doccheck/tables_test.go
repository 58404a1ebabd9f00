package doccheck

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// tableDocuments are the Markdown files whose tables are checked.
var tableDocuments = []string{"README.md", "SECURITY.md", "BENCHMARKS.md", "RELEASING.md", "examples/README.md"}

var (
	tableRow       = regexp.MustCompile(`^\s*\|`)
	delimiterRow   = regexp.MustCompile(`^\s*\|(\s*:?-+:?\s*\|)+\s*$`)
	optionHeader   = regexp.MustCompile(`^\|\s*(` + packageNames() + `) option\s*\|`)
	optionInTable  = regexp.MustCompile("`(With[A-Z]\\w*)(?:\\([^`]*\\))?`")
	firstTableCell = regexp.MustCompile(`^\|([^|]*)\|`)
)

// markdownLines returns the lines of a document, see [proseLines].
func markdownLines(t *testing.T, file string) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, file))
	if err != nil {
		t.Fatalf("read %s: %v", file, err)
	}
	return proseLines(string(b))
}

// proseLines returns the lines of a Markdown text with those of fenced code
// blocks blanked, so that code is never read as a table.
func proseLines(text string) []string {
	lines := strings.Split(text, "\n")
	fenced := false
	for i, l := range lines {
		if strings.HasPrefix(strings.TrimSpace(l), "```") {
			fenced = !fenced
			lines[i] = ""
			continue
		}
		if fenced {
			lines[i] = ""
		}
	}
	return lines
}

// brokenTables returns the 1-based numbers of the lines that start a table
// without a delimiter row under them: Markdown renders such rows as a
// paragraph of pipes, which is what a blank line inside a table produces.
func brokenTables(lines []string) []int {
	var broken []int
	for i, l := range lines {
		if !tableRow.MatchString(l) || (i > 0 && tableRow.MatchString(lines[i-1])) {
			continue
		}
		if i+1 >= len(lines) || !delimiterRow.MatchString(lines[i+1]) {
			broken = append(broken, i+1)
		}
	}
	return broken
}

// optionRow is an option named in the first cell of a "| pkg option | ... |"
// table.
type optionRow struct {
	line      int
	pkg, name string
}

// optionRows returns the options named by the option tables of a document.
func optionRows(lines []string) []optionRow {
	var rows []optionRow
	pkg := ""
	for i, l := range lines {
		if !tableRow.MatchString(l) {
			pkg = ""
			continue
		}
		if m := optionHeader.FindStringSubmatch(l); m != nil {
			pkg = m[1]
			continue
		}
		cell := firstTableCell.FindStringSubmatch(l)
		if pkg == "" || cell == nil {
			continue
		}
		for _, m := range optionInTable.FindAllStringSubmatch(cell[1], -1) {
			rows = append(rows, optionRow{line: i + 1, pkg: pkg, name: m[1]})
		}
	}
	return rows
}

func TestDocumentTablesAreWhole(t *testing.T) {
	for _, file := range tableDocuments {
		t.Run(file, func(t *testing.T) {
			for _, n := range brokenTables(markdownLines(t, file)) {
				t.Errorf("%s:%d starts a table with no delimiter row under it (a blank line inside a table?)", file, n)
			}
		})
	}
}

func TestOptionTablesNameOptionsThatExist(t *testing.T) {
	apis := map[string]api{}
	checked := 0
	for _, file := range tableDocuments {
		t.Run(file, func(t *testing.T) {
			for _, r := range optionRows(markdownLines(t, file)) {
				checked++
				if apis[r.pkg] == nil {
					apis[r.pkg] = loadAPI(t, packageDirs[r.pkg])
				}
				if _, ok := apis[r.pkg][r.name]; !ok {
					t.Errorf("%s:%d lists %s as a %s option, which package %s does not export", file, r.line, r.name, r.pkg, r.pkg)
				}
			}
		})
	}
	// README.md has an option table: finding none means the check no
	// longer reads the documents right, not that they are right.
	if checked == 0 {
		t.Errorf("no option table row found in %v", tableDocuments)
	}
}

func TestTableChecksReadMarkdown(t *testing.T) {
	tests := []struct {
		name       string
		doc        string
		wantBroken []int
		wantRows   []string
	}{
		{"a whole table is not broken", "| a | b |\n|---|---|\n| 1 | 2 |", nil, nil},
		{"a blank line inside a table breaks it", "| a | b |\n|---|---|\n| 1 | 2 |\n\n| 3 | 4 |", []int{5}, nil},
		{"a table in a code fence is not a table", "```\n| 1 | 2 |\n```", nil, nil},
		{"aligned delimiter rows are delimiters", "| a | b |\n|:--|--:|", nil, nil},
		{"options are read from the first cell of an option table",
			"| middleware option | default |\n|---|---|\n| `WithLeeway(d)`, `WithCacheSize` | `WithOther` |\n\n| x |\n|---|\n| `WithNot` |",
			nil, []string{"3 middleware.WithLeeway", "3 middleware.WithCacheSize"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lines := proseLines(tt.doc)
			if got := brokenTables(lines); !slices.Equal(got, tt.wantBroken) {
				t.Errorf("brokenTables = %v, want %v", got, tt.wantBroken)
			}
			var got []string
			for _, r := range optionRows(lines) {
				got = append(got, fmt.Sprintf("%d %s.%s", r.line, r.pkg, r.name))
			}
			if strings.Join(got, ",") != strings.Join(tt.wantRows, ",") {
				t.Errorf("optionRows = %v, want %v", got, tt.wantRows)
			}
		})
	}
}
