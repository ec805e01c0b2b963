package passes

import (
	"github.com/pushforward/pushforward/ir"
)

// W̃⊥ without per-example SVDs. The top-k right singular vectors of the
// segment's Jacobian A_b (d2×d) span the top of A_bᵀA_b, which a block
// Krylov method finds from a warm start R (P = k + oversample rows in the
// segment's output space, shared by the batch). Per step and hidden layer,
// with q = Iters:
//
//	Y_0 = A_bᵀ R,  F_j = A_b Y_j,  Y_{j+1} = A_bᵀ F_j      (j = 0..q)
//	K_b = [Y_0, …, Y_q]  (n = P(q+1) vectors, all in the row space of A_b)
//	Rayleigh–Ritz on span(K_b) with the Gram matrices K_bK_bᵀ and F_bF_bᵀ
//	V_k = the top k Ritz vectors, re-orthonormalised
//	y_b = V_k z_b,  z_b ~ N(0, I_k)
//	R ← orth(mean_b F_q)                                  (the next warm start)
//
// Starting in the output space keeps every vector in the row space of A_b
// (for ReLU: on the active units), where V_k lies. Rayleigh–Ritz over the
// whole Krylov space, not only its last block as in subspace iteration,
// converges fast when the spectrum is flat, as it is at initialisation.
// The blocks are not orthonormalised as they are made: the Rayleigh–Ritz
// step takes the span through the Gram matrix K_bK_bᵀ (scaled to a unit
// diagonal, then factored by a shifted Cholesky that damps the directions
// below a dtype tolerance), so it needs no per-example QR of d×n blocks,
// only a Cholesky factor and an eigendecomposition of n×n matrices.
//
// Cost per step, with B examples and a d2×d linear segment: 2(q+1)
// applications of the map or its transpose to P vectors, 2·B·d·d2·P FLOPs
// each, except the first, to the basis R that every example shares, which
// fold takes once (2·P·d·d2). For a layer s' = W relu(s), fold also takes
// A_bᵀ(A_b Y) = D_b Wᵀ(W D_b Y) as one product with WᵀW (2·B·d²·P, and
// 2·d²·d2 for WᵀW), so each of the q applications of A_bᵀA_b costs one
// product instead of two; F_0 … F_{q−1} are then never formed. The Gram
// matrices cost 2·B·(n²·d + P²·d2) (the images' Gram matrix is the
// blocks' own but for its last block, imagesGram); V_k, 2·B·d·n·k; two
// Newton–Schulz steps, 4·B·d·k²; and per example a Cholesky factor, a
// triangular inverse and an eigendecomposition of n×n matrices (≈ 10n³).
// For the paper's MLP at width 512 (d = d2 = 512, B = 512, P = 15, q = 1,
// n = 30): 2 × 4.0 = 8 GFLOP of GEMM in the applications and 0.27 for
// WᵀW, 0.53 GFLOP for the Gram matrices, 0.16 for V_k and 0.1 for
// Newton–Schulz per hidden layer, against ≈ 140 GFLOP for per-example
// SVDs of the dense d2×d Jacobians. A layer whose segment has d2 ≤ k
// outputs (the last hidden layer: 10 classes) has its whole row space as
// V_k and takes rowSpaceGuess's projector, with no warm start.

// layerName names a layer's state and inputs: after its pre-activation,
// or after its weight when the pre-activation is a numbered value.
func layerName(l Layer) string {
	if c := l.Pre.Name[0]; '0' <= c && c <= '9' {
		return l.Weight.Name
	}
	return l.Pre.Name
}

// BasisShape returns the shape of wperp's warm start for a layer whose
// next segment has out outputs: [P, out] with P = K + Oversample, capped
// at out.
func (o GuessOptions) BasisShape(out int) ir.Shape {
	o.defaults()
	return ir.Shape{min(o.K+o.Oversample, out), out}
}

func (gb *guessBuilder) subspaceGuess(i int) (*ir.Value, error) {
	e := gb.r.e
	l, next := gb.layers[i], gb.layers[i+1]
	B, d2 := next.Pre.Type.Shape[0], next.Pre.Type.Shape[1]
	r, ok := gb.state[i]
	if !ok {
		// k ≥ d2 ≥ rank: V_k spans the whole row space, and V_k z has the
		// distribution of the projection of N(0, I) onto it.
		return gb.rowSpaceGuess(l, next)
	}
	p := r.Type.Shape[0]
	steps := gb.opts.Iters
	if p >= d2 {
		steps = 0 // R spans the output space: Y_0 spans the row space
	}
	f := broadcastTo(e, reshape(e, r, ir.Shape{p, 1, d2}), ir.Shape{p, B, d2})
	var ys, fs []*ir.Value
	for range steps + 1 {
		y, err := gb.applySegment(l, next, f, false) // [P, B, d]
		if err != nil {
			return nil, err
		}
		if f, err = gb.applySegment(l, next, y, true); err != nil { // [P, B, d2]
			return nil, err
		}
		ys, fs = append(ys, y), append(fs, f)
	}
	mean := emit1(e, ir.OpReduceMean, ir.Attrs{"axes": ir.Ints(1)}, f) // [P, d2]
	gb.newState = append(gb.newState, orthRows(e, mean))
	kb, fq := perExample(e, ys), perExample(e, fs[steps:]) // [B, n, d], [B, P, d2]
	c := topRitz(e, kb, fq, min(gb.opts.K, kb.Type.Shape[1]))
	vk := matmul(e, kb, c, true, false) // [B, d, k]
	return gb.combine(l, orthColumns(e, vk)), nil
}

