package kernels

// PairGEMM is implemented by GEMMs that compute two products sharing their
// right operand in one call:
//
//	c1 = alpha·op(a1)·op(b) + beta·c1    (m1×n)
//	c2 = alpha·op(a2)·op(b) + beta·c2    (m2×n)
//
// with the strides and transposes of GEMM, tA applying to both a1 and a2.
// Each result has the bits a lone call for it would give. c1 and c2 must
// not overlap each other or the operands.
type PairGEMM interface {
	GEMM
	SgemmPair(tA, tB bool, m1, m2, n, k int, alpha float32, a1 []float32, lda1 int, a2 []float32, lda2 int, b []float32, ldb int, beta float32, c1 []float32, ldc1 int, c2 []float32, ldc2 int)
	DgemmPair(tA, tB bool, m1, m2, n, k int, alpha float64, a1 []float64, lda1 int, a2 []float64, lda2 int, b []float64, ldb int, beta float64, c1 []float64, ldc1 int, c2 []float64, ldc2 int)
}

var _ PairGEMM = Packed{}

// SgemmPair implements PairGEMM.
func (g Packed) SgemmPair(tA, tB bool, m1, m2, n, k int, alpha float32, a1 []float32, lda1 int, a2 []float32, lda2 int, b []float32, ldb int, beta float32, c1 []float32, ldc1 int, c2 []float32, ldc2 int) {
	gemmPair(g, tA, tB, m1, m2, n, k, alpha, a1, lda1, a2, lda2, b, ldb, beta, c1, ldc1, c2, ldc2)
}

// DgemmPair implements PairGEMM.
func (g Packed) DgemmPair(tA, tB bool, m1, m2, n, k int, alpha float64, a1 []float64, lda1 int, a2 []float64, lda2 int, b []float64, ldb int, beta float64, c1 []float64, ldc1 int, c2 []float64, ldc2 int) {
	gemmPair(g, tA, tB, m1, m2, n, k, alpha, a1, lda1, a2, lda2, b, ldb, beta, c1, ldc1, c2, ldc2)
}

// gemmPair runs two products that take the packed path as one when the A
// panels of both fit one block of MC rows (in L2): their rows are the two
// row segments of one gemmCall, cut into column blocks, so each panel of
// op(B) is packed once and serves the rows of both at once. Every tile is
// computed by the same kernel calls as in a lone product, so the bits do
// not change. On two Zen 4 threads, f32: 128+128×1024×{784,1024} +3 to
// +5%, 128+128×10×1024 +28%. Other products (taller ones, or those that
// take matvec.go's or dot.go's path) run one after the other: f64
// 128+128×1024×1024, whose A panels overflow the block, ran 12% slower as
// one.
func gemmPair[T float](g Packed, tA, tB bool, m1, m2, n, k int, alpha T, a1 []T, lda1 int, a2 []T, lda2 int, b []T, ldb int, beta T, c1 []T, ldc1 int, c2 []T, ldc2 int) {
	checkGEMM(tA, tB, m1, n, k, len(a1), lda1, len(b), ldb, len(c1), ldc1)
	checkGEMM(tA, tB, m2, n, k, len(a2), lda2, len(b), ldb, len(c2), ldc2)
	blk := blockingOf[T](g.kernels())
	if m1 == 0 || m2 == 0 || n == 0 || k == 0 || alpha == 0 ||
		ceilDiv(m1, blk.mr)+ceilDiv(m2, blk.mr) > max(1, blk.mc/blk.mr) ||
		productPath(g, tA, tB, m1, n, k, a1, lda1, b, ldb) != packedProduct ||
		productPath(g, tA, tB, m2, n, k, a2, lda2, b, ldb) != packedProduct {
		gemm(g, tA, tB, m1, n, k, alpha, a1, lda1, b, ldb, beta, c1, ldc1)
		gemm(g, tA, tB, m2, n, k, alpha, a2, lda2, b, ldb, beta, c2, ldc2)
		return
	}
	gc := getCall[T]()
	gc.setup(g.kernels(), tA, tB, n, k, alpha, b, ldb, beta, threadsFor(g.threads(), m1+m2, n, k),
		rowSegment[T]{m: m1, a: a1, lda: lda1, c: c1, ldc: ldc1},
		rowSegment[T]{m: m2, a: a2, lda: lda2, c: c2, ldc: ldc2})
	gc.run()
	putCall(gc)
}
