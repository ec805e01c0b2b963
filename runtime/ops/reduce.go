package ops

import (
	"fmt"
	"slices"

	"github.com/pushforward/pushforward/ir"
)

// A ReducePlan is the plan of reduce_sum, reduce_mean or reduce_max over
// some axes. Each input element is folded into the output element it
// reduces to, in row-major input order, so the result is deterministic.
// Floats accumulate in float64 and round once at the end, which keeps f32
// sums of many terms accurate; integers wrap.
//
// When the reduced axes are one block once size-1 axes are dropped, the
// input is viewed as [outer, n, inner] and reduced with plain loops
// (inner = 1: each output sums a contiguous run); other axis sets use
// offsets computed by the plan.
type ReducePlan struct {
	op              ir.Op
	div             float64 // the mean's divisor, else 1
	outLen          int
	block           bool
	outer, n, inner int
	offs            []int // output offset of each input element, when !block
}

// NewReduce plans the reduction op of an operand of shape x over the
// given axes (normalised and sorted, as ir.NormAxes returns them).
func NewReduce(op ir.Op, x ir.Shape, axes []int) (*ReducePlan, error) {
	switch op {
	case ir.OpReduceSum, ir.OpReduceMean, ir.OpReduceMax:
	default:
		return nil, fmt.Errorf("%s is not a reduction", op)
	}
	count := 1
	for i, a := range axes {
		if a < 0 || a >= len(x) || (i > 0 && a <= axes[i-1]) {
			return nil, fmt.Errorf("axes %v of a reduction of rank %d are not sorted axes", axes, len(x))
		}
		count *= x[a]
	}
	p := &ReducePlan{op: op, div: 1, outLen: ir.ReducedShape(x, axes, false).Size()}
	if op == ir.OpReduceMean {
		p.div = float64(count)
	}
	p.outer, p.n, p.inner, p.block = reductionBlock(x, axes)
	if !p.block {
		p.offs = reductionOffsets(x, axes)
	}
	return p, nil
}

// ScratchLen is the float64 scratch Reduce needs.
func (p *ReducePlan) ScratchLen() int {
	switch {
	case p.op == ir.OpReduceMax:
		return 0
	case p.block:
		return p.inner
	}
	return p.outLen
}

// Reduce writes the reduction of src into dst, using scratch of at least
// ScratchLen elements for float sums.
func Reduce[T Number](p *ReducePlan, dst, src []T, scratch []float64) {
	switch {
	case p.op == ir.OpReduceMax && p.block:
		maxBlock(dst, src, p.outer, p.n, p.inner)
	case p.op == ir.OpReduceMax:
		lowest := Lowest[T]()
		for i := range dst {
			dst[i] = lowest
		}
		for i, v := range src {
			dst[p.offs[i]] = max(dst[p.offs[i]], v)
		}
	case !IsFloat[T]():
		clear(dst)
		if p.block {
			sumIntBlock(dst, src, p.outer, p.n, p.inner)
			break
		}
		for i, v := range src {
			dst[p.offs[i]] += v
		}
	case p.block:
		sumBlock(dst, src, p.outer, p.n, p.inner, p.div, scratch)
	default:
		acc := scratch[:len(dst)]
		clear(acc)
		for i, v := range src {
			acc[p.offs[i]] += float64(v)
		}
		for i, v := range acc {
			dst[i] = T(v / p.div)
		}
	}
}

// ReduceRepeated returns what the reduction op gives for count elements
// equal to c (a splat), with the kernels' own accumulation: Reduce on a
// tensor of count copies of c gives it in every output element.
func ReduceRepeated[T Number](op ir.Op, c T, count int) T {
	const chunk = 256
	run := slices.Repeat([]T{c}, min(count, chunk))
	switch {
	case op == ir.OpReduceMax:
		if count == 0 {
			return Lowest[T]()
		}
		return maxRun(Lowest[T](), run)
	case !IsFloat[T]():
		var acc T
		for left := count; left > 0; left -= chunk {
			acc = sumIntRun(acc, run[:min(left, chunk)])
		}
		return acc
	}
	var acc float64
	for left := count; left > 0; left -= chunk {
		acc = sumRun(acc, run[:min(left, chunk)])
	}
	div := 1.0
	if op == ir.OpReduceMean {
		div = float64(count)
	}
	return T(acc / div)
}

// reductionBlock views shape as [outer, n, inner] with the reduced axes
// (sorted) in the middle, if they form one block once axes of size 1 are
// ignored.
func reductionBlock(shape ir.Shape, axes []int) (outer, n, inner int, ok bool) {
	reduced := make([]bool, len(shape))
	for _, a := range axes {
		reduced[a] = true
	}
	outer, n, inner = 1, 1, 1
	phase := 0 // 0 before the block, 1 in it, 2 after it
	for d, size := range shape {
		if size == 1 {
			continue
		}
		switch {
		case reduced[d] && phase == 2:
			return 0, 0, 0, false
		case reduced[d]:
			phase = 1
			n *= size
		case phase == 0:
			outer *= size
		default:
			phase = 2
			inner *= size
		}
	}
	return outer, n, inner, true
}

