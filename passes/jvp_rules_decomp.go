package passes

import (
	"github.com/pushforward/pushforward/ir"
)

// JVP rules of the matrix decompositions qr, svd and eigh.
//
// The conventions are those of the op table and the runtime kernels:
// qr is the reduced factorisation with diag(r) ≥ 0, svd the thin one with
// the singular values descending, eigh factors the symmetric part
// (a + aᵀ)/2 with the eigenvalues ascending. The sign rules of svd and eigh
// fix the sign of each column by its entry of largest magnitude, which is
// locally constant, so away from ties the factors are smooth functions of
// the operand and their derivatives are the usual ones: every column of
// dU, dV is orthogonal to its own column (a normalised column stays
// normalised), the ordering of the spectrum does not change.
//
// Every formula is applied to the trailing two axes, so batch axes
// [..., m, n] and a leading tangent axis broadcast against the primal
// factors. Code on tangents is linear: products with primal factors,
// triangular solves with the primal R, masks and divisions by primal
// values; the coefficient matrices F are built from primal values only.
//
// The rules assume what makes the decompositions differentiable: qr an
// operand whose leading min(m, n) columns are independent, svd distinct
// non-zero singular values, eigh distinct eigenvalues.

// qrJVP differentiates the reduced QR factorisation A = QR of an m×n
// operand: Q m×k with orthonormal columns, R k×n upper triangular with a
// positive diagonal, k = min(m, n). For a tall or square operand (m ≥ n)
// see qrTallJVP. For a wide one (m < n), write A = [X | Y] with X the
// leading m×m block. The factorisation works on X alone, X = Q R_X, and
// R = [R_X | R_Y] with R_Y = Qᵀ Y: Q and R_X are the square case's (so
// X must be of full rank), and differentiating R_Y = Qᵀ Y gives
//
//	dR_Y = dQᵀ Y + Qᵀ dY
//
// so dA = [dQ R_X + Q dR_X | dQ R_Y + Q dR_Y]: the second block is
// dQ R_Y + Q dQᵀ Y + QQᵀ dY = dY, because QQᵀ = I (Q is square) and
// Q dQᵀ Y = −dQ Qᵀ Y = −dQ R_Y (QᵀdQ is skew, hence so is dQ Qᵀ).
func qrJVP(e *ir.Writer, in *ir.Instr, ts []*ir.Value) ([]*ir.Value, error) {
	da := ts[0]
	if da == nil {
		return nil, nil
	}
	a, q, r := in.Args[0], in.Results[0], in.Results[1]
	m, n := matrixDims(a)
	T := tangentT(in, ts)
	if m >= n {
		dq, dr := qrTallJVP(e, q, r, da, T)
		return vals(dq, dr), nil
	}
	rx, y := sliceCols(e, r, 0, m), sliceCols(e, a, m, n)
	dx, dy := sliceCols(e, da, 0, m), sliceCols(e, da, m, n)
	dq, drx := qrTallJVP(e, q, rx, dx, T)
	dry := add(e, tangentMatmul(e, dq, y, true, false, true, T), tangentMatmul(e, q, dy, true, false, false, T))
	dr := emit1(e, ir.OpConcat, ir.Attrs{"axis": ir.Int(drx.Type.Rank() - 1)}, drx, dry)
	return vals(dq, dr), nil
}

// qrTallJVP gives the tangents of the factors of A = QR for an m×n
// operand with m ≥ n (Q m×n with orthonormal columns, R n×n upper with a
// positive diagonal) along dA. With
//
//	X  = Qᵀ dA R⁻¹                       (n×n)
//	Ω  = tril(X, −1) − tril(X, −1)ᵀ      (skew-symmetric)
//
// the tangents are
//
//	dQ = dA R⁻¹ + Q (Ω − X)  =  (I − QQᵀ) dA R⁻¹ + Q Ω
//	dR = (X − Ω) R
//
// X − Ω = triu(X) + tril(X, −1)ᵀ is upper triangular, so dR is; QᵀdQ = Ω
// is skew, so Q keeps orthonormal columns; and dQ R + Q dR = dA. This is
// the forward rule of S. F. Walter, L. Lehmann and R. Lamour, "On
// evaluating higher-order derivatives of the QR decomposition of tall
// matrices with full column rank in forward and reverse mode algorithmic
// differentiation", Optim. Methods Softw. 27(2), 2012 (also JAX's
// qr_jvp_rule).
func qrTallJVP(e *ir.Writer, q, r, da *ir.Value, T int) (dq, dr *ir.Value) {
	n := r.Type.Shape[r.Type.Rank()-1]
	daRinv := rightUpperSolve(e, r, da, T)                  // dA R⁻¹, m×n
	x := tangentMatmul(e, q, daRinv, true, false, false, T) // Qᵀ dA R⁻¹, n×n
	low := mul(e, x, matrixConst(e, q.Type.DType, n, func(i, j int) float64 { return b2f(i > j) }))
	omega := sub(e, low, swapLast(e, low))
	dq = add(e, daRinv, tangentMatmul(e, q, sub(e, omega, x), false, false, false, T))
	dr = tangentMatmul(e, sub(e, x, omega), r, false, false, true, T)
	return dq, dr
}

