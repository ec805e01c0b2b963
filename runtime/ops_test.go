package runtime

import (
	"math"
	"testing"

	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/runtime/rng"
)

var (
	inf   = math.Inf(1)
	nan   = math.NaN()
	euler = math.E
	sqr2  = math.Sqrt2
)

func TestSourceOps(t *testing.T)    { runOpCases(t, sourceCases()) }
func TestUnaryOps(t *testing.T)     { runOpCases(t, unaryCases()) }
func TestBinaryOps(t *testing.T)    { runOpCases(t, binaryCases()) }
func TestDataMoveOps(t *testing.T)  { runOpCases(t, dataMoveCases()) }
func TestMatmulOps(t *testing.T)    { runOpCases(t, matmulCases()) }
func TestReductionOps(t *testing.T) { runOpCases(t, reductionCases()) }
func TestNNOps(t *testing.T)        { runOpCases(t, nnCases()) }
func TestLinalgOps(t *testing.T)    { runOpCases(t, linalgCases()) }
func TestIntegerOps(t *testing.T)   { runOpCases(t, integerCases()) }

// randomLit is the expected result of an rng op: the runtime/rng stream,
// whose own tests pin it to the Philox known answers.
func randomLit(normal bool, key, counter uint64, shape ...int) lit {
	return lit{build: func(d ir.DType) *Tensor {
		x := Zeros(ir.TensorOf(d, shape...))
		switch {
		case d == ir.F32 && normal:
			rng.FillNormal32(x.F32, key, counter)
		case d == ir.F32:
			rng.FillUniform32(x.F32, key, counter)
		case normal:
			rng.FillNormal64(x.F64, key, counter)
		default:
			rng.FillUniform64(x.F64, key, counter)
		}
		return x
	}}
}

func sourceCases() []opCase {
	return []opCase{
		{name: "scalar", op: ir.OpConstant, attrs: ir.Attrs{"value": ir.Float(2.5)}, want: []lit{sc(2.5)}},
		{name: "int value", op: ir.OpConstant, attrs: ir.Attrs{"value": ir.Int(-3)}, want: []lit{sc(-3)}},
		{name: "flat list", op: ir.OpConstant, attrs: ir.Attrs{"value": ir.Floats(1, 2, 3, 4, 5, 6)},
			want: []lit{v(sh(2, 3), 1, 2, 3, 4, 5, 6)}},
		{name: "nested list", op: ir.OpConstant, attrs: ir.Attrs{"value": ir.List{ir.Floats(1, 2), ir.List{ir.Int(3), ir.Float(inf)}}},
			want: []lit{v(sh(2, 2), 1, 2, 3, inf)}},
		{name: "empty", op: ir.OpConstant, attrs: ir.Attrs{"value": ir.List{}}, want: []lit{v(sh(0, 3))}},
		{name: "matrix", op: ir.OpFull, attrs: ir.Attrs{"value": ir.Float(-1.5)}, want: []lit{v(sh(2, 3), -1.5, -1.5, -1.5, -1.5, -1.5, -1.5)}},
		{name: "scalar", op: ir.OpFull, attrs: ir.Attrs{"value": ir.Int(7)}, want: []lit{sc(7)}},
		// 15 elements: the last block is used for one element only.
		{name: "3x5", op: ir.OpRngNormal, args: []lit{key(7), key(9)}, want: []lit{randomLit(true, 7, 9, 3, 5)}},
		{name: "scalar", op: ir.OpRngNormal, args: []lit{key(1 << 40), key(0)}, want: []lit{randomLit(true, 1<<40, 0)}},
		{name: "3x5", op: ir.OpRngUniform, args: []lit{key(7), key(9)}, want: []lit{randomLit(false, 7, 9, 3, 5)}},
		{name: "vector", op: ir.OpRngUniform, args: []lit{key(math.MaxUint64), key(3)}, want: []lit{randomLit(false, math.MaxUint64, 3, 4)}},
	}
}

