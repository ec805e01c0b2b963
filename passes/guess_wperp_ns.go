package passes

import (
	"math"

	"github.com/pushforward/pushforward/ir"
)

// WPerpNS guesses y = p⁵(Â)ᵀε (W̃⊥-NS, paper §3.2) with Â = A_b / ‖A_b‖₂
// and p(X) = a0·X + a1·X(XᵀX) + a2·X(XᵀX)² + a3·X(XᵀX)³, an odd
// polynomial that acts on the singular values alone. Its coefficients are
// fitted so that p⁵ approximates the step 1[s > σ_k] (methods/fwdgrad,
// nsfit) and come in as a data input per hidden layer, "<layer>.ns.coeffs"
// [4]: the caller picks the set from an estimate of σ_k that it refreshes
// now and then, as the reference code does. The spectral norm is estimated
// per example by power iteration and inflated by NSNormMargin; the
// coefficients are fitted on [0, 1.3], so a norm estimated up to about 25%
// low still sends every normalised singular value towards the step rather
// than beyond the polynomial's control. A zero Jacobian (no active unit)
// gives a zero guess. Cov(y) = V p⁵(Ŝ)² Vᵀ.
//
// The polynomial is applied to the dense per-example Jacobian: O(B·d²·d2)
// per product, five applications of four products each. It needs no SVD,
// but unlike wperp's subspace iteration it is cubic in the width.
var WPerpNS = registerGuessMethod(wperpNS{})

type wperpNS struct{ atPreActivations }

func (wperpNS) Name() string { return "wperp-ns" }

// Covariance: p⁵(s/(margin·s₁))² on each singular value s = √λ, with the
// coefficients s.Inputs.
func (wperpNS) Covariance(s GuessSpectrum) ([]float64, error) {
	norm := math.Sqrt(math.Max(s.top(), 0)) * NSNormMargin
	return s.spectral(func(l float64) float64 {
		p := NSPower(s.Inputs, math.Sqrt(math.Max(l, 0))/norm)
		return p * p
	}), nil
}

// NSPower applies the Newton–Schulz polynomial with coefficients c to x
// five times: the scalar form of wperp-ns's guess on one normalised
// singular value.
func NSPower(c []float64, x float64) float64 {
	for range nsSteps {
		x2 := x * x
		x *= c[0] + x2*(c[1]+x2*(c[2]+x2*c[3]))
	}
	return x
}

const (
	nsSteps      = 5    // applications of p
	nsPowerIters = 20   // power iterations for the spectral norm
	NSNormMargin = 1.05 // safety factor on the estimated norm (exported for the callers that choose coefficients)
)

// prepare adds the coefficient inputs, one per hidden layer.
func (wperpNS) prepare(gb *guessBuilder) error {
	for _, l := range gb.layers[:len(gb.layers)-1] {
		v := gb.r.addParam(layerName(l)+".ns.coeffs", ir.TensorOf(l.Pre.Type.DType, 4), ir.Data)
		gb.inputs = append(gb.inputs, v)
		gb.inputNames = append(gb.inputNames, v.Name)
	}
	return nil
}

func (wperpNS) hidden(gb *guessBuilder, i int) (*ir.Value, error) {
	e, T := gb.r.e, gb.r.T
	l, next := gb.layers[i], gb.layers[i+1]
	a, err := gb.denseJacobian(l, next) // [B, d2, d]
	if err != nil {
		return nil, err
	}
	norm := scale(e, spectralNorm(e, a), NSNormMargin)
	tiny := scalar(e, norm.Type.DType, 1e-30)
	x := div(e, a, emit1(e, ir.OpMaximum, nil, norm, tiny))
	coef := gb.inputs[i]
	c := make([]*ir.Value, 4)
	for k := range c {
		c[k] = reshape(e, emit1(e, ir.OpSlice, ir.Attrs{"start": ir.Ints(k), "stop": ir.Ints(k + 1)}, coef), ir.Shape{})
	}
	for range nsSteps {
		x = nsPoly(e, x, c)
	}
	eps := gb.noise(next.Pre.Type, gb.streamOf(l.Pre))
	y := matmul(e, x, toColumns(e, eps, T), true, false) // [B, d, T']
	return fromColumns(e, y, l.Pre.Type, T), nil
}

// nsPoly emits p(X) for a batch of matrices X [B, r, c], with the Gram
// matrix on the smaller side: (c0 + c1 G + c2 G² + c3 G³) X with G = XXᵀ,
// or X (c0 + c1 G + c2 G² + c3 G³) with G = XᵀX, by Horner's rule.
func nsPoly(e *ir.Writer, x *ir.Value, c []*ir.Value) *ir.Value {
	s := x.Type.Shape
	left := s[1] <= s[2]
	var g *ir.Value
	if left {
		g = matmul(e, x, x, false, true)
	} else {
		g = matmul(e, x, x, true, false)
	}
	y := mul(e, x, c[3])
	for k := 2; k >= 0; k-- {
		var gy *ir.Value
		if left {
			gy = matmul(e, g, y, false, false)
		} else {
			gy = matmul(e, y, g, false, false)
		}
		y = add(e, mul(e, x, c[k]), gy)
	}
	return y
}

// spectralNorm emits the per-example largest singular value of a
// [B, r, c] by power iteration on aᵀa, shaped [B, 1, 1].
func spectralNorm(e *ir.Writer, a *ir.Value) *ir.Value {
	s := a.Type.Shape
	d := a.Type.DType
	v := full(e, ir.TensorOf(d, s[0], s[2], 1), 1)
	tiny := scalar(e, d, 1e-30) // a zero matrix keeps v at zero, not NaN
	unit := func(v *ir.Value) *ir.Value {
		n := emit1(e, ir.OpSqrt, nil, reduceSum(e, mul(e, v, v), []int{1, 2}, true))
		return div(e, v, emit1(e, ir.OpMaximum, nil, n, tiny))
	}
	v = unit(v)
	for range nsPowerIters {
		v = unit(matmul(e, a, matmul(e, a, v, false, false), true, false))
	}
	av := matmul(e, a, v, false, false)
	return emit1(e, ir.OpSqrt, nil, reduceSum(e, mul(e, av, av), []int{1, 2}, true))
}