// rowSpaceGuess emits W̃⊥ with k = rank without an SVD: y_b = P_b z_b with
// z_b ~ N(0, I_d) and P_b the orthogonal projector onto the row space of
// A_b, which has the distribution of V_r z' for the r right singular
// vectors of non-zero singular values. The rows of Y = A_b applied to the
// identity of the output space span that row space; with D scaling them
// to unit length and L Lᵀ = D Y Yᵀ D + δI, P_b ≈ Yᵀ D (L Lᵀ)⁻¹ D Y, where
// the shift δ drops the directions whose singular values are below about
// √δ of the row norms (rounding). Cost per step: the segment's transpose
// on d2 vectors (2·B·d·d2² FLOPs for a linear one), a d2×d2 Gram matrix
// and Cholesky factor per example.
func (gb *guessBuilder) rowSpaceGuess(l, next Layer) (*ir.Value, error) {
	e, T := gb.r.e, gb.r.T
	dt := l.Pre.Type.DType
	B, d, d2 := l.Pre.Type.Shape[0], l.Pre.Type.Shape[1], next.Pre.Type.Shape[1]
	eye := identity(e, dt, d2)
	y, err := gb.applySegment(l, next, broadcastTo(e, reshape(e, eye, ir.Shape{d2, 1, d2}), ir.Shape{d2, B, d2}), false) // [d2, B, d]
	if err != nil {
		return nil, err
	}
	k := transpose(e, y, []int{1, 0, 2}) // [B, d2, d]
	m := matmul(e, k, k, false, true)
	dinv := column(e, rsqrtFloor(e, reduceSum(e, mul(e, m, eye), []int{2}, false), tiny(dt))) // [B, d2, 1]
	scaled := mul(e, mul(e, m, dinv), transpose(e, dinv, []int{0, 2, 1}))
	lch := emit1(e, ir.OpCholesky, nil, add(e, scaled, scale(e, eye, gramShift(dt))))
	z := gb.normal(ir.TensorOf(dt, B, d, max(T, 1)), gb.streamOf(l.Pre))
	u := emit1(e, ir.OpTriangularSolve, nil, lch, mul(e, matmul(e, k, z, false, false), dinv)) // L⁻¹ D Y z
	u = emit1(e, ir.OpTriangularSolve, ir.Attrs{"transpose_a": ir.Bool(true)}, lch, u)         // (L Lᵀ)⁻¹ D Y z
	return fromColumns(e, matmul(e, k, mul(e, u, dinv), true, false), l.Pre.Type, T), nil
}

// perExample concatenates blocks of vectors [P, B, m] and moves the
// example axis first: [B, n, m] with n the total of the P.
func perExample(e *ir.Writer, blocks []*ir.Value) *ir.Value {
	x := blocks[0]
	if len(blocks) > 1 {
		x = emit1(e, ir.OpConcat, ir.Attrs{"axis": ir.Int(0)}, blocks...)
	}
	return transpose(e, x, []int{1, 0, 2})
}

// topRitz returns, for each example, the coefficients C [B, n, k] of the
// top k Ritz vectors of AᵀA in the span of the rows of K [B, n, d], the
// Krylov blocks [Y_0, …, Y_q], given F_q = Y_q Aᵀ [B, P, d2]: the Ritz
// vectors are Kᵀ C. The rows of K need not be independent. With D =
// diag(K Kᵀ)^{-1/2} scaling the rows of K to unit length and L Lᵀ = D K Kᵀ
// D + δI (a shifted Cholesky factorisation, which exists whatever the rank
// of K), the columns of Kᵀ D T, T = L⁻ᵀ, are orthonormal along the
// well-conditioned directions of the span and shrunk by λ/(λ + δ) along
// directions with a Gram eigenvalue λ ≲ δ, which are rounding in the
// Krylov blocks; the Ritz vectors are Kᵀ D T E_k, E_k the top eigenvectors
// of H = Tᵀ D (K AᵀA Kᵀ) D T (imagesGram).
func topRitz(e *ir.Writer, k, fq *ir.Value, top int) *ir.Value {
	dt := k.Type.DType
	n := k.Type.Shape[1]
	eye := identity(e, dt, n)
	m := matmul(e, k, k, false, true)                                              // K Kᵀ [B, n, n]
	dinv := rsqrtFloor(e, reduceSum(e, mul(e, m, eye), []int{2}, false), tiny(dt)) // [B, n]
	scaled := func(x *ir.Value) *ir.Value { return mul(e, mul(e, x, column(e, dinv)), row(e, dinv)) }
	l := emit1(e, ir.OpCholesky, nil, add(e, scaled(m), scale(e, eye, gramShift(dt))))
	// T = L⁻ᵀ from one solve against the identity: the products with it are
	// batched GEMMs, cheaper than solves against each operand.
	t := emit1(e, ir.OpTriangularSolve, ir.Attrs{"transpose_a": ir.Bool(true)}, l, broadcastTo(e, eye, m.Type.Shape))
	h := matmul(e, t, matmul(e, scaled(imagesGram(e, m, fq)), t, false, false), true, false)
	_, ev := eigh2(e, h) // ascending
	return mul(e, matmul(e, t, sliceCols(e, ev, n-top, n), false, false), column(e, dinv))
}

