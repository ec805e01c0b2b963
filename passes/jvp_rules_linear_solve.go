package passes

import (
	"fmt"

	"github.com/pushforward/pushforward/ir"
)

// The derivative rules of linear_solve, x = A(p)⁻¹ b, whose operator A is
// the region's matvec of a vector and the operands p (as JAX's
// custom_linear_solve).
//
// JVP: ẋ = A⁻¹(ḃ − Ȧ x), where Ȧ x is the JVP of the matvec in p at
// v = x: one more linear_solve with the same operator, on a right-hand
// side linear in the tangents.
//
// Transpose (in b; the operands are primal wherever a JVP rule emits a
// linear_solve on tangents): b̄ = A⁻ᵀ x̄, a linear_solve with the
// transposed operator, which for a symmetric A is the same region, and
// otherwise the VJP of the matvec in v (a linear map's transpose, derived
// by linearize + transpose like any other).

// maxSolveBatch bounds the number of right-hand sides for which the JVP
// in the operands inlines the matvec's derivative once each.
const maxSolveBatch = 256

func linearSolveJVP(e *ir.Writer, in *ir.Instr, ts []*ir.Value) ([]*ir.Value, error) {
	mv, err := solveMatvec(in)
	if err != nil {
		return nil, err
	}
	x := in.Results[0]
	T := tangentT(in, ts)
	rhs := ts[0]
	var perturbed []int
	for i, t := range ts[1:] {
		if t != nil && in.Args[1+i].Type.DType.IsFloat() {
			perturbed = append(perturbed, 1+i)
		}
	}
	if len(perturbed) > 0 {
		adx, err := operatorTangent(e, in, mv, ts, perturbed, T)
		if err != nil {
			return nil, err
		}
		if adx != nil {
			if rhs == nil {
				rhs = neg(e, adx)
			} else {
				rhs = sub(e, rhs, adx)
			}
		}
	}
	if rhs == nil {
		return nil, nil
	}
	if want := lift(x.Type, T); !rhs.Type.Equal(want) {
		rhs = reshape(e, rhs, want.Shape)
	}
	xd, err := linearSolve(e, rhs, in.Args[1:], mv.Clone(), in.Attrs.Clone())
	if err != nil {
		return nil, err
	}
	return vals(xd), nil
}

func solveMatvec(in *ir.Instr) (*ir.Func, error) {
	if in.Region == nil || len(in.Region.Funcs) != 1 || in.Region.Funcs[0] == nil {
		return nil, fmt.Errorf("linear_solve needs a region with one matvec function")
	}
	return in.Region.Funcs[0], nil
}

// operatorTangent emits Ȧ x, the JVP of the matvec in the perturbed
// operands at v = x, for every right-hand side of x (with the tangent
// axis first, as the tangents have it); nil if the matvec does not depend
// on those operands.
func operatorTangent(e *ir.Writer, in *ir.Instr, mv *ir.Func, ts []*ir.Value, perturbed []int, T int) (*ir.Value, error) {
	seeds := make([]*ir.Value, len(perturbed))
	for i, a := range perturbed {
		seeds[i] = mv.Params[a]
	}
	tf := max(T, 1)
	fw, err := forward(mv, seeds, tf, mv.Name+"_jvp")
	if err != nil {
		return nil, fmt.Errorf("differentiating the matvec @%s in its operands: %w", mv.Name, err)
	}
	if fw.tangent[mv.Results[0]] == nil {
		return nil, nil
	}
	g := fw.withResults(true)
	x := in.Results[0]
	v := mv.Params[0].Type
	batch, _ := ir.BatchOf(x.Type, v)
	nb := batch.Size()
	if nb > maxSolveBatch {
		return nil, fmt.Errorf("the derivative of linear_solve in its operator's operands is inlined once per right-hand side; %d right-hand sides exceed %d", nb, maxSolveBatch)
	}
	xs := reshape(e, x, append(ir.Shape{nb}, v.Shape...))
	var parts []*ir.Value
	for j := range nb {
		start := make([]int, xs.Type.Rank())
		stop := xs.Type.Shape.Clone()
		start[0], stop[0] = j, j+1
		xj := reshape(e, emit1(e, ir.OpSlice, ir.Attrs{"start": ir.Ints(start...), "stop": ir.Ints(stop...)}, xs), v.Shape)
		args := append([]*ir.Value{xj}, in.Args[1:]...)
		for i, a := range perturbed {
			args = append(args, reshape(e, ts[a], fw.tanParam[i].Type.Shape))
		}
		res, err := inline(e, g, args, "")
		if err != nil {
			return nil, err
		}
		parts = append(parts, reshape(e, res[1], append(ir.Shape{tf, 1}, v.Shape...)))
	}
	all := parts[0]
	if len(parts) > 1 {
		all = emit1(e, ir.OpConcat, ir.Attrs{"axis": ir.Int(1)}, parts...)
	}
	return reshape(e, all, liftShape(x.Type.Shape, T)), nil
}

func linearSolveTranspose(e *ir.Writer, in *ir.Instr, cts []*ir.Value, linear []bool) ([]*ir.Value, error) {
	for i, l := range linear[1:] {
		if l {
			return nil, fmt.Errorf("linear_solve is not linear in its operator's operand %d", i+1)
		}
	}
	mv, err := solveMatvec(in)
	if err != nil {
		return nil, err
	}
	sym, _ := in.Attrs.Bool("symmetric", false)
	tmv := mv.Clone()
	if !sym {
		if tmv, err = transposedMatvec(mv); err != nil {
			return nil, err
		}
	}
	bt, err := linearSolve(e, cts[0], in.Args[1:], tmv, in.Attrs.Clone())
	if err != nil {
		return nil, err
	}
	out := make([]*ir.Value, len(in.Args))
	out[0] = bt
	return out, nil
}

// transposedMatvec derives u ↦ Aᵀu from the matvec v ↦ A v: the VJP of the
// matvec in v with cotangent u, evaluated at v = 0 (A is linear, so its
// transpose does not depend on v).
func transposedMatvec(mv *ir.Func) (f *ir.Func, err error) {
	vjp, err := VJP(mv.Clone(), []string{mv.Params[0].Name})
	if err != nil {
		return nil, fmt.Errorf("transposing the matvec @%s: %w", mv.Name, err)
	}
	// vjp takes (v, p.., u) and returns (A v, Aᵀu); build (u, p..) -> Aᵀu.
	f = ir.NewFunc(mv.Name + ".transpose")
	f.Pos = mv.Pos
	u := f.AddParam(ir.NewNamer(mv).Fresh("u"), mv.Params[0].Type, ir.Data)
	args := []*ir.Value{nil}
	for _, p := range mv.Params[1:] {
		args = append(args, f.AddParam(p.Name, p.Type, p.Role))
	}
	e := ir.NewWriter(f, nil).At(mv.Pos)
	defer checkEmit(e, &err, func() string { return "transposing the matvec @" + mv.Name })
	args[0] = full(e, mv.Params[0].Type, 0)
	scalar := len(vjp.Params) == len(mv.Params) // a scalar result: VJP took the cotangent as 1
	if !scalar {
		args = append(args, u)
	}
	res, err := inline(e, vjp, args, "")
	if err != nil {
		return nil, err
	}
	if scalar {
		res[1] = mul(e, res[1], u)
	}
	f.Results = []*ir.Value{res[1]}
	return tidy(f), nil
}
