package passes

import "github.com/pushforward/pushforward/ir"

// AP perturbs each pre-activation with N(0, I) noise per example: the
// baseline the W̃ families improve on. Unbiased; Cov(y) = I.
var AP = registerGuessMethod(ap{})

type ap struct{ atPreActivations }

func (ap) Name() string { return "ap" }

func (ap) Covariance(s GuessSpectrum) ([]float64, error) {
	return s.spectral(func(float64) float64 { return 1 }), nil
}

func (ap) hidden(gb *guessBuilder, i int) (*ir.Value, error) {
	l := gb.layers[i]
	return gb.noise(l.Pre.Type, gb.streamOf(l.Pre)), nil
}
