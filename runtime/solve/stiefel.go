package solve

import (
	"fmt"
	"math"
)

// A Block is a matrix variable inside a flat vector: Rows×Cols entries,
// row-major, from Offset.
type Block struct {
	Offset, Rows, Cols int
}

// A Manifold is a product of Stiefel manifolds St(n,k) = {X ∈ ℝⁿˣᵏ :
// XᵀX = I}, one per Block, and ℝ for every other coordinate of a flat
// vector of length N, with the metric the Euclidean one restricted.
type Manifold struct {
	N       int
	Stiefel []Block
}

func (b Block) view(x []float64) []float64 { return x[b.Offset : b.Offset+b.Rows*b.Cols] }

// Project maps v onto the tangent space at x, in place: on each Stiefel
// block V − X sym(XᵀV).
func (m Manifold) Project(x, v []float64) {
	for _, b := range m.Stiefel {
		xb, vb := b.view(x), b.view(v)
		s := gram(xb, vb, b.Rows, b.Cols)
		symmetrise(s, b.Cols)
		mulSub(vb, xb, s, b.Rows, b.Cols)
	}
}

// Retract sets out = R_x(v): on each Stiefel block the Q factor of X + V
// with a positive diagonal in R (by Gram–Schmidt, twice), elsewhere
// x + v.
func (m Manifold) Retract(x, v, out []float64) error {
	for i := range out {
		out[i] = x[i] + v[i]
	}
	for _, b := range m.Stiefel {
		if err := orthonormalise(b.view(out), b.Rows, b.Cols); err != nil {
			return err
		}
	}
	return nil
}

// Weingarten subtracts from hv, in place, the curvature term of the
// Riemannian Hessian on each Stiefel block: V sym(Xᵀ∇f). With it,
// Hess f(x)[v] = P_x(∇²f v − V sym(Xᵀ∇f)).
func (m Manifold) Weingarten(x, egrad, v, hv []float64) {
	for _, b := range m.Stiefel {
		s := gram(b.view(x), b.view(egrad), b.Rows, b.Cols)
		symmetrise(s, b.Cols)
		mulSub(b.view(hv), b.view(v), s, b.Rows, b.Cols)
	}
}

// Start returns a point of the manifold near x: x with each Stiefel block
// orthonormalised, or, where a block is zero or rank deficient, the first
// columns of the identity.
func (m Manifold) Start(x []float64) []float64 {
	out := append([]float64(nil), x...)
	for _, b := range m.Stiefel {
		xb := b.view(out)
		if orthonormalise(xb, b.Rows, b.Cols) != nil {
			clear(xb)
			for j := range b.Cols {
				xb[j*b.Cols+j] = 1
			}
		}
	}
	return out
}

// gram returns AᵀB for row-major n×k blocks a, b (k×k, row-major).
func gram(a, b []float64, n, k int) []float64 {
	s := make([]float64, k*k)
	for r := range n {
		ar, br := a[r*k:(r+1)*k], b[r*k:(r+1)*k]
		for i, ai := range ar {
			if ai == 0 {
				continue
			}
			row := s[i*k : (i+1)*k]
			for j, bj := range br {
				row[j] += ai * bj
			}
		}
	}
	return s
}

func symmetrise(s []float64, k int) {
	for i := range k {
		for j := i + 1; j < k; j++ {
			v := (s[i*k+j] + s[j*k+i]) / 2
			s[i*k+j], s[j*k+i] = v, v
		}
	}
}

// mulSub sets v = v − X S for row-major n×k v, x and k×k s.
func mulSub(v, x, s []float64, n, k int) {
	for r := range n {
		xr, vr := x[r*k:(r+1)*k], v[r*k:(r+1)*k]
		for i, xi := range xr {
			if xi == 0 {
				continue
			}
			axpy(-xi, s[i*k:(i+1)*k], vr)
		}
	}
}

