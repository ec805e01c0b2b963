package optim

import (
	"math"

	"github.com/pushforward/pushforward/ir"
)

// Small constructors over ir.Emitter that keep the updates close to their
// formulas. They tolerate an emitter that has failed: an Emitter such as
// builder.Builder returns no results after an error, and then every helper
// returns nil, which the next Emit ignores, so the error surfaces once
// where the emitter reports it.

// emit1 emits op and returns its single result, or nil if the emitter
// returned none.
func emit1(e ir.Emitter, op ir.Op, attrs ir.Attrs, declared []ir.Type, args ...*ir.Value) *ir.Value {
	rs := e.Emit(op, args, attrs, declared...)
	if len(rs) == 0 {
		return nil
	}
	return rs[0]
}

func add(e ir.Emitter, a, b *ir.Value) *ir.Value { return emit1(e, ir.OpAdd, nil, nil, a, b) }
func sub(e ir.Emitter, a, b *ir.Value) *ir.Value { return emit1(e, ir.OpSub, nil, nil, a, b) }
func mul(e ir.Emitter, a, b *ir.Value) *ir.Value { return emit1(e, ir.OpMul, nil, nil, a, b) }
func div(e ir.Emitter, a, b *ir.Value) *ir.Value { return emit1(e, ir.OpDiv, nil, nil, a, b) }
func sqrt(e ir.Emitter, a *ir.Value) *ir.Value   { return emit1(e, ir.OpSqrt, nil, nil, a) }
func exp(e ir.Emitter, a *ir.Value) *ir.Value    { return emit1(e, ir.OpExp, nil, nil, a) }
func eq(e ir.Emitter, a, b *ir.Value) *ir.Value  { return emit1(e, ir.OpEq, nil, nil, a, b) }

// sel emits "a where cond != 0, else b".
func sel(e ir.Emitter, cond, a, b *ir.Value) *ir.Value {
	return emit1(e, ir.OpSelect, nil, nil, cond, a, b)
}

// full emits a tensor of type t with every element v (an Int attribute for
// integer dtypes, a Float otherwise).
func full(e ir.Emitter, t ir.Type, v float64) *ir.Value {
	var a ir.Attr = ir.Float(v)
	if t.DType.IsInt() {
		a = ir.Int(int64(v))
	}
	return emit1(e, ir.OpFull, ir.Attrs{"value": a}, []ir.Type{t})
}

// scalar emits the rank-0 constant v of dtype d; it broadcasts against any
// tensor of that dtype.
func scalar(e ir.Emitter, d ir.DType, v float64) *ir.Value { return full(e, ir.Scalar(d), v) }

// scalarLike emits the rank-0 constant v of x's dtype.
func scalarLike(e ir.Emitter, x *ir.Value, v float64) *ir.Value {
	if x == nil {
		return nil
	}
	return scalar(e, x.Type.DType, v)
}

// cast emits x converted to dtype d (same shape).
func cast(e ir.Emitter, x *ir.Value, d ir.DType) *ir.Value {
	if x == nil {
		return nil
	}
	return emit1(e, ir.OpCast, nil, []ir.Type{x.Type.WithDType(d)}, x)
}

// scale emits c·x, or returns x when c is 1 (an exact no-op).
func scale(e ir.Emitter, x *ir.Value, c float64) *ir.Value {
	if c == 1 {
		return x
	}
	return mul(e, x, scalarLike(e, x, c))
}

// axpy emits y + a·x, PyTorch's y.add(x, alpha=a).
func axpy(e ir.Emitter, y *ir.Value, a float64, x *ir.Value) *ir.Value {
	return add(e, y, scale(e, x, a))
}

// powStep emits βᵗ as exp(t·ln β), for t a float scalar.
func powStep(e ir.Emitter, beta float64, t *ir.Value) *ir.Value {
	return exp(e, mul(e, t, scalarLike(e, t, math.Log(beta))))
}
