package ops

import (
	"fmt"
	"math"
	"slices"

	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/runtime/kernels"
)

// The scalar functions of the one-operand elementwise ops. Math on float32
// is computed in float64 and rounded once.

// Neg is -x.
func Neg[T Number](x T) T { return -x }

// Abs is |x|; 0 - x rather than -x turns -0 into +0, and NaN stays NaN.
func Abs[T Number](x T) T {
	if x <= 0 {
		return 0 - x
	}
	return x
}

// Relu is max(x, 0) with Go's max: NaN stays NaN, -0 becomes +0.
func Relu[T Number](x T) T { return max(x, 0) }

// Step is 1 where x > 0, else 0 (NaN included): the derivative mask of
// relu.
func Step[T Number](x T) T { return Indicator[T](x > 0) }

// Square is x·x.
func Square[T Number](x T) T { return x * x }

// Exp is e^x.
func Exp[T Float](x T) T { return T(math.Exp(float64(x))) }

// Log is the natural logarithm.
func Log[T Float](x T) T { return T(math.Log(float64(x))) }

// Tanh is the hyperbolic tangent.
func Tanh[T Float](x T) T { return T(math.Tanh(float64(x))) }

// Sqrt is the square root.
func Sqrt[T Float](x T) T { return T(math.Sqrt(float64(x))) }

// Sigmoid is 1/(1+e^-x), evaluated so that e^x never overflows into
// Inf/Inf.
func Sigmoid[T Float](x T) T {
	v := float64(x)
	if v >= 0 {
		return T(1 / (1 + math.Exp(-v)))
	}
	e := math.Exp(v)
	return T(e / (1 + e))
}

// Pow is x^exponent.
func Pow[T Float](x T, exponent float64) T { return T(math.Pow(float64(x), exponent)) }

// Indicator is 1 if b, else 0. It goes through an int, which the compiler
// sets from the comparison without a branch (SETcc, then a conversion):
// step and the comparisons, on data whose signs are random, would
// otherwise mispredict every other element.
func Indicator[T Number](b bool) T {
	var i int
	if b {
		i = 1
	}
	return T(i)
}

// unaryFuncs are a scalar function instantiated for each dtype; nil where
// the op's type rule rejects the dtype.
type unaryFuncs struct {
	f32 func(float32) float32
	f64 func(float64) float64
	i64 func(int64) int64
	u64 func(uint64) uint64
}

// A unaryRow is the semantics of a one-operand elementwise op.
type unaryRow struct {
	name  string // the generic scalar function above, for generated code
	funcs unaryFuncs
	// attr names the number attribute passed to the scalar function after
	// x (pow's exponent), and withAttr binds it; "" if there is none.
	attr     string
	withAttr func(float64) unaryFuncs
	// libm marks functions of the math library, whose last bit may differ
	// between platforms.
	libm bool
}

func floats(name string, f32 func(float32) float32, f64 func(float64) float64) unaryRow {
	return unaryRow{name: name, funcs: unaryFuncs{f32: f32, f64: f64}, libm: true}
}

func signed(name string, f32 func(float32) float32, f64 func(float64) float64, i64 func(int64) int64) unaryRow {
	return unaryRow{name: name, funcs: unaryFuncs{f32: f32, f64: f64, i64: i64}}
}

func numeric(name string, f32 func(float32) float32, f64 func(float64) float64, i64 func(int64) int64, u64 func(uint64) uint64) unaryRow {
	return unaryRow{name: name, funcs: unaryFuncs{f32: f32, f64: f64, i64: i64, u64: u64}}
}

