package reduction_test

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/pushforward/pushforward/methods/reduction"
)

// Oracle 9: at the minimiser 0 of G.2 (α = 1) and G.3, ∇²G has the
// eigenvalues 1 (n times) and 1 + λ + λα²s_i², and ∇²F = R = I + α²KᵀK, so
// κ_F = (1 + α²s_max²)/(1 + α²s_min²) and every curvature of F in the
// metric R is 1.
func TestSpectrumAtTheMinimiser(t *testing.T) {
	const n, lambda = 40, 10.0
	k, s := reduction.SpectralK(n, 1, 1999, rand.New(rand.NewPCG(1, 0)))
	for _, c := range []struct {
		name  string
		alpha float64
		r     *reduction.Reduction
	}{
		{"G.2", 1, newReduction(t, reduction.G2(k, lambda), reduction.Linear("lin", k))},
		{"G.3", 10, newReduction(t, reduction.G3(k, lambda, 10), reduction.Tanh(k, 10))},
	} {
		want := slices.Repeat([]float64{1}, n)
		for _, si := range s {
			want = append(want, 1+lambda+lambda*c.alpha*c.alpha*si*si)
		}
		slices.Sort(want)
		got := must[[]float64](t)(reduction.Eigenvalues(must[*mat.SymDense](t)(c.r.FullHessian(make([]float64, 2*n)))))
		for i := range got {
			if math.Abs(got[i]-want[i]) > 1e-8*want[i] {
				t.Errorf("%s: eigenvalue %d of ∇²G(0) is %.12g, want %.12g", c.name, i, got[i], want[i])
				break
			}
		}
		x := make([]float64, n)
		h := must[*mat.SymDense](t)(c.r.Hessian(x))
		a2 := c.alpha * c.alpha
		wantF := (1 + a2*s[n-1]*s[n-1]) / (1 + a2*s[0]*s[0])
		if kf := must[float64](t)(reduction.Cond(h)); math.Abs(kf-wantF) > 1e-8*wantF {
			t.Errorf("%s: κ(∇²F(0)) = %.10g, want %.10g", c.name, kf, wantF)
		}
		pencil := must[[]float64](t)(reduction.PencilEigenvalues(h, must[*mat.SymDense](t)(c.r.Metric(x))))
		if math.Abs(pencil[0]-1) > 1e-8 || math.Abs(pencil[n-1]-1) > 1e-8 {
			t.Errorf("%s: curvatures of F in R run from %g to %g, want 1", c.name, pencil[0], pencil[n-1])
		}
		t.Logf("%s: κ(∇²G(0)) = %.6g, κ(∇²F(0)) = %.6g", c.name, got[2*n-1]/got[0], wantF)
	}
}

// randomSPD returns Q diag(σ) Qᵀ for a random orthogonal Q.
func randomSPD(sigma []float64, rng *rand.Rand) (*mat.SymDense, *mat.Dense) {
	n := len(sigma)
	var qr mat.QR
	qr.Factorize(randomMatrix(n, n, rng))
	var q mat.Dense
	qr.QTo(&q)
	var a mat.Dense
	a.Product(&q, mat.NewDiagDense(n, sigma), q.T())
	sym := mat.NewSymDense(n, nil)
	for i := range n {
		for j := i; j < n; j++ {
			sym.SetSym(i, j, (a.At(i, j)+a.At(j, i))/2)
		}
	}
	return sym, &q
}

// Oracle 6 (Lemma 4, Corollary 4): λ_min(A) ≤ eig(BᵀAB, BᵀB) ≤ λ_max(A),
// strictly when the extreme eigenvectors are not in im B and with equality
// when they are; for A ⪰ 0, m(BᵀB)λ_min(A) ≤ eig(BᵀAB) ≤ M(BᵀB)λ_max(A).
func TestInterlacing(t *testing.T) {
	rng := rand.New(rand.NewPCG(29, 0))
	const n, k = 8, 3
	for trial := range 20 {
		sigma := make([]float64, n)
		for i := range sigma {
			sigma[i] = 4 * rng.Float64()
			if trial%2 == 1 {
				sigma[i] -= 2 // indefinite A for Lemma 4
			}
		}
		slices.Sort(sigma)
		a, q := randomSPD(sigma, rng)
		b := randomMatrix(n, k, rng)
		if trial%4 == 2 {
			// Put the top eigenvector into im B: the upper bound is attained.
			b.Slice(0, n, 0, 1).(*mat.Dense).Copy(q.Slice(0, n, n-1, n))
		}
		var bab, btb mat.Dense
		bab.Product(b.T(), a, b)
		btb.Mul(b.T(), b)
		babS, btbS := symFrom(&bab), symFrom(&btb)
		pencil := must[[]float64](t)(reduction.PencilEigenvalues(babS, btbS))
		lo, hi := sigma[0], sigma[n-1]
		if pencil[0] < lo-1e-12 || pencil[k-1] > hi+1e-12 {
			t.Errorf("trial %d: pencil eigenvalues %v outside [%g, %g]", trial, pencil, lo, hi)
		}
		attained := math.Abs(pencil[k-1]-hi) <= 1e-10
		if attained != (trial%4 == 2) {
			t.Errorf("trial %d: λ_max of the pencil %.15g, of A %.15g: attained %v, want %v", trial, pencil[k-1], hi, attained, trial%4 == 2)
		}
		if math.Abs(pencil[0]-lo) <= 1e-10 {
			t.Errorf("trial %d: lower bound attained with a generic B", trial)
		}
		if lo >= 0 {
			euclid := must[[]float64](t)(reduction.Eigenvalues(babS))
			metric := must[[]float64](t)(reduction.Eigenvalues(btbS))
			if euclid[0] < metric[0]*lo-1e-10 || euclid[k-1] > metric[k-1]*hi+1e-10 {
				t.Errorf("trial %d: eig(BᵀAB) %v outside [%g, %g]", trial, euclid, metric[0]*lo, metric[k-1]*hi)
			}
		}
	}
}

