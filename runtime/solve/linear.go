package solve

import (
	"math"
)

// An Operator applies a linear map: av = A v. Its error stops the solver.
type Operator func(v, av []float64) error

// LinearStats describe a linear solve.
type LinearStats struct {
	Iterations int
	// Residual is ‖b − A x‖₂ / ‖b‖₂ as the method tracks it.
	Residual float64
}

// CG solves A x = b for a symmetric positive definite A by conjugate
// gradients, starting from the x given (zeros for none), until
// ‖b − A x‖₂ ≤ tol‖b‖₂. A direction p with pᵀAp ≤ 0 shows that A is not
// positive definite (indefinite, or singular along p): an error wrapping
// ErrIndefinite, as is running out of maxIter iterations
// (ErrNotConverged).
func CG(a Operator, b, x []float64, tol float64, maxIter int) (LinearStats, error) {
	const method = "conjugate gradients"
	n := len(b)
	r := make([]float64, n)
	ap := make([]float64, n)
	if err := a(x, ap); err != nil {
		return LinearStats{}, wrap(method, "matvec", 0, err)
	}
	for i := range r {
		r[i] = b[i] - ap[i]
	}
	bn := norm2(b)
	if bn == 0 {
		clear(x)
		return LinearStats{}, nil
	}
	p := append([]float64(nil), r...)
	rr := dot(r, r)
	for it := 0; ; it++ {
		res := math.Sqrt(rr) / bn
		if !finite(res) {
			return LinearStats{it, res}, fail(method, "", it, ErrNonFinite, "the residual is %g", res)
		}
		if res <= tol {
			return LinearStats{it, res}, nil
		}
		if it >= maxIter {
			return LinearStats{it, res}, fail(method, "", it, ErrNotConverged, "relative residual %.3g after %d iterations, want ≤ %.3g", res, it, tol)
		}
		if err := a(p, ap); err != nil {
			return LinearStats{it, res}, wrap(method, "matvec", it, err)
		}
		pap := dot(p, ap)
		if !(pap > 0) {
			return LinearStats{it, res}, fail(method, "", it, ErrIndefinite,
				"pᵀAp = %.3g ≤ 0 along a search direction (‖p‖² = %.3g)", pap, dot(p, p))
		}
		alpha := rr / pap
		axpy(alpha, p, x)
		axpy(-alpha, ap, r)
		rrNew := dot(r, r)
		beta := rrNew / rr
		rr = rrNew
		for i := range p {
			p[i] = r[i] + beta*p[i]
		}
	}
}

// MINRES solves A x = b for a symmetric A, possibly indefinite (Paige and
// Saunders' minimum-residual method; no preconditioner), starting from
// zero, until ‖b − A x‖₂ ≤ tol‖b‖₂. It fails with ErrSingular when A is
// singular to working precision or b is not in its range (the residual
// stalls while Aᵀr vanishes), and with ErrNotConverged after maxIter
// iterations.
func MINRES(a Operator, b, x []float64, tol float64, maxIter int) (LinearStats, error) {
	const method = "MINRES"
	const eps = 0x1p-52
	n := len(b)
	clear(x)
	beta1 := norm2(b)
	if beta1 == 0 {
		return LinearStats{}, nil
	}
	r1 := append([]float64(nil), b...)
	r2 := append([]float64(nil), b...)
	y := append([]float64(nil), b...)
	v := make([]float64, n)
	w := make([]float64, n)
	w1 := make([]float64, n)
	w2 := make([]float64, n)
	oldb, beta := 0.0, beta1
	dbar, epsln, phibar, rhs1, rhs2 := 0.0, 0.0, beta1, beta1, 0.0
	tnorm2, gmax, gmin := 0.0, 0.0, math.MaxFloat64
	cs, sn := -1.0, 0.0
	for it := 1; ; it++ {
		s := 1 / beta
		for i := range v {
			v[i] = s * y[i]
		}
		if err := a(v, y); err != nil {
			return LinearStats{it, phibar / beta1}, wrap(method, "matvec", it, err)
		}
		if it >= 2 {
			axpy(-beta/oldb, r1, y)
		}
		alfa := dot(v, y)
		axpy(-alfa/beta, r2, y)
		r1, r2 = r2, r1
		copy(r2, y)
		oldb = beta
		beta = norm2(r2)
		tnorm2 += alfa*alfa + oldb*oldb + beta*beta

		oldeps := epsln
		delta := cs*dbar + sn*alfa
		gbar := sn*dbar - cs*alfa
		epsln = sn * beta
		dbar = -cs * beta
		root := math.Hypot(gbar, dbar)
		gamma := max(math.Hypot(gbar, beta), eps)
		cs, sn = gbar/gamma, beta/gamma
		phi := cs * phibar
		phibar = sn * phibar
		w1, w2, w = w2, w, w1
		for i := range w {
			w[i] = (v[i] - oldeps*w1[i] - delta*w2[i]) / gamma
		}
		axpy(phi, w, x)
		gmax, gmin = max(gmax, gamma), min(gmin, gamma)
		z := rhs1 / gamma
		rhs1 = rhs2 - delta*z
		rhs2 = -epsln * z

		anorm := math.Sqrt(tnorm2)
		res := phibar / beta1
		switch {
		case !finite(res, anorm):
			return LinearStats{it, res}, fail(method, "", it, ErrNonFinite, "the residual is %g", res)
		case res <= tol:
			return LinearStats{it, res}, nil
		case gmax/gmin >= 0.1/eps:
			return LinearStats{it, res}, fail(method, "", it, ErrSingular,
				"condition estimate %.3g, beyond working precision; relative residual %.3g", gmax/gmin, res)
		case anorm > 0 && root/anorm <= min(tol, 1e-12):
			return LinearStats{it, res}, fail(method, "", it, ErrSingular,
				"the right-hand side is outside the operator's range (least-squares residual %.3g of ‖b‖)", res)
		case beta == 0:
			// An invariant subspace without reaching the tolerance: the
			// system is inconsistent.
			return LinearStats{it, res}, fail(method, "", it, ErrSingular, "Lanczos breakdown at relative residual %.3g", res)
		case it >= maxIter:
			return LinearStats{it, res}, fail(method, "", it, ErrNotConverged, "relative residual %.3g after %d iterations, want ≤ %.3g", res, it, tol)
		}
	}
}

