package builder

import (
	"errors"
	"fmt"
	"math"

	"github.com/pushforward/pushforward/ir"
)

// One method per op of the ir table, in the table's order. Each infers the
// result types with ir.InferTypes and returns nil after an error.

// Sources.

// Constant returns a tensor of type t with the given elements in row-major
// order (one value for a scalar). Values of integer dtypes must be whole
// numbers.
func (b *Builder) Constant(t ir.Type, values ...float64) *ir.Value {
	if b.err != nil {
		return nil
	}
	var value ir.Attr
	var err error
	if t.Rank() == 0 && len(values) == 1 {
		value, err = numberAttr(t.DType, values[0])
	} else {
		list := make(ir.List, len(values))
		for i, v := range values {
			if list[i], err = numberAttr(t.DType, v); err != nil {
				break
			}
		}
		value = list
	}
	if err != nil {
		b.fail(callerPos(), "constant", nil, err)
		return nil
	}
	return b.emit1(ir.OpConstant, nil, ir.Attrs{"value": value}, t)
}

// Full returns a tensor of type t with every element equal to value.
func (b *Builder) Full(t ir.Type, value float64) *ir.Value {
	if b.err != nil {
		return nil
	}
	v, err := numberAttr(t.DType, value)
	if err != nil {
		b.fail(callerPos(), "full", nil, err)
		return nil
	}
	return b.emit1(ir.OpFull, nil, ir.Attrs{"value": v}, t)
}

// Scalar returns the rank-0 tensor of dtype d holding value (a full op).
func (b *Builder) Scalar(d ir.DType, value float64) *ir.Value {
	return b.Full(ir.Scalar(d), value)
}

// Zeros returns a tensor of type t filled with zeros.
func (b *Builder) Zeros(t ir.Type) *ir.Value { return b.Full(t, 0) }

// Ones returns a tensor of type t filled with ones.
func (b *Builder) Ones(t ir.Type) *ir.Value { return b.Full(t, 1) }

// RngNormal returns standard normal numbers of the float type t from the
// counter-based generator; key and counter are u64 scalars.
func (b *Builder) RngNormal(t ir.Type, key, counter *ir.Value) *ir.Value {
	return b.emit1(ir.OpRngNormal, []*ir.Value{key, counter}, nil, t)
}

// RngUniform returns numbers uniform in [0,1) of the float type t from the
// counter-based generator; key and counter are u64 scalars.
func (b *Builder) RngUniform(t ir.Type, key, counter *ir.Value) *ir.Value {
	return b.emit1(ir.OpRngUniform, []*ir.Value{key, counter}, nil, t)
}

// Elementwise, one operand.

// Neg returns -x.
func (b *Builder) Neg(x *ir.Value) *ir.Value { return b.emit1(ir.OpNeg, []*ir.Value{x}, nil) }

// Exp returns e^x.
func (b *Builder) Exp(x *ir.Value) *ir.Value { return b.emit1(ir.OpExp, []*ir.Value{x}, nil) }

// Log returns the natural logarithm of x.
func (b *Builder) Log(x *ir.Value) *ir.Value { return b.emit1(ir.OpLog, []*ir.Value{x}, nil) }

// Tanh returns the hyperbolic tangent of x.
func (b *Builder) Tanh(x *ir.Value) *ir.Value { return b.emit1(ir.OpTanh, []*ir.Value{x}, nil) }

// Sigmoid returns 1/(1+e^-x).
func (b *Builder) Sigmoid(x *ir.Value) *ir.Value { return b.emit1(ir.OpSigmoid, []*ir.Value{x}, nil) }

// Relu returns max(x, 0).
func (b *Builder) Relu(x *ir.Value) *ir.Value { return b.emit1(ir.OpRelu, []*ir.Value{x}, nil) }

// Step returns 1 where x > 0, else 0.
func (b *Builder) Step(x *ir.Value) *ir.Value { return b.emit1(ir.OpStep, []*ir.Value{x}, nil) }

// Abs returns |x|.
func (b *Builder) Abs(x *ir.Value) *ir.Value { return b.emit1(ir.OpAbs, []*ir.Value{x}, nil) }

// Sqrt returns the square root of x.
func (b *Builder) Sqrt(x *ir.Value) *ir.Value { return b.emit1(ir.OpSqrt, []*ir.Value{x}, nil) }

// Square returns x*x.
func (b *Builder) Square(x *ir.Value) *ir.Value { return b.emit1(ir.OpSquare, []*ir.Value{x}, nil) }