func unaryCases() []opCase {
	// Reference values to 17 significant digits: tanh(0.5) = (e-1)/(e+1),
	// tanh(2) = (e⁴-1)/(e⁴+1), sigmoid(2) = e²/(1+e²).
	const (
		tanhHalf  = 0.46211715726000974
		tanh2     = 0.9640275800758169
		sigmoid2  = 0.8807970779778823
		sigmoidM2 = 0.11920292202211755
	)
	return []opCase{
		{name: "basic", op: ir.OpNeg, args: []lit{v(sh(4), -2, 0.5, 0, 3)}, want: []lit{v(sh(4), 2, -0.5, 0, -3)}},
		{name: "basic", op: ir.OpExp, args: []lit{v(sh(4), 0, 1, -1, -inf)}, want: []lit{v(sh(4), 1, euler, 1/euler, 0)}},
		{name: "basic", op: ir.OpLog, args: []lit{v(sh(5), 1, euler, 0.5, 0, -1)}, want: []lit{v(sh(5), 0, 1, -math.Ln2, -inf, nan)}},
		{name: "basic", op: ir.OpTanh, args: []lit{v(sh(2, 2), 0, 0.5, -2, 30)}, want: []lit{v(sh(2, 2), 0, tanhHalf, -tanh2, 1)}},
		// ±800 check that the evaluation neither overflows nor gives NaN.
		{name: "basic", op: ir.OpSigmoid, args: []lit{v(sh(5), 0, 2, -2, 800, -800)}, want: []lit{v(sh(5), 0.5, sigmoid2, sigmoidM2, 1, 0)}},
		{name: "basic", op: ir.OpRelu, args: []lit{v(sh(4), -1, 0, 2.5, nan)}, want: []lit{v(sh(4), 0, 0, 2.5, nan)}},
		{name: "basic", op: ir.OpStep, args: []lit{v(sh(4), -1, 0, 2.5, 1e-30)}, want: []lit{v(sh(4), 0, 0, 1, 1)}},
		{name: "basic", op: ir.OpAbs, args: []lit{v(sh(4), -1.5, 0, 2, -inf)}, want: []lit{v(sh(4), 1.5, 0, 2, inf)}},
		{name: "basic", op: ir.OpSqrt, args: []lit{v(sh(4), 0, 4, 2.25, -1)}, want: []lit{v(sh(4), 0, 2, 1.5, nan)}},
		{name: "basic", op: ir.OpSquare, args: []lit{sc(-3)}, want: []lit{sc(9)}},
		{name: "cube", op: ir.OpPow, attrs: ir.Attrs{"exponent": ir.Int(3)}, args: []lit{v(sh(2), 2, -1.5)}, want: []lit{v(sh(2), 8, -3.375)}},
		{name: "root", op: ir.OpPow, attrs: ir.Attrs{"exponent": ir.Float(0.5)}, args: []lit{v(sh(3), 4, 9, 0)}, want: []lit{v(sh(3), 2, 3, 0)}},
		{name: "reciprocal", op: ir.OpPow, attrs: ir.Attrs{"exponent": ir.Float(-1)}, args: []lit{v(sh(2), 4, 0)}, want: []lit{v(sh(2), 0.25, inf)}},
		{name: "to i64", op: ir.OpCast, args: []lit{v(sh(5), 1.7, -1.7, 3, nan, 1e30)},
			want: []lit{typed(ir.I64, sh(5), 1, -1, 3, 0, math.MaxInt64)}},
		{name: "to u64", op: ir.OpCast, args: []lit{v(sh(3), 2.9, -5, 0)}, want: []lit{typed(ir.U64, sh(3), 2, 0, 0)}},
		{name: "from i64", op: ir.OpCast, args: []lit{labels(sh(2), 3, -4)}, want: []lit{v(sh(2), 3, -4)}},
		{name: "to f64", op: ir.OpCast, args: []lit{v(sh(2), 0.5, -2)}, want: []lit{typed(ir.F64, sh(2), 0.5, -2)}},
		{name: "to f32", op: ir.OpCast, args: []lit{v(sh(2), 0.5, -2)}, want: []lit{typed(ir.F32, sh(2), 0.5, -2)}},
	}
}