// GMRES solves A x = b for a general A by GMRES restarted every restart
// iterations, from zero, until ‖b − A x‖₂ ≤ tol‖b‖₂; ErrNotConverged
// after maxIter iterations in all.
func GMRES(a Operator, b, x []float64, tol float64, restart, maxIter int) (LinearStats, error) {
	const method = "GMRES"
	n := len(b)
	clear(x)
	bn := norm2(b)
	if bn == 0 {
		return LinearStats{}, nil
	}
	restart = max(1, min(restart, n))
	vs := make([][]float64, restart+1)
	for i := range vs {
		vs[i] = make([]float64, n)
	}
	h := make([][]float64, restart+1) // h[i][j], Hessenberg
	for i := range h {
		h[i] = make([]float64, restart)
	}
	cs, sn, g := make([]float64, restart), make([]float64, restart), make([]float64, restart+1)
	ax := make([]float64, n)
	it := 0
	for {
		if err := a(x, ax); err != nil {
			return LinearStats{it, math.NaN()}, wrap(method, "matvec", it, err)
		}
		for i := range vs[0] {
			vs[0][i] = b[i] - ax[i]
		}
		beta := norm2(vs[0])
		res := beta / bn
		if !finite(res) {
			return LinearStats{it, res}, fail(method, "", it, ErrNonFinite, "the residual is %g", res)
		}
		if res <= tol {
			return LinearStats{it, res}, nil
		}
		if it >= maxIter {
			return LinearStats{it, res}, fail(method, "", it, ErrNotConverged, "relative residual %.3g after %d iterations, want ≤ %.3g", res, it, tol)
		}
		scal(1/beta, vs[0])
		clear(g)
		g[0] = beta
		m := 0
		for ; m < restart && it < maxIter; m++ {
			it++
			if err := a(vs[m], vs[m+1]); err != nil {
				return LinearStats{it, math.NaN()}, wrap(method, "matvec", it, err)
			}
			for i := 0; i <= m; i++ { // modified Gram–Schmidt
				h[i][m] = dot(vs[i], vs[m+1])
				axpy(-h[i][m], vs[i], vs[m+1])
			}
			h[m+1][m] = norm2(vs[m+1])
			if h[m+1][m] > 0 {
				scal(1/h[m+1][m], vs[m+1])
			}
			for i := range m { // apply the earlier rotations
				t := cs[i]*h[i][m] + sn[i]*h[i+1][m]
				h[i+1][m] = -sn[i]*h[i][m] + cs[i]*h[i+1][m]
				h[i][m] = t
			}
			d := math.Hypot(h[m][m], h[m+1][m])
			if d == 0 {
				return LinearStats{it, math.Abs(g[m]) / bn}, fail(method, "", it, ErrSingular, "the Krylov space broke down")
			}
			cs[m], sn[m] = h[m][m]/d, h[m+1][m]/d
			h[m][m], h[m+1][m] = d, 0
			g[m+1] = -sn[m] * g[m]
			g[m] = cs[m] * g[m]
			if math.Abs(g[m+1])/bn <= tol || h[m+1][m] == 0 && math.Abs(g[m+1]) == 0 {
				m++
				break
			}
		}
		// x += V y with H y = g (upper triangular m×m).
		yv := make([]float64, m)
		for i := m - 1; i >= 0; i-- {
			s := g[i]
			for j := i + 1; j < m; j++ {
				s -= h[i][j] * yv[j]
			}
			yv[i] = s / h[i][i]
		}
		for j := range m {
			axpy(yv[j], vs[j], x)
		}
	}
}