// unaryOps is the table of one-operand elementwise ops (cast, whose dtype
// changes, is CastSlice). The dtypes of each row are those of its type
// rule, which a test checks.
var unaryOps = map[ir.Op]unaryRow{
	ir.OpNeg:     signed("Neg", Neg[float32], Neg[float64], Neg[int64]),
	ir.OpAbs:     signed("Abs", Abs[float32], Abs[float64], Abs[int64]),
	ir.OpRelu:    signed("Relu", Relu[float32], Relu[float64], Relu[int64]),
	ir.OpStep:    signed("Step", Step[float32], Step[float64], Step[int64]),
	ir.OpSquare:  numeric("Square", Square[float32], Square[float64], Square[int64], Square[uint64]),
	ir.OpExp:     floats("Exp", Exp[float32], Exp[float64]),
	ir.OpLog:     floats("Log", Log[float32], Log[float64]),
	ir.OpTanh:    floats("Tanh", Tanh[float32], Tanh[float64]),
	ir.OpSigmoid: floats("Sigmoid", Sigmoid[float32], Sigmoid[float64]),
	ir.OpSqrt:    {name: "Sqrt", funcs: unaryFuncs{f32: Sqrt[float32], f64: Sqrt[float64]}}, // correctly rounded everywhere
	ir.OpPow: {name: "Pow", attr: "exponent", libm: true, withAttr: func(p float64) unaryFuncs {
		return unaryFuncs{
			f32: func(x float32) float32 { return Pow(x, p) },
			f64: func(x float64) float64 { return Pow(x, p) },
		}
	}},
}

// UnaryOps returns the one-operand elementwise ops of the table, in op
// order.
func UnaryOps() []ir.Op { return sortedKeys(unaryOps) }

func sortedKeys[R any](m map[ir.Op]R) []ir.Op {
	keys := make([]ir.Op, 0, len(m))
	for op := range m {
		keys = append(keys, op)
	}
	slices.Sort(keys)
	return keys
}

// A UnaryKernel computes a one-operand elementwise op on elements of type
// T. It holds no per-call state and may be shared.
type UnaryKernel[T Number] struct {
	op ir.Op
	f  func(T) T
}

// NewUnary returns the kernel of the one-operand elementwise op for T,
// with the instruction's attributes (pow's exponent).
func NewUnary[T Number](op ir.Op, attrs ir.Attrs) (*UnaryKernel[T], error) {
	row, ok := unaryOps[op]
	if !ok {
		return nil, fmt.Errorf("%s is not a one-operand elementwise op", op)
	}
	funcs := row.funcs
	if row.attr != "" {
		v, err := op.Info().FloatAttr(attrs, row.attr)
		if err != nil {
			return nil, err
		}
		funcs = row.withAttr(v)
	}
	f := pick[func(T) T](funcs.f32, funcs.f64, funcs.i64, funcs.u64, DTypeOf[T]())
	if f == nil {
		return nil, fmt.Errorf("%s has no %s kernel", op, DTypeOf[T]())
	}
	return &UnaryKernel[T]{op: op, f: f}, nil
}

// pick returns the one of four values whose dtype is d, as an F (nil if
// it is nil).
func pick[F, A, B, C, D any](f32 A, f64 B, i64 C, u64 D, d ir.DType) F {
	var v any
	switch d {
	case ir.F32:
		v = f32
	case ir.F64:
		v = f64
	case ir.I64:
		v = i64
	default:
		v = u64
	}
	f, _ := v.(F)
	return f
}

// Run sets dst[i] = op(x[i]) for i < len(dst). The ops training steps run
// most have loops of their own, vectorised for relu and step on floats
// (runtime/kernels); the others call the scalar function per element.
func (k *UnaryKernel[T]) Run(dst, x []T) {
	x = x[:len(dst)]
	switch k.op {
	case ir.OpRelu, ir.OpStep:
		if vectorUnary(k.op, dst, x) {
			return
		}
	}
	switch k.op {
	case ir.OpNeg:
		for i, v := range x {
			dst[i] = -v
		}
	case ir.OpRelu:
		for i, v := range x {
			dst[i] = max(v, 0)
		}
	case ir.OpStep:
		for i, v := range x {
			dst[i] = Indicator[T](v > 0)
		}
	case ir.OpSquare:
		for i, v := range x {
			dst[i] = v * v
		}
	default:
		f := k.f
		for i, v := range x {
			dst[i] = f(v)
		}
	}
}

// vectorUnary runs relu or step on floats with the vectorised kernels and
// reports whether it did.
func vectorUnary[T Number](op ir.Op, dst, x []T) bool {
	switch dst := any(dst).(type) {
	case []float32:
		if op == ir.OpRelu {
			kernels.Relu(dst, any(x).([]float32))
		} else {
			kernels.Step(dst, any(x).([]float32))
		}
	case []float64:
		if op == ir.OpRelu {
			kernels.Relu(dst, any(x).([]float64))
		} else {
			kernels.Step(dst, any(x).([]float64))
		}
	default:
		return false
	}
	return true
}
