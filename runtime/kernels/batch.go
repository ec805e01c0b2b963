package kernels

import "runtime"

// BatchGEMM is implemented by GEMMs that can run a batch of independent
// products of one shape at once, as the interpreter's matmul does over
// leading batch axes. Product i is
//
//	c[cOff[i]:] = alpha·op(a[aOff[i]:])·op(b[bOff[i]:]) + beta·c[cOff[i]:]
//
// with the strides and transposes of GEMM; the offset slices have one
// entry per product. Products must not write overlapping parts of c.
type BatchGEMM interface {
	GEMM
	SgemmBatch(tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, aOff []int, b []float32, ldb int, bOff []int, beta float32, c []float32, ldc int, cOff []int)
	DgemmBatch(tA, tB bool, m, n, k int, alpha float64, a []float64, lda int, aOff []int, b []float64, ldb int, bOff []int, beta float64, c []float64, ldc int, cOff []int)
}

var _ BatchGEMM = Packed{}

// SgemmBatch implements BatchGEMM.
func (g Packed) SgemmBatch(tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, aOff []int, b []float32, ldb int, bOff []int, beta float32, c []float32, ldc int, cOff []int) {
	gemmBatch(g, tA, tB, m, n, k, alpha, a, lda, aOff, b, ldb, bOff, beta, c, ldc, cOff)
}

// DgemmBatch implements BatchGEMM.
func (g Packed) DgemmBatch(tA, tB bool, m, n, k int, alpha float64, a []float64, lda int, aOff []int, b []float64, ldb int, bOff []int, beta float64, c []float64, ldc int, cOff []int) {
	gemmBatch(g, tA, tB, m, n, k, alpha, a, lda, aOff, b, ldb, bOff, beta, c, ldc, cOff)
}

// gemmBatch runs products one after the other, each spread over the
// threads, when they are very large (2²⁶ multiply-adds) or too few to share
// out (under four a thread) and not small; otherwise side by side, one
// goroutine per group of products, which saves the synchronisation of
// splitting each product (512 products of 128³ in f32: 88 → 106 GFLOP/s on
// two cores, BenchmarkBatchProducts). Products with a small output (whose
// dot path splits into small parts) always run side by side. Either way
// each product is computed exactly as a lone call would compute it (results
// never depend on the threads).
func gemmBatch[T float](g Packed, tA, tB bool, m, n, k int, alpha T, a []T, lda int, aOff []int, b []T, ldb int, bOff []int, beta T, c []T, ldc int, cOff []int) {
	count := len(cOff)
	if len(aOff) != count || len(bOff) != count {
		panic("kernels: GEMM batch offsets of different lengths")
	}
	threads := g.Threads
	if threads <= 0 {
		threads = runtime.GOMAXPROCS(0)
	}
	work := int64(m) * int64(n) * int64(k)
	large := work >= 256*minWorkPerThread || count < 4*threads && work >= minWorkPerThread
	if count == 1 || threads == 1 || large && !smallOutput(m, n, k) {
		for i := range count {
			gemm(g, tA, tB, m, n, k, alpha, a[aOff[i]:], lda, b[bOff[i]:], ldb, beta, c[cOff[i]:], ldc)
		}
		return
	}
	bt := getBatchTask[T]()
	*bt = batchTask[T]{g: g, tA: tA, tB: tB, m: m, n: n, k: k, alpha: alpha, beta: beta,
		a: a, b: b, c: c, lda: lda, ldb: ldb, ldc: ldc, aOff: aOff, bOff: bOff, cOff: cOff}
	bt.g.Threads = 1
	// Enough parts to balance the load, each worth at least a thread's
	// minimum of work.
	perPart := max(1, int(minWorkPerThread/max(1, work)))
	bt.parts = min(ceilDiv(count, perPart), 4*threads)
	ParallelN(bt.parts, threads, bt)
	*bt = batchTask[T]{}
	putBatchTask(bt)
}

// A batchTask runs a contiguous group of a batch's products per part.
type batchTask[T float] struct {
	g                Packed
	tA, tB           bool
	m, n, k          int
	alpha, beta      T
	a, b, c          []T
	lda, ldb, ldc    int
	aOff, bOff, cOff []int
	parts            int
}

// RunPart implements Task.
func (t *batchTask[T]) RunPart(p int) {
	count := len(t.cOff)
	for i := p * count / t.parts; i < (p+1)*count/t.parts; i++ {
		gemm(t.g, t.tA, t.tB, t.m, t.n, t.k, t.alpha, t.a[t.aOff[i]:], t.lda, t.b[t.bOff[i]:], t.ldb, t.beta, t.c[t.cOff[i]:], t.ldc)
	}
}

var (
	batchTasksS freeList[batchTask[float32]]
	batchTasksD freeList[batchTask[float64]]
)

func getBatchTask[T float]() *batchTask[T] {
	var zero T
	if _, ok := any(zero).(float32); ok {
		return any(batchTasksS.get()).(*batchTask[T])
	}
	return any(batchTasksD.get()).(*batchTask[T])
}

func putBatchTask[T float](t *batchTask[T]) {
	switch t := any(t).(type) {
	case *batchTask[float32]:
		batchTasksS.put(t)
	case *batchTask[float64]:
		batchTasksD.put(t)
	}
}
