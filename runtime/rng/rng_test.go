package rng

import (
	"math"
	"slices"
	"sync"
	"testing"
)

// The known-answer vectors of Random123's kat_vectors for philox4x32_10.
func TestPhiloxKnownAnswers(t *testing.T) {
	tests := []struct {
		ctr  [4]uint32
		key  [2]uint32
		want [4]uint32
	}{
		{[4]uint32{0, 0, 0, 0}, [2]uint32{0, 0},
			[4]uint32{0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}},
		{[4]uint32{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff}, [2]uint32{0xffffffff, 0xffffffff},
			[4]uint32{0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}},
		{[4]uint32{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}, [2]uint32{0xa4093822, 0x299f31d0},
			[4]uint32{0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}},
	}
	for _, tt := range tests {
		if got := Philox4x32(tt.ctr, tt.key); got != tt.want {
			t.Errorf("Philox4x32(%08x, %08x) = %08x, want %08x", tt.ctr, tt.key, got, tt.want)
		}
	}
}

// block2 computes the same two blocks as Block, across the 2³² boundary
// of the low counter word too.
func TestBlock2MatchesBlock(t *testing.T) {
	for _, j := range []uint64{0, 1, 7, 1<<32 - 1, 1 << 40} {
		a, b := block2(3, 5, j)
		if a != Block(3, 5, j) || b != Block(3, 5, j+1) {
			t.Errorf("block2(j = %d) = %v, %v; Block: %v, %v", j, a, b, Block(3, 5, j), Block(3, 5, j+1))
		}
	}
}

func TestBlockLayout(t *testing.T) {
	key, counter, j := uint64(0x299f31d0a4093822), uint64(0x0370734413198a2e), uint64(0x85a308d3243f6a88)
	want := [4]uint32{0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}
	if got := Block(key, counter, j); got != want {
		t.Errorf("Block = %08x, want %08x (the third known answer)", got, want)
	}
}

func TestUniformFromWords(t *testing.T) {
	w := Block(0, 0, 0) // 6627e8d5 e169c58d bc57ac4c 9b00dbd8
	a, b := uniform64Pair(w)
	if want := float64(uint64(0x6627e8d5e169c58d)>>11) / (1 << 53); a != want {
		t.Errorf("f64 element 0 = %v, want %v", a, want)
	}
	if want := float64(uint64(0xbc57ac4c9b00dbd8)>>11) / (1 << 53); b != want {
		t.Errorf("f64 element 1 = %v, want %v", b, want)
	}
	c, d := uniform32Pair(w)
	if want := float32(0x6627e8) / (1 << 24); c != want {
		t.Errorf("f32 element 0 = %v, want %v", c, want)
	}
	if want := float32(0xbc57ac) / (1 << 24); d != want {
		t.Errorf("f32 element 1 = %v, want %v", d, want)
	}
}

func TestUniformBounds(t *testing.T) {
	ones := [4]uint32{math.MaxUint32, math.MaxUint32, math.MaxUint32, math.MaxUint32}
	a, b := uniform64Pair(ones)
	c, d := uniform32Pair(ones)
	if a >= 1 || b >= 1 || c >= 1 || d >= 1 {
		t.Errorf("all-ones words give %v %v %v %v, want < 1", a, b, c, d)
	}
	x, y := normal64Pair([4]uint32{})
	if x != 0 || y != 0 {
		t.Errorf("all-zero words give normals %v %v, want 0 0 (u1 = 0 means r = 0)", x, y)
	}
	x, y = normal64Pair(ones)
	if math.IsInf(x, 0) || math.IsNaN(x) || math.IsInf(y, 0) || math.IsNaN(y) {
		t.Errorf("all-ones words give normals %v %v, want finite", x, y)
	}
}

// f32 streams are the f64 streams truncated (uniform) or rounded (normal).
func TestF32StreamsFollowF64(t *testing.T) {
	const n = 1001
	u64, u32 := make([]float64, n), make([]float32, n)
	z64, z32 := make([]float64, n), make([]float32, n)
	FillUniform64(u64, 7, 9)
	FillUniform32(u32, 7, 9)
	FillNormal64(z64, 7, 9)
	FillNormal32(z32, 7, 9)
	for i := range n {
		if want := float32(math.Floor(u64[i]*(1<<24)) / (1 << 24)); u32[i] != want {
			t.Fatalf("uniform element %d: f32 %v, want f64 %v truncated = %v", i, u32[i], u64[i], want)
		}
		if z32[i] != float32(z64[i]) {
			t.Fatalf("normal element %d: f32 %v, want float32(%v)", i, z32[i], z64[i])
		}
	}
}

