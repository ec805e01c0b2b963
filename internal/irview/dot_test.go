package irview

import (
	"bytes"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/passes"
)

var update = flag.Bool("update", false, "rewrite the golden DOT files")

const goldenIR = "../../testdata/ir"

// goldenModules parses every golden IR file.
func goldenModules(t *testing.T) map[string]*ir.Module {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(goldenIR, "*.pf"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no golden IR files: %v", err)
	}
	mods := map[string]*ir.Module{}
	for _, p := range paths {
		mods[filepath.Base(p)] = parseVerified(t, p)
	}
	return mods
}

// parseVerified parses and verifies the IR file at path.
func parseVerified(t *testing.T, path string) *ir.Module {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	m, err := ir.ParseAndVerify(filepath.Base(path), src, ir.ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// WriteDot matches the golden graphs, and works on every golden file.
func TestDot(t *testing.T) {
	golden := map[string]bool{"mlp_xent.pf": true, "argmin_projection.pf": true, "linalg.pf": true, "fused.pf": true}
	for name, m := range goldenModules(t) {
		for _, f := range m.Funcs {
			var b bytes.Buffer
			if err := WriteDot(&b, f); err != nil {
				t.Fatal(err)
			}
			if golden[name] && f == m.Funcs[0] {
				checkGolden(t, filepath.Join("testdata", strings.TrimSuffix(name, ".pf")+".dot"), b.Bytes())
			}
		}
	}
}

// Graphviz accepts the graph of every golden function, and of the
// functions memplan plans (their attributes hold lists), without a
// warning.
func TestDotRendersWithGraphviz(t *testing.T) {
	dotBin, err := exec.LookPath("dot")
	if err != nil && os.Getenv("PUSHFORWARD_REQUIRE_CHROMIUM") != "" {
		t.Fatal("Graphviz's dot is not installed, and CI installs it with Chromium")
	}
	if err != nil {
		t.Skip("Graphviz's dot is not installed (apt-get install graphviz): the graphs are not rendered")
	}
	for name, m := range goldenModules(t) {
		for _, f := range m.Funcs {
			for _, g := range []*ir.Func{f, passes.MemPlan(f)} {
				var b bytes.Buffer
				if err := WriteDot(&b, g); err != nil {
					t.Fatal(err)
				}
				cmd := exec.Command(dotBin, "-Tsvg")
				cmd.Stdin = &b
				var stderr bytes.Buffer
				cmd.Stderr = &stderr
				out, err := cmd.Output()
				if err != nil || !bytes.Contains(out, []byte("<svg")) || stderr.Len() > 0 {
					t.Errorf("%s @%s: dot -Tsvg: %v\n%s", name, g.Name, err, stderr.String())
				}
			}
		}
	}
}

func checkGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s (-golden +got):\n%s", path, diff)
	}
}

// DOT strings escape quotes and backslashes, and break lines.
func TestDotQuote(t *testing.T) {
	if got, want := quote("a\"b\\c\nd"), `"a\"b\\c\nd"`; got != want {
		t.Errorf("quote = %s, want %s", got, want)
	}
}
