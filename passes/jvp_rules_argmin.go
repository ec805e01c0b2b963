package passes

import (
	"fmt"

	"github.com/pushforward/pushforward/ir"
)

// The derivative of the declarative op argmin, by the implicit function
// theorem. For x*(θ) = argmin f(x, θ) subject to c(x, θ) = 0, the KKT
// conditions hold at the solution with multipliers ν:
//
//	∇ₓL(x, θ, ν) = ∇ₓf + Dₓcᵀν = 0,   c(x, θ) = 0,
//
// and differentiating them along a perturbation θ̇ of the operands gives
//
//	⎡ H   Aᵀ ⎤ ⎡ ẋ ⎤     ⎡ (∂∇ₓL/∂θ) θ̇ ⎤
//	⎣ A   0  ⎦ ⎣ ν̇ ⎦ = − ⎣ (∂c/∂θ) θ̇   ⎦,   H = ∇²ₓL, A = Dₓc,
//
// which is ddn's Dy = (H⁻¹Aᵀ(AH⁻¹Aᵀ)⁻¹AH⁻¹ − H⁻¹)B written as one
// symmetric system (without constraints, H ẋ = −(∂∇ₓf/∂θ) θ̇). The rules:
//
//   - krylov (the default): the system is a linear_solve whose operator
//     is a region function built from the Hessian-vector products the
//     implicit pass derived; the runtime solves it by conjugate gradients
//     (H positive definite) or MINRES (the KKT system), in O(n) memory;
//   - dense: the matrix is formed by n Hessian-vector products at once
//     and factored (Cholesky, or QR for the KKT matrix), for small n and
//     as the oracle of tests;
//   - a rule registered with RegisterArgminRule (the attribute implicit
//     names it; by default the one registered under the solver's name).
//
// The right-hand side is the JVP, in the operands, of the function
// R(x, θ, ν) = (∇ₓL, c) built from the region, inlined at the argmin.
// Everything on the tangents is linear (the JVP of R, linear_solve in its
// right-hand side, slices and reshapes), so reverse mode through argmin is
// the transpose of this rule, with no VJP rule of its own.
//
// The damping attribute γ replaces H by H + γI, as ddn's gamma does.

// argminDenseLimit bounds the size of the dense rule's matrix (variables
// plus constraint equations): n² elements, an O(n³) factorisation, and n
// tangents carried through the gradient of the objective.
const argminDenseLimit = 2048

func argminJVP(e *ir.Writer, in *ir.Instr, ts []*ir.Value) ([]*ir.Value, error) {
	if err := prepareDeclarative(in); err != nil {
		return nil, err
	}
	name, err := in.Attrs.Str("implicit", "")
	if err != nil {
		return nil, err
	}
	if name == "" {
		solver, _ := in.Attrs.Str("solver", "")
		name = RuleKrylov
		if argminRule(solver) != nil {
			name = solver
		}
	}
	if r := argminRule(name); r != nil {
		return r(e, in, ts)
	}
	return ImplicitJVP(name, e, in, ts)
}

// ImplicitJVP applies a generic implicit rule, RuleKrylov or RuleDense, to
// an argmin whose region holds its derived functions (as a registered
// rule sees it): for registered rules that fall back to the generic ones
// outside the cases they specialise.
func ImplicitJVP(rule string, e *ir.Writer, in *ir.Instr, tangents []*ir.Value) ([]*ir.Value, error) {
	switch rule {
	case RuleKrylov:
		return argminKrylovJVP(e, in, tangents)
	case RuleDense:
		return argminDenseJVP(e, in, tangents)
	}
	return nil, fmt.Errorf("unknown implicit rule %q (generic: %s, %s; registered under solver names)", rule, RuleKrylov, RuleDense)
}

// An argminProblem is an argmin of the function being built, split up for
// its derivative rules: variables x (its results), operands θ, the
// derived region, sizes, and the flat layout the rules work in (the
// variables' elements in order, then the constraints' equations).
type argminProblem struct {
	in     *ir.Instr
	a      *ir.ArgminRegion
	k      int         // variables
	n      int         // elements of the variables
	p      []int       // equations of each constraint
	P      int         // equations in all
	d      ir.DType    // of the variables
	cons   []ir.Type   // constraint result types
	prefix string      // names the emitted code in dumps
	damp   float64     // γ
	primal []*ir.Value // x.., θ.. in the function being built
}

