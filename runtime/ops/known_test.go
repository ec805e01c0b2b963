package ops

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/pushforward/pushforward/ir"
)

// Known values of the elementwise ops, written as attributes so that every
// dtype is exact: the conventions of runtime/doc.go (f32 math in float64
// rounded once, integer wraparound, truncating division, NaN rules,
// saturating casts), checked through EvalScalar, which runs the kernels.

type knownCase struct {
	op     ir.Op
	attrs  ir.Attrs
	dtypes string // the dtypes the case holds in, e.g. "f32 f64"
	args   []ir.Attr
	want   ir.Attr
}

func f(x float64) ir.Attr { return ir.Float(x) }
func i(x int64) ir.Attr   { return ir.Int(x) }
func u(x uint64) ir.Attr  { return ir.Unsigned(x) }

const (
	all     = "f32 f64 i64 u64"
	signedD = "f32 f64 i64"
	floatsD = "f32 f64"
	f32     = "f32"
	f64     = "f64"
	i64     = "i64"
	u64     = "u64"
	ints    = "i64 u64"
)

var (
	nan    = math.NaN()
	inf    = math.Inf(1)
	negZ   = math.Copysign(0, -1)
	twoPow = func(e int) float64 { return math.Ldexp(1, e) }
)

func unaryKnown() []knownCase {
	exp2 := ir.Attrs{"exponent": f(2)}
	return []knownCase{
		{op: ir.OpNeg, dtypes: signedD, args: []ir.Attr{i(3)}, want: i(-3)},
		{op: ir.OpNeg, dtypes: floatsD, args: []ir.Attr{f(0)}, want: f(negZ)},
		{op: ir.OpNeg, dtypes: i64, args: []ir.Attr{i(math.MinInt64)}, want: i(math.MinInt64)},
		{op: ir.OpAbs, dtypes: signedD, args: []ir.Attr{i(-4)}, want: i(4)},
		{op: ir.OpAbs, dtypes: floatsD, args: []ir.Attr{f(negZ)}, want: f(0)},
		{op: ir.OpAbs, dtypes: floatsD, args: []ir.Attr{f(nan)}, want: f(nan)},
		{op: ir.OpAbs, dtypes: i64, args: []ir.Attr{i(math.MinInt64)}, want: i(math.MinInt64)},
		{op: ir.OpRelu, dtypes: signedD, args: []ir.Attr{i(-2)}, want: i(0)},
		{op: ir.OpRelu, dtypes: signedD, args: []ir.Attr{i(3)}, want: i(3)},
		{op: ir.OpRelu, dtypes: floatsD, args: []ir.Attr{f(nan)}, want: f(nan)},
		{op: ir.OpRelu, dtypes: floatsD, args: []ir.Attr{f(negZ)}, want: f(0)},
		{op: ir.OpStep, dtypes: signedD, args: []ir.Attr{i(0)}, want: i(0)},
		{op: ir.OpStep, dtypes: signedD, args: []ir.Attr{i(2)}, want: i(1)},
		{op: ir.OpStep, dtypes: floatsD, args: []ir.Attr{f(nan)}, want: f(0)},
		{op: ir.OpStep, dtypes: floatsD, args: []ir.Attr{f(1e-30)}, want: f(1)},
		{op: ir.OpSquare, dtypes: all, args: []ir.Attr{i(3)}, want: i(9)},
		{op: ir.OpSquare, dtypes: signedD, args: []ir.Attr{i(-3)}, want: i(9)},
		{op: ir.OpSquare, dtypes: ints, args: []ir.Attr{i(1 << 32)}, want: i(0)},
		{op: ir.OpSquare, dtypes: f32, args: []ir.Attr{f(1e20)}, want: f(inf)},
		{op: ir.OpExp, dtypes: floatsD, args: []ir.Attr{i(0)}, want: i(1)},
		{op: ir.OpExp, dtypes: floatsD, args: []ir.Attr{f(math.Inf(-1))}, want: f(0)},
		{op: ir.OpExp, dtypes: f64, args: []ir.Attr{f(1)}, want: f(math.E)},
		{op: ir.OpExp, dtypes: f32, args: []ir.Attr{f(1)}, want: f(float64(float32(math.E)))},
		{op: ir.OpLog, dtypes: floatsD, args: []ir.Attr{i(1)}, want: i(0)},
		{op: ir.OpLog, dtypes: floatsD, args: []ir.Attr{i(0)}, want: f(math.Inf(-1))},
		{op: ir.OpLog, dtypes: floatsD, args: []ir.Attr{i(-1)}, want: f(nan)},
		{op: ir.OpTanh, dtypes: floatsD, args: []ir.Attr{i(30)}, want: i(1)},
		{op: ir.OpTanh, dtypes: f64, args: []ir.Attr{f(0.5)}, want: f(0.46211715726000974)},
		{op: ir.OpTanh, dtypes: f32, args: []ir.Attr{f(0.5)}, want: f(float64(float32(0.46211715726000974)))},
		{op: ir.OpSigmoid, dtypes: floatsD, args: []ir.Attr{i(0)}, want: f(0.5)},
		{op: ir.OpSigmoid, dtypes: floatsD, args: []ir.Attr{i(800)}, want: i(1)},
		{op: ir.OpSigmoid, dtypes: floatsD, args: []ir.Attr{i(-800)}, want: i(0)},
		{op: ir.OpSqrt, dtypes: floatsD, args: []ir.Attr{f(2.25)}, want: f(1.5)},
		{op: ir.OpSqrt, dtypes: floatsD, args: []ir.Attr{i(-1)}, want: f(nan)},
		{op: ir.OpSqrt, dtypes: floatsD, args: []ir.Attr{f(negZ)}, want: f(negZ)},
		{op: ir.OpPow, attrs: ir.Attrs{"exponent": i(3)}, dtypes: floatsD, args: []ir.Attr{f(-1.5)}, want: f(-3.375)},
		{op: ir.OpPow, attrs: ir.Attrs{"exponent": f(0.5)}, dtypes: floatsD, args: []ir.Attr{i(9)}, want: i(3)},
		{op: ir.OpPow, attrs: ir.Attrs{"exponent": i(-1)}, dtypes: floatsD, args: []ir.Attr{i(0)}, want: f(inf)},
		{op: ir.OpPow, attrs: exp2, dtypes: f32, args: []ir.Attr{f(1e20)}, want: f(inf)},
	}
}

