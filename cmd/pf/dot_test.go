package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// pf dot works on every golden IR file, and on the function -func names.
func TestDotOnGoldenFiles(t *testing.T) {
	files, _ := filepath.Glob("../../testdata/ir/*.pf")
	if len(files) < 12 {
		t.Fatalf("only %d golden files", len(files))
	}
	for _, file := range files {
		code, stdout, stderr := pf(t, "", "dot", file)
		if code != 0 || !strings.HasPrefix(stdout, "digraph ") || !strings.HasSuffix(stdout, "}\n") {
			t.Errorf("pf dot %s: exit %d: %s", file, code, stderr)
		}
	}
	code, stdout, stderr := pf(t, "", "dot", "-func", "consts", "../../testdata/ir/multi_func.pf")
	if code != 0 || !strings.HasPrefix(stdout, `digraph "@consts"`) {
		t.Errorf("pf dot -func consts: exit %d: %s%s", code, stdout, stderr)
	}
}

// -h exits 0 with the usage; bad invocations exit 2, a bad file 1.
func TestDotUsage(t *testing.T) {
	code, _, stderr := pf(t, "", "dot", "-h")
	if code != 0 || !strings.Contains(stderr, "usage: pf dot") || !strings.Contains(stderr, "Example:") {
		t.Errorf("pf dot -h: exit %d, %q", code, stderr)
	}
	for _, args := range [][]string{{"dot"}, {"dot", "a.pf", "b.pf"}, {"dot", "-bogus", goldenMLP}} {
		if code, _, stderr := pf(t, "", args...); code != 2 {
			t.Errorf("pf %v: exit %d, want 2 (%s)", args, code, stderr)
		}
	}
	if code, _, _ := pf(t, "", "dot", "no/such/file.pf"); code != 1 {
		t.Errorf("pf dot of a missing file: exit %d, want 1", code)
	}
}
