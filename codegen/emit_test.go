package codegen

import (
	"os"
	"strings"
	"testing"

	"github.com/pushforward/pushforward/ir"
)

// Every op of the table has an emitter (which, for argmin and
// linear_solve, says why it cannot emit them yet).
func TestEveryOpHasAnEmitter(t *testing.T) {
	for _, op := range ir.AllOps() {
		if emitters[op] == nil {
			t.Errorf("no emitter for %s", op)
		}
	}
	for _, op := range []ir.Op{ir.OpArgmin, ir.OpLinearSolve} {
		if Supports(op) {
			t.Errorf("Supports(%s), which Generate does not emit", op)
		}
	}
	if !Supports(ir.OpFused) || !Supports(ir.OpMatmul) {
		t.Error("Supports rejects ops that Generate emits")
	}
}

// The products of testdata/gen/matmul_pair.pf that the interpreter's
// Runner pairs are one PairGEMM call in generated code too, and the
// look-alikes are not (golden_run_test.go checks the bits).
func TestGeneratedPairs(t *testing.T) {
	src, err := os.ReadFile("../testdata/gen/matmul_pair.pf")
	if err != nil {
		t.Fatal(err)
	}
	m, err := ir.Parse("matmul_pair.pf", src)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"pair_f32": 1, "pair_f64_transposed": 1, "pair_over_dying_operand": 0, "chain": 0}
	for _, f := range m.Funcs {
		code, err := Generate(f, Options{Package: "p"})
		if err != nil {
			t.Fatal(err)
		}
		got := strings.Count(string(code), "gemmPair(")
		if got != want[f.Name] {
			t.Errorf("@%s: %d pair calls, want %d", f.Name, got, want[f.Name])
		}
	}
}
