package runtime

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/passes"
)

// bitsEqual reports whether two tensors hold the same bits: unlike
// Tensor.Equal, -0 differs from +0 and NaNs must have the same payload.
func bitsEqual(a, b *Tensor) bool {
	if !a.Type.Equal(b.Type) {
		return false
	}
	for i := range a.F32 {
		if math.Float32bits(a.F32[i]) != math.Float32bits(b.F32[i]) {
			return false
		}
	}
	for i := range a.F64 {
		if math.Float64bits(a.F64[i]) != math.Float64bits(b.F64[i]) {
			return false
		}
	}
	return slicesEqual(a.I64, b.I64) && slicesEqual(a.U64, b.U64)
}

func slicesEqual[T comparable](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// goldenInputs draws inputs for f as TestGoldenFilesRun does.
func goldenInputs(f *ir.Func, r *rand.Rand) []*Tensor {
	inputs := make([]*Tensor, len(f.Params))
	for i, p := range f.Params {
		inputs[i] = Zeros(p.Type)
		if p.Type.DType.IsFloat() {
			inputs[i] = randomTensor(r, p.Type.DType, p.Type.Shape...)
		}
	}
	return inputs
}

// Every function of the golden IR files gives the same bits run over the
// plan memplan records (with values in place) as with every value in
// memory of its own; and a Runner of the unplanned function computes the
// very plan that memplan records.
func TestMemPlanGoldenFilesBitIdentical(t *testing.T) {
	r := rand.New(rand.NewPCG(41, 42))
	for name, f := range goldenFuncs(t) {
		t.Run(name, func(t *testing.T) {
			if err := ir.Verify(f); err != nil {
				t.Skipf("does not verify: %v", err)
			}
			planned := passes.MemPlan(f)
			if err := ir.Verify(planned); err != nil {
				t.Fatalf("the planned function does not verify: %v\n%s", err, planned)
			}
			it, err := New(planned)
			if err != nil && strings.Contains(err.Error(), "unconstrained problems only") {
				t.Skipf("constrained argmin: %v", err)
			}
			if err != nil {
				t.Fatal(err)
			}
			inputs := goldenInputs(f, r)
			checkRunnerMatchesRun(t, it, inputs)
			unplanned := mustNew(t, f)
			checkRunnerMatchesRun(t, unplanned, inputs)
			if a, b := unplanned.NewRunner().Bytes(), it.NewRunner().Bytes(); a != b {
				t.Errorf("Runner of the unplanned function holds %d bytes, of the planned one %d", a, b)
			}
			rec, err := ir.RecordedPlan(planned)
			if err != nil {
				t.Fatal(err)
			}
			computed := ir.PlanMemory(f, ir.PlanOptions{})
			for i, in := range f.Body {
				for j, v := range in.Results {
					got, _ := computed.Offset(v)
					want, _ := rec.Offset(planned.Body[i].Results[j])
					if got != want {
						t.Errorf("%s: computed offset %d, recorded %d", v, got, want)
					}
				}
			}
		})
	}
}

// elementwiseValues returns n values of dtype d for the in-place test:
// for floats, normals with zeros of both signs, infinities and NaN mixed
// in; for integers, small non-zero values (integer division by zero is
// an error).
func elementwiseValues(r *rand.Rand, d ir.DType, n int) []float64 {
	special := []float64{0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), math.NaN(), 1, -1}
	data := make([]float64, n)
	for i := range data {
		switch {
		case !d.IsFloat():
			data[i] = float64(1 + r.IntN(9))
			if d == ir.I64 && r.IntN(2) == 0 {
				data[i] = -data[i]
			}
		case r.IntN(50) == 0:
			data[i] = special[r.IntN(len(special))]
		default:
			data[i] = 3 * r.NormFloat64()
		}
	}
	return data
}

// inPlaceShapes lists operand shapes per arity: equal shapes (of more
// elements than one goroutine takes, so that kernels split their work),
// broadcasts of either side by rows, columns and scalars, and one long row
// (which parallel kernels split by columns).
var inPlaceShapes = map[int][][]ir.Shape{
	1: {{{67, 1031}}, {{70001}}, {{5, 3}}},
	2: {
		{{67, 1031}, {67, 1031}},
		{{67, 1031}, {1031}},
		{{67, 1}, {67, 1031}},
		{{}, {67, 1031}},
		{{70001}, {1}},
		{{5, 3}, {5, 3}},
	},
	3: {
		{{67, 1031}, {67, 1031}, {67, 1031}},
		{{1031}, {67, 1031}, {}},
		{{67, 1031}, {67, 1}, {67, 1031}},
	},
}