func binaryKnown() []knownCase {
	return []knownCase{
		{op: ir.OpAdd, dtypes: all, args: []ir.Attr{i(2), i(3)}, want: i(5)},
		{op: ir.OpAdd, dtypes: i64, args: []ir.Attr{i(math.MaxInt64), i(1)}, want: i(math.MinInt64)},
		{op: ir.OpAdd, dtypes: u64, args: []ir.Attr{u(math.MaxUint64), i(1)}, want: i(0)},
		{op: ir.OpAdd, dtypes: ints, args: []ir.Attr{i(1<<53 + 1), i(1<<53 + 1)}, want: i(1<<54 + 2)},
		{op: ir.OpAdd, dtypes: f32, args: []ir.Attr{f(0.1), f(0.2)}, want: f(0.30000001192092896)},
		{op: ir.OpAdd, dtypes: floatsD, args: []ir.Attr{f(inf), f(-inf)}, want: f(nan)},
		{op: ir.OpSub, dtypes: all, args: []ir.Attr{i(5), i(3)}, want: i(2)},
		{op: ir.OpSub, dtypes: u64, args: []ir.Attr{i(0), i(1)}, want: u(math.MaxUint64)},
		{op: ir.OpSub, dtypes: floatsD, args: []ir.Attr{f(negZ), f(0)}, want: f(negZ)},
		{op: ir.OpMul, dtypes: all, args: []ir.Attr{i(6), i(7)}, want: i(42)},
		{op: ir.OpMul, dtypes: i64, args: []ir.Attr{i(math.MaxInt64), i(3)}, want: i(math.MaxInt64 - 2)},
		{op: ir.OpMul, dtypes: f32, args: []ir.Attr{f(twoPow(100)), f(twoPow(100))}, want: f(inf)},
		{op: ir.OpMul, dtypes: f64, args: []ir.Attr{f(twoPow(100)), f(twoPow(100))}, want: f(twoPow(200))},
		{op: ir.OpDiv, dtypes: floatsD, args: []ir.Attr{i(7), i(2)}, want: f(3.5)},
		{op: ir.OpDiv, dtypes: ints, args: []ir.Attr{i(7), i(2)}, want: i(3)},
		{op: ir.OpDiv, dtypes: i64, args: []ir.Attr{i(-7), i(2)}, want: i(-3)},
		{op: ir.OpDiv, dtypes: i64, args: []ir.Attr{i(math.MinInt64), i(-1)}, want: i(math.MinInt64)},
		{op: ir.OpDiv, dtypes: u64, args: []ir.Attr{u(math.MaxUint64), i(2)}, want: i(math.MaxInt64)},
		{op: ir.OpDiv, dtypes: floatsD, args: []ir.Attr{i(1), i(0)}, want: f(inf)},
		{op: ir.OpDiv, dtypes: floatsD, args: []ir.Attr{i(0), i(0)}, want: f(nan)},
		{op: ir.OpMaximum, dtypes: all, args: []ir.Attr{i(2), i(3)}, want: i(3)},
		{op: ir.OpMaximum, dtypes: floatsD, args: []ir.Attr{f(nan), i(1)}, want: f(nan)},
		{op: ir.OpMaximum, dtypes: floatsD, args: []ir.Attr{f(negZ), f(0)}, want: f(0)},
		{op: ir.OpMinimum, dtypes: all, args: []ir.Attr{i(2), i(3)}, want: i(2)},
		{op: ir.OpMinimum, dtypes: floatsD, args: []ir.Attr{i(1), f(nan)}, want: f(nan)},
		{op: ir.OpMinimum, dtypes: floatsD, args: []ir.Attr{f(0), f(negZ)}, want: f(negZ)},
		{op: ir.OpEq, dtypes: all, args: []ir.Attr{i(3), i(3)}, want: i(1)},
		{op: ir.OpEq, dtypes: floatsD, args: []ir.Attr{f(nan), f(nan)}, want: i(0)},
		{op: ir.OpEq, dtypes: u64, args: []ir.Attr{u(math.MaxUint64), u(math.MaxUint64 - 1)}, want: i(0)},
		{op: ir.OpNe, dtypes: all, args: []ir.Attr{i(3), i(2)}, want: i(1)},
		{op: ir.OpNe, dtypes: floatsD, args: []ir.Attr{f(nan), f(nan)}, want: i(1)},
		{op: ir.OpLt, dtypes: all, args: []ir.Attr{i(2), i(3)}, want: i(1)},
		{op: ir.OpLt, dtypes: floatsD, args: []ir.Attr{f(nan), i(3)}, want: i(0)},
		{op: ir.OpLe, dtypes: all, args: []ir.Attr{i(3), i(3)}, want: i(1)},
		{op: ir.OpLe, dtypes: signedD, args: []ir.Attr{i(3), i(-3)}, want: i(0)},
		{op: ir.OpGt, dtypes: all, args: []ir.Attr{i(3), i(2)}, want: i(1)},
		{op: ir.OpGt, dtypes: i64, args: []ir.Attr{i(1<<53 + 1), i(1 << 53)}, want: i(1)},
		{op: ir.OpGe, dtypes: all, args: []ir.Attr{i(2), i(3)}, want: i(0)},
		{op: ir.OpGe, dtypes: floatsD, args: []ir.Attr{f(inf), f(inf)}, want: i(1)},
	}
}

