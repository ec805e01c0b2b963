package passes

import (
	"fmt"
	"slices"

	"github.com/pushforward/pushforward/ir"
)

// The implicit pass prepares every argmin for its solver and its implicit
// derivative. From the region's objective f and constraints c it derives,
// by the project's own transforms, the functions a solver needs, and
// attaches them to the region (ir/region.go names them):
//
//	@f.grad  = ∇ₓf                  VJP of f in the variables
//	@f.hvp   = ∇²ₓf v               JVP of @f.grad in the variables
//	@c.jvp   = Dₓc v                JVP of c in the variables
//	@c.vjp   = Dₓcᵀ w               VJP of ⟨w, c⟩ in the variables
//	@c.hvp   = Dₓ(Dₓcᵀ w) v         JVP of @c.vjp in the variables
//	@f.solution                     the closed form, for a registered solver
//
// so that the interpreter (and generated code) run their solvers on exact
// derivatives and the JVP rule of argmin finds Hessian-vector products
// ready. It also:
//
//   - recognises a Stiefel constraint XᵀX − I = 0 (or I − XᵀX) on a
//     variable X [n,k]: the constraint's k×k residual is symmetric, so only
//     its k(k+1)/2 upper entries are independent equations, and a KKT
//     system over all k² would be singular. The pass rewrites the
//     constraint to return those entries (a gather of the upper triangle)
//     and lists X in the attribute stiefel, which the riemannian solver
//     reads;
//   - writes the solver it picks when the attribute is absent: newton
//     without constraints, riemannian when every constraint is a Stiefel
//     one, sqp otherwise.
//
// Argmins nested in region functions are prepared first. An argmin whose
// region already holds its derived functions is left as it is, so the
// pass may run twice. jvp, vjp and guess prepare the argmins they copy
// when the pass has not run, so that their output always runs.

