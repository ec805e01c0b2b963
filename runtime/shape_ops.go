package runtime

import (
	"fmt"

	"github.com/pushforward/pushforward/ir"
)

// bindDataMove binds the ops whose result element i is one operand
// element: broadcast_to, reshape, transpose and slice. All but reshape
// (a plain copy) are a strided gather planned here.
func bindDataMove(b *binding) (runFunc, error) {
	x, t := b.in.Args[0].Type, b.out(0)
	var p *walkPlan
	switch b.in.Op {
	case ir.OpReshape:
		return moveKernel(nil), nil
	case ir.OpBroadcastTo:
		p = newWalkPlan(t.Shape, broadcastStrides(x.Shape, t.Shape))
	case ir.OpTranspose:
		perm, _, err := b.in.Attrs.IntList("perm")
		if err != nil {
			return nil, err
		}
		src := x.Shape.Strides()
		strides := make([]int, len(perm))
		for i, q := range perm {
			strides[i] = src[q]
		}
		p = newWalkPlan(t.Shape, strides)
	case ir.OpSlice:
		start, _, err := b.in.Attrs.IntList("start")
		if err != nil {
			return nil, err
		}
		strides := x.Shape.Strides()
		p = newWalkPlan(t.Shape, strides)
		for d, s := range start {
			p.base[0] += s * strides[d]
		}
	default:
		return nil, fmt.Errorf("not a data movement op")
	}
	return moveKernel(p), nil
}

// moveKernel copies the operand into the result along p, or whole if p is
// nil.
func moveKernel(p *walkPlan) runFunc {
	return func(_ *execCtx, args, outs []*Tensor) error {
		x, out := args[0], outs[0]
		switch out.DType() {
		case ir.F32:
			move(out.F32, x.F32, p)
		case ir.F64:
			move(out.F64, x.F64, p)
		case ir.I64:
			move(out.I64, x.I64, p)
		case ir.U64:
			move(out.U64, x.U64, p)
		}
		return nil
	}
}

func move[T number](dst, src []T, p *walkPlan) {
	if p == nil {
		copy(dst, src)
		return
	}
	gatherStrided(dst, src, p)
}

// bindConcat binds concat along axis: viewing each operand as
// [outer, size along axis × inner], the result's rows are the operands'
// rows side by side.
func bindConcat(b *binding) (runFunc, error) {
	t := b.out(0)
	axisAttr, err := b.in.Attrs.Int("axis", 0)
	if err != nil {
		return nil, err
	}
	axis := normAxis(axisAttr, t.Rank())
	outer := t.Shape[:axis].Size()
	inner := t.Shape[axis+1:].Size()
	widths := make([]int, len(b.in.Args))
	for i, a := range b.in.Args {
		widths[i] = a.Type.Shape[axis] * inner
	}
	row := t.Shape[axis] * inner
	return func(_ *execCtx, args, outs []*Tensor) error {
		out := outs[0]
		for i, a := range args {
			off := 0
			for _, w := range widths[:i] {
				off += w
			}
			switch out.DType() {
			case ir.F32:
				concatInto(out.F32, a.F32, outer, row, off, widths[i])
			case ir.F64:
				concatInto(out.F64, a.F64, outer, row, off, widths[i])
			case ir.I64:
				concatInto(out.I64, a.I64, outer, row, off, widths[i])
			case ir.U64:
				concatInto(out.U64, a.U64, outer, row, off, widths[i])
			}
		}
		return nil
	}, nil
}

// concatInto copies the outer rows of width w of src into columns
// [off, off+w) of dst's rows of width row.
func concatInto[T number](dst, src []T, outer, row, off, w int) {
	for o := range outer {
		copy(dst[o*row+off:][:w], src[o*w:][:w])
	}
}

// bindGather binds gather: it picks slices of the table along axis by i64
// indices: viewing the table as [outer, n, inner], result[o, p, :] =
// table[o, idx[p], :] for every position p of the index tensor.
func bindGather(b *binding) (runFunc, error) {
	table := b.in.Args[0].Type
	axisAttr, err := b.in.Attrs.Int("axis", 0)
	if err != nil {
		return nil, err
	}
	axis := normAxis(axisAttr, table.Rank())
	shape := table.Shape
	outer, n, inner := shape[:axis].Size(), shape[axis], shape[axis+1:].Size()
	return func(_ *execCtx, args, outs []*Tensor) error {
		table, indices, out := args[0], args[1], outs[0]
		for p, v := range indices.I64 {
			if v < 0 || v >= int64(n) {
				return fmt.Errorf("index %d at position %v is out of range [0, %d) for axis %d", v, unravel(p, indices.Shape()), n, axis)
			}
		}
		switch out.DType() {
		case ir.F32:
			gatherInto(out.F32, table.F32, indices.I64, outer, n, inner)
		case ir.F64:
			gatherInto(out.F64, table.F64, indices.I64, outer, n, inner)
		case ir.I64:
			gatherInto(out.I64, table.I64, indices.I64, outer, n, inner)
		case ir.U64:
			gatherInto(out.U64, table.U64, indices.I64, outer, n, inner)
		}
		return nil
	}, nil
}

func gatherInto[T number](dst, table []T, idx []int64, outer, n, inner int) {
	k := 0
	for o := range outer {
		for _, v := range idx {
			copy(dst[k:k+inner], table[(o*n+int(v))*inner:][:inner])
			k += inner
		}
	}
}

// normAxis maps an axis in [-rank, rank) to [0, rank); the type rule has
// checked the range.
func normAxis(axis, rank int) int {
	if axis < 0 {
		return axis + rank
	}
	return axis
}