func (c knownCase) each(yield func(ir.DType) bool) {
	for _, s := range strings.Fields(c.dtypes) {
		d, _ := ir.ParseDType(s)
		if !yield(d) {
			return
		}
	}
}

// normalize writes a of dtype d as ToAttr does, so that attributes can be
// compared as text (NaN and -0 included).
func normalize(t *testing.T, d ir.DType, a ir.Attr) string {
	t.Helper()
	roundTrip := map[ir.DType]func(ir.Attr) (ir.Attr, error){
		ir.F32: roundTrip[float32], ir.F64: roundTrip[float64], ir.I64: roundTrip[int64], ir.U64: roundTrip[uint64],
	}[d]
	a, err := roundTrip(a)
	if err != nil {
		t.Fatal(err)
	}
	return a.String()
}

func roundTrip[T Number](a ir.Attr) (ir.Attr, error) {
	v, err := AttrValue[T](a)
	return ToAttr(v), err
}

func TestKnownValues(t *testing.T) {
	covered := map[ir.Op]map[ir.DType]bool{}
	for _, c := range append(unaryKnown(), binaryKnown()...) {
		for d := range c.each {
			if covered[c.op] == nil {
				covered[c.op] = map[ir.DType]bool{}
			}
			covered[c.op][d] = true
			dtypes := make([]ir.DType, len(c.args))
			for k := range dtypes {
				dtypes[k] = d
			}
			got, err := EvalScalar(c.op, c.attrs, c.args, dtypes, d)
			if err != nil {
				t.Errorf("%s %v in %s: %v", c.op, c.args, d, err)
				continue
			}
			if got, want := got.String(), normalize(t, d, c.want); got != want {
				t.Errorf("%s %v in %s = %s, want %s", c.op, c.args, d, got, want)
			}
		}
	}
	// Every op of the tables has a known value in every dtype its type
	// rule admits.
	for _, op := range append(UnaryOps(), BinaryOps()...) {
		for _, d := range admitted(op) {
			if !covered[op][d] {
				t.Errorf("%s has no known value in %s", op, d)
			}
		}
	}
}