// svdJVP differentiates the thin SVD A = U diag(s) Vᵀ of an m×n operand,
// k = min(m, n), U m×k, V n×k, s distinct and non-zero. With S = diag(s),
//
//	dP   = Uᵀ dA V                        (k×k)
//	F_ij = 1/(s_j² − s_i²) for i ≠ j, F_ii = 0
//
// the tangents are
//
//	ds = diag(dP)
//	dU = U (F ∘ (dP S + S dPᵀ)) + (I − UUᵀ) dA V S⁻¹
//	dV = V (F ∘ (S dP + dPᵀ S)) + (I − VVᵀ) dAᵀ U S⁻¹
//
// The first terms follow from dP = Ω_U S + dS − S Ω_V with the skew
// matrices Ω_U = UᵀdU, Ω_V = VᵀdV: off the diagonal (dP S + S dPᵀ)_ij =
// (s_j² − s_i²) (Ω_U)_ij and (S dP + dPᵀ S)_ij = (s_j² − s_i²) (Ω_V)_ij.
// The second terms, the components outside the column spaces, vanish
// unless m > k (for dU) or n > k (for dV); there (I − UUᵀ) dA V = dA V −
// U dP and (I − VVᵀ) dAᵀ U = dAᵀ U − V dPᵀ. See J. Townsend,
// "Differentiating the singular value decomposition", 2016, and
// M. Giles, "An extended collection of matrix derivative results for
// forward and reverse mode algorithmic differentiation", 2008 (also JAX's
// svd_jvp_rule, which this matches for real operands).
func svdJVP(e *ir.Writer, in *ir.Instr, ts []*ir.Value) ([]*ir.Value, error) {
	da := ts[0]
	if da == nil {
		return nil, nil
	}
	a, u, s, v := in.Args[0], in.Results[0], in.Results[1], in.Results[2]
	m, n := matrixDims(a)
	k := min(m, n)
	T := tangentT(in, ts)

	// dP = Uᵀ dA V, through whichever of dA V (m×k) and dAᵀ U (n×k) the
	// projection term needs.
	var daV, daTU, dp *ir.Value
	if m >= n {
		daV = tangentMatmul(e, da, v, false, false, true, T)
		dp = tangentMatmul(e, u, daV, true, false, false, T)
	} else {
		daTU = tangentMatmul(e, da, u, true, false, true, T)
		dp = swapLast(e, tangentMatmul(e, v, daTU, true, false, false, T))
	}
	ds := diagPart(e, dp, k)

	sRow := reshape(e, s, append(batchOf(s, 1), 1, k)) // s_j along the columns
	sCol := reshape(e, s, append(batchOf(s, 1), k, 1)) // s_i along the rows
	f := offDiagInverse(e, mul(e, sub(e, sRow, sCol), add(e, sRow, sCol)), k)

	dpS := mul(e, dp, sRow) // dP S
	sdP := mul(e, sCol, dp) // S dP
	du := tangentMatmul(e, u, mul(e, f, add(e, dpS, swapLast(e, dpS))), false, false, false, T)
	dv := tangentMatmul(e, v, mul(e, f, add(e, sdP, swapLast(e, sdP))), false, false, false, T)
	if m > k {
		perp := sub(e, daV, tangentMatmul(e, u, dp, false, false, false, T))
		du = add(e, du, div(e, perp, sRow))
	}
	if n > k {
		perp := sub(e, daTU, tangentMatmul(e, v, swapLast(e, dp), false, false, false, T))
		dv = add(e, dv, div(e, perp, sRow))
	}
	return vals(du, ds, dv), nil
}

