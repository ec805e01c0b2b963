package passes

import (
	"slices"

	"github.com/pushforward/pushforward/ir"
)

// A fuseGraph is a function's instructions by index with their users.
type fuseGraph struct {
	f     *ir.Func
	index map[*ir.Instr]int
	// users[i] are the instructions using a result of instruction i, in
	// order, each once.
	users [][]int
	// escapes[i] says that a result of instruction i is a result of the
	// function or marked.
	escapes []bool
}

func newFuseGraph(f *ir.Func) *fuseGraph {
	g := &fuseGraph{f: f, index: map[*ir.Instr]int{}, users: make([][]int, len(f.Body)), escapes: make([]bool, len(f.Body))}
	for i, in := range f.Body {
		g.index[in] = i
	}
	for i, in := range f.Body {
		for _, a := range in.Args {
			if a.Def == nil {
				continue
			}
			d := g.index[a.Def]
			if u := g.users[d]; len(u) == 0 || u[len(u)-1] != i {
				g.users[d] = append(g.users[d], i)
			}
		}
	}
	escape := func(v *ir.Value) {
		if v != nil && v.Def != nil {
			g.escapes[g.index[v.Def]] = true
		}
	}
	for _, r := range f.Results {
		escape(r)
	}
	for _, v := range f.Marks {
		escape(v)
	}
	return g
}

// def returns the index of the instruction defining v, or -1 for a
// parameter.
func (g *fuseGraph) def(v *ir.Value) int {
	if v.Def == nil {
		return -1
	}
	return g.index[v.Def]
}

// chainable reports whether an instruction may join a chain: an op of the
// elementwise or broadcast class with one result that is not a scalar
// (scalar arithmetic, such as the counters of random streams, gains
// nothing from a loop).
func chainable(in *ir.Instr) bool {
	c := in.Op.Info().Class
	return (c == ir.Elementwise || c == ir.Broadcast) && len(in.Results) == 1 && in.Results[0].Type.Rank() > 0
}

// splatConst reports whether v is a constant the same in every element, which a
// body holds as a scalar constant: a full, or a constant of one element.
func splatConst(v *ir.Value) bool {
	if v.Def == nil {
		return false
	}
	switch v.Def.Op {
	case ir.OpFull:
		return true
	case ir.OpConstant:
		return v.Type.Shape.Size() == 1
	}
	return false
}

// fuseGroups are the chains found in a graph, as a union-find over
// instruction indices, with the products and reductions they take in.
type fuseGroups struct {
	g      *fuseGraph
	parent []int // -1 for instructions in no chain
	// product[root] is the matmul a chain takes in, reduction[root] the
	// reduction that folds it; taken marks the instructions so taken.
	product, reduction map[int]int
	taken              map[int]bool
}

func (gs *fuseGroups) find(i int) int {
	for gs.parent[i] != i {
		gs.parent[i] = gs.parent[gs.parent[i]]
		i = gs.parent[i]
	}
	return i
}

// members returns the instructions of the chain with root r, in order.
func (gs *fuseGroups) members(r int) []int {
	var ms []int
	for i := range gs.parent {
		if gs.parent[i] >= 0 && gs.find(i) == r {
			ms = append(ms, i)
		}
	}
	return ms
}

// chains groups the chainable instructions: each joins the chains of the
// operands it consumes whose results have its shape, where legal.
func (g *fuseGraph) chains() *fuseGroups {
	gs := &fuseGroups{g: g, parent: make([]int, len(g.f.Body)), product: map[int]int{}, reduction: map[int]int{}, taken: map[int]bool{}}
	for i := range gs.parent {
		gs.parent[i] = -1
	}
	for i, in := range g.f.Body {
		if !chainable(in) {
			continue
		}
		gs.parent[i] = i
		shape := in.Results[0].Type.Shape
		for _, a := range in.Args {
			d := g.def(a)
			if d < 0 || gs.parent[d] < 0 || !a.Type.Shape.Equal(shape) {
				continue
			}
			ra, rb := gs.find(d), gs.find(i)
			if ra == rb {
				continue
			}
			if unit := append(gs.members(ra), gs.members(rb)...); g.convex(unit) {
				gs.parent[ra] = rb
			}
		}
	}
	return gs
}

