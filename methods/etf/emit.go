package etf

import (
	"github.com/pushforward/pushforward/ir"
)

// w emits the IR of the closed form and the derivative rules. Its methods
// return nil once the writer has recorded an error, which the caller
// reports through Err.
type w struct{ *ir.Writer }

func (e w) op(op ir.Op, attrs ir.Attrs, args ...*ir.Value) *ir.Value {
	for _, a := range args {
		if a == nil {
			return nil
		}
	}
	rs := e.Emit(op, args, attrs)
	if rs == nil {
		return nil
	}
	return rs[0]
}

func (e w) add(a, b *ir.Value) *ir.Value { return e.op(ir.OpAdd, nil, a, b) }
func (e w) sub(a, b *ir.Value) *ir.Value { return e.op(ir.OpSub, nil, a, b) }
func (e w) mul(a, b *ir.Value) *ir.Value { return e.op(ir.OpMul, nil, a, b) }
func (e w) div(a, b *ir.Value) *ir.Value { return e.op(ir.OpDiv, nil, a, b) }
func (e w) neg(a *ir.Value) *ir.Value    { return e.op(ir.OpNeg, nil, a) }
func (e w) sqrt(a *ir.Value) *ir.Value   { return e.op(ir.OpSqrt, nil, a) }

// matmul emits op(a)·op(b), transposing the last two axes of a and b as
// asked.
func (e w) matmul(a, b *ir.Value, ta, tb bool) *ir.Value {
	var attrs ir.Attrs
	if ta || tb {
		attrs = ir.Attrs{}
		if ta {
			attrs["transpose_a"] = ir.Bool(true)
		}
		if tb {
			attrs["transpose_b"] = ir.Bool(true)
		}
	}
	return e.op(ir.OpMatmul, attrs, a, b)
}

func (e w) sum(a *ir.Value, axes ...int) *ir.Value {
	var attrs ir.Attrs
	if len(axes) > 0 {
		attrs = ir.Attrs{"axes": ir.Ints(axes...)}
	}
	return e.op(ir.OpReduceSum, attrs, a)
}

// scalar emits a scalar constant of dtype d.
func (e w) scalar(d ir.DType, v float64) *ir.Value { return e.full(ir.Scalar(d), v) }

func (e w) full(t ir.Type, v float64) *ir.Value {
	rs := e.Emit(ir.OpFull, nil, ir.Attrs{"value": ir.Float(v)}, t)
	if rs == nil {
		return nil
	}
	return rs[0]
}

// constant emits a tensor of type t with the given row-major values.
func (e w) constant(t ir.Type, values []float64) *ir.Value {
	rs := e.Emit(ir.OpConstant, nil, ir.Attrs{"value": ir.Floats(values...)}, t)
	if rs == nil {
		return nil
	}
	return rs[0]
}

// cast converts a to dtype d, or returns it when it has that dtype.
func (e w) cast(a *ir.Value, d ir.DType) *ir.Value {
	if a == nil || a.Type.DType == d {
		return a
	}
	rs := e.Emit(ir.OpCast, []*ir.Value{a}, nil, a.Type.WithDType(d))
	if rs == nil {
		return nil
	}
	return rs[0]
}

func (e w) reshape(a *ir.Value, dims ...int) *ir.Value {
	if a == nil {
		return nil
	}
	if a.Type.Shape.Equal(ir.Shape(dims)) {
		return a
	}
	rs := e.Emit(ir.OpReshape, []*ir.Value{a}, nil, ir.TensorOf(a.Type.DType, dims...))
	if rs == nil {
		return nil
	}
	return rs[0]
}

func (e w) transpose(a *ir.Value, perm ...int) *ir.Value {
	return e.op(ir.OpTranspose, ir.Attrs{"perm": ir.Ints(perm...)}, a)
}

// swapLast transposes the last two axes of a.
func (e w) swapLast(a *ir.Value) *ir.Value {
	if a == nil {
		return nil
	}
	r := a.Type.Rank()
	perm := make([]int, r)
	for i := range perm {
		perm[i] = i
	}
	perm[r-2], perm[r-1] = r-1, r-2
	return e.transpose(a, perm...)
}

// eigh emits the eigendecomposition of the symmetric a: values ascending,
// vectors as columns.
func (e w) eigh(a *ir.Value) (vals, vecs *ir.Value) {
	if a == nil {
		return nil, nil
	}
	rs := e.Emit(ir.OpEigh, []*ir.Value{a}, nil)
	if rs == nil {
		return nil, nil
	}
	return rs[0], rs[1]
}

func (e w) cholesky(a *ir.Value) *ir.Value { return e.op(ir.OpCholesky, nil, a) }

// trsolve solves with the lower triangular l: l·x = b (left) or
// x·l = b, transposing l if asked.
func (e w) trsolve(l, b *ir.Value, left, transA bool) *ir.Value {
	return e.op(ir.OpTriangularSolve, ir.Attrs{"lower": ir.Bool(true), "left": ir.Bool(left), "transpose_a": ir.Bool(transA)}, l, b)
}

func (e w) gather(table, idx *ir.Value) *ir.Value { return e.op(ir.OpGather, nil, table, idx) }

// eye emits the n×n identity of dtype d.
func (e w) eye(d ir.DType, n int) *ir.Value {
	v := make([]float64, n*n)
	for i := range n {
		v[i*n+i] = 1
	}
	return e.constant(ir.TensorOf(d, n, n), v)
}
