package kernels

import (
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"slices"
	"testing"
	"unsafe"
)

// gemmCase is one product with padded strides (so that lda, ldb and ldc
// are honoured) and random operands.
type gemmCase struct {
	tA, tB        bool
	m, n, k       int
	lda, ldb, ldc int
	a, b, c       []float64
}

func (c gemmCase) String() string {
	return fmt.Sprintf("m,n,k=%d,%d,%d tA=%t tB=%t", c.m, c.n, c.k, c.tA, c.tB)
}

func newGEMMCase(r *rand.Rand, tA, tB bool, m, n, k int) gemmCase {
	aRows, aCols := m, k
	if tA {
		aRows, aCols = k, m
	}
	bRows, bCols := k, n
	if tB {
		bRows, bCols = n, k
	}
	g := gemmCase{tA: tA, tB: tB, m: m, n: n, k: k, lda: aCols + 3, ldb: bCols + 1, ldc: n + 2}
	g.a = randomSlice(r, max(0, aRows*g.lda))
	g.b = randomSlice(r, max(0, bRows*g.ldb))
	g.c = randomSlice(r, max(0, m*g.ldc))
	return g
}

// Dimensions around the tile sizes (6×16, 6×8), the k-block (256) and
// the task sizes (144, 72 rows), with empty and degenerate ones.
var gemmDims = [][3]int{
	{1, 1, 1}, {0, 3, 4}, {3, 0, 4}, {3, 4, 0}, {5, 7, 3}, {6, 16, 4}, {7, 17, 5},
	{12, 8, 300}, {13, 33, 257}, {64, 70, 3}, {145, 40, 9}, {73, 9, 513},
	{150, 170, 260}, {1, 200, 30}, {200, 1, 30},
	// The dot path of small outputs (dot.go): the 4×3 block's edges,
	// vector tails, and the largest small output.
	{4, 3, 8}, {5, 4, 9}, {3, 2, 15}, {30, 30, 1030}, {32, 32, 33}, {1, 32, 100}, {31, 1, 17},
}

// The packed GEMM, with the assembly and with the Go twin, agrees with the
// naive triple loop to rounding, for every transpose, alpha and beta.
func TestPackedAgainstNaive(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, goKernels := range []bool{false, true} {
		g := Packed{goKernels: goKernels}
		for _, d := range gemmDims {
			for _, tA := range []bool{false, true} {
				for _, tB := range []bool{false, true} {
					tc := newGEMMCase(r, tA, tB, d[0], d[1], d[2])
					for _, ab := range [][2]float64{{1, 0}, {1.5, 0.5}, {-2, 1}, {0, 0.5}, {0, 0}} {
						alpha, beta := ab[0], ab[1]
						want := slices.Clone(tc.c)
						naiveGEMM(tA, tB, tc.m, tc.n, tc.k, alpha, tc.a, tc.lda, tc.b, tc.ldb, beta, want, tc.ldc)
						got := slices.Clone(tc.c)
						g.Dgemm(tA, tB, tc.m, tc.n, tc.k, alpha, tc.a, tc.lda, tc.b, tc.ldb, beta, got, tc.ldc)
						// Rounding grows with the k terms of size O(|alpha|)
						// summed, whatever the size of the result.
						scale := float64(tc.k+1) * max(1, math.Abs(alpha))
						tol := 1e-15 * scale
						compareMatrix(t, fmt.Sprintf("Dgemm goKernels=%t alpha=%v", goKernels, alpha), d, tA, tB, beta, got, want, tol)

						a32, b32, c32 := toF32(tc.a), toF32(tc.b), toF32(tc.c)
						want32 := toF64(c32)
						naiveGEMM(tA, tB, tc.m, tc.n, tc.k, alpha, toF64(a32), tc.lda, toF64(b32), tc.ldb, beta, want32, tc.ldc)
						g.Sgemm(tA, tB, tc.m, tc.n, tc.k, float32(alpha), a32, tc.lda, b32, tc.ldb, float32(beta), c32, tc.ldc)
						compareMatrix(t, fmt.Sprintf("Sgemm goKernels=%t alpha=%v", goKernels, alpha), d, tA, tB, beta, toF64(c32), want32, 2e-7*scale)
					}
				}
			}
		}
	}
}

