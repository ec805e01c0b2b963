package reduction

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// Eigenvalues returns the eigenvalues of the symmetric a, ascending (the
// dense symmetric eigensolver of gonum, LAPACK's dsyev).
func Eigenvalues(a mat.Symmetric) ([]float64, error) {
	var es mat.EigenSym
	if !es.Factorize(a, false) {
		return nil, errors.New("reduction: symmetric eigendecomposition did not converge")
	}
	return es.Values(nil), nil
}

// Cond returns the condition number λ_max/λ_min of the symmetric positive
// definite a (+Inf when λ_min ≤ 0).
func Cond(a mat.Symmetric) (float64, error) {
	ev, err := Eigenvalues(a)
	if err != nil {
		return 0, err
	}
	return condOf(ev), nil
}

func condOf(ev []float64) float64 {
	lo, hi := ev[0], ev[len(ev)-1]
	if !(lo > 0) {
		return math.Inf(1)
	}
	return hi / lo
}

// PencilEigenvalues returns the eigenvalues λ of a v = λ r v, ascending,
// for symmetric a and symmetric positive definite r: the eigenvalues of
// L⁻¹ a L⁻ᵀ with r = L Lᵀ. With a = ∇²F and r the pullback metric R they
// are the curvatures of F in the metric, whose extremes are β_F and μ_F.
func PencilEigenvalues(a, r mat.Symmetric) ([]float64, error) {
	var ch mat.Cholesky
	if !ch.Factorize(r) {
		return nil, errors.New("reduction: the metric is not positive definite")
	}
	var l mat.TriDense
	ch.LTo(&l)
	n := a.SymmetricDim()
	var x, y mat.Dense
	// y = L⁻¹ a, then L⁻¹ yᵀ = L⁻¹ a L⁻ᵀ (a symmetric).
	if err := x.Solve(&l, a); err != nil {
		return nil, err
	}
	if err := y.Solve(&l, x.T()); err != nil {
		return nil, err
	}
	return Eigenvalues(symmetric(n, y.RawMatrix().Data))
}

// Bounds are the quantities of Theorems 1 and 3 and Corollary 4 for a
// reduction whose tangent space is im D, D = DΦ = [I; J], at a point
// where f's Hessian is A (positive definite: an isolated minimiser, or
// the Hessian on the normal space):
//
//	β_F ≤ β_f − Δ_max(2ε_max − ε_max²)   (Theorem 1, in the metric R = DᵀD)
//	μ_F ≥ μ_f + Δ_min(2ε_min − ε_min²)   (Theorem 3)
//	m(R)λ_min(A) ≤ eig(DᵀAD) ≤ M(R)λ_max(A)   (Corollary 4)
//
// ε_max = 1 − max ‖P_V v‖ over unit v in the top eigenspace of A, with P_V
// the orthogonal projector onto V = im D (ε_min likewise for the bottom
// one), and Δ_max, Δ_min the gaps to the next distinct eigenvalues.
type Bounds struct {
	BetaF, MuF     float64 // extreme eigenvalues of the pencil (DᵀAD, DᵀD)
	BetaF0, MuF0   float64 // λ_max(A), λ_min(A): β_f and μ_f
	EpsMax, EpsMin float64
	GapMax, GapMin float64
	BetaBound      float64 // β_f − Δ_max(2ε_max − ε_max²)
	MuBound        float64 // μ_f + Δ_min(2ε_min − ε_min²)
	// Euclidean eigenvalues of DᵀAD and the sandwich of Corollary 4.
	EuclidMin, EuclidMax float64
	EuclidLo, EuclidHi   float64 // m(R)λ_min(A), M(R)λ_max(A)
}

