package solve

import (
	"errors"

	"gonum.org/v1/gonum/optimize"
)

// QuasiNewton minimises p from x0 by gonum's BFGS, or L-BFGS when limited
// is set, on the exact gradient, until ‖∇f‖∞ ≤ s.Tol.
func QuasiNewton(p Problem, x0 []float64, s Settings, limited bool) (*Result, error) {
	method, name := optimize.Method(&optimize.BFGS{}), "bfgs"
	if limited {
		method, name = &optimize.LBFGS{}, "lbfgs"
	}
	var evalErr error
	problem := optimize.Problem{
		Func: func(x []float64) float64 {
			f, err := p.Func(x)
			if err != nil && evalErr == nil {
				evalErr = err
			}
			return f
		},
		Grad: func(g, x []float64) {
			if err := p.Grad(x, g); err != nil && evalErr == nil {
				evalErr = err
			}
		},
		Status: func() (optimize.Status, error) {
			if evalErr != nil {
				return optimize.Failure, evalErr
			}
			return optimize.NotTerminated, nil
		},
	}
	settings := &optimize.Settings{
		GradientThreshold: s.Tol,
		MajorIterations:   s.MaxIter + 1, // gonum counts the start
		Converger:         optimize.NeverTerminate{},
	}
	r, err := optimize.Minimize(problem, append([]float64(nil), x0...), settings, method)
	iter := 0
	if r != nil {
		iter = r.MajorIterations
	}
	switch {
	case evalErr != nil:
		return nil, wrap(name, "", iter, evalErr)
	case r != nil && r.Status == optimize.GradientThreshold:
		return &Result{X: r.X, F: r.F, GradNorm: normInf(r.Gradient), Iterations: iter}, nil
	case r != nil && r.Status == optimize.IterationLimit:
		return nil, fail(name, "", iter, ErrNotConverged, "‖∇f‖∞ = %.3g after %d iterations, want ≤ %.3g", normInf(r.Gradient), iter, s.Tol)
	case err != nil && errors.Is(err, optimize.ErrLinesearcherFailure) && r != nil && s.stalled(normInf(r.Gradient), 0):
		return &Result{X: r.X, F: r.F, GradNorm: normInf(r.Gradient), Iterations: iter}, nil
	case err != nil && errors.Is(err, optimize.ErrLinesearcherFailure):
		return nil, fail(name, "line search", iter, ErrLineSearch, "%v", err)
	case err != nil:
		return nil, fail(name, "", iter, ErrNotConverged, "%v", err)
	}
	return nil, fail(name, "", iter, ErrNotConverged, "stopped with status %v", r.Status)
}
