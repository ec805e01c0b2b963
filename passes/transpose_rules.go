package passes

import (
	"fmt"

	"github.com/pushforward/pushforward/ir"
)

// Transpose rules of the linear ops: the ops that JVP rules emit on
// tangents. A rule gets the instruction (primal operands usable, linear
// operands only for their types), the cotangents of its results and which
// operands are linear; it returns the cotangents of the linear operands.
// In a linearization with T tangents the linear operands and the
// cotangents already carry the tangent axis in their types, so the rules,
// which take shapes from those types, serve both cases.

// unbroadcast sums a cotangent of a broadcasting op's result back to the
// shape of operand i.
func unbroadcast(e *ir.Writer, ct *ir.Value, in *ir.Instr, i int) *ir.Value {
	return sumToShape(e, ct, 0, in.Args[i].Type.Shape)
}

func addTranspose(e *ir.Writer, in *ir.Instr, cts []*ir.Value, linear []bool) ([]*ir.Value, error) {
	out := make([]*ir.Value, 2)
	for i := range 2 {
		if linear[i] {
			out[i] = unbroadcast(e, cts[0], in, i)
		}
	}
	return out, nil
}

func subTranspose(e *ir.Writer, in *ir.Instr, cts []*ir.Value, linear []bool) ([]*ir.Value, error) {
	out := make([]*ir.Value, 2)
	if linear[0] {
		out[0] = unbroadcast(e, cts[0], in, 0)
	}
	if linear[1] {
		out[1] = unbroadcast(e, neg(e, cts[0]), in, 1)
	}
	return out, nil
}

func negTranspose(e *ir.Writer, in *ir.Instr, cts []*ir.Value, linear []bool) ([]*ir.Value, error) {
	return vals(neg(e, cts[0])), nil
}

// errNonlinear reports a product of two tangent-dependent values, which
// no JVP rule emits.
func errNonlinear(op ir.Op) error {
	return fmt.Errorf("%s of two tangent-dependent operands is not linear", op)
}

func mulTranspose(e *ir.Writer, in *ir.Instr, cts []*ir.Value, linear []bool) ([]*ir.Value, error) {
	if linear[0] && linear[1] {
		return nil, errNonlinear(in.Op)
	}
	out := make([]*ir.Value, 2)
	for i := range 2 {
		if linear[i] {
			out[i] = unbroadcast(e, mul(e, cts[0], in.Args[1-i]), in, i)
		}
	}
	return out, nil
}

func divTranspose(e *ir.Writer, in *ir.Instr, cts []*ir.Value, linear []bool) ([]*ir.Value, error) {
	if linear[1] {
		return nil, fmt.Errorf("div is not linear in its divisor")
	}
	return vals(unbroadcast(e, div(e, cts[0], in.Args[1]), in, 0), nil), nil
}

func selectTranspose(e *ir.Writer, in *ir.Instr, cts []*ir.Value, linear []bool) ([]*ir.Value, error) {
	if linear[0] {
		return nil, fmt.Errorf("select is not linear in its condition")
	}
	ct := cts[0]
	zero := scalar(e, ct.Type.DType, 0)
	out := make([]*ir.Value, 3)
	if linear[1] {
		out[1] = unbroadcast(e, sel(e, in.Args[0], ct, zero), in, 1)
	}
	if linear[2] {
		out[2] = unbroadcast(e, sel(e, in.Args[0], zero, ct), in, 2)
	}
	return out, nil
}

func castTranspose(e *ir.Writer, in *ir.Instr, cts []*ir.Value, linear []bool) ([]*ir.Value, error) {
	return vals(e.Emit(ir.OpCast, vals(cts[0]), nil, in.Args[0].Type)[0]), nil
}

func broadcastToTranspose(e *ir.Writer, in *ir.Instr, cts []*ir.Value, linear []bool) ([]*ir.Value, error) {
	return vals(unbroadcast(e, cts[0], in, 0)), nil
}

func reshapeTranspose(e *ir.Writer, in *ir.Instr, cts []*ir.Value, linear []bool) ([]*ir.Value, error) {
	return vals(reshape(e, cts[0], in.Args[0].Type.Shape)), nil
}

func transposeTranspose(e *ir.Writer, in *ir.Instr, cts []*ir.Value, linear []bool) ([]*ir.Value, error) {
	perm, _, err := in.Attrs.IntList("perm")
	if err != nil {
		return nil, err
	}
	inv := make([]int, len(perm))
	for i, p := range perm {
		inv[p] = i
	}
	return vals(transpose(e, cts[0], inv)), nil
}

// sliceTranspose pads the cotangent with zeros back to the operand's
// shape, one axis at a time, by concatenation.
func sliceTranspose(e *ir.Writer, in *ir.Instr, cts []*ir.Value, linear []bool) ([]*ir.Value, error) {
	start, _, _ := in.Attrs.IntList("start")
	stop, _, _ := in.Attrs.IntList("stop")
	full0 := in.Args[0].Type.Shape
	ct := cts[0]
	for axis := range full0 {
		before, after := start[axis], full0[axis]-stop[axis]
		if before == 0 && after == 0 {
			continue
		}
		var parts []*ir.Value
		if before > 0 {
			parts = append(parts, full(e, padType(ct.Type, axis, before), 0))
		}
		parts = append(parts, ct)
		if after > 0 {
			parts = append(parts, full(e, padType(ct.Type, axis, after), 0))
		}
		ct = emit1(e, ir.OpConcat, ir.Attrs{"axis": ir.Int(axis)}, parts...)
	}
	return vals(ct), nil
}

