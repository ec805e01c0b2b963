package ir

import (
	"fmt"
	"slices"
)

// Memory planning places every instruction result of a function in one
// arena per dtype, at an element offset, so that values alive at the same
// time never overlap and values that are not share memory. The plan is
// computed here, once, for every backend: the memplan pass records it in
// the function (the PlanAttr attribute of each instruction), the
// interpreter's Runner runs over it, and generated code will allocate the
// same arenas and slice the same offsets.
//
// Lifetimes come from Lifetimes: a value lives from its instruction to its
// last reader, a function result to the end. An instruction's operands
// and results are live at once, so a result never shares memory with an
// operand, except in place: a result may take the whole buffer of an
// operand that dies at its instruction when CanShareBuffer allows it (an
// elementwise op whose kernel reads each element before writing it at the
// same index).

// PlanAttr is the attribute in which a memory plan is recorded:
// buf=[o0, o1, ...] on an instruction gives each of its results the
// element offset o_i in the arena of the result's dtype. A function has a
// plan when any instruction has the attribute; then every instruction has
// it. The arena of a dtype is as long as the furthest end of its values.
const PlanAttr = "buf"

// numDTypes bounds the DType values, for arrays indexed by dtype.
const numDTypes = int(U64) + 1

// A MemPlan places instruction results in arenas, one per dtype.
type MemPlan struct {
	offset map[*Value]int
	arena  [numDTypes]int // length in elements
}

// Offset returns v's element offset in the arena of its dtype, and
// whether v is placed in the arenas.
func (p *MemPlan) Offset(v *Value) (int, bool) {
	off, ok := p.offset[v]
	return off, ok
}

// ArenaLen returns the length in elements of the arena of dtype d (0 if
// no value of d is placed).
func (p *MemPlan) ArenaLen(d DType) int {
	if !d.Valid() {
		return 0
	}
	return p.arena[d]
}

// ArenaBytes returns the size in bytes of the arena of dtype d.
func (p *MemPlan) ArenaBytes(d DType) int64 { return int64(p.ArenaLen(d)) * int64(d.Size()) }

// Bytes returns the size in bytes of all arenas.
func (p *MemPlan) Bytes() int64 {
	var n int64
	for _, d := range dtypes() {
		n += p.ArenaBytes(d)
	}
	return n
}

// Len returns the number of values placed.
func (p *MemPlan) Len() int { return len(p.offset) }

// InPlace returns the index of the operand whose buffer the result of in
// takes, or -1 if the result has a buffer of its own. In a valid plan a
// result overlaps a live operand only then: it has the operand's offset,
// dtype and size.
func (p *MemPlan) InPlace(in *Instr) int {
	if len(in.Results) != 1 {
		return -1
	}
	r := in.Results[0]
	off, ok := p.offset[r]
	if !ok || r.Type.Shape.Size() == 0 {
		return -1
	}
	for j, a := range in.Args {
		if aoff, ok := p.offset[a]; ok && aoff == off && a.Type.DType == r.Type.DType {
			return j
		}
	}
	return -1
}

// dtypes returns the valid dtypes in order.
func dtypes() []DType { return []DType{F32, F64, I64, U64} }

// CanShareBuffer reports whether the result of in may take the buffer of
// its operand number j when that operand dies at in: the op is
// elementwise (one operand, or several with broadcasting) other than
// cast, or reshape, and the operand has the result's dtype and number of
// elements, so that it is read element i for element i of the result,
// never broadcast. The interpreter's kernels of these ops (and the Go that
// pf gen emits) compute each element from the operands' elements at the
// same index, reading them before writing it; a test in package runtime
// runs every such op in place and compares the bits. A reshape in place
// moves nothing: its result is its operand's elements, in the same order.
func CanShareBuffer(in *Instr, j int) bool {
	if in == nil || j < 0 || j >= len(in.Args) || len(in.Results) != 1 || in.Args[j] == nil || in.Results[0] == nil {
		return false
	}
	switch in.Op.Info().Class {
	case Elementwise, Broadcast:
	default:
		if in.Op != OpReshape {
			return false
		}
	}
	if in.Op == OpCast {
		return false
	}
	a, r := in.Args[j].Type, in.Results[0].Type
	na, okA := a.Shape.NumElements()
	nr, okR := r.Shape.NumElements()
	return okA && okR && a.DType == r.DType && na == nr
}

