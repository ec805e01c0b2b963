package reduction

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"
)

// GradientRule chooses how the reduced objective's gradient is computed.
type GradientRule int

const (
	// ChainRule differentiates F = f∘Φ as a whole in reverse mode:
	// ∇F = ∇_{x₁}f + Jᵀ∇_{x₂}f, through the implicit-function rule of an
	// argmin map.
	ChainRule GradientRule = iota
	// Danskin uses ∇_{x₁}f(Φ(x₁)) alone: ∇F when Ψ is the exact inner
	// argmin of f (∇_{x₂}f = 0 on the graph), and no derivative of Ψ.
	Danskin
)

// Reduced returns F as an Objective over x₁, its gradient by rule.
func (r *Reduction) Reduced(rule GradientRule) (Objective, error) {
	grad := r.Gradient
	id := kReducedGrad
	if rule == Danskin {
		grad, id = r.PartialGradient, kFrozenGrad
	}
	if _, err := r.kernel(id); err != nil {
		return nil, err
	}
	return objective{dim: r.problem.N1, value: r.Value, grad: grad}, nil
}

// Full returns f as an Objective over x = (x₁, x₂) concatenated.
func (r *Reduction) Full() (Objective, error) {
	if _, err := r.kernel(kObjectiveGrad); err != nil {
		return nil, err
	}
	if _, err := r.kernel(kObjective); err != nil {
		return nil, err
	}
	return objective{dim: r.problem.N1 + r.problem.N2, value: r.FullValue, grad: r.FullGradient}, nil
}

type objective struct {
	dim   int
	value func(x []float64) (float64, error)
	grad  func(x, g []float64) (float64, error)
}

func (o objective) Dim() int                                    { return o.dim }
func (o objective) Value(x []float64) (float64, error)          { return o.value(x) }
func (o objective) Gradient(x, grad []float64) (float64, error) { return o.grad(x, grad) }

// MetricCG is the preconditioner of GeoPrecGD: it solves R(x₁) d = g for
// the pullback metric R = I + JᵀJ by conjugate gradients on the products
// R·v of the reduction's metric kernel, to a residual ‖g − R d‖ ≤ Tol‖g‖.
type MetricCG struct {
	r   *Reduction
	cg  CG
	tol float64
	// Iterations counts the conjugate-gradient iterations of all solves.
	Iterations int
}

// DefaultCGTol is MetricCG's default relative residual.
const DefaultCGTol = 1e-12

// MetricPreconditioner returns the GeoPrecGD preconditioner of r, solving
// to the relative residual tol (0: DefaultCGTol).
func (r *Reduction) MetricPreconditioner(tol float64) (*MetricCG, error) {
	if tol == 0 {
		tol = DefaultCGTol
	}
	if !(tol > 0 && tol < 1) {
		return nil, fmt.Errorf("reduction: CG tolerance %g, want 0 < tol < 1", tol)
	}
	if _, err := r.kernel(kMetricVec); err != nil {
		return nil, err
	}
	return &MetricCG{r: r, tol: tol, cg: NewCG(r.problem.N1)}, nil
}

// Solve writes R(x)⁻¹ g into d.
func (m *MetricCG) Solve(x, g, d []float64) error {
	apply := func(v, out []float64) error { return m.r.MetricVec(x, v, out) }
	it, err := m.cg.Solve(apply, g, d, m.tol, 10*len(g))
	m.Iterations += it
	return err
}

// CG solves symmetric positive definite systems A d = b by conjugate
// gradients, given the products A·v; it keeps its work vectors.
type CG struct {
	r, p, ap []float64
}

// NewCG returns a solver for systems of order n.
func NewCG(n int) CG {
	return CG{r: make([]float64, n), p: make([]float64, n), ap: make([]float64, n)}
}

// Solve writes into d the solution of A d = b, from d = 0, stopping when
// ‖b − A d‖₂ ≤ tol‖b‖₂, and returns the number of iterations. It fails
// after maxIter iterations, or when A shows a non-positive curvature.
func (c CG) Solve(apply func(v, out []float64) error, b, d []float64, tol float64, maxIter int) (int, error) {
	clear(d)
	copy(c.r, b)
	copy(c.p, b)
	rr := floats.Dot(c.r, c.r)
	stop := tol * tol * rr
	for k := 0; ; k++ {
		if rr <= stop {
			return k, nil
		}
		if k == maxIter {
			return k, fmt.Errorf("conjugate gradients: residual %.3g after %d iterations, want %.3g", math.Sqrt(rr), k, math.Sqrt(stop))
		}
		if err := apply(c.p, c.ap); err != nil {
			return k, err
		}
		pap := floats.Dot(c.p, c.ap)
		if !(pap > 0) {
			return k, fmt.Errorf("conjugate gradients: curvature pᵀAp = %g at iteration %d: the operator is not positive definite", pap, k)
		}
		alpha := rr / pap
		floats.AddScaled(d, alpha, c.p)
		floats.AddScaled(c.r, -alpha, c.ap)
		next := floats.Dot(c.r, c.r)
		floats.AddScaledTo(c.p, c.r, next/rr, c.p)
		rr = next
	}
}
