package kernels

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// pairTakesOnePlan reports whether gemmPair runs the products of m1 and m2
// rows as one at g's level (it may still fall back for the path).
func pairTakesOnePlan[T float](g Packed, m1, m2 int) bool {
	blk := blockingOf[T](g.kernels())
	return ceilDiv(m1, blk.mr)+ceilDiv(m2, blk.mr) <= max(1, blk.mc/blk.mr)
}

// A pair of products gives, bit for bit, what two lone products give, at
// every instruction-set level, on one to three goroutines, for every
// transpose, with beta 0 and not, with overhanging panels and several
// k-blocks; and the products that fall back (one column, small outputs,
// tall pairs) too. The f64 results are also checked against the naive
// triple loop, an oracle independent of the packed code.
func TestPairMatchesTwoProducts(t *testing.T) {
	r := rand.New(rand.NewPCG(41, 42))
	shapes := []struct{ m1, m2, n, k int }{
		{37, 50, 70, 300}, // edge panels in both segments, two k-blocks
		{16, 16, 40, 600},
		{5, 90, 33, 520},
		{1, 1, 17, 9},
		{128, 128, 10, 64}, // the W̃ᵀ step's shape, shorter
		{20, 30, 1, 50},    // one column: matvec
		{8, 8, 8, 40},      // small outputs: dot products for A·Bᵀ
		{400, 300, 20, 30}, // too tall for one block
	}
	onePlan := 0
	for _, l := range supportedLevels() {
		for _, threads := range []int{1, 2, 3} {
			g := atLevel(l, threads)
			for _, s := range shapes {
				if pairTakesOnePlan[float32](g, s.m1, s.m2) {
					onePlan++
				}
				for _, tA := range []bool{false, true} {
					for _, tB := range []bool{false, true} {
						for _, beta := range []float64{0, -0.5} {
							name := fmt.Sprintf("%v, %d threads, %+v tA=%t tB=%t beta=%g", l, threads, s, tA, tB, beta)
							checkPair(t, name, g, r, tA, tB, s.m1, s.m2, s.n, s.k, beta)
						}
					}
				}
			}
		}
	}
	if onePlan == 0 {
		t.Error("no shape ran as one plan")
	}
}

func checkPair(t *testing.T, name string, g Packed, r *rand.Rand, tA, tB bool, m1, m2, n, k int, beta float64) {
	t.Helper()
	c1 := newGEMMCase(r, tA, tB, m1, n, k)
	c2 := newGEMMCase(r, tA, tB, m2, n, k)
	c2.b, c2.ldb = c1.b, c1.ldb
	want1, want2 := slices.Clone(c1.c), slices.Clone(c2.c)
	got1, got2 := slices.Clone(c1.c), slices.Clone(c2.c)
	g.Dgemm(tA, tB, m1, n, k, 0.75, c1.a, c1.lda, c1.b, c1.ldb, beta, want1, c1.ldc)
	g.Dgemm(tA, tB, m2, n, k, 0.75, c2.a, c2.lda, c1.b, c1.ldb, beta, want2, c2.ldc)
	g.DgemmPair(tA, tB, m1, m2, n, k, 0.75, c1.a, c1.lda, c2.a, c2.lda, c1.b, c1.ldb, beta, got1, c1.ldc, got2, c2.ldc)
	if i := bitsEqual(got1, want1); i >= 0 {
		t.Errorf("%s: DgemmPair's first product differs from a lone one at %d", name, i)
	}
	if i := bitsEqual(got2, want2); i >= 0 {
		t.Errorf("%s: DgemmPair's second product differs from a lone one at %d", name, i)
	}
	naive := slices.Clone(c2.c)
	naiveGEMM(tA, tB, m2, n, k, 0.75, c2.a, c2.lda, c1.b, c1.ldb, beta, naive, c2.ldc)
	compareMatrix(t, name, [3]int{m2, n, k}, tA, tB, beta, got2, naive, 1e-15*float64(k+1))

	a1, a2, b := toF32(c1.a), toF32(c2.a), toF32(c1.b)
	want1s, want2s := toF32(c1.c), toF32(c2.c)
	got1s, got2s := toF32(c1.c), toF32(c2.c)
	g.Sgemm(tA, tB, m1, n, k, 0.75, a1, c1.lda, b, c1.ldb, float32(beta), want1s, c1.ldc)
	g.Sgemm(tA, tB, m2, n, k, 0.75, a2, c2.lda, b, c1.ldb, float32(beta), want2s, c2.ldc)
	g.SgemmPair(tA, tB, m1, m2, n, k, 0.75, a1, c1.lda, a2, c2.lda, b, c1.ldb, float32(beta), got1s, c1.ldc, got2s, c2.ldc)
	if i := bitsEqual(got1s, want1s); i >= 0 {
		t.Errorf("%s: SgemmPair's first product differs from a lone one at %d", name, i)
	}
	if i := bitsEqual(got2s, want2s); i >= 0 {
		t.Errorf("%s: SgemmPair's second product differs from a lone one at %d", name, i)
	}
}

// Zero dimensions and alpha 0 fall back to the lone products' handling.
func TestPairDegenerate(t *testing.T) {
	g := Packed{}
	c1, c2 := []float32{1, 2}, []float32{3, 4}
	g.SgemmPair(false, false, 1, 1, 2, 0, 1, nil, 0, nil, 0, nil, 2, 0.5, c1, 2, c2, 2)
	if !slices.Equal(c1, []float32{0.5, 1}) || !slices.Equal(c2, []float32{1.5, 2}) {
		t.Errorf("k = 0: c1 %v, c2 %v; want beta·c", c1, c2)
	}
	g.SgemmPair(false, false, 0, 1, 2, 1, 1, nil, 1, []float32{1}, 1, []float32{2, 3}, 2, 0, nil, 2, c2, 2)
	if !slices.Equal(c2, []float32{2, 3}) {
		t.Errorf("m1 = 0: c2 %v, want [2 3]", c2)
	}
}