// PlanOptions configure PlanMemory.
type PlanOptions struct {
	// Outside holds values that are not placed in the arenas: the caller
	// gives them buffers of their own (the Runner does so for results it
	// feeds back into their inputs).
	Outside map[*Value]bool
	// NoInPlace gives every result a buffer of its own, never an
	// operand's.
	NoInPlace bool
}

// A planBuffer is a run of values that occupy one buffer one after the
// other: a value and, when results in place are merged into their
// operands' buffers, the results computed in place of it.
type planBuffer struct {
	dtype       DType
	size        int
	first, last int // body indices, both included
	// prefer is a buffer whose offset to take if it is free but for that
	// buffer (the operand a result would be computed in place of), or -1.
	prefer int
	offset int
	placed bool
}

// PlanMemory plans f's memory: it places each instruction result (but
// those in opts.Outside) in the arena of its dtype, buffers largest
// first, each at the lowest offset free over its lifetime (the
// greedy-by-size heuristic of memory planners such as TensorFlow
// Lite's). A result may be computed in place of an operand that dies at
// its instruction (CanShareBuffer). Sharing saves memory only at that
// instruction, and placing a long run of values as one buffer can pack
// worse, so PlanMemory tries three placements and keeps the smallest
// (the first of equals): runs of values in place merged into one buffer;
// every value on its own, taking its operand's offset where that is
// free; and nothing in place. In practice the result comes within a few
// percent of the peak of live memory (passes.PeakLiveBytes), in place
// values counted once. The plan depends on f alone.
//
// f's operands must be defined before their uses (as the verifier and
// the interpreter check).
func PlanMemory(f *Func, opts PlanOptions) *MemPlan {
	life := Lifetimes(f)
	shares := map[*Value]*Value{} // result → operand whose buffer it may take
	if !opts.NoInPlace {
		for i, in := range f.Body {
			if len(in.Results) == 1 && !opts.Outside[in.Results[0]] {
				if j := sharedOperand(in, i, life, opts.Outside); j >= 0 {
					shares[in.Results[0]] = in.Args[j]
				}
			}
		}
	}
	var best *MemPlan
	for _, how := range []placement{mergeInPlace, preferInPlace, noInPlace} {
		if how != noInPlace && len(shares) == 0 {
			continue
		}
		p := planWith(f, life, shares, opts.Outside, how)
		if best == nil || p.Bytes() < best.Bytes() {
			best = p
		}
	}
	return best
}

// A placement is a way to place results computed in place.
type placement uint8

const (
	mergeInPlace  placement = iota // a run of values in place is one buffer
	preferInPlace                  // a result takes its operand's offset if free
	noInPlace                      // every value has a buffer of its own
)

// planWith places f's results as how says.
func planWith(f *Func, life map[*Value]Lifetime, shares map[*Value]*Value, outside map[*Value]bool, how placement) *MemPlan {
	var bufs []planBuffer
	bufOf := map[*Value]int{}
	for _, in := range f.Body {
		for _, r := range in.Results {
			if outside[r] {
				continue
			}
			a, inPlace := shares[r]
			if inPlace && how == mergeInPlace {
				b := bufOf[a]
				bufOf[r] = b
				bufs[b].last = life[r].Last
				continue
			}
			prefer := -1
			if inPlace && how == preferInPlace {
				prefer = bufOf[a]
			}
			l := life[r]
			bufOf[r] = len(bufs)
			bufs = append(bufs, planBuffer{dtype: r.Type.DType, size: r.Type.Shape.Size(), first: l.First, last: l.Last, prefer: prefer})
		}
	}
	p := &MemPlan{offset: make(map[*Value]int, len(bufOf))}
	p.arena = placeBuffers(bufs)
	for v, b := range bufOf {
		p.offset[v] = bufs[b].offset
	}
	return p
}

// sharedOperand returns the operand of instruction i whose buffer its
// result may take, or -1: the first operand computed by an instruction
// (not a parameter), inside the arenas, that dies at i and that
// CanShareBuffer allows.
func sharedOperand(in *Instr, i int, life map[*Value]Lifetime, outside map[*Value]bool) int {
	if in.Results[0].Type.Shape.Size() == 0 {
		return -1
	}
	for j, a := range in.Args {
		if a.IsParam() || outside[a] {
			continue
		}
		if l, ok := life[a]; ok && l.Last == i && CanShareBuffer(in, j) {
			return j
		}
	}
	return -1
}

