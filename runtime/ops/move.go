package ops

import (
	"fmt"

	"github.com/pushforward/pushforward/ir"
)

// A MovePlan is the plan of an op whose result element i is one operand
// element: broadcast_to, reshape, transpose and slice. All but reshape (a
// plain copy) are a strided gather along a WalkPlan.
type MovePlan struct {
	walk *WalkPlan // nil: copy
}

// NewMove plans broadcast_to, reshape, transpose or slice of an operand of
// shape x into a result of shape out, with the instruction's attributes.
func NewMove(op ir.Op, x, out ir.Shape, attrs ir.Attrs) (*MovePlan, error) {
	switch op {
	case ir.OpReshape:
		return &MovePlan{}, nil
	case ir.OpBroadcastTo:
		if !ir.CanBroadcastTo(x, out) {
			return nil, fmt.Errorf("shape %s does not broadcast to %s", x, out)
		}
		return &MovePlan{walk: NewWalkPlan(out, BroadcastStrides(x, out))}, nil
	case ir.OpTranspose:
		perm, _, err := attrs.IntList("perm")
		if err != nil {
			return nil, err
		}
		return TransposePlan(x, perm)
	case ir.OpSlice:
		start, _, err := attrs.IntList("start")
		if err != nil {
			return nil, err
		}
		return SlicePlan(x, out, start)
	}
	return nil, fmt.Errorf("%s is not a data movement op", op)
}

// TransposePlan plans the transpose of shape x by perm: result axis i is
// operand axis perm[i].
func TransposePlan(x ir.Shape, perm []int) (*MovePlan, error) {
	if len(perm) != len(x) {
		return nil, fmt.Errorf("perm %v for an operand of rank %d", perm, len(x))
	}
	src := x.Strides()
	strides := make([]int, len(perm))
	out := make(ir.Shape, len(perm))
	for i, q := range perm {
		if q < 0 || q >= len(x) {
			return nil, fmt.Errorf("perm %v is not a permutation of 0..%d", perm, len(x)-1)
		}
		strides[i], out[i] = src[q], x[q]
	}
	return &MovePlan{walk: NewWalkPlan(out, strides)}, nil
}

// SlicePlan plans the slice of shape x that starts at start and has shape
// out.
func SlicePlan(x, out ir.Shape, start []int) (*MovePlan, error) {
	if len(start) != len(x) || len(out) != len(x) {
		return nil, fmt.Errorf("slice of %s at %v to %s: ranks differ", x, start, out)
	}
	strides := x.Strides()
	p := NewWalkPlan(out, strides)
	for d, s := range start {
		if s < 0 || s+out[d] > x[d] {
			return nil, fmt.Errorf("slice of %s at %v to %s: axis %d out of range", x, start, out, d)
		}
		p.base[0] += s * strides[d]
	}
	return &MovePlan{walk: p}, nil
}

// Move copies src into dst along p.
func Move[T Number](p *MovePlan, dst, src []T) { MovePart(p, dst, src, 0, 1) }

// MovePart does part i of parts of Move: parts may run side by side, each
// writing its own range of dst. Moves are bound by memory bandwidth,
// which one core does not saturate.
func MovePart[T Number](p *MovePlan, dst, src []T, i, parts int) {
	if p.walk == nil {
		if len(dst) > 0 && len(src) > 0 && &dst[0] == &src[0] {
			return // a reshape in place (ir.CanShareBuffer)
		}
		n := len(dst)
		copy(dst[i*n/parts:(i+1)*n/parts], src[i*n/parts:])
		return
	}
	gatherStridedPart(dst, src, p.walk, i, parts)
}

// A ConcatPlan is the plan of concat along one axis: viewing each operand
// as [outer, size along axis × inner], the result's rows are the operands'
// rows side by side.
type ConcatPlan struct {
	outer, row int
	offs       []int // each operand's first column in a result row
	widths     []int // each operand's row width
}

// NewConcat plans the concat of operands of the given shapes along axis
// (in [-rank, rank)).
func NewConcat(args []ir.Shape, axis int) (*ConcatPlan, error) {
	if len(args) == 0 {
		return nil, fmt.Errorf("concat of no operands")
	}
	axis, err := ir.NormAxis(axis, len(args[0]))
	if err != nil {
		return nil, err
	}
	first := args[0]
	inner := first[axis+1:].Size()
	p := &ConcatPlan{outer: first[:axis].Size()}
	for _, a := range args {
		if len(a) != len(first) || !a[:axis].Equal(first[:axis]) || !a[axis+1:].Equal(first[axis+1:]) {
			return nil, fmt.Errorf("concat along axis %d: shape %s differs from %s", axis, a, first)
		}
		p.offs = append(p.offs, p.row)
		p.widths = append(p.widths, a[axis]*inner)
		p.row += a[axis] * inner
	}
	return p, nil
}

// Concat copies operand i, src, into its columns of dst.
func Concat[T Number](p *ConcatPlan, dst, src []T, i int) { ConcatPart(p, dst, src, i, 0, 1) }

// ConcatPart does part j of parts of Concat: parts may run side by side.
// A concat along the leading axis (one outer row) splits its row.
func ConcatPart[T Number](p *ConcatPlan, dst, src []T, i, j, parts int) {
	off, w := p.offs[i], p.widths[i]
	if p.outer == 1 {
		lo, hi := j*w/parts, (j+1)*w/parts
		copy(dst[off+lo:off+hi], src[lo:hi])
		return
	}
	for o := j * p.outer / parts; o < (j+1)*p.outer/parts; o++ {
		copy(dst[o*p.row+off:][:w], src[o*w:][:w])
	}
}

// A GatherPlan is the plan of gather: it picks slices of a table along an
// axis by i64 indices. Viewing the table as [outer, n, inner],
// result[o, p, :] = table[o, idx[p], :] for every position p of the index
// tensor.
type GatherPlan struct {
	outer, n, inner, axis int
	indices               ir.Shape
}

// NewGather plans gather from a table of the given shape along axis (in
// [-rank, rank)) by indices of the given shape.
func NewGather(table, indices ir.Shape, axis int) (*GatherPlan, error) {
	axis, err := ir.NormAxis(axis, len(table))
	if err != nil {
		return nil, err
	}
	return &GatherPlan{
		outer: table[:axis].Size(), n: table[axis], inner: table[axis+1:].Size(),
		axis: axis, indices: indices.Clone(),
	}, nil
}

// Gather writes the picked slices of table into dst; it reports an index
// out of range, with its position, before writing anything.
func Gather[T Number](p *GatherPlan, dst, table []T, idx []int64) error {
	for i, v := range idx {
		if v < 0 || v >= int64(p.n) {
			return fmt.Errorf("index %d at position %v is out of range [0, %d) for axis %d", v, Unravel(i, p.indices), p.n, p.axis)
		}
	}
	k, inner := 0, p.inner
	for o := range p.outer {
		for _, v := range idx {
			copy(dst[k:k+inner], table[(o*p.n+int(v))*inner:][:inner])
			k += inner
		}
	}
	return nil
}

// Unravel returns the multi-index of row-major offset i in shape s.
func Unravel(i int, s ir.Shape) []int {
	idx := make([]int, len(s))
	for d := len(s) - 1; d >= 0; d-- {
		if s[d] > 0 {
			idx[d] = i % s[d]
			i /= s[d]
		}
	}
	return idx
}