// Elements of c outside the m×n block (the stride padding) are untouched.
func TestPackedLeavesPaddingAlone(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	tc := newGEMMCase(r, false, false, 13, 21, 7)
	got := slices.Clone(tc.c)
	Packed{}.Dgemm(false, false, tc.m, tc.n, tc.k, 1, tc.a, tc.lda, tc.b, tc.ldb, 0, got, tc.ldc)
	for i := range tc.m {
		for j := tc.n; j < tc.ldc; j++ {
			if got[i*tc.ldc+j] != tc.c[i*tc.ldc+j] {
				t.Fatalf("padding element (%d, %d) changed", i, j)
			}
		}
	}
}

// With beta = 0, c is overwritten even where it holds NaN, on full and on
// overhanging tiles, and with k = 0 too.
func TestPackedBetaZeroOverwritesNaN(t *testing.T) {
	for _, goKernels := range []bool{false, true} {
		g := Packed{goKernels: goKernels}
		for _, d := range [][3]int{{1, 2, 1}, {6, 16, 3}, {12, 40, 5}, {3, 4, 0}} {
			m, n, k := d[0], d[1], d[2]
			a, b := make([]float64, m*k), make([]float64, k*n)
			for i := range a {
				a[i] = 1
			}
			for i := range b {
				b[i] = 2
			}
			c := make([]float64, m*n)
			c32 := make([]float32, m*n)
			for i := range c {
				c[i], c32[i] = math.NaN(), float32(math.NaN())
			}
			g.Dgemm(false, false, m, n, k, 1, a, max(1, k), b, n, 0, c, n)
			g.Sgemm(false, false, m, n, k, 1, toF32(a), max(1, k), toF32(b), n, 0, c32, n)
			for i := range c {
				if c[i] != float64(2*k) || c32[i] != float32(2*k) {
					t.Fatalf("goKernels=%t %v: c[%d] = %v (f64), %v (f32), want %d", goKernels, d, i, c[i], c32[i], 2*k)
				}
			}
		}
	}
}

func bitsEqual[T float32 | float64](a, b []T) int {
	for i := range a {
		if a[i] != b[i] && !(a[i] != a[i] && b[i] != b[i]) {
			return i
		}
		if a[i] == 0 && math.Signbit(float64(a[i])) != math.Signbit(float64(b[i])) {
			return i
		}
	}
	return -1
}

// The assembly micro-kernels and their Go twins give the same bits, and
// the result does not depend on the number of goroutines.
func TestPackedBitExact(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	dims := append(slices.Clone(gemmDims), [3]int{300, 280, 600}, [3]int{128, 1024, 784}, [3]int{777, 35, 129})
	configs := []Packed{{Threads: 1}, {Threads: 2}, {Threads: 4}, {Threads: 3, goKernels: true}, {Threads: 1, goKernels: true}}
	if testing.Short() {
		dims = dims[:len(gemmDims)]
	}
	for _, d := range dims {
		for _, tA := range []bool{false, true} {
			for _, tB := range []bool{false, true} {
				tc := newGEMMCase(r, tA, tB, d[0], d[1], d[2])
				a32, b32 := toF32(tc.a), toF32(tc.b)
				var ref64 []float64
				var ref32 []float32
				for ci, g := range configs {
					if g.goKernels && tc.m*tc.n*tc.k > 1<<24 {
						continue // the Go twin's emulated f32 FMA is slow
					}
					c64 := slices.Clone(tc.c)
					g.Dgemm(tA, tB, tc.m, tc.n, tc.k, 0.75, tc.a, tc.lda, tc.b, tc.ldb, -0.5, c64, tc.ldc)
					c32 := toF32(tc.c)
					g.Sgemm(tA, tB, tc.m, tc.n, tc.k, 0.75, a32, tc.lda, b32, tc.ldb, -0.5, c32, tc.ldc)
					if ci == 0 {
						ref64, ref32 = c64, c32
						continue
					}
					if i := bitsEqual(c64, ref64); i >= 0 {
						t.Errorf("%v: Dgemm with %+v differs from %+v at %d: %v vs %v", tc, g, configs[0], i, c64[i], ref64[i])
					}
					if i := bitsEqual(c32, ref32); i >= 0 {
						t.Errorf("%v: Sgemm with %+v differs from %+v at %d: %v vs %v", tc, g, configs[0], i, c32[i], ref32[i])
					}
				}
			}
		}
	}
}

