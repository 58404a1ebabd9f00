package doccheck

import (
	"bufio"
	"go/ast"
	"go/doc"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// packageDirs maps the package names the documents use to their folders,
// relative to the repository root.
var packageDirs = map[string]string{
	"client":         "client",
	"emulator":       "emulator",
	"middleware":     "middleware",
	"middlewaretest": "middleware/middlewaretest",
	"flows":          "flows",
	"b2bhttp":        "adapters/nethttp",
	"b2bgin":         "adapters/gin",
	"b2becho":        "adapters/echo",
	"redisstore":     "stores/redis",
}

// documents are the files whose citations are checked.
var documents = []string{"SECURITY.md", "README.md"}

const root = "../.."

// cited matches `pkg.Name`, `pkg.Name(args)` and `pkg.Type.Method` inside
// backticks.
var cited = regexp.MustCompile("`(" + packageNames() + `)\.([A-Z]\w*)(?:\.([A-Z]\w*))?(?:\([^` + "`" + `]*\))?` + "`")

func packageNames() string {
	names := make([]string, 0, len(packageDirs))
	for n := range packageDirs {
		names = append(names, n)
	}
	return strings.Join(names, "|")
}

// api is the exported surface of one package: each name with its doc
// comment (methods as Type.Method).
type api map[string]string

func loadAPI(t *testing.T, dir string) api {
	t.Helper()
	fset := token.NewFileSet()
	entries, err := os.ReadDir(filepath.Join(root, dir))
	if err != nil {
		t.Fatalf("read %s: %v", dir, err)
	}
	var files []*ast.File
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(root, dir, name), nil, parser.ParseComments)
		if err != nil {
			t.Fatalf("parse %s: %v", name, err)
		}
		files = append(files, f)
	}
	out := api{}
	d, err := doc.NewFromFiles(fset, files, "example.com/"+dir)
	if err != nil {
		t.Fatalf("doc %s: %v", dir, err)
	}
	for _, v := range append(d.Consts, d.Vars...) {
		for _, n := range v.Names {
			out[n] = v.Doc
		}
	}
	for _, f := range d.Funcs {
		out[f.Name] = f.Doc
	}
	for _, ty := range d.Types {
		out[ty.Name] = ty.Doc
		for _, v := range append(ty.Consts, ty.Vars...) {
			for _, n := range v.Names {
				out[n] = v.Doc
			}
		}
		for _, f := range ty.Funcs {
			out[f.Name] = f.Doc
		}
		for _, m := range ty.Methods {
			out[ty.Name+"."+m.Name] = m.Doc
		}
	}
	return out
}

type citation struct {
	file string
	line int
	pkg  string
	name string // Name or Type.Method
}

func citations(t *testing.T, file string) ([]citation, []defaultRow) {
	t.Helper()
	f, err := os.Open(filepath.Join(root, file))
	if err != nil {
		t.Fatalf("open %s: %v", file, err)
	}
	defer f.Close()
	var cs []citation
	var rows []defaultRow
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		for _, m := range cited.FindAllStringSubmatch(line, -1) {
			name := m[2]
			if m[3] != "" {
				name += "." + m[3]
			}
			cs = append(cs, citation{file: file, line: n, pkg: m[1], name: name})
		}
		if r, ok := parseDefaultRow(line); ok {
			r.file, r.line = file, n
			rows = append(rows, r)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return cs, rows
}

// defaultRow is a table row "| `pkg.Option(...)` | default: TEXT |": TEXT
// must appear in the option's doc comment.
type defaultRow struct {
	file      string
	line      int
	pkg, name string
	text      string
}

var defaultCell = regexp.MustCompile(`^\|\s*` + "`(" + packageNames() + `)\.([A-Z]\w*)(?:\([^` + "`" + `]*\))?` + "`" + `\s*\|\s*default:\s*([^|]+?)\s*\|`)

func parseDefaultRow(line string) (defaultRow, bool) {
	m := defaultCell.FindStringSubmatch(line)
	if m == nil {
		return defaultRow{}, false
	}
	return defaultRow{pkg: m[1], name: m[2], text: m[3]}, true
}

func normalize(s string) string { return strings.Join(strings.Fields(s), " ") }

func TestDocumentsCiteNamesThatExist(t *testing.T) {
	apis := map[string]api{}
	for pkg, dir := range packageDirs {
		apis[pkg] = loadAPI(t, dir)
	}
	for _, file := range documents {
		t.Run(file, func(t *testing.T) {
			cs, rows := citations(t, file)
			if len(cs) == 0 || (file == "SECURITY.md" && (len(cs) < 20 || len(rows) < 5)) {
				t.Fatalf("%s cites %d names and states %d defaults; the check found too few to be reading it right", file, len(cs), len(rows))
			}
			for _, c := range cs {
				if _, ok := apis[c.pkg][c.name]; !ok {
					t.Errorf("%s:%d cites %s.%s, which package %s does not export", c.file, c.line, c.pkg, c.name, c.pkg)
				}
			}
			for _, r := range rows {
				d, ok := apis[r.pkg][r.name]
				if !ok {
					continue // reported above
				}
				if !strings.Contains(normalize(d), normalize(r.text)) {
					t.Errorf("%s:%d says %s.%s defaults to %q, but its doc comment does not say so:\n%s", r.file, r.line, r.pkg, r.name, r.text, d)
				}
			}
		})
	}
}

func TestCitationPatterns(t *testing.T) {
	tests := []struct {
		name, line string
		want       []string
		wantRow    *defaultRow
	}{
		{"a bare name", "see `middleware.WithMaxTokenAge` here", []string{"middleware.WithMaxTokenAge"}, nil},
		{"a call with arguments", "`flows.WithStore(s)` and `client.New`", []string{"flows.WithStore", "client.New"}, nil},
		{"a method", "`middleware.Middleware.Close`", []string{"middleware.Middleware.Close"}, nil},
		{"an unknown package is ignored", "`http.CrossOriginProtection`", nil, nil},
		{"a default row", "| `middleware.WithLeeway(d)` | default: 30 seconds | x |", []string{"middleware.WithLeeway"},
			&defaultRow{pkg: "middleware", name: "WithLeeway", text: "30 seconds"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, m := range cited.FindAllStringSubmatch(tt.line, -1) {
				n := m[1] + "." + m[2]
				if m[3] != "" {
					n += "." + m[3]
				}
				got = append(got, n)
			}
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("citations = %v, want %v", got, tt.want)
			}
			r, ok := parseDefaultRow(tt.line)
			if ok != (tt.wantRow != nil) || (ok && (r.pkg != tt.wantRow.pkg || r.name != tt.wantRow.name || r.text != tt.wantRow.text)) {
				t.Errorf("default row = %+v, %v; want %+v", r, ok, tt.wantRow)
			}
		})
	}
}
