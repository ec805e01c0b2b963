package runtime

import (
	"fmt"

	"github.com/pushforward/pushforward/ir"
)

// execDataMove runs the ops whose result element i is one operand element:
// broadcast_to, reshape, transpose and slice.
func execDataMove(c *call) (*Tensor, error) {
	x, t := c.args[0], c.out(0)
	switch c.in.Op {
	case ir.OpReshape:
		return take(x, nil, t), nil // same elements, same order
	case ir.OpBroadcastTo:
		return take(x, broadcastOffsets(x.Shape(), t.Shape), t), nil
	case ir.OpTranspose:
		perm, _, err := c.in.Attrs.IntList("perm")
		if err != nil {
			return nil, err
		}
		src := x.Shape().Strides()
		strides := make([]int, len(perm))
		for i, p := range perm {
			strides[i] = src[p]
		}
		return take(x, walkOffsets(t.Shape, strides, 0), t), nil
	case ir.OpSlice:
		start, _, err := c.in.Attrs.IntList("start")
		if err != nil {
			return nil, err
		}
		strides := x.Shape().Strides()
		base := 0
		for d, s := range start {
			base += s * strides[d]
		}
		return take(x, walkOffsets(t.Shape, strides, base), t), nil
	}
	return nil, fmt.Errorf("not a data movement op")
}

// execConcat joins the operands along axis: viewing each operand as
// [outer, size along axis × inner], the result's rows are the operands'
// rows side by side.
func execConcat(c *call) (*Tensor, error) {
	t := c.out(0)
	axisAttr, err := c.in.Attrs.Int("axis", 0)
	if err != nil {
		return nil, err
	}
	axis := normAxis(axisAttr, t.Rank())
	outer := t.Shape[:axis].Size()
	inner := t.Shape[axis+1:].Size()
	offs := make([]int, 0, t.Shape.Size())
	// offs indexes the operands' elements laid end to end.
	widths := make([]int, len(c.args))
	bases := make([]int, len(c.args))
	total := 0
	for i, a := range c.args {
		widths[i] = a.Shape()[axis] * inner
		bases[i] = total
		total += a.Len()
	}
	for o := range outer {
		for i := range c.args {
			for j := range widths[i] {
				offs = append(offs, bases[i]+o*widths[i]+j)
			}
		}
	}
	return take(joinElems(c.args, t.DType), offs, t), nil
}

// joinElems returns a rank-1 tensor of the operands' elements end to end.
func joinElems(args []*Tensor, d ir.DType) *Tensor {
	n := 0
	for _, a := range args {
		n += a.Len()
	}
	all := Zeros(ir.TensorOf(d, n))
	off := 0
	for _, a := range args {
		switch d {
		case ir.F32:
			copy(all.F32[off:], a.F32)
		case ir.F64:
			copy(all.F64[off:], a.F64)
		case ir.I64:
			copy(all.I64[off:], a.I64)
		case ir.U64:
			copy(all.U64[off:], a.U64)
		}
		off += a.Len()
	}
	return all
}

// execGather picks slices of the table along axis by i64 indices: viewing
// the table as [outer, n, inner], result[o, p, :] = table[o, idx[p], :]
// for every position p of the index tensor.
func execGather(c *call) (*Tensor, error) {
	table, indices, t := c.args[0], c.args[1], c.out(0)
	axisAttr, err := c.in.Attrs.Int("axis", 0)
	if err != nil {
		return nil, err
	}
	axis := normAxis(axisAttr, table.Type.Rank())
	shape := table.Shape()
	outer, n, inner := shape[:axis].Size(), shape[axis], shape[axis+1:].Size()
	for p, v := range indices.I64 {
		if v < 0 || v >= int64(n) {
			return nil, fmt.Errorf("index %d at position %v is out of range [0, %d) for axis %d", v, unravel(p, indices.Shape()), n, axis)
		}
	}
	offs := make([]int, 0, t.Shape.Size())
	for o := range outer {
		for _, v := range indices.I64 {
			base := (o*n + int(v)) * inner
			for j := range inner {
				offs = append(offs, base+j)
			}
		}
	}
	return take(table, offs, t), nil
}

// normAxis maps an axis in [-rank, rank) to [0, rank); the type rule has
// checked the range.
func normAxis(axis, rank int) int {
	if axis < 0 {
		return axis + rank
	}
	return axis
}