// fma32 is the correctly rounded fused multiply-add: it agrees with an
// exact computation in big floats on random operands and on the sums whose
// float64 rounding is a float32 tie, where rounding twice goes wrong.
func TestFMA32(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	check := func(x, y, z float32) {
		t.Helper()
		got := fma32(x, y, z)
		want := fma32Exact(x, y, z)
		if math.Float32bits(got) != math.Float32bits(want) && !(got != got && want != want) {
			t.Fatalf("fma32(%g, %g, %g) = %g (%#x), want %g (%#x)", x, y, z, got, math.Float32bits(got), want, math.Float32bits(want))
		}
	}
	for range 200000 {
		x, y, z := float32(r.NormFloat64()), float32(r.NormFloat64()), float32(r.NormFloat64())
		check(x, y, z)
		// Large exponent gaps, where the float64 sum is inexact.
		check(x, y, z*float32(math.Ldexp(1, r.IntN(60)-30)))
		check(x*float32(math.Ldexp(1, -r.IntN(40))), y, z)
	}
	// Sums just off a tie between two float32 values, whose float64
	// rounding is the tie: z + 2⁻²⁴·(1-2⁻²³)·(1+2⁻²³) = z + 2⁻²⁴ - 2⁻⁷⁰
	// rounds to z + 2⁻²⁴ in float64, and rounding that again to float32
	// (ties to even) goes up whenever z's last bit is odd, where the exact
	// sum rounds down.
	for range 1000 {
		z := float32(1 + r.Float64())
		for _, sign := range []float32{1, -1} {
			check(sign*0x1p-24*(1-0x1p-23), 1+0x1p-23, sign*z)
			check(sign*0x1p-24*(1+0x1p-23), 1+0x1p-23, sign*z)
			check(sign*0x1p-24, 1-0x1p-24, sign*z)
		}
	}
	for _, v := range []float32{0, float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()), math.MaxFloat32, math.SmallestNonzeroFloat32} {
		check(v, 2, 1)
		check(1, v, -1)
		check(3, 5, v)
	}
}

// fma32Exact computes x·y + z exactly as a big.Float and rounds it once
// to float32.
func fma32Exact(x, y, z float32) float32 {
	xf, yf, zf := float64(x), float64(y), float64(z)
	if math.IsNaN(xf) || math.IsNaN(yf) || math.IsNaN(zf) || math.IsInf(xf, 0) || math.IsInf(yf, 0) || math.IsInf(zf, 0) {
		return float32(xf*yf + zf)
	}
	return exactFMA32(xf, yf, zf)
}

func exactFMA32(x, y, z float64) float32 {
	const prec = 2000 // far more than the exact sum of an f32 product and an f32 needs
	p := new(big.Float).SetPrec(prec).Mul(new(big.Float).SetPrec(prec).SetFloat64(x), new(big.Float).SetPrec(prec).SetFloat64(y))
	p.Add(p, new(big.Float).SetPrec(prec).SetFloat64(z))
	f, _ := p.Float32()
	if f == 0 && (x*y+z) != 0 {
		return f
	}
	if f == 0 {
		// The sign of an exact zero sum follows IEEE: +0 unless both
		// terms are -0.
		return float32(x*y + z)
	}
	return f
}

// Shapes whose path the thread count once chose: small outputs with a long
// k (the dot path on one thread, the packed path on more), Gram products
// among them, and their edges.
var smallOutputLongK = [][3]int{{30, 30, 2048}, {32, 32, 4096}, {10, 10, 12000}, {31, 5, 8191}, {1, 32, 40000}, {17, 29, 3000}}

// A product's result depends on its shape only: not on the number of
// goroutines, nor on whether it runs alone or inside a batch, for small
// outputs with a long k as for the rest.
func TestResultsIndependentOfThreadsAndBatching(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	for _, d := range smallOutputLongK {
		m, n, k := d[0], d[1], d[2]
		for _, tA := range []bool{false, true} {
			for _, tB := range []bool{false, true} {
				for _, gram := range []bool{false, true} {
					if gram && (m != n || tA == tB) {
						continue
					}
					tc := newGEMMCase(r, tA, tB, m, n, k)
					if gram {
						tc.b, tc.ldb = tc.a, tc.lda
					}
					checkThreadAndBatchIndependence(t, tc, gram)
				}
			}
		}
	}
}

