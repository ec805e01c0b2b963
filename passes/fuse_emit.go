package passes

import (
	"container/heap"
	"fmt"
	"slices"

	"github.com/pushforward/pushforward/ir"
)

// A fuseUnit is what the new function gets in place of some instructions
// of the old: one instruction copied, or a fused op made from a chain.
type fuseUnit struct {
	instrs []int // in order
	root   int   // the chain's root, or -1 for a copied instruction
}

// last is the unit's last instruction, where the unit goes.
func (u *fuseUnit) last() int { return u.instrs[len(u.instrs)-1] }

// units returns the units: a fused op per chain of two or more
// instructions (counting what it takes in), a copy of every other
// instruction.
func (gs *fuseGroups) units() []*fuseUnit {
	var us []*fuseUnit
	inUnit := map[int]bool{}
	for _, r := range gs.roots() {
		ins := gs.unit(r)
		if len(ins) < 2 {
			continue
		}
		us = append(us, &fuseUnit{instrs: ins, root: r})
		for _, i := range ins {
			inUnit[i] = true
		}
	}
	for i := range gs.g.f.Body {
		if !inUnit[i] {
			us = append(us, &fuseUnit{instrs: []int{i}, root: -1})
		}
	}
	return us
}

// order sorts the units topologically, each as early as its place (its
// last instruction) and its dependencies allow: the old order where it
// holds, a fused op where its last instruction was.
func (gs *fuseGroups) order(us []*fuseUnit) []*fuseUnit {
	f := gs.g.f
	unitOf := make([]int, len(f.Body))
	for k, u := range us {
		for _, i := range u.instrs {
			unitOf[i] = k
		}
	}
	deps := make([]int, len(us))
	next := make([][]int, len(us))
	for k, u := range us {
		seen := map[int]bool{}
		for _, i := range u.instrs {
			for _, a := range f.Body[i].Args {
				d := gs.g.def(a)
				if d < 0 || unitOf[d] == k || seen[unitOf[d]] {
					continue
				}
				seen[unitOf[d]] = true
				deps[k]++
				next[unitOf[d]] = append(next[unitOf[d]], k)
			}
		}
	}
	ready := &unitHeap{units: us}
	for k := range us {
		if deps[k] == 0 {
			heap.Push(ready, k)
		}
	}
	var out []*fuseUnit
	for ready.Len() > 0 {
		k := heap.Pop(ready).(int)
		out = append(out, us[k])
		for _, n := range next[k] {
			if deps[n]--; deps[n] == 0 {
				heap.Push(ready, n)
			}
		}
	}
	return out
}

// A unitHeap holds indices of units, the one with the earliest place on
// top.
type unitHeap struct {
	units []*fuseUnit
	ks    []int
}

func (h *unitHeap) Len() int           { return len(h.ks) }
func (h *unitHeap) Less(i, j int) bool { return h.units[h.ks[i]].last() < h.units[h.ks[j]].last() }
func (h *unitHeap) Swap(i, j int)      { h.ks[i], h.ks[j] = h.ks[j], h.ks[i] }
func (h *unitHeap) Push(x any)         { h.ks = append(h.ks, x.(int)) }
func (h *unitHeap) Pop() any {
	k := h.ks[len(h.ks)-1]
	h.ks = h.ks[:len(h.ks)-1]
	return k
}

// withParams returns a new function with f's name, position and
// parameters, the map from f's parameters to the new ones, and a writer
// to it whose new values take f's names where they are free.
func withParams(f *ir.Func) (*ir.Func, map[*ir.Value]*ir.Value, *ir.Writer) {
	g := ir.NewFunc(f.Name)
	g.Pos = f.Pos
	m := map[*ir.Value]*ir.Value{}
	for _, p := range f.Params {
		q := g.AddParam(p.Name, p.Type, p.Role)
		q.Pos = p.Pos
		m[p] = q
	}
	return g, m, ir.NewWriter(g, nil)
}

// replaceResults points f's results and marks that repl maps at their
// replacements.
func replaceResults(f *ir.Func, repl map[*ir.Value]*ir.Value) {
	for i, r := range f.Results {
		if n, ok := repl[r]; ok {
			f.Results[i] = n
		}
	}
	for k, v := range f.Marks {
		if n, ok := repl[v]; ok {
			f.Marks[k] = n
		}
	}
}

// emit builds the new function.
func (gs *fuseGroups) emit() (*ir.Func, error) {
	f := gs.g.f
	out, m, w := withParams(f)
	out.Comments = f.Comments
	units := gs.units()
	us := gs.order(units)
	if len(us) != len(units) {
		return nil, fmt.Errorf("internal error: the fused units form a cycle")
	}
	inlined := map[*ir.Instr]bool{} // splat constants bodies took in
	for _, u := range us {
		if u.root < 0 {
			in := f.Body[u.instrs[0]]
			args := make([]*ir.Value, len(in.Args))
			for i, a := range in.Args {
				args[i] = m[a]
			}
			c := w.Copy(in, args)
			c.Comments = in.Comments
			for i, r := range in.Results {
				m[r] = c.Results[i]
			}
			continue
		}
		if err := gs.fuseUnit(w, u, m, inlined); err != nil {
			return nil, err
		}
	}
	for _, r := range f.Results {
		out.Results = append(out.Results, m[r])
	}
	out.ReturnComments = f.ReturnComments
	if f.Marks != nil {
		out.Marks = map[string]*ir.Value{}
		for k, v := range f.Marks {
			out.Marks[k] = m[v]
		}
	}
	dropInlined(out, inlined, m)
	return out, nil
}