// imagesGram returns F Fᵀ [B, n, n] for the images F_j = Y_j Aᵀ of the
// Krylov blocks, from their Gram matrix M = K Kᵀ and the last image F_q
// [B, P, d2]: as Y_{j+1} = F_j A, ⟨F_i, F_j⟩ = ⟨Y_i, Y_{j+1}⟩ for j < q, so
// every block but F_q F_qᵀ is a block of M shifted by one,
//
//	F Fᵀ = [ M[:, P:]  |  M[P:, n−P:] over F_q F_qᵀ ],
//
// made symmetric at rounding. Only the last image is multiplied: the
// others' Gram matrix would cost as much as M.
func imagesGram(e *ir.Writer, m, fq *ir.Value) *ir.Value {
	last := matmul(e, fq, fq, false, true) // [B, P, P]
	s := m.Type.Shape
	B, n, p := s[0], s[1], fq.Type.Shape[1]
	if n == p {
		return last
	}
	block := func(r0, r1, c0, c1 int) *ir.Value {
		return emit1(e, ir.OpSlice, ir.Attrs{"start": ir.Ints(0, r0, c0), "stop": ir.Ints(B, r1, c1)}, m)
	}
	right := emit1(e, ir.OpConcat, ir.Attrs{"axis": ir.Int(1)}, block(p, n, n-p, n), last)
	g := emit1(e, ir.OpConcat, ir.Attrs{"axis": ir.Int(2)}, block(0, n, p, n), right)
	return scale(e, add(e, g, transpose(e, g, []int{0, 2, 1})), 0.5)
}

// orthColumns brings each example's columns, v [B, d, k], from the
// near-orthonormal state topRitz leaves them in (off by about the Gram
// matrix's rounding over its tolerance) to orthonormal at rounding, by two
// Newton–Schulz steps towards the polar factor, v ← v S with S = (3I −
// vᵀv)/2, each squaring the error. The second step's Gram matrix is S G S
// from the first's G = vᵀv, so v is multiplied once, by the product of the
// two S: one Gram product and one product of v instead of two each. Zero
// columns (an example whose Jacobian has rank below k) stay zero.
func orthColumns(e *ir.Writer, v *ir.Value) *ir.Value {
	threeHalves := scale(e, identity(e, v.Type.DType, v.Type.Shape[2]), 1.5)
	step := func(g *ir.Value) *ir.Value { return sub(e, threeHalves, scale(e, g, 0.5)) } // (3I − G)/2
	g := matmul(e, v, v, true, false)                                                    // [B, k, k]
	s1 := step(g)
	s2 := step(matmul(e, s1, matmul(e, g, s1, false, false), false, false))
	return matmul(e, v, matmul(e, s1, s2, false, false), false, false)
}

// gramShift is the shift δ of topRitz's Cholesky factorisation of a Gram
// matrix with a unit diagonal: far above its rounding (the unit roundoff
// times about √d), far below the eigenvalues of directions that matter.
func gramShift(dt ir.DType) float64 {
	if dt == ir.F32 {
		return 1e-4
	}
	return 1e-12
}

// tiny is a positive floor, far below any scale in the data, that keeps
// x^{-1/2} finite.
func tiny(dt ir.DType) float64 {
	if dt == ir.F32 {
		return 1e-30
	}
	return 1e-300
}

// rsqrtFloor emits max(x, floor)^{-1/2}.
func rsqrtFloor(e *ir.Writer, x *ir.Value, floor float64) *ir.Value {
	x = emit1(e, ir.OpMaximum, nil, x, scalar(e, x.Type.DType, floor))
	return emit1(e, ir.OpPow, ir.Attrs{"exponent": ir.Float(-0.5)}, x)
}

// column and row turn x [B, n] into [B, n, 1] and [B, 1, n], to scale the
// rows or the columns of a batch of matrices.
func column(e *ir.Writer, x *ir.Value) *ir.Value {
	return reshape(e, x, append(x.Type.Shape.Clone(), 1))
}

func row(e *ir.Writer, x *ir.Value) *ir.Value {
	s := x.Type.Shape
	return reshape(e, x, ir.Shape{s[0], 1, s[1]})
}

// orthRows orthonormalises the rows of x [P, d].
func orthRows(e *ir.Writer, x *ir.Value) *ir.Value {
	q := e.Emit(ir.OpQR, vals(transpose(e, x, []int{1, 0})), nil)[0] // [d, P]
	return transpose(e, q, []int{1, 0})
}
