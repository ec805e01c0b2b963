package codegen

import (
	"fmt"

	"github.com/pushforward/pushforward/ir"
)

// A fused op (ir/fused.go) is a loop whose body is its region: each body
// instruction becomes a scalar op of the loop's body, the parameters the
// operands' elements. Kind elementwise is the loop over the result; kind
// matmul runs the product first, as matmul does, into the first result's
// buffer (or a buffer of its own when the dtypes differ) and loops over
// it; kind reduce folds the body's value at every index of the domain
// into the outputs in row-major order, as the reductions do. Every element
// is computed by the scalar functions the interpreter's fused kernels and
// the unfused ops compute, with the same conversions, so the bits are
// theirs.

func emitFused(g *gen, in *ir.Instr) error {
	fu, err := ir.AnalyzeFused(in.ArgTypes(), in.Attrs, in.ResultTypes())
	if err != nil {
		return err
	}
	fn := in.FusedBody()
	if fn == nil {
		return fmt.Errorf("fused has no body (a region of one function)")
	}
	bd, err := fusedBody(fn, fu)
	if err != nil {
		return err
	}
	if bd.divides() {
		bd.divFail = g.failStmt(in, "ops.ErrIntDivByZero")
	}
	lp := &loop{shape: fu.Domain, body: bd}
	args := in.Args[fu.ElementOperands():]
	switch fu.Kind {
	case ir.FusedMatmul:
		product, err := g.fusedProduct(in, fu)
		if err != nil {
			return err
		}
		lp.ins = append(lp.ins, loopOperand{expr: product, dtype: fu.Params[0].DType, strides: fu.Domain.Strides()})
	case ir.FusedReduce:
		return g.emitFusedReduce(in, fu, lp, args)
	}
	for _, a := range args {
		lp.ins = append(lp.ins, g.broadcastOperand(a, fu.Domain))
	}
	for i, r := range in.Results {
		lp.outs = append(lp.outs, g.out(in, i))
		lp.dtype = append(lp.dtype, r.Type.DType)
	}
	g.emitLoop(lp, methodName(in), statement(in))
	return nil
}

// fusedBody translates a fused op's region into a loop body.
func fusedBody(fn *ir.Func, fu *ir.Fused) (*body, error) {
	if len(fn.Params) != len(fu.Params) || len(fn.Results) != len(fu.Results) {
		return nil, fmt.Errorf("body @%s takes %d parameters and returns %d results, want %d and %d",
			fn.Name, len(fn.Params), len(fn.Results), len(fu.Params), len(fu.Results))
	}
	bd := &body{}
	num := map[*ir.Value]int{}
	for i, p := range fn.Params {
		if p == nil || !p.Type.Equal(fu.Params[i]) {
			return nil, fmt.Errorf("body @%s: parameter %d is not a %s scalar", fn.Name, i, fu.Params[i].DType)
		}
		num[p] = i
		bd.in = append(bd.in, p.Type.DType)
	}
	for _, bin := range fn.Body {
		if bin == nil || len(bin.Results) != 1 || !ir.Fusable(bin.Op, bin.ResultTypes()) {
			return nil, fmt.Errorf("body @%s: an instruction that cannot be in a fused body", fn.Name)
		}
		r := bin.Results[0]
		op := scalarOp{op: bin.Op, attrs: bin.Attrs, dtype: r.Type.DType}
		switch bin.Op {
		case ir.OpFull, ir.OpConstant:
			leaves, err := ir.NumberLeaves(bin.Attrs["value"])
			if err != nil || len(leaves) != 1 {
				return nil, fmt.Errorf("body @%s: %s %s: want one value", fn.Name, quoteName(r), bin.Op)
			}
			if op.lit, err = literal(r.Type.DType, leaves[0]); err != nil {
				return nil, fmt.Errorf("body @%s: %s: %w", fn.Name, quoteName(r), err)
			}
		default:
			if err := checkBody(bin.Op); err != nil {
				return nil, fmt.Errorf("body @%s: %s: %w", fn.Name, quoteName(r), err)
			}
			for _, a := range bin.Args {
				k, ok := num[a]
				if !ok {
					return nil, fmt.Errorf("body @%s: %s is not defined before use", fn.Name, quoteName(a))
				}
				op.args = append(op.args, k)
			}
		}
		num[r] = len(bd.in) + len(bd.ops)
		bd.ops = append(bd.ops, op)
	}
	for i, r := range fn.Results {
		k, ok := num[r]
		if !ok {
			return nil, fmt.Errorf("body @%s: result %d is not defined", fn.Name, i)
		}
		bd.outs = append(bd.outs, k)
	}
	return bd, nil
}