func binaryCases() []opCase {
	a := v(sh(2, 3), 1, 2, 3, 4, 5, 6)
	return []opCase{
		{name: "same shape", op: ir.OpAdd, args: []lit{a, v(sh(2, 3), 10, 20, 30, 40, 50, 60)}, want: []lit{v(sh(2, 3), 11, 22, 33, 44, 55, 66)}},
		{name: "row vector", op: ir.OpAdd, args: []lit{a, v(sh(3), 10, 20, 30)}, want: []lit{v(sh(2, 3), 11, 22, 33, 14, 25, 36)}},
		{name: "scalar left", op: ir.OpAdd, args: []lit{sc(1), a}, want: []lit{v(sh(2, 3), 2, 3, 4, 5, 6, 7)}},
		{name: "outer", op: ir.OpAdd, args: []lit{v(sh(2, 1), 10, 20), v(sh(1, 3), 1, 2, 3)}, want: []lit{v(sh(2, 3), 11, 12, 13, 21, 22, 23)}},
		{name: "rank 3 with rank 1", op: ir.OpAdd, args: []lit{v(sh(2, 1, 2), 1, 2, 3, 4), v(sh(2), 10, 20)},
			want: []lit{v(sh(2, 1, 2), 11, 22, 13, 24)}},
		{name: "column", op: ir.OpSub, args: []lit{a, v(sh(2, 1), 1, 4)}, want: []lit{v(sh(2, 3), 0, 1, 2, 0, 1, 2)}},
		{name: "scalar right", op: ir.OpMul, args: []lit{v(sh(3), 1, -2, 3), sc(0.5)}, want: []lit{v(sh(3), 0.5, -1, 1.5)}},
		{name: "with zeros", op: ir.OpDiv, args: []lit{v(sh(2, 2), 1, -1, 0, 3), v(sh(2), 0, 0)}, want: []lit{v(sh(2, 2), inf, -inf, nan, inf)}},
		{name: "plain", op: ir.OpDiv, args: []lit{v(sh(2), 1, 3), v(sh(2), 4, -2)}, want: []lit{v(sh(2), 0.25, -1.5)}},
		{name: "nan", op: ir.OpMaximum, args: []lit{v(sh(3), 1, 5, nan), sc(2)}, want: []lit{v(sh(3), 2, 5, nan)}},
		{name: "nan", op: ir.OpMinimum, args: []lit{v(sh(3), 1, 5, nan), sc(2)}, want: []lit{v(sh(3), 1, 2, nan)}},
		{name: "basic", op: ir.OpEq, args: []lit{v(sh(4), 1, 2, 3, nan), sc(2)}, want: []lit{v(sh(4), 0, 1, 0, 0)}},
		{name: "basic", op: ir.OpNe, args: []lit{v(sh(4), 1, 2, 3, nan), sc(2)}, want: []lit{v(sh(4), 1, 0, 1, 1)}},
		{name: "basic", op: ir.OpLt, args: []lit{v(sh(3), 1, 2, 3), sc(2)}, want: []lit{v(sh(3), 1, 0, 0)}},
		{name: "basic", op: ir.OpLe, args: []lit{v(sh(3), 1, 2, 3), sc(2)}, want: []lit{v(sh(3), 1, 1, 0)}},
		{name: "basic", op: ir.OpGt, args: []lit{v(sh(3), 1, 2, 3), sc(2)}, want: []lit{v(sh(3), 0, 0, 1)}},
		{name: "basic", op: ir.OpGe, args: []lit{v(sh(3), 1, 2, 3), v(sh(2, 1), 2, 3)}, want: []lit{v(sh(2, 3), 0, 1, 1, 0, 0, 1)}},
		{name: "same dtype cond", op: ir.OpSelect, args: []lit{v(sh(3), 1, 0, nan), v(sh(3), 1, 2, 3), sc(9)}, want: []lit{v(sh(3), 1, 9, 3)}},
		{name: "i64 cond broadcast", op: ir.OpSelect, args: []lit{labels(sh(2, 1), 1, 0), v(sh(3), 1, 2, 3), v(sh(2, 3), 4, 5, 6, 7, 8, 9)},
			want: []lit{v(sh(2, 3), 1, 2, 3, 7, 8, 9)}},
	}
}

