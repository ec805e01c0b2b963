package irview

import (
	"bytes"
	"encoding/base64"
	"flag"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var screenshot = flag.String("screenshot", "", "write the browser test's screenshot to this PNG `file` too (the README's: ../../docs/pf-html.png)")

// The page in headless Chromium: the columns are there; hovering over a
// value marks its definition and uses in every column; a click keeps
// them highlighted, and a second clears them; a value's title gives its
// type and, after memplan, its buffer; a column's heading folds it and
// the folded column unfolds it; the page requests nothing. The test
// drives the browser over the DevTools protocol with real mouse events
// and writes a screenshot.
func TestHTMLInBrowser(t *testing.T) {
	cols := pipelineColumns(t, "../../testdata/ir/mlp_xent.pf", "vjp", "fold", "cse", "dce", "memplan")
	path := filepath.Join(t.TempDir(), "mlp.html")
	var page bytes.Buffer
	if err := WriteHTML(&page, Page{Title: "@mlp — mlp_xent.pf — vjp, fold, cse, dce, memplan", Columns: cols}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, page.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	b := startBrowser(t)
	b.call(b.session, "Emulation.setDeviceMetricsOverride", map[string]any{"width": 1280, "height": 720, "deviceScaleFactor": 1, "mobile": false}, nil)
	b.call(b.session, "Page.navigate", map[string]any{"url": "file://" + path}, nil)
	b.waitEvent("Page.loadEventFired")

	// The columns, each with its heading.
	var heads []string
	b.eval(`Array.from(document.querySelectorAll("section.column .head")).map(h => h.textContent.replace("▾", "").trim())`, &heads)
	var want []string
	for _, c := range cols {
		want = append(want, strings.Join(c.Passes, ", "))
	}
	if fmt.Sprint(heads) != fmt.Sprint(want) {
		t.Fatalf("column headings %q, want %q", heads, want)
	}
	last := fmt.Sprintf("#col%d", len(cols)-1)

	// Hovering over %s1 in the input column marks it in every column.
	b.mouse(`#col0 .v.def[title^="%s1:"]`, false)
	var hovered []string
	b.eval(`Array.from(document.querySelectorAll(".v.hover")).map(e => e.closest(".column").id + " " + e.textContent)`, &hovered)
	if len(hovered) < 2*len(cols) || !strings.Contains(strings.Join(hovered, ","), "col"+fmt.Sprint(len(cols)-1)+" %s1") {
		t.Errorf("hovering over %%s1 marks %q, want its definition and uses in every column", hovered)
	}

	// Clicking %h1's definition in the input column highlights it, and
	// its uses, in every column and nothing else.
	b.mouse(`#col0 .v.def[title^="%h1:"]`, true)
	var sel struct {
		Texts []string
		Defs  map[string]int // per column
		Uses  map[string]int
		// Colour says that every highlighted element has a background
		// colour.
		Colour bool
	}
	b.eval(`(function () {
		var s = Array.from(document.querySelectorAll(".v.sel"));
		var defs = {}, uses = {};
		s.forEach(function (e) {
			var m = e.classList.contains("def") ? defs : uses, c = e.closest(".column").id;
			m[c] = (m[c] || 0) + 1;
		});
		return {Texts: Array.from(new Set(s.map(e => e.textContent))), Defs: defs, Uses: uses,
			Colour: s.every(e => getComputedStyle(e).backgroundColor !== "rgba(0, 0, 0, 0)")};
	})()`, &sel)
	ok := fmt.Sprint(sel.Texts) == "[%h1]" && sel.Colour && len(sel.Defs) == len(cols) && len(sel.Uses) == len(cols)
	for _, n := range sel.Defs {
		ok = ok && n == 1
	}
	if !ok || sel.Uses["col0"] != 1 || sel.Uses[last[1:]] != 2 {
		t.Errorf("after a click on %%h1: %+v; want %%h1 alone, coloured, defined once in each of the %d columns and used in each (once in the model, twice in the backprop step)", sel, len(cols))
	}

	// After memplan the title gives the value's buffer.
	var title string
	b.eval(`document.querySelector("`+last+` .v.def[title^='%h1:']").title`, &title)
	if !strings.Contains(title, "%h1: f32[512,128]") || !strings.Contains(title, "buffer: f32 arena [") {
		t.Errorf("title of %%h1 after memplan: %q", title)
	}

	// Folding the second column narrows it and hides its listing.
	var before, folded, after struct {
		Folded bool
		Width  float64
		Shown  bool
	}
	state := `(function () { var c = document.querySelector("#col1");
		return {Folded: c.classList.contains("folded"), Width: c.getBoundingClientRect().width,
			Shown: c.querySelector(".listing").offsetParent !== null}; })()`
	b.eval(state, &before)
	b.mouse("#col1 .head", true)
	b.eval(state, &folded)
	if before.Folded || !before.Shown || !folded.Folded || folded.Shown || folded.Width > 40 || folded.Width >= before.Width {
		t.Errorf("folding: before %+v, folded %+v", before, folded)
	}

	// A second value takes the next colour.
	b.mouse(`#col0 .v.def[title^="%a1:"]`, true)
	var colours []string
	b.eval(`Array.from(document.querySelectorAll("#col0 .v.def.sel")).map(e => e.textContent + " " + ["hl0", "hl1"].filter(c => e.classList.contains(c)))`, &colours)
	if fmt.Sprint(colours) != "[%a1 hl1 %h1 hl0]" {
		t.Errorf("highlighted definitions %q, want %%a1 in the second colour and %%h1 in the first", colours)
	}

	// A screenshot of the two, the middle columns folded.
	for i := 2; i < len(cols)-1; i++ {
		b.mouse(fmt.Sprintf("#col%d .head", i), true)
	}
	b.eval(`window.scrollTo(0, 0); document.querySelector("#columns").scrollLeft = 0`, nil)
	var shot struct {
		Data string `json:"data"`
	}
	clip := map[string]any{"x": 0, "y": 0, "width": 1200, "height": 560, "scale": 1}
	b.call(b.session, "Page.captureScreenshot", map[string]any{"format": "png", "clip": clip}, &shot)
	img, err := base64.StdEncoding.DecodeString(shot.Data)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(img))
	if err != nil || cfg.Width != 1200 || cfg.Height != 560 {
		t.Errorf("screenshot: %v, %dx%d", err, cfg.Width, cfg.Height)
	}
	out := filepath.Join(t.TempDir(), "pf-html.png")
	if *screenshot != "" {
		out = *screenshot
	}
	if err := os.WriteFile(out, img, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s (%d bytes)", out, len(img))

	// Clicking the folded column unfolds it.
	b.mouse("#col1 .folded-name", true)
	b.eval(state, &after)
	if after.Folded || !after.Shown || after.Width != before.Width {
		t.Errorf("unfolding: before %+v, unfolded %+v", before, after)
	}

	// A second click on a value clears its highlight.
	b.mouse(`#col0 .v.def[title^="%h1:"]`, true)
	b.mouse(`#col0 .v.def[title^="%a1:"]`, true)
	var left int
	b.eval(`document.querySelectorAll(".v.sel").length`, &left)
	if left != 0 {
		t.Errorf("%d values still highlighted after the second click", left)
	}

	for _, u := range b.requests() {
		if !strings.HasPrefix(u, "file:") {
			t.Errorf("the page requested %s", u)
		}
	}
}
