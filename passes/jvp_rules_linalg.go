package passes

import (
	"github.com/pushforward/pushforward/ir"
)

// Derivative rules of the linear-algebra ops. The conventions follow the
// op table: cholesky reads the lower triangle of its operand, and
// triangular_solve reads the triangle its lower attribute names.

// triangleMask emits an n×n constant that is 1 on the lower (or upper)
// triangle, diag on the diagonal and 0 elsewhere.
func triangleMask(e *ir.Writer, d ir.DType, n int, lower bool, diag float64) *ir.Value {
	vs := make([]float64, n*n)
	for i := range n {
		for j := range n {
			switch {
			case i == j:
				vs[i*n+j] = diag
			case (i > j) == lower:
				vs[i*n+j] = 1
			}
		}
	}
	return e.Emit(ir.OpConstant, nil, ir.Attrs{"value": ir.Floats(vs...)}, ir.TensorOf(d, n, n))[0]
}

// swapLast transposes the last two axes of x.
func swapLast(e *ir.Writer, x *ir.Value) *ir.Value {
	r := x.Type.Rank()
	perm := make([]int, r)
	for i := range perm {
		perm[i] = i
	}
	perm[r-2], perm[r-1] = r-1, r-2
	return transpose(e, x, perm)
}

type trsolveFlags struct{ lower, left, transA bool }

func trsolveAttrs(in *ir.Instr) trsolveFlags {
	lower, _ := in.BoolAttr("lower")
	left, _ := in.BoolAttr("left")
	ta, _ := in.BoolAttr("transpose_a")
	return trsolveFlags{lower, left, ta}
}

func (f trsolveFlags) attrs() ir.Attrs {
	a := ir.Attrs{}
	if !f.lower {
		a["lower"] = ir.Bool(false)
	}
	if !f.left {
		a["left"] = ir.Bool(false)
	}
	if f.transA {
		a["transpose_a"] = ir.Bool(true)
	}
	if len(a) == 0 {
		return nil
	}
	return a
}

func trsolve(e *ir.Writer, a, b *ir.Value, f trsolveFlags) *ir.Value {
	if a.Type.Rank() < b.Type.Rank() {
		a = broadcastTo(e, a, append(b.Type.Shape[:b.Type.Rank()-2:b.Type.Rank()-2].Clone(), a.Type.Shape[a.Type.Rank()-2:]...))
	}
	return emit1(e, ir.OpTriangularSolve, f.attrs(), a, b)
}

// triangularSolveJVP differentiates op(A) X = B (left) or X op(A) = B:
// op(A) dX = dB - op(dA) X, respectively dX op(A) = dB - X op(dA), where dA
// keeps only the triangle that the solve reads.
func triangularSolveJVP(e *ir.Writer, in *ir.Instr, ts []*ir.Value) ([]*ir.Value, error) {
	a, x := in.Args[0], in.Results[0]
	f := trsolveAttrs(in)
	T := tangentT(in, ts)
	rhs := align(e, ts[1], in.Args[1].Type.Rank(), x.Type.Rank(), T)
	if da := ts[0]; da != nil {
		n := a.Type.Shape[a.Type.Rank()-1]
		da = mul(e, da, triangleMask(e, a.Type.DType, n, f.lower, 1))
		var prod *ir.Value
		if f.left {
			prod = matmul(e, da, x, f.transA, false)
		} else {
			prod = matmul(e, x, da, false, f.transA)
		}
		prod = fit(e, prod, lift(x.Type, T))
		if rhs == nil {
			rhs = neg(e, prod)
		} else {
			rhs = sub(e, fit(e, rhs, lift(x.Type, T)), prod)
		}
	}
	return vals(trsolve(e, a, fit(e, rhs, lift(x.Type, T)), f)), nil
}

// triangularSolveTranspose: X = op(A)⁻¹ B is linear in B with transpose
// op(A)⁻ᵀ, another triangular solve (right-sided solves likewise).
func triangularSolveTranspose(e *ir.Writer, in *ir.Instr, cts []*ir.Value, linear []bool) ([]*ir.Value, error) {
	if linear[0] {
		return nil, errNonlinear(in.Op)
	}
	f := trsolveAttrs(in)
	f.transA = !f.transA
	return vals(nil, trsolve(e, in.Args[0], cts[0], f)), nil
}

// choleskyJVP: for A = L Lᵀ, dL = L Φ(L⁻¹ dA L⁻ᵀ) where Φ keeps the strict
// lower triangle and half the diagonal. The op factors the symmetric part
// (A + Aᵀ)/2 of its operand, so dA is symmetrised the same way.
func choleskyJVP(e *ir.Writer, in *ir.Instr, ts []*ir.Value) ([]*ir.Value, error) {
	da := ts[0]
	if da == nil {
		return nil, nil
	}
	l := in.Results[0]
	n := l.Type.Shape[l.Type.Rank()-1]
	d := l.Type.DType
	sym := scale(e, add(e, da, swapLast(e, da)), 0.5)
	x := trsolve(e, l, sym, trsolveFlags{lower: true, left: true})
	m := trsolve(e, l, x, trsolveFlags{lower: true, left: false, transA: true})
	phi := mul(e, m, triangleMask(e, d, n, true, 0.5))
	return vals(matmul(e, l, phi, false, false)), nil
}
