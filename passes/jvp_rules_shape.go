package passes

import (
	"github.com/pushforward/pushforward/ir"
)

// JVP rules of data movement, contraction, reduction and normalisation ops.

func broadcastToJVP(e *ir.Writer, in *ir.Instr, ts []*ir.Value) ([]*ir.Value, error) {
	if ts[0] == nil {
		return nil, nil
	}
	T := tangentT(in, ts)
	out := in.Results[0].Type
	t := align(e, ts[0], in.Args[0].Type.Rank(), out.Rank(), T)
	return vals(fit(e, t, lift(out, T))), nil
}

func reshapeJVP(e *ir.Writer, in *ir.Instr, ts []*ir.Value) ([]*ir.Value, error) {
	if ts[0] == nil {
		return nil, nil
	}
	return vals(reshape(e, ts[0], liftShape(in.Results[0].Type.Shape, tangentT(in, ts)))), nil
}

func transposeJVP(e *ir.Writer, in *ir.Instr, ts []*ir.Value) ([]*ir.Value, error) {
	if ts[0] == nil {
		return nil, nil
	}
	perm, _, err := in.Attrs.IntList("perm")
	if err != nil {
		return nil, err
	}
	if T := tangentT(in, ts); T > 0 {
		perm = append([]int{0}, shiftAxes(perm, 1)...)
	}
	return vals(transpose(e, ts[0], perm)), nil
}

func sliceJVP(e *ir.Writer, in *ir.Instr, ts []*ir.Value) ([]*ir.Value, error) {
	if ts[0] == nil {
		return nil, nil
	}
	start, _, _ := in.Attrs.IntList("start")
	stop, _, _ := in.Attrs.IntList("stop")
	if T := tangentT(in, ts); T > 0 {
		start = append([]int{0}, start...)
		stop = append([]int{T}, stop...)
	}
	return vals(emit1(e, ir.OpSlice, ir.Attrs{"start": ir.Ints(start...), "stop": ir.Ints(stop...)}, ts[0])), nil
}

func concatJVP(e *ir.Writer, in *ir.Instr, ts []*ir.Value) ([]*ir.Value, error) {
	T := tangentT(in, ts)
	any := false
	for _, t := range ts {
		any = any || t != nil
	}
	if !any {
		return nil, nil
	}
	axis, _ := in.AxisAttr(in.Results[0].Type.Rank())
	axis += leadOf(T)
	parts := make([]*ir.Value, len(ts))
	for i, t := range ts {
		if t == nil {
			t = zeroTangent(e, in.Args[i], T)
		}
		parts[i] = t
	}
	return vals(emit1(e, ir.OpConcat, ir.Attrs{"axis": ir.Int(axis)}, parts...)), nil
}

// matmulJVP emits d(AB) = dA B + A dB. With many tangents the tangent axis
// is folded into the rows (dA B) or columns (A dB) of one GEMM where the
// other operand is a plain matrix, so T tangents cost one wider product.
func matmulJVP(e *ir.Writer, in *ir.Instr, ts []*ir.Value) ([]*ir.Value, error) {
	T := tangentT(in, ts)
	a, b := in.Args[0], in.Args[1]
	ta, _ := in.BoolAttr("transpose_a")
	tb, _ := in.BoolAttr("transpose_b")
	want := lift(in.Results[0].Type, T)
	var terms []*ir.Value
	if ts[0] != nil {
		terms = append(terms, leftTangentProduct(e, ts[0], b, ta, tb, T, want))
	}
	if ts[1] != nil {
		terms = append(terms, rightTangentProduct(e, a, ts[1], ta, tb, T, want))
	}
	return vals(fit(e, sum(e, terms), want)), nil
}

// leftTangentProduct emits op(dA) op(B). When dA is [T,m,k] (not
// transposed) and B a matrix, it is one [T*m,k] x [k,n] product.
func leftTangentProduct(e *ir.Writer, da, b *ir.Value, ta, tb bool, T int, want ir.Type) *ir.Value {
	if T > 0 && !ta && da.Type.Rank() == 3 && b.Type.Rank() == 2 {
		s := da.Type.Shape
		rows := reshape(e, da, ir.Shape{s[0] * s[1], s[2]})
		return reshape(e, matmul(e, rows, b, false, tb), want.Shape)
	}
	if T > 0 {
		da = align(e, da, da.Type.Rank()-1, want.Rank()-1, T)
	}
	return matmul(e, da, b, ta, tb)
}

// rightTangentProduct emits op(A) op(dB). When dB is [T,k,n] (not
// transposed) and A a matrix, the tangent axis moves into the columns:
// A [m,k] x dB' [k,T*n], one product, then back to [T,m,n].
func rightTangentProduct(e *ir.Writer, a, db *ir.Value, ta, tb bool, T int, want ir.Type) *ir.Value {
	if T > 0 && !tb && db.Type.Rank() == 3 && a.Type.Rank() == 2 {
		s := db.Type.Shape // [T,k,n]
		cols := reshape(e, transpose(e, db, []int{1, 0, 2}), ir.Shape{s[1], s[0] * s[2]})
		p := matmul(e, a, cols, ta, false) // [m, T*n]
		m := p.Type.Shape[0]
		return transpose(e, reshape(e, p, ir.Shape{m, s[0], s[2]}), []int{1, 0, 2})
	}
	if T > 0 {
		db = align(e, db, db.Type.Rank()-1, want.Rank()-1, T)
	}
	return matmul(e, a, db, ta, tb)
}