// Every op that ir.CanShareBuffer lets run in place, on every operand it
// allows, gives through a Runner whose plan puts its result in that
// operand's buffer the bits of Run, where the two never share: the
// kernels read each element before they write the result's element at
// the same index.
func TestInPlaceOpsBitIdentical(t *testing.T) {
	r := rand.New(rand.NewPCG(43, 44))
	tested := map[ir.Op]bool{}
	for _, op := range ir.AllOps() {
		info := op.Info()
		if info.Class != ir.Elementwise && info.Class != ir.Broadcast {
			continue
		}
		var attrs ir.Attrs
		if op == ir.OpPow {
			attrs = ir.Attrs{"exponent": ir.Float(1.5)}
		}
		for _, d := range []ir.DType{ir.F32, ir.F64, ir.I64, ir.U64} {
			if raceEnabled && (d == ir.F64 || d == ir.U64) {
				continue // f32 and i64 take the same paths, at half the cost
			}
			for _, shapes := range inPlaceShapes[info.MinArgs] {
				types := make([]ir.Type, len(shapes))
				for i, s := range shapes {
					types[i] = ir.Type{DType: d, Shape: s}
				}
				f, ok := inPlaceFunc(op, attrs, types)
				if !ok {
					continue // the dtype is not the op's
				}
				for j := range types {
					if !ir.CanShareBuffer(f.Body[len(f.Body)-1], j) {
						continue
					}
					name := fmt.Sprintf("%s/%s/%v/operand%d", op, d, shapes, j)
					t.Run(name, func(t *testing.T) {
						it := mustNew(t, planInPlace(t, f, j))
						if got := it.plan.InPlace(it.fn.Body[len(it.fn.Body)-1]); got != j {
							t.Fatalf("the plan puts the result in place of operand %d, want %d", got, j)
						}
						inputs := make([]*Tensor, len(types))
						for i, ty := range types {
							inputs[i] = FromFloat64s(ty, elementwiseValues(r, d, ty.Shape.Size()))
						}
						checkRunnerMatchesRun(t, it, inputs)
					})
					tested[op] = true
				}
			}
		}
	}
	for _, op := range ir.AllOps() {
		if c := op.Info().Class; (c == ir.Elementwise || c == ir.Broadcast) && op != ir.OpCast && !tested[op] {
			t.Errorf("%s is elementwise but never ran in place", op)
		}
	}
}

// inPlaceFunc builds %r = op %c0, %c1, ... where each %ci is a copy
// (reshape) of parameter %pi, so that the operands are instruction
// results that die at %r. It reports false if the op rejects the types.
func inPlaceFunc(op ir.Op, attrs ir.Attrs, types []ir.Type) (*ir.Func, bool) {
	out, err := ir.InferTypes(op, types, attrs, nil)
	if err != nil {
		return nil, false
	}
	f := ir.NewFunc("inplace")
	args := make([]*ir.Value, len(types))
	for i, ty := range types {
		p := f.AddParam(fmt.Sprintf("p%d", i), ty, ir.Data)
		args[i] = f.Append(ir.OpReshape, []*ir.Value{p}, nil, []ir.Type{ty}, []string{fmt.Sprintf("c%d", i)}).Result()
	}
	f.Results = f.Append(op, args, attrs, out, []string{"r"}).Results
	return f, true
}

// planInPlace records in a copy of f a plan in which the last
// instruction's result takes the buffer of its operand j.
func planInPlace(t *testing.T, f *ir.Func, j int) *ir.Func {
	t.Helper()
	g := f.Clone()
	if err := ir.RecordPlan(g, ir.PlanMemory(g, ir.PlanOptions{NoInPlace: true})); err != nil {
		t.Fatal(err)
	}
	last := g.Body[len(g.Body)-1]
	last.Attrs[ir.PlanAttr] = g.Body[j].Attrs[ir.PlanAttr]
	if err := ir.Verify(g); err != nil {
		t.Fatalf("in-place plan rejected: %v\n%s", err, g)
	}
	return g
}

