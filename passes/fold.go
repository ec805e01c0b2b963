package passes

import (
	"math"

	"github.com/pushforward/pushforward/ir"
)

// Fold folds constants and simplifies the zeros and ones that symbolic
// tangents and transposes leave behind. It knows splat constants (full,
// and reshapes, broadcasts and transposes of them): elementwise arithmetic
// on splats becomes a splat, computed in the value's dtype so that the
// folded number is the one the kernels would have produced; x+0, x-0, x*1,
// x/1 become x (broadcast if the result is larger); x*0 and products with
// a zero matrix become zeros (as symbolic zeros do, this assumes x finite);
// neg(neg x), identity reshapes, broadcasts and transposes disappear; a
// product whose left operand is a broadcast is taken before broadcasting.
// f is modified in place and returned; unused code is left to DCE.
func Fold(f *ir.Func) *ir.Func {
	fl := &folder{g: &ir.Func{Name: f.Name}, repl: map[*ir.Value]*ir.Value{}}
	fl.e = ir.NewWriter(fl.g, ir.NewNamer(f))
	for _, in := range f.Body {
		for i, a := range in.Args {
			if r, ok := fl.repl[a]; ok {
				in.Args[i] = r
			}
		}
		fl.e.At(in.Pos)
		if len(in.Results) == 1 && in.Region == nil {
			if v := fl.simplify(in); v != nil {
				if v.Type.Equal(in.Results[0].Type) {
					fl.repl[in.Results[0]] = v
					continue
				}
			}
		}
		fl.g.Body = append(fl.g.Body, in)
	}
	f.Body = fl.g.Body
	for i, r := range f.Results {
		if n, ok := fl.repl[r]; ok {
			f.Results[i] = n
		}
	}
	return f
}

type folder struct {
	g    *ir.Func
	e    *ir.Writer
	repl map[*ir.Value]*ir.Value
}

// splat returns the value of every element of v if v is a splat constant.
func splat(v *ir.Value) (float64, bool) {
	for v.Def != nil {
		in := v.Def
		switch in.Op {
		case ir.OpFull:
			c, err := ir.AttrFloat(in.Attrs["value"])
			return c, err == nil
		case ir.OpReshape, ir.OpBroadcastTo, ir.OpTranspose:
			v = in.Args[0]
		default:
			return 0, false
		}
	}
	return 0, false
}

func isSplat(v *ir.Value, c float64) bool {
	s, ok := splat(v)
	return ok && s == c
}

// simplify returns a value to use in place of in's result, or nil.
func (fl *folder) simplify(in *ir.Instr) *ir.Value {
	out := in.Results[0].Type
	if v := fl.foldSplat(in); v != nil {
		return v
	}
	a := func(i int) *ir.Value { return in.Args[i] }
	switch in.Op {
	case ir.OpAdd:
		if isSplat(a(1), 0) {
			return fl.resize(a(0), out)
		}
		if isSplat(a(0), 0) {
			return fl.resize(a(1), out)
		}
	case ir.OpSub:
		if isSplat(a(1), 0) {
			return fl.resize(a(0), out)
		}
		if isSplat(a(0), 0) {
			return fl.resize(neg(fl.e, a(1)), out)
		}
	case ir.OpMul:
		switch {
		case isSplat(a(0), 0) || isSplat(a(1), 0):
			return full(fl.e, out, 0)
		case isSplat(a(1), 1):
			return fl.resize(a(0), out)
		case isSplat(a(0), 1):
			return fl.resize(a(1), out)
		}
	case ir.OpDiv:
		if isSplat(a(1), 1) {
			return fl.resize(a(0), out)
		}
	case ir.OpMatmul:
		if isSplat(a(0), 0) || isSplat(a(1), 0) {
			return full(fl.e, out, 0)
		}
		return fl.hoistBroadcastMatmul(in)
	case ir.OpNeg:
		if d := a(0).Def; d != nil && d.Op == ir.OpNeg {
			return d.Args[0]
		}
	case ir.OpReshape, ir.OpBroadcastTo:
		if a(0).Type.Equal(out) {
			return a(0)
		}
		if d := a(0).Def; in.Op == ir.OpReshape && d != nil && d.Op == ir.OpReshape {
			return reshape(fl.e, d.Args[0], out.Shape)
		}
	case ir.OpTranspose:
		if perm, _, _ := in.Attrs.IntList("perm"); isIdentityPerm(perm) {
			return a(0)
		}
	case ir.OpSelect:
		if c, ok := splat(a(0)); ok {
			if c != 0 {
				return fl.resize(a(1), out)
			}
			return fl.resize(a(2), out)
		}
	case ir.OpReduceSum:
		if c, ok := splat(a(0)); ok {
			n, _ := a(0).Type.Shape.NumElements()
			m, _ := out.Shape.NumElements()
			if m > 0 {
				return full(fl.e, out, roundTo(out.DType, c*float64(n/m)))
			}
		}
	}
	return nil
}

