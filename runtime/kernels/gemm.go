package kernels

import (
	"sync/atomic"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// GEMM computes general matrix products on row-major matrices:
//
//	c = alpha·op(a)·op(b) + beta·c
//
// where op(a) is a, or aᵀ if tA is set, and is m×k; op(b) is k×n and c is
// m×n. lda, ldb and ldc are the row strides of a, b and c as stored (so lda
// is at least k, or m if tA is set). When beta is 0, c is overwritten and
// its previous contents (even NaN) do not matter.
//
// Implementations must accept zero dimensions and must be safe for
// concurrent use. Each element of c must be computed in an order that
// depends only on the dimensions, so that repeated products agree bit for
// bit.
type GEMM interface {
	Sgemm(tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int)
	Dgemm(tA, tB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int)
}

// Gonum is the GEMM of gonum's pure-Go BLAS (gonum.org/v1/gonum/blas/gonum),
// which is blocked and splits large products across goroutines.
type Gonum struct{}

var gonumBLAS gonum.Implementation

func transpose(t bool) blas.Transpose {
	if t {
		return blas.Trans
	}
	return blas.NoTrans
}

// Sgemm implements GEMM.
func (Gonum) Sgemm(tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if degenerate(m, n, k, beta, c, ldc) {
		return
	}
	gonumBLAS.Sgemm(transpose(tA), transpose(tB), m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// Dgemm implements GEMM.
func (Gonum) Dgemm(tA, tB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	if degenerate(m, n, k, beta, c, ldc) {
		return
	}
	gonumBLAS.Dgemm(transpose(tA), transpose(tB), m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// degenerate handles the products with a zero dimension, which gonum's
// stride checks reject (a row stride must be at least 1): with k = 0 the
// product is empty and c becomes beta·c. It reports whether it did the work.
func degenerate[T float32 | float64](m, n, k int, beta T, c []T, ldc int) bool {
	if m > 0 && n > 0 && k > 0 {
		return false
	}
	if k > 0 {
		return true // m or n is 0: nothing to write
	}
	for i := range m {
		row := c[i*ldc : i*ldc+n]
		for j := range row {
			if beta == 0 {
				row[j] = 0
			} else {
				row[j] *= beta
			}
		}
	}
	return true
}

// gemmBox gives atomic.Pointer a concrete type to hold the interface.
type gemmBox struct{ GEMM }

var defaultGEMM atomic.Pointer[gemmBox]

func init() { defaultGEMM.Store(&gemmBox{Packed{}}) }

// Default returns the GEMM used when none is chosen explicitly; initially
// Packed, on all the processors.
func Default() GEMM { return defaultGEMM.Load().GEMM }

// SetDefault makes g the default GEMM. It is safe to call concurrently with
// Default, but interpreters already built keep the kernel they were given.
// It panics if g is nil.
func SetDefault(g GEMM) {
	if g == nil {
		panic("kernels: SetDefault(nil)")
	}
	defaultGEMM.Store(&gemmBox{g})
}
