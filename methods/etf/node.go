package etf

import (
	"fmt"
	"math"

	"github.com/pushforward/pushforward/builder/nn"
	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/passes"
)

// The nearest-ETF node (nn.NearestETF) in the passes' registries: the
// Procrustes closed form of its forward (solver "etf"), the polar
// factor's derivative (rule "etf", the default with that solver), the
// reference's dense DDN derivative (rule "etf_ddn") and the ablation that
// drops the node's derivative ("etf_detached"). The node's operands are
// (H̄ [d,K], B [K,r], U_prox [d,r], first, δ) and its variable U [d,r];
// with c = 2/√(K−1), on the Stiefel manifold its objective is a constant
// minus ⟨U, A⟩ for
//
//	A = c·H̄·B + δ·(1 − first)·U_prox,
//
// so U* = polar(A) = A·(AᵀA)^{-1/2}.

func init() {
	passes.RegisterClosedForm(nn.ETFSolver, procrustes)
	passes.RegisterArgminRule(nn.ETFPolarRule, polarJVP)
	passes.RegisterArgminRule(nn.ETFDDNRule, ddnJVP)
	passes.RegisterArgminRule(nn.ETFDetachedRule, detachedJVP)
}

// node holds the operands of a nearest-ETF argmin in the function being
// built. Products with d×r matrices run in the variable's dtype (so an
// f32 step stays in f32 and in its memory); the r×r decompositions run in
// float64.
type node struct {
	e                 w
	dt                ir.DType // of the variable, and of the d×r work
	d, k, r           int
	hbar, basis, prox *ir.Value // in dt
	first, delta      *ir.Value // scalars in dt
	c                 float64   // 2/√(K−1)
	nullDirection     bool      // r = K: the fit alone leaves U·1/√K free
	u                 *ir.Value // the solution (rules only)
}

// newNode checks the operands (hbar, basis, prox, first, delta, and any
// warm starts after them) and converts them to the variable's dtype.
func newNode(e *ir.Writer, in *ir.Instr, ops []*ir.Value) (*node, error) {
	if len(ops) < 5 || len(in.Results) != 1 {
		return nil, fmt.Errorf("want the operands (H̄, B, U_prox, first, δ) and one variable U, got %d operands and %d variables", len(ops), len(in.Results))
	}
	hbar, basis, prox, first, delta := ops[0], ops[1], ops[2], ops[3], ops[4]
	ut := in.Results[0].Type
	n := &node{e: w{e}, dt: ut.DType}
	if hbar.Type.Rank() != 2 || ut.Rank() != 2 {
		return nil, fmt.Errorf("class means H̄ %s and variable U %s, want matrices [d,K] and [d,r]", hbar.Type, ut)
	}
	n.d, n.k, n.r = hbar.Type.Shape[0], hbar.Type.Shape[1], ut.Shape[1]
	switch {
	case n.k < 2 || (n.r != n.k && n.r != n.k-1) || ut.Shape[0] != n.d || n.d < n.r:
		return nil, fmt.Errorf("class means H̄ %s and variable U %s: want U [d,K] (d ≥ K) or [d,K−1] (d = K−1) for H̄ [d,K], K ≥ 2", hbar.Type, ut)
	case !basis.Type.Shape.Equal(ir.Shape{n.k, n.r}) || !prox.Type.Equal(ut) ||
		first.Type.Rank() != 0 || delta.Type.Rank() != 0 || !n.dt.IsFloat():
		return nil, fmt.Errorf("operands (%s, %s, %s, %s, %s), want (H̄ [d,K], B [K,r], U_prox like U %s, first and δ scalars)",
			hbar.Type, basis.Type, prox.Type, first.Type, delta.Type, ut)
	}
	n.c = 2 / math.Sqrt(float64(n.k-1))
	n.nullDirection = n.r == n.k
	dt := n.dt
	n.hbar, n.basis, n.prox = n.e.cast(hbar, dt), n.e.cast(basis, dt), n.e.cast(prox, dt)
	n.first, n.delta = n.e.cast(first, dt), n.e.cast(delta, dt)
	return n, nil
}

// fit emits c·H̄·B.
func (n *node) fit() *ir.Value {
	e := n.e
	return e.mul(e.matmul(n.hbar, n.basis, false, false), e.scalar(n.dt, n.c))
}

// proxWeight emits δ·(1 − first), the weight of U_prox in A.
func (n *node) proxWeight() *ir.Value {
	e := n.e
	return e.mul(n.delta, e.sub(e.scalar(n.dt, 1), n.first))
}

// invSqrtGram emits G^{-1/2} for the symmetric positive definite G [r,r]
// (float64) from its eigendecomposition, with the eigenvalues and vectors.
func (n *node) invSqrtGram(g *ir.Value) (inv, lambda, q *ir.Value) {
	e := n.e
	lambda, q = e.eigh(g)
	isq := e.div(e.scalar(ir.F64, 1), e.sqrt(lambda))
	return e.matmul(e.mul(q, e.reshape(isq, 1, n.r)), q, false, true), lambda, q
}

