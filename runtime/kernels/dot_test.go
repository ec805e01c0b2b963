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
