package runtime

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/runtime/ops"
)

// The interpreter computes what direct calls of runtime/ops compute, bit
// for bit: it only binds and dispatches. Each case runs one instruction
// through a Runner (large results split across goroutines) and through
// Interpreter.Run, and computes the result with the ops API as generated
// code will.

// A direct computes an instruction's result with the ops API.
type direct func(args []*Tensor, out *Tensor) error

// byD picks the direct computation of dtype d.
func byD(d ir.DType, f32, f64, i64, u64 direct) direct {
	return map[ir.DType]direct{ir.F32: f32, ir.F64: f64, ir.I64: i64, ir.U64: u64}[d]
}

func unaryDirect[T ops.Number](op ir.Op, attrs ir.Attrs) direct {
	return func(args []*Tensor, out *Tensor) error {
		k, err := ops.NewUnary[T](op, attrs)
		if err != nil {
			return err
		}
		k.Run(elems[T](out), elems[T](args[0]))
		return nil
	}
}

func binaryDirect[T ops.Number](op ir.Op) direct {
	return func(args []*Tensor, out *Tensor) error {
		k, err := ops.NewBinary[T](op, args[0].Shape(), args[1].Shape(), out.Shape())
		if err != nil {
			return err
		}
		return k.Run(elems[T](out), elems[T](args[0]), elems[T](args[1]))
	}
}

func moveDirect[T ops.Number](op ir.Op, attrs ir.Attrs) direct {
	return func(args []*Tensor, out *Tensor) error {
		p, err := ops.NewMove(op, args[0].Shape(), out.Shape(), attrs)
		if err != nil {
			return err
		}
		ops.Move(p, elems[T](out), elems[T](args[0]))
		return nil
	}
}

func reduceDirect[T ops.Number](op ir.Op, attrs ir.Attrs) direct {
	return func(args []*Tensor, out *Tensor) error {
		axes, err := ir.NormAxes(attrs, args[0].Type.Rank())
		if err != nil {
			return err
		}
		p, err := ops.NewReduce(op, args[0].Shape(), axes)
		if err != nil {
			return err
		}
		ops.Reduce(p, elems[T](out), elems[T](args[0]), make([]float64, p.ScratchLen()))
		return nil
	}
}

func softmaxDirect[T ops.Float](op ir.Op, axis int) direct {
	return func(args []*Tensor, out *Tensor) error {
		p, err := ops.NewSoftmax(op, args[0].Shape(), axis)
		if err != nil {
			return err
		}
		ops.Softmax(p, elems[T](out), elems[T](args[0]), make([]float64, p.ScratchLen()))
		return nil
	}
}

// wideTensor returns a tensor of random elements over the dtype's range:
// floats of many magnitudes with a few infinities, NaNs and signed zeros,
// integers small and huge; with nonZero, no zeros (integer divisors).
func wideTensor(r *rand.Rand, d ir.DType, nonZero bool, shape ...int) *Tensor {
	t := Zeros(ir.TensorOf(d, shape...))
	specials := []float64{math.Inf(1), math.Inf(-1), math.NaN(), math.Copysign(0, -1), 0}
	for i := range t.Len() {
		switch d {
		case ir.F32, ir.F64:
			x := r.NormFloat64() * math.Pow(10, float64(r.IntN(9)-4))
			if r.IntN(50) == 0 {
				x = specials[r.IntN(len(specials))]
			}
			if d == ir.F32 {
				t.F32[i] = float32(x)
			} else {
				t.F64[i] = x
			}
		case ir.I64:
			t.I64[i] = r.Int64N(21) - 10
			if r.IntN(3) == 0 {
				t.I64[i] = int64(r.Uint64())
			}
			if nonZero && t.I64[i] == 0 {
				t.I64[i] = 3
			}
		case ir.U64:
			t.U64[i] = r.Uint64N(21)
			if r.IntN(3) == 0 {
				t.U64[i] = r.Uint64()
			}
			if nonZero && t.U64[i] == 0 {
				t.U64[i] = 3
			}
		}
	}
	return t
}