// eighJVP differentiates the eigendecomposition A_s = V diag(w) Vᵀ of the
// symmetric part A_s = (A + Aᵀ)/2 of the n×n operand, w distinct. With
//
//	P    = Vᵀ dA_s V,  dA_s = (dA + dAᵀ)/2  (P = (M + Mᵀ)/2 for M = Vᵀ dA V)
//	F_ij = 1/(w_j − w_i) for i ≠ j, F_ii = 0
//
// the tangents are
//
//	dw = diag(P)
//	dV = V (F ∘ P)
//
// (M. Giles, "An extended collection of matrix derivative results for
// forward and reverse mode algorithmic differentiation", 2008, §3.1).
func eighJVP(e *ir.Writer, in *ir.Instr, ts []*ir.Value) ([]*ir.Value, error) {
	da := ts[0]
	if da == nil {
		return nil, nil
	}
	a, w, v := in.Args[0], in.Results[0], in.Results[1]
	_, n := matrixDims(a)
	T := tangentT(in, ts)

	daV := tangentMatmul(e, da, v, false, false, true, T)
	mv := tangentMatmul(e, v, daV, true, false, false, T) // Vᵀ dA V
	p := scale(e, add(e, mv, swapLast(e, mv)), 0.5)
	dw := diagPart(e, p, n)

	wRow := reshape(e, w, append(batchOf(w, 1), 1, n)) // w_j along the columns
	wCol := reshape(e, w, append(batchOf(w, 1), n, 1)) // w_i along the rows
	f := offDiagInverse(e, sub(e, wRow, wCol), n)
	dv := tangentMatmul(e, v, mul(e, f, p), false, false, false, T)
	return vals(dw, dv), nil
}

// matrixDims returns the trailing two dimensions of x.
func matrixDims(x *ir.Value) (m, n int) {
	s := x.Type.Shape
	return s[len(s)-2], s[len(s)-1]
}

// batchOf returns a copy of x's shape without its last inner axes.
func batchOf(x *ir.Value, inner int) ir.Shape {
	s := x.Type.Shape
	return s[:len(s)-inner].Clone()
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// matrixConst emits the n×n constant with entries f(i, j).
func matrixConst(e *ir.Writer, d ir.DType, n int, f func(i, j int) float64) *ir.Value {
	vs := make([]float64, n*n)
	for i := range n {
		for j := range n {
			vs[i*n+j] = f(i, j)
		}
	}
	return e.Emit(ir.OpConstant, nil, ir.Attrs{"value": ir.Floats(vs...)}, ir.TensorOf(d, n, n))[0]
}

// diagPart returns the diagonals of the trailing n×n matrices of x (a
// linear map: a product with the identity and a sum over the last axis).
func diagPart(e *ir.Writer, x *ir.Value, n int) *ir.Value {
	eye := matrixConst(e, x.Type.DType, n, func(i, j int) float64 { return b2f(i == j) })
	return reduceSum(e, mul(e, x, eye), []int{x.Type.Rank() - 1}, false)
}

// offDiagInverse returns F with F_ij = 1/g_ij off the diagonal and 0 on
// it, for primal gaps g [..., n, n] (whose diagonal is zero): the identity
// is added to the denominator so that the diagonal divides 0 by 1.
func offDiagInverse(e *ir.Writer, g *ir.Value, n int) *ir.Value {
	d := g.Type.DType
	eye := matrixConst(e, d, n, func(i, j int) float64 { return b2f(i == j) })
	off := matrixConst(e, d, n, func(i, j int) float64 { return b2f(i != j) })
	return div(e, off, add(e, g, eye))
}

// tangentMatmul emits op(a) op(b) where one operand, a if aTangent and b
// otherwise, is a tangent (with the tangent axis when T > 0) and the other
// is a primal factor with the same batch axes. With many tangents and no
// batch axes the tangent axis is folded into one GEMM where it can be
// (leftTangentProduct, rightTangentProduct).
func tangentMatmul(e *ir.Writer, a, b *ir.Value, ta, tb, aTangent bool, T int) *ir.Value {
	tan := b
	if aTangent {
		tan = a
	}
	rows, cols := matrixDims(a)
	if ta {
		rows = cols
	}
	bRows, bCols := matrixDims(b)
	if tb {
		bCols = bRows
	}
	want := tan.Type.WithShape(append(batchOf(tan, 2), rows, bCols))
	if aTangent {
		return leftTangentProduct(e, a, b, ta, tb, T, want)
	}
	return rightTangentProduct(e, a, b, ta, tb, T, want)
}

// rightUpperSolve emits B R⁻¹ for a tangent B [T?, ..., m, n] and the
// primal upper-triangular R [..., n, n]. Without batch axes the rows of
// the T tangents form one [T·m, n] solve.
func rightUpperSolve(e *ir.Writer, r, b *ir.Value, T int) *ir.Value {
	f := trsolveFlags{lower: false, left: false}
	if T > 0 && r.Type.Rank() == 2 {
		s := b.Type.Shape
		rows := reshape(e, b, ir.Shape{s[0] * s[1], s[2]})
		return reshape(e, trsolve(e, r, rows, f), s)
	}
	return trsolve(e, r, b, f)
}
