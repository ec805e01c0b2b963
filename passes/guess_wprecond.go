package passes

import (
	"math"

	"github.com/pushforward/pushforward/ir"
)

// WPrecond guesses y = (W̃ᵀW̃ + σI)^{-1/2} W̃ᵀ ε (W̃ᴾ): W̃ᵀ's guess
// preconditioned by the segment's own Gram matrix, which flattens its
// spectrum. Cov(y) = Aᵀ(AAᵀ + σI)⁻¹A, eigenvalues λ/(λ + σ).
var WPrecond = registerGuessMethod(wprecond{})

type wprecond struct{ atPreActivations }

func (wprecond) Name() string { return "wprecond" }

func (wprecond) Covariance(s GuessSpectrum) ([]float64, error) {
	return s.spectral(func(l float64) float64 { l = math.Max(l, 0); return l / (l + s.Sigma) }), nil
}

func (wprecond) hidden(gb *guessBuilder, i int) (*ir.Value, error) {
	l, next := gb.layers[i], gb.layers[i+1]
	if gb.opts.Exact {
		return gb.precondGuess(l, next)
	}
	return gb.precondCholesky(l, next)
}

// precondGuess emits y = (AᵀA + σI)^{-1/2} Aᵀε per example (W̃ᴾ), by an
// eigendecomposition of the dense d×d matrix AᵀA: the reference for
// precondCholesky.
func (gb *guessBuilder) precondGuess(l, next Layer) (*ir.Value, error) {
	e, T := gb.r.e, gb.r.T
	a, err := gb.denseJacobian(l, next)
	if err != nil {
		return nil, err
	}
	w, q := eigh2(e, matmul(e, a, a, true, false)) // AᵀA = Q diag(w) Qᵀ
	eps := gb.noise(next.Pre.Type, gb.streamOf(l.Pre))
	u, err := gb.applySegment(l, next, eps, false) // Aᵀε
	if err != nil {
		return nil, err
	}
	ub := toColumns(e, u, T) // [B, d, T']
	c := matmul(e, q, ub, true, false)
	ws := emit1(e, ir.OpPow, ir.Attrs{"exponent": ir.Float(-0.5)}, add(e, w, scalar(e, w.Type.DType, gb.opts.Sigma)))
	c = mul(e, c, reshape(e, ws, append(ws.Type.Shape.Clone(), 1)))
	return fromColumns(e, matmul(e, q, c, false, false), l.Pre.Type, T), nil
}

// precondCholesky emits W̃ᴾ's guesses without an eigendecomposition. The
// guess y = (AᵀA + σI)^{-1/2} Aᵀε is Gaussian with covariance
// Aᵀ(AAᵀ + σI)⁻¹A (push the inverse square root through Aᵀ), and so is
// y = Aᵀ L⁻ᵀ ε' with L Lᵀ = AAᵀ + σI: the same guess distribution, hence
// the same estimator, from a Cholesky factor of the d2×d2 Gram matrix of
// the rows of A (the segment's transpose applied to the identity).
func (gb *guessBuilder) precondCholesky(l, next Layer) (*ir.Value, error) {
	e, T := gb.r.e, gb.r.T
	dt := l.Pre.Type.DType
	B, d2 := l.Pre.Type.Shape[0], next.Pre.Type.Shape[1]
	eye := identity(e, dt, d2)
	rows, err := gb.applySegment(l, next, broadcastTo(e, reshape(e, eye, ir.Shape{d2, 1, d2}), ir.Shape{d2, B, d2}), false) // [d2, B, d]
	if err != nil {
		return nil, err
	}
	a := transpose(e, rows, []int{1, 0, 2}) // A [B, d2, d]
	lch := emit1(e, ir.OpCholesky, nil, add(e, matmul(e, a, a, false, true), scale(e, eye, gb.opts.Sigma)))
	eps := gb.normal(ir.TensorOf(dt, B, d2, max(T, 1)), gb.streamOf(l.Pre))
	u := emit1(e, ir.OpTriangularSolve, ir.Attrs{"transpose_a": ir.Bool(true)}, lch, eps) // L⁻ᵀ ε'
	return fromColumns(e, matmul(e, a, u, true, false), l.Pre.Type, T), nil
}
