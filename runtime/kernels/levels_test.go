package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/blas/testblas"

	"github.com/pushforward/pushforward/runtime/kernels/isa"
)

// supportedLevels are the instruction-set levels this machine can run,
// each tested explicitly whatever PUSHFORWARD_CPU selects.
func supportedLevels() []isa.Level {
	var ls []isa.Level
	for l := isa.Generic; l <= isa.Supported(); l++ {
		ls = append(ls, l)
	}
	return ls
}

func atLevel(l isa.Level, threads int) Packed {
	return Packed{Threads: threads}.WithLevel(l)
}

// On a CPU with AVX-512 the tests run the AVX-512 kernels (and by default
// so does everything else): no assembly is dispatched to untested.
func TestLevelsRunHere(t *testing.T) {
	t.Logf("CPU supports %v; PUSHFORWARD_CPU selects %v; the packed GEMM runs %v", isa.Supported(), isa.Selected(), Level())
	for _, l := range supportedLevels() {
		if got := atLevel(l, 1).kernels().level; got != l {
			t.Errorf("kernels at level %v run %v", l, got)
		}
	}
	if Level() != min(isa.Selected(), isa.Supported()) {
		t.Errorf("Level() = %v, want %v", Level(), isa.Selected())
	}
}

// refKernel is a micro-kernel of any tile in plain Go, the specification
// every kernel meets: each element a chain of single-rounding FMAs in
// increasing p, then alpha·acc + beta·c with both products rounded, c not
// read when beta is zero.
func refKernel[T float](mr, nr, k int, a, b, c []T, ldc int, alpha, beta T) {
	fma := fmaOf[T]()
	for r := range mr {
		for j := range nr {
			var acc T
			for p := range k {
				acc = fma(a[p*mr+r], b[p*nr+j], acc)
			}
			axpby(&c[r*ldc+j], alpha, acc, beta)
		}
	}
}

// Every set's micro-kernels agree bit for bit with refKernel, for k around
// the unrolling, with special alphas and betas, and C holding NaN where
// beta = 0 must ignore it.
func TestMicroKernelsBitExact(t *testing.T) {
	r := rand.New(rand.NewPCG(31, 32))
	for _, l := range supportedLevels() {
		ks := kernelSetFor(l)
		for k := 1; k <= 41; k++ {
			for _, ab := range [][2]float64{{1, 0}, {0.75, -0.5}, {-1, 1}, {2, math.Copysign(0, -1)}, {1e-30, 3}} {
				checkMicroKernel(t, ks, r, k, ab[0], ab[1])
			}
		}
	}
}

func checkMicroKernel(t *testing.T, ks *kernelSet, r *rand.Rand, k int, alpha, beta float64) {
	t.Helper()
	for _, f32 := range []bool{true, false} {
		blk := ks.d
		if f32 {
			blk = ks.s
		}
		mr, nr, ldc := blk.mr, blk.nr, blk.nr+3
		a, b := operand(r, k*mr), randomSlice(r, k*nr)
		c := randomSlice(r, mr*ldc)
		if beta == 0 {
			for i := range c {
				c[i] = math.NaN()
			}
		}
		name := fmt.Sprintf("%v %dx%d k=%d alpha=%v beta=%v f32=%t", ks.level, mr, nr, k, alpha, beta, f32)
		gc := &gemmCall[float64]{ks: ks, blk: blk, alpha: alpha}
		if f32 {
			a32, b32, c32 := toF32(a), toF32(b), toF32(c)
			want := slices.Clone(c32)
			refKernel(mr, nr, k, a32, b32, want, ldc, float32(alpha), float32(beta))
			gc32 := &gemmCall[float32]{ks: ks, blk: blk, alpha: float32(alpha)}
			gc32.kernel(k, a32, b32, c32, ldc, float32(beta))
			sameBits(t, name, c32, want)
			continue
		}
		want := slices.Clone(c)
		refKernel(mr, nr, k, a, b, want, ldc, alpha, beta)
		gc.kernel(k, a, b, c, ldc, beta)
		sameBits(t, name, c, want)
	}
}

