package passes

import (
	"slices"

	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/runtime/ops"
)

// Fold folds constants and simplifies the zeros and ones that symbolic
// tangents and transposes leave behind. It knows splat constants (full,
// and reshapes, broadcasts and transposes of them): elementwise arithmetic
// on splats, and reductions of splats, become a splat computed by the
// interpreter's kernels (runtime/ops) in the value's dtype, so that the
// folded number is the one the interpreter would have produced; x+0, x-0,
// x*1, x/1 become x (broadcast if the result is larger); x*0 and products
// with a zero matrix become zeros (as symbolic zeros do, this assumes x
// finite); neg(neg x), identity reshapes, broadcasts and transposes
// disappear; a product whose left operand is a broadcast is taken before
// broadcasting; a chain of two products is taken in the cheaper order
// (reassociateProducts). f is modified in place and returned; unused code
// is left to DCE.
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
	replaceResults(f, fl.repl)
	return reassociateProducts(f)
}

type folder struct {
	g    *ir.Func
	e    *ir.Writer
	repl map[*ir.Value]*ir.Value
}

// splat returns the number every element of v equals, as its full
// writes it (in v's dtype, which reshapes, broadcasts and transposes
// keep), if v is a splat constant.
func splat(v *ir.Value) (ir.Attr, bool) {
	for v.Def != nil {
		in := v.Def
		switch in.Op {
		case ir.OpFull:
			c, ok := in.Attrs["value"]
			return c, ok
		case ir.OpReshape, ir.OpBroadcastTo, ir.OpTranspose:
			v = in.Args[0]
		default:
			return nil, false
		}
	}
	return nil, false
}

// isSplat reports whether v is a splat whose elements, in v's dtype,
// equal c.
func isSplat(v *ir.Value, c float64) bool {
	a, ok := splat(v)
	if !ok {
		return false
	}
	f, err := ops.EvalScalar(ir.OpCast, nil, []ir.Attr{a}, []ir.DType{v.Type.DType}, ir.F64)
	return err == nil && f == ir.Float(c)
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
		if v := remasked(a(0), a(1)); v != nil {
			return v
		}
		if v := remasked(a(1), a(0)); v != nil {
			return v
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
		if _, ok := splat(a(0)); ok {
			if isSplat(a(0), 0) {
				return fl.resize(a(2), out)
			}
			return fl.resize(a(1), out)
		}
	case ir.OpReduceSum, ir.OpReduceMean, ir.OpReduceMax:
		return fl.foldReduce(in)
	}
	return nil
}

// foldReduce evaluates a reduction of a splat: every output element
// reduces the same number of equal elements.
func (fl *folder) foldReduce(in *ir.Instr) *ir.Value {
	x, out := in.Args[0], in.Results[0].Type
	c, ok := splat(x)
	n, m := x.Type.Shape.Size(), out.Shape.Size()
	if !ok || m == 0 {
		return nil
	}
	v, err := ops.ReduceScalar(in.Op, c, out.DType, n/m)
	if err != nil {
		return nil
	}
	return fl.full(out, v)
}

// full emits a splat of type t whose elements are the number v.
func (fl *folder) full(t ir.Type, v ir.Attr) *ir.Value {
	return fl.e.Emit(ir.OpFull, nil, ir.Attrs{"value": v}, t)[0]
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

// foldSplat evaluates an elementwise op whose operands are all splats,
// with the interpreter's kernels (ops.EvalScalar) in the value's dtype.
// Ops built on the math library are left to run where the function runs
// (ops.Portable), as are integer divisions by zero, which are errors
// there.
func (fl *folder) foldSplat(in *ir.Instr) *ir.Value {
	info := in.Op.Info()
	if (info.Class != ir.Elementwise && info.Class != ir.Broadcast) || len(in.Args) == 0 || !ops.Portable(in.Op) {
		return nil
	}
	cs := make([]ir.Attr, len(in.Args))
	dtypes := make([]ir.DType, len(in.Args))
	for i, a := range in.Args {
		c, ok := splat(a)
		if !ok {
			return nil
		}
		cs[i], dtypes[i] = c, a.Type.DType
	}
	out := in.Results[0].Type
	v, err := ops.EvalScalar(in.Op, in.Attrs, cs, dtypes, out.DType)
	if err != nil {
		return nil
	}
	return fl.full(out, v)
}

// remasked returns x·m when v = x·m (or m·x) and m is a 0/1 mask: v·m is
// then v, bit for bit (a product with 1 is exact, and (x·0)·0 has the
// sign and NaN of x·0). Masks are the results of step and of the
// comparisons, which are 0 or 1 whatever their operands.
func remasked(v, m *ir.Value) *ir.Value {
	d := v.Def
	if d == nil || d.Op != ir.OpMul || !isMask(m) || (!sameMask(d.Args[0], m) && !sameMask(d.Args[1], m)) {
		return nil
	}
	return v
}

// sameMask reports whether masks a and b are the same value, or computed
// by the same op from the same operands (as the copies of a segment that
// the guess pass inlines are, before CSE merges them).
func sameMask(a, b *ir.Value) bool {
	if a == b {
		return true
	}
	da, db := a.Def, b.Def
	return isMask(a) && isMask(b) && da.Op == db.Op && a.Type.Equal(b.Type) && slices.Equal(da.Args, db.Args)
}

// isMask reports whether every element of v is 0 or 1 by its op.
func isMask(v *ir.Value) bool {
	if v.Def == nil {
		return false
	}
	switch v.Def.Op {
	case ir.OpStep, ir.OpEq, ir.OpNe, ir.OpLt, ir.OpLe, ir.OpGt, ir.OpGe:
		return true
	}
	return false
}
