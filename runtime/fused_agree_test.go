package runtime_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	goruntime "runtime"
	"strings"
	"testing"

	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/passes"
	"github.com/pushforward/pushforward/runtime"
)

// fusedAgreeCases are functions of fused ops whose loops take every path
// of the interpreter: loads in place, by rows (rows longer and shorter
// than a block), gathered and repeated; several results, parameters and
// constants returned; products copied or kept in scratch; reductions
// over the last axes (split across goroutines), leading axes and axes
// apart; domains large enough to be split across goroutines.
var fusedAgreeCases = map[string]string{
	"rows": `func @f(%x: f32[300,700] data, %b: f32[700] data, %c: f32[300,1] data, %s: f32[] data) -> (f32[300,700], f32[300,700], f32[300,700]) {
  %r, %m, %q = fused %x, %b, %c, %s {kind="elementwise"} region {
    func @body(%x: f32[] data, %b: f32[] data, %c: f32[] data, %s: f32[] data) -> (f32[], f32[], f32[]) {
      %t = add %x, %b : f32[]
      %u = mul %t, %c : f32[]
      %h = relu %u : f32[]
      %m = step %u : f32[]
      %k = full {value=0.5} : f32[]
      %cs = mul %c, %s : f32[]
      %q = sub %cs, %k : f32[]
      %z = mul %m, %q : f32[]
      return %h, %z, %q
    }
  } : f32[300,700], f32[300,700], f32[300,700]
  return %r, %m, %q
}`,
	"gather": `func @f(%x: f64[1000,10] data, %b: f64[10] data, %c: f64[1000,1] data) -> (f64[1000,10], f64[1000,10]) {
  %r, %b2 = fused %x, %b, %c {kind="elementwise"} region {
    func @body(%x: f64[] data, %b: f64[] data, %c: f64[] data) -> (f64[], f64[]) {
      %t = sub %x, %b : f64[]
      %e = exp %t : f64[]
      %d = div %e, %c : f64[]
      return %d, %b
    }
  } : f64[1000,10], f64[1000,10]
  return %r, %b2
}`,
	"gather parallel": `func @f(%x: f32[70000,3] data, %b: f32[3] data) -> (f32[70000,3]) {
  %r = fused %x, %b {kind="elementwise"} region {
    func @body(%x: f32[] data, %b: f32[] data) -> (f32[]) {
      %t = mul %x, %b : f32[]
      %s = sigmoid %t : f32[]
      return %s
    }
  } : f32[70000,3]
  return %r
}`,
	"repeated bias": `func @f(%x: f32[1025,64] data, %b: f32[64] data, %c: f32[1025,1] data) -> (f32[1025,64], f32[1025]) {
  %r = fused %x, %b, %c {kind="elementwise"} region {
    func @body(%x: f32[] data, %b: f32[] data, %c: f32[] data) -> (f32[]) {
      %s = add %x, %b : f32[]
      %t = mul %s, %c : f32[]
      return %t
    }
  } : f32[1025,64]
  %q = fused %x, %b {axes=[1], kind="reduce", reduce="sum"} region {
    func @body(%x: f32[] data, %b: f32[] data) -> (f32[]) {
      %s = mul %x, %b : f32[]
      return %s
    }
  } : f32[1025]
  return %r, %q
}`,
	"math": `func @f(%x: f32[40,50] data, %y: f32[50] data) -> (f32[40,50], f64[40,50], f32[40,50]) {
  %a, %b, %c = fused %x, %y {kind="elementwise"} region {
    func @body(%x: f32[] data, %y: f32[] data) -> (f32[], f64[], f32[]) {
      %ax = abs %x : f32[]
      %l = log %ax : f32[]
      %sq = sqrt %ax : f32[]
      %p = pow %ax {exponent=1.5} : f32[]
      %t = tanh %y : f32[]
      %m = maximum %l, %t : f32[]
      %n = minimum %sq, %p : f32[]
      %x64 = cast %x : f64[]
      %m64 = cast %m : f64[]
      %w = mul %x64, %m64 : f64[]
      %g = ge %x, %y : f32[]
      %s = select %g, %m, %n : f32[]
      %ng = neg %s : f32[]
      %sqr = square %ng : f32[]
      %e = ne %sqr, %x : f32[]
      %lt = lt %e, %g : f32[]
      %le = le %lt, %s : f32[]
      %eq = eq %le, %y : f32[]
      %o = add %eq, %sqr : f32[]
      return %o, %w, %s
    }
  } : f32[40,50], f64[40,50], f32[40,50]
  return %a, %b, %c
}`,
	"matmul epilogue": `func @f(%x: f32[130,70] data, %w: f32[70,90] data, %b: f32[90] data, %t: f32[130,90] data) -> (f32[130,90], f32[130,90]) {
  %h, %ht = fused %x, %w, %b, %t {kind="matmul"} region {
    func @body(%p: f32[] data, %b: f32[] data, %t: f32[] data) -> (f32[], f32[]) {
      %s = add %p, %b : f32[]
      %h = relu %s : f32[]
      %m = step %s : f32[]
      %ht = mul %m, %t : f32[]
      return %h, %ht
    }
  } : f32[130,90], f32[130,90]
  return %h, %ht
}`,
	"matmul product read after the first result": `func @f(%x: f64[60,33] data, %w: f64[20,33] data, %c: f64[60,20] data) -> (f64[60,20], f64[60,20]) {
  %h, %q = fused %x, %w, %c {kind="matmul", transpose_b=true} region {
    func @body(%p: f64[] data, %c: f64[] data) -> (f64[], f64[]) {
      %h = relu %p : f64[]
      %two = full {value=2} : f64[]
      %tp = mul %two, %p : f64[]
      %q = add %tp, %c : f64[]
      return %h, %q
    }
  } : f64[60,20], f64[60,20]
  return %h, %q
}`,
	"batched matmul into a cast": `func @f(%x: f32[3,20,30] data, %w: f32[30,40] data, %b: f32[40] data) -> (f64[3,20,40], f32[3,20,40]) {
  %r, %p = fused %x, %w, %b {kind="matmul"} region {
    func @body(%p: f32[] data, %b: f32[] data) -> (f64[], f32[]) {
      %s = add %p, %b : f32[]
      %c = cast %s : f64[]
      return %c, %p
    }
  } : f64[3,20,40], f32[3,20,40]
  return %r, %p
}`,
	"big matmul": `func @f(%x: f32[512,128] data, %w: f32[128,128] data, %t: f32[512,128] data) -> (f32[512,128], f32[512,128]) {
  %h, %ht = fused %x, %w, %t {kind="matmul", transpose_a=false} region {
    func @body(%p: f32[] data, %t: f32[] data) -> (f32[], f32[]) {
      %m = step %p : f32[]
      %ht = mul %m, %t : f32[]
      %h = relu %p : f32[]
      return %h, %ht
    }
  } : f32[512,128], f32[512,128]
  return %h, %ht
}`,
	"merged axes": `func @f(%a: f32[24,18,18] data, %b: f32[24,18,4] data, %c: f32[24,18,1] data, %d: f32[6,5,70] data, %e: f32[6,1,70] data, %g: f32[6,5,1] data, %h: f32[5,70] data) -> (f32[24,18,4], f32[6,5,70]) {
  %p = fused %a, %b, %c {kind="matmul"} region {
    func @body(%p: f32[] data, %c: f32[] data) -> (f32[]) {
      %q = mul %p, %c : f32[]
      return %q
    }
  } : f32[24,18,4]
  %r = fused %d, %e, %g, %h {kind="elementwise"} region {
    func @body(%d: f32[] data, %e: f32[] data, %g: f32[] data, %h: f32[] data) -> (f32[]) {
      %s = sub %d, %e : f32[]
      %t = mul %s, %g : f32[]
      %u = add %t, %h : f32[]
      return %u
    }
  } : f32[6,5,70]
  return %p, %r
}`,
	"reductions": `func @f(%a: f32[300,700] data, %b: f32[300,700] data, %c: f32[700] data, %d: f64[4,5,6] data) -> (f32[300], f32[1,700], f64[5], f32[], f64[4,1,6]) {
  %rows = fused %a, %b {axes=[1], kind="reduce", reduce="sum"} region {
    func @body(%a: f32[] data, %b: f32[] data) -> (f32[]) {
      %p = mul %a, %b : f32[]
      return %p
    }
  } : f32[300]
  %cols = fused %a, %c {axes=[0], keepdims=true, kind="reduce", reduce="mean"} region {
    func @body(%a: f32[] data, %c: f32[] data) -> (f32[]) {
      %p = sub %a, %c : f32[]
      %q = square %p : f32[]
      return %q
    }
  } : f32[1,700]
  %apart = fused %d {axes=[0, 2], kind="reduce", reduce="max"} region {
    func @body(%d: f64[] data) -> (f64[]) {
      %e = exp %d : f64[]
      return %e
    }
  } : f64[5]
  %all = fused %c {kind="reduce", reduce="sum"} region {
    func @body(%c: f32[] data) -> (f32[]) {
      %k = full {value=0.1} : f32[]
      return %k
    }
  } : f32[]
  %mid = fused %d {axes=[1], keepdims=true, kind="reduce", reduce="sum"} region {
    func @body(%d: f64[] data) -> (f64[]) {
      %n = neg %d : f64[]
      return %n
    }
  } : f64[4,1,6]
  return %rows, %cols, %apart, %all, %mid
}`,
	"integers": `func @f(%a: i64[50,40] data, %b: i64[40] data) -> (i64[50,40], i64[50]) {
  %r = fused %a, %b {kind="elementwise"} region {
    func @body(%a: i64[] data, %b: i64[] data) -> (i64[]) {
      %s = sub %a, %b : i64[]
      %m = mul %s, %a : i64[]
      %x = maximum %m, %b : i64[]
      return %x
    }
  } : i64[50,40]
  %s = fused %a, %b {axes=[1], kind="reduce", reduce="sum"} region {
    func @body(%a: i64[] data, %b: i64[] data) -> (i64[]) {
      %p = mul %a, %b : i64[]
      return %p
    }
  } : i64[50]
  return %r, %s
}`,
}

