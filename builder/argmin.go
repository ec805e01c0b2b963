package builder

import (
	"errors"
	"fmt"

	"github.com/pushforward/pushforward/ir"
)

// Declarative layers: an argmin is a layer defined by an optimisation
// problem, x* = argmin_x f(x, θ) subject to c(x, θ) = 0 for each
// constraint c. Its objective and constraints are functions of their own
// (build them with Func, or another Builder); their parameters are the
// variables, then one per operand. The passes derive the gradient and
// Hessian-vector products the solver needs (the implicit pass) and
// differentiate x* implicitly, in forward and reverse mode.

// An ArgminOption configures Argmin.
type ArgminOption func(*argminConfig)

type argminConfig struct {
	attrs       ir.Attrs
	constraints []*ir.Func
	stiefel     []int
	init        []*ir.Value
}

func (c *argminConfig) set(key string, v ir.Attr) {
	if c.attrs == nil {
		c.attrs = ir.Attrs{}
	}
	c.attrs[key] = v
}

// Solver names the solver: "newton", "sqp", "riemannian", "bfgs",
// "lbfgs", or a closed form registered with the passes ("ridge",
// "lstsq", ...). Without it the implicit pass picks newton, riemannian or
// sqp by the constraints.
func Solver(name string) ArgminOption {
	return func(c *argminConfig) { c.set("solver", ir.String(name)) }
}

// Tol sets the solver's tolerance on ‖∇ₓL‖∞ and ‖c‖∞, relative to
// max(1, ‖∇ₓf‖∞ at the start).
func Tol(tol float64) ArgminOption { return func(c *argminConfig) { c.set("tol", ir.Float(tol)) } }

// CheckTol sets the tolerance of the optimality check after each solve.
func CheckTol(tol float64) ArgminOption {
	return func(c *argminConfig) { c.set("check_tol", ir.Float(tol)) }
}

// MaxIter sets the solver's iteration budget; running out is an error.
func MaxIter(n int) ArgminOption { return func(c *argminConfig) { c.set("max_iter", ir.Int(n)) } }

// Check turns the optimality check after every solve on (the default)
// or off (the attribute check=false). Off suits a registered closed form
// exact by construction, whose own tests check optimality, in a training
// step where the check would cost more than the solve.
func Check(on bool) ArgminOption { return func(c *argminConfig) { c.set("check", ir.Bool(on)) } }

// Damping adds γI to the Hessian of the implicit derivative.
func Damping(gamma float64) ArgminOption {
	return func(c *argminConfig) { c.set("damping", ir.Float(gamma)) }
}

// ImplicitRule picks the derivative rule: "krylov" (matrix-free, the
// default), "dense" (small problems; the tests' oracle) or a rule
// registered with the passes.
func ImplicitRule(name string) ArgminOption {
	return func(c *argminConfig) { c.set("implicit", ir.String(name)) }
}

// Constraint adds equality constraints c(x, θ) = 0: functions with the
// objective's parameters, each returning one float tensor.
func Constraint(fs ...*ir.Func) ArgminOption {
	return func(c *argminConfig) { c.constraints = append(c.constraints, fs...) }
}

// Stiefel constrains variable j, a matrix X [n,k] with n ≥ k, to have
// orthonormal columns, XᵀX = I: Argmin adds the constraint function
// XᵀX − I, which the implicit pass recognises (it keeps the k(k+1)/2
// independent equations and solves with the riemannian solver when every
// constraint is a Stiefel one).
func Stiefel(j int) ArgminOption { return func(c *argminConfig) { c.stiefel = append(c.stiefel, j) } }

// WarmStart starts the solver from init[j] for variable j (nil for the
// default start): pass the previous solution, held in a state parameter,
// and return the new one as a result, so that each step starts where the
// last one ended. The values become extra operands of the argmin (and
// extra, unused parameters of its region functions); the attribute init
// records which.
func WarmStart(init ...*ir.Value) ArgminOption {
	return func(c *argminConfig) { c.init = init }
}

