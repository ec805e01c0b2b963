package ops

import "github.com/pushforward/pushforward/ir"

// Most data movement is one pattern: walk the output in row-major order and
// read each element from an offset of the source computed from per-axis
// strides. Broadcasting uses stride 0 on broadcast axes, transpose permutes
// the strides, slice adds a base offset, and reductions walk the input with
// the output's strides.
//
// Kernels do this with a WalkPlan, built once from the shapes: the
// output's axes with each operand's strides, adjacent axes merged where
// every operand steps through them as through one axis. A bias added to
// [128,1024] becomes 128 rows of 1024 with strides (1024, 1) and (0, 1);
// most plans end up with one or two axes, and kernels run a tight loop per
// row (the last axis), with fast paths for strides 0 and 1.

// WalkOffsets returns, for each multi-index idx of shape in row-major
// order, base + Σ idx[d]·strides[d]: the offsets at which a tensor read
// with those strides is walked.
func WalkOffsets(shape ir.Shape, strides []int, base int) []int {
	offs := make([]int, shape.Size())
	if len(offs) == 0 {
		return offs
	}
	idx := make([]int, len(shape))
	off := base
	for i := range offs {
		offs[i] = off
		// Advance the odometer: bump the last axis, carrying into earlier
		// ones.
		for d := len(shape) - 1; d >= 0; d-- {
			idx[d]++
			off += strides[d]
			if idx[d] < shape[d] {
				break
			}
			off -= idx[d] * strides[d]
			idx[d] = 0
		}
	}
	return offs
}

// BroadcastStrides returns the strides with which a row-major tensor of
// shape src is read when broadcast to shape dst (NumPy rules): src's
// strides aligned at the last axis, 0 on axes src lacks or has as 1.
func BroadcastStrides(src, dst ir.Shape) []int {
	strides := make([]int, len(dst))
	lead := len(dst) - len(src)
	for d, s := range src.Strides() {
		if src[d] != 1 {
			strides[lead+d] = s
		}
	}
	return strides
}

// MergeAxes returns the walk of shape out by operands read with the given
// strides (one slice of len(out) per operand) with the fewest axes: axes
// of size 1 dropped, and axis d+1 merged into d where, for every operand,
// one step along d is a whole run along d+1 (the merged axis steps as the
// inner one). The result has at least one axis; its last is the row the
// kernels loop over.
func MergeAxes(out ir.Shape, strides [][]int) (shape []int, merged [][]int) {
	merged = make([][]int, len(strides))
	for d, n := range out {
		if n == 1 {
			continue
		}
		shape = append(shape, n)
		for j, s := range strides {
			merged[j] = append(merged[j], s[d])
		}
	}
	for d := len(shape) - 2; d >= 0; d-- {
		merge := true
		for j := range merged {
			if merged[j][d] != merged[j][d+1]*shape[d+1] {
				merge = false
			}
		}
		if !merge {
			continue
		}
		shape[d] *= shape[d+1]
		shape = append(shape[:d+1], shape[d+2:]...)
		for j := range merged {
			merged[j][d] = merged[j][d+1]
			merged[j] = append(merged[j][:d+1], merged[j][d+2:]...)
		}
	}
	if len(shape) == 0 { // one element, or none
		shape = []int{out.Size()}
		for j := range merged {
			merged[j] = []int{0}
		}
	}
	return shape, merged
}

// maxOperands is the most operands a WalkPlan follows (select's three).
const maxOperands = 3

// maxWalkAxes is the most axes (after merging) a rowWalk steps through
// with its own counters; plans with more precompute every row's offsets.
const maxWalkAxes = 16

// A WalkPlan walks shape in row-major order with up to maxOperands
// operands, operand j at offset base[j] + Σ idx[d]·strides[j][d]. shape has
// at least one axis; its last axis is the row a kernel loops over.
type WalkPlan struct {
	shape   []int
	strides [maxOperands][]int
	base    [maxOperands]int
	n       int // operands
	size    int // elements walked
	// rowOffs[j][row] is operand j's offset (before base) at the start
	// of each row, when there are too many axes for a rowWalk's counters.
	rowOffs [maxOperands][]int
}

// NewWalkPlan plans the walk of shape out for up to three operands read
// with the given strides (one slice of len(out) per operand), merging
// axes. Plans depend on shapes only: generated code builds them once.
func NewWalkPlan(out ir.Shape, strides ...[]int) *WalkPlan {
	p := &WalkPlan{n: len(strides), size: out.Size()}
	shape, merged := MergeAxes(out, strides)
	var st [maxOperands][]int
	copy(st[:], merged)
	p.shape, p.strides = shape, st
	if outer := len(shape) - 1; outer > maxWalkAxes {
		for j := range p.n {
			p.rowOffs[j] = WalkOffsets(shape[:outer], st[j][:outer], 0)
		}
	}
	return p
}

// RowLen is the length of the last axis, which kernels loop over.
func (p *WalkPlan) RowLen() int { return p.shape[len(p.shape)-1] }

// rowStride is operand j's stride along the last axis.
func (p *WalkPlan) rowStride(j int) int { return p.strides[j][len(p.shape)-1] }

// Rows is the number of rows: the elements walked over RowLen.
func (p *WalkPlan) Rows() int {
	if p.size == 0 {
		return 0
	}
	return p.size / p.RowLen()
}

