package kernels

import (
	"runtime"
	"sync/atomic"
)

// A sharedPacking is the state of an operand that every compute task of a
// product uses and that the tasks pack themselves: each k-block of it is
// cut into parts, one per thread, and the first task to need a part packs
// it while the others use it when it is ready. Tasks that run at the same
// time start with different parts, so they pack side by side, and each
// then computes with the part it has just packed, hot in cache. Nothing
// waits for a packing phase before the tasks (on two Zen 4 threads, f64
// 1024³ +4 to +10% and 256³ to 512³ +7 to +26%, f32 +2 to +23%, in medians
// of interleaved rounds against packing B whole first).
type sharedPacking struct {
	parts int            // parts per k-block; 0: not shared
	chunk int            // panels per part
	state []atomic.Int32 // per k-block and part: partFree, partPacking, partPacked
	// The states live in inline when they fit, else in grown: a call
	// object from the free list may meet a shape larger than any it had,
	// and a Runner's steps must not allocate then (running beside other
	// goroutines, the W̃⊥ step did, 4 objects in 20 steps).
	inline [64]atomic.Int32
	grown  []atomic.Int32
}

// The states of a part.
const (
	partFree    = iota // no task has started packing it
	partPacking        // a running task is packing it
	partPacked         // ready
)

// reset prepares the packing of panels panels in kBlocks k-blocks, in
// parts parts each (at most one per panel), all free; parts 0 turns it
// off. It allocates only for more than len(inline) states, when they grow.
func (s *sharedPacking) reset(kBlocks, panels, parts int) {
	if parts == 0 || panels == 0 {
		s.parts, s.chunk, s.state = 0, 0, s.state[:0]
		return
	}
	s.chunk = ceilDiv(panels, parts)
	s.parts = ceilDiv(panels, s.chunk)
	n := kBlocks * s.parts
	switch {
	case n <= len(s.inline):
		s.state = s.inline[:n]
	case cap(s.grown) < n:
		s.grown = make([]atomic.Int32, n) // all partFree
		s.state = s.grown
		return
	default:
		s.state = s.grown[:n]
	}
	for i := range s.state {
		s.state[i].Store(partFree)
	}
}

// partsOr1 is the number of parts to loop over: 1 when the operand is
// not shared (the loop then covers the task's own panels).
func (s *sharedPacking) partsOr1() int { return max(1, s.parts) }

// sharedPanels makes sure that part q of k-block kb (depths p0 to
// p0+kcb) of A (isA) or B is packed, packing it if no task has started
// to and waiting for the task that has otherwise, and returns the part's
// panels [q0, q1). The wait is for a task that is running (it took the
// part), so it ends: ParallelN never queues a task behind a busy one.
func (gc *gemmCall[T]) sharedPanels(s *sharedPacking, isA bool, kb, q, p0, kcb int) (q0, q1 int) {
	panels := gc.np
	if isA {
		panels = gc.mp
	}
	q0, q1 = q*s.chunk, min(panels, (q+1)*s.chunk)
	state := &s.state[kb*s.parts+q]
	if state.Load() == partPacked {
		return q0, q1
	}
	if state.CompareAndSwap(partFree, partPacking) {
		if isA {
			mr := gc.blk.mr
			gc.packA(gc.ap[p0*gc.mp*mr+q0*kcb*mr:], q0, q1, p0, kcb)
		} else {
			nr := gc.blk.nr
			gc.packBlock(gc.bp[p0*gc.np*nr+q0*kcb*nr:], gc.b, gc.ldb, !gc.tB, gc.n, nr, q0, q1, p0, kcb)
		}
		state.Store(partPacked)
		return q0, q1
	}
	for spins := 0; state.Load() != partPacked; spins++ {
		if spins%64 == 63 {
			runtime.Gosched()
		}
	}
	return q0, q1
}
