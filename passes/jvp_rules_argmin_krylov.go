package passes

import (
	"fmt"

	"github.com/pushforward/pushforward/ir"
)

// The matrix-free implicit rule. Nothing of size n² is formed: the
// operators are region functions built from the Hessian-vector products
// and Jacobian products of the implicit pass, and linear_solve runs a
// Krylov method on them (conjugate gradients for H, MINRES for the
// symmetric indefinite KKT matrix). Memory and work per iteration are
// those of one gradient evaluation.

// argminKrylovJVP solves the implicit system with linear_solve.
func argminKrylovJVP(e *ir.Writer, in *ir.Instr, ts []*ir.Value) ([]*ir.Value, error) {
	ap, err := newArgminProblem(in)
	if err != nil {
		return nil, err
	}
	perturbed := perturbedOperands(in, ts)
	if len(perturbed) == 0 {
		return nil, nil
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
	mv, err := ap.kktMatvec()
	if err != nil {
		return nil, err
	}
	attrs := ir.Attrs{"symmetric": ir.Bool(true), "posdef": ir.Bool(ap.P == 0)}
	z, err := linearSolve(e.Named(ap.prefix+".ift"), b, append(append([]*ir.Value{}, ap.primal...), nu...), mv, attrs)
	if err != nil {
		return nil, err
	}
	return ap.results(e, neg(e, z), T), nil
}

// linearSolve emits linear_solve b, ops... with the given matvec region.
func linearSolve(e *ir.Writer, b *ir.Value, ops []*ir.Value, matvec *ir.Func, attrs ir.Attrs) (*ir.Value, error) {
	in, err := e.Add(ir.OpLinearSolve, append([]*ir.Value{b}, ops...), attrs)
	if err != nil {
		return nil, err
	}
	in.Region = &ir.Region{Funcs: []*ir.Func{matvec}}
	return in.Results[0], nil
}

// newMatvec starts a matvec region function: a vector of type v, then the
// region layout's parameters (variables, operands, and multipliers if
// asked for).
func (ap *argminProblem) newMatvec(name string, v ir.Type, multipliers bool) (*ir.Func, *ir.Value, []*ir.Value, *ir.Writer) {
	f, ps, _ := ap.newRegionFunc(name, multipliers)
	vec := &ir.Value{Name: ir.NewNamer(f).Fresh("v"), Type: v, Role: ir.Data}
	f.Params = append([]*ir.Value{vec}, f.Params...)
	for i, p := range f.Params {
		p.Index = i
	}
	return f, vec, ps, ir.NewWriter(f, nil).At(ap.in.Pos)
}

// kktMatvec builds the operator of the implicit system on z = (v, w),
// flat [n+P]: (H v + γv + Aᵀw, A v) with H = ∇²ₓf + Σ ν_c ∇²ₓc, or
// H v + γv without constraints. Its parameters after z are the
// variables, the operands and the multipliers.
func (ap *argminProblem) kktMatvec() (f *ir.Func, err error) {
	f, z, ps, e := ap.newMatvec(ap.a.Objective.Name+".kkt_matvec", ir.TensorOf(ap.d, ap.n+ap.P), true)
	defer checkEmit(e, &err, func() string { return "the KKT operator" })
	xt, nu := ps[:len(ap.primal)], ps[len(ap.primal):]
	v := split(e, z, 0, ap.varTypes(), nil)
	h, err := inline(e, ap.a.HVP, append(append([]*ir.Value{}, xt...), v...), "")
	if err != nil {
		return nil, err
	}
	var w, av []*ir.Value
	if ap.P > 0 {
		w = split(e, z, ap.n, ap.cons, nil)
	}
	for i := range ap.a.Constraints {
		ch, err := inline(e, ap.a.ConstraintHVP[i], append(append(append([]*ir.Value{}, xt...), nu[i]), v...), "")
		if err != nil {
			return nil, err
		}
		jt, err := inline(e, ap.a.ConstraintVJP[i], append(append([]*ir.Value{}, xt...), w[i]), "")
		if err != nil {
			return nil, err
		}
		for j := range h {
			h[j] = add(e, add(e, h[j], ch[j]), jt[j])
		}
		jv, err := inline(e, ap.a.ConstraintJVP[i], append(append([]*ir.Value{}, xt...), v...), "")
		if err != nil {
			return nil, err
		}
		av = append(av, jv[0])
	}
	if ap.damp > 0 {
		for j := range h {
			h[j] = add(e, h[j], scale(e, v[j], ap.damp))
		}
	}
	f.Results = []*ir.Value{flatten(e, append(h, av...), nil)}
	return tidy(f), nil
}

// multipliers emits the least-squares multipliers at the solution,
// ν = −(A Aᵀ)⁻¹ A ∇ₓf (so that ∇ₓf + Aᵀν is as small as it can be, zero
// at a KKT point), solved by conjugate gradients on A Aᵀ; one value per
// constraint, typed like its result. Without constraints it returns nil.
func (ap *argminProblem) multipliers(e *ir.Writer) ([]*ir.Value, error) {
	if ap.P == 0 {
		return nil, nil
	}
	g, err := inline(e, ap.a.Grad, ap.primal, "")
	if err != nil {
		return nil, err
	}
	var ag []*ir.Value
	for i := range ap.a.Constraints {
		jv, err := inline(e, ap.a.ConstraintJVP[i], append(append([]*ir.Value{}, ap.primal...), g...), "")
		if err != nil {
			return nil, err
		}
		ag = append(ag, jv[0])
	}
	mv, err := ap.normalMatvec()
	if err != nil {
		return nil, err
	}
	attrs := ir.Attrs{"symmetric": ir.Bool(true), "posdef": ir.Bool(true)}
	s, err := linearSolve(e.Named(ap.prefix+".multipliers"), flatten(e, ag, nil), ap.primal, mv, attrs)
	if err != nil {
		return nil, err
	}
	nu := split(e, neg(e, s), 0, ap.cons, nil)
	for i, c := range ap.a.Constraints {
		e.Rename(nu[i], ap.prefix+"."+c.Name+".nu")
	}
	return nu, nil
}

// normalMatvec builds w ↦ A Aᵀ w on flat [P] vectors, with the variables
// and operands as its other parameters.
func (ap *argminProblem) normalMatvec() (f *ir.Func, err error) {
	f, wf, xt, e := ap.newMatvec(ap.a.Objective.Name+".normal_matvec", ir.TensorOf(ap.d, ap.P), false)
	defer checkEmit(e, &err, func() string { return "the operator A Aᵀ" })
	w := split(e, wf, 0, ap.cons, nil)
	var u []*ir.Value
	for i := range ap.a.Constraints {
		jt, err := inline(e, ap.a.ConstraintVJP[i], append(append([]*ir.Value{}, xt...), w[i]), "")
		if err != nil {
			return nil, err
		}
		if u == nil {
			u = jt
			continue
		}
		for j := range u {
			u[j] = add(e, u[j], jt[j])
		}
	}
	var out []*ir.Value
	for i := range ap.a.Constraints {
		jv, err := inline(e, ap.a.ConstraintJVP[i], append(append([]*ir.Value{}, xt...), u...), "")
		if err != nil {
			return nil, err
		}
		out = append(out, jv[0])
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no constraints")
	}
	f.Results = []*ir.Value{flatten(e, out, nil)}
	return tidy(f), nil
}