// Pow returns x^exponent.
func (b *Builder) Pow(x *ir.Value, exponent float64) *ir.Value {
	return b.emit1(ir.OpPow, []*ir.Value{x}, ir.Attrs{"exponent": ir.Float(exponent)})
}

// Cast converts x to dtype d.
func (b *Builder) Cast(x *ir.Value, d ir.DType) *ir.Value {
	var t ir.Type
	if x != nil {
		t = x.Type.WithDType(d)
	}
	return b.emit1(ir.OpCast, []*ir.Value{x}, nil, t)
}

// Elementwise, two or three operands with NumPy broadcasting. The operands
// must have the same dtype.

// Add returns x + y.
func (b *Builder) Add(x, y *ir.Value) *ir.Value { return b.emit1(ir.OpAdd, []*ir.Value{x, y}, nil) }

// Sub returns x - y.
func (b *Builder) Sub(x, y *ir.Value) *ir.Value { return b.emit1(ir.OpSub, []*ir.Value{x, y}, nil) }

// Mul returns x * y.
func (b *Builder) Mul(x, y *ir.Value) *ir.Value { return b.emit1(ir.OpMul, []*ir.Value{x, y}, nil) }

// Div returns x / y.
func (b *Builder) Div(x, y *ir.Value) *ir.Value { return b.emit1(ir.OpDiv, []*ir.Value{x, y}, nil) }

// Maximum returns max(x, y).
func (b *Builder) Maximum(x, y *ir.Value) *ir.Value {
	return b.emit1(ir.OpMaximum, []*ir.Value{x, y}, nil)
}

// Minimum returns min(x, y).
func (b *Builder) Minimum(x, y *ir.Value) *ir.Value {
	return b.emit1(ir.OpMinimum, []*ir.Value{x, y}, nil)
}

// Eq returns 1 where x == y, else 0, in the operands' dtype.
func (b *Builder) Eq(x, y *ir.Value) *ir.Value { return b.emit1(ir.OpEq, []*ir.Value{x, y}, nil) }

// Ne returns 1 where x != y, else 0.
func (b *Builder) Ne(x, y *ir.Value) *ir.Value { return b.emit1(ir.OpNe, []*ir.Value{x, y}, nil) }

// Lt returns 1 where x < y, else 0.
func (b *Builder) Lt(x, y *ir.Value) *ir.Value { return b.emit1(ir.OpLt, []*ir.Value{x, y}, nil) }

// Le returns 1 where x <= y, else 0.
func (b *Builder) Le(x, y *ir.Value) *ir.Value { return b.emit1(ir.OpLe, []*ir.Value{x, y}, nil) }

// Gt returns 1 where x > y, else 0.
func (b *Builder) Gt(x, y *ir.Value) *ir.Value { return b.emit1(ir.OpGt, []*ir.Value{x, y}, nil) }

// Ge returns 1 where x >= y, else 0.
func (b *Builder) Ge(x, y *ir.Value) *ir.Value { return b.emit1(ir.OpGe, []*ir.Value{x, y}, nil) }

// Select returns x where cond != 0, else y; the three broadcast together.
func (b *Builder) Select(cond, x, y *ir.Value) *ir.Value {
	return b.emit1(ir.OpSelect, []*ir.Value{cond, x, y}, nil)
}

// Data movement and contraction.

// BroadcastTo broadcasts x to the given dimensions under NumPy rules.
func (b *Builder) BroadcastTo(x *ir.Value, dims ...int) *ir.Value {
	var t ir.Type
	if x != nil {
		t = ir.TensorOf(x.Type.DType, dims...)
	}
	return b.emit1(ir.OpBroadcastTo, []*ir.Value{x}, nil, t)
}

// Reshape returns x's elements in row-major order with the given
// dimensions. One dimension may be -1: it is inferred from the others.
func (b *Builder) Reshape(x *ir.Value, dims ...int) *ir.Value {
	var t ir.Type
	if b.err == nil && x != nil {
		d, err := inferDim(x.Type.Shape, dims)
		if err != nil {
			b.fail(callerPos(), "reshape", []ir.Type{x.Type}, err)
			return nil
		}
		t = ir.TensorOf(x.Type.DType, d...)
	}
	return b.emit1(ir.OpReshape, []*ir.Value{x}, nil, t)
}