// sameBits reports whether two tensors have the same type and the same
// bits (NaN payloads and signed zeros included).
func sameBits(a, b *Tensor) bool {
	if !a.Type.Equal(b.Type) {
		return false
	}
	for i := range a.F32 {
		if math.Float32bits(a.F32[i]) != math.Float32bits(b.F32[i]) {
			return false
		}
	}
	for i := range a.F64 {
		if math.Float64bits(a.F64[i]) != math.Float64bits(b.F64[i]) {
			return false
		}
	}
	for i := range a.I64 {
		if a.I64[i] != b.I64[i] {
			return false
		}
	}
	for i := range a.U64 {
		if a.U64[i] != b.U64[i] {
			return false
		}
	}
	return true
}

type agreeCase struct {
	name   string
	op     ir.Op
	attrs  ir.Attrs
	args   []*Tensor
	out    ir.Type
	direct direct
}

func agreeCases(r *rand.Rand) []agreeCase {
	var cs []agreeCase
	dtypes := []ir.DType{ir.F32, ir.F64, ir.I64, ir.U64}
	admits := func(op ir.Op, attrs ir.Attrs, args []*Tensor, declared ...ir.Type) (ir.Type, bool) {
		ts, err := ir.InferTypes(op, typesOf(args), attrs, declared)
		if err != nil {
			return ir.Type{}, false
		}
		return ts[0], true
	}
	// Every op of the elementwise tables in every dtype it admits, small
	// and large enough to be split across goroutines.
	for _, op := range ops.UnaryOps() {
		attrs := ir.Attrs{}
		if op == ir.OpPow {
			attrs["exponent"] = ir.Float(1.5)
		}
		for _, d := range dtypes {
			for _, shape := range [][]int{{3, 7}, {300, 256}} {
				args := []*Tensor{wideTensor(r, d, false, shape...)}
				out, ok := admits(op, attrs, args)
				if !ok {
					continue
				}
				cs = append(cs, agreeCase{fmt.Sprint(shape), op, attrs, args, out,
					byD(d, unaryDirect[float32](op, attrs), unaryDirect[float64](op, attrs), unaryDirect[int64](op, attrs), unaryDirect[uint64](op, attrs))})
			}
		}
	}
	for _, op := range ops.BinaryOps() {
		for _, d := range dtypes {
			for _, s := range [][2][]int{{{3, 7}, {3, 7}}, {{3, 7}, {7}}, {{3, 1}, {1, 7}}, {{}, {2, 5}}, {{300, 256}, {256}}, {{2, 1}, {2, 40000}}} {
				args := []*Tensor{wideTensor(r, d, false, s[0]...), wideTensor(r, d, op == ir.OpDiv, s[1]...)}
				out, ok := admits(op, nil, args)
				if !ok {
					continue
				}
				cs = append(cs, agreeCase{fmt.Sprint(s), op, nil, args, out,
					byD(d, binaryDirect[float32](op), binaryDirect[float64](op), binaryDirect[int64](op), binaryDirect[uint64](op))})
			}
		}
	}
	// select with a condition of another dtype, and cast between every
	// pair of dtypes.
	cond := wideTensor(r, ir.I64, false, 4, 1)
	a, b := wideTensor(r, ir.F32, false, 6), wideTensor(r, ir.F32, false, 4, 6)
	cs = append(cs, agreeCase{"i64 cond", ir.OpSelect, nil, []*Tensor{cond, a, b}, ir.TensorOf(ir.F32, 4, 6), func(args []*Tensor, out *Tensor) error {
		k, err := ops.NewSelect[int64, float32](args[0].Shape(), args[1].Shape(), args[2].Shape(), out.Shape())
		if err != nil {
			return err
		}
		k.Run(out.F32, args[0].I64, args[1].F32, args[2].F32)
		return nil
	}})
	for _, from := range dtypes {
		for _, to := range dtypes {
			x := wideTensor(r, from, false, 5, 9)
			cs = append(cs, agreeCase{from.String() + " to " + to.String(), ir.OpCast, nil, []*Tensor{x}, ir.TensorOf(to, 5, 9), func(args []*Tensor, out *Tensor) error {
				castInto(out, args[0])
				return nil
			}})
		}
	}
	// Data movement, reductions and the nn ops, in f32 and i64 where they
	// take any dtype.
	for _, d := range []ir.DType{ir.F32, ir.I64} {
		x := wideTensor(r, d, false, 4, 1, 6)
		big := wideTensor(r, d, false, 64, 48)
		moves := []struct {
			op    ir.Op
			attrs ir.Attrs
			x     *Tensor
			out   ir.Type
		}{
			{ir.OpBroadcastTo, nil, x, ir.TensorOf(d, 3, 4, 5, 6)},
			{ir.OpReshape, nil, x, ir.TensorOf(d, 6, 4)},
			{ir.OpTranspose, ir.Attrs{"perm": ir.Ints(2, 0, 1)}, x, ir.TensorOf(d, 6, 4, 1)},
			{ir.OpTranspose, ir.Attrs{"perm": ir.Ints(1, 0)}, big, ir.TensorOf(d, 48, 64)},
			{ir.OpSlice, ir.Attrs{"start": ir.Ints(1, 0, 2), "stop": ir.Ints(3, 1, 5)}, x, ir.TensorOf(d, 2, 1, 3)},
		}
		for _, m := range moves {
			cs = append(cs, agreeCase{d.String(), m.op, m.attrs, []*Tensor{m.x}, m.out,
				byD(d, moveDirect[float32](m.op, m.attrs), nil, moveDirect[int64](m.op, m.attrs), nil)})
		}
		for _, op := range []ir.Op{ir.OpReduceSum, ir.OpReduceMax, ir.OpReduceMean} {
			for _, axes := range []ir.Attr{nil, ir.Ints(1), ir.Ints(0, 2), ir.Ints(-1)} {
				attrs := ir.Attrs{}
				if axes != nil {
					attrs["axes"] = axes
				}
				args := []*Tensor{wideTensor(r, d, false, 5, 7, 3)}
				out, ok := admits(op, attrs, args)
				if !ok {
					continue
				}
				cs = append(cs, agreeCase{fmt.Sprint(d, axes), op, attrs, args, out,
					byD(d, reduceDirect[float32](op, attrs), nil, reduceDirect[int64](op, attrs), nil)})
			}
		}
		parts := []*Tensor{wideTensor(r, d, false, 2, 3), wideTensor(r, d, false, 2, 1)}
		cs = append(cs, agreeCase{d.String(), ir.OpConcat, ir.Attrs{"axis": ir.Int(-1)}, parts, ir.TensorOf(d, 2, 4), func(args []*Tensor, out *Tensor) error {
			p, err := ops.NewConcat([]ir.Shape{args[0].Shape(), args[1].Shape()}, -1)
			if err != nil {
				return err
			}
			for i, a := range args {
				concatDirect(p, out, a, i)
			}
			return nil
		}})
		idx := FromI64([]int{2, 2}, []int64{1, 0, 5, 1})
		cs = append(cs, agreeCase{d.String(), ir.OpGather, ir.Attrs{"axis": ir.Int(-1)}, []*Tensor{x.Clone(), idx}, ir.TensorOf(d, 4, 1, 2, 2), func(args []*Tensor, out *Tensor) error {
			p, err := ops.NewGather(args[0].Shape(), args[1].Shape(), -1)
			if err != nil {
				return err
			}
			return gatherDirect(p, out, args[0], args[1].I64)
		}})
	}
	for _, op := range []ir.Op{ir.OpSoftmax, ir.OpLogSoftmax} {
		for _, axis := range []int{0, -1} {
			x := wideTensor(r, ir.F64, false, 6, 9)
			cs = append(cs, agreeCase{fmt.Sprint("axis ", axis), op, ir.Attrs{"axis": ir.Int(axis)}, []*Tensor{x}, x.Type, softmaxDirect[float64](op, axis)})
		}
	}
	z, labels := randomTensor(r, ir.F32, 8, 5), FromI64([]int{8}, []int64{0, 4, 2, 2, 1, 3, 0, 4})
	cs = append(cs, agreeCase{"", ir.OpSoftmaxXent, nil, []*Tensor{z, labels}, ir.Scalar(ir.F32), func(args []*Tensor, out *Tensor) error {
		loss, err := ops.SoftmaxXent(args[0].F32, args[1].I64, 5, make([]float64, 5))
		out.F32[0] = loss
		return err
	}})
	cs = append(cs, agreeCase{"", ir.OpOneHot, ir.Attrs{"depth": ir.Int(5)}, []*Tensor{labels}, ir.TensorOf(ir.U64, 8, 5), func(args []*Tensor, out *Tensor) error {
		return ops.OneHot(out.U64, args[0].I64, args[0].Shape(), 5)
	}})
	// Sources.
	value := ir.List{ir.Unsigned(math.MaxUint64), ir.Int(7), ir.Float(4096)}
	cs = append(cs, agreeCase{"u64", ir.OpConstant, ir.Attrs{"value": value}, nil, ir.TensorOf(ir.U64, 3), func(_ []*Tensor, out *Tensor) error {
		v, err := ops.ConstantValues[uint64](value, 3)
		copy(out.U64, v)
		return err
	}})
	cs = append(cs, agreeCase{"f32", ir.OpFull, ir.Attrs{"value": ir.Float(0.1)}, nil, ir.TensorOf(ir.F32, 2, 3), func(_ []*Tensor, out *Tensor) error {
		v, err := ops.AttrValue[float32](ir.Float(0.1))
		ops.Fill(out.F32, v)
		return err
	}})
	for _, op := range []ir.Op{ir.OpRngNormal, ir.OpRngUniform} {
		keys := []*Tensor{ScalarU64(42), ScalarU64(7)}
		cs = append(cs, agreeCase{"", op, nil, keys, ir.TensorOf(ir.F32, 300, 1000), func(args []*Tensor, out *Tensor) error {
			ops.FillRandom(op == ir.OpRngNormal, out.F32, args[0].U64[0], args[1].U64[0], 0, out.Len())
			return nil
		}})
	}
	return cs
}

