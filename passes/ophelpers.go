package passes

import (
	"github.com/pushforward/pushforward/ir"
)

// Small constructors over ir.Emitter used by the derivative rules. They
// keep the rules close to the formulas they implement.

func vals(vs ...*ir.Value) []*ir.Value { return vs }

func emit1(e *ir.Writer, op ir.Op, attrs ir.Attrs, args ...*ir.Value) *ir.Value {
	return e.Emit(op, args, attrs)[0]
}

func add(e *ir.Writer, a, b *ir.Value) *ir.Value { return emit1(e, ir.OpAdd, nil, a, b) }
func sub(e *ir.Writer, a, b *ir.Value) *ir.Value { return emit1(e, ir.OpSub, nil, a, b) }
func mul(e *ir.Writer, a, b *ir.Value) *ir.Value { return emit1(e, ir.OpMul, nil, a, b) }
func div(e *ir.Writer, a, b *ir.Value) *ir.Value { return emit1(e, ir.OpDiv, nil, a, b) }
func neg(e *ir.Writer, a *ir.Value) *ir.Value    { return emit1(e, ir.OpNeg, nil, a) }

// full emits a tensor of type t filled with v.
func full(e *ir.Writer, t ir.Type, v float64) *ir.Value {
	return e.Emit(ir.OpFull, nil, ir.Attrs{"value": numberAttr(t.DType, v)}, t)[0]
}

// scalar emits a rank-0 constant of dtype d.
func scalar(e *ir.Writer, d ir.DType, v float64) *ir.Value { return full(e, ir.Scalar(d), v) }

// numberAttr stores v as an Int for integer dtypes and a Float otherwise.
func numberAttr(d ir.DType, v float64) ir.Attr {
	if d.IsInt() {
		return ir.Int(int64(v))
	}
	return ir.Float(v)
}

// scale emits c*x.
func scale(e *ir.Writer, x *ir.Value, c float64) *ir.Value {
	return mul(e, x, scalar(e, x.Type.DType, c))
}

func reshape(e *ir.Writer, x *ir.Value, shape ir.Shape) *ir.Value {
	if x.Type.Shape.Equal(shape) {
		return x
	}
	return e.Emit(ir.OpReshape, vals(x), nil, x.Type.WithShape(shape))[0]
}

func broadcastTo(e *ir.Writer, x *ir.Value, shape ir.Shape) *ir.Value {
	if x.Type.Shape.Equal(shape) {
		return x
	}
	return e.Emit(ir.OpBroadcastTo, vals(x), nil, x.Type.WithShape(shape))[0]
}

func transpose(e *ir.Writer, x *ir.Value, perm []int) *ir.Value {
	if isIdentityPerm(perm) {
		return x
	}
	return emit1(e, ir.OpTranspose, ir.Attrs{"perm": ir.Ints(perm...)}, x)
}

func isIdentityPerm(perm []int) bool {
	for i, p := range perm {
		if p != i {
			return false
		}
	}
	return true
}

// reduceSum sums x over the given (non-negative) axes.
func reduceSum(e *ir.Writer, x *ir.Value, axes []int, keepdims bool) *ir.Value {
	if len(axes) == 0 {
		return x
	}
	attrs := ir.Attrs{"axes": ir.Ints(axes...)}
	if keepdims {
		attrs["keepdims"] = ir.Bool(true)
	}
	return emit1(e, ir.OpReduceSum, attrs, x)
}

func matmul(e *ir.Writer, a, b *ir.Value, ta, tb bool) *ir.Value {
	attrs := ir.Attrs{}
	if ta {
		attrs["transpose_a"] = ir.Bool(true)
	}
	if tb {
		attrs["transpose_b"] = ir.Bool(true)
	}
	if len(attrs) == 0 {
		attrs = nil
	}
	return emit1(e, ir.OpMatmul, attrs, a, b)
}

func sel(e *ir.Writer, c, a, b *ir.Value) *ir.Value { return emit1(e, ir.OpSelect, nil, c, a, b) }

// sumToShape reduces x (broadcast from a value of shape target, possibly
// with extra leading axes kept in lead) back to lead ++ target: it sums
// the axes that broadcasting added or stretched.
func sumToShape(e *ir.Writer, x *ir.Value, lead int, target ir.Shape) *ir.Value {
	s := x.Type.Shape
	body := s[lead:]
	extra := len(body) - len(target)
	var axes []int
	for i := range body {
		if i < extra || (target[i-extra] == 1 && body[i] != 1) {
			axes = append(axes, lead+i)
		}
	}
	want := append(s[:lead:lead].Clone(), target...)
	return reshape(e, reduceSum(e, x, axes, false), want)
}
