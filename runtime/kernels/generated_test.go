package kernels

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// The checked-in assembly is its generator's output (go generate
// ./runtime/kernels).
func TestAssemblyGenerated(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the generators")
	}
	for _, g := range []struct{ generator, file string }{
		{"mkdot.go", "dot_amd64.s"},
		{"mkelementwise.go", "elementwise_amd64.s"},
		{"mkgemm.go", "microkernel_avx512_amd64.s"},
		{"mkjacobi.go", "jacobi_amd64.s"},
	} {
		out := filepath.Join(t.TempDir(), g.file)
		cmd := exec.Command("go", "run", g.generator, "-o", out)
		if msg, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go run %s: %v\n%s", g.generator, err, msg)
		}
		want, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(g.file)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from %s's output: run go generate ./runtime/kernels", g.file, g.generator)
		}
	}
}
