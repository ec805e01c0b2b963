package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// specials are values whose handling differs between careless kernels:
// signed zeros, infinities, NaN, subnormals.
var specials = []float64{0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), math.NaN(), 5e-324, -1e-310, 1, -1, 3.5}

func operand(r *rand.Rand, n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		if r.IntN(4) == 0 {
			x[i] = specials[r.IntN(len(specials))]
		} else {
			x[i] = r.NormFloat64()
		}
	}
	return x
}

// sameBits compares element by element: equal bits, or both NaN.
func sameBits[T float32 | float64](t *testing.T, name string, got, want []T) {
	t.Helper()
	for i := range want {
		g, w := float64(got[i]), float64(want[i])
		if math.Float64bits(g) != math.Float64bits(w) && !(g != g && w != w) {
			t.Fatalf("%s: element %d of %d = %v, want %v", name, i, len(want), got[i], want[i])
		}
	}
}

// The vector kernels give the bits of the plain loops, including the tails
// past the last whole vector, signed zeros and NaN.
func TestElementwiseKernels(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	for _, n := range []int{0, 1, 3, 4, 7, 8, 9, 31, 32, 33, 100, 1027} {
		a, b := operand(r, n), operand(r, n)
		s := specials[r.IntN(len(specials))]
		checkElementwise(t, n, a, b, s)
		checkElementwise(t, n, toF32(a), toF32(b), float32(s))
	}
}

func checkElementwise[T float](t *testing.T, n int, a, b []T, s T) {
	t.Helper()
	got, want := make([]T, n), make([]T, n)
	for _, op := range []Op{OpAdd, OpSub, OpMul} {
		BinaryVV(op, got, a, b)
		for i := range want {
			want[i] = apply(op, a[i], b[i])
		}
		sameBits(t, "BinaryVV", got, want)
		BinaryVS(op, got, a, s)
		for i := range want {
			want[i] = apply(op, a[i], s)
		}
		sameBits(t, "BinaryVS", got, want)
		BinarySV(op, got, s, b)
		for i := range want {
			want[i] = apply(op, s, b[i])
		}
		sameBits(t, "BinarySV", got, want)
	}
	Relu(got, a)
	for i, v := range a {
		want[i] = max(v, 0)
	}
	sameBits(t, "Relu", got, want)
	Step(got, a)
	for i, v := range a {
		want[i] = 0
		if v > 0 {
			want[i] = 1
		}
	}
	sameBits(t, "Step", got, want)
}

// BenchmarkElementwise times the vector kernels on an MLP activation
// (128×1024 f32), against the plain loops they replace.
func BenchmarkElementwise(b *testing.B) {
	const n = 128 * 1024
	r := rand.New(rand.NewPCG(1, 2))
	x, y, dst := toF32(operand(r, n)), toF32(operand(r, n)), make([]float32, n)
	report := func(b *testing.B) {
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/elem")
	}
	b.Run("mul", func(b *testing.B) {
		for b.Loop() {
			BinaryVV(OpMul, dst, x, y)
		}
		report(b)
	})
	b.Run("mul-loop", func(b *testing.B) {
		for b.Loop() {
			for i := range dst {
				dst[i] = x[i] * y[i]
			}
		}
		report(b)
	})
	b.Run("relu", func(b *testing.B) {
		for b.Loop() {
			Relu(dst, x)
		}
		report(b)
	})
	b.Run("relu-loop", func(b *testing.B) {
		for b.Loop() {
			for i, v := range x {
				dst[i] = max(v, 0)
			}
		}
		report(b)
	})
	b.Run("step", func(b *testing.B) {
		for b.Loop() {
			Step(dst, x)
		}
		report(b)
	})
}

// Relu gives Go's max(x, 0) bit for bit on NaNs too, in the vector part
// and the tail alike: the sign of a NaN is cleared and its payload kept,
// and -0 becomes +0, so where an element falls does not change its bits.
func TestReluNaNBits(t *testing.T) {
	bits32 := []uint32{0xffc00001, 0x7fc00002, 0xff800003, 0x7f800004, 0x80000000, 0x00000000, 0xbf800000, 0x3f800000}
	bits64 := []uint64{0xfff8000000000001, 0x7ff8000000000002, 0xfff0000000000003, 0x7ff0000000000004, 1 << 63, 0, 0xbff0000000000000, 0x3ff0000000000000}
	for _, n := range []int{1, 7, 8, 9, 33, 67} {
		x32, x64 := make([]float32, n), make([]float64, n)
		for i := range n {
			x32[i] = math.Float32frombits(bits32[i%len(bits32)])
			x64[i] = math.Float64frombits(bits64[i%len(bits64)])
		}
		d32, d64 := make([]float32, n), make([]float64, n)
		Relu(d32, x32)
		Relu(d64, x64)
		for i := range n {
			if got, want := math.Float32bits(d32[i]), math.Float32bits(max(x32[i], 0)); got != want {
				t.Errorf("f32 n=%d: relu(%#08x) = %#08x, want %#08x (element %d)", n, math.Float32bits(x32[i]), got, want, i)
			}
			if got, want := math.Float64bits(d64[i]), math.Float64bits(max(x64[i], 0)); got != want {
				t.Errorf("f64 n=%d: relu(%#016x) = %#016x, want %#016x (element %d)", n, math.Float64bits(x64[i]), got, want, i)
			}
		}
	}
}
