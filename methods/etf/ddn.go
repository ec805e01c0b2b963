package etf

import (
	"fmt"

	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/passes"
)

// ddnLimit bounds the elements of each of the dense DDN rule's two p×dr
// matrices (A_h and T): 2²⁶ float64s, 512 MiB apiece.
const ddnLimit = 1 << 26

// ddnJVP is the rule "etf_ddn": the reference's backward (the DDN
// equality-constrained implicit function theorem, Gould et al. 2021),
// written as the JVP whose transpose it is. With the Lagrangian's Hessian
// H_L = I_d ⊗ B_K, B_K = (2/(K−1))·BᵀB + δI − Σ, Σ = sym(UᵀG(U)) (the
// multipliers), the constraint Jacobian A_h: V ↦ vech(UᵀV + VᵀU) as a
// dense p×dr matrix (p = r(r+1)/2) and the right-hand side
// b = −c·Ḣ·B − δ·(1 − first)·U̇_prox,
//
//	w = H_L⁻¹ b,   T = H_L⁻¹ A_hᵀ,   U̇ = −w + T·(A_h T)⁻¹·A_h w,
//
// by d block solves with B_K's Cholesky factor and a Cholesky factor of
// the p×p matrix A_h T. Its cost is the reference's: O(p²·dr) time and two
// p×dr matrices (at K = 100, d = 2048 about 10⁹ elements each), so it
// refuses problems beyond ddnLimit. Everything is float64.
func ddnJVP(we *ir.Writer, in *ir.Instr, ts []*ir.Value) ([]*ir.Value, error) {
	n, adot, generic, err := ruleNode(we, in, ts)
	switch {
	case generic:
		return passes.ImplicitJVP(passes.RuleKrylov, we, in, ts)
	case err != nil || adot == nil:
		return nil, err
	}
	d, r, dt := n.d, n.r, n.dt
	p := r * (r + 1) / 2
	if p*d*r > ddnLimit {
		return nil, fmt.Errorf("the dense DDN rule forms A_h and T of %d×%d elements each (%.1f GiB in float64) for d = %d, r = %d; it accepts at most %d elements: use the polar rule %q",
			p, d*r, float64(p*d*r)*8/(1<<30), d, r, ddnLimit, "etf")
	}
	e := n.e
	n = n.inF64()
	adot = e.cast(adot, ir.F64)
	bk := n.lagrangianBlock()
	l := e.cholesky(bk)
	invB := e.trsolve(l, e.trsolve(l, e.eye(ir.F64, r), true, false), true, true) // B_K⁻¹
	ah := n.constraintJacobian()                                                  // [p, d·r]
	t := e.reshape(e.matmul(invB, e.reshape(e.swapLast(ah), d, r, p), false, false), d*r, p)
	ls := e.cholesky(e.matmul(ah, t, false, false)) // A_h T = Ls Lsᵀ

	// Rows are right-hand sides: b [rows, d, r] with rows = T or 1.
	rows := 1
	if adot.Type.Rank() == 3 {
		rows = adot.Type.Shape[0]
	}
	b := e.neg(e.reshape(adot, rows, d, r))
	wv := e.reshape(e.matmul(b, invB, false, false), rows, d*r) // H_L⁻¹ b
	y := e.matmul(wv, ah, false, true)                          // (A_h w)ᵀ
	x := e.trsolve(ls, e.trsolve(ls, y, false, true), false, false)
	udot := e.sub(e.matmul(x, t, false, true), wv)
	out := e.cast(e.reshape(udot, adot.Type.Shape...), dt)
	return []*ir.Value{out}, we.Err()
}

// inF64 returns a copy of n whose operands and solution are in float64.
func (n *node) inF64() *node {
	c := *n
	e := n.e
	c.dt = ir.F64
	c.hbar, c.basis, c.prox = e.cast(n.hbar, ir.F64), e.cast(n.basis, ir.F64), e.cast(n.prox, ir.F64)
	c.first, c.delta, c.u = e.cast(n.first, ir.F64), e.cast(n.delta, ir.F64), e.cast(n.u, ir.F64)
	return &c
}

// lagrangianBlock emits B_K = (2/(K−1))·BᵀB + δI − sym(UᵀG) at the
// solution, G = (2/(K−1))·U·BᵀB − c·H̄·B + δ·(U − U_prox') the objective's
// gradient, U_prox' the prox point of ruleA.
func (n *node) lagrangianBlock() *ir.Value {
	e := n.e
	kk := 2 / float64(n.k-1)
	btb := e.mul(e.matmul(n.basis, n.basis, true, false), e.scalar(ir.F64, kk))
	a := n.ruleA() // c·H̄·B + δ·U_prox'
	g := e.sub(e.add(e.matmul(n.u, btb, false, false), e.mul(n.delta, n.u)), a)
	ug := e.matmul(n.u, g, true, false)
	sym := e.mul(e.add(ug, e.swapLast(ug)), e.scalar(ir.F64, 0.5))
	return e.sub(e.add(btb, e.mul(n.delta, e.eye(ir.F64, n.r))), sym)
}

// constraintJacobian emits A_h [p, d·r], row (i, j), i ≤ j, column
// (a, l) (row-major): U[a,i]·δ_jl + U[a,j]·δ_il, the derivative of the
// upper triangle of UᵀU − I.
func (n *node) constraintJacobian() *ir.Value {
	e := n.e
	d, r := n.d, n.r
	z := e.mul(e.reshape(e.swapLast(n.u), r, 1, d, 1), e.reshape(e.eye(ir.F64, r), 1, r, 1, r)) // U[a,i]·δ_jl
	z = e.reshape(e.add(z, e.transpose(z, 1, 0, 2, 3)), r*r, d*r)
	var idx []int
	for i := range r {
		for j := i; j < r; j++ {
			idx = append(idx, i*r+j)
		}
	}
	rs := e.Emit(ir.OpConstant, nil, ir.Attrs{"value": ir.Ints(idx...)}, ir.TensorOf(ir.I64, len(idx)))
	if rs == nil {
		return nil
	}
	return e.gather(z, rs[0])
}
