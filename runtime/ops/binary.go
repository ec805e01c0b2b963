package ops

import (
	"errors"
	"fmt"

	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/runtime/kernels"
)

// The scalar functions of the two-operand elementwise ops. Integers wrap
// around as in Go; comparisons give 1 or 0 in the operand type.

// Add is a + b.
func Add[T Number](a, b T) T { return a + b }

// Sub is a - b.
func Sub[T Number](a, b T) T { return a - b }

// Mul is a·b.
func Mul[T Number](a, b T) T { return a * b }

// Div is a / b; integer division truncates toward zero, and an integer
// division by zero panics as in Go (BinaryKernel.Check reports it first).
func Div[T Number](a, b T) T { return a / b }

// Maximum is max(a, b) with Go's max: NaN propagates.
func Maximum[T Number](a, b T) T { return max(a, b) }

// Minimum is min(a, b) with Go's min: NaN propagates.
func Minimum[T Number](a, b T) T { return min(a, b) }

// Eq is 1 where a == b, else 0.
func Eq[T Number](a, b T) T { return Indicator[T](a == b) }

// Ne is 1 where a != b, else 0.
func Ne[T Number](a, b T) T { return Indicator[T](a != b) }

// Lt is 1 where a < b, else 0.
func Lt[T Number](a, b T) T { return Indicator[T](a < b) }

// Le is 1 where a <= b, else 0.
func Le[T Number](a, b T) T { return Indicator[T](a <= b) }

// Gt is 1 where a > b, else 0.
func Gt[T Number](a, b T) T { return Indicator[T](a > b) }

// Ge is 1 where a >= b, else 0.
func Ge[T Number](a, b T) T { return Indicator[T](a >= b) }

// Select is a where cond != 0 (NaN counts as non-zero), else b.
func Select[C, T Number](cond C, a, b T) T {
	if cond != 0 {
		return a
	}
	return b
}

// A binaryRow is the semantics of a two-operand elementwise op: its scalar
// function per dtype, nil where the op's type rule rejects the dtype.
type binaryRow struct {
	name string // the generic scalar function above, for generated code
	f32  func(a, b float32) float32
	f64  func(a, b float64) float64
	i64  func(a, b int64) int64
	u64  func(a, b uint64) uint64
	// intDivision marks division, whose integer kernels check for zero
	// divisors first.
	intDivision bool
}

func binary(name string, f32 func(a, b float32) float32, f64 func(a, b float64) float64, i64 func(a, b int64) int64, u64 func(a, b uint64) uint64) binaryRow {
	return binaryRow{name: name, f32: f32, f64: f64, i64: i64, u64: u64}
}

// binaryOps is the table of two-operand elementwise ops (select, with
// three, is SelectKernel). The dtypes of each row are those of its type
// rule, which a test checks.
var binaryOps = map[ir.Op]binaryRow{
	ir.OpAdd:     binary("Add", Add[float32], Add[float64], Add[int64], Add[uint64]),
	ir.OpSub:     binary("Sub", Sub[float32], Sub[float64], Sub[int64], Sub[uint64]),
	ir.OpMul:     binary("Mul", Mul[float32], Mul[float64], Mul[int64], Mul[uint64]),
	ir.OpDiv:     {name: "Div", f32: Div[float32], f64: Div[float64], i64: Div[int64], u64: Div[uint64], intDivision: true},
	ir.OpMaximum: binary("Maximum", Maximum[float32], Maximum[float64], Maximum[int64], Maximum[uint64]),
	ir.OpMinimum: binary("Minimum", Minimum[float32], Minimum[float64], Minimum[int64], Minimum[uint64]),
	ir.OpEq:      binary("Eq", Eq[float32], Eq[float64], Eq[int64], Eq[uint64]),
	ir.OpNe:      binary("Ne", Ne[float32], Ne[float64], Ne[int64], Ne[uint64]),
	ir.OpLt:      binary("Lt", Lt[float32], Lt[float64], Lt[int64], Lt[uint64]),
	ir.OpLe:      binary("Le", Le[float32], Le[float64], Le[int64], Le[uint64]),
	ir.OpGt:      binary("Gt", Gt[float32], Gt[float64], Gt[int64], Gt[uint64]),
	ir.OpGe:      binary("Ge", Ge[float32], Ge[float64], Ge[int64], Ge[uint64]),
}

// BinaryOps returns the two-operand elementwise ops of the table, in op
// order.
func BinaryOps() []ir.Op { return sortedKeys(binaryOps) }

// ErrIntDivByZero is the error of an integer division by zero.
var ErrIntDivByZero = errors.New("integer division by zero")

