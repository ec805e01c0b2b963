package fwdgrad

//go:generate go run ./internal/nsfit -o ns_coefficients.go

import "math"

// NSCoefficients returns the Newton–Schulz coefficient set of W̃⊥-NS for
// an upstream Jacobian whose k-th singular value, relative to the largest,
// is sigmaK, and the fit's largest error outside the band |x − σ| < 0.05
// around the set's σ. Sets exist for σ = 0.1, …, 0.9; the nearest is used
// (the reference code truncates int(10σ); rounding is the nearest set).
func NSCoefficients(sigmaK float64) (coeffs [4]float64, sigma, maxErr float64) {
	i := int(math.Round(sigmaK*10)) - 1
	i = max(0, min(8, i))
	return nsCoefficients[i], float64(i+1) / 10, nsMaxError[i]
}
