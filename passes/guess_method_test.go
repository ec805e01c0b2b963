package passes_test

import (
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/passes"
)

// Every registered method's Covariance is the covariance of the guesses
// its IR draws (the sample covariance of many guesses at the first hidden
// layer of a residual tanh network), or an error for a method with no
// guesses at the pre-activations: a new method cannot go without one.
func TestGuessMethodCovariance(t *testing.T) {
	const draws, k, sigma = 20000, 2, 1e-5
	n := newGuessNet(t, residualTanh(t, 2, 4, 6, 5), 4)
	s1 := n.value(t, "s1")
	w2 := n.inputs[3]
	for _, m := range passes.GuessMethods() {
		t.Run(m.Name(), func(t *testing.T) {
			if _, err := m.Covariance(passes.GuessSpectrum{Lambda: []float64{0, 1}, K: k, Sigma: sigma, Inputs: nsCoeffs06}); err != nil {
				if m != passes.WP {
					t.Fatalf("no covariance: %v", err)
				}
				return
			}
			_, out := n.step(t, passes.GuessOptions{Method: m, Guesses: draws, K: k, Sigma: sigma, Iters: 40}, 5)
			ys := out[len(out)-3] // J, then y_1, y_2, y_3
			for b := range 2 {
				a := jacobianS1(n, s1, w2, b, true)
				var ata mat.SymDense
				ata.SymOuterK(1, a.T())
				var eig mat.EigenSym
				if !eig.Factorize(&ata, true) {
					t.Fatal("eigendecomposition failed")
				}
				var q mat.Dense
				eig.VectorsTo(&q)
				c, err := m.Covariance(passes.GuessSpectrum{Lambda: eig.Values(nil), K: k, Sigma: sigma, Inputs: nsCoeffs06})
				if err != nil {
					t.Fatal(err)
				}
				var qc, want mat.Dense
				qc.Mul(&q, mat.NewDiagDense(len(c), c))
				want.Mul(&qc, q.T())
				checkCov(t, m.Name(), sampleCov(ys, b), &want, draws)
			}
		})
	}
}

func TestLookupGuessMethod(t *testing.T) {
	for _, m := range passes.GuessMethods() {
		if got, err := passes.LookupGuessMethod(m.Name()); err != nil || got != m {
			t.Errorf("LookupGuessMethod(%q) = %v, %v", m.Name(), got, err)
		}
	}
	if _, err := passes.LookupGuessMethod("nope"); err == nil || !strings.Contains(err.Error(), `unknown guess method "nope" (known: ap, wp, wperp, wperp-bottom, wperp-ns, wprecond, wt)`) {
		t.Errorf("unknown method: %v", err)
	}
	f := deepMLP(t, ir.F32, 2, 4, 3, 3, 2)
	for _, tc := range []struct {
		opts passes.GuessOptions
		want string
	}{
		{passes.GuessOptions{}, "no guess method"},
		{passes.GuessOptions{Method: passes.WT, K: -1}, "k < 0 (k = rank) is for wperp only, not wt"},
		{passes.GuessOptions{Method: passes.WP, K: -1}, "k < 0 (k = rank) is for wperp only, not wp"},
	} {
		if _, err := passes.Guess(f, tc.opts); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Guess(%+v): %v, want %q", tc.opts, err, tc.want)
		}
	}
}