// Argmin returns the minimiser of objective over its leading parameters
// (the variables; one result each, typed like them), given operands for
// its other parameters, subject to the constraints in opts.
func (b *Builder) Argmin(objective *ir.Func, operands []*ir.Value, opts ...ArgminOption) []*ir.Value {
	if b.err != nil {
		return nil
	}
	pos := callerPos()
	fail := func(err error) []*ir.Value {
		b.fail(pos, "argmin", nil, err)
		return nil
	}
	var cfg argminConfig
	for _, o := range opts {
		o(&cfg)
	}
	if objective == nil {
		return fail(errors.New("nil objective"))
	}
	if err := b.checkOperands(operands); err != nil {
		return fail(err)
	}
	k := len(objective.Params) - len(operands)
	if k <= 0 {
		return fail(fmt.Errorf("objective @%s leaves no parameters for the variables (it takes %d, after %d operands)", objective.Name, len(objective.Params), len(operands)))
	}
	vars := ir.TypesOf(objective.Params[:k])
	funcs := append([]*ir.Func{objective}, cfg.constraints...)
	for _, j := range cfg.stiefel {
		c, err := stiefelConstraint(objective, k, j)
		if err != nil {
			return fail(err)
		}
		funcs = append(funcs, c)
	}
	want := append(append([]ir.Type{}, vars...), ir.TypesOf(operands)...)
	for _, f := range funcs {
		if f == nil {
			return fail(errors.New("nil constraint function"))
		}
		if got := ir.TypesOf(f.Params); !ir.TypesEqual(got, want) {
			return fail(fmt.Errorf("region function @%s takes (%s), want the variables then the operands (%s)", f.Name, ir.FormatTypes(got), ir.FormatTypes(want)))
		}
	}
	if rt := objective.ResultTypes(); len(rt) != 1 || rt[0].Rank() != 0 || !rt[0].DType.IsFloat() {
		return fail(fmt.Errorf("objective @%s returns (%s), want one float scalar", objective.Name, ir.FormatTypes(rt)))
	}
	args := append([]*ir.Value{}, operands...)
	if cfg.init != nil {
		var err error
		if args, funcs, err = b.warmStart(cfg, vars, args, funcs); err != nil {
			return fail(err)
		}
	}
	return b.emit(ir.OpArgmin, args, cfg.attrs, vars, &ir.Region{Funcs: funcs})
}

// warmStart appends the init values to the operands, an unused parameter
// per init value to every region function, and the attribute init.
func (b *Builder) warmStart(cfg argminConfig, vars []ir.Type, args []*ir.Value, funcs []*ir.Func) ([]*ir.Value, []*ir.Func, error) {
	if len(cfg.init) > len(vars) {
		return nil, nil, fmt.Errorf("WarmStart gives %d values for %d variables", len(cfg.init), len(vars))
	}
	idx := make([]int, len(vars))
	var extra []*ir.Value
	for j := range idx {
		idx[j] = -1
		if j >= len(cfg.init) || cfg.init[j] == nil {
			continue
		}
		v := cfg.init[j]
		if err := b.checkOperands([]*ir.Value{v}); err != nil {
			return nil, nil, fmt.Errorf("warm start: %w", err)
		}
		if !v.Type.Equal(vars[j]) {
			return nil, nil, fmt.Errorf("warm start %s has type %s, variable %d is %s", v, v.Type, j, vars[j])
		}
		idx[j] = len(args) + len(extra)
		extra = append(extra, v)
	}
	out := make([]*ir.Func, len(funcs))
	for i, f := range funcs {
		g := f.Clone()
		names := ir.NewNamer(g)
		for j, v := range extra {
			p := g.AddParam(names.Fresh(fmt.Sprintf("init%d", j)), v.Type, ir.Data)
			p.Pos = f.Pos
		}
		out[i] = g
	}
	if cfg.attrs == nil {
		cfg.attrs = ir.Attrs{}
	}
	cfg.attrs["init"] = ir.Ints(idx...)
	return append(args, extra...), out, nil
}

// stiefelConstraint builds XᵀX − I for variable j of objective's
// signature.
func stiefelConstraint(objective *ir.Func, k, j int) (*ir.Func, error) {
	if j < 0 || j >= k {
		return nil, fmt.Errorf("Stiefel(%d): the objective has %d variables", j, k)
	}
	t := objective.Params[j].Type
	if t.Rank() != 2 || t.Shape[0] < t.Shape[1] || !t.DType.IsFloat() {
		return nil, fmt.Errorf("Stiefel(%d): variable %s has type %s, want a float matrix [n,k] with n ≥ k", j, objective.Params[j], t)
	}
	f := ir.NewFunc(fmt.Sprintf("stiefel%d", j))
	if j == 0 {
		f.Name = "stiefel"
	}
	f.Pos = objective.Pos
	for _, p := range objective.Params {
		q := f.AddParam(p.Name, p.Type, p.Role)
		q.Pos = p.Pos
	}
	x := f.Params[j]
	kk := t.Shape[1]
	eye := make([]float64, kk*kk)
	for i := range kk {
		eye[i*kk+i] = 1
	}
	w := ir.NewWriter(f, nil).At(objective.Pos)
	g := w.Named("gram").Emit(ir.OpMatmul, []*ir.Value{x, x}, ir.Attrs{"transpose_a": ir.Bool(true)})
	i := w.Named("eye").Emit(ir.OpConstant, nil, ir.Attrs{"value": ir.Floats(eye...)}, ir.TensorOf(t.DType, kk, kk))
	if w.Err() != nil {
		return nil, w.Err()
	}
	f.Results = w.Named("residual").Emit(ir.OpSub, []*ir.Value{g[0], i[0]}, nil)
	if err := w.Err(); err != nil {
		return nil, err
	}
	return f, nil
}

