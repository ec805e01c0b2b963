package runtime

import (
	"errors"
	"math"

	"github.com/pushforward/pushforward/ir"
)

// unaryFunc returns the scalar function of a one-operand elementwise op.
// The type rules keep each op to the dtypes it makes sense for; math on
// float32 goes through float64 and rounds once.
func unaryFunc[T number](op ir.Op, exponent float64) func(T) T {
	switch op {
	case ir.OpNeg:
		return func(x T) T { return -x }
	case ir.OpAbs:
		// 0 - x rather than -x turns -0 into +0; NaN falls through.
		return func(x T) T {
			if x <= 0 {
				return 0 - x
			}
			return x
		}
	case ir.OpRelu:
		return func(x T) T { return max(x, 0) } // NaN stays NaN
	case ir.OpStep:
		return func(x T) T { return indicator[T](x > 0) }
	case ir.OpSquare:
		return func(x T) T { return x * x }
	case ir.OpExp:
		return viaFloat64[T](math.Exp)
	case ir.OpLog:
		return viaFloat64[T](math.Log)
	case ir.OpTanh:
		return viaFloat64[T](math.Tanh)
	case ir.OpSqrt:
		return viaFloat64[T](math.Sqrt)
	case ir.OpSigmoid:
		return viaFloat64[T](sigmoid)
	case ir.OpPow:
		return viaFloat64[T](func(x float64) float64 { return math.Pow(x, exponent) })
	}
	return nil
}

func viaFloat64[T number](f func(float64) float64) func(T) T {
	return func(x T) T { return T(f(float64(x))) }
}

// sigmoid is 1/(1+e^-x), evaluated so that e^x never overflows into
// Inf/Inf.
func sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

func indicator[T number](b bool) T {
	if b {
		return 1
	}
	return 0
}

func unary[T number](c *call) (*Tensor, error) {
	exponent, err := c.in.Attrs.Float("exponent", 0)
	if err != nil {
		return nil, err
	}
	f := unaryFunc[T](c.in.Op, exponent)
	x, out := c.args[0], Zeros(c.out(0))
	xs, os := elems[T](x), elems[T](out)
	for i, v := range xs {
		os[i] = f(v)
	}
	return out, nil
}

// binaryFunc returns the scalar function of a two-operand elementwise op;
// comparisons give 1 or 0 in the operand type.
func binaryFunc[T number](op ir.Op) func(a, b T) T {
	switch op {
	case ir.OpAdd:
		return func(a, b T) T { return a + b }
	case ir.OpSub:
		return func(a, b T) T { return a - b }
	case ir.OpMul:
		return func(a, b T) T { return a * b }
	case ir.OpDiv:
		return func(a, b T) T { return a / b }
	case ir.OpMaximum:
		return func(a, b T) T { return max(a, b) }
	case ir.OpMinimum:
		return func(a, b T) T { return min(a, b) }
	case ir.OpEq:
		return func(a, b T) T { return indicator[T](a == b) }
	case ir.OpNe:
		return func(a, b T) T { return indicator[T](a != b) }
	case ir.OpLt:
		return func(a, b T) T { return indicator[T](a < b) }
	case ir.OpLe:
		return func(a, b T) T { return indicator[T](a <= b) }
	case ir.OpGt:
		return func(a, b T) T { return indicator[T](a > b) }
	case ir.OpGe:
		return func(a, b T) T { return indicator[T](a >= b) }
	}
	return nil
}

var errIntDivByZero = errors.New("integer division by zero")

func binary[T number](c *call) (*Tensor, error) {
	a, b, out := c.args[0], c.args[1], Zeros(c.out(0))
	as, bs, os := elems[T](a), elems[T](b), elems[T](out)
	if c.in.Op == ir.OpDiv && !isFloat[T]() && len(os) > 0 {
		for _, v := range bs {
			if v == 0 {
				return nil, errIntDivByZero
			}
		}
	}
	f := binaryFunc[T](c.in.Op)
	ai := broadcastOffsets(a.Shape(), out.Shape())
	bi := broadcastOffsets(b.Shape(), out.Shape())
	for i := range os {
		os[i] = f(as[at(ai, i)], bs[at(bi, i)])
	}
	return out, nil
}

// selectOp picks a where cond != 0, else b, broadcasting all three.
func selectOp[T number](c *call) (*Tensor, error) {
	cond, a, b, out := c.args[0], c.args[1], c.args[2], Zeros(c.out(0))
	take := nonzero(cond)
	as, bs, os := elems[T](a), elems[T](b), elems[T](out)
	ci := broadcastOffsets(cond.Shape(), out.Shape())
	ai := broadcastOffsets(a.Shape(), out.Shape())
	bi := broadcastOffsets(b.Shape(), out.Shape())
	for i := range os {
		if take[at(ci, i)] {
			os[i] = as[at(ai, i)]
		} else {
			os[i] = bs[at(bi, i)]
		}
	}
	return out, nil
}

// nonzero reports for each element of t whether it differs from zero.
func nonzero(t *Tensor) []bool {
	switch t.DType() {
	case ir.F32:
		return nonzeroOf(t.F32)
	case ir.F64:
		return nonzeroOf(t.F64)
	case ir.I64:
		return nonzeroOf(t.I64)
	}
	return nonzeroOf(t.U64)
}

func nonzeroOf[T number](xs []T) []bool {
	out := make([]bool, len(xs))
	for i, v := range xs {
		out[i] = v != 0
	}
	return out
}

func isFloat[T number]() bool {
	var zero T
	switch any(zero).(type) {
	case float32, float64:
		return true
	}
	return false
}

func execCast(c *call) (*Tensor, error) {
	x, out := c.args[0], Zeros(c.out(0))
	switch x.DType() {
	case ir.F32:
		castInto(out, x.F32)
	case ir.F64:
		castInto(out, x.F64)
	case ir.I64:
		castInto(out, x.I64)
	case ir.U64:
		castInto(out, x.U64)
	}
	return out, nil
}

// castInto converts src into dst's dtype.
func castInto[S number](dst *Tensor, src []S) {
	switch dst.DType() {
	case ir.F32:
		convertSlice(dst.F32, src)
	case ir.F64:
		convertSlice(dst.F64, src)
	case ir.I64:
		castToInt(dst.I64, src, floatToI64)
	case ir.U64:
		castToInt(dst.U64, src, floatToU64)
	}
}

// castToInt converts to an integer type, through fromFloat when the source
// is a float: Go leaves out-of-range float-to-int conversions
// implementation-defined, and casts must agree on every platform.
func castToInt[D int64 | uint64, S number](dst []D, src []S, fromFloat func(float64) D) {
	if !isFloat[S]() {
		convertSlice(dst, src)
		return
	}
	for i, v := range src {
		dst[i] = fromFloat(float64(v))
	}
}

// floatToI64 truncates toward zero, saturates and maps NaN to 0.
func floatToI64(x float64) int64 {
	switch {
	case math.IsNaN(x):
		return 0
	case x >= math.MaxInt64: // 2⁶³ after rounding
		return math.MaxInt64
	case x <= math.MinInt64:
		return math.MinInt64
	}
	return int64(x)
}

// floatToU64 truncates toward zero, saturates and maps NaN to 0.
func floatToU64(x float64) uint64 {
	switch {
	case math.IsNaN(x) || x <= 0:
		return 0
	case x >= math.MaxUint64: // 2⁶⁴ after rounding
		return math.MaxUint64
	}
	return uint64(x)
}