func TestElementAccessorsMatchFill(t *testing.T) {
	const n = 37
	key, counter := uint64(0xdeadbeefcafe), uint64(1<<40+3)
	u64, u32 := make([]float64, n), make([]float32, n)
	z64, z32 := make([]float64, n), make([]float32, n)
	FillUniform64(u64, key, counter)
	FillUniform32(u32, key, counter)
	FillNormal64(z64, key, counter)
	FillNormal32(z32, key, counter)
	for i := range uint64(n) {
		if got := Uniform64At(key, counter, i); got != u64[i] {
			t.Errorf("Uniform64At(%d) = %v, fill gave %v", i, got, u64[i])
		}
		if got := Uniform32At(key, counter, i); got != u32[i] {
			t.Errorf("Uniform32At(%d) = %v, fill gave %v", i, got, u32[i])
		}
		if got := Normal64At(key, counter, i); got != z64[i] {
			t.Errorf("Normal64At(%d) = %v, fill gave %v", i, got, z64[i])
		}
		if got := Normal32At(key, counter, i); got != z32[i] {
			t.Errorf("Normal32At(%d) = %v, fill gave %v", i, got, z32[i])
		}
	}
}

// Every sub-range, including ones that start or end inside a block, must
// reproduce the whole fill and leave the rest of dst untouched.
func TestRangeFillsMatchWholeFill(t *testing.T) {
	const n = 11
	key, counter := uint64(42), uint64(7)
	whole := make([]float64, n)
	FillNormal64(whole, key, counter)
	for lo := 0; lo <= n; lo++ {
		for hi := lo; hi <= n; hi++ {
			got := make([]float64, n)
			for i := range got {
				got[i] = -100
			}
			FillNormal64Range(got, key, counter, lo, hi)
			for i := range n {
				want := -100.0
				if i >= lo && i < hi {
					want = whole[i]
				}
				if got[i] != want {
					t.Fatalf("range [%d,%d): element %d = %v, want %v", lo, hi, i, got[i], want)
				}
			}
		}
	}

	w32 := make([]float32, n)
	FillUniform32(w32, key, counter)
	g32 := make([]float32, n)
	FillUniform32Range(g32, key, counter, 0, 3)
	FillUniform32Range(g32, key, counter, 3, n)
	if !slices.Equal(g32, w32) {
		t.Errorf("two f32 uniform ranges %v, whole %v", g32, w32)
	}
	z32 := make([]float32, n)
	FillNormal32(z32, key, counter)
	FillNormal32Range(g32, key, counter, 0, 5)
	FillNormal32Range(g32, key, counter, 5, n)
	if !slices.Equal(g32, z32) {
		t.Errorf("two f32 normal ranges %v, whole %v", g32, z32)
	}
	u64 := make([]float64, n)
	FillUniform64(u64, key, counter)
	g64 := make([]float64, n)
	FillUniform64Range(g64, key, counter, 0, 6)
	FillUniform64Range(g64, key, counter, 6, n)
	if !slices.Equal(g64, u64) {
		t.Errorf("two f64 uniform ranges %v, whole %v", g64, u64)
	}
}

func TestRangeFillPanicsOutOfBounds(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("FillUniform64Range(dst[3], 2, 4) did not panic")
		}
	}()
	FillUniform64Range(make([]float64, 3), 0, 0, 2, 4)
}

// Goroutines filling disjoint ranges give the whole fill (run with -race).
func TestConcurrentRangeFills(t *testing.T) {
	const n, workers = 10007, 8
	want := make([]float64, n)
	FillNormal64(want, 5, 6)
	got := make([]float64, n)
	var wg sync.WaitGroup
	for w := range workers {
		lo, hi := w*n/workers, (w+1)*n/workers
		wg.Go(func() { FillNormal64Range(got, 5, 6, lo, hi) })
	}
	wg.Wait()
	if !slices.Equal(got, want) {
		t.Error("concurrent range fills differ from the whole fill")
	}
}

func TestStreamsDiffer(t *testing.T) {
	const n = 64
	base := make([]float64, n)
	FillUniform64(base, 1, 1)
	for _, s := range []struct{ key, counter uint64 }{{2, 1}, {1, 2}, {1 << 32, 1}, {1, 1 << 32}, {0, 0}} {
		other := make([]float64, n)
		FillUniform64(other, s.key, s.counter)
		same := 0
		for i := range n {
			if other[i] == base[i] {
				same++
			}
		}
		if same > 0 {
			t.Errorf("key %#x counter %#x shares %d of %d elements with key 1 counter 1", s.key, s.counter, same, n)
		}
	}
}

// Sample statistics over 1e5 draws. The stream is deterministic, so these
// are regression checks with tolerances of about 5 standard errors of the
// statistic (or the 0.1% critical value for Kolmogorov–Smirnov), which a
// correct generator passes with overwhelming probability for any key.
const draws = 100000

// ksCritical is the Kolmogorov–Smirnov critical value at level 0.001.
var ksCritical = 1.95 / math.Sqrt(draws)