// procrustes is the closed form "etf": U* = A·(AᵀA)^{-1/2}, from one
// eigendecomposition of the r×r Gram matrix, formed in float64 (its
// eigenvalues are the squares of A's singular values, so their rounding
// grows as κ(A)²). In float64 the result is refined (refine) to the
// polar factor within about κ(A) roundings; in float32, κ(A)²·2⁻⁵³ is
// far below the result's own rounding and the product A·G^{-1/2} is
// taken in float32.
//
// On the first call (first = 1, r = K) A = c·H̄·M has the null vector
// q = 1/√K: the Gram matrix gets s·qqᵀ (s = tr(AᵀA)/K) to stay
// invertible, which gives the polar factor on A's range, and the free
// column U·q is the direction of the start eye(d, K)·q orthogonal to that
// range: the minimiser the reference's solver reaches from eye(d, K) in
// the limit of a vanishing proximal term.
func procrustes(we *ir.Writer, in *ir.Instr, ops []*ir.Value) ([]*ir.Value, error) {
	n, err := newNode(we, in, ops)
	if err != nil {
		return nil, err
	}
	e := n.e
	a := e.add(n.fit(), e.mul(n.proxWeight(), n.prox))
	a64 := e.cast(a, ir.F64)
	g := e.matmul(a64, a64, true, false)
	if n.nullDirection {
		k := n.k
		trace := e.div(e.sum(e.mul(g, e.eye(ir.F64, k))), e.scalar(ir.F64, float64(k)))
		g = e.add(g, e.mul(e.mul(e.cast(n.first, ir.F64), trace), e.full(ir.TensorOf(ir.F64, k, k), 1/float64(k))))
	}
	inv, lambda, q := n.invSqrtGram(g)
	var u *ir.Value
	if n.dt == ir.F64 {
		u = n.refine(e.matmul(a, inv, false, false), a, lambda, q)
	} else {
		u = e.matmul(a, e.cast(inv, n.dt), false, false)
	}
	if n.nullDirection {
		u = n.withFreeColumn(u)
	}
	return []*ir.Value{u}, we.Err()
}

// refine corrects U0 = A·G^{-1/2}, whose errors from the
// eigendecomposition of G = AᵀA grow with its condition number κ(A)², to
// the polar factor within about κ(A) roundings: a Newton–Schulz step
// U1 = U0·(3I − U0ᵀU0)/2 makes the columns orthonormal, and the rotation
// that remains, U = U1·(I + Ω), solves ΩS + SΩ = M − Mᵀ for M = U1ᵀA
// (symmetric at the polar factor) in the eigenbasis of G: the polar
// factor's own derivative, applied to an error of order κ²·ε. All in
// float64.
func (n *node) refine(u0, a, lambda, q *ir.Value) *ir.Value {
	e := n.e
	r := n.r
	gram := e.matmul(u0, u0, true, false)
	u1 := e.matmul(u0, e.mul(e.sub(e.mul(e.eye(ir.F64, r), e.scalar(ir.F64, 3)), gram), e.scalar(ir.F64, 0.5)), false, false)
	m := e.matmul(u1, a, true, false)
	return e.add(u1, e.matmul(u1, n.lyapunov(e.sub(m, e.swapLast(m)), e.sqrt(lambda), q), false, false))
}

// lyapunov emits Ω with ΩS + SΩ = k for S = Q·diag(σ)·Qᵀ:
// Ω = Q·[(Qᵀ·k·Q) ⊘ (σ_i + σ_j)]·Qᵀ, in float64.
func (n *node) lyapunov(k, sigma, q *ir.Value) *ir.Value {
	e := n.e
	inner := e.mul(e.matmul(e.matmul(q, k, true, false), q, false, false), n.pairRecip(sigma))
	return e.matmul(e.matmul(q, inner, false, false), q, false, true)
}

// pairRecip emits 1/(σ_i + σ_j) [r,r].
func (n *node) pairRecip(sigma *ir.Value) *ir.Value {
	e := n.e
	r := n.r
	return e.div(e.scalar(sigma.Type.DType, 1), e.add(e.reshape(sigma, r, 1), e.reshape(sigma, 1, r)))
}

// withFreeColumn returns v + first·u·qᵀ, with u the unit vector along
// (I − vvᵀ)·eye(d, K)·q: on the first call v [d,K] has rank K − 1 with
// v·q = 0, and U·q = u. On other calls the term is zero (u's norm is
// floored, so it stays finite).
func (n *node) withFreeColumn(v *ir.Value) *ir.Value {
	e := n.e
	d, k, dt := n.d, n.k, n.dt
	s := 1 / math.Sqrt(float64(k))
	e0q := make([]float64, d) // eye(d, K)·q
	for i := range k {
		e0q[i] = s
	}
	start := e.constant(ir.TensorOf(dt, d, 1), e0q)
	rest := e.sub(start, e.matmul(v, e.matmul(v, start, true, false), false, false))
	norm := e.op(ir.OpMaximum, nil, e.sqrt(e.sum(e.mul(rest, rest))), e.scalar(dt, 1e-30))
	unit := e.div(rest, norm)
	return e.add(v, e.mul(unit, e.mul(e.full(ir.TensorOf(dt, 1, k), s), n.first)))
}

