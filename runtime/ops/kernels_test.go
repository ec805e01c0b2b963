package ops

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/pushforward/pushforward/ir"
)

// The slice kernels, fast paths included (the vectorised kernels of
// runtime/kernels, the plain integer loops, the broadcast walk), compute
// exactly the scalar functions that generated code calls in its fused
// loops, element by element, bit for bit.

// sample returns n values of T: random ones of several magnitudes mixed
// with the special values of the dtype.
func sample[T Number](r *rand.Rand, n int) []T {
	out := make([]T, n)
	for k := range out {
		var v any
		switch any(*new(T)).(type) {
		case float32, float64:
			specials := []float64{0, negZ, 1, -1, nan, inf, -inf, 1e-30, 3e38, 1e300}
			x := r.NormFloat64() * math.Pow(10, float64(r.IntN(7)-3))
			if r.IntN(4) == 0 {
				x = specials[r.IntN(len(specials))]
			}
			v = x
		case int64:
			specials := []int64{0, 1, -1, 2, math.MinInt64, math.MaxInt64}
			x := int64(r.Uint64())
			if r.IntN(2) == 0 {
				x = r.Int64N(200) - 100
			}
			if r.IntN(4) == 0 {
				x = specials[r.IntN(len(specials))]
			}
			v = x
		case uint64:
			specials := []uint64{0, 1, 2, math.MaxUint64, 1 << 63}
			x := r.Uint64()
			if r.IntN(2) == 0 {
				x = r.Uint64N(200)
			}
			if r.IntN(4) == 0 {
				x = specials[r.IntN(len(specials))]
			}
			v = x
		}
		switch x := v.(type) {
		case float64:
			out[k] = T(x)
		case int64:
			out[k] = T(x)
		case uint64:
			out[k] = T(x)
		}
	}
	return out
}

// same reports whether a and b have the same bits.
func same[T Number](a, b T) bool {
	switch a := any(a).(type) {
	case float32:
		return math.Float32bits(a) == math.Float32bits(any(b).(float32))
	case float64:
		return math.Float64bits(a) == math.Float64bits(any(b).(float64))
	}
	return a == b
}

// eachDType runs the instantiation of a generic test for each dtype.
func eachDType(t *testing.T, f32, f64, i64, u64 func(*testing.T)) {
	t.Run("f32", f32)
	t.Run("f64", f64)
	t.Run("i64", i64)
	t.Run("u64", u64)
}

func TestUnaryKernelsAgreeWithScalarFunctions(t *testing.T) {
	eachDType(t, checkUnary[float32], checkUnary[float64], checkUnary[int64], checkUnary[uint64])
}

