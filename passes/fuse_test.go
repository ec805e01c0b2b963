package passes_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/methods/train"
	"github.com/pushforward/pushforward/passes"
	"github.com/pushforward/pushforward/runtime"
)

// fuseInputs draws inputs for f: normal floats, labels in [0, 10), RNG
// key and counter 1.
func fuseInputs(f *ir.Func, r *rand.Rand) []*runtime.Tensor {
	in := make([]*runtime.Tensor, len(f.Params))
	for i, p := range f.Params {
		n := p.Type.Shape.Size()
		switch p.Type.DType {
		case ir.I64:
			data := make([]int64, n)
			for j := range data {
				data[j] = int64(r.IntN(min(10, p.Type.Shape.Size()+1)))
			}
			in[i] = runtime.FromI64(p.Type.Shape, data)
		case ir.U64:
			data := make([]uint64, n)
			for j := range data {
				data[j] = 1
			}
			in[i] = runtime.FromU64(p.Type.Shape, data)
		default:
			data := make([]float64, n)
			for j := range data {
				data[j] = r.NormFloat64()
			}
			in[i] = runtime.FromFloat64s(p.Type, data)
		}
	}
	return in
}

// checkFusedAgrees fuses f with opts, checks that the result verifies, and
// that it computes f's bits on inputs, with a Runner. It returns the
// fused function.
func checkFusedAgrees(t *testing.T, f *ir.Func, opts passes.FuseOptions, inputs []*runtime.Tensor) *ir.Func {
	t.Helper()
	fused, err := passes.Fuse(f, opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := ir.Verify(fused); err != nil {
		t.Fatalf("fused function does not verify: %v\n%s", err, fused)
	}
	run := func(g *ir.Func) ([]*runtime.Tensor, error) {
		it, err := runtime.New(g)
		if err != nil {
			return nil, err
		}
		return it.NewRunner().Run(inputs)
	}
	want, err := run(f)
	if err != nil {
		t.Skipf("the unfused function does not run on random inputs: %v", err)
	}
	// The clean-up passes may run after fuse: they leave fused ops alone.
	cleaned, err := passes.Run(fused, passes.Cleanup, passes.Options{Verify: true})
	if err != nil {
		t.Fatalf("clean-up after fuse: %v", err)
	}
	for _, g := range []*ir.Func{fused, cleaned} {
		got, err := run(g)
		if err != nil {
			t.Fatalf("%v\n%s", err, g)
		}
		for i := range want {
			if err := runtime.CheckIdentical(got[i], want[i]); err != nil {
				t.Errorf("result %d (%s): %v\n%s", i, f.Results[i], err, ir.Renumbered(g))
			}
		}
	}
	return fused
}

// countFused returns the number of fused ops of each kind in f.
func countFused(f *ir.Func) map[string]int {
	n := map[string]int{}
	for _, in := range f.Body {
		if in.Op == ir.OpFused {
			k, _ := in.StringAttr("kind")
			n[k]++
		}
	}
	return n
}

// On every golden IR file, as it is and after jvp and after vjp (each
// with the clean-up passes), the fused function verifies and computes the
// unfused one's bits.
func TestFuseGoldenFiles(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join("..", "testdata", "ir", "*.pf"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no golden files: %v", err)
	}
	r := rand.New(rand.NewPCG(5, 6))
	total := map[string]int{}
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
			for _, transform := range []string{"", "jvp", "vjp"} {
				name := filepath.Base(path) + "/" + f.Name + "/" + transform
				t.Run(name, func(t *testing.T) {
					g := f
					if transform != "" {
						g, err = passes.Run(f, append([]string{transform}, passes.Cleanup...), passes.Options{})
						if err != nil {
							t.Skipf("%s does not apply: %v", transform, err)
						}
					}
					for _, opts := range []passes.FuseOptions{{}, {WideGEMM: true}, {NoEpilogues: true, NoReductions: true}} {
						fused := checkFusedAgrees(t, g, opts, fuseInputs(g, r))
						for k, n := range countFused(fused) {
							total[k] += n
						}
					}
				})
			}
		}
	}
	for _, kind := range []string{ir.FusedElementwise, ir.FusedMatmul, ir.FusedReduce} {
		if total[kind] == 0 {
			t.Errorf("no fused op of kind %s in any golden file", kind)
		}
	}
}

