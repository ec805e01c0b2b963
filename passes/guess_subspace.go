package passes

import (
	"github.com/pushforward/pushforward/ir"
)

// W̃⊥ without per-example SVDs. The top-k right singular vectors of A_b are
// the top eigenvectors of G_b = A_bᵀA_b, which the segment's map and
// transpose apply to a block of P = k + oversample vectors at once (one
// wide GEMM each for a linear layer). Per step and hidden layer, a block
// Krylov (block Lanczos) method with q = Iters steps:
//
//	V_0 ← U (the warm start, a state parameter [P, d], for every example)
//	V_j ← orth(G_b V_{j−1}), j = 1..q              (per-example QR)
//	K ← orth([V_0, V_1, …, V_q])                     (P(q+1) columns)
//	Rayleigh–Ritz: H = (A_b K)ᵀ(A_b K) = E diag(λ) Eᵀ, V_k = K E[:, top k]
//	y_b = V_k z_b,  z_b ~ N(0, I_k)
//	U ← orth(mean_b G_b U)                           (the next warm start)
//
// Rayleigh–Ritz over the whole Krylov space, rather than over the last
// block as plain subspace iteration does, converges much faster when the
// spectrum is flat, as it is at initialisation. V_k is orthonormal, so
// Cov(y) is exactly the projector V_kV_kᵀ.
//
// Cost per step, with B examples and the segment a d2×d linear map:
// 2q applications of the map or its transpose to P vectors and one to
// P(q+1) vectors, 2·B·d·d2 FLOPs per vector, so 2·B·d·d2·P·(3q + 1);
// plus per example q QRs of d×P, one of d×P(q+1) (4·d·n² FLOPs for n
// columns) and an eigendecomposition of P(q+1)×P(q+1). For the paper's MLP
// at width 512 (d = d2 = 512, B = 512, P = 15, q = 2): 7 × 4.0 ≈ 28 GFLOP
// of GEMM and ≈ 4 GFLOP of QR per hidden layer, against O(B·d³) ≈ 70
// GFLOP for exact per-example SVDs.

// addState adds the warm-start bases of wperp's subspace iteration.
func (gb *guessBuilder) addState() error {
	if gb.opts.Method != WPerp || gb.opts.Exact {
		return nil
	}
	for _, l := range gb.layers[:len(gb.layers)-1] {
		p := gb.blockSize(l)
		v := gb.r.addParam(layerName(l)+".basis", ir.TensorOf(l.Pre.Type.DType, p, l.Pre.Type.Shape[1]), ir.State)
		gb.state = append(gb.state, v)
		gb.stateNames = append(gb.stateNames, v.Name)
	}
	return nil
}

// layerName names a layer's state and inputs: after its pre-activation,
// or after its weight when the pre-activation is a numbered value.
func layerName(l Layer) string {
	if c := l.Pre.Name[0]; '0' <= c && c <= '9' {
		return l.Weight.Name
	}
	return l.Pre.Name
}

// blockSize is P = K + Oversample, at most the width of the layer.
func (gb *guessBuilder) blockSize(l Layer) int {
	return min(gb.opts.K+gb.opts.Oversample, l.Pre.Type.Shape[1])
}

// BasisShape returns the shape of the warm-start state of a layer for
// wperp: [K + Oversample, width], capped at the width.
func (o GuessOptions) BasisShape(width int) ir.Shape {
	o.defaults()
	return ir.Shape{min(o.K+o.Oversample, width), width}
}

func (gb *guessBuilder) subspaceGuess(i int) (*ir.Value, error) {
	e := gb.r.e
	l, next := gb.layers[i], gb.layers[i+1]
	B, d := l.Pre.Type.Shape[0], l.Pre.Type.Shape[1]
	u := gb.state[i]
	p := u.Type.Shape[0]
	gram := func(x *ir.Value) (*ir.Value, error) {
		ax, err := gb.applySegment(l, next, x, true)
		if err != nil {
			return nil, err
		}
		return gb.applySegment(l, next, ax, false)
	}
	// The Krylov blocks V, G V, G² V, … (G = A_bᵀA_b), each orthonormalised
	// as it is made so that their scales stay comparable.
	blocks := []*ir.Value{broadcastTo(e, reshape(e, u, ir.Shape{p, 1, d}), ir.Shape{p, B, d})}
	iters := min(gb.opts.Iters, d/p-1)
	for it := range max(iters, 1) {
		z, err := gram(blocks[len(blocks)-1])
		if err != nil {
			return nil, err
		}
		if it == 0 {
			mean := emit1(e, ir.OpReduceMean, ir.Attrs{"axes": ir.Ints(1)}, z) // [P, d]
			gb.newState = append(gb.newState, orthRows(e, mean))
		}
		blocks = append(blocks, orthBlock(e, z))
	}
	if iters < 1 {
		blocks = blocks[1:] // the block is the whole width: one product is exact
	}
	// Rayleigh–Ritz on the span of all blocks.
	basis := blocks[0]
	if len(blocks) > 1 {
		basis = orthBlock(e, emit1(e, ir.OpConcat, ir.Attrs{"axis": ir.Int(0)}, blocks...)) // [P(q+1), B, d]
	}
	n := basis.Type.Shape[0]
	av, err := gb.applySegment(l, next, basis, true) // [n, B, d2]
	if err != nil {
		return nil, err
	}
	m := transpose(e, av, []int{1, 0, 2})           // [B, n, d2]
	_, ev := eigh2(e, matmul(e, m, m, false, true)) // ascending
	k := min(gb.opts.K, n)
	top := sliceCols(e, ev, n-k, n)                                         // [B, n, k]
	vk := matmul(e, transpose(e, basis, []int{1, 2, 0}), top, false, false) // [B, d, k]
	return gb.combine(l, vk), nil
}

// orthBlock orthonormalises each example's block of P vectors, [P, B, d].
func orthBlock(e ir.Emitter, z *ir.Value) *ir.Value {
	q := e.Emit(ir.OpQR, vals(transpose(e, z, []int{1, 2, 0})), nil)[0] // [B, d, P]
	return transpose(e, q, []int{2, 0, 1})
}

// orthRows orthonormalises the rows of x [P, d].
func orthRows(e ir.Emitter, x *ir.Value) *ir.Value {
	q := e.Emit(ir.OpQR, vals(transpose(e, x, []int{1, 0})), nil)[0] // [d, P]
	return transpose(e, q, []int{1, 0})
}