// fusedProduct emits the matmul of a fused op of kind matmul and returns
// the expression of the product's elements: the first result's buffer
// when it has the product's dtype (the loop then reads each product
// element before it writes the results' at the same index), else a buffer
// of its own.
func (g *gen) fusedProduct(in *ir.Instr, fu *ir.Fused) (string, error) {
	d := fu.Params[0].DType
	product := g.out(in, 0)
	if in.Results[0].Type.DType != d {
		product = g.field(identifier(in.Results[0].Name, false, "v", "v")+"Product", "[]"+elemType(d), "the product of "+statement(in))
		g.ctor.line("%s = make([]%s, %d)", product, elemType(d), fu.Domain.Size())
	}
	err := g.gemm3(in, in.Args[0], in.Args[1], fu.TransposeA, fu.TransposeB, product, d, identifier(in.Results[0].Name, false, "v", "mm"))
	return product, err
}

// emitFusedReduce emits a fused reduction: the outputs (or float64
// accumulators for float sums and means) start at the fold's identity,
// the loop folds the body's value at each index of the domain, and float
// accumulators are divided (means) and rounded into the output.
func (g *gen) emitFusedReduce(in *ir.Instr, fu *ir.Fused, lp *loop, args []*ir.Value) error {
	for _, a := range args {
		lp.ins = append(lp.ins, g.broadcastOperand(a, fu.Domain))
	}
	r := in.Results[0]
	d := r.Type.DType
	out := g.out(in, 0)
	outLen := r.Type.Shape.Size()
	if outLen == 0 {
		return nil
	}
	if fu.Domain.Size() == 0 {
		// What the reduction gives for no elements (a mean: 0/0).
		g.step.line("ops.Fill(%s, ops.ReduceRepeated(%s, %s(0), 0))", out, opNames[fu.Reduce], elemType(d))
		return nil
	}
	// The accumulator's strides over the domain: the output's (with the
	// reduced axes kept as 1), 0 along the reduced axes.
	kept := fu.Domain.Clone()
	for _, a := range fu.Axes {
		kept[a] = 1
	}
	strides := kept.Strides()
	for _, a := range fu.Axes {
		strides[a] = 0
	}
	f := &fold{acc: out, strides: strides}
	div := 1
	if fu.Reduce == ir.OpReduceMean {
		for _, a := range fu.Axes {
			div *= fu.Domain[a]
		}
	}
	switch {
	case fu.Reduce == ir.OpReduceMax:
		f.kind = foldMax
		g.step.line("ops.Fill(%s, ops.Lowest[%s]())", out, elemType(d))
	case d.IsFloat():
		f.kind = foldFloat
		f.acc = g.scratchOf(outLen) + fmt.Sprintf("[:%d]", outLen)
		g.step.line("clear(%s)", f.acc)
	default:
		f.kind = foldInt
		g.step.line("clear(%s)", out)
	}
	lp.fold = f
	g.emitLoop(lp, methodName(in), statement(in))
	if f.kind == foldFloat {
		g.step.line("for i, v := range %s {", f.acc)
		g.step.line("%s[i] = %s(v / %s)", out, elemType(d), float64Lit(float64(div)))
		g.step.line("}")
	}
	return nil
}