// inferDim replaces a single -1 in dims by the dimension that keeps the
// element count of s.
func inferDim(s ir.Shape, dims []int) ([]int, error) {
	at := -1
	known := 1
	for i, d := range dims {
		switch {
		case d == -1 && at >= 0:
			return nil, fmt.Errorf("more than one -1 in dimensions %v", dims)
		case d == -1:
			at = i
		case d >= 0:
			known *= d
		}
	}
	if at < 0 {
		return dims, nil
	}
	n, ok := s.NumElements()
	if !ok || known == 0 || n%int64(known) != 0 {
		return nil, fmt.Errorf("cannot reshape %s (%d elements) to %v", s, n, dims)
	}
	out := append([]int{}, dims...)
	out[at] = int(n / int64(known))
	return out, nil
}

// Transpose permutes the axes of x: result axis i is axis perm[i] of x.
// With no perm it reverses the axes (a matrix transpose for rank 2).
func (b *Builder) Transpose(x *ir.Value, perm ...int) *ir.Value {
	if len(perm) == 0 && x != nil {
		perm = make([]int, x.Type.Rank())
		for i := range perm {
			perm[i] = len(perm) - 1 - i
		}
	}
	return b.emit1(ir.OpTranspose, []*ir.Value{x}, ir.Attrs{"perm": ir.Ints(perm...)})
}

// Slice returns the box [start, stop) of x, one entry per axis.
func (b *Builder) Slice(x *ir.Value, start, stop []int) *ir.Value {
	return b.emit1(ir.OpSlice, []*ir.Value{x}, ir.Attrs{"start": ir.Ints(start...), "stop": ir.Ints(stop...)})
}

// Concat joins xs along axis (negative counts from the end).
func (b *Builder) Concat(axis int, xs ...*ir.Value) *ir.Value {
	if b.err == nil && len(xs) == 0 {
		b.fail(callerPos(), "concat", nil, errors.New("no operands"))
		return nil
	}
	return b.emit1(ir.OpConcat, xs, ir.Attrs{"axis": ir.Int(axis)})
}

// Matmul returns the batched matrix product x y: the last axis of x
// contracts with the second-to-last of y; leading axes broadcast.
func (b *Builder) Matmul(x, y *ir.Value) *ir.Value {
	return b.emit1(ir.OpMatmul, []*ir.Value{x, y}, nil)
}

// MatmulT is Matmul with the last two axes of x and/or y transposed first
// (the attributes transpose_a and transpose_b, stored only when true).
func (b *Builder) MatmulT(x, y *ir.Value, transposeX, transposeY bool) *ir.Value {
	attrs := ir.Attrs{}
	if transposeX {
		attrs["transpose_a"] = ir.Bool(true)
	}
	if transposeY {
		attrs["transpose_b"] = ir.Bool(true)
	}
	return b.emit1(ir.OpMatmul, []*ir.Value{x, y}, attrs)
}

// Gather picks the slices of table along axis given by the i64 indices
// idx; the result has idx's shape in place of that axis.
func (b *Builder) Gather(table, idx *ir.Value, axis int) *ir.Value {
	return b.emit1(ir.OpGather, []*ir.Value{table, idx}, ir.Attrs{"axis": ir.Int(axis)})
}

// Reductions. axes nil means all axes; keepdims keeps reduced axes with
// size 1.

func reduceAttrs(axes []int, keepdims bool) ir.Attrs {
	attrs := ir.Attrs{}
	if axes != nil {
		attrs["axes"] = ir.Ints(axes...)
	}
	if keepdims {
		attrs["keepdims"] = ir.Bool(true)
	}
	return attrs
}

// ReduceSum sums x over axes (nil: all).
func (b *Builder) ReduceSum(x *ir.Value, axes []int, keepdims bool) *ir.Value {
	return b.emit1(ir.OpReduceSum, []*ir.Value{x}, reduceAttrs(axes, keepdims))
}

// ReduceMean averages the float tensor x over axes (nil: all).
func (b *Builder) ReduceMean(x *ir.Value, axes []int, keepdims bool) *ir.Value {
	return b.emit1(ir.OpReduceMean, []*ir.Value{x}, reduceAttrs(axes, keepdims))
}

// ReduceMax takes the maximum of x over axes (nil: all).
func (b *Builder) ReduceMax(x *ir.Value, axes []int, keepdims bool) *ir.Value {
	return b.emit1(ir.OpReduceMax, []*ir.Value{x}, reduceAttrs(axes, keepdims))
}

// Sum returns the sum of all elements of x, a scalar.
func (b *Builder) Sum(x *ir.Value) *ir.Value {
	return b.emit1(ir.OpReduceSum, []*ir.Value{x}, nil)
}

// Mean returns the mean of all elements of x, a scalar.
func (b *Builder) Mean(x *ir.Value) *ir.Value {
	return b.emit1(ir.OpReduceMean, []*ir.Value{x}, nil)
}