func TestSelectAndCastKnownValues(t *testing.T) {
	for _, c := range []struct {
		op     ir.Op
		args   []ir.Attr
		dtypes []ir.DType
		out    ir.DType
		want   string
	}{
		{ir.OpSelect, []ir.Attr{f(nan), i(1), i(2)}, []ir.DType{ir.F64, ir.I64, ir.I64}, ir.I64, "1"},
		{ir.OpSelect, []ir.Attr{i(0), f(1), f(2)}, []ir.DType{ir.U64, ir.F32, ir.F32}, ir.F32, "2.0"},
		{ir.OpSelect, []ir.Attr{f(negZ), f(1), f(2)}, []ir.DType{ir.F32, ir.F64, ir.F64}, ir.F64, "2.0"},
		{ir.OpCast, []ir.Attr{f(1e30)}, []ir.DType{ir.F32}, ir.I64, "9223372036854775807"},
		{ir.OpCast, []ir.Attr{f(1e30)}, []ir.DType{ir.F64}, ir.U64, "18446744073709551615"},
		{ir.OpCast, []ir.Attr{f(-1.7)}, []ir.DType{ir.F64}, ir.I64, "-1"},
		{ir.OpCast, []ir.Attr{f(-5)}, []ir.DType{ir.F32}, ir.U64, "0"},
		{ir.OpCast, []ir.Attr{f(nan)}, []ir.DType{ir.F64}, ir.I64, "0"},
		{ir.OpCast, []ir.Attr{f(-inf)}, []ir.DType{ir.F64}, ir.I64, "-9223372036854775808"},
		{ir.OpCast, []ir.Attr{u(math.MaxUint64)}, []ir.DType{ir.U64}, ir.I64, "-1"},
		{ir.OpCast, []ir.Attr{i(-1)}, []ir.DType{ir.I64}, ir.U64, "18446744073709551615"},
		{ir.OpCast, []ir.Attr{i(1<<53 + 1)}, []ir.DType{ir.U64}, ir.F64, "9.007199254740992e+15"},
		{ir.OpCast, []ir.Attr{f(0.1)}, []ir.DType{ir.F64}, ir.F32, "0.10000000149011612"},
		{ir.OpCast, []ir.Attr{f(twoPow(63))}, []ir.DType{ir.F64}, ir.I64, "9223372036854775807"},
	} {
		got, err := EvalScalar(c.op, nil, c.args, c.dtypes, c.out)
		if err != nil || got.String() != c.want {
			t.Errorf("%s %v (%v) to %s = %v, %v; want %s", c.op, c.args, c.dtypes, c.out, got, err, c.want)
		}
	}
}

func TestIntegerDivisionByZero(t *testing.T) {
	for _, d := range []ir.DType{ir.I64, ir.U64} {
		_, err := EvalScalar(ir.OpDiv, nil, []ir.Attr{i(1), i(0)}, []ir.DType{d, d}, d)
		if !errors.Is(err, ErrIntDivByZero) {
			t.Errorf("%s: %v, want ErrIntDivByZero", d, err)
		}
		k, err := NewBinary[int64](ir.OpDiv, ir.Shape{2}, ir.Shape{}, ir.Shape{2})
		if err != nil {
			t.Fatal(err)
		}
		if err := k.Run(make([]int64, 2), []int64{1, 2}, []int64{0}); !errors.Is(err, ErrIntDivByZero) {
			t.Errorf("kernel: %v", err)
		}
		if err := k.Check(nil, []int64{0}); err != nil {
			t.Errorf("an empty result divides by nothing: %v", err)
		}
	}
}

func TestAttrValue(t *testing.T) {
	if v, err := AttrValue[uint64](u(math.MaxUint64)); err != nil || v != math.MaxUint64 {
		t.Errorf("u64 max: %d, %v", v, err)
	}
	if v, err := AttrValue[float32](i(1<<24 + 1)); err != nil || v != 1<<24 {
		t.Errorf("f32 of 2^24+1: %v, %v (rounds to even)", v, err)
	}
	for _, c := range []struct {
		d ir.DType
		a ir.Attr
	}{{ir.I64, u(1 << 63)}, {ir.U64, i(-1)}, {ir.I64, f(0.5)}, {ir.U64, f(twoPow(64))}, {ir.I64, f(nan)}, {ir.F32, ir.String("x")}} {
		var err error
		switch c.d {
		case ir.I64:
			_, err = AttrValue[int64](c.a)
		case ir.U64:
			_, err = AttrValue[uint64](c.a)
		default:
			_, err = AttrValue[float32](c.a)
		}
		if err == nil {
			t.Errorf("%s accepted as %s", c.a, c.d)
		}
	}
}
