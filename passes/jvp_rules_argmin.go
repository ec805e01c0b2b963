package passes

import (
	"fmt"

	"github.com/pushforward/pushforward/ir"
)

// The generic derivative of the declarative op argmin, by the implicit
// function theorem. Specialised closed forms (the nearest-ETF polar factor,
// ...) are to be registered later and override it; this is the fallback
// that works for any smooth, strictly convex (near the solution) region
// objective.

// argminDenseLimit bounds the number of minimisation variables (elements
// of all the argmin's results together) the dense rule accepts: its
// Hessian takes n² elements and its solve n³/3 flops, and deriving the
// Hessian widens every value of the objective's gradient by n tangents.
const argminDenseLimit = 2048

// argminJVP differentiates x*(θ) = argmin_x f(x, θ) for an unconstrained
// region. At the solution the gradient g(x, θ) = ∇ₓf(x, θ) vanishes, so
// along a perturbation θ̇ of the operands
//
//	H ẋ = −b,  H = ∂g/∂x (the Hessian of f in x),  b = (∂g/∂θ) θ̇.
//
// Everything is emitted as IR into the function being built:
//
//  1. g, flattened and concatenated over the results into one vector of
//     length n, is derived from the objective by reverse mode (VJP with
//     respect to the x parameters);
//  2. forward mode over g gives H, seeded on x with the n columns of the
//     identity as n tangents, and b, seeded on θ with the operand
//     tangents (with their leading tangent axis, if any);
//  3. both derived functions are inlined at the argmin, with x bound to
//     its results and θ to its operands;
//  4. ẋ = −b H⁻¹ (H symmetric) by cholesky and two right-sided triangular
//     solves, then sliced and reshaped back into the results' shapes.
//
// H and its Cholesky factor depend only on primal values, and the code on
// the tangents is linear in them (the JVP of g, triangular solves with the
// primal factor, neg, slice, reshape), so reverse mode through argmin is
// the transpose of this rule and needs nothing else.
//
// Cost: the Hessian is dense, O(n²) memory and an O(n³) factorisation,
// and its derivation carries n tangents through the gradient of the
// objective. That is meant for small n (a few hundred variables, at most
// argminDenseLimit); larger problems need a specialised rule or a
// matrix-free (Hessian-vector product, conjugate gradient) one.
//
// Constrained problems (constraint functions after the objective in the
// region) need the KKT system and are rejected for now. Operands that are
// not floating point get no tangent.
func argminJVP(e *ir.Writer, in *ir.Instr, ts []*ir.Value) ([]*ir.Value, error) {
	if in.Region == nil || len(in.Region.Funcs) == 0 || in.Region.Funcs[0] == nil || len(in.Results) == 0 {
		return nil, fmt.Errorf("argmin needs results and an objective in its region")
	}
	if c := len(in.Region.Funcs) - 1; c > 0 {
		first := "?"
		if f := in.Region.Funcs[1]; f != nil {
			first = f.Name
		}
		return nil, fmt.Errorf("constrained argmin is not supported yet: differentiating it needs the KKT system (the region has %d constraint function(s), the first @%s)",
			c, first)
	}
	var perturbed []int // operands with a tangent
	for i, t := range ts {
		if t != nil && in.Args[i].Type.DType.IsFloat() {
			perturbed = append(perturbed, i)
		}
	}
	if len(perturbed) == 0 {
		return nil, nil
	}
	k := len(in.Results)
	d := in.Results[0].Type.DType
	n := 0
	for _, r := range in.Results {
		if r.Type.DType != d {
			return nil, fmt.Errorf("argmin results of mixed dtypes (%s and %s) are not supported", d, r.Type.DType)
		}
		n += r.Type.Shape.Size()
	}
	if n > argminDenseLimit {
		return nil, fmt.Errorf("argmin over %d variables: the generic implicit rule builds a dense %d×%d Hessian and accepts at most %d variables; register a specialised rule for this problem", n, n, n, argminDenseLimit)
	}
	obj := in.Region.Funcs[0]
	if len(obj.Params) != k+len(in.Args) {
		return nil, fmt.Errorf("argmin objective @%s takes %d parameters, want %d (the results, then the operands)", obj.Name, len(obj.Params), k+len(in.Args))
	}
	grad, err := argminGradient(obj, k, d)
	if err != nil {
		return nil, err
	}
	T := tangentT(in, ts)
	// The gradient's parameters are the objective's: x, then θ.
	primals := append(append([]*ir.Value{}, in.Results...), in.Args...)
	prefix := in.Results[0].Name // names the inlined code in dumps
	if prefix != "" && prefix[0] >= '0' && prefix[0] <= '9' {
		prefix = "v" + prefix
	}

	// b = (∂g/∂θ) θ̇ as [rows, n], rows = T or 1.
	b, err := argminRHS(e, in, ts, grad, primals, perturbed, T, prefix)
	if err != nil || b == nil {
		return nil, err
	}
	// H = ∂g/∂x, [n, n].
	h, err := argminHessian(e, in, grad, primals, n, prefix)
	if err != nil {
		return nil, err
	}
	// ẋ = −b H⁻¹: with H = L Lᵀ, solve Y Lᵀ = b, then X L = Y.
	l := emit1(e.Named(prefix+".hessian_chol"), ir.OpCholesky, nil, h)
	y := trsolve(e, l, b, trsolveFlags{lower: true, left: false, transA: true})
	xdot := neg(e, trsolve(e, l, y, trsolveFlags{lower: true, left: false}))

	rows := xdot.Type.Shape[0]
	out := make([]*ir.Value, k)
	off := 0
	for j, r := range in.Results {
		nj := r.Type.Shape.Size()
		part := xdot
		if k > 1 {
			part = emit1(e, ir.OpSlice, ir.Attrs{"start": ir.Ints(0, off), "stop": ir.Ints(rows, off+nj)}, xdot)
		}
		out[j] = reshape(e, part, liftShape(r.Type.Shape, T))
		off += nj
	}
	return out, nil
}

