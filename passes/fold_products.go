package passes

import (
	"github.com/pushforward/pushforward/ir"
)

// reassociateProducts takes chains of two matrix products in the cheaper
// order: (X·A)·B becomes X·(A·B) when X has many more rows than A and B
// have columns, so that the product of the small matrices replaces one of
// the two products with X. The guess pass makes such chains when it
// applies a segment and then its transpose to the same vectors: for a
// layer s' = W·relu(s), Aᵀ(A y) = D Wᵀ(W (D y)) with D the ReLU mask, whose
// middle becomes one product with WᵀW (for W̃⊥ at width 512, two products
// of 7680×512 by 512×512 become one and a 512×512 by 512×512). Only a
// product whose inner result is read by nothing else (reshapes that give
// it back its own shape aside) is rewritten, so no product is added. It
// runs at the end of Fold, over f's live instructions; the inner product
// is left to DCE.
func reassociateProducts(f *ir.Func) *ir.Func {
	uses := liveUses(f)
	// The inner product of each chain, found before any rewrite: in a
	// chain of three, ((X·A)·B)·C, the outer product's inner one is
	// rewritten first, and the outer is taken as (X·A)·(B·C).
	var rewrite map[*ir.Instr]*ir.Instr
	for _, in := range f.Body {
		if inner, ok := reassociable(in, uses); ok {
			if rewrite == nil {
				rewrite = map[*ir.Instr]*ir.Instr{}
			}
			rewrite[in] = inner
		}
	}
	if rewrite == nil {
		return f
	}
	g := &ir.Func{Name: f.Name}
	e := ir.NewWriter(g, ir.NewNamer(f))
	repl := map[*ir.Value]*ir.Value{}
	for _, in := range f.Body {
		for i, a := range in.Args {
			if r, ok := repl[a]; ok {
				in.Args[i] = r
			}
		}
		if inner, ok := rewrite[in]; ok {
			e.At(in.Pos)
			ta1, _ := inner.BoolAttr("transpose_a")
			tb1, _ := inner.BoolAttr("transpose_b")
			tb2, _ := in.BoolAttr("transpose_b")
			ab := matmul(e, inner.Args[1], in.Args[1], tb1, tb2)
			repl[in.Results[0]] = matmul(e, inner.Args[0], ab, ta1, false)
			continue
		}
		g.Body = append(g.Body, in)
	}
	f.Body = g.Body
	replaceResults(f, repl)
	return f
}

// reassociable reports whether in is the outer product of a chain
// matmul(matmul(X, A), B) of matrices that X·(A·B) computes with fewer
// multiply-adds (by a tenth at least), and returns the inner product.
func reassociable(in *ir.Instr, uses map[*ir.Value]int) (*ir.Instr, bool) {
	if in.Op != ir.OpMatmul || in.Args[0].Type.Rank() != 2 || in.Args[1].Type.Rank() != 2 {
		return nil, false
	}
	if ta, _ := in.BoolAttr("transpose_a"); ta {
		return nil, false
	}
	// The left operand: the inner product's result, perhaps through
	// reshapes that each have no other reader and end at its shape.
	v := in.Args[0]
	for v.Def != nil && v.Def.Op == ir.OpReshape && uses[v] == 1 {
		v = v.Def.Args[0]
	}
	inner := v.Def
	if inner == nil || inner.Op != ir.OpMatmul || uses[v] != 1 || !v.Type.Equal(in.Args[0].Type) ||
		inner.Args[0].Type.Rank() != 2 || inner.Args[1].Type.Rank() != 2 {
		return nil, false
	}
	m, n1 := float64(v.Type.Shape[0]), float64(v.Type.Shape[1])
	n2 := float64(in.Results[0].Type.Shape[1])
	k := float64(inner.Args[1].Type.Shape[0])
	if tb1, _ := inner.BoolAttr("transpose_b"); tb1 {
		k = float64(inner.Args[1].Type.Shape[1])
	}
	before, after := m*k*n1+m*n1*n2, k*n1*n2+m*k*n2
	return inner, after < 0.9*before
}

// liveUses counts the reads of each value by the live instructions of f,
// its results and its marks.
func liveUses(f *ir.Func) map[*ir.Value]int {
	live := map[*ir.Value]bool{}
	uses := map[*ir.Value]int{}
	for _, r := range f.Results {
		live[r] = true
		uses[r]++
	}
	for _, m := range f.Marks {
		live[m] = true
		uses[m]++
	}
	for i := len(f.Body) - 1; i >= 0; i-- {
		in := f.Body[i]
		keep := false
		for _, r := range in.Results {
			keep = keep || live[r]
		}
		if !keep {
			continue
		}
		for _, a := range in.Args {
			live[a] = true
			uses[a]++
		}
	}
	return uses
}