// dropInlined removes the copies of the splat constants bodies took in
// that nothing reads any more.
func dropInlined(out *ir.Func, inlined map[*ir.Instr]bool, m map[*ir.Value]*ir.Value) {
	copies := map[*ir.Instr]bool{}
	for in := range inlined {
		copies[m[in.Results[0]].Def] = true
	}
	used := map[*ir.Value]bool{}
	for _, in := range out.Body {
		for _, a := range in.Args {
			used[a] = true
		}
	}
	for _, r := range out.Results {
		used[r] = true
	}
	for _, v := range out.Marks {
		used[v] = true
	}
	out.Body = slices.DeleteFunc(out.Body, func(in *ir.Instr) bool { return copies[in] && !used[in.Results[0]] })
}

// fuseUnit appends the fused op of chain unit u to out, mapping the values
// the chain defines that are read elsewhere to its results.
func (gs *fuseGroups) fuseUnit(w *ir.Writer, u *fuseUnit, m map[*ir.Value]*ir.Value, inlined map[*ir.Instr]bool) error {
	f := gs.g.f
	inUnit := map[int]bool{}
	for _, i := range u.instrs {
		inUnit[i] = true
	}
	prod, hasProd := gs.product[u.root]
	red, hasRed := gs.reduction[u.root]
	body := ir.NewFunc("body")
	bv := map[*ir.Value]*ir.Value{} // old value -> body value
	var operands []*ir.Value        // old values
	attrs := ir.Attrs{"kind": ir.String(ir.FusedElementwise)}
	if hasProd {
		mm := f.Body[prod]
		attrs["kind"] = ir.String(ir.FusedMatmul)
		for _, k := range []string{"transpose_a", "transpose_b"} {
			if t, _ := mm.BoolAttr(k); t {
				attrs[k] = ir.Bool(true)
			}
		}
		operands = append(operands, mm.Args...)
		p := mm.Results[0]
		bv[p] = body.AddParam(p.Name, ir.Scalar(p.Type.DType), ir.Data)
	}
	var consts []*ir.Instr
	for _, i := range u.instrs {
		if i == prod && hasProd || i == red && hasRed {
			continue
		}
		for _, a := range f.Body[i].Args {
			if _, ok := bv[a]; ok {
				continue
			}
			if d := gs.g.def(a); d >= 0 && inUnit[d] {
				continue
			}
			if splatConst(a) {
				inlined[a.Def] = true
				consts = append(consts, a.Def)
				bv[a] = nil // made below, before the chain's ops
				continue
			}
			operands = append(operands, a)
			bv[a] = body.AddParam(a.Name, ir.Scalar(a.Type.DType), ir.Data)
		}
	}
	for _, c := range consts {
		v := c.Results[0]
		value := c.Attrs["value"]
		if leaves, err := ir.NumberLeaves(value); err == nil && len(leaves) == 1 {
			value = leaves[0]
		}
		bv[v] = body.Append(ir.OpFull, nil, ir.Attrs{"value": value}, []ir.Type{ir.Scalar(v.Type.DType)}, []string{v.Name}).Results[0]
	}
	for _, i := range u.instrs {
		in := f.Body[i]
		if i == prod && hasProd || i == red && hasRed {
			continue
		}
		args := make([]*ir.Value, len(in.Args))
		for j, a := range in.Args {
			args[j] = bv[a]
		}
		r := in.Results[0]
		c := body.Append(in.Op, args, in.Attrs.Clone(), []ir.Type{ir.Scalar(r.Type.DType)}, []string{r.Name})
		c.Pos = in.Pos
		bv[r] = c.Results[0]
	}

	// Results: the product first, if read elsewhere; then the chain's
	// values read elsewhere, in order; for a reduction, its operand.
	var results []*ir.Value // old values
	readElsewhere := func(i int) bool {
		if gs.g.escapes[i] {
			return true
		}
		for _, x := range gs.g.users[i] {
			if !inUnit[x] {
				return true
			}
		}
		return false
	}
	if hasProd && readElsewhere(prod) {
		results = append(results, f.Body[prod].Results[0])
	}
	for _, i := range u.instrs {
		if i == red && hasRed || i == prod && hasProd || !readElsewhere(i) {
			continue
		}
		results = append(results, f.Body[i].Results[0])
	}
	var types []ir.Type
	var names []string
	if hasRed {
		rin := f.Body[red]
		attrs["kind"] = ir.String(ir.FusedReduce)
		attrs["reduce"] = ir.String(ir.FusedReduceName(rin.Op))
		for _, k := range []string{"axes", "keepdims"} {
			if v, ok := rin.Attrs[k]; ok {
				attrs[k] = v
			}
		}
		body.Results = []*ir.Value{bv[rin.Args[0]]}
		results = []*ir.Value{rin.Results[0]}
	} else {
		for _, r := range results {
			body.Results = append(body.Results, bv[r])
		}
	}
	for _, r := range results {
		types = append(types, r.Type)
		names = append(names, w.Names().Fresh(r.Name))
	}
	args := make([]*ir.Value, len(operands))
	for i, a := range operands {
		args[i] = m[a]
	}
	in := w.Func().Append(ir.OpFused, args, attrs, types, names)
	in.Region = &ir.Region{Funcs: []*ir.Func{body}}
	in.Pos = f.Body[u.last()].Pos
	for i, r := range results {
		in.Results[i].Pos = r.Pos
		m[r] = in.Results[i]
	}
	if _, err := ir.AnalyzeFused(in.ArgTypes(), in.Attrs, in.ResultTypes()); err != nil {
		return fmt.Errorf("internal error: fusing %s: %w", instrNames(f.Body[u.last()]), err)
	}
	return nil
}
