package ir

import (
	"errors"
	"fmt"
	"strings"
)

// The regions of the declarative ops.
//
// An argmin's region holds the functions its user wrote, in order: the
// objective f(x₁..x_k, θ₁..θ_m), a float scalar, then zero or more
// constraint functions c(x, θ), each returning one float tensor, with
// the problem
//
//	x* = argmin_x f(x, θ)  subject to  c(x, θ) = 0 for every c.
//
// Every such function takes the variables (typed like the argmin's
// results) followed by the operands. The implicit pass (package passes)
// appends the functions a solver and the implicit derivative need,
// derived from those by the project's own transforms and named after the
// function they derive from, "@<base>.<role>":
//
//	@f.grad(x.., θ..) -> (g..)                ∇ₓf, one result per variable
//	@f.hvp(x.., θ.., v..) -> (h..)            ∇²ₓf v (the Hessian-vector product)
//	@f.solution(θ..) -> (x..)                 a closed form of x* (a registered solver)
//	@c.jvp(x.., θ.., v..) -> (r)              Dₓc v
//	@c.vjp(x.., θ.., w) -> (g..)              Dₓcᵀ w, w typed like c's result
//	@c.hvp(x.., θ.., w, v..) -> (h..)         Dₓ(Dₓcᵀ w) v, the second derivative of ⟨w, c⟩
//
// A region function is derived when its name is an earlier region
// function's name, a dot and one of these roles; the others are the
// objective (the first) and the constraints. The verifier checks every
// signature.
//
// Attributes of argmin (all optional):
//
//	solver     the method: "newton" (Newton–CG, the default without
//	           constraints), "sqp" (Newton–KKT, the default with general
//	           equality constraints), "riemannian" (trust regions on the
//	           Stiefel manifold, the default when every constraint is a
//	           Stiefel one), "bfgs", "lbfgs", or the name of a closed form
//	           registered with the passes ("ridge", "lstsq", ...)
//	tol        the solver's tolerance on ‖∇ₓL‖∞ and ‖c‖∞, relative to
//	           max(1, ‖∇ₓf‖∞ at the starting point)
//	max_iter   the solver's iteration budget; running out is an error
//	check_tol  the optimality check after every solve, in the same units
//	init       for each variable, the index of the operand holding its
//	           starting point (a warm start), or -1 for the default start
//	stiefel    the variables constrained to the Stiefel manifold XᵀX = I
//	           (set by the implicit pass when it recognises the
//	           constraint)
//	implicit   the derivative rule: "dense" (the dense Hessian or KKT
//	           matrix, for small problems and as the oracle), "krylov"
//	           (matrix-free: conjugate gradients or MINRES on
//	           Hessian-vector products), or a rule registered with the
//	           passes; by default the rule registered under the solver's
//	           name, else "krylov"
//	damping    γ ≥ 0 added to the Hessian in the implicit derivative,
//	           (H + γI) ẋ = −b, as a regulariser
//	check      whether the optimality conditions are checked after every
//	           solve (default true); false runs a closed form alone, for
//	           closed forms exact by construction (whose tests check
//	           optimality) in training steps, where the check would cost
//	           more than the solve
//
// A linear_solve's region holds one function, the operator's matvec
// @A(v, p₂..p_m) -> (A v), linear in v, whose parameters after v are
// typed like the operands after the right-hand side. Its attributes:
// symmetric and posdef (what the operator is known to be: they pick the
// method), method ("cg", "minres" or "gmres"; by default cg for
// symmetric positive definite operators, minres for symmetric ones,
// gmres otherwise), tol (on the residual, relative to ‖b‖) and max_iter.

// The roles of derived region functions.
const (
	RoleGrad     = "grad"
	RoleHVP      = "hvp"
	RoleSolution = "solution"
	RoleJVP      = "jvp"
	RoleVJP      = "vjp"
)

// objectiveRoles and constraintRoles are the derived roles of the
// objective and of a constraint.
var (
	objectiveRoles  = []string{RoleGrad, RoleHVP, RoleSolution}
	constraintRoles = []string{RoleJVP, RoleVJP, RoleHVP}
)

// DerivedName returns the name of the function of the given role derived
// from base.
func DerivedName(base, role string) string { return base + "." + role }

// An ArgminRegion is an argmin's region split by role. Derived functions
// absent from the region are nil.
type ArgminRegion struct {
	Objective   *Func
	Constraints []*Func
	// The derived functions of the objective.
	Grad, HVP, Solution *Func
	// The derived functions of each constraint, in the constraints' order.
	ConstraintJVP, ConstraintVJP, ConstraintHVP []*Func
}