// Func builds a function (an argmin's objective or constraint, a
// linear_solve's matvec) with a new Builder: its parameters are the
// variables, of the given types and named by names (x, x1, x2, ... for
// those not given), role param, then one data parameter per operand,
// typed and named by the names after the variables' or, for those not
// given, like the operand where the name is free (p0, p1, ... else). body
// gets the new Builder and both lists and returns the results. An error
// in body is recorded in b, as b's own are, and Func returns nil.
func (b *Builder) Func(name string, vars []ir.Type, operands []*ir.Value, body func(r *Builder, x, p []*ir.Value) []*ir.Value, names ...string) *ir.Func {
	if b.err != nil {
		return nil
	}
	pos := callerPos()
	r := New(name)
	r.f.Pos = pos
	if r.err != nil {
		b.fail(pos, "func", nil, r.err)
		return nil
	}
	taken := map[string]bool{}
	pick := func(want, fallback string) string {
		if want == "" || !validName(want) || taken[want] {
			want = fallback
		}
		for taken[want] {
			want += "_"
		}
		taken[want] = true
		return want
	}
	x := make([]*ir.Value, len(vars))
	for j, t := range vars {
		n := "x"
		if j > 0 {
			n = fmt.Sprintf("x%d", j)
		}
		if j < len(names) {
			n = pick(names[j], n)
		} else {
			n = pick(n, n)
		}
		x[j] = r.input(pos, n, t, ir.Param)
	}
	p := make([]*ir.Value, len(operands))
	for i, o := range operands {
		if o == nil {
			b.fail(pos, "func", nil, fmt.Errorf("operand %d is nil", i+1))
			return nil
		}
		want := o.Name
		if j := len(vars) + i; j < len(names) {
			want = names[j]
		}
		p[i] = r.input(pos, pick(want, fmt.Sprintf("p%d", i)), o.Type, ir.Data)
	}
	if r.err == nil {
		r.Return(body(r, x, p)...)
	}
	f, err := r.Build()
	if err != nil {
		b.fail(pos, "func", nil, err)
		return nil
	}
	return f
}

// LinearSolve returns x with A x = rhs, where A v is matvec(v, operands...):
// a function of a vector (rhs's trailing axes; leading axes of rhs are
// independent right-hand sides) and the operands, linear in v (build it
// with Func). symmetric and posdef state what A is known to be; they pick
// the method (conjugate gradients, MINRES, GMRES).
func (b *Builder) LinearSolve(matvec *ir.Func, rhs *ir.Value, operands []*ir.Value, symmetric, posdef bool) *ir.Value {
	if b.err != nil {
		return nil
	}
	if matvec == nil {
		b.fail(callerPos(), "linear_solve", nil, errors.New("nil matvec"))
		return nil
	}
	attrs := ir.Attrs{"symmetric": ir.Bool(symmetric), "posdef": ir.Bool(posdef)}
	args := append([]*ir.Value{rhs}, operands...)
	if err := b.checkOperands(args); err != nil {
		b.fail(callerPos(), "linear_solve", nil, err)
		return nil
	}
	if err := ir.CheckRegion(&ir.Instr{Op: ir.OpLinearSolve, Args: args, Region: &ir.Region{Funcs: []*ir.Func{matvec}}}); err != nil {
		b.fail(callerPos(), "linear_solve", ir.TypesOf(args), err)
		return nil
	}
	rs := b.emit(ir.OpLinearSolve, args, attrs, nil, &ir.Region{Funcs: []*ir.Func{matvec}})
	if rs == nil {
		return nil
	}
	return rs[0]
}