// mnist1dSteps returns the forward-gradient paper's MNIST-1D MLP
// (40-w-w-w-10, no biases) at a small width and batch and its training
// steps: backprop, W̃ᵀ and W̃⊥ (plain and scheduled), each after the
// clean-up passes.
func mnist1dSteps(t *testing.T, width, batch int) map[string]*ir.Func {
	t.Helper()
	model := train.MLP(40, 10, []int{width, width, width}, false, ir.F32)
	f, _, err := model(batch)
	if err != nil {
		t.Fatal(err)
	}
	steps := map[string]*ir.Func{}
	vjp, err := passes.Run(f, append([]string{"vjp"}, passes.Cleanup...), passes.Options{})
	if err != nil {
		t.Fatal(err)
	}
	steps["backprop"] = vjp
	for _, m := range []passes.GuessMethod{passes.WT, passes.WPerp} {
		for _, schedule := range []bool{false, true} {
			pipeline := []string{"guess", "jvp", "fold", "cse", "dce"}
			name := m.Name()
			if schedule {
				pipeline = append(pipeline, "schedule")
				name += "+schedule"
			}
			g, err := passes.Run(f, pipeline, passes.Options{Guess: passes.GuessOptions{Method: m, K: 4}})
			if err != nil {
				t.Fatal(err)
			}
			steps[name] = g
		}
	}
	return steps
}

// The training steps of the MNIST-1D MLP compute the same bits fused and
// unfused, with each of the pass's options.
func TestFuseMNIST1DSteps(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for name, f := range mnist1dSteps(t, 32, 24) {
		for _, opts := range []passes.FuseOptions{{}, {WideGEMM: true}, {NoEpilogues: true}, {NoReductions: true}} {
			t.Run(fmt.Sprintf("%s/%+v", name, opts), func(t *testing.T) {
				fused := checkFusedAgrees(t, f, opts, fuseInputs(f, r))
				n := countFused(fused)
				if n[ir.FusedElementwise]+n[ir.FusedMatmul] == 0 {
					t.Errorf("nothing fused:\n%s", ir.Renumbered(fused))
				}
				if !opts.NoEpilogues && n[ir.FusedMatmul] == 0 {
					t.Errorf("no epilogue fused:\n%s", ir.Renumbered(fused))
				}
			})
		}
	}
}

