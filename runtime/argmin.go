package runtime

import (
	"errors"
	"fmt"
	"math"
	"sync"

	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/optimize"

	"github.com/pushforward/pushforward/ir"
)

// The interpreter's argmin is a generic unconstrained solver: it minimises
// the region's objective over the argmin results, starting from zeros, with
// a quasi-Newton method of gonum/optimize and gradients by central finite
// differences of the objective (run by a nested interpreter). Closed-form
// and implicit solvers are the business of the compiler passes; this one
// is the reference they are tested against.

// Solver defaults, used when the attributes are absent (max_iter's is in
// the op table).
const (
	// Gradient tolerances (infinity norm). Central differences of an f64
	// objective are accurate to about 1e-10 relative, of an f32 objective
	// to about 1e-5, so the defaults sit above those noise floors.
	defaultTolF64 = 1e-8
	defaultTolF32 = 1e-4
	// Finite-difference steps: near the cube root of the precision, which
	// balances truncation and rounding error of central differences.
	stepF64 = 6e-6
	stepF32 = 5e-3
)

// newMethod returns the gonum method for the solver attribute. The
// attribute names the method the compiler passes and generated code should
// use ("newton", "riemannian", a closed form, ...); the interpreter is the
// reference and runs BFGS for every name but "lbfgs", which gives the same
// minimiser for the problems it can solve (unconstrained, smooth).
func newMethod(solver string) (optimize.Method, string) {
	if solver == "lbfgs" {
		return &optimize.LBFGS{}, "lbfgs"
	}
	return &optimize.BFGS{}, "bfgs"
}

// bindObjective checks an argmin's region and builds the interpreter of its
// objective: parameters are the minimisation variables (the argmin's result
// types) followed by the argmin's operands, and the result is one float
// scalar.
func bindObjective(in *ir.Instr, cfg config) (*Interpreter, error) {
	if in.Region == nil || len(in.Region.Funcs) == 0 {
		return nil, errors.New("argmin has no region")
	}
	if n := len(in.Region.Funcs) - 1; n > 0 {
		return nil, fmt.Errorf("the interpreter's argmin solves unconstrained problems only; the region has %d constraint functions", n)
	}
	obj := in.Region.Funcs[0]
	if obj == nil {
		return nil, errors.New("argmin region holds a nil function")
	}
	want := append(in.ResultTypes(), in.ArgTypes()...)
	if len(obj.Params) != len(want) {
		return nil, fmt.Errorf("objective @%s takes %d parameters, want %d (the %d results, then the %d operands)",
			obj.Name, len(obj.Params), len(want), len(in.Results), len(in.Args))
	}
	for i, p := range obj.Params {
		if p == nil || !p.Type.Equal(want[i]) {
			return nil, fmt.Errorf("objective @%s: parameter %d is %s, want type %s", obj.Name, i, p, want[i])
		}
	}
	if len(obj.Results) != 1 || obj.Results[0] == nil || obj.Results[0].Type.Rank() != 0 || !obj.Results[0].Type.DType.IsFloat() {
		return nil, fmt.Errorf("objective @%s must return one f32 or f64 scalar, returns (%s)", obj.Name, joinTypes(obj.ResultTypes()))
	}
	it, err := newInterpreter(obj, cfg)
	if err != nil {
		return nil, fmt.Errorf("objective @%s: %w", obj.Name, err)
	}
	return it, nil
}

func execArgmin(c *call) ([]*Tensor, error) {
	vars := c.in.ResultTypes()
	n := 0
	lowPrecision := c.region.fn.Results[0].Type.DType == ir.F32
	for _, t := range vars {
		n += t.Shape.Size()
		lowPrecision = lowPrecision || t.DType == ir.F32
	}
	if n == 0 {
		return splitVars(nil, vars), nil
	}
	settings, err := solverSettings(c.in, lowPrecision)
	if err != nil {
		return nil, err
	}
	obj := &objective{interp: c.region, vars: vars, operands: c.args}
	step := stepF64
	if lowPrecision {
		step = stepF32
	}
	solver, err := c.in.StringAttr("solver")
	if err != nil {
		return nil, err
	}
	method, name := newMethod(solver)
	problem := optimize.Problem{
		Func:   obj.eval,
		Grad:   func(grad, x []float64) { centralGradient(grad, obj.eval, x, step) },
		Status: obj.status,
	}
	result, err := optimize.Minimize(problem, make([]float64, n), settings, method)
	if evalErr := obj.err(); evalErr != nil {
		return nil, fmt.Errorf("objective: %w", evalErr)
	}
	if err != nil && !nearStationary(problem, result, settings.GradientThreshold, lowPrecision) {
		return nil, fmt.Errorf("solver %s failed: %w", name, err)
	}
	// An explicit max_iter is a budget: the iterate it ends at is the
	// answer. Running out of the default budget means no convergence.
	if _, explicit := c.in.Attrs["max_iter"]; result.Status == optimize.IterationLimit && !explicit {
		return nil, fmt.Errorf("solver %s did not reach the gradient tolerance %g in %d iterations",
			name, settings.GradientThreshold, settings.MajorIterations-1)
	}
	return splitVars(result.X, vars), nil
}

