package runtime

import (
	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/runtime/kernels"
)

// matmul multiplies the last two axes of a and b, broadcasting the leading
// (batch) axes, with one GEMM call per batch element.
func matmul[T float](c *call) (*Tensor, error) {
	a, b, out := c.args[0], c.args[1], Zeros(c.out(0))
	tA, err := c.in.Attrs.Bool("transpose_a", false)
	if err != nil {
		return nil, err
	}
	tB, err := c.in.Attrs.Bool("transpose_b", false)
	if err != nil {
		return nil, err
	}
	batch, m, k, n, err := ir.MatmulDims(a.Shape(), b.Shape(), tA, tB)
	if err != nil {
		return nil, err
	}
	if m == 0 || n == 0 || k == 0 {
		return out, nil // empty, or a sum of no terms: zeros
	}
	aShape, bShape := a.Shape(), b.Shape()
	ra, rb := len(aShape), len(bShape)
	// Row strides as stored, and the element count of one matrix.
	lda, ldb := aShape[ra-1], bShape[rb-1]
	aSize, bSize := aShape[ra-2]*lda, bShape[rb-2]*ldb
	aBatch := broadcastOffsets(aShape[:ra-2], batch)
	bBatch := broadcastOffsets(bShape[:rb-2], batch)
	as, bs, os := elems[T](a), elems[T](b), elems[T](out)
	for i := range batch.Size() {
		ai, bi := at(aBatch, i)*aSize, at(bBatch, i)*bSize
		gemm(c.gemm, tA, tB, m, n, k, as[ai:ai+aSize], lda, bs[bi:bi+bSize], ldb, os[i*m*n:(i+1)*m*n], n)
	}
	return out, nil
}

// gemm computes c = op(a)·op(b) with the kernel of T's precision.
func gemm[T float](g kernels.GEMM, tA, tB bool, m, n, k int, a []T, lda int, b []T, ldb int, c []T, ldc int) {
	switch a := any(a).(type) {
	case []float32:
		g.Sgemm(tA, tB, m, n, k, 1, a, lda, any(b).([]float32), ldb, 0, any(c).([]float32), ldc)
	case []float64:
		g.Dgemm(tA, tB, m, n, k, 1, a, lda, any(b).([]float64), ldb, 0, any(c).([]float64), ldc)
	}
}
