package passes_test

import (
	"fmt"
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/pushforward/pushforward/builder"
	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/passes"
	"github.com/pushforward/pushforward/runtime"
)

// Oracle: WP and AP are unbiased. The mean of many independent estimates
// (steps × guesses per step) agrees with the backprop gradient: each
// coordinate's z-score is below 4.
func TestGuessUnbiasedWPAndAP(t *testing.T) {
	n := newGuessNet(t, deepMLP(t, ir.F64, 3, 4, 3, 3, 2), 2)
	grad, err := passes.VJP(n.f, passes.ParamsWithRole(n.f, ir.Param))
	if err != nil {
		t.Fatal(err)
	}
	want, err := runtime.Run(grad, n.inputs)
	if err != nil {
		t.Fatal(err)
	}
	const steps, perStep = 40, 2500 // 10^5 draws
	for _, m := range []passes.GuessMethod{passes.WP, passes.AP} {
		t.Run(m.Name(), func(t *testing.T) {
			sum := map[int][]float64{}
			sumSq := map[int][]float64{}
			for s := range steps {
				st, out := n.step(t, passes.GuessOptions{Method: m, Guesses: perStep}, uint64(s))
				for i := range st.Estimates {
					v := out[1+i].F64
					if sum[i] == nil {
						sum[i], sumSq[i] = make([]float64, len(v)), make([]float64, len(v))
					}
					for k, x := range v {
						sum[i][k] += x
						sumSq[i][k] += x * x
					}
				}
			}
			worst := 0.0
			for i, s := range sum {
				for k := range s {
					mean := s[k] / steps
					variance := sumSq[i][k]/steps - mean*mean
					se := math.Sqrt(variance / steps)
					z := math.Abs(mean-want[1+i].F64[k]) / se
					worst = math.Max(worst, z)
				}
			}
			if worst > 4 {
				t.Errorf("largest z-score %.2f, want < 4", worst)
			}
			t.Logf("largest z-score over all coordinates: %.2f", worst)
		})
	}
}

// sampleCov returns the sample covariance (about zero: guesses have mean
// zero) of the guesses of example b: ys is [T, B, d].
func sampleCov(ys *runtime.Tensor, b int) *mat.SymDense {
	s := ys.Type.Shape
	T, B, d := s[0], s[1], s[2]
	c := mat.NewSymDense(d, nil)
	for k := range T {
		row := ys.F64[(k*B+b)*d : (k*B+b+1)*d]
		for i := range d {
			for j := i; j < d; j++ {
				c.SetSym(i, j, c.At(i, j)+row[i]*row[j]/float64(T))
			}
		}
	}
	return c
}

// checkCov compares a sample covariance from R draws with the formula,
// allowing 5 standard errors of a sample covariance entry.
func checkCov(t *testing.T, what string, got *mat.SymDense, want mat.Matrix, draws int) {
	t.Helper()
	d := got.SymmetricDim()
	for i := range d {
		for j := range d {
			se := math.Sqrt((want.At(i, i)*want.At(j, j) + want.At(i, j)*want.At(i, j)) / float64(draws))
			if diff := math.Abs(got.At(i, j) - want.At(i, j)); diff > 5*se+1e-12 {
				t.Errorf("%s: cov[%d,%d] = %.4f, formula %.4f (5 s.e. = %.4f)", what, i, j, got.At(i, j), want.At(i, j), 5*se)
				return
			}
		}
	}
}

