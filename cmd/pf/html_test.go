package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// pf html works on every golden IR file: a page with a column for the
// input and one per pass that changed the function (the clean-up passes
// and memplan here).
func TestHTMLOnGoldenFiles(t *testing.T) {
	files, _ := filepath.Glob("../../testdata/ir/*.pf")
	if len(files) < 12 {
		t.Fatalf("only %d golden files", len(files))
	}
	dir := t.TempDir()
	for _, file := range files {
		out := filepath.Join(dir, filepath.Base(file)+".html")
		code, _, stderr := pf(t, "", "html", "-o", out, "-passes=fold,cse,dce,memplan", file)
		if code != 0 {
			t.Errorf("pf html %s: exit %d: %s", file, code, stderr)
			continue
		}
		page, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		if n := strings.Count(string(page), `<section class="column"`); n < 2 {
			t.Errorf("pf html %s: %d columns, want the input and memplan's at least", file, n)
		}
	}
}

// pf html runs the guess pass with its flags, as pf opt does.
func TestHTMLGuessPipeline(t *testing.T) {
	out := filepath.Join(t.TempDir(), "guess.html")
	code, _, stderr := pf(t, "", "html", "-o", out, "-passes=guess,jvp,fold,cse,dce,memplan", "-method", "wt", goldenMLP)
	if code != 0 {
		t.Fatalf("pf html with guess: exit %d: %s", code, stderr)
	}
	page, _ := os.ReadFile(out)
	for _, want := range []string{`data-passes="guess"`, `data-passes="jvp`, `memplan"`, "guess.key"} {
		if !strings.Contains(string(page), want) {
			t.Errorf("the page lacks %q", want)
		}
	}
}

// -h exits 0 with the usage; bad invocations exit 2, a bad file 1.
func TestHTMLUsage(t *testing.T) {
	code, _, stderr := pf(t, "", "html", "-h")
	if code != 0 || !strings.Contains(stderr, "usage: pf html") || !strings.Contains(stderr, "Example:") {
		t.Errorf("pf html -h: exit %d, %q", code, stderr)
	}
	out := filepath.Join(t.TempDir(), "x.html")
	for _, args := range [][]string{
		{"html", goldenMLP},
		{"html", "-o", out},
		{"html", "-o", out, "-passes=nope", goldenMLP},
		{"html", "-o", out, "-tangents=0", goldenMLP},
		{"html", "-o", out, "-method", "nope", goldenMLP},
	} {
		if code, _, stderr := pf(t, "", args...); code != 2 {
			t.Errorf("pf %v: exit %d, want 2 (%s)", args, code, stderr)
		}
	}
	if code, _, _ := pf(t, "func @f(", "html", "-o", out, "-"); code != 1 {
		t.Errorf("pf html of a bad file: exit %d, want 1", code)
	}
}