// Normalisations and losses.

// Softmax returns the softmax of x along axis (-1 for the last).
func (b *Builder) Softmax(x *ir.Value, axis int) *ir.Value {
	return b.emit1(ir.OpSoftmax, []*ir.Value{x}, ir.Attrs{"axis": ir.Int(axis)})
}

// LogSoftmax returns the log of the softmax of x along axis.
func (b *Builder) LogSoftmax(x *ir.Value, axis int) *ir.Value {
	return b.emit1(ir.OpLogSoftmax, []*ir.Value{x}, ir.Attrs{"axis": ir.Int(axis)})
}

// SoftmaxXent returns the mean over the batch of the cross-entropy of
// logits [B,C] against i64 labels [B], a scalar.
func (b *Builder) SoftmaxXent(logits, labels *ir.Value) *ir.Value {
	return b.emit1(ir.OpSoftmaxXent, []*ir.Value{logits, labels}, nil)
}

// OneHot turns i64 labels into one-hot vectors of length depth and dtype d
// (a new last axis).
func (b *Builder) OneHot(labels *ir.Value, depth int, d ir.DType) *ir.Value {
	if b.err == nil && !d.Valid() {
		b.fail(callerPos(), "one_hot", nil, fmt.Errorf("invalid dtype %s", d))
		return nil
	}
	var declared []ir.Type
	if labels != nil {
		declared = []ir.Type{ir.TensorOf(d, append(labels.Type.Shape.Clone(), depth)...)}
	}
	return b.emit1(ir.OpOneHot, []*ir.Value{labels}, ir.Attrs{"depth": ir.Int(depth)}, declared...)
}

// Linear algebra. Operands are float matrices, with leading batch axes.

// QR returns the reduced QR factorisation a = q r: q [..,m,k] with
// orthonormal columns and upper triangular r [..,k,n], k = min(m,n).
func (b *Builder) QR(a *ir.Value) (q, r *ir.Value) {
	rs := b.emit(ir.OpQR, []*ir.Value{a}, nil, nil, nil)
	if rs == nil {
		return nil, nil
	}
	return rs[0], rs[1]
}

// SVD returns the thin singular value decomposition a = u diag(s) vᵀ with
// s descending: u [..,m,k], s [..,k], v [..,n,k].
func (b *Builder) SVD(a *ir.Value) (u, s, v *ir.Value) {
	rs := b.emit(ir.OpSVD, []*ir.Value{a}, nil, nil, nil)
	if rs == nil {
		return nil, nil, nil
	}
	return rs[0], rs[1], rs[2]
}

// Eigh returns the eigendecomposition a = v diag(w) vᵀ of a symmetric a,
// eigenvalues w ascending.
func (b *Builder) Eigh(a *ir.Value) (w, v *ir.Value) {
	rs := b.emit(ir.OpEigh, []*ir.Value{a}, nil, nil, nil)
	if rs == nil {
		return nil, nil
	}
	return rs[0], rs[1]
}

// Cholesky returns the lower Cholesky factor l of a symmetric positive
// definite a = l lᵀ.
func (b *Builder) Cholesky(a *ir.Value) *ir.Value {
	return b.emit1(ir.OpCholesky, []*ir.Value{a}, nil)
}

// TriangularSolve returns x with op(a) x = y (left) or x op(a) = y (not
// left), where a is lower or upper triangular and op(a) is aᵀ if transposeA.
// All three flags are stored: the op's defaults (lower, left) are not the
// zero values, so the IR says them explicitly.
func (b *Builder) TriangularSolve(a, y *ir.Value, lower, left, transposeA bool) *ir.Value {
	attrs := ir.Attrs{"lower": ir.Bool(lower), "left": ir.Bool(left), "transpose_a": ir.Bool(transposeA)}
	return b.emit1(ir.OpTriangularSolve, []*ir.Value{a, y}, attrs)
}

// numberAttr returns value as the attribute of a tensor of dtype d: an
// ir.Int for integer dtypes (value must be a whole number in range), else
// an ir.Float.
func numberAttr(d ir.DType, value float64) (ir.Attr, error) {
	if !d.IsInt() {
		return ir.Float(value), nil
	}
	if value != math.Trunc(value) || value < math.MinInt64 || value >= math.MaxInt64 || (d == ir.U64 && value < 0) {
		return nil, fmt.Errorf("value %v is not a valid %s (want a whole number within int64)", value, d)
	}
	return ir.Int(int64(value)), nil
}