// castInto, concatDirect and gatherDirect dispatch by dtype for the
// direct computations.
func castInto(out, x *Tensor) {
	switch out.DType() {
	case ir.F32:
		castTo(out.F32, x)
	case ir.F64:
		castTo(out.F64, x)
	case ir.I64:
		castTo(out.I64, x)
	case ir.U64:
		castTo(out.U64, x)
	}
}

func castTo[D ops.Number](dst []D, x *Tensor) {
	switch x.DType() {
	case ir.F32:
		ops.CastSlice(dst, x.F32)
	case ir.F64:
		ops.CastSlice(dst, x.F64)
	case ir.I64:
		ops.CastSlice(dst, x.I64)
	case ir.U64:
		ops.CastSlice(dst, x.U64)
	}
}

func concatDirect(p *ops.ConcatPlan, out, a *Tensor, i int) {
	if out.DType() == ir.F32 {
		ops.Concat(p, out.F32, a.F32, i)
		return
	}
	ops.Concat(p, out.I64, a.I64, i)
}

func gatherDirect(p *ops.GatherPlan, out, table *Tensor, idx []int64) error {
	if out.DType() == ir.F32 {
		return ops.Gather(p, out.F32, table.F32, idx)
	}
	return ops.Gather(p, out.I64, table.I64, idx)
}

