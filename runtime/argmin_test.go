package runtime

import (
	"testing"

	"github.com/pushforward/pushforward/ir"
)

func TestArgminOps(t *testing.T) { runOpCases(t, argminCases()) }

// funcBuilder appends single-result instructions to a function.
type funcBuilder struct{ f *ir.Func }

func (b funcBuilder) emit(name string, op ir.Op, t ir.Type, attrs ir.Attrs, args ...*ir.Value) *ir.Value {
	return b.f.Append(op, args, attrs, []ir.Type{t}, []string{name}).Result()
}

// weightedQuadratic is the objective f(x; a) = Σ w·(x - a)² with w = [1, 10],
// a mildly ill-conditioned problem with minimiser x = a.
func weightedQuadratic(d ir.DType) *ir.Func {
	t := ir.TensorOf(d, 2)
	b := funcBuilder{ir.NewFunc("objective")}
	x := b.f.AddParam("x", t, ir.Param)
	a := b.f.AddParam("a", t, ir.Data)
	sq := b.emit("sq", ir.OpSquare, t, nil, b.emit("d", ir.OpSub, t, nil, x, a))
	w := b.emit("w", ir.OpConstant, t, ir.Attrs{"value": ir.Floats(1, 10)})
	loss := b.emit("loss", ir.OpReduceSum, ir.Scalar(d), nil, b.emit("wsq", ir.OpMul, t, nil, w, sq))
	b.f.Results = []*ir.Value{loss}
	return b.f
}

// twoVariables is the objective f(x, y; a) = (x - a)² + Σ (y·a - 1)² over a
// scalar x and a vector y, with minimiser x = a, y = 1/a.
func twoVariables(d ir.DType) *ir.Func {
	s, t := ir.Scalar(d), ir.TensorOf(d, 2)
	b := funcBuilder{ir.NewFunc("objective")}
	x := b.f.AddParam("x", s, ir.Param)
	y := b.f.AddParam("y", t, ir.Param)
	a := b.f.AddParam("a", s, ir.Data)
	one := b.emit("one", ir.OpFull, s, ir.Attrs{"value": ir.Int(1)})
	dx := b.emit("dx2", ir.OpSquare, s, nil, b.emit("dx", ir.OpSub, s, nil, x, a))
	ya := b.emit("ya", ir.OpMul, t, nil, y, a)
	dy := b.emit("dy2", ir.OpSquare, t, nil, b.emit("dy", ir.OpSub, t, nil, ya, one))
	loss := b.emit("loss", ir.OpAdd, s, nil, dx, b.emit("sy", ir.OpReduceSum, s, nil, dy))
	b.f.Results = []*ir.Value{loss}
	return b.f
}

// The argmin solution is iterative with finite-difference gradients, so it
// is checked to the solver's accuracy rather than to rounding: the gradient
// threshold (1e-8 for f64, 1e-4 for f32 by default) bounds |x - x*| by
// about tol/λ_min, with λ_min = 2 here.
var argminTol = map[ir.DType]tolerance{
	ir.F32: {rtol: 1e-3, atol: 1e-3},
	ir.F64: {rtol: 1e-7, atol: 1e-7},
}

func argminCases() []opCase {
	return []opCase{
		{name: "weighted quadratic", op: ir.OpArgmin, region: weightedQuadratic,
			args: []lit{v(sh(2), 1.5, -2)}, want: []lit{v(sh(2), 1.5, -2)}, tol: argminTol},
		{name: "two variables", op: ir.OpArgmin, region: twoVariables,
			args: []lit{sc(2)}, want: []lit{sc(2), v(sh(2), 0.5, 0.5)}, tol: argminTol},
		{name: "lbfgs with attributes", op: ir.OpArgmin, region: weightedQuadratic,
			attrs: ir.Attrs{"solver": ir.String("lbfgs"), "tol": ir.Float(1e-6), "max_iter": ir.Int(200)},
			args:  []lit{v(sh(2), 3, 4)}, want: []lit{v(sh(2), 3, 4)}, tol: argminTol},
		// Solvers the interpreter does not have fall back to BFGS.
		{name: "other solver", op: ir.OpArgmin, region: weightedQuadratic, attrs: ir.Attrs{"solver": ir.String("newton")},
			args: []lit{v(sh(2), -1, 0.25)}, want: []lit{v(sh(2), -1, 0.25)}, tol: argminTol},
	}
}