// resize broadcasts v to type t if it is smaller.
func (fl *folder) resize(v *ir.Value, t ir.Type) *ir.Value {
	if v.Type.Equal(t) {
		return v
	}
	if v.Type.DType != t.DType || !ir.CanBroadcastTo(v.Type.Shape, t.Shape) {
		return nil
	}
	return broadcastTo(fl.e, v, t.Shape)
}

// foldSplat evaluates an elementwise op whose operands are all splats.
func (fl *folder) foldSplat(in *ir.Instr) *ir.Value {
	info := in.Op.Info()
	if (info.Class != ir.Elementwise && info.Class != ir.Broadcast) || len(in.Args) == 0 {
		return nil
	}
	if in.Op == ir.OpFull {
		return nil
	}
	xs := make([]float64, len(in.Args))
	for i, a := range in.Args {
		c, ok := splat(a)
		if !ok {
			return nil
		}
		xs[i] = c
	}
	out := in.Results[0].Type
	c, ok := evalScalar(in, xs)
	if !ok {
		return nil
	}
	return full(fl.e, out, roundTo(out.DType, c))
}

// evalScalar computes an elementwise op on scalars. Floating-point dtypes
// compute in their own precision so that the folded value equals what the
// kernels compute; transcendental functions are left alone because their
// last bit may differ between implementations.
func evalScalar(in *ir.Instr, xs []float64) (float64, bool) {
	d := in.Results[0].Type.DType
	if in.Op == ir.OpCast {
		return roundTo(d, xs[0]), true
	}
	r := func(x float64) float64 { return roundTo(d, x) }
	b := func(c bool) float64 {
		if c {
			return 1
		}
		return 0
	}
	switch in.Op {
	case ir.OpNeg:
		return -xs[0], true
	case ir.OpAbs:
		return math.Abs(xs[0]), true
	case ir.OpRelu:
		return math.Max(xs[0], 0), true
	case ir.OpStep:
		return b(xs[0] > 0), true
	case ir.OpSquare:
		return r(xs[0] * xs[0]), true
	case ir.OpAdd:
		return r(xs[0] + xs[1]), true
	case ir.OpSub:
		return r(xs[0] - xs[1]), true
	case ir.OpMul:
		return r(xs[0] * xs[1]), true
	case ir.OpDiv:
		if d.IsInt() {
			return 0, false
		}
		return r(xs[0] / xs[1]), true
	case ir.OpMaximum:
		return math.Max(xs[0], xs[1]), true
	case ir.OpMinimum:
		return math.Min(xs[0], xs[1]), true
	case ir.OpEq:
		return b(xs[0] == xs[1]), true
	case ir.OpNe:
		return b(xs[0] != xs[1]), true
	case ir.OpLt:
		return b(xs[0] < xs[1]), true
	case ir.OpLe:
		return b(xs[0] <= xs[1]), true
	case ir.OpGt:
		return b(xs[0] > xs[1]), true
	case ir.OpGe:
		return b(xs[0] >= xs[1]), true
	case ir.OpSelect:
		if xs[0] != 0 {
			return xs[1], true
		}
		return xs[2], true
	}
	return 0, false
}

// roundTo rounds x to the precision of dtype d. Products and sums of two
// f32 numbers computed in f64 and rounded once are the correctly rounded
// f32 results, so this matches f32 arithmetic for one operation.
func roundTo(d ir.DType, x float64) float64 {
	switch d {
	case ir.F32:
		return float64(float32(x))
	case ir.I64, ir.U64:
		return math.Trunc(x)
	}
	return x
}