// typesOf returns the types of tensors.
func typesOf(ts []*Tensor) []ir.Type {
	out := make([]ir.Type, len(ts))
	for i, t := range ts {
		out[i] = t.Type
	}
	return out
}

func TestInterpreterAgreesWithOps(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	seen := map[ir.Op]bool{}
	for _, c := range agreeCases(r) {
		seen[c.op] = true
		t.Run(c.op.String()+"/"+c.name+"/"+c.out.DType.String(), func(t *testing.T) {
			if c.direct == nil {
				t.Fatal("no direct computation")
			}
			f := singleInstrFunc(c.op, c.attrs, typesOf(c.args), []ir.Type{c.out})
			it, err := New(f)
			if err != nil {
				t.Fatal(err)
			}
			want := Zeros(c.out)
			if err := c.direct(c.args, want); err != nil {
				t.Fatal(err)
			}
			runner := it.NewRunner()
			for run := range 2 { // the second run reuses the Runner's memory
				got, err := runner.Run(c.args)
				if err != nil {
					t.Fatal(err)
				}
				if !sameBits(got[0], want) {
					t.Fatalf("run %d: the interpreter gives\n%v\nthe ops API\n%v", run, got[0], want)
				}
			}
			got, err := it.Run(c.args)
			if err != nil {
				t.Fatal(err)
			}
			if !sameBits(got[0], want) {
				t.Fatalf("Run gives\n%v\nthe ops API\n%v", got[0], want)
			}
		})
	}
	for _, op := range append(ops.UnaryOps(), ops.BinaryOps()...) {
		if !seen[op] {
			t.Errorf("%s has no case", op)
		}
	}
}