func newArgminProblem(in *ir.Instr) (*argminProblem, error) {
	a, err := ir.SplitArgmin(in.Region)
	if err != nil {
		return nil, err
	}
	if !a.Derived() {
		return nil, fmt.Errorf("the region has no derived functions (run the implicit pass)")
	}
	ap := &argminProblem{in: in, a: a, k: len(in.Results), d: in.Results[0].Type.DType}
	for _, r := range in.Results {
		if r.Type.DType != ap.d {
			return nil, fmt.Errorf("argmin variables of mixed dtypes (%s and %s) are not supported", ap.d, r.Type.DType)
		}
		ap.n += r.Type.Shape.Size()
	}
	for _, c := range a.Constraints {
		t := c.Results[0].Type
		if t.DType != ap.d {
			return nil, fmt.Errorf("constraint @%s returns %s, the variables are %s", c.Name, t, ap.d)
		}
		ap.cons = append(ap.cons, t)
		ap.p = append(ap.p, t.Shape.Size())
		ap.P += t.Shape.Size()
	}
	if ap.damp, err = in.Attrs.Float("damping", 0); err != nil {
		return nil, err
	}
	ap.prefix = in.Results[0].Name
	if ap.prefix != "" && ap.prefix[0] >= '0' && ap.prefix[0] <= '9' {
		ap.prefix = "v" + ap.prefix
	}
	ap.primal = append(append([]*ir.Value{}, in.Results...), in.Args...)
	return ap, nil
}

// perturbedOperands returns the float operands with a tangent.
func perturbedOperands(in *ir.Instr, ts []*ir.Value) []int {
	var idx []int
	for i, t := range ts {
		if t != nil && in.Args[i].Type.DType.IsFloat() {
			idx = append(idx, i)
		}
	}
	return idx
}