func gatherJVP(e *ir.Writer, in *ir.Instr, ts []*ir.Value) ([]*ir.Value, error) {
	if ts[0] == nil {
		return nil, nil
	}
	T := tangentT(in, ts)
	axis, _ := in.AxisAttr(in.Args[0].Type.Rank())
	axis += leadOf(T)
	return vals(emit1(e, ir.OpGather, ir.Attrs{"axis": ir.Int(axis)}, ts[0], in.Args[1])), nil
}

// reduceAttrs returns the attributes of a reduction shifted past the
// tangent axis.
func reduceAttrs(in *ir.Instr, T int) (ir.Attrs, []int, error) {
	axes, err := ir.NormAxes(in.Attrs, in.Args[0].Type.Rank())
	if err != nil {
		return nil, nil, err
	}
	attrs := ir.Attrs{"axes": ir.Ints(shiftAxes(axes, leadOf(T))...)}
	if keep, _ := in.BoolAttr("keepdims"); keep {
		attrs["keepdims"] = ir.Bool(true)
	}
	return attrs, axes, nil
}

func reduceJVP(mean bool) jvpRule {
	op := ir.OpReduceSum
	if mean {
		op = ir.OpReduceMean
	}
	return func(e *ir.Writer, in *ir.Instr, ts []*ir.Value) ([]*ir.Value, error) {
		if ts[0] == nil {
			return nil, nil
		}
		attrs, _, err := reduceAttrs(in, tangentT(in, ts))
		if err != nil {
			return nil, err
		}
		return vals(emit1(e, op, attrs, ts[0])), nil
	}
}

// reduceMaxJVP averages the tangents over the positions that attain the
// maximum (a subgradient that is symmetric under ties).
func reduceMaxJVP(e *ir.Writer, in *ir.Instr, ts []*ir.Value) ([]*ir.Value, error) {
	if ts[0] == nil {
		return nil, nil
	}
	T := tangentT(in, ts)
	attrs, axes, err := reduceAttrs(in, T)
	if err != nil {
		return nil, err
	}
	x := in.Args[0]
	kept := ir.ReducedShape(x.Type.Shape, axes, true)
	y := reshape(e, in.Results[0], kept)
	mask := emit1(e, ir.OpEq, nil, x, y)
	count := reshape(e, reduceSum(e, mask, axes, false), in.Results[0].Type.Shape)
	picked := emit1(e, ir.OpReduceSum, attrs, mul(e, ts[0], mask))
	return vals(div(e, picked, count)), nil
}

// softmaxAxis returns the normalised axis of a softmax-like op.
func softmaxAxis(in *ir.Instr) int {
	axis, _ := in.AxisAttr(in.Args[0].Type.Rank())
	return axis
}

// softmaxJVP: dy = y (dx - <y, dx>) along the axis.
func softmaxJVP(e *ir.Writer, in *ir.Instr, ts []*ir.Value) ([]*ir.Value, error) {
	t := ts[0]
	if t == nil {
		return nil, nil
	}
	y := in.Results[0]
	axis := softmaxAxis(in) + leadOf(tangentT(in, ts))
	dot := reduceSum(e, mul(e, y, t), []int{axis}, true)
	return vals(mul(e, y, sub(e, t, dot))), nil
}

// logSoftmaxJVP: dy = dx - <softmax(x), dx> along the axis.
func logSoftmaxJVP(e *ir.Writer, in *ir.Instr, ts []*ir.Value) ([]*ir.Value, error) {
	t := ts[0]
	if t == nil {
		return nil, nil
	}
	p := emit1(e, ir.OpExp, nil, in.Results[0])
	axis := softmaxAxis(in) + leadOf(tangentT(in, ts))
	return vals(sub(e, t, reduceSum(e, mul(e, p, t), []int{axis}, true))), nil
}

// softmaxXentJVP: the loss is mean_b -log softmax(z)[b, t_b], so
// dloss = sum((softmax(z) - onehot(t)) * dz) / B.
func softmaxXentJVP(e *ir.Writer, in *ir.Instr, ts []*ir.Value) ([]*ir.Value, error) {
	t := ts[0]
	if t == nil {
		return nil, nil
	}
	z, labels := in.Args[0], in.Args[1]
	B, C := z.Type.Shape[0], z.Type.Shape[1]
	p := emit1(e, ir.OpSoftmax, ir.Attrs{"axis": ir.Int(1)}, z)
	oh := e.Emit(ir.OpOneHot, vals(labels), ir.Attrs{"depth": ir.Int(C)}, z.Type)[0]
	g := scale(e, sub(e, p, oh), 1/float64(B))
	lead := leadOf(tangentT(in, ts))
	return vals(reduceSum(e, mul(e, g, t), []int{lead, lead + 1}, false)), nil
}