// SplitArgmin splits an argmin's region by role. It fails on an empty
// region, a nil function, or a derived function given twice.
func SplitArgmin(r *Region) (*ArgminRegion, error) {
	if r == nil || len(r.Funcs) == 0 {
		return nil, errors.New("argmin has no region")
	}
	a := &ArgminRegion{}
	index := map[string]int{} // primary function name -> 0 objective, i+1 constraint i
	for _, f := range r.Funcs {
		if f == nil {
			return nil, errors.New("argmin region holds a nil function")
		}
		base, role, derived := derivedOf(f.Name, index)
		if !derived {
			if a.Objective == nil {
				a.Objective = f
				index[f.Name] = 0
			} else {
				index[f.Name] = len(a.Constraints) + 1
				a.Constraints = append(a.Constraints, f)
				a.ConstraintJVP = append(a.ConstraintJVP, nil)
				a.ConstraintVJP = append(a.ConstraintVJP, nil)
				a.ConstraintHVP = append(a.ConstraintHVP, nil)
			}
			continue
		}
		slot := a.slot(index[base], role) // derivedOf checked the role
		if *slot != nil {
			return nil, fmt.Errorf("region function @%s given twice", f.Name)
		}
		*slot = f
	}
	return a, nil
}

// derivedOf reports whether name is "<base>.<role>" for an earlier
// primary function base and a known role.
func derivedOf(name string, index map[string]int) (base, role string, ok bool) {
	i := strings.LastIndexByte(name, '.')
	if i < 0 {
		return "", "", false
	}
	base, role = name[:i], name[i+1:]
	at, known := index[base]
	if !known {
		return "", "", false
	}
	roles := constraintRoles
	if at == 0 {
		roles = objectiveRoles
	}
	for _, r := range roles {
		if r == role {
			return base, role, true
		}
	}
	return "", "", false
}

// slot returns where the derived function of the given role of primary
// function at (0 the objective, i+1 constraint i) is kept.
func (a *ArgminRegion) slot(at int, role string) **Func {
	if at == 0 {
		switch role {
		case RoleGrad:
			return &a.Grad
		case RoleHVP:
			return &a.HVP
		case RoleSolution:
			return &a.Solution
		}
		return nil
	}
	switch i := at - 1; role {
	case RoleJVP:
		return &a.ConstraintJVP[i]
	case RoleVJP:
		return &a.ConstraintVJP[i]
	case RoleHVP:
		return &a.ConstraintHVP[i]
	}
	return nil
}

// Derived reports whether the region holds every function the solvers
// and the implicit derivative need: the objective's gradient and
// Hessian-vector product, and each constraint's Jacobian products.
func (a *ArgminRegion) Derived() bool {
	if a.Grad == nil || a.HVP == nil {
		return false
	}
	for i := range a.Constraints {
		if a.ConstraintJVP[i] == nil || a.ConstraintVJP[i] == nil || a.ConstraintHVP[i] == nil {
			return false
		}
	}
	return true
}

// Funcs returns the region's functions in their canonical order: the
// objective and the constraints, then the objective's derived functions
// (grad, hvp, solution), then each constraint's (jvp, vjp, hvp).
func (a *ArgminRegion) Funcs() []*Func {
	fs := append([]*Func{a.Objective}, a.Constraints...)
	for _, f := range []*Func{a.Grad, a.HVP, a.Solution} {
		if f != nil {
			fs = append(fs, f)
		}
	}
	for i := range a.Constraints {
		for _, f := range []*Func{a.ConstraintJVP[i], a.ConstraintVJP[i], a.ConstraintHVP[i]} {
			if f != nil {
				fs = append(fs, f)
			}
		}
	}
	return fs
}

// verifyArgminRegion checks the signature of every function of an
// argmin's region against the argmin's result types (the variables X)
// and operand types (Θ), and the attributes that refer to them.
func verifyArgminRegion(in *Instr, fail func(string, ...any)) {
	a, err := SplitArgmin(in.Region)
	if err != nil {
		fail("%v", err)
		return
	}
	vars, ops := in.ResultTypes(), in.ArgTypes()
	xt := append(append([]Type{}, vars...), ops...)
	check := func(f *Func, what string, params, results []Type) {
		if f == nil {
			return
		}
		got := make([]Type, len(f.Params))
		for j, p := range f.Params {
			if p != nil {
				got[j] = p.Type
			}
		}
		if !TypesEqual(got, params) {
			fail("region function @%s takes (%s), want %s (%s)", f.Name, joinTypes(got), what, joinTypes(params))
		}
		if results != nil && !TypesEqual(f.ResultTypes(), results) {
			fail("region function @%s returns (%s), want (%s)", f.Name, joinTypes(f.ResultTypes()), joinTypes(results))
		}
	}
	cat := func(ts ...[]Type) []Type {
		var out []Type
		for _, t := range ts {
			out = append(out, t...)
		}
		return out
	}
	check(a.Objective, "the variables then the operands", xt, nil)
	if rt := a.Objective.ResultTypes(); len(rt) != 1 || rt[0].Rank() != 0 || !rt[0].DType.IsFloat() {
		fail("objective @%s returns (%s), want one float scalar", a.Objective.Name, joinTypes(rt))
	}
	check(a.Grad, "the variables then the operands", xt, vars)
	check(a.HVP, "the variables, the operands, then a vector like the variables", cat(xt, vars), vars)
	check(a.Solution, "the operands", ops, vars)
	for i, c := range a.Constraints {
		check(c, "the variables then the operands", xt, nil)
		rt := c.ResultTypes()
		if len(rt) != 1 || !rt[0].DType.IsFloat() {
			fail("constraint @%s returns (%s), want one float tensor", c.Name, joinTypes(rt))
			continue
		}
		check(a.ConstraintJVP[i], "the variables, the operands, then a vector like the variables", cat(xt, vars), rt)
		check(a.ConstraintVJP[i], "the variables, the operands, then a cotangent like the constraint", cat(xt, rt), vars)
		check(a.ConstraintHVP[i], "the variables, the operands, a cotangent like the constraint, then a vector like the variables", cat(xt, rt, vars), vars)
	}
	verifyArgminAttrs(in, fail)
}

