package emulator

import (
	"go/ast"
	"go/doc/comment"
	"go/parser"
	"go/token"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// packageDoc parses the package documentation in doc.go.
func packageDoc(t *testing.T) *comment.Doc {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "doc.go", nil, parser.ParseComments|parser.PackageClauseOnly)
	if err != nil {
		t.Fatal(err)
	}
	if f.Doc == nil {
		t.Fatal("doc.go has no package documentation")
	}
	return new(comment.Parser).Parse(f.Doc.Text())
}

// statusRow is one row of the package documentation's table of error types.
type statusRow struct {
	status int
	types  []string
}

// statusTable reads the code block that follows the "Error types and
// statuses" heading: rows start with a status, continuation lines with
// spaces.
func statusTable(t *testing.T, d *comment.Doc) []statusRow {
	t.Helper()
	var rows []statusRow
	inSection := false
	for _, b := range d.Content {
		switch b := b.(type) {
		case *comment.Heading:
			inSection = headingText(b) == "Error types and statuses"
		case *comment.Code:
			if !inSection {
				continue
			}
			for _, line := range strings.Split(b.Text, "\n") {
				status, rest, ok := strings.Cut(line, " ")
				n, err := strconv.Atoi(status)
				if !ok || err != nil {
					continue
				}
				names, _, _ := strings.Cut(strings.TrimSpace(rest), "  ")
				names, _, _ = strings.Cut(names, " (")
				row := statusRow{status: n}
				for _, typ := range strings.Split(names, ",") {
					row.types = append(row.types, strings.Fields(typ)[0])
				}
				rows = append(rows, row)
			}
		}
	}
	return rows
}

func headingText(h *comment.Heading) string {
	var b strings.Builder
	for _, t := range h.Text {
		if p, ok := t.(comment.Plain); ok {
			b.WriteString(string(p))
		}
	}
	return b.String()
}

func TestPackageDocumentation(t *testing.T) {
	d := packageDoc(t)

	t.Run("every section is a heading go doc shows", func(t *testing.T) {
		var headings []string
		for _, b := range d.Content {
			if h, ok := b.(*comment.Heading); ok {
				headings = append(headings, headingText(h))
			}
		}
		for _, want := range []string{"Faithfulness", "Error types and statuses", "Machine-to-machine clients", "Seed file", "Test controls", "Outbox"} {
			if !slices.Contains(headings, want) {
				t.Errorf("no heading %q; headings: %q", want, headings)
			}
		}
	})

	rows := statusTable(t, d)
	if len(rows) < 20 {
		t.Fatalf("the error table has %d rows; the test is not reading it right", len(rows))
	}

	t.Run("the error table is in status order and names each type once", func(t *testing.T) {
		seen := map[string]int{}
		for i, r := range rows {
			if i > 0 && r.status < rows[i-1].status {
				t.Errorf("%d %v comes after %d %v", r.status, r.types, rows[i-1].status, rows[i-1].types)
			}
			for _, typ := range r.types {
				if prev, ok := seen[typ]; ok {
					t.Errorf("%s is listed twice (%d and %d)", typ, prev, r.status)
				}
				seen[typ] = r.status
			}
		}
	})

	t.Run("the error table lists every error type the emulator answers with", func(t *testing.T) {
		listed := map[string]bool{}
		for _, r := range rows {
			for _, typ := range r.types {
				listed[typ] = true
			}
		}
		f, err := parser.ParseFile(token.NewFileSet(), "errors.go", nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			gen, ok := decl.(*ast.GenDecl)
			if !ok || gen.Tok != token.CONST {
				continue
			}
			for _, spec := range gen.Specs {
				for _, v := range spec.(*ast.ValueSpec).Values {
					lit, ok := v.(*ast.BasicLit)
					if !ok || lit.Kind != token.STRING {
						continue
					}
					typ, _ := strconv.Unquote(lit.Value)
					if !listed[typ] {
						t.Errorf("error type %q is not in the table", typ)
					}
				}
			}
		}
	})
}