// A rowWalk iterates over the rows of a WalkPlan. It is a value that
// holds no pointer into itself, so that it stays on the stack of the
// kernel using it: walking allocates nothing.
type rowWalk struct {
	p        *WalkPlan
	idx      [maxWalkAxes]int
	offs     [maxOperands]int // operands' offsets at the start of the row
	out      int              // the row's offset in the (contiguous) output
	row, end int              // the next row to yield, and the row to stop at
	started  bool
}

// start prepares w to walk all of p's rows; next then yields each.
func (w *rowWalk) start(p *WalkPlan) { w.startRange(p, 0, p.Rows()) }

// startRange prepares w to walk rows [lo, hi) of p.
func (w *rowWalk) startRange(p *WalkPlan, lo, hi int) {
	*w = rowWalk{p: p, offs: p.base, row: lo, end: hi}
	if lo >= hi {
		return
	}
	if p.rowOffs[0] != nil {
		for j := range p.n {
			w.offs[j] = p.base[j] + p.rowOffs[j][lo]
		}
		return
	}
	r := lo
	for d := len(p.shape) - 2; d >= 0; d-- {
		w.idx[d] = r % p.shape[d]
		r /= p.shape[d]
		for j := range p.n {
			w.offs[j] += w.idx[d] * p.strides[j][d]
		}
	}
}

// next moves to the next row and reports whether there is one.
func (w *rowWalk) next() bool {
	if w.row >= w.end {
		return false
	}
	p := w.p
	switch {
	case !w.started:
		w.started = true
	case p.rowOffs[0] != nil:
		for j := range p.n {
			w.offs[j] = p.base[j] + p.rowOffs[j][w.row]
		}
	default:
		for d := len(p.shape) - 2; d >= 0; d-- {
			w.idx[d]++
			for j := range p.n {
				w.offs[j] += p.strides[j][d]
			}
			if w.idx[d] < p.shape[d] {
				break
			}
			for j := range p.n {
				w.offs[j] -= w.idx[d] * p.strides[j][d]
			}
			w.idx[d] = 0
		}
	}
	w.out = w.row * p.RowLen()
	w.row++
	return true
}

// copyRow copies a row of n elements read with the given stride from src
// at off into dst.
func copyRow[T Number](dst, src []T, off, stride int) {
	switch stride {
	case 1:
		copy(dst, src[off:off+len(dst)])
	case 0:
		v := src[off]
		for i := range dst {
			dst[i] = v
		}
	default:
		for i := range dst {
			dst[i] = src[off+i*stride]
		}
	}
}

// gatherStridedPart writes into dst (contiguous, the plan's shape) part i
// of parts of the elements of src that plan operand 0 walks: a contiguous
// range of the result's rows (of its matrices, or bands of rows, for a
// transpose).
func gatherStridedPart[T Number](dst, src []T, p *WalkPlan, i, parts int) {
	n, stride := p.RowLen(), p.rowStride(0)
	if p.tiled() {
		transposeTiles(dst, src, p, i, parts)
		return
	}
	rows := p.Rows()
	var w rowWalk
	w.startRange(p, i*rows/parts, (i+1)*rows/parts)
	for w.next() {
		copyRow(dst[w.out:w.out+n], src, w.offs[0], stride)
	}
}

// tiled reports whether the plan's last two axes are a transpose (see
// transposeTiles).
func (p *WalkPlan) tiled() bool {
	r := len(p.shape)
	return r >= 2 && p.rowStride(0) > 1 && p.strides[0][r-2] == 1 && p.rowOffs[0] == nil
}

// transposeTiles is gatherStridedPart for a plan whose last two axes are a
// transpose: the next-to-last steps through src contiguously and the last
// by a stride. Walking row by row would read every element from a new
// cache line; tiles of tile×tile elements read and write whole lines.
// It does part i of parts: of the matrices the leading axes index, or of
// the bands of tile rows when there are fewer matrices than parts.
func transposeTiles[T Number](dst, src []T, p *WalkPlan, i, parts int) {
	const tile = 16
	r := len(p.shape)
	rowsA := p.shape[r-2]
	mats := p.Rows() / rowsA
	if mats >= parts {
		for o := i * mats / parts; o < (i+1)*mats/parts; o++ {
			transposeBand(dst, src, p, o, 0, rowsA, tile)
		}
		return
	}
	bands := (rowsA + tile - 1) / tile
	lo, hi := min(rowsA, i*bands/parts*tile), min(rowsA, (i+1)*bands/parts*tile)
	for o := range mats {
		transposeBand(dst, src, p, o, lo, hi, tile)
	}
}

// transposeBand writes rows [lo, hi) of matrix o of a tiled transpose.
func transposeBand[T Number](dst, src []T, p *WalkPlan, o, lo, hi, tile int) {
	r := len(p.shape)
	rowsA, cols, stride := p.shape[r-2], p.shape[r-1], p.strides[0][r-1]
	var w rowWalk
	w.startRange(p, o*rowsA, o*rowsA+1)
	w.next()
	base, out := w.offs[0], w.out
	for a0 := lo; a0 < hi; a0 += tile {
		for b0 := 0; b0 < cols; b0 += tile {
			b1 := min(cols, b0+tile)
			for a := a0; a < min(hi, a0+tile); a++ {
				d := dst[out+a*cols+b0 : out+a*cols+b1]
				for j := range d {
					d[j] = src[base+a+(b0+j)*stride]
				}
			}
		}
	}
}
