package kernels

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"

	"github.com/pushforward/pushforward/runtime/kernels/isa"
)

// BLAS is gonum's pure-Go BLAS with Sgemm and Dgemm replaced by Packed's, so
// that gonum code (mat, lapack) multiplies with these kernels after
//
//	blas32.Use(kernels.BLAS{})
//	blas64.Use(kernels.BLAS{})
//
// It implements blas.Float32 and blas.Float64; every routine other than the
// two GEMMs is gonum's (the embedded Implementation).
type BLAS struct {
	gonum.Implementation
	// Threads is Packed.Threads: the most goroutines a product uses, 0
	// meaning GOMAXPROCS.
	Threads int

	// level and setLevel choose the micro-kernels, as in Packed (tests).
	level    isa.Level
	setLevel bool
}

func (x BLAS) packed() Packed {
	return Packed{Threads: x.Threads, level: x.level, setLevel: x.setLevel}
}

var (
	_ blas.Float32 = BLAS{}
	_ blas.Float64 = BLAS{}
)

// Sgemm computes C = alpha·op(A)·op(B) + beta·C in row-major storage, as
// blas.Float32Level3 specifies, panicking on bad arguments as gonum does.
func (x BLAS) Sgemm(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	ta, tb := checkBLAS(tA, tB, m, n, k, len(a), lda, len(b), ldb, len(c), ldc)
	gemm(x.packed(), ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// Dgemm computes C = alpha·op(A)·op(B) + beta·C in row-major storage, as
// blas.Float64Level3 specifies, panicking on bad arguments as gonum does.
func (x BLAS) Dgemm(tA, tB blas.Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	ta, tb := checkBLAS(tA, tB, m, n, k, len(a), lda, len(b), ldb, len(c), ldc)
	gemm(x.packed(), ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// The panic messages of gonum's BLAS (blas/gonum/errors.go), which callers
// and gonum's tests match.
const (
	errBadTranspose = "blas: illegal transpose"
	errMLT0         = "blas: m < 0"
	errNLT0         = "blas: n < 0"
	errKLT0         = "blas: k < 0"
	errBadLdA       = "blas: bad leading dimension of A"
	errBadLdB       = "blas: bad leading dimension of B"
	errBadLdC       = "blas: bad leading dimension of C"
	errShortA       = "blas: insufficient length of a"
	errShortB       = "blas: insufficient length of b"
	errShortC       = "blas: insufficient length of c"
)

// checkBLAS validates the arguments in gonum's order and with its messages,
// and returns the transposes as booleans. Like gonum, it checks the slice
// lengths only when the product is not empty.
func checkBLAS(tA, tB blas.Transpose, m, n, k, lenA, lda, lenB, ldb, lenC, ldc int) (bool, bool) {
	isTrans := func(t blas.Transpose) bool {
		switch t {
		case blas.NoTrans:
			return false
		case blas.Trans, blas.ConjTrans:
			return true
		}
		panic(errBadTranspose)
	}
	ta, tb := isTrans(tA), isTrans(tB)
	switch {
	case m < 0:
		panic(errMLT0)
	case n < 0:
		panic(errNLT0)
	case k < 0:
		panic(errKLT0)
	}
	if ta {
		if lda < max(1, m) {
			panic(errBadLdA)
		}
	} else if lda < max(1, k) {
		panic(errBadLdA)
	}
	if tb {
		if ldb < max(1, k) {
			panic(errBadLdB)
		}
	} else if ldb < max(1, n) {
		panic(errBadLdB)
	}
	if ldc < max(1, n) {
		panic(errBadLdC)
	}
	if m == 0 || n == 0 {
		return ta, tb
	}
	if ta {
		if lenA < lda*(k-1)+m {
			panic(errShortA)
		}
	} else if lenA < lda*(m-1)+k {
		panic(errShortA)
	}
	if tb {
		if lenB < ldb*(n-1)+k {
			panic(errShortB)
		}
	} else if lenB < ldb*(k-1)+n {
		panic(errShortB)
	}
	if lenC < ldc*(m-1)+n {
		panic(errShortC)
	}
	return ta, tb
}