func symFrom(a *mat.Dense) *mat.SymDense {
	n, _ := a.Dims()
	s := mat.NewSymDense(n, nil)
	for i := range n {
		for j := i; j < n; j++ {
			s.SetSym(i, j, (a.At(i, j)+a.At(j, i))/2)
		}
	}
	return s
}

// §6 item 6: Theorems 1 and 3 and Corollary 4 on random positive definite
// Hessians with planted gaps at both ends and random affine maps.
func TestBounds(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 0))
	const n1, n2 = 4, 6
	for trial := range 30 {
		sigma := []float64{1, 1}
		for range n1 + n2 - 4 {
			sigma = append(sigma, 2+3*rng.Float64())
		}
		sigma = append(sigma, 10, 10) // top eigenvalue of multiplicity 2
		slices.Sort(sigma)
		a, _ := randomSPD(sigma, rng)
		j := randomMatrix(n2, n1, rng)
		b := must[*reduction.Bounds](t)(reduction.ComputeBounds(a, j, 1e-9))
		gapMax, gapMin := 10-sigma[n1+n2-3], sigma[2]-1
		if math.Abs(b.GapMax-gapMax) > 1e-9 || math.Abs(b.GapMin-gapMin) > 1e-9 {
			t.Errorf("trial %d: gaps %g and %g, planted %g and %g", trial, b.GapMax, b.GapMin, gapMax, gapMin)
		}
		if !(b.EpsMax > 0 && b.EpsMax <= 1 && b.EpsMin > 0 && b.EpsMin <= 1) {
			t.Errorf("trial %d: ε_max = %g, ε_min = %g, want in (0, 1] for a generic map", trial, b.EpsMax, b.EpsMin)
		}
		if b.BetaF > b.BetaBound+1e-10 || b.BetaBound >= b.BetaF0 {
			t.Errorf("trial %d: Theorem 1: β_F = %g, bound %g, β_f = %g", trial, b.BetaF, b.BetaBound, b.BetaF0)
		}
		if b.MuF < b.MuBound-1e-10 || b.MuBound <= b.MuF0 {
			t.Errorf("trial %d: Theorem 3: μ_F = %g, bound %g, μ_f = %g", trial, b.MuF, b.MuBound, b.MuF0)
		}
		if b.EuclidMin < b.EuclidLo-1e-10 || b.EuclidMax > b.EuclidHi+1e-10 {
			t.Errorf("trial %d: Corollary 4: eig(DᵀAD) in [%g, %g], bounds [%g, %g]", trial, b.EuclidMin, b.EuclidMax, b.EuclidLo, b.EuclidHi)
		}
	}
}

// In two dimensions the bounds of Theorems 1 and 3 are equalities: for
// A = diag(3, 1) and Ψ(x) = tx, ε = 1 − 1/√(1+t²) for the top eigenvector
// e₁ and β_F = (3 + t²)/(1 + t²) = 3 − 2(2ε − ε²).
func TestBoundsTightIn2D(t *testing.T) {
	a := mat.NewSymDense(2, []float64{3, 0, 0, 1})
	for _, tt := range []float64{0.1, 1, 4} {
		b := must[*reduction.Bounds](t)(reduction.ComputeBounds(a, mat.NewDense(1, 1, []float64{tt}), 1e-12))
		eps := 1 - 1/math.Sqrt(1+tt*tt)
		beta := (3 + tt*tt) / (1 + tt*tt)
		if math.Abs(b.EpsMax-eps) > 1e-12 || math.Abs(b.BetaF-beta) > 1e-12 || math.Abs(b.BetaBound-beta) > 1e-12 {
			t.Errorf("t = %g: ε = %g, β_F = %g, bound %g; want ε = %g, β_F = bound = %g", tt, b.EpsMax, b.BetaF, b.BetaBound, eps, beta)
		}
		if math.Abs(b.MuF-b.MuBound) > 1e-12 {
			t.Errorf("t = %g: μ_F = %g, bound %g, want equal", tt, b.MuF, b.MuBound)
		}
	}
}