// The Runner places values where a recorded plan says, not where it
// would place them itself: a plan without sharing in place holds a chain
// of elementwise values in two buffers, where the Runner's own plan holds
// one.
func TestRunnerFollowsRecordedPlan(t *testing.T) {
	f, err := ir.ParseFunc(`func @chain(%x: f32[64] data) -> (f32[64]) {
  %a = neg %x : f32[64]
  %b = exp %a : f32[64]
  %c = tanh %b : f32[64]
  return %c
}`)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := mustNew(t, f).NewRunner().Bytes(), int64(64*4); got != want {
		t.Errorf("own plan: %d bytes, want %d (one buffer, in place)", got, want)
	}
	g := f.Clone()
	if err := ir.RecordPlan(g, ir.PlanMemory(g, ir.PlanOptions{NoInPlace: true})); err != nil {
		t.Fatal(err)
	}
	it := mustNew(t, g)
	if got, want := it.NewRunner().Bytes(), int64(2*64*4); got != want {
		t.Errorf("recorded plan: %d bytes, want %d (two buffers)", got, want)
	}
	checkRunnerMatchesRun(t, it, []*Tensor{randomTensor(rand.New(rand.NewPCG(1, 2)), ir.F32, 64)})
}

// New reports a recorded plan that is not safe, with the verifier's
// message.
func TestNewRejectsUnsafePlan(t *testing.T) {
	f, err := ir.ParseFunc(`func @f(%x: f32[4,4] data) -> (f32[4,4], f32[4,4]) {
  %a = neg %x {buf=[0]} : f32[4,4]
  %b = matmul %a, %a {buf=[0]} : f32[4,4]
  return %a, %b
}`)
	if err != nil {
		t.Fatal(err)
	}
	_, err = New(f)
	wantError(t, err, "memory plan", "%b [0, 16) overlaps %a [0, 16) in the f32 arena")
}

// With feedback, a recorded plan's fed-back results get buffers of their
// own (their ranges of the arena stay unused), and a run updates the
// input in place as without a plan.
func TestFeedbackWithRecordedPlan(t *testing.T) {
	f, err := ir.ParseFunc(`func @step(%w: f32[8] param, %g: f32[8] data) -> (f32[8], f32[]) {
  %s = mul %g, %g : f32[8]
  %w2 = sub %w, %s : f32[8]
  %n = reduce_sum %w2 : f32[]
  return %w2, %n
}`)
	if err != nil {
		t.Fatal(err)
	}
	for _, planned := range []bool{false, true} {
		g := f
		if planned {
			g = passes.MemPlan(f)
		}
		it := mustNew(t, g)
		r, err := it.NewRunnerWith(Feedback(0, 0))
		if err != nil {
			t.Fatal(err)
		}
		w := FromFloat64s(ir.TensorOf(ir.F32, 8), []float64{1, 2, 3, 4, 5, 6, 7, 8})
		grad := FromFloat64s(ir.TensorOf(ir.F32, 8), []float64{1, 1, 1, 1, 1, 1, 1, 1})
		for range 2 {
			if _, err := r.Run([]*Tensor{w, grad}); err != nil {
				t.Fatal(err)
			}
		}
		if got, want := w.F32[0], float32(-1); got != want {
			t.Errorf("planned %v: w[0] = %v after two steps, want %v", planned, got, want)
		}
	}
}

// A reshape whose operand dies at it takes the operand's buffer in the
// plan and moves nothing; the Runner gives Run's bits.
func TestReshapeInPlace(t *testing.T) {
	f, err := ir.ParseFunc(`func @flatten(%x: f32[6,4] data) -> (f32[24]) {
  %a = neg %x : f32[6,4]
  %r = reshape %a : f32[24]
  return %r
}`)
	if err != nil {
		t.Fatal(err)
	}
	if got := ir.PlanMemory(f, ir.PlanOptions{}).InPlace(f.Body[1]); got != 0 {
		t.Errorf("the plan puts the reshape's result in place of operand %d, want 0", got)
	}
	it := mustNew(t, planInPlace(t, f, 0))
	x := FromFloat64s(f.Params[0].Type, elementwiseValues(rand.New(rand.NewPCG(5, 6)), ir.F32, 24))
	checkRunnerMatchesRun(t, it, []*Tensor{x})
}
