package runtime

import (
	"errors"
	"math"
	goruntime "runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/runtime/ops"
)

func TestFusedOps(t *testing.T) { runOpCases(t, fusedCases()) }

// fusedBody parses a body with D standing for the case dtype.
func fusedBody(src string) func(d ir.DType) *ir.Func {
	return func(d ir.DType) *ir.Func {
		text := strings.NewReplacer(" D[", " "+d.String()+"[", "(D[", "("+d.String()+"[").Replace(src)
		f, err := ir.ParseFunc(text)
		if err != nil {
			panic(err)
		}
		return f
	}
}

func fusedKind(kind string, more ...any) ir.Attrs {
	a := ir.Attrs{"kind": ir.String(kind)}
	for i := 0; i < len(more); i += 2 {
		a[more[i].(string)] = more[i+1].(ir.Attr)
	}
	return a
}

func fusedCases() []opCase {
	return []opCase{
		{name: "relu of a bias add, and its mask", op: ir.OpFused, attrs: fusedKind("elementwise"),
			args: []lit{v(sh(2, 3), 1, -2, 3, -4, 5, -6), v(sh(3), 0.5, 1, -1)},
			want: []lit{v(sh(2, 3), 1.5, 0, 2, 0, 6, 0), v(sh(2, 3), 1, 0, 1, 0, 1, 0)},
			region: fusedBody(`func @body(%x: D[] data, %b: D[] data) -> (D[], D[]) {
  %s = add %x, %b : D[]
  %h = relu %s : D[]
  %m = step %s : D[]
  return %h, %m
}`)},
		{name: "a result larger than the operands, a constant, a select", op: ir.OpFused, attrs: fusedKind("elementwise"),
			args: []lit{v(sh(2, 1), 1, -1), v(sh(3), 0, 1, 2)},
			want: []lit{v(sh(2, 3), 1, 2, 3, 0.5, 0.5, 0.5)},
			region: fusedBody(`func @body(%a: D[] data, %b: D[] data) -> (D[]) {
  %s = add %a, %b : D[]
  %half = full {value=0.5} : D[]
  %pos = gt %a, %half : D[]
  %r = select %pos, %s, %half : D[]
  return %r
}`)},
		{name: "a parameter returned as is, and twice", op: ir.OpFused, attrs: fusedKind("elementwise"),
			args: []lit{v(sh(3), 1, 2, 3), sc(2)},
			want: []lit{v(sh(2, 3), 1, 2, 3, 1, 2, 3), v(sh(2, 3), 2, 4, 6, 2, 4, 6), v(sh(2, 3), 2, 4, 6, 2, 4, 6), v(sh(2, 3), 2, 2, 2, 2, 2, 2)},
			region: fusedBody(`func @body(%a: D[] data, %c: D[] data) -> (D[], D[], D[], D[]) {
  %p = mul %a, %c : D[]
  return %a, %p, %p, %c
}`)},
		{name: "matmul, bias and tanh", op: ir.OpFused, attrs: fusedKind("matmul"),
			args: []lit{v(sh(2, 2), 1, 2, 3, 4), v(sh(2, 1), 0.5, -0.25), sc(0)},
			want: []lit{v(sh(2, 1), 0, 0.4621171572600098)},
			region: fusedBody(`func @body(%p: D[] data, %b: D[] data) -> (D[]) {
  %s = add %p, %b : D[]
  %t = tanh %s : D[]
  return %t
}`)},
		{name: "transposed matmul, alpha and beta, the product kept", op: ir.OpFused, attrs: fusedKind("matmul", "transpose_a", ir.Bool(true), "transpose_b", ir.Bool(true)),
			args: []lit{v(sh(2, 2), 1, 2, 3, 4), v(sh(1, 2), 1, 1), v(sh(2, 1), 10, 20)},
			want: []lit{v(sh(2, 1), 4, 6), v(sh(2, 1), 18, 32)},
			region: fusedBody(`func @body(%p: D[] data, %c: D[] data) -> (D[], D[]) {
  %two = full {value=2} : D[]
  %ap = mul %two, %p : D[]
  %r = add %ap, %c : D[]
  return %p, %r
}`)},
		{name: "matmul into a cast", op: ir.OpFused, attrs: fusedKind("matmul"),
			args: []lit{v(sh(1, 2), 1.5, 2), v(sh(2, 2), 1, 0, 0, 1)},
			want: []lit{typed(ir.I64, sh(1, 2), 1, 2)},
			region: fusedBody(`func @body(%p: D[] data) -> (i64[]) {
  %r = cast %p : i64[]
  return %r
}`)},
		{name: "sum of products over rows", op: ir.OpFused, attrs: fusedKind("reduce", "reduce", ir.String("sum"), "axes", ir.Ints(1)),
			args: []lit{v(sh(2, 3), 1, 2, 3, 4, 5, 6), v(sh(2, 3), 1, 1, 1, 2, 0, -1)},
			want: []lit{v(sh(2), 6, 2)},
			region: fusedBody(`func @body(%a: D[] data, %b: D[] data) -> (D[]) {
  %p = mul %a, %b : D[]
  return %p
}`)},
		{name: "mean over columns kept", op: ir.OpFused, attrs: fusedKind("reduce", "reduce", ir.String("mean"), "axes", ir.Ints(0), "keepdims", ir.Bool(true)),
			args: []lit{v(sh(2, 3), 1, 2, 3, 4, 5, 6), v(sh(3), 1, 1, 1)},
			want: []lit{v(sh(1, 3), 1.5, 2.5, 3.5)},
			region: fusedBody(`func @body(%a: D[] data, %b: D[] data) -> (D[]) {
  %d = sub %a, %b : D[]
  return %d
}`)},
		{name: "max of a broadcast domain", op: ir.OpFused, attrs: fusedKind("reduce", "reduce", ir.String("max")),
			args: []lit{v(sh(2, 1), 1, -1), v(sh(3), 0, 5, 2)},
			want: []lit{sc(6)},
			region: fusedBody(`func @body(%a: D[] data, %b: D[] data) -> (D[]) {
  %s = add %a, %b : D[]
  return %s
}`)},
		{name: "sum of a constant body", op: ir.OpFused, attrs: fusedKind("reduce", "reduce", ir.String("sum"), "axes", ir.Ints(0)),
			args: []lit{v(sh(4, 2), 1, 2, 3, 4, 5, 6, 7, 8)},
			want: []lit{v(sh(2), 1, 1)},
			region: fusedBody(`func @body(%a: D[] data) -> (D[]) {
  %q = full {value=0.25} : D[]
  return %q
}`)},
		{name: "integers", op: ir.OpFused, attrs: fusedKind("elementwise"), dtypes: []ir.DType{ir.I64, ir.U64},
			args: []lit{v(sh(4), 7, 8, 9, 10), sc(3)},
			want: []lit{v(sh(4), 2, 2, 3, 3), v(sh(4), 1, 2, 0, 1)},
			region: fusedBody(`func @body(%a: D[] data, %b: D[] data) -> (D[], D[]) {
  %q = div %a, %b : D[]
  %p = mul %q, %b : D[]
  %r = sub %a, %p : D[]
  return %q, %r
}`)},
		{name: "integer sum", op: ir.OpFused, attrs: fusedKind("reduce", "reduce", ir.String("sum")), dtypes: []ir.DType{ir.I64},
			args: []lit{v(sh(2, 2), 1, -2, 3, 4)},
			want: []lit{sc(24)},
			region: fusedBody(`func @body(%a: D[] data) -> (D[]) {
  %s = square %a : D[]
  %n = sub %s, %a : D[]
  return %n
}`)},
	}
}

