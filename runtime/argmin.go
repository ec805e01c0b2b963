package runtime

import (
	"errors"
	"fmt"
	"math"

	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/runtime/solve"
)

// The interpreter's argmin runs the solver its solver attribute names on
// the region functions the implicit pass derived (ir/region.go): exact
// gradients and Hessian-vector products, never finite differences. A
// closed form (@f.solution) is run instead of a solver when present. After
// every solve the optimality conditions are checked (as ddn's
// _check_optimality_cond, but failing loudly): ‖∇ₓL‖∞ and ‖c‖∞ against
// check_tol, and the smallest eigenvalue of the (reduced, or Riemannian)
// Hessian, estimated by Lanczos, which must be positive: a singular or
// indefinite Hessian leaves the implicit derivative undefined.

// Solver defaults, used when the attributes are absent (max_iter's and
// damping's are in the op table).
const (
	// tol and check_tol, relative to max(1, ‖∇ₓf‖∞ at the start): the
	// solvers aim at tol on exact derivatives (Newton's last steps get
	// there cheaply), and accept a point at check_tol where rounding stops
	// their progress; the check after the solve allows check_tol.
	defaultTolF64, defaultCheckTolF64 = 1e-12, 1e-6
	defaultTolF32, defaultCheckTolF32 = 1e-6, 1e-3
	// Relative residual of the inner solves that must be accurate.
	linearTolF64, linearTolF32 = 1e-10, 1e-5
	// The second-order check: Lanczos steps, and the ratio of the smallest
	// to the largest eigenvalue estimate below which the Hessian counts as
	// singular (about the precision of the dtype).
	lanczosSteps                       = 24
	singularRatioF64, singularRatioF32 = 1e-12, 1e-6
)

// A boundRegion holds the interpreters of a declarative op's region
// functions.
type boundRegion struct {
	funcs map[*ir.Func]*Interpreter
	// argmin is the argmin's region split by role, or nil.
	argmin *ir.ArgminRegion
}

// bindRegion checks a declarative op's region and builds the interpreters
// of its functions.
func bindRegion(in *ir.Instr, cfg config) (*boundRegion, error) {
	if in.Region == nil || len(in.Region.Funcs) == 0 {
		return nil, fmt.Errorf("%s has no region", in.Op)
	}
	br := &boundRegion{funcs: map[*ir.Func]*Interpreter{}}
	switch in.Op {
	case ir.OpArgmin:
		a, err := ir.SplitArgmin(in.Region)
		if err != nil {
			return nil, err
		}
		if !a.Derived() {
			return nil, errors.New("the region has no derived functions (@" + ir.DerivedName(a.Objective.Name, ir.RoleGrad) +
				", ...): run the implicit pass first (passes.Implicit, or pf opt -passes=implicit); jvp, vjp and guess run it on what they copy")
		}
		br.argmin = a
	case ir.OpLinearSolve:
		if len(in.Region.Funcs) != 1 {
			return nil, fmt.Errorf("linear_solve's region holds %d functions, want one", len(in.Region.Funcs))
		}
	}
	for _, f := range in.Region.Funcs {
		if f == nil {
			return nil, errors.New("the region holds a nil function")
		}
		it, err := newInterpreter(f, cfg)
		if err != nil {
			return nil, fmt.Errorf("region function @%s: %w", f.Name, err)
		}
		br.funcs[f] = it
	}
	// What the executors rely on; the verifier checks it too, but the
	// interpreter does not require it to have run.
	if err := ir.CheckRegion(in); err != nil {
		return nil, err
	}
	return br, nil
}

// argminSettings are an argmin's attributes, read once per execution.
type argminSettings struct {
	solver             string
	tol, checkTol      float64
	maxIter            int
	init, stiefel      []int
	damping, linearTol float64
	singular           float64
	low                bool // f32 involved
	check              bool // check optimality after the solve
}

