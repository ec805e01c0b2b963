package solve

import "math"

// A Problem is a smooth objective f: ℝⁿ → ℝ given by callbacks on flat
// vectors. Grad and HessVec write into their last argument. Callbacks may
// fail (an evaluation error stops the solver).
type Problem struct {
	N       int
	Func    func(x []float64) (float64, error)
	Grad    func(x, g []float64) error
	HessVec func(x, v, hv []float64) error
}

// Constraints are equality constraints c(x) = 0, c: ℝⁿ → ℝᵐ, with their
// Jacobian A = Dc(x) given by products: JacVec writes A v (length M),
// JacTVec writes Aᵀw (length N), and HessVec writes Σᵢ wᵢ∇²cᵢ(x) v.
type Constraints struct {
	M       int
	Func    func(x, c []float64) error
	JacVec  func(x, v, av []float64) error
	JacTVec func(x, w, atw []float64) error
	HessVec func(x, w, v, hv []float64) error
}

// Settings are a minimisation's stopping rule: stop when ‖∇ₓL‖∞ ≤ Tol and
// ‖c‖∞ ≤ Tol; fail with ErrNotConverged after MaxIter outer iterations.
// When progress stalls at the rounding level of the callbacks (no step
// decreases the merit function), a point with ‖∇ₓL‖∞ and ‖c‖∞ ≤ Floor is
// accepted (Floor ≥ Tol; 0 means Tol): Tol is what the solver aims at,
// Floor what the caller can live with.
// LinearTol is the relative residual of the inner linear solves that must
// be accurate (multipliers, the last Newton steps): about 1e-10 when the
// callbacks compute in float64, 1e-5 in float32 (0 means 1e-10).
type Settings struct {
	Tol       float64
	MaxIter   int
	LinearTol float64
	Floor     float64
}

// floorIters is how many iterations a solver spends below Floor trying to
// reach Tol before it accepts the point: rounding can keep a solver
// "making progress" (steps that pass the tests on noise) forever.
const floorIters = 5

// stalled reports whether a point whose progress stalled is acceptable.
func (s Settings) stalled(gnorm, cnorm float64) bool {
	floor := max(s.Floor, s.Tol)
	return gnorm <= floor && cnorm <= floor
}

func (s Settings) linearTol() float64 {
	if s.LinearTol > 0 {
		return s.LinearTol
	}
	return 1e-10
}

// A Result is a minimiser and how it was found.
type Result struct {
	X []float64
	// Multipliers ν of the constraints, with ∇f + Aᵀν = 0 at a KKT point.
	Multipliers []float64
	F           float64
	// GradNorm is ‖∇ₓL‖∞ (‖grad f‖∞ on a manifold), ConstraintNorm ‖c‖∞.
	GradNorm, ConstraintNorm float64
	Iterations               int
	// HessVecs counts Hessian-vector products.
	HessVecs int
}

// counter wraps a problem's HessVec to count calls.
type counter struct {
	p Problem
	n int
}

func (c *counter) hessVec(x, v, hv []float64) error {
	c.n++
	return c.p.HessVec(x, v, hv)
}

// innerTol is the forcing term of an inexact Newton step: the inner
// solve stops at relative residual min(0.5, √‖g‖), which gives
// superlinear convergence.
func innerTol(gnorm float64) float64 { return min(0.5, math.Sqrt(gnorm)) }

// maxInner bounds the inner iterations of a Newton step.
func maxInner(n int) int { return min(2*n+20, 10000) }