// An integer division by zero inside the body is the unfused op's error.
func TestFusedIntegerDivisionByZero(t *testing.T) {
	for _, src := range []string{
		`func @f(%a: i64[4] data, %b: i64[4] data) -> (i64[4]) {
  %r = fused %a, %b {kind="elementwise"} region {
    func @body(%a: i64[] data, %b: i64[] data) -> (i64[]) {
      %q = div %a, %b : i64[]
      return %q
    }
  } : i64[4]
  return %r
}`,
		`func @f(%a: i64[4] data, %b: i64[] data) -> (i64[4]) {
  %r = fused %a, %b {kind="elementwise"} region {
    func @body(%a: i64[] data, %b: i64[] data) -> (i64[]) {
      %q = div %a, %b : i64[]
      return %q
    }
  } : i64[4]
  return %r
}`,
	} {
		f, err := ir.ParseFunc(src)
		if err != nil {
			t.Fatal(err)
		}
		b := FromI64(f.Params[1].Type.Shape, make([]int64, f.Params[1].Type.Shape.Size()))
		_, err = Run(f, []*Tensor{FromI64(ir.Shape{4}, []int64{1, 2, 3, 4}), b})
		if !errors.Is(err, ops.ErrIntDivByZero) {
			t.Errorf("got %v, want %v", err, ops.ErrIntDivByZero)
		}
	}
}