func readArgminSettings(in *ir.Instr, low bool) (*argminSettings, error) {
	s := &argminSettings{low: low, linearTol: linearTolF64, singular: singularRatioF64}
	defTol, defCheck := defaultTolF64, defaultCheckTolF64
	if low {
		defTol, defCheck = defaultTolF32, defaultCheckTolF32
		s.linearTol, s.singular = linearTolF32, singularRatioF32
	}
	var err error
	if s.solver, err = in.Attrs.Str("solver", ""); err != nil {
		return nil, err
	}
	if s.tol, err = in.Attrs.Float("tol", defTol); err != nil {
		return nil, err
	}
	if s.checkTol, err = in.Attrs.Float("check_tol", max(defCheck, 10*s.tol)); err != nil {
		return nil, err
	}
	if s.damping, err = in.FloatAttr("damping"); err != nil {
		return nil, err
	}
	if s.maxIter, err = in.IntAttr("max_iter"); err != nil {
		return nil, err
	}
	if s.check, err = in.BoolAttr("check"); err != nil {
		return nil, err
	}
	switch {
	case !(s.tol > 0):
		return nil, fmt.Errorf("tol=%v must be positive", s.tol)
	case !(s.checkTol > 0):
		return nil, fmt.Errorf("check_tol=%v must be positive", s.checkTol)
	case s.maxIter <= 0:
		return nil, fmt.Errorf("max_iter=%d must be positive", s.maxIter)
	case !(s.damping >= 0):
		return nil, fmt.Errorf("damping=%v must not be negative", s.damping)
	}
	if s.init, _, err = in.Attrs.IntList("init"); err != nil {
		return nil, err
	}
	if s.stiefel, _, err = in.Attrs.IntList("stiefel"); err != nil {
		return nil, err
	}
	return s, nil
}

func execArgmin(c *call) ([]*Tensor, error) {
	a := c.region.argmin
	vars := c.in.ResultTypes()
	low := a.Objective.Results[0].Type.DType == ir.F32
	for _, t := range vars {
		low = low || t.DType == ir.F32
	}
	s, err := readArgminSettings(c.in, low)
	if err != nil {
		return nil, err
	}
	ev := newArgminEval(c, a, vars)
	if ev.n == 0 {
		return splitVars(nil, vars), nil
	}
	if !s.check && a.Solution != nil {
		// An unchecked closed form needs no start and no scale.
		x, err := ev.solve(s, nil, 1)
		if err != nil {
			return nil, fmt.Errorf("solve (%s): %w", ev.solverName(s), err)
		}
		return splitVars(x, vars), nil
	}
	x0, err := ev.start(s)
	if err != nil {
		return nil, err
	}
	g0 := make([]float64, ev.n)
	if err := ev.grad(x0, g0); err != nil {
		return nil, fmt.Errorf("gradient at the start: %w", err)
	}
	scale := max(1, infNorm(g0))
	x, err := ev.solve(s, x0, scale)
	if err != nil {
		return nil, fmt.Errorf("solve (%s): %w", ev.solverName(s), err)
	}
	if !s.check {
		return splitVars(x, vars), nil
	}
	if err := ev.check(s, x, scale); err != nil {
		return nil, fmt.Errorf("after the %s solve: %w", ev.solverName(s), err)
	}
	return splitVars(x, vars), nil
}

// start returns the starting point: each variable's init operand, or
// zeros; Stiefel variables are moved onto the manifold (orthonormalised,
// or the first columns of the identity when zero).
func (ev *argminEval) start(s *argminSettings) ([]float64, error) {
	x := make([]float64, ev.n)
	for j, t := range ev.vars {
		if j < len(s.init) && s.init[j] >= 0 {
			if s.init[j] >= len(ev.ops) || !ev.ops[s.init[j]].Type.Equal(t) {
				return nil, fmt.Errorf("init[%d] = %d does not name an operand of type %s", j, s.init[j], t)
			}
			copy(x[ev.off[j]:], ev.ops[s.init[j]].Float64s())
		}
	}
	m, err := ev.manifold(s)
	if err != nil {
		return nil, err
	}
	return m.Start(x), nil
}