// ruleA emits the A at which the derivative rules differentiate: on the
// first call the reference differentiates the proximal problem at its
// fixed point U_prox = U* (its solve from U* stays there), so
//
//	A = c·H̄·B + δ·((1 − first)·U_prox + first·U*).
func (n *node) ruleA() *ir.Value {
	e := n.e
	one := e.scalar(n.dt, 1)
	prev := e.add(e.mul(e.sub(one, n.first), n.prox), e.mul(n.first, n.u))
	return e.add(n.fit(), e.mul(n.delta, prev))
}

// dotA emits Ȧ = c·Ḣ·B + δ·(1 − first)·U̇_prox, or nil when neither
// operand has a tangent.
func (n *node) dotA(th, tp *ir.Value) *ir.Value {
	e := n.e
	var a *ir.Value
	if th != nil {
		a = e.mul(e.matmul(e.cast(th, n.dt), n.basis, false, false), e.scalar(n.dt, n.c))
	}
	if tp != nil {
		p := e.mul(e.cast(tp, n.dt), n.proxWeight())
		if a == nil {
			a = p
		} else {
			a = e.add(a, p)
		}
	}
	return a
}

// ruleNode prepares a derivative rule: the node's operands, its solution
// and Ȧ (nil when neither H̄ nor U_prox has a tangent). generic reports
// that another operand is perturbed, which the specialised rules leave to
// the generic implicit rule.
func ruleNode(we *ir.Writer, in *ir.Instr, ts []*ir.Value) (n *node, adot *ir.Value, generic bool, err error) {
	for i, t := range ts {
		if t != nil && i != 0 && i != 2 {
			return nil, nil, true, nil
		}
	}
	if n, err = newNode(we, in, in.Args); err != nil {
		return nil, nil, false, err
	}
	n.u = in.Results[0]
	var tp *ir.Value
	if len(ts) > 2 {
		tp = ts[2]
	}
	return n, n.dotA(ts[0], tp), false, nil
}

// polarJVP is the rule "etf", the derivative of the polar factor
// U = A·S⁻¹, S = (AᵀA)^{1/2} = QΣQᵀ:
//
//	U̇ = (I − UUᵀ)·Ȧ·S⁻¹ + U·Ω,   ΩS + SΩ = 2·skew(UᵀȦ),
//	Ω = Q·[(Qᵀ·(N − Nᵀ)·Q) ⊘ (σ_i + σ_j)]·Qᵀ,   N = UᵀȦ.
//
// The primal work is S = UᵀA, one r×r eigendecomposition (in float64: S's,
// as accurate as κ(A) allows, where AᵀA's would be as κ(A)²) and d×r
// products, O(dK² + K³); everything applied to the tangents is a product
// by a primal matrix, a transpose or a sum, so reverse mode, its
// transpose, costs the same and forms no KKT system.
func polarJVP(we *ir.Writer, in *ir.Instr, ts []*ir.Value) ([]*ir.Value, error) {
	n, adot, generic, err := ruleNode(we, in, ts)
	switch {
	case generic:
		return passes.ImplicitJVP(passes.RuleKrylov, we, in, ts)
	case err != nil || adot == nil:
		return nil, err
	}
	e := n.e
	s := e.cast(e.matmul(n.u, n.ruleA(), true, false), ir.F64)
	sigma, q := e.eigh(e.mul(e.add(s, e.swapLast(s)), e.scalar(ir.F64, 0.5)))
	sinv := e.matmul(e.div(q, e.reshape(sigma, 1, n.r)), q, false, true)
	qD, recipD, sinvD, u := e.cast(q, n.dt), e.cast(n.pairRecip(sigma), n.dt), e.cast(sinv, n.dt), n.u

	nmat := e.matmul(u, adot, true, false) // N = UᵀȦ
	skew2 := e.sub(nmat, e.swapLast(nmat))
	inner := e.mul(e.matmul(e.matmul(qD, skew2, true, false), qD, false, false), recipD)
	omega := e.matmul(e.matmul(qD, inner, false, false), qD, false, true)
	normal := e.matmul(e.sub(adot, e.matmul(u, nmat, false, false)), sinvD, false, false)
	udot := e.add(normal, e.matmul(u, omega, false, false))
	return []*ir.Value{udot}, we.Err()
}

// detachedJVP is the rule "etf_detached": no derivative, as if the
// node's result were a constant (the nearest-ETF paper's ablation
// without the DDN path).
func detachedJVP(*ir.Writer, *ir.Instr, []*ir.Value) ([]*ir.Value, error) { return nil, nil }