// fuseBody parses src, fuses it with opts and returns the statements of
// the result, renumbered, without the signature.
func fuseBody(t *testing.T, src string, opts passes.FuseOptions) string {
	t.Helper()
	fused, err := passes.Fuse(parseVerified(t, src), opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := ir.Verify(fused); err != nil {
		t.Fatalf("%v\n%s", err, fused)
	}
	return body(ir.Renumbered(fused))
}

func TestFuseStructure(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts passes.FuseOptions
		src  string
		want string
	}{
		{name: "a chain with a bias, a constant and a value read elsewhere", src: `func @f(%x: f32[4,3] data, %b: f32[3] data) -> (f32[4,3], f32[4,3]) {
  %half = full {value=0.5} : f32[]
  %s = add %x, %b : f32[4,3]
  %h = relu %s : f32[4,3]
  %y = mul %h, %half : f32[4,3]
  %e = exp %s : f32[4,3]
  return %y, %e
}`, want: `%y, %e = fused %x, %b {kind="elementwise"} region {
func @body(%x: f32[] data, %b: f32[] data) -> (f32[], f32[]) {
%half = full {value=0.5} : f32[]
%s = add %x, %b : f32[]
%h = relu %s : f32[]
%y = mul %h, %half : f32[]
%e = exp %s : f32[]
return %y, %e
}
} : f32[4,3], f32[4,3]
return %y, %e`},
		{name: "an epilogue: bias, relu and the mask on a tangent", src: `func @f(%x: f32[4,2] data, %w: f32[2,3] param, %b: f32[3] param, %t: f32[4,3] data) -> (f32[4,3], f32[4,3]) {
  %p = matmul %x, %w : f32[4,3]
  %s = add %p, %b : f32[4,3]
  %h = relu %s : f32[4,3]
  %m = step %s : f32[4,3]
  %ht = mul %m, %t : f32[4,3]
  return %h, %ht
}`, want: `%h, %ht = fused %x, %w, %b, %t {kind="matmul"} region {
func @body(%p: f32[] data, %b: f32[] data, %t: f32[] data) -> (f32[], f32[]) {
%s = add %p, %b : f32[]
%h = relu %s : f32[]
%m = step %s : f32[]
%ht = mul %m, %t : f32[]
return %h, %ht
}
} : f32[4,3], f32[4,3]
return %h, %ht`},
		{name: "the product read elsewhere is a result", src: `func @f(%x: f32[4,2] data, %w: f32[3,2] param) -> (f32[4,3], f32[4,3]) {
  %p = matmul %x, %w {transpose_b=true} : f32[4,3]
  %h = tanh %p : f32[4,3]
  %q = neg %h : f32[4,3]
  return %p, %q
}`, want: `%p, %q = fused %x, %w {kind="matmul", transpose_b=true} region {
func @body(%p: f32[] data) -> (f32[], f32[]) {
%h = tanh %p : f32[]
%q = neg %h : f32[]
return %p, %q
}
} : f32[4,3], f32[4,3]
return %p, %q`},
		{name: "one op alone stays; a reduction takes its producer", src: `func @f(%a: f32[4,3] data, %b: f32[4,3] data) -> (f32[4,3], f32[4]) {
  %n = neg %a : f32[4,3]
  %p = mul %a, %b : f32[4,3]
  %s = reduce_sum %p {axes=[1]} : f32[4]
  return %n, %s
}`, want: `%n = neg %a : f32[4,3]
%s = fused %a, %b {axes=[1], kind="reduce", reduce="sum"} region {
func @body(%a: f32[] data, %b: f32[] data) -> (f32[]) {
%p = mul %a, %b : f32[]
return %p
}
} : f32[4]
return %n, %s`},
		{name: "a reduction whose operand is read elsewhere stays", src: `func @f(%a: f32[4,3] data, %b: f32[4,3] data) -> (f32[4,3], f32[4]) {
  %p = mul %a, %b : f32[4,3]
  %q = exp %p : f32[4,3]
  %s = reduce_sum %q {axes=[1]} : f32[4]
  return %p, %s
}`, want: `%p, %q = fused %a, %b {kind="elementwise"} region {
func @body(%a: f32[] data, %b: f32[] data) -> (f32[], f32[]) {
%p = mul %a, %b : f32[]
%q = exp %p : f32[]
return %p, %q
}
} : f32[4,3], f32[4,3]
%s = reduce_sum %q {axes=[1]} : f32[4]
return %p, %s`},
		{name: "no cycle through an op outside the chain", src: `func @f(%a: f32[4,3] data) -> (f32[4,3]) {
  %e = exp %a : f32[4,3]
  %r = reduce_sum %e {axes=[1], keepdims=true} : f32[4,1]
  %s = div %e, %r : f32[4,3]
  %t = neg %s : f32[4,3]
  return %t
}`, want: `%e = exp %a : f32[4,3]
%r = reduce_sum %e {axes=[1], keepdims=true} : f32[4,1]
%t = fused %e, %r {kind="elementwise"} region {
func @body(%e: f32[] data, %r: f32[] data) -> (f32[]) {
%s = div %e, %r : f32[]
%t = neg %s : f32[]
return %t
}
} : f32[4,3]
return %t`},
		{name: "scalars stay", src: `func @f(%k: u64[] data) -> (u64[]) {
  %c = full {value=3} : u64[]
  %m = mul %k, %c : u64[]
  %a = add %m, %c : u64[]
  return %a
}`, want: `%c = full {value=3} : u64[]
%m = mul %k, %c : u64[]
%a = add %m, %c : u64[]
return %a`},
		{name: "a wide product for the primal and the tangent", opts: passes.FuseOptions{WideGEMM: true, NoEpilogues: true}, src: `func @f(%h: f32[4,2] data, %ht: f32[4,2] data, %w: f32[2,40] param) -> (f32[4,40], f32[4,40]) {
  %p = matmul %h, %w : f32[4,40]
  %q = relu %p : f32[4,40]
  %pt = matmul %ht, %w : f32[4,40]
  return %q, %pt
}`, want: `%1 = concat %h, %ht {axis=0} : f32[8,2]
%2 = matmul %1, %w : f32[8,40]
%3 = slice %2 {start=[0, 0], stop=[4, 40]} : f32[4,40]
%4 = slice %2 {start=[4, 0], stop=[8, 40]} : f32[4,40]
%q = relu %3 : f32[4,40]
return %q, %4`},
		{name: "no wide product of few columns, or of an operand with itself", opts: passes.FuseOptions{WideGEMM: true}, src: `func @f(%h: f32[4,2] data, %ht: f32[4,2] data, %w: f32[2,3] param, %v: f32[2,40] param) -> (f32[4,3], f32[4,3], f32[4,40], f32[4,40]) {
  %p = matmul %h, %w : f32[4,3]
  %pt = matmul %ht, %w : f32[4,3]
  %q = matmul %h, %v : f32[4,40]
  %r = matmul %h, %v : f32[4,40]
  return %p, %pt, %q, %r
}`, want: `%p = matmul %h, %w : f32[4,3]
%pt = matmul %ht, %w : f32[4,3]
%q = matmul %h, %v : f32[4,40]
%r = matmul %h, %v : f32[4,40]
return %p, %pt, %q, %r`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := fuseBody(t, tc.src, tc.opts)
			if got != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}

// The pass table runs fuse after the transforms and refuses it before.
func TestFuseOrder(t *testing.T) {
	f := parseVerified(t, `func @f(%x: f32[3] param) -> (f32[]) {
  %e = exp %x : f32[3]
  %n = neg %e : f32[3]
  %s = reduce_sum %n : f32[]
  return %s
}`)
	g, err := passes.Run(f, []string{"jvp", "fold", "cse", "dce", "fuse"}, passes.Options{Verify: true})
	if err != nil {
		t.Fatal(err)
	}
	if n := countFused(g); n[ir.FusedElementwise] != 1 {
		t.Errorf("want the chain and its tangent fused:\n%s", g)
	}
	for _, bad := range [][]string{{"fuse", "jvp"}, {"fuse", "vjp"}, {"fuse", "schedule"}} {
		if _, err := passes.Run(f, bad, passes.Options{}); err == nil || !strings.Contains(err.Error(), "must run after") {
			t.Errorf("%v: %v, want an ordering error", bad, err)
		}
	}
}

func TestTrafficBytes(t *testing.T) {
	f := parseVerified(t, `func @f(%x: f32[4,3] data, %b: f32[3] data) -> (f32[4,3]) {
  %s = add %x, %b : f32[4,3]
  %h = relu %s : f32[4,3]
  return %h
}`)
	// add reads 48 + 12 bytes and writes 48; relu reads 48 and writes 48.
	if got := passes.TrafficBytes(f); got != 204 {
		t.Errorf("unfused: %d bytes, want 204", got)
	}
	fused, err := passes.Fuse(f, passes.FuseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// One loop: reads 48 + 12, writes 48.
	if got := passes.TrafficBytes(fused); got != 108 {
		t.Errorf("fused: %d bytes, want 108", got)
	}
	for name, step := range mnist1dSteps(t, 32, 24) {
		fused, err := passes.Fuse(step, passes.FuseOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if a, b := passes.TrafficBytes(fused), passes.TrafficBytes(step); a >= b {
			t.Errorf("%s: fused %d bytes, unfused %d", name, a, b)
		}
	}
}