// manifold returns the product manifold of the Stiefel variables.
func (ev *argminEval) manifold(s *argminSettings) (solve.Manifold, error) {
	m := solve.Manifold{N: ev.n}
	for _, j := range s.stiefel {
		if j < 0 || j >= len(ev.vars) || ev.vars[j].Rank() != 2 {
			return m, fmt.Errorf("stiefel names variable %d, which is not a matrix variable", j)
		}
		sh := ev.vars[j].Shape
		m.Stiefel = append(m.Stiefel, solve.Block{Offset: ev.off[j], Rows: sh[0], Cols: sh[1]})
	}
	return m, nil
}

func (ev *argminEval) solverName(s *argminSettings) string {
	if ev.a.Solution != nil {
		return "closed form " + s.solver
	}
	return s.solver
}

// solve runs the solver (or the closed form) from x0.
func (ev *argminEval) solve(s *argminSettings, x0 []float64, scale float64) ([]float64, error) {
	if ev.a.Solution != nil {
		outs, err := ev.run(ev.a.Solution, ev.ops)
		if err != nil {
			return nil, err
		}
		x := make([]float64, ev.n)
		flattenInto(x, outs)
		return x, nil
	}
	set := solve.Settings{Tol: s.tol * scale, MaxIter: s.maxIter, LinearTol: s.linearTol, Floor: s.checkTol * scale}
	p := ev.problem()
	var r *solve.Result
	var err error
	switch s.solver {
	case "newton", "":
		r, err = solve.NewtonCG(p, x0, set)
	case "bfgs", "lbfgs":
		r, err = solve.QuasiNewton(p, x0, set, s.solver == "lbfgs")
	case "sqp":
		r, err = solve.SQP(p, ev.constraints(), x0, set)
	case "riemannian":
		m, merr := ev.manifold(s)
		if merr != nil {
			return nil, merr
		}
		if len(ev.a.Constraints) != len(m.Stiefel) {
			return nil, fmt.Errorf("solver riemannian needs every constraint to be a Stiefel one (the attribute stiefel lists %d of %d)", len(m.Stiefel), len(ev.a.Constraints))
		}
		r, err = solve.RiemannianTR(p, m, x0, set)
	default:
		return nil, fmt.Errorf("unknown solver %q, and the region has no closed form @%s", s.solver, ir.DerivedName(ev.a.Objective.Name, ir.RoleSolution))
	}
	if err != nil {
		return nil, err
	}
	return r.X, nil
}

