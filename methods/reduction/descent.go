package reduction

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gonum.org/v1/gonum/floats"
)

// An Objective is a smooth function of a flat vector, as the descent
// loops see it.
type Objective interface {
	// Dim is the number of coordinates.
	Dim() int
	// Value returns the function at x.
	Value(x []float64) (float64, error)
	// Gradient writes the gradient at x into grad and returns the value.
	Gradient(x, grad []float64) (float64, error)
}

// A Preconditioner turns a gradient into a descent direction's negative:
// Solve writes P(x)⁻¹ g into d for a positive definite P(x).
type Preconditioner interface {
	Solve(x, g, d []float64) error
}

// Armijo is a backtracking line search: from the step Init, multiply by
// Shrink until f(x + η d) ≤ f(x) + C η ∇f(x)ᵀd, at most MaxShrinks times.
type Armijo struct {
	Init, Shrink, C float64
	MaxShrinks      int
}

// DefaultArmijo is the line search of the paper's experiments: η₀ = 1 at
// every iteration, halving, c = 1e-4 (and at most 100 halvings).
func DefaultArmijo() Armijo { return Armijo{Init: 1, Shrink: 0.5, C: 1e-4, MaxShrinks: 100} }

// DefaultTol is the paper's stopping rule: ‖∇‖₂ < 1e-8.
const DefaultTol = 1e-8

// Options configure Minimize.
type Options struct {
	// Step is the fixed step size η, used when LineSearch is nil.
	Step float64
	// LineSearch, if not nil, chooses the step at every iteration.
	LineSearch *Armijo
	// Precondition, if not nil, makes the direction −P⁻¹∇f (GeoPrecGD
	// with the pullback metric); else it is −∇f.
	Precondition Preconditioner
	// Tol stops at ‖∇f‖₂ < Tol (0: DefaultTol).
	Tol float64
	// MaxIter caps the number of steps.
	MaxIter int
	// Trace records the value and gradient norm of every iterate.
	Trace bool
	// Progress, if not nil, is called after every step.
	Progress func(Point)
}

// A Point is an iterate's record: its index (0 for the start), value and
// gradient norm.
type Point struct {
	Iter     int
	F, GNorm float64
}

// Stop says why Minimize stopped.
type Stop int

// The reasons to stop.
const (
	Converged        Stop = iota // ‖∇f‖ < Tol
	IterationLimit               // MaxIter steps taken
	LineSearchFailed             // no step passed the Armijo test
)

func (s Stop) String() string {
	switch s {
	case Converged:
		return "converged"
	case IterationLimit:
		return "iteration limit"
	case LineSearchFailed:
		return "line search failed"
	}
	return fmt.Sprintf("Stop(%d)", int(s))
}

// A Result is the outcome of Minimize.
type Result struct {
	X []float64
	// Iterations is the number of steps taken.
	Iterations int
	Stop       Stop
	// F and GNorm are the value and gradient norm at X.
	F, GNorm float64
	// Trace holds one Point per iterate, X's last, if Options.Trace.
	Trace []Point
	// Values and Gradients count the evaluations; Shrinks the line
	// search's step reductions.
	Values, Gradients, Shrinks int
	// Elapsed is the wall time of the loop.
	Elapsed time.Duration
}

// Converged reports whether the run reached the gradient tolerance.
func (r *Result) Converged() bool { return r.Stop == Converged }

// ctxCheckEvery is how often (in steps) Minimize looks at its context.
const ctxCheckEvery = 256