// flatten concatenates vs, each reshaped to [lead.., size], along the last
// axis.
func flatten(e *ir.Writer, vs []*ir.Value, lead ir.Shape) *ir.Value {
	parts := make([]*ir.Value, len(vs))
	for i, v := range vs {
		size := v.Type.Shape[len(lead):].Size()
		parts[i] = reshape(e, v, append(lead.Clone(), size))
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return emit1(e, ir.OpConcat, ir.Attrs{"axis": ir.Int(len(lead))}, parts...)
}

// split cuts v [lead.., N] at offset off into values of the given types
// (with lead prepended), the inverse of flatten.
func split(e *ir.Writer, v *ir.Value, off int, types []ir.Type, lead ir.Shape) []*ir.Value {
	out := make([]*ir.Value, len(types))
	r := v.Type.Rank()
	for i, t := range types {
		size := t.Shape.Size()
		part := v
		if off != 0 || size != v.Type.Shape[r-1] {
			start := make([]int, r)
			stop := v.Type.Shape.Clone()
			start[r-1], stop[r-1] = off, off+size
			part = emit1(e, ir.OpSlice, ir.Attrs{"start": ir.Ints(start...), "stop": ir.Ints(stop...)}, v)
		}
		out[i] = reshape(e, part, append(lead.Clone(), t.Shape...))
		off += size
	}
	return out
}

// varTypes returns the variables' types.
func (ap *argminProblem) varTypes() []ir.Type { return ap.in.ResultTypes() }

// newRegionFunc starts a function of the problem's region layout: the
// variables and the operands, named as the objective's parameters, then,
// if multipliers, one multiplier per constraint, "<constraint>.nu".
func (ap *argminProblem) newRegionFunc(name string, multipliers bool) (*ir.Func, []*ir.Value, *ir.Writer) {
	f := ir.NewFunc(name)
	f.Pos = ap.a.Objective.Pos
	params := make([]*ir.Value, 0, len(ap.a.Objective.Params)+len(ap.cons))
	for _, p := range ap.a.Objective.Params {
		params = append(params, f.AddParam(p.Name, p.Type, p.Role))
	}
	names := ir.NewNamer(f)
	for i, t := range ap.cons {
		if multipliers {
			params = append(params, f.AddParam(names.Fresh(ap.a.Constraints[i].Name+".nu"), t, ir.Data))
		}
	}
	return f, params, ir.NewWriter(f, nil).At(ap.in.Pos)
}

// residualFunc builds R(x.., θ.., ν..) = (∇ₓL flat [n], c flat [P]), the
// KKT residual, from the region (just ∇ₓf without constraints).
func (ap *argminProblem) residualFunc() (f *ir.Func, err error) {
	f, ps, e := ap.newRegionFunc(ap.a.Objective.Name+".kkt", true)
	defer checkEmit(e, &err, func() string { return "the KKT residual" })
	xt, nu := ps[:len(ap.primal)], ps[len(ap.primal):]
	g, err := inline(e, ap.a.Grad, xt, "")
	if err != nil {
		return nil, err
	}
	var cs []*ir.Value
	for i, c := range ap.a.Constraints {
		jt, err := inline(e, ap.a.ConstraintVJP[i], append(append([]*ir.Value{}, xt...), nu[i]), "")
		if err != nil {
			return nil, err
		}
		for j := range g {
			g[j] = add(e, g[j], jt[j])
		}
		ci, err := inline(e, c, xt, "")
		if err != nil {
			return nil, err
		}
		cs = append(cs, ci[0])
	}
	f.Results = []*ir.Value{flatten(e, g, nil)}
	if ap.P > 0 {
		f.Results = append(f.Results, flatten(e, cs, nil))
	}
	return tidy(f), nil
}

// rhs emits b = (∂R/∂θ) θ̇ as [rows, n+P] (rows = T, or 1 without a tangent
// axis), or nil if R does not depend on the perturbed operands.
func (ap *argminProblem) rhs(e *ir.Writer, r *ir.Func, nu []*ir.Value, ts []*ir.Value, perturbed []int, T int) (*ir.Value, error) {
	seeds := make([]*ir.Value, len(perturbed))
	for i, a := range perturbed {
		seeds[i] = r.Params[ap.k+a]
	}
	tf := max(T, 1)
	fw, err := forward(r, seeds, tf, r.Name+"_jvp")
	if err != nil {
		return nil, fmt.Errorf("differentiating the KKT residual in the operands: %w", err)
	}
	dependent := false
	for _, v := range r.Results {
		dependent = dependent || fw.tangent[v] != nil
	}
	if !dependent {
		return nil, nil
	}
	g := fw.withResults(true)
	args := append(append([]*ir.Value{}, ap.primal...), nu...)
	for i, a := range perturbed {
		// forward drops a tangent axis of size 1; match its parameter type.
		args = append(args, reshape(e, ts[a], fw.tanParam[i].Type.Shape))
	}
	res, err := inline(e, g, args, ap.prefix+".rhs")
	if err != nil {
		return nil, err
	}
	parts := res[len(r.Results):]
	for i, t := range parts {
		parts[i] = reshape(e, t, ir.Shape{tf, r.Results[i].Type.Shape.Size()})
	}
	return flatten(e, parts, ir.Shape{tf}), nil
}

// results cuts the solution z [rows, n+P] of the implicit system into the
// variables' tangents (dropping the multipliers' part).
func (ap *argminProblem) results(e *ir.Writer, z *ir.Value, T int) []*ir.Value {
	out := split(e, z, 0, ap.varTypes(), ir.Shape{z.Type.Shape[0]})
	for j, r := range ap.in.Results {
		out[j] = reshape(e, out[j], liftShape(r.Type.Shape, T))
	}
	return out
}

// argminDenseJVP forms the implicit system's matrix K (H, or the KKT
// matrix) from n Hessian-vector products at once — the JVP of R in the
// variables along the n columns of the identity — and solves K z = −b by
// Cholesky (H) or QR (the KKT matrix, symmetric indefinite).
func argminDenseJVP(e *ir.Writer, in *ir.Instr, ts []*ir.Value) ([]*ir.Value, error) {
	ap, err := newArgminProblem(in)
	if err != nil {
		return nil, err
	}
	perturbed := perturbedOperands(in, ts)
	if len(perturbed) == 0 {
		return nil, nil
	}
	if N := ap.n + ap.P; N > argminDenseLimit {
		return nil, fmt.Errorf("argmin over %d variables and %d constraint equations: the dense implicit rule builds a %d×%d matrix and accepts at most %d; use implicit=\"krylov\"", ap.n, ap.P, N, N, argminDenseLimit)
	}
	r, err := ap.residualFunc()
	if err != nil {
		return nil, err
	}
	T := tangentT(in, ts)
	nu, err := ap.multipliers(e)
	if err != nil {
		return nil, err
	}
	b, err := ap.rhs(e, r, nu, ts, perturbed, T)
	if err != nil || b == nil {
		return nil, err
	}
	k, err := ap.denseMatrix(e, r, nu)
	if err != nil {
		return nil, err
	}
	var z *ir.Value
	if ap.P == 0 {
		// z = −b H⁻¹ (H symmetric): with H = L Lᵀ, solve Y Lᵀ = b, then Z L = Y.
		l := emit1(e.Named(ap.prefix+".hessian_chol"), ir.OpCholesky, nil, k)
		y := trsolve(e, l, b, trsolveFlags{lower: true, left: false, transA: true})
		z = neg(e, trsolve(e, l, y, trsolveFlags{lower: true, left: false}))
	} else {
		// z = −b K⁻¹ (K symmetric): with K = Q R, solve Y R = b, then z = −Y Qᵀ.
		qr := e.Emit(ir.OpQR, vals(k), nil)
		y := trsolve(e, qr[1], b, trsolveFlags{lower: false, left: false})
		z = neg(e, matmul(e, y, qr[0], false, true))
	}
	return ap.results(e, z, T), nil
}

// denseMatrix emits the implicit system's matrix: H (+γI) without
// constraints, else [[H + γI, Aᵀ], [A, 0]].
func (ap *argminProblem) denseMatrix(e *ir.Writer, r *ir.Func, nu []*ir.Value) (*ir.Value, error) {
	n := ap.n
	fw, err := forward(r, r.Params[:ap.k], n, r.Name+"_hess")
	if err != nil {
		return nil, fmt.Errorf("differentiating the KKT residual in the variables: %w", err)
	}
	if fw.tangent[r.Results[0]] == nil {
		return nil, fmt.Errorf("the objective @%s is linear in the variables (its Hessian is zero), so the minimiser is not isolated", ap.a.Objective.Name)
	}
	g := fw.withResults(true)
	eye := identity(e, ap.d, n)
	args := append(append([]*ir.Value{}, ap.primal...), nu...)
	for j, cols := range split(e, eye, 0, ap.varTypes(), ir.Shape{n}) {
		args = append(args, reshape(e, cols, fw.tanParam[j].Type.Shape))
	}
	res, err := inline(e, g, args, ap.prefix+".H")
	if err != nil {
		return nil, err
	}
	h := reshape(e, res[len(r.Results)], ir.Shape{n, n})
	if ap.damp > 0 {
		h = add(e, h, scale(e, eye, ap.damp))
	}
	if ap.P == 0 {
		return h, nil
	}
	at := reshape(e, res[len(r.Results)+1], ir.Shape{n, ap.P}) // row t is A e_t: Aᵀ
	top := emit1(e, ir.OpConcat, ir.Attrs{"axis": ir.Int(1)}, h, at)
	bottom := emit1(e, ir.OpConcat, ir.Attrs{"axis": ir.Int(1)}, transpose(e, at, []int{1, 0}), full(e, ir.TensorOf(ap.d, ap.P, ap.P), 0))
	return emit1(e.Named(ap.prefix+".kkt_matrix"), ir.OpConcat, ir.Attrs{"axis": ir.Int(0)}, top, bottom), nil
}