// check verifies the optimality conditions at x: the first order
// (‖∇ₓf + Aᵀν‖∞ ≤ check_tol·scale with least-squares multipliers ν, and
// ‖c‖∞ ≤ check_tol) and the second (the Hessian of the Lagrangian,
// reduced to the constraints' tangent space, positive definite).
//
// ∇f(x*) is computed in the problem's dtype and is a sum of terms that
// cancel at the solution (for a quadratic, Hx* − b), so its rounding is
// relative to their size, not to ∇f at the start: the scale is raised to
// ‖∇²f(x*)·x*‖∞ and to λ·‖x*‖∞, λ the largest eigenvalue Lanczos finds,
// the normwise measure of backward error (‖H‖‖x‖), which stays large
// where the products of ill-conditioned features cancel.
func (ev *argminEval) check(s *argminSettings, x []float64, scale float64) error {
	g := make([]float64, ev.n)
	if err := ev.grad(x, g); err != nil {
		return fmt.Errorf("optimality check: %w", err)
	}
	hx := make([]float64, ev.n)
	if err := ev.hessVec(x, x, hx); err != nil {
		return fmt.Errorf("optimality check: %w", err)
	}
	scale = max(scale, infNorm(hx))
	var nu []float64
	if ev.m > 0 {
		cv := make([]float64, ev.m)
		if err := ev.cons(x, cv); err != nil {
			return fmt.Errorf("optimality check: %w", err)
		}
		if cn := infNorm(cv); !(cn <= s.checkTol) {
			return fmt.Errorf("optimality check: the constraints are violated: ‖c‖∞ = %.3g > check_tol %.3g", cn, s.checkTol)
		}
		var err error
		if nu, err = solve.LeastSquaresMultipliers(ev.constraints(), x, g, s.linearTol); err != nil {
			return fmt.Errorf("optimality check: multipliers: %w", err)
		}
		at := make([]float64, ev.n)
		if err := ev.jacT(x, nu, at); err != nil {
			return fmt.Errorf("optimality check: %w", err)
		}
		for i := range g {
			g[i] += at[i]
		}
	}
	lo, hi, err := ev.curvature(s, x, nu)
	if err != nil {
		return fmt.Errorf("second-order check: %w", err)
	}
	if norm := math.Abs(hi) * infNorm(x); norm < math.Inf(1) {
		scale = max(scale, norm)
	}
	if gn := infNorm(g); !(gn <= s.checkTol*scale) {
		return fmt.Errorf("optimality check: ‖∇ₓL‖∞ = %.3g > check_tol·scale = %.3g·%.3g: the point is not stationary", gn, s.checkTol, scale)
	}
	if !(lo > s.singular*math.Abs(hi)) {
		what := "singular"
		if lo < -s.singular*math.Abs(hi) {
			what = "indefinite"
		}
		return fmt.Errorf("second-order check: the Hessian of the Lagrangian%s is %s at the solution (Lanczos: smallest eigenvalue ≤ %.3g, largest ≥ %.3g): the minimiser is not isolated, so its derivative is undefined (add a regulariser, or damping)",
			map[bool]string{true: " on the constraints' tangent space", false: ""}[ev.m > 0], what, lo, hi)
	}
	return nil
}

// curvature estimates the extreme eigenvalues of the (damped) Hessian of
// the Lagrangian on the constraints' tangent space.
func (ev *argminEval) curvature(s *argminSettings, x, nu []float64) (lo, hi float64, err error) {
	hl := make([]float64, ev.n)
	op := func(v, hv []float64) error {
		if err := ev.hessVec(x, v, hv); err != nil {
			return err
		}
		if ev.m > 0 {
			if err := ev.consHessVec(x, nu, v, hl); err != nil {
				return err
			}
			for i := range hv {
				hv[i] += hl[i]
			}
		}
		for i := range hv {
			hv[i] += s.damping * v[i]
		}
		return nil
	}
	var project func([]float64) error
	if ev.m > 0 {
		cs := ev.constraints()
		av := make([]float64, ev.m)
		at := make([]float64, ev.n)
		normal := func(w, out []float64) error {
			if err := cs.JacTVec(x, w, at); err != nil {
				return err
			}
			return cs.JacVec(x, at, out)
		}
		project = func(v []float64) error {
			if err := cs.JacVec(x, v, av); err != nil {
				return err
			}
			y := make([]float64, ev.m)
			if _, err := solve.CG(normal, av, y, s.linearTol, 2*ev.m+20); err != nil {
				return err
			}
			if err := cs.JacTVec(x, y, at); err != nil {
				return err
			}
			for i := range v {
				v[i] -= at[i]
			}
			return nil
		}
	}
	return solve.ExtremeEigs(op, ev.n, lanczosSteps, 1, project)
}

func infNorm(v []float64) float64 {
	m := 0.0
	for _, x := range v {
		if a := math.Abs(x); a > m || x != x {
			m = a
		}
	}
	return m
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

// setFloats copies x into the float tensor t, converting.
func setFloats(t *Tensor, x []float64) {
	switch t.Type.DType {
	case ir.F32:
		convertSlice(t.F32, x)
	case ir.F64:
		copy(t.F64, x)
	}
}

// flattenInto copies the tensors' elements, in order, into dst.
func flattenInto(dst []float64, ts []*Tensor) {
	off := 0
	for _, t := range ts {
		switch t.Type.DType {
		case ir.F32:
			convertSlice(dst[off:off+len(t.F32)], t.F32)
		case ir.F64:
			copy(dst[off:], t.F64)
		}
		off += t.Len()
	}
}