// A BinaryKernel computes a two-operand elementwise op with NumPy
// broadcasting, planned for the operand and result shapes. It holds no
// per-call state and may be shared.
type BinaryKernel[T Number] struct {
	op        ir.Op
	f         func(a, b T) T
	plan      *WalkPlan
	checkZero bool
}

// NewBinary returns the kernel of the two-operand elementwise op for T and
// operands of shapes a and b broadcast to out.
func NewBinary[T Number](op ir.Op, a, b, out ir.Shape) (*BinaryKernel[T], error) {
	f, checkZero, err := binaryFunc[T](op)
	if err != nil {
		return nil, err
	}
	if !ir.CanBroadcastTo(a, out) || !ir.CanBroadcastTo(b, out) {
		return nil, fmt.Errorf("%s: shapes %s and %s do not broadcast to %s", op, a, b, out)
	}
	return &BinaryKernel[T]{
		op: op, f: f,
		plan:      NewWalkPlan(out, BroadcastStrides(a, out), BroadcastStrides(b, out)),
		checkZero: checkZero,
	}, nil
}

// Run sets dst to a op b, broadcast; it reports an integer division by
// zero before computing anything.
func (k *BinaryKernel[T]) Run(dst, a, b []T) error {
	if err := k.Check(dst, b); err != nil {
		return err
	}
	k.RunPart(dst, a, b, 0, 1)
	return nil
}

// Check reports ErrIntDivByZero when the op is an integer division and b
// holds a zero (and dst is not empty).
func (k *BinaryKernel[T]) Check(dst, b []T) error {
	if !k.checkZero || len(dst) == 0 {
		return nil
	}
	for _, v := range b {
		if v == 0 {
			return ErrIntDivByZero
		}
	}
	return nil
}

// RunPart computes part i of parts of dst, without Check: a range of
// rows of the broadcast walk or, when there are fewer than two rows a
// part, a range of columns of every row. Parts write disjoint elements,
// each computed as Run computes it, so running them on several goroutines
// gives Run's bits.
func (k *BinaryKernel[T]) RunPart(dst, a, b []T, i, parts int) {
	p := k.plan
	rows, n := p.Rows(), p.RowLen()
	if rows < 2*parts {
		k.rows(dst, a, b, 0, rows, i*n/parts, (i+1)*n/parts)
		return
	}
	k.rows(dst, a, b, i*rows/parts, (i+1)*rows/parts, 0, n)
}

// rows applies the op to columns [c0, c1) of rows [lo, hi) of the walk.
func (k *BinaryKernel[T]) rows(os, as, bs []T, lo, hi, c0, c1 int) {
	p, op, f := k.plan, k.op, k.f
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

// binaryVV, binaryVS and binarySV apply op to rows of vectors and
// scalars: add, sub and mul on floats with the vectorised kernels, the
// same on integers with plain loops (an indirect call per element costs
// more than the arithmetic), and f for the others.
func binaryVV[T Number](op ir.Op, f func(a, b T) T, o, a, b []T) {
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

func binaryVS[T Number](op ir.Op, f func(a, b T) T, o, a []T, b T) {
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

func binarySV[T Number](op ir.Op, f func(a, b T) T, o []T, a T, b []T) {
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

// A SelectKernel computes select, a where cond != 0 else b, with the three
// operands broadcast to the result; C is the element type of cond.
type SelectKernel[C, T Number] struct{ plan *WalkPlan }

// NewSelect plans select for operands of shapes cond, a and b broadcast to
// out.
func NewSelect[C, T Number](cond, a, b, out ir.Shape) (*SelectKernel[C, T], error) {
	for _, s := range []ir.Shape{cond, a, b} {
		if !ir.CanBroadcastTo(s, out) {
			return nil, fmt.Errorf("select: shape %s does not broadcast to %s", s, out)
		}
	}
	return &SelectKernel[C, T]{plan: NewWalkPlan(out, BroadcastStrides(cond, out), BroadcastStrides(a, out), BroadcastStrides(b, out))}, nil
}

// Run sets dst to Select(cond, a, b), broadcast.
func (k *SelectKernel[C, T]) Run(dst []T, cond []C, a, b []T) {
	p := k.plan
	n := p.RowLen()
	sc, sa, sb := p.rowStride(0), p.rowStride(1), p.rowStride(2)
	var w rowWalk
	w.start(p)
	for w.next() {
		o := dst[w.out : w.out+n]
		for i := range o {
			o[i] = Select(cond[w.offs[0]+i*sc], a[w.offs[1]+i*sa], b[w.offs[2]+i*sb])
		}
	}
}