// Every fused op computes what its body's ops compute one after the other
// (passes.Unfuse), to the bit, on inputs with NaNs, infinities and signed
// zeros, with Run and with a Runner (twice, reusing its memory).
func TestFusedAgreesWithUnfused(t *testing.T) {
	funcs := map[string]*ir.Func{}
	for name, src := range fusedAgreeCases {
		f, err := ir.ParseFunc(src)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		funcs[name] = f
	}
	src, err := os.ReadFile(filepath.Join("..", "testdata", "ir", "fused.pf"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := ir.Parse("fused.pf", src)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range m.Funcs {
		funcs["fused.pf/"+f.Name] = f
	}
	r := rand.New(rand.NewPCG(3, 4))
	for name, f := range funcs {
		t.Run(name, func(t *testing.T) {
			if err := ir.Verify(f); err != nil {
				t.Fatal(err)
			}
			unfused, err := passes.Unfuse(f)
			if err != nil {
				t.Fatal(err)
			}
			if err := ir.Verify(unfused); err != nil {
				t.Fatalf("unfused: %v\n%s", err, unfused)
			}
			inputs := specialInputs(f, r)
			want, err := runtime.Run(unfused, inputs)
			if err != nil {
				t.Fatal(err)
			}
			got, err := runtime.Run(f, inputs)
			if err != nil {
				t.Fatal(err)
			}
			checkSameBits(t, "Run", got, want)
			it, err := runtime.New(f)
			if err != nil {
				t.Fatal(err)
			}
			// The Runner's second run gets other inputs: nothing of the
			// first may stay behind.
			runner := it.NewRunner()
			for i := range 2 {
				if i > 0 {
					inputs = specialInputs(f, r)
					if want, err = runtime.Run(unfused, inputs); err != nil {
						t.Fatal(err)
					}
				}
				got, err := runner.Run(inputs)
				if err != nil {
					t.Fatal(err)
				}
				checkSameBits(t, fmt.Sprintf("Runner, run %d", i+1), got, want)
			}
		})
	}
}

// specialInputs draws normal floats with a few NaNs, infinities and zeros
// of both signs, and small integers.
func specialInputs(f *ir.Func, r *rand.Rand) []*runtime.Tensor {
	special := []float64{math.NaN(), math.Inf(1), math.Inf(-1), 0, math.Copysign(0, -1)}
	in := make([]*runtime.Tensor, len(f.Params))
	for i, p := range f.Params {
		n := p.Type.Shape.Size()
		switch p.Type.DType {
		case ir.I64:
			data := make([]int64, n)
			for j := range data {
				data[j] = int64(r.IntN(21)) - 10
			}
			in[i] = runtime.FromI64(p.Type.Shape, data)
		default:
			data := make([]float64, n)
			for j := range data {
				data[j] = r.NormFloat64()
				if r.IntN(50) == 0 {
					data[j] = special[r.IntN(len(special))]
				}
			}
			in[i] = runtime.FromFloat64s(p.Type, data)
		}
	}
	return in
}

// checkSameBits fails unless got and want hold the same bits
// (runtime.CheckIdentical).
func checkSameBits(t *testing.T, what string, got, want []*runtime.Tensor) {
	t.Helper()
	for i := range want {
		if err := runtime.CheckIdentical(got[i], want[i]); err != nil {
			t.Errorf("%s: result %d: %v", what, i, err)
		}
	}
}

// The fused training steps of an MLP run each fused op as one step of the
// Runner (its profile lists the fused ops, not the ops of their bodies),
// compute the unfused steps' bits, and allocate nothing in steady state.
func TestFusedStepsRunAsOneStepEach(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the MLP steps")
	}
	r := rand.New(rand.NewPCG(9, 10))
	for name, f := range stepFuncs(t) {
		fused, err := passes.Fuse(f, passes.FuseOptions{})
		if err != nil {
			t.Fatal(err)
		}
		ops := map[string]int{}
		for _, in := range fused.Body {
			ops[in.Op.String()]++
		}
		if ops["fused"] == 0 {
			t.Errorf("%s: nothing fused", name)
			continue
		}
		inputs := randomInputs(f, r)
		want, err := runtime.Run(f, inputs)
		if err != nil {
			t.Fatal(err)
		}
		it, err := runtime.New(fused)
		if err != nil {
			t.Fatal(err)
		}
		runner := it.NewRunner()
		prof := runner.Profile()
		for range 3 {
			got, err := runner.Run(inputs)
			if err != nil {
				t.Fatal(err)
			}
			checkSameBits(t, name, got, want)
		}
		runner.StopProfile()
		counted := map[string]int{}
		for _, e := range prof.Entries() {
			counted[e.Op] += e.Count
		}
		if diff := cmpCounts(counted, ops); diff != "" {
			t.Errorf("%s: instructions in the profile differ from the function's: %s", name, diff)
		}
		goruntime.GC()
		allocs := testing.AllocsPerRun(5, func() {
			if _, err := runner.Run(inputs); err != nil {
				t.Fatal(err)
			}
		})
		if allocs != 0 {
			t.Errorf("%s fused: %v allocations per step, want 0", name, allocs)
		}
	}
}

func cmpCounts(got, want map[string]int) string {
	var diff []string
	for op, n := range want {
		if got[op] != n {
			diff = append(diff, fmt.Sprintf("%s: %d, want %d", op, got[op], n))
		}
	}
	for op, n := range got {
		if _, ok := want[op]; !ok {
			diff = append(diff, fmt.Sprintf("%s: %d, want none", op, n))
		}
	}
	return strings.Join(diff, "; ")
}
