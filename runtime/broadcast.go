package runtime

import "github.com/pushforward/pushforward/ir"

// Most data movement is one pattern: walk the output in row-major order and
// read each element from an offset of the source computed from per-axis
// strides. Broadcasting uses stride 0 on broadcast axes, transpose permutes
// the strides, slice adds a base offset, and reductions walk the input with
// the output's strides.

// walkOffsets returns, for each multi-index idx of shape in row-major
// order, base + Σ idx[d]·strides[d].
func walkOffsets(shape ir.Shape, strides []int, base int) []int {
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

// broadcastStrides returns the strides with which a row-major tensor of
// shape src is read when broadcast to shape dst: src's strides aligned at
// the last axis, 0 on axes src lacks or has as 1.
func broadcastStrides(src, dst ir.Shape) []int {
	strides := make([]int, len(dst))
	lead := len(dst) - len(src)
	for d, s := range src.Strides() {
		if src[d] != 1 {
			strides[lead+d] = s
		}
	}
	return strides
}

// broadcastOffsets returns for each element of shape dst the offset of the
// element of a shape-src tensor broadcast to it, or nil when src equals
// dst and the offsets are the identity (see at).
func broadcastOffsets(src, dst ir.Shape) []int {
	if src.Equal(dst) {
		return nil
	}
	return walkOffsets(dst, broadcastStrides(src, dst), 0)
}

// at returns offs[i], or i for the identity nil.
func at(offs []int, i int) int {
	if offs == nil {
		return i
	}
	return offs[i]
}

// take returns a tensor of type t whose element i is src's element
// offs[i] (offs nil meaning i).
func take(src *Tensor, offs []int, t ir.Type) *Tensor {
	out := Zeros(t)
	switch t.DType {
	case ir.F32:
		takeInto(out.F32, src.F32, offs)
	case ir.F64:
		takeInto(out.F64, src.F64, offs)
	case ir.I64:
		takeInto(out.I64, src.I64, offs)
	case ir.U64:
		takeInto(out.U64, src.U64, offs)
	}
	return out
}

func takeInto[T number](dst, src []T, offs []int) {
	if offs == nil {
		copy(dst, src)
		return
	}
	for i, o := range offs {
		dst[i] = src[o]
	}
}