// convex reports whether the instructions unit (indices) can become one:
// no path leaves the unit and comes back into it through other
// instructions, which would make a cycle.
func (g *fuseGraph) convex(unit []int) bool {
	in := map[int]bool{}
	last := -1
	for _, i := range unit {
		in[i] = true
		last = max(last, i)
	}
	seen := map[int]bool{}
	var stack []int
	for _, i := range unit {
		for _, u := range g.users[i] {
			if !in[u] && !seen[u] {
				seen[u] = true
				stack = append(stack, u)
			}
		}
	}
	for len(stack) > 0 {
		x := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		// Instructions come in topological order: beyond the unit's last
		// one, nothing leads back into it.
		if x > last {
			continue
		}
		for _, u := range g.users[x] {
			if in[u] {
				return false
			}
			if !seen[u] {
				seen[u] = true
				stack = append(stack, u)
			}
		}
	}
	return true
}

// roots returns the roots of the chains, by their last instruction.
func (gs *fuseGroups) roots() []int {
	last := map[int]int{}
	for i := range gs.parent {
		if gs.parent[i] >= 0 {
			last[gs.find(i)] = i
		}
	}
	rs := make([]int, 0, len(last))
	for r := range last {
		rs = append(rs, r)
	}
	slices.SortFunc(rs, func(a, b int) int { return last[a] - last[b] })
	return rs
}

// unit returns a chain's instructions with what it takes in.
func (gs *fuseGroups) unit(r int) []int {
	ms := gs.members(r)
	if p, ok := gs.product[r]; ok {
		ms = append(ms, p)
	}
	if q, ok := gs.reduction[r]; ok {
		ms = append(ms, q)
	}
	slices.Sort(ms)
	return ms
}

// attachProducts gives each chain that reads a matmul's product of its
// own shape that matmul, as its epilogue (see Fuse for the choice).
func (gs *fuseGroups) attachProducts() {
	g := gs.g
	for _, r := range gs.roots() {
		ms := gs.members(r)
		shape := g.f.Body[ms[0]].Results[0].Type.Shape
		var cands []int
		for _, m := range ms {
			for _, a := range g.f.Body[m].Args {
				d := g.def(a)
				if d < 0 || gs.taken[d] || slices.Contains(cands, d) {
					continue
				}
				if mm := g.f.Body[d]; mm.Op == ir.OpMatmul && a.Type.Shape.Equal(shape) {
					cands = append(cands, d)
				}
			}
		}
		// Products only this chain reads first, then the later ones.
		private := func(d int) bool {
			for _, u := range g.users[d] {
				if gs.parent[u] < 0 || gs.find(u) != r {
					return false
				}
			}
			return !g.escapes[d]
		}
		slices.SortStableFunc(cands, func(a, b int) int {
			if pa, pb := private(a), private(b); pa != pb {
				if pa {
					return -1
				}
				return 1
			}
			return b - a
		})
		for _, d := range cands {
			if g.convex(append(slices.Clone(ms), d)) {
				gs.product[r] = d
				gs.taken[d] = true
				break
			}
		}
	}
}

// attachReductions folds into a reduction the chain whose one outside use
// is that reduction reading its value.
func (gs *fuseGroups) attachReductions() {
	g := gs.g
	for q, in := range g.f.Body {
		switch in.Op {
		case ir.OpReduceSum, ir.OpReduceMean, ir.OpReduceMax:
		default:
			continue
		}
		d := g.def(in.Args[0])
		if d < 0 || gs.parent[d] < 0 {
			continue
		}
		r := gs.find(d)
		if _, ok := gs.product[r]; ok {
			continue
		}
		if _, ok := gs.reduction[r]; ok {
			continue
		}
		ms := gs.members(r)
		if gs.outside(ms, r, q) {
			continue
		}
		if g.convex(append(slices.Clone(ms), q)) {
			gs.reduction[r] = q
			gs.taken[q] = true
		}
	}
}

// outside reports whether a value of the chain ms (root r) is used
// elsewhere than in the chain and by instruction q, or escapes.
func (gs *fuseGroups) outside(ms []int, r, q int) bool {
	for _, m := range ms {
		if gs.g.escapes[m] {
			return true
		}
		for _, u := range gs.g.users[m] {
			if u != q && (gs.parent[u] < 0 || gs.find(u) != r) {
				return true
			}
		}
	}
	return false
}
