package ir

import (
	"fmt"
	"math"
	"slices"
)

// A planChecker reads the memory plan recorded in a function and checks
// it, collecting errors as the verifier does.
type planChecker struct {
	f    *Func
	p    *MemPlan
	errs ErrorList
}

func (c *planChecker) errorf(in *Instr, v *Value, format string, args ...any) {
	pos := in.Pos
	if v != nil && !pos.IsValid() {
		pos = v.Pos
	}
	name := instrName(in)
	if v != nil {
		name = v.String()
	}
	c.errs = append(c.errs, &Error{Pos: pos, Func: c.f.Name, Value: name, Op: in.Op, Msg: fmt.Sprintf(format, args...)})
}

// readPlan reads the plan recorded in f and checks it (see CheckPlan).
// It never panics, whatever f holds: values with malformed offsets or
// types are left out of the plan and reported.
func readPlan(f *Func) (*MemPlan, ErrorList) {
	c := &planChecker{f: f, p: &MemPlan{offset: map[*Value]int{}}}
	for _, in := range f.Body {
		if in != nil {
			c.readOffsets(in)
		}
	}
	if len(c.errs) == 0 && planWellFormed(f) {
		c.checkOverlaps()
	}
	return c.p, c.errs
}

// readOffsets reads the PlanAttr of one instruction and places its
// results.
func (c *planChecker) readOffsets(in *Instr) {
	attr, ok := in.Attrs[PlanAttr]
	if !ok {
		c.errorf(in, nil, "no %s=[...] offsets, which every instruction of a function with a memory plan has", PlanAttr)
		return
	}
	list, ok := attr.(List)
	if !ok || len(list) != len(in.Results) {
		c.errorf(in, nil, "%s=%s: want a list of %d offsets, one per result", PlanAttr, attr, len(in.Results))
		return
	}
	for i, r := range in.Results {
		n, isInt := list[i].(Int)
		if r == nil {
			continue // the verifier reports it
		}
		if !isInt || n < 0 || int64(int(n)) != int64(n) {
			c.errorf(in, r, "%s offset %s: want a non-negative integer (an element offset in the %s arena)", PlanAttr, list[i], r.Type.DType)
			continue
		}
		size, ok := r.Type.Shape.NumElements()
		if !ok || !r.Type.DType.Valid() {
			continue // an invalid type, which the verifier reports
		}
		if int64(n) > math.MaxInt-size || int64(n)+size > math.MaxInt64/int64(r.Type.DType.Size()) {
			c.errorf(in, r, "%s offset %d: the value's %d elements end beyond the largest arena", PlanAttr, n, size)
			continue
		}
		off := int(n)
		c.p.offset[r] = off
		c.p.arena[r.Type.DType] = max(c.p.arena[r.Type.DType], off+int(size))
	}
}

// planWellFormed reports whether f has no nil instructions, operands or
// results, so that liveness can be computed; the verifier reports those.
func planWellFormed(f *Func) bool {
	for _, in := range f.Body {
		if in == nil || slices.Contains(in.Args, nil) || slices.Contains(in.Results, nil) {
			return false
		}
	}
	return !slices.Contains(f.Results, nil)
}

// checkOverlaps sweeps the body in order, keeping the values alive, and
// checks each result against them: values alive at once may overlap only
// where a result takes the buffer of an operand in place.
func (c *planChecker) checkOverlaps() {
	life := Lifetimes(c.f)
	var live []*Value
	for i, in := range c.f.Body {
		live = slices.DeleteFunc(live, func(u *Value) bool { return life[u].Last < i })
		for _, r := range in.Results {
			if _, ok := c.p.offset[r]; !ok {
				continue
			}
			for _, u := range live {
				if !c.overlap(r, u) {
					continue
				}
				if msg := c.describeOverlap(in, i, r, u, life); msg != "" {
					c.errorf(in, r, "%s", msg)
				}
			}
			live = append(live, r)
		}
	}
}

// overlap reports whether u and v share memory under the plan: both are
// placed in the arena of one dtype at ranges that intersect (empty values
// occupy nothing).
func (c *planChecker) overlap(v, u *Value) bool {
	if v.Type.DType != u.Type.DType {
		return false
	}
	vo, vs := c.p.offset[v], v.Type.Shape.Size()
	uo, us := c.p.offset[u], u.Type.Shape.Size()
	return vs > 0 && us > 0 && vo < uo+us && uo < vo+vs
}

// describeOverlap says why result r of instruction i may not overlap u,
// or returns "" where r is computed in place of u and may.
func (c *planChecker) describeOverlap(in *Instr, i int, r, u *Value, life map[*Value]Lifetime) string {
	d := r.Type.DType
	where := fmt.Sprintf("%s [%d, %d) overlaps %s [%d, %d) in the %s arena", r, c.p.offset[r], c.p.offset[r]+r.Type.Shape.Size(),
		u, c.p.offset[u], c.p.offset[u]+u.Type.Shape.Size(), d)
	j := slices.Index(in.Args, u)
	switch {
	case j < 0 && u.Def == in:
		return where + ": results of one instruction are live at once"
	case j < 0:
		return fmt.Sprintf("%s, which is live until %s", where, lifeEnd(c.f, life[u].Last))
	case life[u].Last > i:
		return fmt.Sprintf("%s, an operand that is read again later (until %s): a result may take only the buffer of an operand that dies at its instruction", where, lifeEnd(c.f, life[u].Last))
	case c.p.offset[r] != c.p.offset[u] || r.Type.Shape.Size() != u.Type.Shape.Size():
		return where + ", an operand: a result computed in place takes the operand's whole buffer, at its offset"
	}
	for k, a := range in.Args {
		if a == u && CanShareBuffer(in, k) {
			return "" // in place
		}
	}
	return fmt.Sprintf("%s, an operand: %s cannot run in place (only elementwise ops other than cast, on an operand with the result's dtype and size)", where, in.Op)
}

// lifeEnd names body index i for messages: an instruction, or the
// function's return.
func lifeEnd(f *Func, i int) string {
	if i >= len(f.Body) {
		return "the return"
	}
	return "the definition of " + instrName(f.Body[i])
}
