package ir

import "slices"

// A Buffer is memory to place in its dtype's arena: Size elements, live
// over the body indices of Life (both ends included), as Lifetimes gives
// them.
type Buffer struct {
	DType DType
	Size  int
	Life  Lifetime
}

// PlanArenas places buffers in one arena per dtype so that buffers alive
// at the same time do not overlap. It returns each buffer's offset, in
// elements, in the order of bufs, and the length of each dtype's arena.
//
// It places the largest buffers first, each at the lowest offset free over
// its lifetime (the greedy-by-size heuristic of memory planners such as
// TensorFlow Lite's), which in practice comes within a few percent of the
// live-set peak. The plan depends on its input alone, so the interpreter's
// Runner and generated code, which both plan with it, lay out the same
// values at the same offsets.
func PlanArenas(bufs []Buffer) (offsets []int, lengths map[DType]int) {
	order := make([]int, len(bufs))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return bufs[b].Size - bufs[a].Size })
	offsets = make([]int, len(bufs))
	lengths = map[DType]int{}
	var placed []int // buffers placed so far, by offset
	for _, v := range order {
		bv := &bufs[v]
		// The placed buffers of the same dtype alive with v, by offset.
		off := 0
		for _, u := range placed {
			bu := &bufs[u]
			if bu.DType != bv.DType || bu.Life.Last < bv.Life.First || bv.Life.Last < bu.Life.First {
				continue
			}
			if offsets[u] >= off+bv.Size {
				break // v fits in the gap before u
			}
			off = max(off, offsets[u]+bu.Size)
		}
		offsets[v] = off
		lengths[bv.DType] = max(lengths[bv.DType], off+bv.Size)
		i, _ := slices.BinarySearchFunc(placed, off, func(u, off int) int { return offsets[u] - off })
		placed = slices.Insert(placed, i, v)
	}
	return offsets, lengths
}
