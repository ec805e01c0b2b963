package nn

import (
	"fmt"
	"math"
)

// The matrices of simplex equiangular tight frames (ETFs) for K classes,
// row-major float64, as the nearest-ETF classifier and its tests use
// them (arXiv:2411.01248):
//
//	M = I_K − (1/K)11ᵀ              the centring matrix: symmetric, idempotent, M1 = 0, tr M = K − 1
//	M_s = √(K/(K−1)) M              the standard simplex ETF: unit columns, pairwise cosine −1/(K−1)
//	Φ, K×(K−1)                      a Helmert basis: ΦᵀΦ = I, ΦΦᵀ = M
//
// A simplex ETF in d ≥ K dimensions is U·M_s for U with orthonormal
// columns; in d = K − 1 dimensions it is √(K/(K−1))·V·Φᵀ for V square
// orthogonal. It cannot live in fewer than K − 1 dimensions: its Gram
// matrix (K/(K−1))M has rank K − 1.

// CentringMatrix returns M = I_K − (1/K)11ᵀ.
func CentringMatrix(k int) []float64 {
	m := make([]float64, k*k)
	for i := range k {
		for j := range k {
			m[i*k+j] = -1 / float64(k)
		}
		m[i*k+i] += 1
	}
	return m
}

// Helmert returns a Helmert basis Φ [K, K−1] of the vectors orthogonal to
// 1: column j (1-based) is (1, …, 1, −j, 0, …, 0)/√(j(j+1)), with j ones.
// Its columns are orthonormal (ΦᵀΦ = I) and ΦΦᵀ = M.
func Helmert(k int) []float64 {
	r := k - 1
	phi := make([]float64, k*r)
	for c := range r {
		j := float64(c + 1)
		s := 1 / math.Sqrt(j*(j+1))
		for i := 0; i <= c; i++ {
			phi[i*r+c] = s
		}
		phi[(c+1)*r+c] = -j * s
	}
	return phi
}

// ETFScale is √(K/(K−1)), the factor that gives the centring matrix's
// columns unit norm.
func ETFScale(k int) float64 { return math.Sqrt(float64(k) / float64(k-1)) }

// CheckETFDims reports the dimensions for which no simplex ETF of k
// classes exists in d dimensions: k < 2, or d < k − 1.
func CheckETFDims(k, d int) error {
	switch {
	case k < 2:
		return fmt.Errorf("%d classes: a simplex ETF needs at least 2", k)
	case d < k-1:
		return fmt.Errorf("feature dimension d = %d < K − 1 = %d: a simplex ETF of K = %d classes spans K − 1 dimensions (its Gram matrix (K/(K−1))M has rank K − 1), so it does not fit in %d; use d ≥ K − 1 (d = K − 1 through the Helmert basis)",
			d, k-1, k, d)
	}
	return nil
}

// ETFBasis returns the matrix B [K, r] of the nearest-ETF problem in d
// dimensions, whose ETFs are U·Bᵀ·√(K/(K−1)) for U [d, r] with orthonormal
// columns: B = M (r = K) when d ≥ K, the Helmert basis Φ (r = K − 1) when
// d = K − 1.
func ETFBasis(k, d int) (basis []float64, r int, err error) {
	if err := CheckETFDims(k, d); err != nil {
		return nil, 0, err
	}
	if d == k-1 {
		return Helmert(k), k - 1, nil
	}
	return CentringMatrix(k), k, nil
}

// CanonicalETF returns the fixed classifier W [K, d] of the "fixed ETF"
// head: √(K/(K−1))·M·I_{K×d} for d ≥ K (the first K coordinates), or
// √(K/(K−1))·Φ for d = K − 1. Its rows have unit norm and pairwise
// cosine −1/(K−1).
func CanonicalETF(k, d int) ([]float64, error) {
	basis, r, err := ETFBasis(k, d)
	if err != nil {
		return nil, err
	}
	s := ETFScale(k)
	w := make([]float64, k*d)
	for i := range k {
		for j := range r {
			w[i*d+j] = s * basis[i*r+j]
		}
	}
	return w, nil
}
