package passes

import "github.com/pushforward/pushforward/ir"

// WT guesses y = W̃ᵀε: the transpose of the next segment's Jacobian A
// (for Linear+ReLU, W_{i+1} M_i) applied to noise ε ~ N(0, I) in the
// segment's output space. Cov(y) = AᵀA.
var WT = registerGuessMethod(wt{})

type wt struct{ atPreActivations }

func (wt) Name() string { return "wt" }

func (wt) Covariance(s GuessSpectrum) ([]float64, error) {
	return s.spectral(func(l float64) float64 { return l }), nil
}

func (wt) hidden(gb *guessBuilder, i int) (*ir.Value, error) {
	l, next := gb.layers[i], gb.layers[i+1]
	eps := gb.noise(next.Pre.Type, gb.streamOf(l.Pre))
	return gb.applySegment(l, next, eps, false)
}
