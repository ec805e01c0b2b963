package passes

import (
	"fmt"
	"slices"

	"github.com/pushforward/pushforward/ir"
)

// Stiefel constraints. A constraint function is recognised as the Stiefel
// constraint of variable X [n,k] when it returns
//
//	sub(matmul(X, X, transpose_a), I)   or   sub(I, matmul(X, X, transpose_a))
//
// with I a k×k identity constant, or the upper triangle of that (as the
// pass leaves it: reshape to k², then gather of the k(k+1)/2 positions
// i ≤ j). That is how builder.Stiefel writes it, and how IR text spells
// XᵀX = I. The residual is symmetric, so the pass keeps only its upper
// triangle: with the full k×k residual, the constraint Jacobian
// V ↦ XᵀV + VᵀX would have rank k(k+1)/2 < k², and the KKT system of the
// implicit derivative and of sqp would be singular.

// recogniseStiefel rewrites the Stiefel constraints of a's region to their
// upper triangle and records their variables in the attribute stiefel.
func recogniseStiefel(in *ir.Instr, a *ir.ArgminRegion) error {
	k := len(in.Results)
	var found []int
	for i, c := range a.Constraints {
		j, full, ok := stiefelVariable(c, k)
		if !ok {
			continue
		}
		if slices.Contains(found, j) {
			return fmt.Errorf("constraints @%s and another both constrain %s to the Stiefel manifold", c.Name, c.Params[j])
		}
		found = append(found, j)
		if full {
			a.Constraints[i] = upperTriangle(c)
		}
	}
	declared, ok, err := in.Attrs.IntList("stiefel")
	if err != nil {
		return err
	}
	if ok {
		for _, j := range declared {
			if !slices.Contains(found, j) {
				return fmt.Errorf("stiefel lists variable %d, but no constraint is its Stiefel constraint XᵀX − I", j)
			}
		}
	}
	if len(found) == 0 {
		return nil
	}
	slices.Sort(found)
	setAttr(in, "stiefel", ir.Ints(found...))
	return nil
}

// stiefelVariable reports whether c is the Stiefel constraint of one of
// its first k parameters, which it returns with whether c returns the
// full k×k residual (rather than its upper triangle).
func stiefelVariable(c *ir.Func, k int) (j int, full, ok bool) {
	if len(c.Results) != 1 || c.Results[0].Def == nil {
		return 0, false, false
	}
	r := c.Results[0]
	full = true
	if g := r.Def; g.Op == ir.OpGather && g.Args[0].Def != nil && g.Args[0].Def.Op == ir.OpReshape {
		if !isUpperTriangleIndex(g.Args[1], g.Args[0].Def.Args[0].Type) {
			return 0, false, false
		}
		r, full = g.Args[0].Def.Args[0], false
	}
	d := r.Def
	if d == nil || d.Op != ir.OpSub {
		return 0, false, false
	}
	gram, eye := d.Args[0], d.Args[1]
	if !isGram(gram) {
		gram, eye = eye, gram
	}
	if !isGram(gram) || !isIdentity(eye) || !eye.Type.Equal(gram.Type) {
		return 0, false, false
	}
	x := gram.Def.Args[0]
	if !x.IsParam() || x.Index >= k || x.Index >= len(c.Params) || c.Params[x.Index] != x {
		return 0, false, false
	}
	return x.Index, full, true
}

// isGram reports whether v = matmul(X, X, transpose_a) for a rank-2 X.
func isGram(v *ir.Value) bool {
	d := v.Def
	if d == nil || d.Op != ir.OpMatmul || d.Args[0] != d.Args[1] || d.Args[0].Type.Rank() != 2 {
		return false
	}
	ta, _ := d.Attrs.Bool("transpose_a", false)
	tb, _ := d.Attrs.Bool("transpose_b", false)
	return ta && !tb
}

// isIdentity reports whether v is a constant identity matrix.
func isIdentity(v *ir.Value) bool {
	d := v.Def
	if d == nil || d.Op != ir.OpConstant || v.Type.Rank() != 2 || v.Type.Shape[0] != v.Type.Shape[1] {
		return false
	}
	xs, err := ir.FlattenNumbers(d.Attrs["value"])
	n := v.Type.Shape[0]
	if err != nil || len(xs) != n*n {
		return false
	}
	for i, x := range xs {
		if want := b2f(i/n == i%n); x != want {
			return false
		}
	}
	return true
}

// upperTriangleIndex lists the row-major positions (i, j), i ≤ j, of a
// k×k matrix.
func upperTriangleIndex(k int) []int {
	idx := make([]int, 0, k*(k+1)/2)
	for i := range k {
		for j := i; j < k; j++ {
			idx = append(idx, i*k+j)
		}
	}
	return idx
}

// isUpperTriangleIndex reports whether v is the constant upperTriangleIndex
// of the square matrix type t.
func isUpperTriangleIndex(v *ir.Value, t ir.Type) bool {
	d := v.Def
	if d == nil || d.Op != ir.OpConstant || t.Rank() != 2 || t.Shape[0] != t.Shape[1] {
		return false
	}
	xs, err := ir.FlattenNumbers(d.Attrs["value"])
	want := upperTriangleIndex(t.Shape[0])
	if err != nil || len(xs) != len(want) {
		return false
	}
	for i, x := range xs {
		if x != float64(want[i]) {
			return false
		}
	}
	return true
}

// upperTriangle returns a copy of the constraint c (returning a k×k
// residual) that returns the residual's upper triangle, k(k+1)/2 entries.
func upperTriangle(c *ir.Func) *ir.Func {
	u := c.Clone()
	r := u.Results[0]
	k := r.Type.Shape[0]
	e := ir.NewWriter(u, nil).At(c.Pos)
	flat := reshape(e, r, ir.Shape{k * k})
	idx := upperTriangleIndex(k)
	pos := e.Emit(ir.OpConstant, nil, ir.Attrs{"value": ir.Ints(idx...)}, ir.TensorOf(ir.I64, len(idx)))[0]
	upper := e.Named(r.Name+".upper").Emit(ir.OpGather, vals(flat, pos), nil)[0]
	u.Results = []*ir.Value{upper}
	return u
}