// centralGradient estimates the gradient of f at x by central differences,
// coordinate by coordinate, with the step scaled by max(1, |x_i|): a fixed
// step vanishes in rounding once |x_i| is large (x + h == x), which would
// report a zero gradient far from any minimum.
func centralGradient(grad []float64, f func([]float64) float64, x []float64, step float64) {
	probe := append([]float64(nil), x...)
	for i, xi := range x {
		along := func(t float64) float64 {
			probe[i] = t
			return f(probe)
		}
		grad[i] = fd.Derivative(along, xi, &fd.Settings{Formula: fd.Central, Step: step * max(1, math.Abs(xi))})
		probe[i] = xi
	}
}

// nearStationary accepts a location after a solver error when its gradient
// is at the noise floor of the objective. A line search fails once the
// decrease it can find, about |g|²/2 for unit curvature, drops below the
// rounding error eps·|f| of the objective; a gradient under
// 10·sqrt(eps·(1+|f|)) is then as small as the precision allows.
func nearStationary(p optimize.Problem, r *optimize.Result, tol float64, lowPrecision bool) bool {
	if r == nil || len(r.X) == 0 || math.IsNaN(r.F) || math.IsInf(r.F, 0) {
		return false
	}
	eps := 0x1p-52
	if lowPrecision {
		eps = 0x1p-23
	}
	floor := max(tol, 10*math.Sqrt(eps*(1+math.Abs(r.F))))
	grad := make([]float64, len(r.X))
	p.Grad(grad, r.X)
	for _, g := range grad {
		if !(math.Abs(g) <= floor) {
			return false
		}
	}
	return true
}

// solverSettings reads tol and max_iter.
func solverSettings(in *ir.Instr, lowPrecision bool) (*optimize.Settings, error) {
	defTol := defaultTolF64
	if lowPrecision {
		defTol = defaultTolF32
	}
	tol, err := in.Attrs.Float("tol", defTol)
	if err != nil {
		return nil, err
	}
	if !(tol > 0) {
		return nil, fmt.Errorf("tol=%v must be positive", tol)
	}
	maxIter, err := in.IntAttr("max_iter")
	if err != nil {
		return nil, err
	}
	if maxIter <= 0 {
		return nil, fmt.Errorf("max_iter=%d must be positive", maxIter)
	}
	return &optimize.Settings{
		GradientThreshold: tol,
		// gonum counts the starting point as a major iteration; max_iter
		// counts steps.
		MajorIterations: maxIter + 1,
		// Stop on the gradient test or the iteration limit, not on a
		// stalled function value, which is a poor test with noisy
		// finite-difference gradients.
		Converger: optimize.NeverTerminate{},
	}, nil
}

// An objective evaluates the region function at a flat vector of the
// minimisation variables. The first error stops the solver.
type objective struct {
	interp   *Interpreter
	vars     []ir.Type
	operands []*Tensor

	mu       sync.Mutex
	firstErr error
}

func (o *objective) eval(x []float64) (f float64) {
	if o.err() != nil {
		return math.NaN()
	}
	inputs := append(splitVars(x, o.vars), o.operands...)
	outs, err := o.interp.Run(inputs)
	if err != nil {
		o.setErr(err)
		return math.NaN()
	}
	return outs[0].Float64s()[0]
}

func (o *objective) status() (optimize.Status, error) {
	if err := o.err(); err != nil {
		return optimize.Failure, err
	}
	return optimize.NotTerminated, nil
}

func (o *objective) err() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.firstErr
}

func (o *objective) setErr(err error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.firstErr == nil {
		o.firstErr = err
	}
}

// splitVars cuts a flat vector into tensors of the given types, in order
// (x nil meaning zeros).
func splitVars(x []float64, types []ir.Type) []*Tensor {
	out := make([]*Tensor, len(types))
	off := 0
	for i, t := range types {
		n := t.Shape.Size()
		if x == nil {
			out[i] = Zeros(t)
		} else {
			out[i] = FromFloat64s(t, x[off:off+n])
		}
		off += n
	}
	return out
}
