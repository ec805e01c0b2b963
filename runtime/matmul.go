package runtime

import (
	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/runtime/kernels"
	"github.com/pushforward/pushforward/runtime/ops"
)

// bindMatmul binds matmul: it multiplies the last two axes of a and b,
// broadcasting the leading (batch) axes. The offsets of each batch
// element's matrices are computed here; a kernels.BatchGEMM gets the whole
// batch in one call (and may run small products side by side), any other
// GEMM one call per batch element.
func bindMatmul[T ops.Float](b *binding) (runFunc, error) {
	tA, err := b.in.BoolAttr("transpose_a")
	if err != nil {
		return nil, err
	}
	tB, err := b.in.BoolAttr("transpose_b")
	if err != nil {
		return nil, err
	}
	aShape, bShape := b.in.Args[0].Type.Shape, b.in.Args[1].Type.Shape
	batch, m, k, n, err := ir.MatmulDims(aShape, bShape, tA, tB)
	if err != nil {
		return nil, err
	}
	if m == 0 || n == 0 || k == 0 {
		// Empty, or a sum of no terms: zeros.
		return func(_ *execCtx, _, outs []*Tensor) error {
			clear(elems[T](outs[0]))
			return nil
		}, nil
	}
	ra, rb := len(aShape), len(bShape)
	// Row strides as stored, and the element count of one matrix.
	lda, ldb := aShape[ra-1], bShape[rb-1]
	aSize, bSize := aShape[ra-2]*lda, bShape[rb-2]*ldb
	aBatch := broadcastOffsets(aShape[:ra-2], batch)
	bBatch := broadcastOffsets(bShape[:rb-2], batch)
	count := batch.Size()
	aOff, bOff, cOff := make([]int, count), make([]int, count), make([]int, count)
	for i := range count {
		aOff[i], bOff[i], cOff[i] = at(aBatch, i)*aSize, at(bBatch, i)*bSize, i*m*n
	}
	g := b.cfg.gemm
	bg, batched := g.(kernels.BatchGEMM)
	return func(_ *execCtx, args, outs []*Tensor) error {
		as, bs, os := elems[T](args[0]), elems[T](args[1]), elems[T](outs[0])
		switch as := any(as).(type) {
		case []float32:
			bs, os := any(bs).([]float32), any(os).([]float32)
			if batched {
				bg.SgemmBatch(tA, tB, m, n, k, 1, as, lda, aOff, bs, ldb, bOff, 0, os, n, cOff)
				return nil
			}
			for i := range count {
				g.Sgemm(tA, tB, m, n, k, 1, as[aOff[i]:aOff[i]+aSize], lda, bs[bOff[i]:bOff[i]+bSize], ldb, 0, os[cOff[i]:cOff[i]+m*n], n)
			}
		case []float64:
			bs, os := any(bs).([]float64), any(os).([]float64)
			if batched {
				bg.DgemmBatch(tA, tB, m, n, k, 1, as, lda, aOff, bs, ldb, bOff, 0, os, n, cOff)
				return nil
			}
			for i := range count {
				g.Dgemm(tA, tB, m, n, k, 1, as[aOff[i]:aOff[i]+aSize], lda, bs[bOff[i]:bOff[i]+bSize], ldb, 0, os[cOff[i]:cOff[i]+m*n], n)
			}
		}
		return nil
	}, nil
}

// broadcastOffsets returns for each element of shape dst the offset of the
// element of a shape-src tensor broadcast to it, or nil when src equals
// dst and the offsets are the identity (see at).
func broadcastOffsets(src, dst ir.Shape) []int {
	if src.Equal(dst) {
		return nil
	}
	return ops.WalkOffsets(dst, ops.BroadcastStrides(src, dst), 0)
}

// at returns offs[i], or i for the identity nil.
func at(offs []int, i int) int {
	if offs == nil {
		return i
	}
	return offs[i]
}
