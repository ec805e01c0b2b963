package runtime

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"unsafe"

	"github.com/pushforward/pushforward/ir"
)

// checkRunnerMatchesRun runs f with Run and twice with one Runner (the
// second run reuses every buffer) and wants the same bits each time, or
// the same error.
func checkRunnerMatchesRun(t *testing.T, it *Interpreter, inputs []*Tensor) {
	t.Helper()
	want, wantErr := it.Run(inputs)
	r := it.NewRunner()
	for run := range 2 {
		got, err := r.Run(inputs)
		if (err == nil) != (wantErr == nil) || (err != nil && err.Error() != wantErr.Error()) {
			t.Fatalf("run %d: Runner error %v, Run error %v", run, err, wantErr)
		}
		for i := range want {
			if !bitsEqual(got[i], want[i]) {
				t.Fatalf("run %d: result %d = %v, Run gives %v", run, i, got[i], want[i])
			}
		}
		// Results never share memory with each other or with inputs.
		for i := range got {
			for j := range i {
				if sharesMemory(got[i], got[j]) {
					t.Fatalf("results %d and %d share memory", j, i)
				}
			}
			for j := range inputs {
				if sharesMemory(got[i], inputs[j]) {
					t.Fatalf("result %d shares memory with input %d", i, j)
				}
			}
		}
	}
}

func sharesMemory(a, b *Tensor) bool {
	overlap := func(x, y []byte) bool {
		if len(x) == 0 || len(y) == 0 {
			return false
		}
		xs, ys := &x[0], &y[0]
		xe, ye := &x[len(x)-1], &y[len(y)-1]
		return !(uintptrOf(xe) < uintptrOf(ys) || uintptrOf(ye) < uintptrOf(xs))
	}
	return overlap(bytesOf(a), bytesOf(b))
}

// Every op case of the op tables gives the same result through a Runner
// as through Run, on the first run and when the buffers are reused.
func TestRunnerMatchesRunOnOpCases(t *testing.T) {
	for _, table := range allCaseTables() {
		for _, tc := range table {
			for _, d := range tc.runDTypes() {
				t.Run(fmt.Sprintf("%s/%s/%s", tc.op, tc.name, d), func(t *testing.T) {
					inputs := make([]*Tensor, len(tc.args))
					argTypes := make([]ir.Type, len(tc.args))
					for i, a := range tc.args {
						inputs[i] = a.tensor(d)
						argTypes[i] = inputs[i].Type
					}
					resultTypes := make([]ir.Type, len(tc.want))
					for i, w := range tc.want {
						resultTypes[i] = w.tensor(d).Type
					}
					f := singleInstrFunc(tc.op, tc.attrs, argTypes, resultTypes)
					if tc.region != nil {
						setRegion(t, f, tc.region(d))
					}
					checkRunnerMatchesRun(t, mustNew(t, f), inputs)
				})
			}
		}
	}
}

// The functions of the golden IR files, whose values share buffers in a
// Runner, give the same results as with Run.
func TestRunnerMatchesRunOnGoldenFiles(t *testing.T) {
	r := rand.New(rand.NewPCG(41, 42))
	for name, f := range goldenFuncs(t) {
		t.Run(name, func(t *testing.T) {
			if err := ir.Verify(f); err != nil {
				t.Skipf("does not verify: %v", err)
			}
			it, err := New(f)
			if err != nil {
				t.Fatal(err)
			}
			inputs := make([]*Tensor, len(f.Params))
			for i, p := range f.Params {
				inputs[i] = Zeros(p.Type)
				if p.Type.DType.IsFloat() {
					inputs[i] = randomTensor(r, p.Type.DType, p.Type.Shape...)
				}
			}
			checkRunnerMatchesRun(t, it, inputs)
		})
	}
}

// A chain of same-sized elementwise temporaries runs in one buffer, in
// place, and a result that is an input or repeats another is copied.
func TestRunnerReusesBuffers(t *testing.T) {
	f := ir.NewFunc("chain")
	x := f.AddParam("x", f32(64, 64), ir.Data)
	b := funcBuilder{f}
	v := x
	for i := range 10 {
		v = b.emit(fmt.Sprintf("v%d", i), ir.OpNeg, f32(64, 64), nil, v)
	}
	f.Results = []*ir.Value{v, x, v}
	it := mustNew(t, f)
	r := it.NewRunner()
	// One buffer for the chain, then copies for the input result and the
	// repeated one.
	if want := int64(3 * 64 * 64 * 4); r.Bytes() != want {
		t.Errorf("Runner holds %d bytes, want %d", r.Bytes(), want)
	}
	in := randomTensor(rand.New(rand.NewPCG(1, 2)), ir.F32, 64, 64)
	checkRunnerMatchesRun(t, it, []*Tensor{in})
}

// bytesOf returns the memory of t's elements.
func bytesOf(t *Tensor) []byte {
	var p unsafe.Pointer
	var n int
	switch {
	case len(t.F32) > 0:
		p, n = unsafe.Pointer(unsafe.SliceData(t.F32)), 4*len(t.F32)
	case len(t.F64) > 0:
		p, n = unsafe.Pointer(unsafe.SliceData(t.F64)), 8*len(t.F64)
	case len(t.I64) > 0:
		p, n = unsafe.Pointer(unsafe.SliceData(t.I64)), 8*len(t.I64)
	case len(t.U64) > 0:
		p, n = unsafe.Pointer(unsafe.SliceData(t.U64)), 8*len(t.U64)
	default:
		return nil
	}
	return unsafe.Slice((*byte)(p), n)
}

func uintptrOf(p *byte) uintptr { return uintptr(unsafe.Pointer(p)) }

// A profile counts the runs made while attached and attributes every
// instruction's time to its op and types.
func TestRunnerProfile(t *testing.T) {
	f, err := ir.ParseFunc(`func @f(%a: f32[64,64] data, %b: f32[64,64] data) -> (f32[64,64]) {
  %c = matmul %a, %b : f32[64,64]
  %d = tanh %c : f32[64,64]
  %e = matmul %d, %b : f32[64,64]
  return %e
}`)
	if err != nil {
		t.Fatal(err)
	}
	it, err := New(f)
	if err != nil {
		t.Fatal(err)
	}
	r := it.NewRunner()
	in := []*Tensor{Zeros(f.Params[0].Type), Zeros(f.Params[1].Type)}
	if _, err := r.Run(in); err != nil {
		t.Fatal(err)
	}
	p := r.Profile()
	for range 3 {
		if _, err := r.Run(in); err != nil {
			t.Fatal(err)
		}
	}
	r.StopProfile()
	if _, err := r.Run(in); err != nil {
		t.Fatal(err)
	}
	if p.Runs() != 3 {
		t.Errorf("profile covers %d runs, want 3", p.Runs())
	}
	es := p.Entries()
	if len(es) != 2 {
		t.Fatalf("%d groups, want 2 (matmul, tanh): %+v", len(es), es)
	}
	counts := map[string]int{}
	for _, e := range es {
		counts[e.Op] = e.Count
	}
	if counts["matmul"] != 2 || counts["tanh"] != 1 {
		t.Errorf("groups %v, want matmul×2, tanh×1", counts)
	}
	var b strings.Builder
	if err := p.Write(&b, 1); err != nil || !strings.Contains(b.String(), "3 runs") || strings.Count(b.String(), "\n") != 3 {
		t.Errorf("Write(…, 1) = %q, %v", b.String(), err)
	}
}