// The loop plans each operand's load by its shape: in place when it has
// the domain's shape, one value when it has one element, and for
// broadcast operands by rows (long rows) or gathered (short rows).
func TestFusedLoads(t *testing.T) {
	for _, tc := range []struct {
		domain ir.Shape
		args   []ir.Shape
		byRow  bool
		loads  []loadKind
		rowLen int
	}{
		{ir.Shape{64, 1024}, []ir.Shape{{64, 1024}, {1024}, {64, 1}, {}}, true, []loadKind{loadFull, loadRow, loadRowOne, loadSplat}, 1024},
		{ir.Shape{512, 128}, []ir.Shape{{512, 128}, {128}, {512, 1}}, false, []loadKind{loadFull, loadRepeat, loadGather}, 128},
		{ir.Shape{512, 100}, []ir.Shape{{512, 100}, {100}}, false, []loadKind{loadFull, loadGather}, 100},
		{ir.Shape{4, 1, 256}, []ir.Shape{{4, 1, 256}, {1, 1}}, false, []loadKind{loadFull, loadSplat}, 1024},
		{ir.Shape{8, 3, 1200}, []ir.Shape{{8, 1, 1200}, {8, 3, 1200}}, true, []loadKind{loadRow, loadFull}, 1200},
	} {
		p := &fusedProgram{domain: tc.domain, size: tc.domain.Size()}
		p.layout(tc.args, true)
		var got []loadKind
		for _, l := range p.params {
			got = append(got, l.kind)
		}
		if p.byRow != tc.byRow || p.rowLen != tc.rowLen || !slices.Equal(got, tc.loads) {
			t.Errorf("domain %s, operands %v: byRow %t, row %d, loads %v; want %t, %d, %v", tc.domain, tc.args, p.byRow, p.rowLen, got, tc.byRow, tc.rowLen, tc.loads)
		}
	}
}

func TestCheckIdentical(t *testing.T) {
	negZero, nan := math.Copysign(0, -1), math.NaN()
	v := func(xs ...float64) *Tensor { return FromFloat64s(ir.TensorOf(ir.F32, len(xs)), xs) }
	for _, tc := range []struct {
		got, want *Tensor
		same      bool
	}{
		{v(1, 2), v(1, 2), true},
		{v(nan, 1), v(-nan, 1), true},
		{v(0), v(negZero), false},
		{v(1, 2), v(1, float64(math.Nextafter32(2, 3))), false},
		{v(1), FromFloat64s(ir.TensorOf(ir.F64, 1), []float64{1}), false},
		{FromI64(ir.Shape{2}, []int64{1, -1}), FromI64(ir.Shape{2}, []int64{1, -1}), true},
	} {
		if err := CheckIdentical(tc.got, tc.want); (err == nil) != tc.same {
			t.Errorf("CheckIdentical(%v, %v) = %v, want same %t", tc.got, tc.want, err, tc.same)
		}
	}
}

// A fused op evaluates its body once per element of its domain, in one
// pass: the blocks the loop hands the body cover the domain exactly, on
// one goroutine and split across several.
func TestFusedOnePassOverTheDomain(t *testing.T) {
	for _, src := range []string{
		`func @f(%a: f32[300,700] data, %b: f32[700] data) -> (f32[300,700]) {
  %r = fused %a, %b {kind="elementwise"} region {
    func @body(%a: f32[] data, %b: f32[] data) -> (f32[]) {
      %s = add %a, %b : f32[]
      %t = relu %s : f32[]
      return %t
    }
  } : f32[300,700]
  return %r
}`,
		`func @f(%a: f32[70000,3] data, %b: f32[3] data) -> (f32[70000]) {
  %r = fused %a, %b {axes=[1], kind="reduce", reduce="sum"} region {
    func @body(%a: f32[] data, %b: f32[] data) -> (f32[]) {
      %s = mul %a, %b : f32[]
      return %s
    }
  } : f32[70000]
  return %r
}`,
	} {
		f, err := ir.ParseFunc(src)
		if err != nil {
			t.Fatal(err)
		}
		in := f.Body[0]
		p, err := newFusedProgram(in)
		if err != nil {
			t.Fatal(err)
		}
		var mu sync.Mutex
		elements := 0
		x := new(execCtx)
		for i := range 2 { // the frames of two goroutines, counting what they evaluate
			fr, err := x.fused.frame(p, i, len(in.Args), 1)
			if err != nil {
				t.Fatal(err)
			}
			fr.steps = append(fr.steps, func(n int) error {
				mu.Lock()
				elements += n
				mu.Unlock()
				return nil
			})
		}
		k := kernel{}
		switch p.fu.Kind {
		case ir.FusedElementwise:
			k.run = func(x *execCtx, args, outs []*Tensor) error { return p.run(x, args, outs, nil) }
		default:
			run, err := p.bindReduce()
			if err != nil {
				t.Fatal(err)
			}
			k.run = run
		}
		args := []*Tensor{Zeros(in.Args[0].Type), Zeros(in.Args[1].Type)}
		for _, procs := range []int{1, 2} {
			prev := goruntime.GOMAXPROCS(procs)
			elements = 0
			if err := k.run(x, args, []*Tensor{Zeros(in.Results[0].Type)}); err != nil {
				t.Fatal(err)
			}
			goruntime.GOMAXPROCS(prev)
			if elements != p.size {
				t.Errorf("%s, GOMAXPROCS %d: the body ran on %d elements, want the domain's %d", in.Results[0].Type, procs, elements, p.size)
			}
		}
	}
}
