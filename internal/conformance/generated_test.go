package conformance

import (
	"fmt"
	"math"
	"sync"
	"testing"

	"github.com/pushforward/pushforward/internal/genmod"
	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/runtime"
)

// TestGenerated runs the suite against generated code: every function the
// checks run (the case, its JVPs, its f64 version, the VJP of the paired
// loss) is emitted by codegen into one package, built once into a driver
// program, and run there; the driver also runs the interpreter on the
// same inputs, and the two must agree bit for bit. The functions are
// found by running the checks once on the interpreter, recording each.
func TestGenerated(t *testing.T) {
	if testing.Short() {
		t.Skip("builds generated code for every case")
	}
	type caseD struct {
		c Case
		d ir.DType
	}
	var all []caseD
	for _, c := range Cases() {
		for _, d := range []ir.DType{ir.F64, ir.F32} {
			all = append(all, caseD{c, d})
		}
	}

	// Record the functions of every check, case by case.
	var funcs []*ir.Func
	index := map[string]int{}
	uses := make([][]int, len(all))
	t.Run("record", func(t *testing.T) {
		for k, cd := range all {
			rec := func(f *ir.Func, inputs []*runtime.Tensor) ([]*runtime.Tensor, error) {
				key := f.String()
				i, ok := index[key]
				if !ok {
					i = len(funcs)
					index[key] = i
					funcs = append(funcs, f)
				}
				uses[k] = append(uses[k], i)
				return runtime.Run(f, inputs)
			}
			t.Run(cd.c.Name+"/"+cd.d.String(), func(t *testing.T) { Check(t, rec, cd.c, cd.d) })
		}
	})

	m, err := genmod.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	prog, err := genmod.Build(m, funcs)
	if err != nil {
		t.Fatal(err)
	}
	defer prog.Close()
	t.Logf("%d functions generated and built", len(funcs))

	for k, cd := range all {
		t.Run(cd.c.Name+"/"+cd.d.String(), func(t *testing.T) {
			for _, i := range uses[k] {
				if err := prog.GenErr[i]; err != nil {
					t.Skipf("not generated: %v", err)
				}
			}
			var mu sync.Mutex
			run := func(f *ir.Func, inputs []*runtime.Tensor) ([]*runtime.Tensor, error) {
				i, ok := index[f.String()]
				if !ok {
					return nil, fmt.Errorf("function @%s was not recorded", f.Name)
				}
				got, err := prog.Generated(i, inputs)
				want, wantErr := prog.Interpreted(i, inputs)
				mu.Lock()
				defer mu.Unlock()
				if (err == nil) != (wantErr == nil) {
					t.Errorf("@%s: generated code error %v, interpreter error %v", f.Name, err, wantErr)
				} else if err == nil {
					sameBits(t, f.Name, got, want)
				}
				return got, err
			}
			Check(t, run, cd.c, cd.d)
		})
	}
}

// sameBits requires got and want to hold the same bits.
func sameBits(t *testing.T, name string, got, want []*runtime.Tensor) {
	t.Helper()
	for k := range want {
		g, w := got[k].Float64s(), want[k].Float64s()
		for e := range w {
			if math.Float64bits(g[e]) != math.Float64bits(w[e]) {
				t.Errorf("@%s: result %d element %d: generated %v, interpreter %v", name, k, e, g[e], w[e])
				break
			}
		}
	}
}
