package passes

import (
	"github.com/pushforward/pushforward/ir"
)

// WPerp guesses y = V_k z (W̃⊥): the top-k right singular subspace of the
// next segment's Jacobian A, z ~ N(0, I_k). By default V_k comes from
// block Krylov iteration from a warm start that the step carries as state
// (guess_subspace.go); with Exact, from the SVD of the dense per-example
// Jacobian. K < 0 keeps every direction with a non-zero singular value
// (k = rank): the projection of N(0, I) onto the row space of A.
// Cov(y) = V_kV_kᵀ.
var WPerp = registerGuessMethod(wperp{})

type wperp struct{ atPreActivations }

func (wperp) Name() string { return "wperp" }

// check accepts any k: k < 0 means k = rank.
func (wperp) check(*GuessOptions) error { return nil }

// Covariance: ones on the top k of the ascending λ, or on every λ above
// the rank threshold of rankColumns (s > 1e-6 s_max, λ > 1e-12 λ_max).
func (wperp) Covariance(s GuessSpectrum) ([]float64, error) {
	if s.K < 0 {
		top := s.top()
		return s.spectral(func(l float64) float64 { return b2f(l > 1e-12*top) }), nil
	}
	return s.span(len(s.Lambda)-s.K, len(s.Lambda)), nil
}

// prepare adds the warm-start bases of the subspace iteration: one state
// parameter per hidden layer whose segment has more than k outputs.
func (wperp) prepare(gb *guessBuilder) error {
	if gb.opts.Exact || gb.opts.K < 0 {
		return nil
	}
	gb.state = map[int]*ir.Value{}
	for i, l := range gb.layers[:len(gb.layers)-1] {
		out := gb.layers[i+1].Pre.Type
		if gb.opts.K >= out.Shape[1] {
			continue // the row space itself, no iteration (see subspaceGuess)
		}
		v := gb.r.addParam(layerName(l)+".basis", ir.TensorOf(out.DType, gb.opts.BasisShape(out.Shape[1])...), ir.State)
		gb.state[i] = v
		gb.stateNames = append(gb.stateNames, v.Name)
	}
	return nil
}

func (wperp) hidden(gb *guessBuilder, i int) (*ir.Value, error) {
	l, next := gb.layers[i], gb.layers[i+1]
	switch {
	case !gb.opts.Exact && gb.opts.K < 0:
		return gb.rowSpaceGuess(l, next)
	case !gb.opts.Exact:
		return gb.subspaceGuess(i)
	}
	a, err := gb.denseJacobian(l, next)
	if err != nil {
		return nil, err
	}
	_, sv, v := svd3(gb.r.e, a) // right singular vectors, descending
	if gb.opts.K < 0 {
		return gb.combine(l, rankColumns(gb.r.e, v, sv)), nil
	}
	return gb.combine(l, sliceCols(gb.r.e, v, 0, gb.k(v))), nil
}

// rankColumns keeps the columns of v [B, d, n] whose singular values s
// [B, n] exceed 1e-6 of the largest and zeroes the others: the whole row
// space, whatever its rank per example (W̃⊥ with k = rank).
func rankColumns(e *ir.Writer, v, s *ir.Value) *ir.Value {
	sh := s.Type.Shape
	top := reshape(e, sliceCols(e, s, 0, 1), ir.Shape{sh[0], 1})
	keep := emit1(e, ir.OpGt, nil, s, mul(e, top, scalar(e, s.Type.DType, 1e-6)))
	return mul(e, v, reshape(e, keep, ir.Shape{sh[0], 1, sh[1]}))
}