// orthonormalise replaces the n×k row-major a by the Q factor of its QR
// factorisation with a positive diagonal in R: Gram–Schmidt, each column
// orthogonalised twice against the previous ones.
func orthonormalise(a []float64, n, k int) error {
	col := make([]float64, n)
	for j := range k {
		for r := range n {
			col[r] = a[r*k+j]
		}
		norm0 := norm2(col)
		for range 2 {
			for i := range j {
				s := 0.0
				for r := range n {
					s += a[r*k+i] * col[r]
				}
				for r := range n {
					col[r] -= s * a[r*k+i]
				}
			}
		}
		nc := norm2(col)
		if !(nc > 1e-12*norm0) || nc == 0 {
			return fmt.Errorf("column %d of the %d×%d matrix is linearly dependent on the others (QR retraction)", j, n, k)
		}
		for r := range n {
			a[r*k+j] = col[r] / nc
		}
	}
	return nil
}

const rtrMethod = "riemannian trust regions"

// RiemannianTR minimises p over the manifold m from x0 (moved onto m by
// Manifold.Start) by Riemannian trust regions: each step solves the
// model min ⟨g, η⟩ + ½⟨η, Hess f[η]⟩, ‖η‖ ≤ Δ in the tangent space by
// truncated conjugate gradients (Steihaug–Toint), retracts, and accepts
// the step when the actual decrease is at least a tenth of the model's
// (ρ > 0.1); Δ shrinks by 4 when ρ < ¼ and doubles when ρ > ¾ on the
// boundary. Near the solution, where rounding hides the decrease of f, a
// step that reduces ‖grad f‖ is accepted instead. It stops when the
// Riemannian gradient's ‖grad f‖∞ ≤ s.Tol.
func RiemannianTR(p Problem, m Manifold, x0 []float64, s Settings) (*Result, error) {
	n := p.N
	cnt := &counter{p: p}
	x := m.Start(x0)
	f, err := p.Func(x)
	if err != nil {
		return nil, wrap(rtrMethod, "objective", 0, err)
	}
	eg, rg := make([]float64, n), make([]float64, n)
	grad := func(x []float64) error {
		if err := p.Grad(x, eg); err != nil {
			return err
		}
		copy(rg, eg)
		m.Project(x, rg)
		return nil
	}
	if err := grad(x); err != nil {
		return nil, wrap(rtrMethod, "gradient", 0, err)
	}
	hess := func(v, out []float64) error {
		if err := cnt.hessVec(x, v, out); err != nil {
			return err
		}
		m.Weingarten(x, eg, v, out)
		m.Project(x, out)
		return nil
	}
	maxRadius := math.Sqrt(float64(n))
	radius := maxRadius / 8
	xn := make([]float64, n)
	eta, heta := make([]float64, n), make([]float64, n)
	atFloor := 0
	for it := 0; ; it++ {
		gnorm := normInf(rg)
		if !finite(f, gnorm) {
			return nil, fail(rtrMethod, "", it, ErrNonFinite, "f = %g, ‖grad f‖∞ = %g", f, gnorm)
		}
		if s.stalled(gnorm, 0) {
			atFloor++
		}
		if gnorm <= s.Tol || atFloor > floorIters {
			return &Result{X: x, F: f, GradNorm: gnorm, Iterations: it, HessVecs: cnt.n}, nil
		}
		if it >= s.MaxIter {
			return nil, fail(rtrMethod, "", it, ErrNotConverged, "‖grad f‖∞ = %.3g after %d iterations, want ≤ %.3g", gnorm, it, s.Tol)
		}
		boundary, err := steihaug(hess, func(v []float64) { m.Project(x, v) }, rg, eta, heta, radius, innerTol(norm2(rg)))
		if err != nil {
			return nil, wrap(rtrMethod, "trust-region step", it, err)
		}
		if err := m.Retract(x, eta, xn); err != nil {
			return nil, wrap(rtrMethod, "retraction", it, err)
		}
		fNew, err := p.Func(xn)
		if err != nil {
			return nil, wrap(rtrMethod, "objective", it, err)
		}
		model := -(dot(rg, eta) + dot(eta, heta)/2)
		rho := (f - fNew) / model
		noise := 1e-12 * (1 + math.Abs(f))
		accept := rho > 0.1 && model > 0
		if !accept && model <= noise && math.Abs(f-fNew) <= noise {
			// At the noise floor the ratio means nothing: accept a step
			// that reduces the gradient.
			saved := append([]float64(nil), rg...)
			if err := grad(xn); err != nil {
				return nil, wrap(rtrMethod, "gradient", it, err)
			}
			accept = normInf(rg) < gnorm
			copy(rg, saved)
			if !accept {
				if err := grad(x); err != nil {
					return nil, wrap(rtrMethod, "gradient", it, err)
				}
				if s.stalled(gnorm, 0) {
					return &Result{X: x, F: f, GradNorm: gnorm, Iterations: it, HessVecs: cnt.n}, nil
				}
				return nil, fail(rtrMethod, "", it, ErrLineSearch, "stalled at the rounding level of f = %.17g with ‖grad f‖∞ = %.3g > %.3g", f, gnorm, s.Tol)
			}
		}
		switch {
		case rho < 0.25 || !(model > 0):
			radius /= 4
		case rho > 0.75 && boundary:
			radius = min(2*radius, maxRadius)
		}
		if accept {
			x, xn = xn, x
			f = fNew
			if err := grad(x); err != nil {
				return nil, wrap(rtrMethod, "gradient", it, err)
			}
		}
		if radius < 1e-14*maxRadius {
			if s.stalled(normInf(rg), 0) {
				return &Result{X: x, F: f, GradNorm: normInf(rg), Iterations: it, HessVecs: cnt.n}, nil
			}
			return nil, fail(rtrMethod, "", it, ErrLineSearch, "the trust region collapsed (Δ = %.3g) with ‖grad f‖∞ = %.3g > %.3g", radius, gnorm, s.Tol)
		}
	}
}

