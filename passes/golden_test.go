package passes_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/passes"
)

var update = flag.Bool("update", false, "rewrite the golden dumps in testdata/dumps")

// The dumps of jvp and vjp (each followed by the usual clean-up) on three
// golden graphs are checked in, so that any change to a derivative rule
// or a pass shows up as a readable diff.
func TestGoldenDumps(t *testing.T) {
	for _, name := range []string{"mlp_xent", "broadcast", "reductions"} {
		src, err := os.ReadFile(filepath.Join("..", "testdata", "ir", name+".pf"))
		if err != nil {
			t.Fatal(err)
		}
		m, err := ir.Parse(name+".pf", src)
		if err != nil {
			t.Fatal(err)
		}
		for _, transform := range []string{"jvp", "vjp"} {
			t.Run(name+"/"+transform, func(t *testing.T) {
				var dump strings.Builder
				_, err := passes.Run(m.Funcs[0], append([]string{transform}, passes.Cleanup...),
					passes.Options{Verify: true, DumpAfter: []string{transform, "dce"}, Dump: &dump})
				if err != nil {
					t.Fatal(err)
				}
				path := filepath.Join("..", "testdata", "dumps", name+"."+transform+".pf")
				if *update {
					if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(path, []byte(dump.String()), 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("%v (run go test ./passes -run TestGoldenDumps -update)", err)
				}
				if diff := cmp.Diff(string(want), dump.String()); diff != "" {
					t.Errorf("dump differs from %s (-want +got; rerun with -update and review the diff):\n%s", path, diff)
				}
			})
		}
	}
}