func TestUniformStatistics(t *testing.T) {
	u64 := make([]float64, draws)
	FillUniform64(u64, 0x1234, 99)
	u32 := make([]float32, draws)
	FillUniform32(u32, 0x1234, 99)
	for _, tc := range []struct {
		name string
		x    []float64
	}{{"f64", u64}, {"f32", toF64(u32)}} {
		mean, variance := moments(tc.x)
		// Standard errors: sqrt(1/12/n) ≈ 9.1e-4 for the mean,
		// sqrt((1/80 - 1/144)/n) ≈ 2.4e-4 for the variance.
		if math.Abs(mean-0.5) > 4.6e-3 {
			t.Errorf("%s uniform mean %v, want 0.5 ± 4.6e-3", tc.name, mean)
		}
		if math.Abs(variance-1.0/12) > 1.2e-3 {
			t.Errorf("%s uniform variance %v, want 1/12 ± 1.2e-3", tc.name, variance)
		}
		if d := ksStatistic(tc.x, func(x float64) float64 { return x }); d > ksCritical {
			t.Errorf("%s uniform KS statistic %v > %v", tc.name, d, ksCritical)
		}
		for i, v := range tc.x {
			if v < 0 || v >= 1 {
				t.Fatalf("%s uniform element %d = %v outside [0, 1)", tc.name, i, v)
			}
		}
	}
}

func TestNormalStatistics(t *testing.T) {
	z64 := make([]float64, draws)
	FillNormal64(z64, 0x1234, 99)
	z32 := make([]float32, draws)
	FillNormal32(z32, 0x1234, 99)
	phi := func(x float64) float64 { return 0.5 * (1 + math.Erf(x/math.Sqrt2)) }
	for _, tc := range []struct {
		name string
		x    []float64
	}{{"f64", z64}, {"f32", toF64(z32)}} {
		mean, variance := moments(tc.x)
		// Standard errors: 1/sqrt(n) ≈ 3.2e-3 for the mean, sqrt(2/n) ≈
		// 4.5e-3 for the variance.
		if math.Abs(mean) > 1.6e-2 {
			t.Errorf("%s normal mean %v, want 0 ± 1.6e-2", tc.name, mean)
		}
		if math.Abs(variance-1) > 2.3e-2 {
			t.Errorf("%s normal variance %v, want 1 ± 2.3e-2", tc.name, variance)
		}
		if d := ksStatistic(tc.x, phi); d > ksCritical {
			t.Errorf("%s normal KS statistic %v > %v", tc.name, d, ksCritical)
		}
	}
	// Box–Muller pairs are independent: their sample correlation is small.
	var sxy float64
	for i := 0; i+1 < draws; i += 2 {
		sxy += z64[i] * z64[i+1]
	}
	if corr := sxy / (draws / 2); math.Abs(corr) > 5/math.Sqrt(draws/2) {
		t.Errorf("correlation within pairs %v, want 0 ± %v", corr, 5/math.Sqrt(draws/2))
	}
}

func toF64(x []float32) []float64 {
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = float64(v)
	}
	return out
}

func moments(x []float64) (mean, variance float64) {
	for _, v := range x {
		mean += v
	}
	mean /= float64(len(x))
	for _, v := range x {
		variance += (v - mean) * (v - mean)
	}
	return mean, variance / float64(len(x)-1)
}

// ksStatistic is the Kolmogorov–Smirnov distance between the empirical
// distribution of x and the distribution function cdf.
func ksStatistic(x []float64, cdf func(float64) float64) float64 {
	s := slices.Clone(x)
	slices.Sort(s)
	n := float64(len(s))
	var d float64
	for i, v := range s {
		f := cdf(v)
		d = max(d, math.Abs(f-float64(i)/n), math.Abs(float64(i+1)/n-f))
	}
	return d
}

// The costs of a guess's normals, by part: the Philox blocks, the
// Box–Muller transform, and both (FillNormal32Range).
func BenchmarkFillNormal32(b *testing.B) {
	dst := make([]float32, 1<<14)
	b.SetBytes(int64(4 * len(dst)))
	for b.Loop() {
		FillNormal32Range(dst, 1, 2, 0, len(dst))
	}
}

func BenchmarkBlock2(b *testing.B) {
	var sink uint32
	for j := uint64(0); b.Loop(); j += 2 {
		w0, w1 := block2(1, 2, j)
		sink ^= w0[0] ^ w1[3]
	}
	_ = sink
}

func BenchmarkNormal32Pair(b *testing.B) {
	var sink float32
	for j := uint32(0); b.Loop(); j++ {
		x, y := normal32Pair([4]uint32{j * 0x9E3779B9, j, j * 0x85EBCA6B, j ^ 0x5bd1e995})
		sink += x + y
	}
	_ = sink
}
