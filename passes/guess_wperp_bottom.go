package passes

import "github.com/pushforward/pushforward/ir"

// WPerpBottom guesses y = V z from the k smallest right singular
// directions of the next segment's Jacobian A (its null space where that
// is k-dimensional), z ~ N(0, I_k), by the eigendecomposition of the
// dense AᵀA per example: the control of W̃⊥. Cov(y) = V Vᵀ.
var WPerpBottom = registerGuessMethod(wperpBottom{})

type wperpBottom struct{ atPreActivations }

func (wperpBottom) Name() string { return "wperp-bottom" }

func (wperpBottom) Covariance(s GuessSpectrum) ([]float64, error) {
	return s.span(0, s.K), nil // the k smallest of the ascending λ
}

func (wperpBottom) hidden(gb *guessBuilder, i int) (*ir.Value, error) {
	l, next := gb.layers[i], gb.layers[i+1]
	a, err := gb.denseJacobian(l, next)
	if err != nil {
		return nil, err
	}
	_, q := eigh2(gb.r.e, matmul(gb.r.e, a, a, true, false)) // ascending
	return gb.combine(l, sliceCols(gb.r.e, q, 0, gb.k(q))), nil
}
