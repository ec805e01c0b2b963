package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Usage errors exit 2 and print the error first, in one line that names
// the flag and what it takes, then where the usage is; -h prints the
// whole usage and exits 0.
func TestUsageErrorComesFirst(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"opt", "-passes=jvp,frobnicate", goldenMLP}, `pf opt: -passes: unknown pass "frobnicate" (want a comma-separated list of implicit, guess, jvp, vjp,`},
		{[]string{"opt", "-passes=jvp", "-dump-after=nope", goldenMLP}, `pf opt: -dump-after: unknown pass "nope"`},
		{[]string{"opt", "-passes=jvp", "-tangents", "abc", goldenMLP}, `pf opt: invalid value "abc" for flag -tangents: parse error (-tangents T takes an integer: number of tangents T jvp carries on a leading axis)`},
		{[]string{"opt", "-passes=jvp", "-diff", "-dump-dir", "d", goldenMLP}, "pf opt: -diff prints to stderr; it does not combine with -dump-dir"},
		{[]string{"run", "-in"}, "pf run: flag needs an argument: -in (-in file takes a string: JSON file with the inputs"},
	} {
		code, stdout, stderr := pf(t, "", c.args...)
		lines := strings.Split(stderr, "\n")
		if code != 2 || stdout != "" || !strings.HasPrefix(lines[0], c.want) || len(lines) != 3 || !strings.HasPrefix(lines[1], "Run 'pf ") {
			t.Errorf("pf %q: exit %d, stderr\n%s\nwant exit 2 and first\n%s", c.args, code, stderr, c.want)
		}
	}
	code, _, stderr := pf(t, "", "opt", "-h")
	for _, s := range []string{"usage: pf opt", "Example:", "-passes passes", "-tangents T", "(default 1)", "-diff"} {
		if code != 0 || !strings.Contains(stderr, s) {
			t.Errorf("pf opt -h: exit %d, usage lacks %q:\n%s", code, s, stderr)
		}
	}
	if code, _, stderr := pf(t, "", "-h"); code != 0 || !strings.Contains(stderr, "Commands:") {
		t.Errorf("pf -h: exit %d, %s", code, stderr)
	}
}

// verify reports every independent error, not only the first.
func TestVerifyReportsEveryError(t *testing.T) {
	src := `func @f(%x: f32[2,3] data, %w: f32[4,5] param, %b: f32[7] param) -> (f32[]) {
  %1 = matmul %x, %w : f32[2,5]
  %2 = add %1, %b : f32[2,5]
  return %2
}
`
	code, _, stderr := pf(t, src, "verify", "-")
	want := []string{
		"<stdin>:2:3: %1 = matmul: contracted dimensions differ",
		"<stdin>:3:3: %2 = add: shapes [2,5], [7] do not broadcast",
		"<stdin>:4:10: return value %2 has type f32[2,5], but @f declares result 0 as f32[]",
	}
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	if code != 1 || len(lines) != len(want) {
		t.Fatalf("exit %d, stderr\n%s\nwant %d errors", code, stderr, len(want))
	}
	for i, w := range want {
		if !strings.HasPrefix(lines[i], w) {
			t.Errorf("line %d: %q, want %q", i+1, lines[i], w)
		}
	}
}

// The result and the dumps number unnamed values in print order.
func TestOptRenumbers(t *testing.T) {
	src := "func @f(%x: f64[3] param) -> (f64[]) {\n  %7 = square %x : f64[3]\n  %3 = reduce_sum %7 : f64[]\n  return %3\n}\n"
	code, stdout, stderr := pf(t, src, "opt", "-passes=jvp,fold,cse,dce", "-dump-after=jvp", "-")
	if code != 0 {
		t.Fatal(stderr)
	}
	want := "func @f_jvp(%x: f64[3] param, %x.tangent: f64[3] data) -> (f64[], f64[]) {\n  %1 = square %x : f64[3]\n"
	if !strings.HasPrefix(stdout, want) {
		t.Errorf("output\n%s\nwant it to start with\n%s", stdout, want)
	}
	if !strings.Contains(stderr, "// after jvp\nfunc @f_jvp(%x: f64[3] param, %x.tangent: f64[3] data) -> (f64[], f64[]) {\n  %1 = square %x : f64[3]\n") {
		t.Errorf("dump not renumbered:\n%s", stderr)
	}
}

// -diff prints, pass by pass, a unified diff of the function before and
// after it.
func TestOptDiff(t *testing.T) {
	src := "func @f(%x: f64[3] param) -> (f64[]) {\n  %s = square %x : f64[3]\n  %y = reduce_sum %s : f64[]\n  return %y\n}\n"
	code, stdout, stderr := pf(t, src, "opt", "-passes=jvp,fold,cse,dce", "-diff", "-")
	if code != 0 {
		t.Fatal(stderr)
	}
	for _, s := range []string{
		"--- before jvp\n+++ after jvp\n@@ -1,5 +1,",
		"-func @f(%x: f64[3] param) -> (f64[]) {\n+func @f_jvp(%x: f64[3] param, %x.tangent: f64[3] data) -> (f64[], f64[]) {\n",
		"// fold changed nothing\n// cse changed nothing\n// dce changed nothing\n",
	} {
		if !strings.Contains(stderr, s) {
			t.Errorf("diff lacks\n%s\nin\n%s", s, stderr)
		}
	}
	if !strings.HasPrefix(stdout, "func @f_jvp(") {
		t.Errorf("stdout %q, want the result", stdout)
	}
	// A pass that fails: the diffs before it, then its error.
	code, _, stderr = pf(t, src, "opt", "-passes=dce,vjp", "-wrt", "nope", "-diff", "-")
	if code != 1 || !strings.Contains(stderr, "// dce changed nothing\n") || !strings.Contains(stderr, "nope") {
		t.Errorf("failing pass: exit %d, stderr\n%s", code, stderr)
	}
}

// run's JSON errors say what the format wants, with the position.
func TestRunJSONErrors(t *testing.T) {
	dir := t.TempDir()
	irPath := filepath.Join(dir, "f.pf")
	os.WriteFile(irPath, []byte("func @f(%x: f32[2] data) -> (f32[2]) {\n  %y = exp %x : f32[2]\n  return %y\n}\n"), 0o644)
	inPath := filepath.Join(dir, "in.json")
	for _, c := range []struct{ doc, want string }{
		{`[{"name":"x","dtype":"f32","shape":[2],"data":[1,2]}]`, `in.json:1:1: want an object {"inputs": [...]}, found a list`},
		{"{\"inputs\":[\n {\"name\":\"x\",\"dtype\":\"f32\",\"shape\":[2],\"data\":[1,6.5e40]}]}", `in.json:2:50: input "x", data[1]: 6.5e40 is out of range for f32`},
	} {
		os.WriteFile(inPath, []byte(c.doc), 0o644)
		code, _, stderr := pf(t, "", "run", irPath, "-in", inPath)
		if code != 1 || !strings.HasPrefix(stderr, "pf run: ") || !strings.Contains(stderr, c.want) {
			t.Errorf("exit %d, stderr %q, want %q", code, stderr, c.want)
		}
	}
}
