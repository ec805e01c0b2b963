package codegen_test

import (
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"golang.org/x/sys/cpu"

	"github.com/pushforward/pushforward/internal/genmod"
	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/runtime"
)

// goldenFuncs returns every function of the golden IR files, and of
// testdata/gen's (functions large enough for the paths that only large
// shapes take: loops split across goroutines, fused bodies by blocks),
// with names "file.pf/func".
func goldenFuncs(t *testing.T) (names []string, funcs []*ir.Func) {
	t.Helper()
	paths, err := filepath.Glob("../testdata/ir/*.pf")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no golden IR files: %v", err)
	}
	large, _ := filepath.Glob("../testdata/gen/*.pf")
	paths = append(paths, large...)
	for _, path := range paths {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		m, err := ir.Parse(path, src)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range m.Funcs {
			names = append(names, filepath.Base(path)+"/"+f.Name)
			funcs = append(funcs, f)
		}
	}
	return names, funcs
}

// notYet matches the error of the ops Generate does not emit yet, whose
// solvers run inside the interpreter on their regions.
var notYet = regexp.MustCompile(`= (argmin|linear_solve) .*cannot emit (argmin|linear_solve) yet`)

// randomInputs draws inputs for f: floats standard normal, integers zero
// (a valid label and index for any size), u64 scalars small.
func randomInputs(r *rand.Rand, f *ir.Func) []*runtime.Tensor {
	inputs := make([]*runtime.Tensor, len(f.Params))
	for i, p := range f.Params {
		t := runtime.Zeros(p.Type)
		for k := range t.F32 {
			t.F32[k] = float32(r.NormFloat64())
		}
		for k := range t.F64 {
			t.F64[k] = r.NormFloat64()
		}
		for k := range t.U64 {
			t.U64[k] = uint64(r.IntN(1000))
		}
		inputs[i] = t
	}
	return inputs
}

// goamd64Levels are the levels to build generated code at: v1, and v3
// where the CPU runs it (Go fuses multiply-adds at v3).
func goamd64Levels() []string {
	levels := []string{"v1"}
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA && cpu.X86.HasBMI2 {
		levels = append(levels, "v3")
	}
	return levels
}

// atEachLevel builds funcs as generated code and the interpreter into one
// program at each GOAMD64 level and runs check on it, in a subtest.
func atEachLevel(t *testing.T, funcs []*ir.Func, check func(t *testing.T, prog *genmod.Program)) {
	for _, level := range goamd64Levels() {
		t.Run("GOAMD64="+level, func(t *testing.T) {
			m, err := genmod.New(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			m.Env = []string{"GOAMD64=" + level}
			prog, err := genmod.Build(m, funcs)
			if err != nil {
				t.Fatal(err)
			}
			defer prog.Close()
			check(t, prog)
		})
	}
}

// TestGoldenBitForBit runs every golden function as generated code and
// with the interpreter, in one program built at each GOAMD64 level, and
// requires the same bits (or the same failure). Functions Generate
// rejects must be rejected with a reason naming an op it cannot emit.
func TestGoldenBitForBit(t *testing.T) {
	if testing.Short() {
		t.Skip("builds generated code")
	}
	names, funcs := goldenFuncs(t)
	atEachLevel(t, funcs, func(t *testing.T, prog *genmod.Program) {
		r := rand.New(rand.NewPCG(41, 42))
		for i, f := range funcs {
			inputs := randomInputs(r, f)
			if err := prog.GenErr[i]; err != nil {
				if !notYet.MatchString(err.Error()) {
					t.Errorf("%s: not generated: %v", names[i], err)
				}
				continue
			}
			want, wantErr := prog.Interpreted(i, inputs)
			got, gotErr := prog.Generated(i, inputs)
			switch {
			case (wantErr == nil) != (gotErr == nil):
				t.Errorf("%s: interpreter error %v, generated code error %v", names[i], wantErr, gotErr)
				continue
			case wantErr != nil:
				t.Logf("%s: both fail: %v | %v", names[i], wantErr, gotErr)
				continue
			}
			compareBits(t, names[i], got, want)
			if allocs, err := prog.Allocs(i, inputs); err != nil || allocs != 0 {
				t.Errorf("%s: %v allocations per step (%v)", names[i], allocs, err)
			}
		}
	})
}

// compareBits requires got and want to hold the same bits.
func compareBits(t *testing.T, name string, got, want []*runtime.Tensor) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d results, want %d", name, len(got), len(want))
		return
	}
	for k := range want {
		g, w := got[k], want[k]
		if !g.Type.Equal(w.Type) {
			t.Errorf("%s: result %d has type %s, want %s", name, k, g.Type, w.Type)
			continue
		}
		for e := range w.F32 {
			if math.Float32bits(g.F32[e]) != math.Float32bits(w.F32[e]) {
				t.Errorf("%s: result %d element %d: generated %v, interpreter %v", name, k, e, g.F32[e], w.F32[e])
				break
			}
		}
		for e := range w.F64 {
			if math.Float64bits(g.F64[e]) != math.Float64bits(w.F64[e]) {
				t.Errorf("%s: result %d element %d: generated %v, interpreter %v", name, k, e, g.F64[e], w.F64[e])
				break
			}
		}
		for e := range w.I64 {
			if g.I64[e] != w.I64[e] {
				t.Errorf("%s: result %d element %d: generated %v, interpreter %v", name, k, e, g.I64[e], w.I64[e])
				break
			}
		}
		for e := range w.U64 {
			if g.U64[e] != w.U64[e] {
				t.Errorf("%s: result %d element %d: generated %v, interpreter %v", name, k, e, g.U64[e], w.U64[e])
				break
			}
		}
	}
}
