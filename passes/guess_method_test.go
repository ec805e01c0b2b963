package passes_test

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"

	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/methods/fwdgrad"
	"github.com/pushforward/pushforward/passes"
	"github.com/pushforward/pushforward/runtime"
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
				require.True(t, eig.Factorize(&ata, true), "eigendecomposition")
				var q mat.Dense
				eig.VectorsTo(&q)
				c, err := m.Covariance(passes.GuessSpectrum{Lambda: eig.Values(nil), K: k, Sigma: sigma, Inputs: nsCoeffs06})
				require.NoError(t, err)
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

// The guess and jvp passes in a pipeline build the step Guess builds: the
// same IR when they run in a row, the same numbers with other passes
// between them and across separate runs (the marks survive copies); a
// pass that drops a marked value is reported.
func TestGuessAndJVPPasses(t *testing.T) {
	f := deepMLP(t, ir.F32, 3, 8, 4, 5, 3)
	for _, m := range []passes.GuessMethod{passes.WP, passes.WT, passes.WPerp} {
		opts := passes.GuessOptions{Method: m, Guesses: 2}
		st, err := passes.Guess(f, opts)
		require.NoError(t, err)
		want, err := passes.Run(st.Func, passes.Cleanup, passes.Options{})
		require.NoError(t, err)
		inRow, err := passes.Run(f, append([]string{"guess", "jvp"}, passes.Cleanup...), passes.Options{Guess: opts, Verify: true})
		require.NoError(t, err)
		if diff := cmp.Diff(want.String(), inRow.String()); diff != "" {
			t.Errorf("%s: guess,jvp differs from Guess (-want +got):\n%s", m.Name(), diff)
		}
		seeded, err := passes.Run(f, []string{"guess", "cse", "dce"}, passes.Options{Guess: opts, Verify: true})
		require.NoError(t, err)
		apart, err := passes.Run(seeded, append([]string{"jvp"}, passes.Cleanup...), passes.Options{Verify: true})
		require.NoError(t, err)
		in := stepInputs(want, 6)
		w, err := runtime.Run(want, in)
		require.NoError(t, err)
		g, err := runtime.Run(apart, in)
		require.NoError(t, err)
		for i := range w {
			if diff := cmp.Diff(w[i].Float64s(), g[i].Float64s()); diff != "" {
				t.Errorf("%s: result %d of guess,cse,dce then jvp (-Guess +passes):\n%s", m.Name(), i, diff)
			}
		}
	}
	// With tanh, cse merges the model's activations into the guesses'
	// recomputations of them, which jvp refuses.
	tanh := residualTanh(t, 2, 4, 6, 5)
	merged, err := passes.Run(tanh, []string{"guess", "cse"}, passes.Options{Guess: passes.GuessOptions{Method: passes.WT}})
	require.NoError(t, err)
	if _, err := passes.Run(merged, []string{"jvp"}, passes.Options{}); err == nil || !strings.Contains(err.Error(), "merged model code into them") {
		t.Errorf("guess, cse, jvp on a tanh network: %v", err)
	}
	if _, err := passes.Run(tanh, []string{"guess", "jvp"}, passes.Options{Guess: passes.GuessOptions{Method: passes.WT}}); err != nil {
		t.Errorf("guess, jvp on a tanh network: %v", err)
	}

	seeded, err := passes.Run(f, []string{"guess"}, passes.Options{Guess: passes.GuessOptions{Method: passes.WT}})
	require.NoError(t, err)
	seeded.Marks["guess.seed.0"] = &ir.Value{Name: "gone", Type: seeded.Params[0].Type}
	if _, err := passes.Run(seeded, []string{"jvp"}, passes.Options{}); err == nil || !strings.Contains(err.Error(), "the value marked guess.seed.0 is no longer defined") {
		t.Errorf("a dropped seed: %v", err)
	}
}

// stepInputs draws inputs for a guess step: labels 0, keys and counters,
// warm starts with orthonormal rows, normal numbers elsewhere.
func stepInputs(f *ir.Func, seed uint64) []*runtime.Tensor {
	r := rand.New(rand.NewPCG(seed, 1))
	var in []*runtime.Tensor
	for _, p := range f.Params {
		switch {
		case p.Type.DType == ir.I64:
			in = append(in, runtime.FromI64(p.Type.Shape, make([]int64, p.Type.Shape.Size())))
		case p.Type.DType == ir.U64:
			in = append(in, runtime.ScalarU64(uint64(r.IntN(100))))
		case p.Role == ir.State:
			in = append(in, fwdgrad.OrthonormalRows(p.Type, seed))
		default:
			in = append(in, randomTensor(r, p.Type))
		}
	}
	return in
}