// ComputeBounds returns the Bounds for the Hessian a of f and the Jacobian
// j of Ψ. Eigenvalues of a within relTol·λ_max of an extreme one count as
// that eigenspace.
func ComputeBounds(a mat.Symmetric, j mat.Matrix, relTol float64) (*Bounds, error) {
	d := Tangent(j)
	n, n1 := d.Dims()
	if a.SymmetricDim() != n {
		return nil, fmt.Errorf("reduction: Hessian of order %d for a tangent basis of %d rows", a.SymmetricDim(), n)
	}
	var es mat.EigenSym
	if !es.Factorize(a, true) {
		return nil, errors.New("reduction: symmetric eigendecomposition did not converge")
	}
	lam := es.Values(nil)
	var q mat.Dense
	es.VectorsTo(&q)
	tol := relTol * math.Abs(lam[n-1])
	b := &Bounds{BetaF0: lam[n-1], MuF0: lam[0]}

	var rm mat.SymDense
	rm.SymOuterK(1, d.T())
	var ad, dadFull mat.Dense
	ad.Mul(a, d)
	dadFull.Mul(d.T(), &ad)
	dad := symmetric(n1, dadFull.RawMatrix().Data)
	pencil, err := PencilEigenvalues(dad, &rm)
	if err != nil {
		return nil, err
	}
	b.MuF, b.BetaF = pencil[0], pencil[n1-1]

	// Projector onto im D: P = D R⁻¹ Dᵀ.
	var ch mat.Cholesky
	if !ch.Factorize(&rm) {
		return nil, errors.New("reduction: the metric is not positive definite")
	}
	var rinvDt, proj mat.Dense
	if err := ch.SolveTo(&rinvDt, d.T()); err != nil {
		return nil, err
	}
	proj.Mul(d, &rinvDt)

	top := countFrom(lam, n-1, -1, tol)
	bottom := countFrom(lam, 0, 1, tol)
	if top == n || bottom == n {
		return nil, errors.New("reduction: the Hessian is a multiple of the identity; its extreme eigenspaces have no gap")
	}
	b.GapMax = lam[n-1] - lam[n-1-top]
	b.GapMin = lam[bottom] - lam[0]
	b.EpsMax = 1 - projectedNorm(&proj, q.Slice(0, n, n-top, n))
	b.EpsMin = 1 - projectedNorm(&proj, q.Slice(0, n, 0, bottom))
	b.BetaBound = b.BetaF0 - b.GapMax*(2*b.EpsMax-b.EpsMax*b.EpsMax)
	b.MuBound = b.MuF0 + b.GapMin*(2*b.EpsMin-b.EpsMin*b.EpsMin)

	euclid, err := Eigenvalues(dad)
	if err != nil {
		return nil, err
	}
	metric, err := Eigenvalues(&rm)
	if err != nil {
		return nil, err
	}
	b.EuclidMin, b.EuclidMax = euclid[0], euclid[n1-1]
	b.EuclidLo, b.EuclidHi = metric[0]*b.MuF0, metric[n1-1]*b.BetaF0
	return b, nil
}

// countFrom counts the eigenvalues within tol of lam[i], stepping by step.
func countFrom(lam []float64, i, step int, tol float64) int {
	c := 0
	for k := i; k >= 0 && k < len(lam) && math.Abs(lam[k]-lam[i]) <= tol; k += step {
		c++
	}
	return c
}

// projectedNorm returns max ‖P v‖ over unit v in the span of the
// orthonormal columns of q: the largest singular value of P q.
func projectedNorm(p mat.Matrix, q mat.Matrix) float64 {
	var pq mat.Dense
	pq.Mul(p, q)
	var svd mat.SVD
	if !svd.Factorize(&pq, mat.SVDNone) {
		return math.NaN()
	}
	return svd.Values(nil)[0]
}

// Curvature returns the curvature F″/(1 + F′²)^{3/2} of the graph of a
// one-dimensional F (the paper's eq. 13).
func Curvature(d1, d2 float64) float64 {
	return d2 / math.Pow(1+d1*d1, 1.5)
}

// A CurvaturePoint samples a one-dimensional reduced objective at X: its
// derivatives F′ and F″ and the curvature of its graph.
type CurvaturePoint struct {
	X, D1, D2, Curvature float64
}

// CurvatureProfile samples F′, F″ and the curvature F″/(1 + F′²)^{3/2}
// of a reduction with N1 = 1 at points evenly spaced over [lo, hi], both
// included (points ≥ 2).
func (r *Reduction) CurvatureProfile(lo, hi float64, points int) ([]CurvaturePoint, error) {
	if r.problem.N1 != 1 {
		return nil, fmt.Errorf("reduction: a curvature profile needs N1 = 1, have %d", r.problem.N1)
	}
	if points < 2 || !(hi > lo) {
		return nil, fmt.Errorf("reduction: curvature profile over [%g, %g] at %d points: want lo < hi and at least 2 points", lo, hi, points)
	}
	out := make([]CurvaturePoint, points)
	d1, d2 := make([]float64, 1), make([]float64, 1)
	for i := range out {
		x := []float64{lo + (hi-lo)*float64(i)/float64(points-1)}
		if _, err := r.Gradient(x, d1); err != nil {
			return nil, err
		}
		if err := r.HessianVec(x, []float64{1}, d2); err != nil {
			return nil, err
		}
		out[i] = CurvaturePoint{X: x[0], D1: d1[0], D2: d2[0], Curvature: Curvature(d1[0], d2[0])}
	}
	return out, nil
}

// MaxCurvature returns the point of largest curvature.
func MaxCurvature(profile []CurvaturePoint) CurvaturePoint {
	best := profile[0]
	for _, p := range profile[1:] {
		if p.Curvature > best.Curvature {
			best = p
		}
	}
	return best
}