// verifyArgminAttrs checks init and stiefel against the variables and
// operands.
func verifyArgminAttrs(in *Instr, fail func(string, ...any)) {
	if init, ok, err := in.Attrs.IntList("init"); err == nil && ok {
		if len(init) != len(in.Results) {
			fail("init lists %d operands for %d variables", len(init), len(in.Results))
		}
		for j, i := range init {
			switch {
			case j >= len(in.Results) || i == -1:
			case i < 0 || i >= len(in.Args):
				fail("init[%d] = %d is not an operand index (the argmin has %d)", j, i, len(in.Args))
			case !in.Args[i].Type.Equal(in.Results[j].Type):
				fail("init[%d]: operand %s has type %s, the variable %s", j, in.Args[i], in.Args[i].Type, in.Results[j].Type)
			}
		}
	}
	if st, ok, err := in.Attrs.IntList("stiefel"); err == nil && ok {
		for _, j := range st {
			switch {
			case j < 0 || j >= len(in.Results):
				fail("stiefel names variable %d, the argmin has %d", j, len(in.Results))
			case in.Results[j].Type.Rank() != 2 || in.Results[j].Type.Shape[0] < in.Results[j].Type.Shape[1]:
				fail("stiefel variable %s has type %s, want a tall or square matrix [n,k], n ≥ k", in.Results[j], in.Results[j].Type)
			}
		}
	}
	if g, err := in.Attrs.Float("damping", 0); err == nil && !(g >= 0) {
		fail("damping=%v must not be negative", g)
	}
}

// verifyLinearSolveRegion checks a linear_solve's region: one function
// taking a vector v (the right-hand side's trailing axes) and the other
// operands, and returning a value of v's type.
func verifyLinearSolveRegion(in *Instr, fail func(string, ...any)) {
	if len(in.Region.Funcs) != 1 || in.Region.Funcs[0] == nil {
		fail("linear_solve's region holds %d functions, want one (the matvec)", len(in.Region.Funcs))
		return
	}
	mv := in.Region.Funcs[0]
	if len(mv.Params) != len(in.Args) || len(in.Args) == 0 {
		fail("matvec @%s takes %d parameters, want %d (a vector, then the operands after the right-hand side)", mv.Name, len(mv.Params), len(in.Args))
		return
	}
	v := mv.Params[0].Type
	b := in.Args[0].Type
	if _, ok := BatchOf(b, v); !ok {
		fail("right-hand side %s is not a batch of the matvec's vectors %s", b, v)
	}
	for i, p := range mv.Params[1:] {
		if p != nil && !p.Type.Equal(in.Args[i+1].Type) {
			fail("matvec @%s: parameter %s has type %s, operand %d is %s", mv.Name, p, p.Type, i+1, in.Args[i+1].Type)
		}
	}
	if rt := mv.ResultTypes(); len(rt) != 1 || !rt[0].Equal(v) {
		fail("matvec @%s returns (%s), want (%s)", mv.Name, joinTypes(rt), v)
	}
}

// BatchOf reports whether b is a batch of values of type v: the same
// dtype, and v's shape preceded by zero or more batch axes, which it
// returns.
func BatchOf(b, v Type) (Shape, bool) {
	lead := b.Rank() - v.Rank()
	if b.DType != v.DType || lead < 0 || !b.Shape[lead:].Equal(v.Shape) {
		return nil, false
	}
	return b.Shape[:lead], true
}

// linearSolveType gives the right-hand side's type; the verifier, which
// sees the region, checks it against the matvec.
func linearSolveType(_ *OpInfo, args []Type, _ Attrs, _ []Type) ([]Type, error) {
	if err := checkDType("right-hand side", args[0], floats); err != nil {
		return nil, err
	}
	return one(args[0]), nil
}

// CheckRegion checks the region of a declarative instruction as the
// verifier does (the linear_solve matvec against the operands; the argmin
// region functions against the operands and results) and returns the
// first problem, or nil.
func CheckRegion(in *Instr) error {
	var first error
	fail := func(format string, args ...any) {
		if first == nil {
			first = fmt.Errorf(format, args...)
		}
	}
	switch {
	case in.Region == nil:
		fail("%s needs a region", in.Op)
	case in.Op == OpArgmin:
		verifyArgminRegion(in, fail)
	case in.Op == OpLinearSolve:
		verifyLinearSolveRegion(in, fail)
	}
	return first
}