func padType(t ir.Type, axis, n int) ir.Type {
	s := t.Shape.Clone()
	s[axis] = n
	return t.WithShape(s)
}

func concatTranspose(e *ir.Writer, in *ir.Instr, cts []*ir.Value, linear []bool) ([]*ir.Value, error) {
	rank := in.Results[0].Type.Rank()
	axis, _ := in.AxisAttr(rank)
	out := make([]*ir.Value, len(in.Args))
	offset := 0
	for i, a := range in.Args {
		n := a.Type.Shape[axis]
		if linear[i] {
			start := make([]int, rank)
			stop := cts[0].Type.Shape.Clone()
			start[axis], stop[axis] = offset, offset+n
			out[i] = emit1(e, ir.OpSlice, ir.Attrs{"start": ir.Ints(start...), "stop": ir.Ints(stop...)}, cts[0])
		}
		offset += n
	}
	return out, nil
}

// matmulTranspose: for C = op(A) op(B), dA = dC op(B)ᵀ (or its transpose
// when A is used transposed) and dB = op(A)ᵀ dC (likewise), summed over
// broadcast batch axes.
func matmulTranspose(e *ir.Writer, in *ir.Instr, cts []*ir.Value, linear []bool) ([]*ir.Value, error) {
	if linear[0] && linear[1] {
		return nil, errNonlinear(in.Op)
	}
	a, b, ct := in.Args[0], in.Args[1], cts[0]
	ta, _ := in.BoolAttr("transpose_a")
	tb, _ := in.BoolAttr("transpose_b")
	out := make([]*ir.Value, 2)
	if linear[0] {
		var da *ir.Value
		if ta {
			da = matmul(e, b, ct, tb, true)
		} else {
			da = matmul(e, ct, b, false, !tb)
		}
		out[0] = sumToShape(e, da, 0, a.Type.Shape)
	}
	if linear[1] {
		var db *ir.Value
		if tb {
			db = matmul(e, ct, a, true, ta)
		} else {
			db = matmul(e, a, ct, !ta, false)
		}
		out[1] = sumToShape(e, db, 0, b.Type.Shape)
	}
	return out, nil
}

// gatherTranspose scatters the cotangent back into the table by a product
// with the transposed one-hot matrix of the indices: rows picked several
// times accumulate.
func gatherTranspose(e *ir.Writer, in *ir.Instr, cts []*ir.Value, linear []bool) ([]*ir.Value, error) {
	if linear[1] {
		return nil, fmt.Errorf("gather is not linear in its indices")
	}
	table, idx, ct := in.Args[0], in.Args[1], cts[0]
	axis, _ := in.AxisAttr(table.Type.Rank())
	ts := table.Type.Shape
	pre, post := ts[:axis], ts[axis+1:]
	ni := idx.Type.Rank()
	m, _ := idx.Type.Shape.NumElements()
	// Move the index axes of the cotangent to the front: [I..., pre..., post...].
	perm := make([]int, 0, ct.Type.Rank())
	for i := range ni {
		perm = append(perm, len(pre)+i)
	}
	for i := range pre {
		perm = append(perm, i)
	}
	for i := range post {
		perm = append(perm, len(pre)+ni+i)
	}
	rest := int64(1)
	for _, d := range append(pre.Clone(), post...) {
		rest *= int64(d)
	}
	ct2 := reshape(e, transpose(e, ct, perm), ir.Shape{int(m), int(rest)})
	oh := e.Emit(ir.OpOneHot, vals(reshape(e, idx, ir.Shape{int(m)})), ir.Attrs{"depth": ir.Int(ts[axis])}, ir.TensorOf(ct.Type.DType, int(m), ts[axis]))[0]
	scattered := matmul(e, oh, ct2, true, false) // [N, rest]
	// Back to the table's layout: [N, pre..., post...] then N into place.
	moved := append(ir.Shape{ts[axis]}, append(pre.Clone(), post...)...)
	back := make([]int, len(ts))
	for i := range pre {
		back[i] = 1 + i
	}
	back[axis] = 0
	for i := range post {
		back[axis+1+i] = 1 + len(pre) + i
	}
	return vals(transpose(e, reshape(e, scattered, moved), back), nil), nil
}

func reduceTranspose(mean bool) transposeRule {
	return func(e *ir.Writer, in *ir.Instr, cts []*ir.Value, linear []bool) ([]*ir.Value, error) {
		x := in.Args[0]
		axes, err := ir.NormAxes(in.Attrs, x.Type.Rank())
		if err != nil {
			return nil, err
		}
		ct := reshape(e, cts[0], ir.ReducedShape(x.Type.Shape, axes, true))
		if mean {
			n := 1
			for _, a := range axes {
				n *= x.Type.Shape[a]
			}
			ct = scale(e, ct, 1/float64(n))
		}
		return vals(broadcastTo(e, ct, x.Type.Shape)), nil
	}
}
