package solve

import (
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// ExtremeEigs estimates the smallest and largest eigenvalues of a
// symmetric operator on ℝⁿ by `steps` steps of the Lanczos method with
// full reorthogonalisation, from a start vector drawn with the given
// seed. The estimates are Ritz values, which lie inside the spectrum:
// lo ≥ λ_min and hi ≤ λ_max, with lo converging to λ_min from above. A
// check that lo is small (or negative) is therefore never a false alarm.
// project, if not nil, maps a vector onto the subspace the operator is
// restricted to (the tangent space of a manifold, the null space of the
// constraints); it is applied to the start vector and after every
// product.
func ExtremeEigs(a Operator, n, steps int, seed uint64, project func(v []float64) error) (lo, hi float64, err error) {
	const method = "Lanczos"
	steps = min(steps, n)
	if steps <= 0 {
		return 0, 0, nil
	}
	r := rand.New(rand.NewPCG(seed, 0x6c616e637a6f73))
	q := make([][]float64, 0, steps)
	v := make([]float64, n)
	for i := range v {
		v[i] = r.NormFloat64()
	}
	if project != nil {
		if err := project(v); err != nil {
			return 0, 0, wrap(method, "projection", 0, err)
		}
	}
	if nv := norm2(v); nv > 0 {
		scal(1/nv, v)
	} else {
		return 0, 0, nil
	}
	alpha := make([]float64, 0, steps)
	beta := make([]float64, 0, steps)
	w := make([]float64, n)
	scale := 0.0
	for j := range steps {
		q = append(q, append([]float64(nil), v...))
		if err := a(v, w); err != nil {
			return 0, 0, wrap(method, "matvec", j, err)
		}
		if project != nil {
			if err := project(w); err != nil {
				return 0, 0, wrap(method, "projection", j, err)
			}
		}
		alpha = append(alpha, dot(v, w))
		for _, qi := range q { // full reorthogonalisation (Gram–Schmidt, once)
			axpy(-dot(qi, w), qi, w)
		}
		b := norm2(w)
		if !finite(b, alpha[j]) {
			return 0, 0, fail(method, "", j, ErrNonFinite, "a Lanczos coefficient is not finite")
		}
		scale = max(scale, math.Abs(alpha[j]), b)
		// A residual at the level of rounding (of the operator and of the
		// projection) means the Krylov space is invariant: its Ritz values
		// are eigenvalues, and a next vector would be noise.
		if b <= 1e-8*scale || j == steps-1 {
			break
		}
		for i := range v {
			v[i] = w[i] / b
		}
		if project != nil { // keep v in the subspace against the projection's rounding
			if err := project(v); err != nil {
				return 0, 0, wrap(method, "projection", j, err)
			}
			if nv := norm2(v); nv < 0.5 {
				break
			} else {
				scal(1/nv, v)
			}
		}
		beta = append(beta, b)
	}
	k := len(alpha)
	t := mat.NewSymDense(k, nil)
	for i := range k {
		t.SetSym(i, i, alpha[i])
		if i+1 < k {
			t.SetSym(i, i+1, beta[i])
		}
	}
	var es mat.EigenSym
	if !es.Factorize(t, false) {
		return 0, 0, fail(method, "", k, ErrNotConverged, "the tridiagonal eigenproblem did not converge")
	}
	vals := es.Values(nil)
	return vals[0], vals[k-1], nil
}
