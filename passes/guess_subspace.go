package passes

import (
	"github.com/pushforward/pushforward/ir"
)

// W̃⊥ without per-example SVDs. The top-k right singular vectors of A_b are
// the top eigenvectors of A_bᵀA_b, which the segment's map and transpose
// apply to a block of P = k + oversample vectors at once (one wide GEMM
// each for a linear layer). Per step and hidden layer:
//
//	V ← U (the warm start, a state parameter [P, d], for every example)
//	repeat Iters times: V ← orth(A_bᵀA_b V)        (per-example QR)
//	Rayleigh–Ritz: H = (A_b V)ᵀ(A_b V), H = E diag(λ) Eᵀ, V_k = V E[:, top k]
//	y_b = V_k z_b,  z_b ~ N(0, I_k)
//	U ← orth(mean_b A_bᵀA_b U)                      (the next warm start)
//
// V_k is orthonormal, so Cov(y) is exactly the projector V_kV_kᵀ.
//
// Cost per step, with B examples and the segment a d2×d linear map:
// (2·Iters + 1) applications of the map or its transpose to P vectors per
// example, 2·P·B·d·d2 FLOPs each, plus B QRs of d×P (4·d·P² each) per
// iteration, B eigendecompositions of P×P and the k-column products,
// 2·B·d·P·k. For the paper's MLP at width 512 (d = d2 = 512, B = 512,
// P = 15, Iters = 2): 5 × 4.0 GFLOP ≈ 20 GFLOP per hidden layer, against
// O(B·d³) ≈ 70 GFLOP for exact per-example SVDs.

// addState adds the warm-start bases of wperp's subspace iteration.
func (gb *guessBuilder) addState() error {
	if gb.opts.Method != WPerp || gb.opts.Exact {
		return nil
	}
	for _, l := range gb.layers[:len(gb.layers)-1] {
		p := gb.blockSize(l)
		v := gb.r.addParam(l.Pre.Name+".basis", ir.TensorOf(l.Pre.Type.DType, p, l.Pre.Type.Shape[1]), ir.State)
		gb.state = append(gb.state, v)
		gb.stateNames = append(gb.stateNames, v.Name)
	}
	return nil
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
	v := broadcastTo(e, reshape(e, u, ir.Shape{p, 1, d}), ir.Shape{p, B, d})
	gram := func(x *ir.Value) (*ir.Value, error) {
		ax, err := gb.applySegment(l, next, x, true)
		if err != nil {
			return nil, err
		}
		return gb.applySegment(l, next, ax, false)
	}
	for it := range gb.opts.Iters {
		z, err := gram(v)
		if err != nil {
			return nil, err
		}
		if it == 0 {
			mean := emit1(e, ir.OpReduceMean, ir.Attrs{"axes": ir.Ints(1)}, z) // [P, d]
			gb.newState = append(gb.newState, orthRows(e, mean))
		}
		v = orthBlock(e, z)
	}
	av, err := gb.applySegment(l, next, v, true) // [P, B, d2]
	if err != nil {
		return nil, err
	}
	m := transpose(e, av, []int{1, 0, 2})           // [B, P, d2]
	_, ev := eigh2(e, matmul(e, m, m, false, true)) // ascending
	k := min(gb.opts.K, p)
	top := sliceCols(e, ev, p-k, p)                                     // [B, P, k]
	vk := matmul(e, transpose(e, v, []int{1, 2, 0}), top, false, false) // [B, d, k]
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