// argminGradient derives from the objective f(x_1..x_k, θ...) a function
// with the same parameters that returns ∇ₓf as one flat vector of dtype d:
// the gradients of the x_j, each flattened, concatenated in order.
func argminGradient(obj *ir.Func, k int, d ir.DType) (g *ir.Func, err error) {
	wrt := make([]string, k)
	for j, p := range obj.Params[:k] {
		wrt[j] = p.Name
	}
	g, err = VJP(obj.Clone(), wrt)
	if err != nil {
		return nil, fmt.Errorf("argmin: gradient of the objective @%s: %w", obj.Name, err)
	}
	ge := ir.NewWriter(g, nil).At(obj.Pos)
	defer checkEmit(ge, &err, func() string { return fmt.Sprintf("argmin: gradient of the objective @%s", obj.Name) })
	parts := make([]*ir.Value, k)
	for j, gj := range g.Results[1 : 1+k] {
		parts[j] = reshape(ge, gj, ir.Shape{gj.Type.Shape.Size()})
	}
	flat := parts[0]
	if k > 1 {
		flat = emit1(ge, ir.OpConcat, ir.Attrs{"axis": ir.Int(0)}, parts...)
	}
	if flat.Type.DType != d {
		return nil, fmt.Errorf("argmin: gradient of the objective @%s has dtype %s, want %s", obj.Name, flat.Type.DType, d)
	}
	g.Name = obj.Name + "_grad"
	g.Results = []*ir.Value{flat}
	return DCE(g), nil
}

// argminRHS inlines the JVP of the gradient with respect to the perturbed
// operands along their tangents and returns b = (∂g/∂θ) θ̇ as [rows, n]
// (rows = T, or 1 without a tangent axis), or nil if the gradient does not
// depend on them.
func argminRHS(e *ir.Writer, in *ir.Instr, ts []*ir.Value, grad *ir.Func, primals []*ir.Value, perturbed []int, T int, prefix string) (*ir.Value, error) {
	k := len(in.Results)
	seeds := make([]*ir.Value, len(perturbed))
	for i, a := range perturbed {
		seeds[i] = grad.Params[k+a]
	}
	tf := max(T, 1)
	r, err := forward(grad, seeds, tf, grad.Name+"_jvp")
	if err != nil {
		return nil, fmt.Errorf("argmin: differentiating the gradient of the objective in the operands: %w", err)
	}
	if r.tangent[grad.Results[0]] == nil {
		return nil, nil // the solution does not move with these operands
	}
	f := r.withResults(true)
	args := append([]*ir.Value{}, primals...)
	for i, a := range perturbed {
		// forward drops a tangent axis of size 1; match its parameter type.
		args = append(args, reshape(e, ts[a], r.tanParam[i].Type.Shape))
	}
	res, err := inline(e, f, args, prefix+".b")
	if err != nil {
		return nil, err
	}
	b := res[1]
	n := b.Type.Shape[b.Type.Rank()-1]
	return reshape(e, b, ir.Shape{tf, n}), nil
}

// argminHessian inlines the JVP of the gradient with respect to x along
// the n columns of the identity and returns H (n×n; row t is H e_t, and H
// is symmetric up to rounding, which cholesky ignores by factoring the
// symmetric part).
func argminHessian(e *ir.Writer, in *ir.Instr, grad *ir.Func, primals []*ir.Value, n int, prefix string) (*ir.Value, error) {
	k := len(in.Results)
	r, err := forward(grad, grad.Params[:k], n, grad.Name+"_hess")
	if err != nil {
		return nil, fmt.Errorf("argmin: differentiating the gradient of the objective in the variables: %w", err)
	}
	if r.tangent[grad.Results[0]] == nil {
		return nil, fmt.Errorf("argmin: the objective @%s is linear in the variables (its Hessian is zero), so the minimiser is not isolated", in.Region.Funcs[0].Name)
	}
	f := r.withResults(true)
	d := in.Results[0].Type.DType
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	iota := e.Emit(ir.OpConstant, nil, ir.Attrs{"value": ir.Ints(idx...)}, ir.TensorOf(ir.I64, n))[0]
	eye := e.Emit(ir.OpOneHot, vals(iota), ir.Attrs{"depth": ir.Int(n)}, ir.TensorOf(d, n, n))[0]
	args := append([]*ir.Value{}, primals...)
	off := 0
	for j, x := range in.Results {
		nj := x.Type.Shape.Size()
		cols := eye
		if k > 1 {
			cols = emit1(e, ir.OpSlice, ir.Attrs{"start": ir.Ints(0, off), "stop": ir.Ints(n, off+nj)}, eye)
		}
		args = append(args, reshape(e, cols, r.tanParam[j].Type.Shape))
		off += nj
	}
	res, err := inline(e, f, args, prefix+".H")
	if err != nil {
		return nil, err
	}
	return reshape(e, res[1], ir.Shape{n, n}), nil
}