func dataMoveCases() []opCase {
	x := v(sh(2, 3), 1, 2, 3, 4, 5, 6)
	x223 := v(sh(2, 2, 3), 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11) // x[i,j,k] = 6i+3j+k
	x34 := v(sh(3, 4), 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
	return []opCase{
		{name: "row", op: ir.OpBroadcastTo, args: []lit{v(sh(3), 1, 2, 3)}, want: []lit{v(sh(2, 3), 1, 2, 3, 1, 2, 3)}},
		{name: "column", op: ir.OpBroadcastTo, args: []lit{v(sh(2, 1), 1, 2)}, want: []lit{v(sh(2, 3), 1, 1, 1, 2, 2, 2)}},
		{name: "scalar", op: ir.OpBroadcastTo, args: []lit{sc(7)}, want: []lit{v(sh(2, 2), 7, 7, 7, 7)}},
		{name: "middle axis", op: ir.OpBroadcastTo, args: []lit{v(sh(2, 1, 2), 1, 2, 3, 4)}, want: []lit{v(sh(3, 2, 2, 2),
			1, 2, 1, 2, 3, 4, 3, 4, 1, 2, 1, 2, 3, 4, 3, 4, 1, 2, 1, 2, 3, 4, 3, 4)}},
		{name: "2x3 to 3x2", op: ir.OpReshape, args: []lit{x}, want: []lit{v(sh(3, 2), 1, 2, 3, 4, 5, 6)}},
		{name: "to scalar", op: ir.OpReshape, args: []lit{v(sh(1, 1), 5)}, want: []lit{sc(5)}},
		{name: "matrix", op: ir.OpTranspose, attrs: ir.Attrs{"perm": ir.Ints(1, 0)}, args: []lit{x}, want: []lit{v(sh(3, 2), 1, 4, 2, 5, 3, 6)}},
		// y[k,i,j] = x[i,j,k].
		{name: "rank 3", op: ir.OpTranspose, attrs: ir.Attrs{"perm": ir.Ints(2, 0, 1)}, args: []lit{x223},
			want: []lit{v(sh(3, 2, 2), 0, 3, 6, 9, 1, 4, 7, 10, 2, 5, 8, 11)}},
		{name: "identity", op: ir.OpTranspose, attrs: ir.Attrs{"perm": ir.Ints(0, 1)}, args: []lit{x}, want: []lit{x}},
		{name: "box", op: ir.OpSlice, attrs: ir.Attrs{"start": ir.Ints(1, 1), "stop": ir.Ints(3, 3)}, args: []lit{x34}, want: []lit{v(sh(2, 2), 5, 6, 9, 10)}},
		{name: "last column", op: ir.OpSlice, attrs: ir.Attrs{"start": ir.Ints(0, 3), "stop": ir.Ints(3, 4)}, args: []lit{x34}, want: []lit{v(sh(3, 1), 3, 7, 11)}},
		{name: "empty", op: ir.OpSlice, attrs: ir.Attrs{"start": ir.Ints(2, 0), "stop": ir.Ints(2, 4)}, args: []lit{x34}, want: []lit{v(sh(0, 4))}},
		{name: "axis 0", op: ir.OpConcat, attrs: ir.Attrs{"axis": ir.Int(0)}, args: []lit{v(sh(1, 2), 1, 2), v(sh(2, 2), 3, 4, 5, 6)},
			want: []lit{v(sh(3, 2), 1, 2, 3, 4, 5, 6)}},
		{name: "axis -1, three operands", op: ir.OpConcat, attrs: ir.Attrs{"axis": ir.Int(-1)},
			args: []lit{v(sh(2, 1), 1, 2), v(sh(2, 2), 3, 4, 5, 6), v(sh(2, 1), 7, 8)},
			want: []lit{v(sh(2, 4), 1, 3, 4, 7, 2, 5, 6, 8)}},
		{name: "rows", op: ir.OpGather, args: []lit{v(sh(3, 2), 1, 2, 3, 4, 5, 6), labels(sh(3), 2, 0, 2)},
			want: []lit{v(sh(3, 2), 5, 6, 1, 2, 5, 6)}},
		// out[o,p,q] = table[o, idx[p,q]].
		{name: "axis 1", op: ir.OpGather, attrs: ir.Attrs{"axis": ir.Int(1)}, args: []lit{x, labels(sh(2, 1), 2, 0)},
			want: []lit{v(sh(2, 2, 1), 3, 1, 6, 4)}},
		{name: "scalar index", op: ir.OpGather, args: []lit{v(sh(3, 2), 1, 2, 3, 4, 5, 6), labels(sh(), 1)}, want: []lit{v(sh(2), 3, 4)}},
	}
}

func matmulCases() []opCase {
	a := v(sh(2, 3), 1, 2, 3, 4, 5, 6)
	b := v(sh(3, 2), 7, 8, 9, 10, 11, 12)
	want := v(sh(2, 2), 58, 64, 139, 154)
	aT := v(sh(3, 2), 1, 4, 2, 5, 3, 6)
	bT := v(sh(2, 3), 7, 9, 11, 8, 10, 12)
	// Batch of [I, swap] times one matrix, broadcast over the batch.
	batchA := v(sh(2, 2, 2), 1, 0, 0, 1, 0, 1, 1, 0)
	m := v(sh(2, 2), 1, 2, 3, 4)
	return []opCase{
		{name: "plain", op: ir.OpMatmul, args: []lit{a, b}, want: []lit{want}},
		{name: "transpose_a", op: ir.OpMatmul, attrs: ir.Attrs{"transpose_a": ir.Bool(true)}, args: []lit{aT, b}, want: []lit{want}},
		{name: "transpose_b", op: ir.OpMatmul, attrs: ir.Attrs{"transpose_b": ir.Bool(true)}, args: []lit{a, bT}, want: []lit{want}},
		{name: "both transposed", op: ir.OpMatmul, attrs: ir.Attrs{"transpose_a": ir.Bool(true), "transpose_b": ir.Bool(true)},
			args: []lit{aT, bT}, want: []lit{want}},
		{name: "batch broadcast right", op: ir.OpMatmul, args: []lit{batchA, m}, want: []lit{v(sh(2, 2, 2), 1, 2, 3, 4, 3, 4, 1, 2)}},
		{name: "batch broadcast left", op: ir.OpMatmul, args: []lit{m, batchA}, want: []lit{v(sh(2, 2, 2), 1, 2, 3, 4, 2, 1, 4, 3)}},
		{name: "zero inner dimension", op: ir.OpMatmul, args: []lit{v(sh(2, 0)), v(sh(0, 3))}, want: []lit{v(sh(2, 3), 0, 0, 0, 0, 0, 0)}},
	}
}

func reductionCases() []opCase {
	x := v(sh(2, 3), 1, 2, 3, 4, 5, 6)
	x222 := v(sh(2, 2, 2), 1, 2, 3, 4, 5, 6, 7, 8) // x[i,j,k] = 4i+2j+k+1
	keep := ir.Bool(true)
	return []opCase{
		{name: "all", op: ir.OpReduceSum, args: []lit{x}, want: []lit{sc(21)}},
		{name: "axis 0", op: ir.OpReduceSum, attrs: ir.Attrs{"axes": ir.Ints(0)}, args: []lit{x}, want: []lit{v(sh(3), 5, 7, 9)}},
		{name: "axis -1", op: ir.OpReduceSum, attrs: ir.Attrs{"axes": ir.Ints(-1)}, args: []lit{x}, want: []lit{v(sh(2), 6, 15)}},
		{name: "axis 1 keepdims", op: ir.OpReduceSum, attrs: ir.Attrs{"axes": ir.Ints(1), "keepdims": keep}, args: []lit{x}, want: []lit{v(sh(2, 1), 6, 15)}},
		{name: "all keepdims", op: ir.OpReduceSum, attrs: ir.Attrs{"keepdims": keep}, args: []lit{x}, want: []lit{v(sh(1, 1), 21)}},
		{name: "outer axes of rank 3", op: ir.OpReduceSum, attrs: ir.Attrs{"axes": ir.Ints(0, -1)}, args: []lit{x222}, want: []lit{v(sh(2), 14, 22)}},
		{name: "no axes", op: ir.OpReduceSum, attrs: ir.Attrs{"axes": ir.List{}}, args: []lit{x}, want: []lit{x}},
		{name: "empty axis", op: ir.OpReduceSum, attrs: ir.Attrs{"axes": ir.Ints(1)}, args: []lit{v(sh(2, 0))}, want: []lit{v(sh(2), 0, 0)}},
		{name: "all", op: ir.OpReduceMean, args: []lit{x}, want: []lit{sc(3.5)}},
		{name: "axis 0", op: ir.OpReduceMean, attrs: ir.Attrs{"axes": ir.Ints(0)}, args: []lit{x}, want: []lit{v(sh(3), 2.5, 3.5, 4.5)}},
		{name: "axis -1 keepdims", op: ir.OpReduceMean, attrs: ir.Attrs{"axes": ir.Ints(-1), "keepdims": keep}, args: []lit{x}, want: []lit{v(sh(2, 1), 2, 5)}},
		{name: "middle axis of rank 3", op: ir.OpReduceMean, attrs: ir.Attrs{"axes": ir.Ints(1)}, args: []lit{x222}, want: []lit{v(sh(2, 2), 2, 3, 6, 7)}},
		{name: "all", op: ir.OpReduceMax, args: []lit{v(sh(2, 2), -5, -2, -7, -3)}, want: []lit{sc(-2)}},
		{name: "axis 0", op: ir.OpReduceMax, attrs: ir.Attrs{"axes": ir.Ints(0)}, args: []lit{v(sh(2, 3), 1, 9, 3, 4, 5, nan)}, want: []lit{v(sh(3), 4, 9, nan)}},
		{name: "axis -1 keepdims", op: ir.OpReduceMax, attrs: ir.Attrs{"axes": ir.Ints(-1), "keepdims": keep}, args: []lit{x}, want: []lit{v(sh(2, 1), 3, 6)}},
		{name: "empty axis", op: ir.OpReduceMax, attrs: ir.Attrs{"axes": ir.Ints(0)}, args: []lit{v(sh(0, 2))}, want: []lit{v(sh(2), -inf, -inf)}},
	}
}

func nnCases() []opCase {
	// softmax([1,2,3]) = e^(x-3)/(1+e^-1+e^-2), log of the denominator
	// 0.4076059644443806.
	const lse = 0.4076059644443806
	p1, p2, p3 := math.Exp(-2-lse), math.Exp(-1-lse), math.Exp(-lse)
	s2, sM2 := 0.8807970779778823, 0.11920292202211755 // sigmoid(±2)
	z := v(sh(2, 3), 1, 2, 3, 0, 0, 0)
	return []opCase{
		{name: "last axis", op: ir.OpSoftmax, args: []lit{z}, want: []lit{v(sh(2, 3), p1, p2, p3, 1.0/3, 1.0/3, 1.0/3)}},
		// Shifting by the maximum keeps large logits finite.
		{name: "large logits", op: ir.OpSoftmax, args: []lit{v(sh(3), 1000, 1000, -inf)}, want: []lit{v(sh(3), 0.5, 0.5, 0)}},
		{name: "axis 0", op: ir.OpSoftmax, attrs: ir.Attrs{"axis": ir.Int(0)}, args: []lit{v(sh(2, 2), 0, 1, 0, 3)},
			want: []lit{v(sh(2, 2), 0.5, sM2, 0.5, s2)}},
		{name: "last axis", op: ir.OpLogSoftmax, args: []lit{z}, want: []lit{v(sh(2, 3), -2-lse, -1-lse, -lse, -math.Log(3), -math.Log(3), -math.Log(3))}},
		{name: "large logits", op: ir.OpLogSoftmax, args: []lit{v(sh(2), 1000, 0)}, want: []lit{v(sh(2), 0, -1000)}},
		{name: "axis -2", op: ir.OpLogSoftmax, attrs: ir.Attrs{"axis": ir.Int(-2)}, args: []lit{v(sh(2, 1), 0, 0)},
			want: []lit{v(sh(2, 1), -math.Ln2, -math.Ln2)}},
		// Losses lse and ln 3; their mean.
		{name: "batch of 2", op: ir.OpSoftmaxXent, args: []lit{z, labels(sh(2), 2, 0)}, want: []lit{sc((lse + math.Log(3)) / 2)}},
		{name: "confident", op: ir.OpSoftmaxXent, args: []lit{v(sh(1, 2), 100, 0), labels(sh(1), 1)}, want: []lit{sc(100)}},
		{name: "vector", op: ir.OpOneHot, attrs: ir.Attrs{"depth": ir.Int(3)}, args: []lit{labels(sh(3), 2, 0, 1)},
			want: []lit{v(sh(3, 3), 0, 0, 1, 1, 0, 0, 0, 1, 0)}},
		{name: "matrix", op: ir.OpOneHot, attrs: ir.Attrs{"depth": ir.Int(2)}, args: []lit{labels(sh(2, 1), 1, 0)},
			want: []lit{v(sh(2, 1, 2), 0, 1, 1, 0)}},
	}
}

func linalgCases() []opCase {
	s5, s10, h := math.Sqrt(5), math.Sqrt(10), 1/sqr2
	return []opCase{
		{name: "2x2", op: ir.OpQR, args: []lit{v(sh(2, 2), 3, 1, 4, 2)},
			want: []lit{v(sh(2, 2), 0.6, -0.8, 0.8, 0.6), v(sh(2, 2), 5, 2.2, 0, 0.4)}},
		// The second matrix has a negative pivot, which the sign rule flips.
		{name: "batch", op: ir.OpQR, args: []lit{v(sh(2, 2, 2), 3, 1, 4, 2, -3, 1, -4, 2)},
			want: []lit{v(sh(2, 2, 2), 0.6, -0.8, 0.8, 0.6, -0.6, -0.8, -0.8, 0.6), v(sh(2, 2, 2), 5, 2.2, 0, 0.4, 5, -2.2, 0, 0.4)}},
		{name: "wide", op: ir.OpQR, args: []lit{v(sh(2, 3), 3, 1, 0, 4, 2, 1)},
			want: []lit{v(sh(2, 2), 0.6, -0.8, 0.8, 0.6), v(sh(2, 3), 5, 2.2, 0.8, 0, 0.4, 0.6)}},
		// aᵀa = [[25,20],[20,25]]: s² = 45, 5; v = (1,1)/√2, (1,-1)/√2.
		{name: "2x2", op: ir.OpSVD, args: []lit{v(sh(2, 2), 3, 0, 4, 5)},
			want: []lit{v(sh(2, 2), 1/s10, 3/s10, 3/s10, -1/s10), v(sh(2), 3*s5, s5), v(sh(2, 2), h, h, h, -h)}},
		{name: "batch", op: ir.OpSVD, args: []lit{v(sh(2, 2, 2), 3, 0, 4, 5, 1, 0, 0, 2)},
			want: []lit{
				v(sh(2, 2, 2), 1/s10, 3/s10, 3/s10, -1/s10, 0, 1, 1, 0),
				v(sh(2, 2), 3*s5, s5, 2, 1),
				v(sh(2, 2, 2), h, h, h, -h, 0, 1, 1, 0)}},
		{name: "tall", op: ir.OpSVD, args: []lit{v(sh(3, 1), 0, -3, 4)}, want: []lit{v(sh(3, 1), 0, -0.6, 0.8), v(sh(1), 5), v(sh(1, 1), 1)}},
		{name: "2x2", op: ir.OpEigh, args: []lit{v(sh(2, 2), 2, 1, 1, 2)}, want: []lit{v(sh(2), 1, 3), v(sh(2, 2), h, h, -h, h)}},
		{name: "batch", op: ir.OpEigh, args: []lit{v(sh(2, 2, 2), 2, 1, 1, 2, 5, 0, 0, -1)},
			want: []lit{v(sh(2, 2), 1, 3, -1, 5), v(sh(2, 2, 2), h, h, -h, h, 0, 1, 1, 0)}},
		{name: "2x2", op: ir.OpCholesky, args: []lit{v(sh(2, 2), 4, 2, 2, 3)}, want: []lit{v(sh(2, 2), 2, 0, 1, sqr2)}},
		{name: "3x3", op: ir.OpCholesky, args: []lit{v(sh(3, 3), 4, 12, -16, 12, 37, -43, -16, -43, 98)},
			want: []lit{v(sh(3, 3), 2, 0, 0, 6, 1, 0, -8, 5, 3)}},
		{name: "batch", op: ir.OpCholesky, args: []lit{v(sh(2, 1, 1), 9, 0.25)}, want: []lit{v(sh(2, 1, 1), 3, 0.5)}},
		{name: "left lower", op: ir.OpTriangularSolve, args: []lit{v(sh(2, 2), 2, 0, 1, 4), v(sh(2, 1), 2, 9)}, want: []lit{v(sh(2, 1), 1, 2)}},
		// The lower triangle (99) is not read.
		{name: "upper", op: ir.OpTriangularSolve, attrs: ir.Attrs{"lower": ir.Bool(false)},
			args: []lit{v(sh(2, 2), 2, 3, 99, 4), v(sh(2, 2), 8, 2, 8, 4)}, want: []lit{v(sh(2, 2), 1, -0.5, 2, 1)}},
		{name: "transposed", op: ir.OpTriangularSolve, attrs: ir.Attrs{"transpose_a": ir.Bool(true)},
			args: []lit{v(sh(2, 2), 2, 0, 1, 4), v(sh(2, 1), 4, 8)}, want: []lit{v(sh(2, 1), 1, 2)}},
		// [x1 x2]·[[2,0],[1,4]] = [2x1+x2, 4x2].
		{name: "right", op: ir.OpTriangularSolve, attrs: ir.Attrs{"left": ir.Bool(false)},
			args: []lit{v(sh(2, 2), 2, 0, 1, 4), v(sh(1, 2), 4, 8)}, want: []lit{v(sh(1, 2), 1, 2)}},
		{name: "batch", op: ir.OpTriangularSolve, args: []lit{v(sh(2, 1, 1), 2, 4), v(sh(2, 1, 3), 2, 4, 6, 4, 8, 12)},
			want: []lit{v(sh(2, 1, 3), 1, 2, 3, 1, 2, 3)}},
	}
}

// integerCases run ops whose type rules admit i64 (and u64) in those
// dtypes.
func integerCases() []opCase {
	i64 := []ir.DType{ir.I64}
	ints := []ir.DType{ir.I64, ir.U64}
	return []opCase{
		{name: "int", op: ir.OpNeg, dtypes: i64, args: []lit{v(sh(2), 3, -4)}, want: []lit{v(sh(2), -3, 4)}},
		{name: "int", op: ir.OpRelu, dtypes: i64, args: []lit{v(sh(2), 3, -4)}, want: []lit{v(sh(2), 3, 0)}},
		{name: "int", op: ir.OpStep, dtypes: i64, args: []lit{v(sh(3), 3, 0, -4)}, want: []lit{v(sh(3), 1, 0, 0)}},
		{name: "int", op: ir.OpAbs, dtypes: i64, args: []lit{v(sh(2), 3, -4)}, want: []lit{v(sh(2), 3, 4)}},
		{name: "int", op: ir.OpSquare, dtypes: ints, args: []lit{v(sh(2), 3, 5)}, want: []lit{v(sh(2), 9, 25)}},
		{name: "int", op: ir.OpAdd, dtypes: ints, args: []lit{v(sh(2, 2), 1, 2, 3, 4), v(sh(2), 10, 20)}, want: []lit{v(sh(2, 2), 11, 22, 13, 24)}},
		{name: "int", op: ir.OpSub, dtypes: ints, args: []lit{v(sh(2), 5, 7), sc(2)}, want: []lit{v(sh(2), 3, 5)}},
		{name: "int", op: ir.OpMul, dtypes: ints, args: []lit{v(sh(2), 5, 7), sc(3)}, want: []lit{v(sh(2), 15, 21)}},
		{name: "truncating", op: ir.OpDiv, dtypes: i64, args: []lit{v(sh(3), 7, -7, 6), sc(2)}, want: []lit{v(sh(3), 3, -3, 3)}},
		{name: "int", op: ir.OpDiv, dtypes: []ir.DType{ir.U64}, args: []lit{v(sh(2), 7, 6), sc(2)}, want: []lit{v(sh(2), 3, 3)}},
		{name: "int", op: ir.OpMaximum, dtypes: ints, args: []lit{v(sh(2), 5, 1), sc(3)}, want: []lit{v(sh(2), 5, 3)}},
		{name: "int", op: ir.OpMinimum, dtypes: ints, args: []lit{v(sh(2), 5, 1), sc(3)}, want: []lit{v(sh(2), 3, 1)}},
		{name: "int", op: ir.OpEq, dtypes: ints, args: []lit{v(sh(2), 5, 3), sc(3)}, want: []lit{v(sh(2), 0, 1)}},
		{name: "int", op: ir.OpNe, dtypes: ints, args: []lit{v(sh(2), 5, 3), sc(3)}, want: []lit{v(sh(2), 1, 0)}},
		{name: "int", op: ir.OpLt, dtypes: ints, args: []lit{v(sh(2), 5, 3), sc(4)}, want: []lit{v(sh(2), 0, 1)}},
		{name: "int", op: ir.OpLe, dtypes: ints, args: []lit{v(sh(2), 5, 3), sc(3)}, want: []lit{v(sh(2), 0, 1)}},
		{name: "int", op: ir.OpGt, dtypes: ints, args: []lit{v(sh(2), 5, 3), sc(4)}, want: []lit{v(sh(2), 1, 0)}},
		{name: "int", op: ir.OpGe, dtypes: ints, args: []lit{v(sh(2), 5, 3), sc(5)}, want: []lit{v(sh(2), 1, 0)}},
		{name: "int", op: ir.OpSelect, dtypes: ints, args: []lit{labels(sh(2), 0, 1), v(sh(2), 5, 3), sc(9)}, want: []lit{v(sh(2), 9, 3)}},
		{name: "int", op: ir.OpReduceSum, dtypes: ints, attrs: ir.Attrs{"axes": ir.Ints(0)}, args: []lit{v(sh(2, 2), 1, 2, 3, 4)}, want: []lit{v(sh(2), 4, 6)}},
		{name: "int", op: ir.OpReduceMax, dtypes: ints, args: []lit{v(sh(3), 1, 7, 3)}, want: []lit{sc(7)}},
		{name: "int", op: ir.OpConstant, dtypes: ints, attrs: ir.Attrs{"value": ir.Ints(1, 2, 3)}, want: []lit{v(sh(3), 1, 2, 3)}},
		{name: "int", op: ir.OpFull, dtypes: ints, attrs: ir.Attrs{"value": ir.Int(4)}, want: []lit{v(sh(2), 4, 4)}},
		{name: "int", op: ir.OpOneHot, dtypes: ints, attrs: ir.Attrs{"depth": ir.Int(2)}, args: []lit{labels(sh(2), 1, 0)}, want: []lit{v(sh(2, 2), 0, 1, 1, 0)}},
		{name: "int", op: ir.OpGather, dtypes: ints, args: []lit{v(sh(3), 10, 20, 30), labels(sh(2), 2, 2)}, want: []lit{v(sh(2), 30, 30)}},
		{name: "int", op: ir.OpTranspose, dtypes: ints, attrs: ir.Attrs{"perm": ir.Ints(1, 0)}, args: []lit{v(sh(1, 2), 1, 2)}, want: []lit{v(sh(2, 1), 1, 2)}},
		{name: "int", op: ir.OpConcat, dtypes: ints, attrs: ir.Attrs{"axis": ir.Int(0)}, args: []lit{v(sh(1), 1), v(sh(2), 2, 3)}, want: []lit{v(sh(3), 1, 2, 3)}},
		{name: "int", op: ir.OpCast, dtypes: ints, args: []lit{v(sh(2), 1, 2)}, want: []lit{typed(ir.F32, sh(2), 1, 2)}},
	}
}
