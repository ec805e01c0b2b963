package runtime

import (
	"errors"
	"math"

	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/runtime/kernels"
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

// bindUnary binds a one-operand elementwise op. Large results are
// computed in parts on several goroutines.
func bindUnary[T number](b *binding) (runFunc, error) {
	exponent, err := b.in.Attrs.Float("exponent", 0)
	if err != nil {
		return nil, err
	}
	op, f := b.in.Op, unaryFunc[T](b.in.Op, exponent)
	return func(x *execCtx, args, outs []*Tensor) error {
		xs, os := elems[T](args[0]), elems[T](outs[0])
		xs = xs[:len(os)]
		if parts := elemParts(len(os)); parts > 1 {
			t := &tasksOf[T](x).unary
			*t = unaryTask[T]{op: op, f: f, xs: xs, os: os, parts: parts}
			kernels.Parallel(parts, t)
			*t = unaryTask[T]{}
			return nil
		}
		unaryLoop(op, f, os, xs)
		return nil
	}, nil
}

// unaryLoop applies op (whose scalar function is f) to xs into os. The
// ops the training steps run most get loops of their own, vectorised for
// relu and step on floats; the others call f per element.
func unaryLoop[T number](op ir.Op, f func(T) T, os, xs []T) {
	xs = xs[:len(os)]
	if op == ir.OpRelu || op == ir.OpStep {
		if vectorUnary(op, os, xs) {
			return
		}
	}
	switch op {
	case ir.OpNeg:
		for i, v := range xs {
			os[i] = -v
		}
	case ir.OpRelu:
		for i, v := range xs {
			os[i] = max(v, 0)
		}
	case ir.OpStep:
		for i, v := range xs {
			os[i] = 0
			if v > 0 {
				os[i] = 1
			}
		}
	case ir.OpSquare:
		for i, v := range xs {
			os[i] = v * v
		}
	default:
		for i, v := range xs {
			os[i] = f(v)
		}
	}
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

// bindBinary binds a two-operand elementwise op with broadcasting.
func bindBinary[T number](b *binding) (runFunc, error) {
	a, c, out := b.in.Args[0].Type, b.in.Args[1].Type, b.out(0)
	p := newWalkPlan(out.Shape, broadcastStrides(a.Shape, out.Shape), broadcastStrides(c.Shape, out.Shape))
	op, f := b.in.Op, binaryFunc[T](b.in.Op)
	checkZero := op == ir.OpDiv && !isFloat[T]()
	return func(x *execCtx, args, outs []*Tensor) error {
		as, bs, os := elems[T](args[0]), elems[T](args[1]), elems[T](outs[0])
		if checkZero && len(os) > 0 {
			for _, v := range bs {
				if v == 0 {
					return errIntDivByZero
				}
			}
		}
		if parts := elemParts(len(os)); parts > 1 {
			t := &tasksOf[T](x).binary
			*t = binaryTask[T]{op: op, f: f, p: p, as: as, bs: bs, os: os, parts: parts, byColumns: p.rows() < 2*parts}
			kernels.Parallel(parts, t)
			*t = binaryTask[T]{}
			return nil
		}
		binaryRows(op, f, p, as, bs, os, 0, p.rows(), 0, p.rowLen())
		return nil
	}, nil
}

// binaryRows applies op to columns [c0, c1) of rows [lo, hi) of p's walk.
func binaryRows[T number](op ir.Op, f func(a, b T) T, p *walkPlan, as, bs, os []T, lo, hi, c0, c1 int) {
	n, sa, sb := c1-c0, p.rowStride(0), p.rowStride(1)
	var w rowWalk
	w.startRange(p, lo, hi)
	for w.next() {
		o, ao, bo := os[w.out+c0:w.out+c1], w.offs[0]+c0*sa, w.offs[1]+c0*sb
		switch {
		case sa == 1 && sb == 1:
			binaryVV(op, f, o, as[ao:ao+n], bs[bo:bo+n])
		case sa == 1 && sb == 0:
			binaryVS(op, f, o, as[ao:ao+n], bs[bo])
		case sa == 0 && sb == 1:
			binarySV(op, f, o, as[ao], bs[bo:bo+n])
		default:
			for i := range o {
				o[i] = f(as[ao+i*sa], bs[bo+i*sb])
			}
		}
	}
}

// vectorOp returns the vectorised float kernel of a binary op, if it has
// one.
func vectorOp(op ir.Op) (kernels.Op, bool) {
	switch op {
	case ir.OpAdd:
		return kernels.OpAdd, true
	case ir.OpSub:
		return kernels.OpSub, true
	case ir.OpMul:
		return kernels.OpMul, true
	}
	return 0, false
}

// vectorUnary runs relu or step on floats with the vectorised kernels and
// reports whether it did.
func vectorUnary[T number](op ir.Op, os, xs []T) bool {
	switch os := any(os).(type) {
	case []float32:
		if op == ir.OpRelu {
			kernels.Relu(os, any(xs).([]float32))
		} else {
			kernels.Step(os, any(xs).([]float32))
		}
	case []float64:
		if op == ir.OpRelu {
			kernels.Relu(os, any(xs).([]float64))
		} else {
			kernels.Step(os, any(xs).([]float64))
		}
	default:
		return false
	}
	return true
}

// binaryVV, binaryVS and binarySV apply op to rows of vectors and
// scalars: add, sub and mul on floats with the vectorised kernels, the
// same on integers with plain loops (an indirect call per element costs
// more than the arithmetic), and f for the others.
func binaryVV[T number](op ir.Op, f func(a, b T) T, o, a, b []T) {
	if kop, ok := vectorOp(op); ok {
		switch o := any(o).(type) {
		case []float32:
			kernels.BinaryVV(kop, o, any(a).([]float32), any(b).([]float32))
			return
		case []float64:
			kernels.BinaryVV(kop, o, any(a).([]float64), any(b).([]float64))
			return
		}
	}
	switch op {
	case ir.OpAdd:
		for i := range o {
			o[i] = a[i] + b[i]
		}
	case ir.OpSub:
		for i := range o {
			o[i] = a[i] - b[i]
		}
	case ir.OpMul:
		for i := range o {
			o[i] = a[i] * b[i]
		}
	default:
		for i := range o {
			o[i] = f(a[i], b[i])
		}
	}
}

func binaryVS[T number](op ir.Op, f func(a, b T) T, o, a []T, b T) {
	if kop, ok := vectorOp(op); ok {
		switch o := any(o).(type) {
		case []float32:
			kernels.BinaryVS(kop, o, any(a).([]float32), any(b).(float32))
			return
		case []float64:
			kernels.BinaryVS(kop, o, any(a).([]float64), any(b).(float64))
			return
		}
	}
	switch op {
	case ir.OpAdd:
		for i := range o {
			o[i] = a[i] + b
		}
	case ir.OpSub:
		for i := range o {
			o[i] = a[i] - b
		}
	case ir.OpMul:
		for i := range o {
			o[i] = a[i] * b
		}
	default:
		for i := range o {
			o[i] = f(a[i], b)
		}
	}
}

func binarySV[T number](op ir.Op, f func(a, b T) T, o []T, a T, b []T) {
	if kop, ok := vectorOp(op); ok {
		switch o := any(o).(type) {
		case []float32:
			kernels.BinarySV(kop, o, any(a).(float32), any(b).([]float32))
			return
		case []float64:
			kernels.BinarySV(kop, o, any(a).(float64), any(b).([]float64))
			return
		}
	}
	switch op {
	case ir.OpAdd:
		for i := range o {
			o[i] = a + b[i]
		}
	case ir.OpSub:
		for i := range o {
			o[i] = a - b[i]
		}
	case ir.OpMul:
		for i := range o {
			o[i] = a * b[i]
		}
	default:
		for i := range o {
			o[i] = f(a, b[i])
		}
	}
}

// bindSelect binds select: a where cond != 0, else b, broadcasting all
// three.
func bindSelect[T number](b *binding) (runFunc, error) {
	out := b.out(0).Shape
	strides := make([][]int, 3)
	for i, a := range b.in.Args {
		strides[i] = broadcastStrides(a.Type.Shape, out)
	}
	p := newWalkPlan(out, strides...)
	return func(_ *execCtx, args, outs []*Tensor) error {
		cond, as, bs, os := args[0], elems[T](args[1]), elems[T](args[2]), elems[T](outs[0])
		n := p.rowLen()
		sc, sa, sb := p.rowStride(0), p.rowStride(1), p.rowStride(2)
		var w rowWalk
		w.start(p)
		for w.next() {
			o := os[w.out : w.out+n]
			for i := range o {
				if nonzeroAt(cond, w.offs[0]+i*sc) {
					o[i] = as[w.offs[1]+i*sa]
				} else {
					o[i] = bs[w.offs[2]+i*sb]
				}
			}
		}
		return nil
	}, nil
}

// nonzeroAt reports whether element i of t differs from zero.
func nonzeroAt(t *Tensor, i int) bool {
	switch t.DType() {
	case ir.F32:
		return t.F32[i] != 0
	case ir.F64:
		return t.F64[i] != 0
	case ir.I64:
		return t.I64[i] != 0
	}
	return t.U64[i] != 0
}

func isFloat[T number]() bool {
	var zero T
	switch any(zero).(type) {
	case float32, float64:
		return true
	}
	return false
}

func execCast(_ *execCtx, args, outs []*Tensor) error {
	x, out := args[0], outs[0]
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
	return nil
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