// Minimize runs gradient descent on obj from x0: x ← x + η d with
// d = −∇f(x) (or −P(x)⁻¹∇f(x) with a preconditioner) and η fixed or found
// by Armijo backtracking restarted from Init at every iteration. It stops
// when ‖∇f(x)‖₂ < Tol, after MaxIter steps, when the line search fails, or
// when ctx is done (returning the result so far and ctx's error).
func Minimize(ctx context.Context, obj Objective, x0 []float64, opts Options) (*Result, error) {
	n := obj.Dim()
	if len(x0) != n {
		return nil, fmt.Errorf("reduction: start point has %d coordinates, the objective %d", len(x0), n)
	}
	if err := opts.check(); err != nil {
		return nil, err
	}
	tol := opts.Tol
	if tol == 0 {
		tol = DefaultTol
	}
	start := time.Now()
	res := &Result{X: append([]float64(nil), x0...), Stop: IterationLimit}
	defer func() { res.Elapsed = time.Since(start) }()
	x, g, d, trial := res.X, make([]float64, n), make([]float64, n), make([]float64, n)
	f, err := obj.Gradient(x, g)
	if err != nil {
		return nil, err
	}
	res.Gradients++
	record := func() {
		res.F, res.GNorm = f, floats.Norm(g, 2)
		p := Point{Iter: res.Iterations, F: res.F, GNorm: res.GNorm}
		if opts.Trace {
			res.Trace = append(res.Trace, p)
		}
		if opts.Progress != nil && res.Iterations > 0 {
			opts.Progress(p)
		}
	}
	record()
	for {
		if res.GNorm < tol {
			res.Stop = Converged
			return res, nil
		}
		if res.Iterations >= opts.MaxIter {
			return res, nil
		}
		if res.Iterations%ctxCheckEvery == 0 && ctx.Err() != nil {
			return res, ctx.Err()
		}
		if err := direction(opts.Precondition, x, g, d); err != nil {
			return res, fmt.Errorf("reduction: iteration %d: %w", res.Iterations, err)
		}
		eta := opts.Step
		if ls := opts.LineSearch; ls != nil {
			var ok bool
			eta, ok, err = ls.search(obj, x, d, trial, f, floats.Dot(g, d), res)
			if err != nil {
				return res, fmt.Errorf("reduction: iteration %d: %w", res.Iterations, err)
			}
			if !ok {
				res.Stop = LineSearchFailed
				return res, nil
			}
		}
		floats.AddScaled(x, eta, d)
		if f, err = obj.Gradient(x, g); err != nil {
			return res, fmt.Errorf("reduction: iteration %d: %w", res.Iterations+1, err)
		}
		res.Gradients++
		res.Iterations++
		record()
	}
}

func (o Options) check() error {
	switch {
	case o.MaxIter < 0:
		return fmt.Errorf("reduction: MaxIter=%d is negative", o.MaxIter)
	case o.Tol < 0:
		return fmt.Errorf("reduction: Tol=%g is negative", o.Tol)
	case o.LineSearch == nil && !(o.Step > 0):
		return errors.New("reduction: set a positive Step or a LineSearch")
	case o.LineSearch != nil:
		ls := o.LineSearch
		if !(ls.Init > 0) || !(ls.Shrink > 0 && ls.Shrink < 1) || !(ls.C > 0 && ls.C < 1) || ls.MaxShrinks <= 0 {
			return fmt.Errorf("reduction: Armijo line search %+v: want Init > 0, 0 < Shrink < 1, 0 < C < 1, MaxShrinks > 0", *ls)
		}
	}
	return nil
}

// direction writes −∇f or −P⁻¹∇f into d.
func direction(p Preconditioner, x, g, d []float64) error {
	if p == nil {
		copy(d, g)
	} else if err := p.Solve(x, g, d); err != nil {
		return err
	}
	floats.Scale(-1, d)
	return nil
}

// search returns the first step η = Init·Shrink^k (k ≤ MaxShrinks) with
// f(x + η d) ≤ f + C η slope, and whether it found one. A non-finite trial
// value fails the test. slope = ∇f(x)ᵀd must be negative.
func (ls *Armijo) search(obj Objective, x, d, trial []float64, f, slope float64, res *Result) (float64, bool, error) {
	if !(slope < 0) {
		return 0, false, nil
	}
	eta := ls.Init
	for k := 0; ; k++ {
		floats.AddScaledTo(trial, x, eta, d)
		ft, err := obj.Value(trial)
		if err != nil {
			return 0, false, err
		}
		res.Values++
		if ft <= f+ls.C*eta*slope { // false for NaN
			return eta, true, nil
		}
		if k == ls.MaxShrinks {
			return 0, false, nil
		}
		eta *= ls.Shrink
		res.Shrinks++
	}
}
