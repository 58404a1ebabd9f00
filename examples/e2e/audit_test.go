package e2e_test

import (
	"bytes"
	"cmp"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// Environment of the audits.
const (
	// axeEnv names axe.min.js of the npm package axe-core, which .ci/run
	// installs. Without it the audits are skipped, unless
	// B2BAUTH_REQUIRE_BROWSER=1 makes that a failure.
	axeEnv = "B2BAUTH_AXE_JS"
	// screenshotsEnv names the folder the audits write one PNG per page
	// and viewport into: docs/screenshots is regenerated with
	//
	//	cd examples && B2BAUTH_SCREENSHOTS_DIR=$PWD/../docs/screenshots go test -run 'Browser/walks' ./e2e/
	screenshotsEnv = "B2BAUTH_SCREENSHOTS_DIR"
)

// viewports are those every page is audited at: a laptop and a phone.
var viewports = []struct {
	name          string
	width, height int64
}{
	{"desktop", 1280, 800},
	{"mobile", 390, 844},
}

// auditor runs axe-core on pages and keeps their screenshots.
type auditor struct {
	axe   string // the script, "" to skip the checks
	shots string // the screenshots folder, "" for none
	minor int    // violations of impact minor or moderate seen
}

// newAuditor reads the audits' environment.
func newAuditor(t *testing.T) *auditor {
	t.Helper()
	a := &auditor{shots: os.Getenv(screenshotsEnv)}
	path := os.Getenv(axeEnv)
	b, err := os.ReadFile(path)
	switch {
	case err == nil:
		a.axe = string(b)
	case os.Getenv("B2BAUTH_REQUIRE_BROWSER") == "1":
		t.Fatalf("axe-core not found at %s=%q and B2BAUTH_REQUIRE_BROWSER=1: npm install --prefix DIR axe-core@4 and set %s=DIR/node_modules/axe-core/axe.min.js", axeEnv, path, axeEnv)
	default:
		t.Logf("accessibility checks skipped: axe-core not found at %s=%q (npm install --prefix DIR axe-core@4)", axeEnv, path)
	}
	if a.shots != "" {
		if err := os.MkdirAll(a.shots, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return a
}

// violation is what axe reports of a broken rule.
type violation struct {
	ID      string   `json:"id"`
	Impact  string   `json:"impact"`
	Help    string   `json:"help"`
	Targets []string `json:"targets"`
}

// axeRun runs axe on the document and returns its violations.
const axeRun = `axe.run(document, {resultTypes: ["violations"]}).then(r => r.violations.map(v => ({
	id: v.id, impact: v.impact || "", help: v.help,
	targets: v.nodes.slice(0, 5).map(n => n.target.join(" "))})))`

// audit checks the page the browser shows, named name, at every viewport:
// no violation of impact serious or critical; it counts the others and
// writes a screenshot per viewport. The browser is left at the first
// viewport.
func (a *auditor) audit(s *session, name string) {
	s.t.Helper()
	for _, vp := range viewports {
		s.run("resize for "+name, chromedp.EmulateViewport(vp.width, vp.height))
		if a.axe != "" {
			loaded := get(s, "look for axe on "+name, chromedp.Evaluate[bool](`typeof axe !== "undefined"`))
			if !loaded {
				get(s, "inject axe into "+name, chromedp.Evaluate[*struct{}](a.axe+";null"))
			}
			vs := get(s, "run axe on "+name, chromedp.Evaluate[[]violation](axeRun, chromedp.EvalAwaitPromise))
			for _, v := range vs {
				switch v.Impact {
				case "serious", "critical":
					s.t.Errorf("%s at %s: %s violation %s (%s) at %s", name, vp.name, v.Impact, v.ID, v.Help, strings.Join(v.Targets, ", "))
				default:
					a.minor++
					s.t.Logf("%s at %s: %s violation %s (%s) at %s", name, vp.name, v.Impact, v.ID, v.Help, strings.Join(v.Targets, ", "))
				}
			}
		}
		if a.shots != "" {
			shot := get(s, "screenshot "+name, chromedp.FullScreenshot(100))
			small, err := quantize(shot)
			if err != nil {
				s.fail("shrink the screenshot of "+name, err)
			}
			file := filepath.Join(a.shots, fmt.Sprintf("%s-%s.png", name, vp.name))
			if err := os.WriteFile(file, small, 0o644); err != nil {
				s.t.Fatal(err)
			}
		}
	}
	s.run("resize back", chromedp.EmulateViewport(viewports[0].width, viewports[0].height))
}

// quantize re-encodes a PNG screenshot with its 256 most frequent colours,
// each other colour drawn as the nearest of them: flat pages lose nothing
// visible and the file shrinks several times, so that the screenshots can
// live in the repository.
func quantize(in []byte) ([]byte, error) {
	img, err := png.Decode(bytes.NewReader(in))
	if err != nil {
		return nil, err
	}
	b := img.Bounds()
	counts := map[color.RGBA]int{}
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			counts[color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)]++
		}
	}
	type entry struct {
		c color.RGBA
		n int
	}
	all := make([]entry, 0, len(counts))
	for c, n := range counts {
		all = append(all, entry{c, n})
	}
	slices.SortFunc(all, func(a, b entry) int {
		if d := cmp.Compare(b.n, a.n); d != 0 {
			return d
		}
		return cmp.Compare(uint32(a.c.R)<<16|uint32(a.c.G)<<8|uint32(a.c.B), uint32(b.c.R)<<16|uint32(b.c.G)<<8|uint32(b.c.B))
	})
	pal := make(color.Palette, 0, 256)
	for _, e := range all[:min(len(all), 256)] {
		pal = append(pal, e.c)
	}
	out := image.NewPaletted(b, pal)
	index := map[color.RGBA]uint8{}
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)
			i, ok := index[c]
			if !ok {
				i = uint8(pal.Index(c))
				index[c] = i
			}
			out.SetColorIndex(x, y, i)
		}
	}
	var buf bytes.Buffer
	err = (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&buf, out)
	return buf.Bytes(), err
}