// Implicit runs the implicit pass on f in place and returns it.
func Implicit(f *ir.Func) (*ir.Func, error) {
	for _, in := range f.Body {
		if err := prepareInstr(in); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// prepareInstr prepares the argmins of in's region functions, then in if
// it is an argmin.
func prepareInstr(in *ir.Instr) error {
	if in.Region == nil {
		return nil
	}
	for _, rf := range in.Region.Funcs {
		if rf == nil {
			continue
		}
		if _, err := Implicit(rf); err != nil {
			return err
		}
	}
	if in.Op != ir.OpArgmin {
		return nil
	}
	if err := prepareArgmin(in); err != nil {
		return fmt.Errorf("%s: %s = argmin: implicit: %w", in.Pos, instrNames(in), err)
	}
	return nil
}

// Solvers the runtime implements; closed forms register other names.
var builtinSolvers = []string{"newton", "sqp", "riemannian", "bfgs", "lbfgs"}

// prepareArgmin derives the region functions of one argmin.
func prepareArgmin(in *ir.Instr) error {
	a, err := ir.SplitArgmin(in.Region)
	if err != nil {
		return err
	}
	if len(in.Results) == 0 {
		return fmt.Errorf("argmin has no variables")
	}
	k := len(in.Results)
	if len(a.Objective.Params) != k+len(in.Args) {
		return fmt.Errorf("objective @%s takes %d parameters, want %d (the %d variables, then the %d operands)",
			a.Objective.Name, len(a.Objective.Params), k+len(in.Args), k, len(in.Args))
	}
	if err := recogniseStiefel(in, a); err != nil {
		return err
	}
	solver, err := pickSolver(in, a)
	if err != nil {
		return err
	}
	if !a.Derived() {
		if err := deriveRegion(a, k); err != nil {
			return err
		}
	}
	if cf := closedForm(solver); cf != nil && a.Solution == nil {
		if a.Solution, err = buildSolution(in, a, cf); err != nil {
			return fmt.Errorf("closed form %q: %w", solver, err)
		}
	}
	in.Region.Funcs = a.Funcs()
	return nil
}

// pickSolver checks the solver attribute, or sets it to the default for
// the problem's constraints, and returns it.
func pickSolver(in *ir.Instr, a *ir.ArgminRegion) (string, error) {
	solver, err := in.Attrs.Str("solver", "")
	if err != nil {
		return "", err
	}
	stiefel, _, _ := in.Attrs.IntList("stiefel")
	allStiefel := len(a.Constraints) > 0 && len(stiefel) == len(a.Constraints)
	if solver == "" {
		switch {
		case len(a.Constraints) == 0:
			solver = "newton"
		case allStiefel:
			solver = "riemannian"
		default:
			solver = "sqp"
		}
		setAttr(in, "solver", ir.String(solver))
	}
	switch {
	case closedForm(solver) != nil:
	case !slices.Contains(builtinSolvers, solver):
		return "", fmt.Errorf("unknown solver %q (built in: %v; closed forms: %v)", solver, builtinSolvers, ClosedFormNames())
	case solver == "riemannian" && !allStiefel:
		return "", fmt.Errorf("solver riemannian handles Stiefel constraints XᵀX − I = 0 only; the region has %d constraints, %d of them Stiefel ones (use sqp)", len(a.Constraints), len(stiefel))
	case (solver == "newton" || solver == "bfgs" || solver == "lbfgs") && len(a.Constraints) > 0:
		return "", fmt.Errorf("solver %s is unconstrained; the region has %d constraint functions (use sqp or riemannian)", solver, len(a.Constraints))
	}
	return solver, nil
}

// setAttr sets an attribute of in on a copy of its attributes, which may
// be shared with other instructions.
func setAttr(in *ir.Instr, key string, v ir.Attr) {
	attrs := in.Attrs.Clone()
	if attrs == nil {
		attrs = ir.Attrs{}
	}
	attrs[key] = v
	in.Attrs = attrs
}

// deriveRegion derives the gradient and Hessian-vector product of the
// objective and the Jacobian products of each constraint.
func deriveRegion(a *ir.ArgminRegion, k int) (err error) {
	if a.Grad, err = deriveGrad(a.Objective, k); err != nil {
		return err
	}
	if a.HVP, err = deriveTangent(a.Grad, k, ir.DerivedName(a.Objective.Name, ir.RoleHVP)); err != nil {
		return err
	}
	for i, c := range a.Constraints {
		if len(c.Results) != 1 || !c.Results[0].Type.DType.IsFloat() {
			return fmt.Errorf("constraint @%s returns (%s), want one float tensor", c.Name, ir.FormatTypes(c.ResultTypes()))
		}
		if a.ConstraintJVP[i], err = deriveTangent(c, k, ir.DerivedName(c.Name, ir.RoleJVP)); err != nil {
			return err
		}
		if a.ConstraintVJP[i], err = deriveConstraintVJP(c, k); err != nil {
			return err
		}
		if a.ConstraintHVP[i], err = deriveTangent(a.ConstraintVJP[i], k, ir.DerivedName(c.Name, ir.RoleHVP)); err != nil {
			return err
		}
	}
	return nil
}

// varNames returns the names of f's first k parameters, the variables.
func varNames(f *ir.Func, k int) []string {
	names := make([]string, k)
	for j, p := range f.Params[:k] {
		names[j] = p.Name
	}
	return names
}

// deriveGrad returns ∇ₓf as a function of f's parameters with one result
// per variable.
func deriveGrad(obj *ir.Func, k int) (*ir.Func, error) {
	g, err := VJP(obj.Clone(), varNames(obj, k))
	if err != nil {
		return nil, fmt.Errorf("gradient of @%s: %w", obj.Name, err)
	}
	g.Results = g.Results[1:]
	g.Name = ir.DerivedName(obj.Name, ir.RoleGrad)
	return tidy(g), nil
}

// deriveTangent returns the JVP of f in its first k parameters: a function
// of f's parameters and one tangent per variable that returns the tangents
// of f's results only.
func deriveTangent(f *ir.Func, k int, name string) (*ir.Func, error) {
	j, err := JVP(f.Clone(), varNames(f, k), 1)
	if err != nil {
		return nil, fmt.Errorf("derivative of @%s: %w", f.Name, err)
	}
	j.Results = j.Results[len(f.Results):]
	j.Name = name
	return tidy(j), nil
}

// deriveConstraintVJP returns Dₓcᵀw as the gradient of ⟨w, c(x, θ)⟩ in x,
// a function of c's parameters and w. Going through the scalar ⟨w, c⟩
// gives every constraint, scalar or not, the same signature.
func deriveConstraintVJP(c *ir.Func, k int) (*ir.Func, error) {
	cw := c.Clone()
	r := cw.Results[0]
	w := cw.AddParam(ir.NewNamer(cw).Fresh(r.Name+".w"), r.Type, ir.Data)
	e := ir.NewWriter(cw, nil).At(c.Pos)
	inner := reduceSum(e, mul(e, r, w), allAxes(r.Type.Rank()), false)
	if err := e.Err(); err != nil {
		return nil, fmt.Errorf("⟨w, @%s⟩: %w", c.Name, err)
	}
	cw.Results = []*ir.Value{inner}
	g, err := VJP(cw, varNames(cw, k))
	if err != nil {
		return nil, fmt.Errorf("transposed derivative of @%s: %w", c.Name, err)
	}
	g.Results = g.Results[1:]
	g.Name = ir.DerivedName(c.Name, ir.RoleVJP)
	return tidy(g), nil
}

func allAxes(rank int) []int {
	axes := make([]int, rank)
	for i := range axes {
		axes[i] = i
	}
	return axes
}

// tidy cleans a derived function up (fold, cse, dce).
func tidy(f *ir.Func) *ir.Func { return DCE(CSE(Fold(f))) }

// prepareDeclarative prepares an argmin copied into a function being
// built by a transform, when the implicit pass has not run: the copy must
// run, and its JVP rule needs the derived functions.
func prepareDeclarative(in *ir.Instr) error {
	if in.Region == nil {
		return nil
	}
	return prepareInstr(in)
}
