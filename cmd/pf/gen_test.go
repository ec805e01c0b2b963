package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pushforward/pushforward/codegen"
	"github.com/pushforward/pushforward/internal/genmod"
	"github.com/pushforward/pushforward/ir"
)

func TestGenUsage(t *testing.T) {
	code, _, stderr := pf(t, "", "gen", "-h")
	if code != 0 || !strings.Contains(stderr, "usage: pf gen") || !strings.Contains(stderr, "-pkg") {
		t.Errorf("pf gen -h: exit %d, %q", code, stderr)
	}
	for _, args := range [][]string{
		{"gen"},
		{"gen", goldenMLP, goldenMLP},
		{"gen", "-pkg", "1x", goldenMLP},
		{"gen", "-pkg", "_", goldenMLP},
		{"gen", "-pkg", "p", "-type", "lower", goldenMLP},
		{"gen", "-pkg", "p", "-type", "A.B", goldenMLP},
		{"gen", "-pkg", "p", "-passes=nope", goldenMLP},
		{"gen", "-pkg", "p", "-passes=jvp", "-tangents=0", goldenMLP},
		{"gen", "-pkg", "p", "-method", "nope", goldenMLP},
	} {
		if code, _, stderr := pf(t, "", args...); code != 2 {
			t.Errorf("pf %v: exit %d, want 2 (%s)", args, code, stderr)
		}
	}
}

// pf gen emits every function of every golden file, or names the op and
// the value it cannot emit (argmin), exiting 1 and writing nothing.
func TestGenOnGoldenFiles(t *testing.T) {
	files, _ := filepath.Glob("../../testdata/ir/*.pf")
	for _, file := range files {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		m, err := ir.Parse(file, src)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range m.Funcs {
			out := filepath.Join(t.TempDir(), "gen.go")
			code, _, stderr := pf(t, "", "gen", "-pkg", "p", "-func", f.Name, "-o", out, file)
			data, readErr := os.ReadFile(out)
			if op := notYet(f); op != "" {
				if code != 1 || !strings.Contains(stderr, "cannot emit "+op+" yet") || !strings.Contains(stderr, "= "+op) || readErr == nil {
					t.Errorf("%s: exit %d, %s", file, code, stderr)
				}
				continue
			}
			if code != 0 || readErr != nil || !strings.HasPrefix(string(data), codegen.Header+"\n") {
				t.Errorf("pf gen %s @%s: exit %d: %s", file, f.Name, code, stderr)
			}
		}
	}
}

// notYet returns the op of f that pf gen does not emit yet, if it has one.
func notYet(f *ir.Func) string {
	for _, in := range f.Body {
		if !codegen.Supports(in.Op) {
			return in.Op.String()
		}
	}
	return ""
}

// The default package is the output directory's name, and the default
// type the function's name.
func TestGenDefaults(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "mlpstep")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "step.go")
	if code, _, stderr := pf(t, "", "gen", "-o", out, goldenMLP); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	data, _ := os.ReadFile(out)
	for _, want := range []string{"package mlpstep\n", "type Mlp struct", "func NewMlp() (*Mlp, error)", "// pf gen -o " + out} {
		if !strings.Contains(string(data), want) {
			t.Errorf("generated file lacks %q", want)
		}
	}
	// A directory whose name is not an identifier needs -pkg.
	bad := filepath.Join(t.TempDir(), "my.step")
	os.Mkdir(bad, 0o755)
	if code, _, stderr := pf(t, "", "gen", "-o", filepath.Join(bad, "s.go"), goldenMLP); code != 2 || !strings.Contains(stderr, "-pkg is required") {
		t.Errorf("exit %d: %s", code, stderr)
	}
}

// pf gen -passes emits the transformed function, which compiles in a
// module of its own.
func TestGenWithPassesCompiles(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the generated code")
	}
	m, err := genmod.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(m.Dir, "step", "grad_gen.go")
	os.Mkdir(filepath.Dir(out), 0o755)
	code, _, stderr := pf(t, "", "gen", "-passes=vjp,fold,cse,dce,memplan", "-type", "Grad", "-o", out, goldenMLP)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	data, _ := os.ReadFile(out)
	if !strings.Contains(string(data), "W1Grad []float32") {
		t.Errorf("the gradient step has no result W1Grad:\n%s", data)
	}
	if out, err := m.Go("vet", "./step").CombinedOutput(); err != nil {
		t.Fatalf("go vet: %v\n%s", err, out)
	}
}