// steihaug solves min ⟨g, η⟩ + ½⟨η, H η⟩ over ‖η‖ ≤ Δ approximately by
// truncated CG in the tangent space (project keeps the iterates there
// against rounding): it stops at relative residual tol, on the boundary,
// or at non-positive curvature (then on the boundary along it). It writes
// η and H η, and reports whether η is on the boundary.
func steihaug(hess Operator, project func([]float64), g, eta, heta []float64, radius, tol float64) (bool, error) {
	n := len(g)
	clear(eta)
	clear(heta)
	r := append([]float64(nil), g...)
	d := make([]float64, n)
	for i := range d {
		d[i] = -r[i]
	}
	hd := make([]float64, n)
	rr := dot(r, r)
	r0 := math.Sqrt(rr)
	for j := range maxInner(n) {
		if err := hess(d, hd); err != nil {
			return false, err
		}
		dhd := dot(d, hd)
		alpha := rr / dhd
		ee, ed, dd := dot(eta, eta), dot(eta, d), dot(d, d)
		if !(dhd > 0) || ee+2*alpha*ed+alpha*alpha*dd >= radius*radius {
			// To the boundary: τ ≥ 0 with ‖η + τd‖ = Δ.
			tau := (-ed + math.Sqrt(ed*ed+dd*(radius*radius-ee))) / dd
			axpy(tau, d, eta)
			axpy(tau, hd, heta)
			return true, nil
		}
		if !finite(alpha) {
			return false, fail("truncated CG", "", j, ErrNonFinite, "dᵀHd = %g", dhd)
		}
		axpy(alpha, d, eta)
		axpy(alpha, hd, heta)
		axpy(alpha, hd, r)
		project(r)
		rrNew := dot(r, r)
		if math.Sqrt(rrNew) <= tol*r0 {
			return false, nil
		}
		beta := rrNew / rr
		rr = rrNew
		for i := range d {
			d[i] = -r[i] + beta*d[i]
		}
		project(d)
	}
	return false, nil
}