// sumRun adds xs to acc in float64, in order.
func sumRun[T Number](acc float64, xs []T) float64 {
	for _, v := range xs {
		acc += float64(v)
	}
	return acc
}

// sumIntRun adds xs to acc, wrapping.
func sumIntRun[T Number](acc T, xs []T) T {
	for _, v := range xs {
		acc += v
	}
	return acc
}

// maxRun is the maximum of m and xs.
func maxRun[T Number](m T, xs []T) T {
	for _, v := range xs {
		m = max(m, v)
	}
	return m
}

// sumBlock reduces x viewed as [outer, n, inner] over its middle axis,
// accumulating each output in float64 in input order.
func sumBlock[T Number](os, xs []T, outer, n, inner int, div float64, scratch []float64) {
	sumBlockRange(os, xs, 0, outer, 0, inner, n, inner, div, scratch)
}

// sumBlockRange is sumBlock for outputs [o0, o1) × [c0, c1) of the
// [outer, inner] result, with c1 − c0 elements of scratch.
func sumBlockRange[T Number](os, xs []T, o0, o1, c0, c1, n, inner int, div float64, scratch []float64) {
	if inner == 1 {
		for o := o0; o < o1; o++ {
			os[o] = T(sumRun(0, xs[o*n:(o+1)*n]) / div)
		}
		return
	}
	acc := scratch[:c1-c0]
	for o := o0; o < o1; o++ {
		clear(acc)
		for r := range n {
			row := xs[(o*n+r)*inner+c0:][:len(acc)]
			for i, v := range row {
				acc[i] += float64(v)
			}
		}
		dst := os[o*inner+c0:][:len(acc)]
		for i, v := range acc {
			dst[i] = T(v / div)
		}
	}
}

// Splits reports whether ReducePart can cut the reduction into parts: a
// float sum or mean over one block of axes.
func (p *ReducePlan) Splits() bool { return p.block && p.op != ir.OpReduceMax }

// PartScratchLen is the float64 scratch that each of parts parts of
// ReducePart needs.
func (p *ReducePlan) PartScratchLen(parts int) int {
	if p.outer >= parts {
		return p.inner
	}
	return (p.inner + parts - 1) / parts
}

// ReducePart does part i of parts of Reduce for a plan that Splits, with
// scratch of PartScratchLen(parts) elements of its own: parts may run side
// by side. Each output is accumulated by one part in input order, so the
// bits do not depend on parts. Parts take ranges of the outer axis, or of
// the inner one when it has fewer elements than parts.
func ReducePart[T Number](p *ReducePlan, dst, src []T, scratch []float64, i, parts int) {
	if !IsFloat[T]() || !p.Splits() {
		panic("ops: ReducePart of a reduction that does not split")
	}
	if p.outer >= parts || p.inner == 1 {
		sumBlockRange(dst, src, i*p.outer/parts, (i+1)*p.outer/parts, 0, p.inner, p.n, p.inner, p.div, scratch)
		return
	}
	sumBlockRange(dst, src, 0, p.outer, i*p.inner/parts, (i+1)*p.inner/parts, p.n, p.inner, p.div, scratch)
}

// sumIntBlock is sumBlock for integers, which wrap; os starts at zero.
func sumIntBlock[T Number](os, xs []T, outer, n, inner int) {
	for o := range outer {
		dst := os[o*inner:][:inner]
		for r := range n {
			for i, v := range xs[(o*n+r)*inner:][:inner] {
				dst[i] += v
			}
		}
	}
}

// maxBlock is the reduce_max of x viewed as [outer, n, inner].
func maxBlock[T Number](os, xs []T, outer, n, inner int) {
	lowest := Lowest[T]()
	for o := range outer {
		dst := os[o*inner:][:inner]
		for i := range dst {
			dst[i] = lowest
		}
		for r := range n {
			for i, v := range xs[(o*n+r)*inner:][:inner] {
				dst[i] = max(dst[i], v)
			}
		}
	}
}

// reductionOffsets returns for each element of shape s the row-major
// offset of the element it reduces to when the given axes are reduced.
func reductionOffsets(s ir.Shape, axes []int) []int {
	kept := s.Clone()
	for _, a := range axes {
		kept[a] = 1
	}
	strides := kept.Strides()
	for _, a := range axes {
		strides[a] = 0
	}
	return WalkOffsets(s, strides, 0)
}
