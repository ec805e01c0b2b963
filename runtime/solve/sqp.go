package solve

import (
	"errors"
	"math"
)

const sqpMethod = "sqp"

// SQP minimises p subject to c(x) = 0 by Newton steps on the KKT
// conditions: at each iterate it solves, by MINRES,
//
//	⎡ H + δI  Aᵀ ⎤ ⎡ d  ⎤     ⎡ ∇f + Aᵀν ⎤
//	⎣ A       0  ⎦ ⎣ Δν ⎦ = − ⎣ c        ⎦,   H = ∇²f + Σ νᵢ∇²cᵢ, A = Dc,
//
// with δ = 0 unless the step shows the reduced Hessian is not positive
// definite (dᵀ(H + δI)d ≤ 0), when δ grows until it is. Where the
// system is singular (a rank-deficient A, say at the start) or its step
// finds no decrease, the step is steepest descent on the merit function. The step length
// comes from Armijo backtracking on the ℓ1 merit function
// f + μ‖c‖₁ with μ > ‖ν + Δν‖∞; near the solution a full step that halves
// the KKT residual is accepted instead. The multipliers start from the
// least-squares estimate. It stops when ‖∇f + Aᵀν‖∞ ≤ s.Tol and
// ‖c‖∞ ≤ s.Tol.
func SQP(p Problem, c Constraints, x0 []float64, s Settings) (*Result, error) {
	n, m := p.N, c.M
	cnt := &counter{p: p}
	st := &sqpState{p: p, c: c, cnt: cnt, n: n, m: m}
	x := append([]float64(nil), x0...)
	if err := st.eval(x, 0); err != nil {
		return nil, err
	}
	nu, err := LeastSquaresMultipliers(c, x, st.g, s.linearTol())
	if err != nil {
		nu = make([]float64, m) // a rank-deficient Jacobian at the start
	}
	mu := 1.0
	z := make([]float64, n+m)
	rhs := make([]float64, n+m)
	xn := make([]float64, n)
	atFloor := 0
	for it := 0; ; it++ {
		r, err := st.lagrangianGrad(x, nu)
		if err != nil {
			return nil, wrap(sqpMethod, "KKT residual", it, err)
		}
		rn, cn := normInf(r), normInf(st.cv)
		if !finite(st.f, rn, cn) {
			return nil, fail(sqpMethod, "", it, ErrNonFinite, "f = %g, ‖∇ₓL‖∞ = %g, ‖c‖∞ = %g", st.f, rn, cn)
		}
		if s.stalled(rn, cn) {
			atFloor++
		}
		if rn <= s.Tol && cn <= s.Tol || atFloor > floorIters {
			return &Result{X: x, Multipliers: nu, F: st.f, GradNorm: rn, ConstraintNorm: cn, Iterations: it, HessVecs: cnt.n}, nil
		}
		if it >= s.MaxIter {
			return nil, fail(sqpMethod, "", it, ErrNotConverged, "‖∇ₓL‖∞ = %.3g and ‖c‖∞ = %.3g after %d iterations, want ≤ %.3g", rn, cn, it, s.Tol)
		}
		for i := range n {
			rhs[i] = -r[i]
		}
		for i := range m {
			rhs[n+i] = -st.cv[i]
		}
		// The step (d, Δν) solves the system with right-hand side −(∇ₓL, c),
		// which vanishes at the solution, so a relative tolerance on it
		// means what it says.
		t, d, nuNew := 0.0, z[:n], nu
		stepErr := st.step(x, nu, rhs, z, max(min(1e-2, max(rn, cn)), s.linearTol()), it)
		switch {
		case stepErr == nil:
			nuNew = append([]float64(nil), z[n:]...)
			axpy(1, nu, nuNew)
			mu = max(mu, 1.1*normInf(nuNew)+1e-8)
			t, err = st.lineSearch(x, d, nuNew, mu, math.Hypot(rn, cn), xn, it)
		case errors.Is(stepErr, ErrSingular) || errors.Is(stepErr, ErrNotConverged):
			err = stepErr
		default:
			return nil, stepErr
		}
		if err != nil && !errors.Is(err, ErrLineSearch) && stepErr == nil {
			return nil, err
		}
		if err != nil {
			// No Newton step (a singular KKT matrix, say where the
			// constraints' Jacobian loses rank), or no decrease along it:
			// steepest descent on the merit, d = −(∇f + μ Aᵀ sign(c)).
			if d, err = st.meritGradient(x, mu, it); err != nil {
				return nil, err
			}
			nuNew = nu
			t, err = st.lineSearch(x, d, nuNew, mu, math.Hypot(rn, cn), xn, it)
		}
		if err != nil {
			if errors.Is(err, ErrLineSearch) && s.stalled(rn, cn) {
				return &Result{X: x, Multipliers: nu, F: st.f, GradNorm: rn, ConstraintNorm: cn, Iterations: it, HessVecs: cnt.n}, nil
			}
			if stepErr != nil {
				return nil, stepErr
			}
			return nil, err
		}
		for i := range nu {
			nu[i] += t * (nuNew[i] - nu[i])
		}
		copy(x, xn)
		if err := st.eval(x, it); err != nil {
			return nil, err
		}
	}
}

