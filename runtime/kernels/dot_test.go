package kernels

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// A Gram product, op(B) = op(A)ᵀ over the same memory, takes the
// symmetric dot path: its result is exactly symmetric, agrees with the
// naive product to rounding, and A·Aᵀ equals A·Bᵀ with B a copy of A (the
// general dot path) bit for bit.
func TestGramProducts(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for _, d := range [][2]int{{1, 9}, {3, 8}, {5, 13}, {10, 512}, {30, 1024}, {32, 40}} {
		n, k := d[0], d[1]
		for _, tA := range []bool{false, true} {
			rows, cols := n, k // A·Aᵀ from an n×k A
			if tA {
				rows, cols = k, n // Aᵀ·A from a k×n A
			}
			lda, ldc := cols+2, n+1
			a := randomSlice(r, rows*lda)
			c0 := randomSlice(r, n*ldc)
			for _, ab := range [][2]float64{{1, 0}, {0.5, -1}} {
				want := slices.Clone(c0)
				naiveGEMM(tA, !tA, n, n, k, ab[0], a, lda, a, lda, ab[1], want, ldc)
				for _, goKernels := range []bool{false, true} {
					g := Packed{Threads: 1, goKernels: goKernels}
					got := slices.Clone(c0)
					g.Dgemm(tA, !tA, n, n, k, ab[0], a, lda, a, lda, ab[1], got, ldc)
					compareMatrix(t, "gram", [3]int{n, n, k}, tA, !tA, ab[1], got, want, 1e-12)
					copyA := slices.Clone(a)
					general := slices.Clone(c0)
					g.Dgemm(tA, !tA, n, n, k, ab[0], a, lda, copyA, lda, ab[1], general, ldc)
					if i := bitsEqual(got, general); !tA && i >= 0 {
						t.Errorf("n=%d k=%d tA=%t: Gram differs from the general product at %d: %v vs %v", n, k, tA, i, got[i], general[i])
					}
					got32 := toF32(c0)
					a32 := toF32(a)
					g.Sgemm(tA, !tA, n, n, k, float32(ab[0]), a32, lda, a32, lda, float32(ab[1]), got32, ldc)
					if ab[1] == 0 {
						for i := range n {
							for j := range i {
								if got[i*ldc+j] != got[j*ldc+i] || got32[i*ldc+j] != got32[j*ldc+i] {
									t.Fatalf("n=%d k=%d tA=%t: C[%d][%d] ≠ C[%d][%d]", n, k, tA, i, j, j, i)
								}
							}
						}
					}
				}
			}
		}
	}
}

// The dot kernels in assembly and their Go twin give the same bits, for
// every k around the vector widths.
func TestDotKernelBitExact(t *testing.T) {
	if !haveAsm {
		t.Skip("no assembly kernels in this build")
	}
	r := rand.New(rand.NewPCG(13, 14))
	for k := 1; k <= 40; k++ {
		var a64 [dotRows][]float64
		var b64 [dotCols][]float64
		var a32 [dotRows][]float32
		var b32 [dotCols][]float32
		var pa64 [dotRows]*float64
		var pb64 [dotCols]*float64
		var pa32 [dotRows]*float32
		var pb32 [dotCols]*float32
		for i := range a64 {
			a64[i] = randomSlice(r, k)
			a32[i] = toF32(a64[i])
			pa64[i], pa32[i] = &a64[i][0], &a32[i][0]
		}
		for i := range b64 {
			b64[i] = randomSlice(r, k)
			b32[i] = toF32(b64[i])
			pb64[i], pb32[i] = &b64[i][0], &b32[i][0]
		}
		var got64, want64 [dotRows * dotCols]float64
		var got32, want32 [dotRows * dotCols]float32
		ddotKernel4x3(k, &pa64, &pb64, &got64)
		dotKernelGo(k, &a64, &b64, &want64)
		sdotKernel4x3(k, &pa32, &pb32, &got32)
		dotKernelGo(k, &a32, &b32, &want32)
		if i := bitsEqual(got64[:], want64[:]); i >= 0 {
			t.Errorf("k=%d: f64 dot %d: %v, twin %v", k, i, got64[i], want64[i])
		}
		if i := bitsEqual(got32[:], want32[:]); i >= 0 {
			t.Errorf("k=%d: f32 dot %d: %v, twin %v", k, i, got32[i], want32[i])
		}
	}
}

// Matrix-vector products (matvec.go) agree with the naive product to
// rounding for both orientations and both layouts of the vector, around
// the kernels' widths (8 rows, 64 and 32 outputs) and vector tails, and the
// assembly gives the bits of the Go twins.
func TestMatvec(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 16))
	for _, m := range []int{1, 7, 8, 9, 31, 33, 64, 65, 130} {
		for _, k := range []int{8, 9, 15, 37, 128} {
			for _, tA := range []bool{false, true} {
				for _, tB := range []bool{false, true} {
					lda := k + 3
					if tA {
						lda = m + 3
					}
					rowsA := m
					if tA {
						rowsA = k
					}
					a := randomSlice(r, rowsA*lda)
					x := randomSlice(r, k)
					ldb := 1 // a k×1 column
					if tB {
						ldb = k // a 1×k row
					}
					c0 := randomSlice(r, m*2)
					want := slices.Clone(c0)
					naiveGEMM(tA, tB, m, 1, k, 0.5, a, lda, x, ldb, -1, want, 2)
					var ref64 []float64
					var ref32 []float32
					for _, goKernels := range []bool{false, true} {
						g := Packed{goKernels: goKernels}
						got := slices.Clone(c0)
						g.Dgemm(tA, tB, m, 1, k, 0.5, a, lda, x, ldb, -1, got, 2)
						compareMatrix(t, "matvec", [3]int{m, 1, k}, tA, tB, -1, got, want, 1e-12)
						got32 := toF32(c0)
						g.Sgemm(tA, tB, m, 1, k, 0.5, toF32(a), lda, toF32(x), ldb, -1, got32, 2)
						if !goKernels {
							ref64, ref32 = got, got32
							continue
						}
						if i := bitsEqual(got, ref64); i >= 0 {
							t.Errorf("m=%d k=%d tA=%t: f64 twin differs at %d: %v vs %v", m, k, tA, i, got[i], ref64[i])
						}
						if i := bitsEqual(got32, ref32); i >= 0 {
							t.Errorf("m=%d k=%d tA=%t: f32 twin differs at %d: %v vs %v", m, k, tA, i, got32[i], ref32[i])
						}
					}
				}
			}
		}
	}
}