// placeBuffers gives each buffer an offset in the arena of its dtype so
// that buffers alive at the same time do not overlap, largest first, each
// at its preferred offset if that is free, else at the lowest offset
// free over its lifetime; it returns the arenas' lengths.
func placeBuffers(bufs []planBuffer) [numDTypes]int {
	order := make([]int, len(bufs))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return bufs[b].size - bufs[a].size })
	var arena [numDTypes]int
	var placed []int // buffers placed so far, by offset
	for _, v := range order {
		pv := &bufs[v]
		off, ok := preferredOffset(bufs, placed, v)
		if !ok {
			off = lowestFreeOffset(bufs, placed, v)
		}
		pv.offset, pv.placed = off, true
		arena[pv.dtype] = max(arena[pv.dtype], off+pv.size)
		i, _ := slices.BinarySearchFunc(placed, off, func(u, off int) int { return bufs[u].offset - off })
		placed = slices.Insert(placed, i, v)
	}
	return arena
}

// aliveWith reports whether buffers u and v are of one dtype and alive
// at once.
func (u *planBuffer) aliveWith(v *planBuffer) bool {
	return u.dtype == v.dtype && u.first <= v.last && v.first <= u.last
}

// lowestFreeOffset returns the lowest offset at which buffer v overlaps
// none of the placed buffers alive with it.
func lowestFreeOffset(bufs []planBuffer, placed []int, v int) int {
	pv := &bufs[v]
	off := 0
	for _, u := range placed { // by offset
		pu := &bufs[u]
		if !pu.aliveWith(pv) {
			continue
		}
		if pu.offset >= off+pv.size {
			break // v fits in the gap before u
		}
		off = max(off, pu.offset+pu.size)
	}
	return off
}

// preferredOffset returns the offset of the buffer v prefers, if that is
// placed and v placed there overlaps no other placed buffer alive with
// it.
func preferredOffset(bufs []planBuffer, placed []int, v int) (int, bool) {
	pv := &bufs[v]
	if pv.prefer < 0 || !bufs[pv.prefer].placed {
		return 0, false
	}
	off := bufs[pv.prefer].offset
	for _, u := range placed {
		pu := &bufs[u]
		if u != pv.prefer && pu.aliveWith(pv) && pu.offset < off+pv.size && off < pu.offset+pu.size {
			return 0, false
		}
	}
	return off, true
}

// HasPlan reports whether f records a memory plan (PlanAttr).
func HasPlan(f *Func) bool {
	for _, in := range f.Body {
		if in != nil {
			if _, ok := in.Attrs[PlanAttr]; ok {
				return true
			}
		}
	}
	return false
}

// RecordPlan writes p into f: the PlanAttr attribute of every
// instruction. Every instruction result must be placed.
func RecordPlan(f *Func, p *MemPlan) error {
	for _, in := range f.Body {
		offs := make([]int, len(in.Results))
		for i, r := range in.Results {
			off, ok := p.offset[r]
			if !ok {
				return fmt.Errorf("memory plan of @%s: %s is not placed", f.Name, r)
			}
			offs[i] = off
		}
		if in.Attrs == nil {
			in.Attrs = Attrs{}
		}
		in.Attrs[PlanAttr] = Ints(offs...)
	}
	return nil
}

// DropPlan removes a recorded memory plan from f, as a transformation
// that would invalidate it must.
func DropPlan(f *Func) {
	for _, in := range f.Body {
		if in == nil {
			continue
		}
		delete(in.Attrs, PlanAttr)
		if len(in.Attrs) == 0 {
			in.Attrs = nil
		}
	}
}

// RecordedPlan returns the memory plan recorded in f, or nil if f has
// none. It reports a plan that is malformed or unsafe (CheckPlan).
func RecordedPlan(f *Func) (*MemPlan, error) {
	if !HasPlan(f) {
		return nil, nil
	}
	p, errs := readPlan(f)
	if err := errs.Err(); err != nil {
		return nil, err
	}
	return p, nil
}

// CheckPlan checks the memory plan recorded in f, if any: every
// instruction gives one non-negative offset per result, and no two
// values alive at once overlap in an arena, except a result computed in
// place of an operand that dies at its instruction, where CanShareBuffer
// allows it, over exactly the operand's buffer. The verifier runs it.
func CheckPlan(f *Func) error { return planErrors(f).Err() }

// planErrors returns the errors of the plan recorded in f, if any.
func planErrors(f *Func) ErrorList {
	if !HasPlan(f) {
		return nil
	}
	_, errs := readPlan(f)
	return errs
}
