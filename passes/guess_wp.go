package passes

import (
	"errors"

	"github.com/pushforward/pushforward/ir"
)

// WP perturbs the weights: each layer's weight (and bias) gets N(0, I)
// tangents, one per minibatch (per guess), and the estimate of a weight is
// Ĝ_W = (Σ_b J_b) V for its tangent V. Unbiased, with a variance that
// grows with the number of weights.
var WP = registerGuessMethod(wp{})

type wp struct{}

func (wp) Name() string { return "wp" }

func (wp) Covariance(GuessSpectrum) ([]float64, error) {
	return nil, errors.New("wp guesses the weights, so its guesses have no covariance at the pre-activations")
}

func (wp) check(o *GuessOptions) error {
	if o.K < 0 {
		return errors.New("k < 0 (k = rank) is for wperp only, not wp")
	}
	return nil
}

func (wp) prepare(*guessBuilder) error { return nil }

func (wp) seed(gb *guessBuilder, v *ir.Value) (*ir.Value, error) {
	if v.IsParam() && gb.isLayerParam(v) {
		return gb.noise(v.Type, gb.streamOf(v)), nil
	}
	return nil, nil
}

func (wp) hidden(*guessBuilder, int) (*ir.Value, error) {
	return nil, errors.New("wp has no guesses at the pre-activations")
}

func (wp) diagnostic(gb *guessBuilder, l Layer) *ir.Value { return gb.seedOf[l.Weight] }