// checkThreadAndBatchIndependence runs tc in f32 and f64 alone on 1, 2 and
// 4 goroutines, and as each product of a batch of two (both taking the
// same operands) on 1 and 4, and checks that all agree bit for bit.
func checkThreadAndBatchIndependence(t *testing.T, tc gemmCase, gram bool) {
	t.Helper()
	name := fmt.Sprintf("%v gram=%t", tc, gram)
	a32, b32 := toF32(tc.a), toF32(tc.b)
	if gram {
		b32 = a32
	}
	var ref64 []float64
	var ref32 []float32
	for _, threads := range []int{1, 2, 4} {
		g := Packed{Threads: threads}
		c64, c32 := slices.Clone(tc.c), toF32(tc.c)
		g.Dgemm(tc.tA, tc.tB, tc.m, tc.n, tc.k, 0.75, tc.a, tc.lda, tc.b, tc.ldb, -0.5, c64, tc.ldc)
		g.Sgemm(tc.tA, tc.tB, tc.m, tc.n, tc.k, 0.75, a32, tc.lda, b32, tc.ldb, -0.5, c32, tc.ldc)
		if ref64 == nil {
			ref64, ref32 = c64, c32
			continue
		}
		if i := bitsEqual(c64, ref64); i >= 0 {
			t.Errorf("%s: Dgemm on %d threads differs from 1 thread in %d elements (first %d)", name, threads, countDiff(c64, ref64), i)
		}
		if i := bitsEqual(c32, ref32); i >= 0 {
			t.Errorf("%s: Sgemm on %d threads differs from 1 thread in %d elements (first %d)", name, threads, countDiff(c32, ref32), i)
		}
	}
	size := len(tc.c)
	off := []int{0, 0}
	cOff := []int{0, size}
	for _, threads := range []int{1, 4} {
		g := Packed{Threads: threads}
		c64 := append(slices.Clone(tc.c), tc.c...)
		c32 := toF32(c64)
		g.DgemmBatch(tc.tA, tc.tB, tc.m, tc.n, tc.k, 0.75, tc.a, tc.lda, off, tc.b, tc.ldb, off, -0.5, c64, tc.ldc, cOff)
		g.SgemmBatch(tc.tA, tc.tB, tc.m, tc.n, tc.k, 0.75, a32, tc.lda, off, b32, tc.ldb, off, -0.5, c32, tc.ldc, cOff)
		for p := range 2 {
			if i := bitsEqual(c64[p*size:][:size], ref64); i >= 0 {
				t.Errorf("%s: product %d of a Dgemm batch on %d threads differs from the lone product in %d elements (first %d)", name, p, threads, countDiff(c64[p*size:][:size], ref64), i)
			}
			if i := bitsEqual(c32[p*size:][:size], ref32); i >= 0 {
				t.Errorf("%s: product %d of an Sgemm batch on %d threads differs from the lone product in %d elements (first %d)", name, p, threads, countDiff(c32[p*size:][:size], ref32), i)
			}
		}
	}
}

func countDiff[T float32 | float64](a, b []T) int {
	n := 0
	for i := range a {
		if bitsEqual(a[i:i+1], b[i:i+1]) >= 0 {
			n++
		}
	}
	return n
}