// lineSearch picks the step length along d. The full step is taken if it
// decreases the ℓ1 merit φ = f + μ‖c‖₁ sufficiently or halves the KKT
// residual (near the solution the merit may rise along a good Newton
// step: the Maratos effect); otherwise Armijo backtracking on φ, whose
// slope along d is ∇fᵀd + μ Σ sign(cᵢ)(A d)ᵢ. It writes the new point
// into xn.
func (st *sqpState) lineSearch(x, d, nuNew []float64, mu, kkt float64, xn []float64, it int) (float64, error) {
	ad := make([]float64, st.m)
	if err := st.c.JacVec(x, d, ad); err != nil {
		return 0, wrap(sqpMethod, "line search", it, err)
	}
	slope := dot(st.g, d)
	for i, ci := range st.cv {
		switch {
		case ci > 0:
			slope += mu * ad[i]
		case ci < 0:
			slope -= mu * ad[i]
		default:
			slope += mu * math.Abs(ad[i])
		}
	}
	phi := st.f + mu*norm1(st.cv)
	trial := &sqpState{p: st.p, c: st.c, cnt: st.cnt, n: st.n, m: st.m}
	for t, j := 1.0, 0; j < maxHalvings; t, j = t/2, j+1 {
		for i := range xn {
			xn[i] = x[i] + t*d[i]
		}
		if err := trial.eval(xn, it); err != nil {
			return 0, err
		}
		ph := trial.f + mu*norm1(trial.cv)
		if slope < 0 && ph <= phi+armijoC*t*slope {
			return t, nil
		}
		if j == 0 {
			rt, ct, err := trial.kktResidual(xn, nuNew)
			if err != nil {
				return 0, wrap(sqpMethod, "KKT residual", it, err)
			}
			if math.Hypot(rt, ct) <= kkt/2 {
				return 1, nil
			}
		}
	}
	return 0, fail(sqpMethod, "line search", it, ErrLineSearch,
		"no step decreases the merit f + %.3g‖c‖₁ = %.17g (slope %.3g), nor halves the KKT residual %.3g", mu, phi, slope, kkt)
}

// meritGradient returns −(∇f + μ Aᵀ sign(c)), the steepest descent
// direction of the ℓ1 merit f + μ‖c‖₁ where no constraint is zero.
func (st *sqpState) meritGradient(x []float64, mu float64, it int) ([]float64, error) {
	sign := make([]float64, st.m)
	for i, ci := range st.cv {
		switch {
		case ci > 0:
			sign[i] = mu
		case ci < 0:
			sign[i] = -mu
		}
	}
	d := make([]float64, st.n)
	if err := st.c.JacTVec(x, sign, d); err != nil {
		return nil, wrap(sqpMethod, "merit gradient", it, err)
	}
	for i := range d {
		d[i] = -(d[i] + st.g[i])
	}
	return d, nil
}

// sqpState holds f, ∇f and c at the current iterate.
type sqpState struct {
	p    Problem
	c    Constraints
	cnt  *counter
	n, m int
	f    float64
	g    []float64
	cv   []float64
}