// residualTanh builds s1 = x W1, r = tanh(s1) + s1, s2 = r W2, h2 = tanh(s2),
// z = h2 W3 with softmax cross-entropy: not a Linear+ReLU network. The
// Jacobian of the segment s1 → s2 is A_b = W2ᵀ diag(2 − tanh²(s1_b)).
func residualTanh(t *testing.T, batch, in, d1, d2 int) *ir.Func {
	b := builder.New("restanh")
	x := b.Data("x", ir.F64, batch, in)
	labels := b.Data("t", ir.I64, batch)
	s1 := b.Named("s1", b.Matmul(x, b.Param("w1", ir.F64, in, d1)))
	r := b.Add(b.Tanh(s1), s1)
	s2 := b.Named("s2", b.Matmul(r, b.Param("w2", ir.F64, d1, d2)))
	z := b.Matmul(b.Tanh(s2), b.Param("w3", ir.F64, d2, 2))
	b.Return(b.Named("loss", b.SoftmaxXent(z, labels)))
	f, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// jacobianS1 returns the closed-form Jacobian of s1 → s2 of example b, for
// the MLP (relu) or the residual tanh net, computed with gonum from s1 and
// W2: the independent side of the covariance tests.
func jacobianS1(n *guessNet, s1 *runtime.Tensor, w2 *runtime.Tensor, b int, tanh bool) *mat.Dense {
	d1, d2 := w2.Type.Shape[0], w2.Type.Shape[1]
	a := mat.NewDense(d2, d1, nil)
	for i := range d2 {
		for j := range d1 {
			s := s1.F64[b*d1+j]
			slope := 0.0
			switch {
			case tanh:
				slope = 2 - math.Tanh(s)*math.Tanh(s)
			case s > 0:
				slope = 1
			}
			a.Set(i, j, w2.F64[j*d2+i]*slope)
		}
	}
	return a
}

// topRight returns V_kV_kᵀ for the top-k right singular vectors of a.
func topRight(a *mat.Dense, k int) *mat.Dense {
	var svd mat.SVD
	svd.Factorize(a, mat.SVDFull)
	var v mat.Dense
	svd.VTo(&v)
	_, n := a.Dims()
	vk := v.Slice(0, n, 0, k)
	var p mat.Dense
	p.Mul(vk, vk.T())
	return &p
}

// Oracle: the sample covariance of each family's guesses tends to its
// formula: I (AP), A_bᵀA_b (W̃ᵀ), V_kV_kᵀ (W̃⊥, exact and by subspace
// iteration), on an MLP and on a residual tanh network.
func TestGuessCovariances(t *testing.T) {
	const draws = 20000
	nets := []struct {
		name string
		f    *ir.Func
		tanh bool
	}{
		{"relu", deepMLP(t, ir.F64, 3, 6, 2, 4, 2), false},
		{"restanh", residualTanh(t, 2, 4, 6, 5), true},
	}
	for _, net := range nets {
		n := newGuessNet(t, net.f, 4)
		s1 := n.value(t, "s1")
		w2 := n.inputs[3]
		for _, tc := range []struct {
			m     passes.GuessMethod
			exact bool
		}{{passes.AP, false}, {passes.WT, false}, {passes.WPerp, true}, {passes.WPerp, false}, {passes.WPerpNS, false},
			{passes.WPrecond, true}, {passes.WPrecond, false}} {
			t.Run(fmt.Sprintf("%s/%s/exact=%t", net.name, tc.m, tc.exact), func(t *testing.T) {
				const k = 2
				_, out := n.step(t, passes.GuessOptions{Method: tc.m, Guesses: draws, K: k, Exact: tc.exact, Iters: 40}, 5)
				ys := out[len(out)-3] // J, then y_1, y_2, y_3: y_1 is the first hidden layer's
				for b := range 2 {
					a := jacobianS1(n, s1, w2, b, net.tanh)
					_, d := a.Dims()
					var want mat.Matrix
					switch tc.m {
					case passes.AP:
						want = mat.NewDiagDense(d, ones(d))
					case passes.WT:
						var ata mat.Dense
						ata.Mul(a.T(), a)
						want = &ata
					case passes.WPerp:
						want = topRight(a, k)
					case passes.WPerpNS:
						want = nsCov(a)
					case passes.WPrecond:
						want = precondCov(a, 1e-5)
					}
					checkCov(t, fmt.Sprintf("example %d", b), sampleCov(ys, b), want, draws)
				}
			})
		}
	}
}

func ones(n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = 1
	}
	return v
}

// spectralCov returns V diag(f(s_j)) Vᵀ for the right singular vectors V
// and singular values s of a (descending; 0 past the rank's count).
func spectralCov(a *mat.Dense, f func(s, top float64) float64) *mat.Dense {
	var svd mat.SVD
	svd.Factorize(a, mat.SVDFull)
	var v mat.Dense
	svd.VTo(&v)
	s := svd.Values(nil)
	_, n := a.Dims()
	d := mat.NewDiagDense(n, nil)
	for j, sv := range s {
		d.SetDiag(j, f(sv, s[0]))
	}
	var vd, cov mat.Dense
	vd.Mul(&v, d)
	cov.Mul(&vd, v.T())
	return &cov
}

// precondCov is W̃ᴾ's covariance (AᵀA + σI)^{-1/2} AᵀA (AᵀA + σI)^{-1/2}:
// V diag(s²/(s² + σ)) Vᵀ.
func precondCov(a *mat.Dense, sigma float64) *mat.Dense {
	return spectralCov(a, func(s, _ float64) float64 { return s * s / (s*s + sigma) })
}

// nsCov is V diag(p⁵(s_j / (1.05 s_1))²) Vᵀ, the covariance of the
// Newton–Schulz guess with the σ_k = 0.6 coefficients, for a = U S Vᵀ.
func nsCov(a *mat.Dense) *mat.Dense {
	return spectralCov(a, func(s, top float64) float64 {
		x := s / (passes.NSNormMargin * top)
		for range 5 {
			x2 := x * x
			c := nsCoeffs06
			x = x * (c[0] + x2*(c[1]+x2*(c[2]+x2*c[3])))
		}
		return x * x
	})
}