// Every level gives the same bits as the Go twin on one thread, on every
// transpose, stride, alpha/beta, edge shape and thread count.
func TestPackedLevelsBitExact(t *testing.T) {
	r := rand.New(rand.NewPCG(33, 34))
	dims := append(slices.Clone(gemmDims), [3]int{33, 17, 1000}, [3]int{100, 70, 257}, [3]int{17, 9, 5})
	if !testing.Short() {
		dims = append(dims, [3]int{300, 280, 600}, [3]int{128, 1024, 784}, [3]int{600, 35, 129})
	}
	for _, d := range dims {
		for _, tA := range []bool{false, true} {
			for _, tB := range []bool{false, true} {
				tc := newGEMMCase(r, tA, tB, d[0], d[1], d[2])
				for _, ab := range [][2]float64{{0.75, -0.5}, {1, 0}} {
					checkLevelsAgree(t, tc, ab[0], ab[1])
				}
			}
		}
	}
}

func checkLevelsAgree(t *testing.T, tc gemmCase, alpha, beta float64) {
	t.Helper()
	a32, b32 := toF32(tc.a), toF32(tc.b)
	ref := atLevel(isa.Generic, 1)
	slow := tc.m*tc.n*tc.k > 1<<22 // the Go twin's f32 FMA is slow
	if slow && isa.Supported() >= isa.AVX2 {
		ref = atLevel(isa.AVX2, 1)
	}
	want64, want32 := slices.Clone(tc.c), toF32(tc.c)
	ref.Dgemm(tc.tA, tc.tB, tc.m, tc.n, tc.k, alpha, tc.a, tc.lda, tc.b, tc.ldb, beta, want64, tc.ldc)
	ref.Sgemm(tc.tA, tc.tB, tc.m, tc.n, tc.k, float32(alpha), a32, tc.lda, b32, tc.ldb, float32(beta), want32, tc.ldc)
	for _, l := range supportedLevels() {
		if l == isa.Generic && slow {
			continue
		}
		for _, threads := range []int{1, 2, 3} {
			g := atLevel(l, threads)
			got64, got32 := slices.Clone(tc.c), toF32(tc.c)
			g.Dgemm(tc.tA, tc.tB, tc.m, tc.n, tc.k, alpha, tc.a, tc.lda, tc.b, tc.ldb, beta, got64, tc.ldc)
			g.Sgemm(tc.tA, tc.tB, tc.m, tc.n, tc.k, float32(alpha), a32, tc.lda, b32, tc.ldb, float32(beta), got32, tc.ldc)
			if i := bitsEqual(got64, want64); i >= 0 {
				t.Errorf("%v alpha=%v beta=%v: Dgemm at %v on %d threads differs from %v at %d: %v vs %v", tc, alpha, beta, l, threads, ref.kernels().level, i, got64[i], want64[i])
			}
			if i := bitsEqual(got32, want32); i >= 0 {
				t.Errorf("%v alpha=%v beta=%v: Sgemm at %v on %d threads differs from %v at %d: %v vs %v", tc, alpha, beta, l, threads, ref.kernels().level, i, got32[i], want32[i])
			}
		}
	}
}

// gonum's Dgemm suite passes at every level, on Dgemm and (through
// sgemmAsDgemm) on Sgemm.
func TestGonumDgemmSuiteAtEveryLevel(t *testing.T) {
	for _, l := range supportedLevels() {
		t.Run(l.String(), func(t *testing.T) {
			x := BLAS{Threads: 2, level: l, setLevel: true}
			testblas.TestDgemm(t, x)
			testblas.TestDgemm(t, sgemmAsDgemm{x})
		})
	}
}

// Linux's cache sizes parse, and the rows of A per task stay whole panels
// within bounds whatever L2 reports.
func TestCacheBlocking(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
		ok   bool
	}{{"1024K", 1 << 20, true}, {"2M", 2 << 20, true}, {"512", 512, true}, {"", 0, false}, {"12X", 0, false}, {"-1K", 0, false}} {
		got, ok := parseCacheSize(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("parseCacheSize(%q) = %d, %t; want %d, %t", tc.in, got, ok, tc.want, tc.ok)
		}
	}
	t.Logf("L2 %d bytes: mc %d (f32), %d (f64)", l2Bytes(), avx512Set.s.mc, avx512Set.d.mc)
	for _, b := range []blocking{avx512Set.s, avx512Set.d} {
		if b.mc%b.mr != 0 || b.mc < 4*b.mr || b.mc > 64*b.mr {
			t.Errorf("mc = %d for mr = %d: want whole panels, 4 to 64 of them", b.mc, b.mr)
		}
	}
}