func (st *sqpState) eval(x []float64, it int) (err error) {
	if st.f, err = st.p.Func(x); err != nil {
		return wrap(sqpMethod, "objective", it, err)
	}
	st.g = make([]float64, st.n)
	if err := st.p.Grad(x, st.g); err != nil {
		return wrap(sqpMethod, "gradient", it, err)
	}
	st.cv = make([]float64, st.m)
	if err := st.c.Func(x, st.cv); err != nil {
		return wrap(sqpMethod, "constraints", it, err)
	}
	return nil
}

// kktResidual returns ‖∇f + Aᵀν‖∞ and ‖c‖∞ at the evaluated iterate.
func (st *sqpState) kktResidual(x, nu []float64) (float64, float64, error) {
	r, err := st.lagrangianGrad(x, nu)
	if err != nil {
		return 0, 0, err
	}
	return normInf(r), normInf(st.cv), nil
}

// lagrangianGrad returns ∇f + Aᵀν at the evaluated iterate.
func (st *sqpState) lagrangianGrad(x, nu []float64) ([]float64, error) {
	r := make([]float64, st.n)
	if err := st.c.JacTVec(x, nu, r); err != nil {
		return nil, err
	}
	axpy(1, st.g, r)
	return r, nil
}

// step solves the shifted KKT system for z = (d, Δν), raising the shift δ
// until dᵀ(H + δI)d > 0.
func (st *sqpState) step(x, nu, rhs, z []float64, tol float64, it int) error {
	n, m := st.n, st.m
	hd := make([]float64, n)
	tmp := make([]float64, n)
	delta := 0.0
	for attempt := 0; attempt < 30; attempt++ {
		op := func(v, out []float64) error {
			if err := st.cnt.hessVec(x, v[:n], out[:n]); err != nil {
				return err
			}
			if err := st.c.HessVec(x, nu, v[:n], tmp); err != nil {
				return err
			}
			axpy(1, tmp, out[:n])
			axpy(delta, v[:n], out[:n])
			if err := st.c.JacTVec(x, v[n:], tmp); err != nil {
				return err
			}
			axpy(1, tmp, out[:n])
			return st.c.JacVec(x, v[:n], out[n:])
		}
		if _, err := MINRES(op, rhs, z, tol, maxInner(n+m)); err != nil {
			// A singular KKT matrix: a Hessian that vanishes on the
			// constraints' tangent space (a shift mends it), or a
			// rank-deficient constraint Jacobian (it does not; the caller
			// falls back to the merit's gradient).
			if !errors.Is(err, ErrSingular) && !errors.Is(err, ErrNotConverged) || attempt >= 3 {
				return wrap(sqpMethod, "KKT solve", it, err)
			}
			delta = max(2*delta, 1e-4*max(1, normInf(rhs)))
			continue
		}
		d := z[:n]
		if err := st.cnt.hessVec(x, d, hd); err != nil {
			return wrap(sqpMethod, "Hessian", it, err)
		}
		if err := st.c.HessVec(x, nu, d, tmp); err != nil {
			return wrap(sqpMethod, "Hessian", it, err)
		}
		curv := dot(d, hd) + dot(d, tmp) + delta*dot(d, d)
		if curv > 0 || norm2(d) == 0 {
			return nil
		}
		delta = max(2*delta, 1e-4*max(1, math.Abs(curv)/max(dot(d, d), 1e-300)))
	}
	return fail(sqpMethod, "KKT solve", it, ErrIndefinite, "the reduced Hessian stays indefinite after shifting it by δ = %.3g", delta)
}

// LeastSquaresMultipliers returns ν minimising ‖g + Aᵀν‖₂ at x, from
// (A Aᵀ) ν = −A g by conjugate gradients (A of full row rank) to the
// relative residual tol.
func LeastSquaresMultipliers(c Constraints, x, g []float64, tol float64) ([]float64, error) {
	ag := make([]float64, c.M)
	if err := c.JacVec(x, g, ag); err != nil {
		return nil, err
	}
	scal(-1, ag)
	tmp := make([]float64, len(g))
	op := func(w, out []float64) error {
		if err := c.JacTVec(x, w, tmp); err != nil {
			return err
		}
		return c.JacVec(x, tmp, out)
	}
	nu := make([]float64, c.M)
	if _, err := CG(op, ag, nu, tol, maxInner(c.M)); err != nil {
		return nil, err
	}
	return nu, nil
}

func norm1(a []float64) float64 {
	s := 0.0
	for _, x := range a {
		s += math.Abs(x)
	}
	return s
}
