package ops

import (
	"fmt"

	"github.com/pushforward/pushforward/ir"
)

// Row kernels: the elementwise ops on short runs of elements whose
// operands are each a run or one repeated value, for loops that evaluate
// a chain of ops on one block of elements at a time (the interpreter's
// fused ops). They compute what the scalar functions compute, with the
// fast paths of the slice kernels (the vectorised add, sub, mul, relu and
// step), so a chain evaluated block by block has the bits of the same ops
// run one after the other over whole tensors.

// A BinaryRow applies a two-operand elementwise op of the table to runs
// (VV), a run and a value (VS, SV) or two values (SS). It holds no
// per-call state and may be shared.
type BinaryRow[T Number] struct {
	op        ir.Op
	f         func(a, b T) T
	checkZero bool
}

// NewBinaryRow returns the row kernel of the two-operand elementwise op
// for T.
func NewBinaryRow[T Number](op ir.Op) (*BinaryRow[T], error) {
	f, checkZero, err := binaryFunc[T](op)
	if err != nil {
		return nil, err
	}
	return &BinaryRow[T]{op: op, f: f, checkZero: checkZero}, nil
}

// binaryFunc returns the scalar function of a two-operand elementwise op
// for T, and whether its kernels must check for zero divisors.
func binaryFunc[T Number](op ir.Op) (f func(a, b T) T, checkZero bool, err error) {
	row, ok := binaryOps[op]
	if !ok {
		return nil, false, fmt.Errorf("%s is not a two-operand elementwise op", op)
	}
	f = pick[func(a, b T) T](row.f32, row.f64, row.i64, row.u64, DTypeOf[T]())
	if f == nil {
		return nil, false, fmt.Errorf("%s has no %s kernel", op, DTypeOf[T]())
	}
	return f, row.intDivision && !IsFloat[T](), nil
}

// CheckDivisors reports ErrIntDivByZero when the op is an integer
// division and b holds a zero.
func (k *BinaryRow[T]) CheckDivisors(b []T) error {
	if !k.checkZero {
		return nil
	}
	for _, v := range b {
		if v == 0 {
			return ErrIntDivByZero
		}
	}
	return nil
}

// VV sets dst[i] = op(a[i], b[i]) for i < len(dst).
func (k *BinaryRow[T]) VV(dst, a, b []T) { binaryVV(k.op, k.f, dst, a[:len(dst)], b[:len(dst)]) }

// VS sets dst[i] = op(a[i], b) for i < len(dst).
func (k *BinaryRow[T]) VS(dst, a []T, b T) { binaryVS(k.op, k.f, dst, a[:len(dst)], b) }

// SV sets dst[i] = op(a, b[i]) for i < len(dst).
func (k *BinaryRow[T]) SV(dst []T, a T, b []T) { binarySV(k.op, k.f, dst, a, b[:len(dst)]) }

// SS returns op(a, b).
func (k *BinaryRow[T]) SS(a, b T) T { return k.f(a, b) }

// SumRun returns acc plus the elements of xs added one by one in float64,
// in order: the accumulation of reduce_sum and reduce_mean on floats.
func SumRun[T Number](acc float64, xs []T) float64 { return sumRun(acc, xs) }

// SumIntRun returns acc plus the elements of xs, wrapping: reduce_sum on
// integers.
func SumIntRun[T Number](acc T, xs []T) T { return sumIntRun(acc, xs) }

// MaxRun returns the maximum of m and the elements of xs, in order, with
// Go's max (NaN propagates): reduce_max from m = Lowest.
func MaxRun[T Number](m T, xs []T) T { return maxRun(m, xs) }

// Block returns the plan's view of its operand as [outer, n, inner] with
// the reduced axes in the middle, when they form one block (ok); Reduce
// folds element (o, r, i) into output o·inner + i, r increasing.
func (p *ReducePlan) Block() (outer, n, inner int, ok bool) { return p.outer, p.n, p.inner, p.block }

// Offsets returns, when the reduced axes do not form one block, the
// output each element of the operand folds into (in row-major order).
func (p *ReducePlan) Offsets() []int { return p.offs }

// Divisor returns what the sums are divided by: the count of elements
// reduced into each output for reduce_mean, else 1.
func (p *ReducePlan) Divisor() float64 { return p.div }
