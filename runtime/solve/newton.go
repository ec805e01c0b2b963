package solve

import (
	"math"
)

// Armijo's sufficient-decrease constant and the line search's halvings.
const (
	armijoC      = 1e-4
	maxHalvings  = 60
	newtonMethod = "newton-cg"
)

// NewtonCG minimises p from x0 by truncated Newton steps: conjugate
// gradients on H d = −∇f (H by Hessian-vector products), stopped at the
// forcing tolerance or at a direction of non-positive curvature (then
// the step so far, or −∇f at the first inner iteration), followed by an
// Armijo backtracking line search from the full step (η₀ = 1, halving,
// c = 1e-4). Near the solution, where rounding hides the decrease of f,
// a full step that reduces ‖∇f‖ is accepted instead. It stops when
// ‖∇f‖∞ ≤ s.Tol.
func NewtonCG(p Problem, x0 []float64, s Settings) (*Result, error) {
	n := p.N
	cnt := &counter{p: p}
	x := append([]float64(nil), x0...)
	f, err := p.Func(x)
	if err != nil {
		return nil, wrap(newtonMethod, "objective", 0, err)
	}
	g := make([]float64, n)
	if err := p.Grad(x, g); err != nil {
		return nil, wrap(newtonMethod, "gradient", 0, err)
	}
	d, xn, gn := make([]float64, n), make([]float64, n), make([]float64, n)
	atFloor := 0
	for it := 0; ; it++ {
		gnorm := normInf(g)
		if !finite(f, gnorm) {
			return nil, fail(newtonMethod, "", it, ErrNonFinite, "f = %g, ‖∇f‖∞ = %g", f, gnorm)
		}
		if s.stalled(gnorm, 0) {
			atFloor++
		}
		if gnorm <= s.Tol || atFloor > floorIters {
			return &Result{X: x, F: f, GradNorm: gnorm, Iterations: it, HessVecs: cnt.n}, nil
		}
		if it >= s.MaxIter {
			return nil, fail(newtonMethod, "", it, ErrNotConverged, "‖∇f‖∞ = %.3g after %d iterations, want ≤ %.3g", gnorm, it, s.Tol)
		}
		if err := truncatedCG(cnt.hessVec, x, g, d, innerTol(norm2(g))); err != nil {
			return nil, wrap(newtonMethod, "Newton step", it, err)
		}
		slope := dot(g, d)
		if !(slope < 0) {
			for i := range d {
				d[i] = -g[i]
			}
			slope = -dot(g, g)
		}
		fNew, ok, err := armijo(p.Func, x, d, f, slope, xn)
		if err != nil {
			return nil, wrap(newtonMethod, "line search", it, err)
		}
		if !ok {
			// Rounding may hide the decrease: accept the full step if it
			// reduces the gradient.
			for i := range xn {
				xn[i] = x[i] + d[i]
			}
			if err := p.Grad(xn, gn); err != nil {
				return nil, wrap(newtonMethod, "gradient", it, err)
			}
			if !(normInf(gn) < gnorm) {
				if s.stalled(gnorm, 0) {
					return &Result{X: x, F: f, GradNorm: gnorm, Iterations: it, HessVecs: cnt.n}, nil
				}
				return nil, fail(newtonMethod, "line search", it, ErrLineSearch,
					"no step along the Newton direction decreases f = %.17g (slope %.3g, ‖∇f‖∞ = %.3g)", f, slope, gnorm)
			}
			if fNew, err = p.Func(xn); err != nil {
				return nil, wrap(newtonMethod, "objective", it, err)
			}
		}
		x, xn = xn, x
		f = fNew
		if ok {
			if err := p.Grad(x, g); err != nil {
				return nil, wrap(newtonMethod, "gradient", it, err)
			}
		} else {
			g, gn = gn, g
		}
	}
}

// armijo backtracks from the full step along d: the first t = 2⁻ʲ with
// f(x + t d) ≤ f + c t slope. It writes the point into xn and reports
// whether it found one.
func armijo(fn func([]float64) (float64, error), x, d []float64, f, slope float64, xn []float64) (fNew float64, ok bool, err error) {
	t := 1.0
	for range maxHalvings {
		for i := range xn {
			xn[i] = x[i] + t*d[i]
		}
		fNew, err = fn(xn)
		if err != nil {
			return 0, false, err
		}
		if fNew <= f+armijoC*t*slope && !math.IsNaN(fNew) {
			return fNew, true, nil
		}
		t /= 2
	}
	return 0, false, nil
}

// truncatedCG sets d to an approximate solution of H d = −g by conjugate
// gradients (Steihaug's truncation: at a direction of non-positive
// curvature it returns the iterate so far, or −g at the first step),
// stopping at ‖H d + g‖₂ ≤ tol‖g‖₂.
func truncatedCG(hv func(x, v, hv []float64) error, x, g, d []float64, tol float64) error {
	n := len(g)
	clear(d)
	r := make([]float64, n) // r = −g − H d
	for i := range r {
		r[i] = -g[i]
	}
	p := append([]float64(nil), r...)
	hp := make([]float64, n)
	rr := dot(r, r)
	gn := math.Sqrt(rr)
	for j := range maxInner(n) {
		if math.Sqrt(rr) <= tol*gn {
			return nil
		}
		if err := hv(x, p, hp); err != nil {
			return err
		}
		php := dot(p, hp)
		if !finite(php) {
			return fail("truncated CG", "", j, ErrNonFinite, "pᵀHp = %g", php)
		}
		if php <= 0 {
			if j == 0 {
				copy(d, r)
			}
			return nil
		}
		alpha := rr / php
		axpy(alpha, p, d)
		axpy(-alpha, hp, r)
		rrNew := dot(r, r)
		beta := rrNew / rr
		rr = rrNew
		for i := range p {
			p[i] = r[i] + beta*p[i]
		}
	}
	return nil
}
