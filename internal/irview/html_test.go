package irview

import (
	"bytes"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/passes"
)

// pipelineColumns runs the passes on the first function of the IR file at
// path and returns the page's columns, as pf html makes them.
func pipelineColumns(t *testing.T, path string, names ...string) []Column {
	t.Helper()
	f := parseVerified(t, path).Funcs[0]
	cols := []Column{{Passes: []string{"input"}, Func: ir.Renumbered(f)}}
	opts := passes.Options{Verify: true, AfterPass: func(pass string, g *ir.Func) {
		cols = AddColumn(cols, pass, ir.Renumbered(g))
	}}
	if _, err := passes.Run(f, names, opts); err != nil {
		t.Fatal(err)
	}
	return cols
}

// The listing is the printer's text, comments and regions included, with
// every parameter, result and operand marked.
func TestListingIsThePrintersText(t *testing.T) {
	for name, m := range goldenModules(t) {
		for _, f := range m.Funcs {
			lines := listing(f)
			if diff := cmp.Diff(f.String(), plainText(lines)); diff != "" {
				t.Errorf("%s @%s (-printer +listing):\n%s", name, f.Name, diff)
			}
			refs := 0
			for _, ln := range lines {
				for _, s := range ln {
					if s.value != nil {
						refs++
					}
				}
			}
			if want := countRefs(f); refs != want {
				t.Errorf("%s @%s: %d value references marked, want %d", name, f.Name, refs, want)
			}
		}
	}
}

// countRefs counts the values a function's text names: parameters,
// results, operands and returned values, in regions too.
func countRefs(f *ir.Func) int {
	n := len(f.Params) + len(f.Results)
	for _, in := range f.Body {
		n += len(in.Results) + len(in.Args)
		if in.Region != nil {
			for _, rf := range in.Region.Funcs {
				n += countRefs(rf)
			}
		}
	}
	return n
}

// Named values keep their key from pass to pass; an unnamed value gets
// the key of the value computed the same way, whatever its number.
func TestValueKeysAcrossPasses(t *testing.T) {
	cols := pipelineColumns(t, filepath.Join(goldenIR, "mlp_xent.pf"), "vjp", "fold", "cse", "dce", "memplan")
	byName := func(c Column) map[string]string {
		keys := valueKeys(c.Func)
		out := map[string]string{}
		c.Func.Values(func(v *ir.Value) bool {
			out[v.Name] = keys[v]
			return true
		})
		return out
	}
	first, last := byName(cols[1]), byName(cols[len(cols)-1])
	for _, name := range []string{"x", "s1", "h1", "loss", "w1.grad"} {
		if first[name] == "" || first[name] != last[name] {
			t.Errorf("%%%s: key %q after vjp, %q after memplan", name, first[name], last[name])
		}
	}
	// Unnamed values of the last column that vjp's column computes too
	// share its keys; most do.
	shared := 0
	vals := map[string]bool{}
	for _, k := range first {
		vals[k] = true
	}
	for name, k := range last {
		if isNumber(name) && vals[k] {
			shared++
		}
	}
	if shared < 5 {
		t.Errorf("only %d unnamed values matched across the passes", shared)
	}
	// Two different computations differ.
	if first["s1"] == first["h1"] {
		t.Error("s1 and h1 share a key")
	}
}

// WriteHTML makes a page of every golden function after the passes that
// apply to it, self-contained: no URL, nothing loaded.
func TestHTMLOnGoldenFiles(t *testing.T) {
	for name, m := range goldenModules(t) {
		f := m.Funcs[0]
		cols := []Column{{Passes: []string{"input"}, Func: f}}
		for _, pass := range []string{"fold", "cse", "dce", "memplan"} {
			g, err := passes.Run(cols[len(cols)-1].Func, []string{pass}, passes.Options{Verify: true})
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			cols = AddColumn(cols, pass, g)
		}
		var b bytes.Buffer
		if err := WriteHTML(&b, Page{Title: name, Columns: cols}); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		page := b.String()
		if n := strings.Count(page, `<section class="column"`); n != len(cols) {
			t.Errorf("%s: %d columns, want %d", name, n, len(cols))
		}
		if !strings.Contains(page, "buffer: ") {
			t.Errorf("%s: no buffer in the titles after memplan", name)
		}
		if loc := regexp.MustCompile(`(?i)(https?:|src=|href=|@import|url\()`).FindString(page); loc != "" {
			t.Errorf("%s: the page refers to something outside it: %q", name, loc)
		}
	}
}

// Everything from the IR is escaped: a comment or a string attribute
// cannot open a tag or end the script.
func TestHTMLEscapes(t *testing.T) {
	f, err := ir.ParseFunc(`// </script><script>alert(1)</script> & <b>bold</b>
func @f(%a: f32[2] data) -> (f32[]) {
  // "quotes" and 'apostrophes' <!--
  %x = argmin %a {solver="<img onerror=alert(2)>"} region {
    func @o(%x: f32[2] param, %a: f32[2] data) -> (f32[]) {
      %d = sub %x, %a : f32[2]
      %s = reduce_sum %d : f32[]
      return %s
    }
  } : f32[2]
  %l = reduce_sum %x : f32[]
  return %l
}`)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := WriteHTML(&b, Page{Title: "<title>", Columns: []Column{{Passes: []string{"in<put>"}, Func: f}}}); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, bad := range []string{"<script>alert", "<b>bold", "<img", "<title><title>", "in<put>", "<!--"} {
		if strings.Contains(page, bad) {
			t.Errorf("the page contains %q unescaped", bad)
		}
	}
	for _, good := range []string{"&lt;/script&gt;&lt;script&gt;alert(1)", "&lt;img onerror=alert(2)&gt;", "&lt;b&gt;bold&lt;/b&gt;"} {
		if !strings.Contains(page, good) {
			t.Errorf("the page lacks the escaped %q", good)
		}
	}
	if strings.Count(page, "<script>") != 1 {
		t.Errorf("%d script elements, want the page's one", strings.Count(page, "<script>"))
	}
}

// A column whose pass changes nothing joins the one before.
func TestAddColumnMerges(t *testing.T) {
	cols := pipelineColumns(t, filepath.Join(goldenIR, "mlp_xent.pf"), "vjp", "fold", "cse", "dce", "dce", "memplan")
	var names []string
	for _, c := range cols {
		names = append(names, strings.Join(c.Passes, ", "))
	}
	for i := 1; i < len(cols); i++ {
		if cols[i].Func.String() == cols[i-1].Func.String() {
			t.Errorf("columns %d and %d are the same function", i-1, i)
		}
	}
	if last := names[len(names)-2]; !strings.HasSuffix(last, "dce, dce") {
		t.Errorf("columns %q: the second dce, which changes nothing, should join the column before memplan", names)
	}
}