func checkUnary[T Number](t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, op := range UnaryOps() {
		row := unaryOps[op]
		funcs := row.funcs
		if row.attr != "" {
			funcs = row.withAttr(1.5)
		}
		f := pick[func(T) T](funcs.f32, funcs.f64, funcs.i64, funcs.u64, DTypeOf[T]())
		if f == nil {
			continue
		}
		k, err := NewUnary[T](op, ir.Attrs{row.attr: ir.Float(1.5)})
		if row.attr == "" {
			k, err = NewUnary[T](op, nil)
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range []int{0, 1, 7, 8, 33, 100} {
			x := sample[T](r, n)
			got := make([]T, n)
			k.Run(got, x)
			for j := range x {
				if want := f(x[j]); !same(got[j], want) {
					t.Errorf("%s(%v) = %v by the kernel, %v by %s", op, x[j], got[j], want, row.name)
				}
			}
		}
	}
}

func TestBinaryKernelsAgreeWithScalarFunctions(t *testing.T) {
	eachDType(t, checkBinary[float32], checkBinary[float64], checkBinary[int64], checkBinary[uint64])
}

// broadcastShapes are operand shape pairs that exercise every path of the
// walk: contiguous rows, scalar rows either side, strided reads, merged
// axes, rows shorter and longer than a vector.
var broadcastShapes = [][2]ir.Shape{
	{{37}, {37}}, {{5, 33}, {33}}, {{33}, {5, 33}}, {{4, 1}, {4, 9}}, {{3, 1, 5}, {1, 4, 1}},
	{{2, 3, 4}, {}}, {{}, {2, 3, 4}}, {{}, {}}, {{0, 3}, {3}}, {{2, 1, 3, 1}, {2, 2, 1, 40}},
}

func checkBinary[T Number](t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, op := range BinaryOps() {
		row := binaryOps[op]
		f := pick[func(a, b T) T](row.f32, row.f64, row.i64, row.u64, DTypeOf[T]())
		if f == nil {
			continue
		}
		for _, s := range broadcastShapes {
			out, err := ir.BroadcastShapes(s[0], s[1])
			if err != nil {
				t.Fatal(err)
			}
			k, err := NewBinary[T](op, s[0], s[1], out)
			if err != nil {
				t.Fatal(err)
			}
			a, b := sample[T](r, s[0].Size()), sample[T](r, s[1].Size())
			if row.intDivision && !IsFloat[T]() {
				for j := range b {
					b[j] = max(b[j], 1)
				}
			}
			want := make([]T, out.Size())
			for j := range want {
				want[j] = f(a[broadcastIndex(j, out, s[0])], b[broadcastIndex(j, out, s[1])])
			}
			for parts := 1; parts <= 4; parts++ {
				got := make([]T, out.Size())
				for p := range parts {
					k.RunPart(got, a, b, p, parts)
				}
				for j := range want {
					if !same(got[j], want[j]) {
						t.Fatalf("%s %v %v in %d parts: element %d is %v, want %v", op, s[0], s[1], parts, j, got[j], want[j])
					}
				}
			}
		}
	}
}

// broadcastIndex returns the offset in a row-major tensor of shape src of
// the element that element i of shape out reads under NumPy broadcasting,
// computed from the multi-index directly.
func broadcastIndex(i int, out, src ir.Shape) int {
	idx := Unravel(i, out)
	lead := len(out) - len(src)
	off := 0
	for d, n := range src {
		off *= n
		if n != 1 {
			off += idx[lead+d]
		}
	}
	return off
}

func TestSelectKernel(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	cond := sample[float32](r, 4)
	a, b := sample[int64](r, 3), sample[int64](r, 12)
	cs, as, bs, out := ir.Shape{4, 1}, ir.Shape{3}, ir.Shape{4, 3}, ir.Shape{4, 3}
	k, err := NewSelect[float32, int64](cs, as, bs, out)
	if err != nil {
		t.Fatal(err)
	}
	got := make([]int64, 12)
	k.Run(got, cond, a, b)
	for j := range got {
		c := cond[broadcastIndex(j, out, cs)]
		want := b[j]
		if c != 0 {
			want = a[broadcastIndex(j, out, as)]
		}
		if got[j] != want {
			t.Errorf("element %d (cond %v): %d, want %d", j, c, got[j], want)
		}
	}
}

func TestCastSliceAgreesWithCast(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	check := func(name string, got, want any) {
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: %v, want %v", name, got, want)
		}
	}
	x := sample[float64](r, 50)
	i64s, u64s, f32s := make([]int64, 50), make([]uint64, 50), make([]float32, 50)
	CastSlice(i64s, x)
	CastSlice(u64s, x)
	CastSlice(f32s, x)
	for j, v := range x {
		check("f64 to i64", i64s[j], Cast[int64](v))
		check("f64 to u64", u64s[j], Cast[uint64](v))
		check("f64 to f32", f32s[j], Cast[float32](v))
	}
	y := sample[uint64](r, 50)
	CastSlice(i64s, y)
	for j, v := range y {
		check("u64 to i64", i64s[j], int64(v))
	}
}