// The operands every task uses are packed by the tasks themselves, part by
// part (packed_shared.go): these shapes reach each such mode, with several
// k-blocks and overhanging panels, on 2 and 3 goroutines, and give the
// one-goroutine bits in f32 and f64.
func TestSharedPackingBitExact(t *testing.T) {
	r := rand.New(rand.NewPCG(31, 32))
	for _, tc := range []struct {
		m, n, k, threads int
		sharedA, sharedB bool
	}{
		{300, 280, 600, 2, false, true}, // row blocks only
		{600, 300, 600, 3, false, true},
		{1030, 70, 520, 2, false, true}, // narrow C: row blocks only
		{40, 1100, 700, 2, true, false}, // short C: column blocks only
		{40, 1100, 700, 3, true, false},
		{60, 500, 257, 2, true, false},
	} {
		threads := tc.threads
		g := Packed{Threads: threads}
		for _, f32 := range []bool{false, true} {
			gcD, gcS := getCall[float64](), getCall[float32]()
			gcD.setup(g.kernels(), false, false, tc.n, tc.k, 1, nil, 0, 0, threads, rowSegment[float64]{m: tc.m})
			gcS.setup(g.kernels(), false, false, tc.n, tc.k, 1, nil, 0, 0, threads, rowSegment[float32]{m: tc.m})
			sharedA, sharedB := gcD.sharedA.parts > 0, gcD.sharedB.parts > 0
			if f32 {
				sharedA, sharedB = gcS.sharedA.parts > 0, gcS.sharedB.parts > 0
			}
			putCall(gcD)
			putCall(gcS)
			if sharedA != tc.sharedA || sharedB != tc.sharedB {
				t.Errorf("%d×%d×%d on %d threads (f32 %t): shared A %t, B %t; want %t, %t", tc.m, tc.n, tc.k, threads, f32, sharedA, sharedB, tc.sharedA, tc.sharedB)
			}
		}
		for _, tA := range []bool{false, true} {
			for _, tB := range []bool{false, true} {
				c := newGEMMCase(r, tA, tB, tc.m, tc.n, tc.k)
				a32, b32 := toF32(c.a), toF32(c.b)
				one := Packed{Threads: 1}
				want64, got64 := slices.Clone(c.c), slices.Clone(c.c)
				want32, got32 := toF32(c.c), toF32(c.c)
				one.Dgemm(tA, tB, c.m, c.n, c.k, 0.75, c.a, c.lda, c.b, c.ldb, -0.5, want64, c.ldc)
				g.Dgemm(tA, tB, c.m, c.n, c.k, 0.75, c.a, c.lda, c.b, c.ldb, -0.5, got64, c.ldc)
				one.Sgemm(tA, tB, c.m, c.n, c.k, 0.75, a32, c.lda, b32, c.ldb, -0.5, want32, c.ldc)
				g.Sgemm(tA, tB, c.m, c.n, c.k, 0.75, a32, c.lda, b32, c.ldb, -0.5, got32, c.ldc)
				if i := bitsEqual(got64, want64); i >= 0 {
					t.Errorf("%v on %d threads: Dgemm differs from one thread at %d", c, threads, i)
				}
				naive := slices.Clone(c.c)
				naiveGEMM(tA, tB, c.m, c.n, c.k, 0.75, c.a, c.lda, c.b, c.ldb, -0.5, naive, c.ldc)
				compareMatrix(t, fmt.Sprintf("Dgemm on %d threads", threads), [3]int{c.m, c.n, c.k}, tA, tB, -0.5, got64, naive, 1e-15*float64(c.k+1))
				if i := bitsEqual(got32, want32); i >= 0 {
					t.Errorf("%v on %d threads: Sgemm differs from one thread at %d", c, threads, i)
				}
			}
		}
	}
}

// The prefetch of the next B panel names rows of B: its first element is
// the panel's (bounds-checked), and the last row's run of elements ends
// within B, for every panel a task packs next, with either layout of B.
func TestNextBPanelWithinB(t *testing.T) {
	for _, tc := range []struct{ n, k int }{{1024, 784}, {70, 300}, {17, 513}} {
		for _, tB := range []bool{false, true} {
			ldb := tc.n + 1
			if tB {
				ldb = tc.k + 1
			}
			rows := tc.k
			if tB {
				rows = tc.n
			}
			b := make([]float64, (rows-1)*ldb+ldb-1)
			gc := getCall[float64]()
			gc.setup(Packed{}.kernels(), false, tB, tc.n, tc.k, 1, b, ldb, 0, 1, rowSegment[float64]{m: 128})
			base := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
			end := base + uintptr(len(b))*8
			for p0 := 0; p0 < tc.k; p0 += gc.kcs {
				for jp := range gc.np {
					next := gc.nextBPanel(jp, 0, gc.np, p0)
					if next.rows == 0 {
						if p0+gc.kcs < tc.k || jp+1 < gc.np {
							t.Errorf("n %d k %d tB %t: no prefetch after panel %d at depth %d", tc.n, tc.k, tB, jp, p0)
						}
						continue
					}
					run := min(gc.blk.nr, tc.n-(jp+1)%gc.np*gc.blk.nr) * 8
					if tB {
						run = min(gc.kcs, tc.k-p0) * 8
					}
					last := uintptr(next.src) + uintptr((next.rows-1)*next.stride+run)
					if last > end {
						t.Errorf("n %d k %d tB %t: the prefetch after panel %d at depth %d ends %d bytes past B", tc.n, tc.k, tB, jp, p0, last-end)
					}
				}
			}
			putCall(gc)
		}
	}
}
