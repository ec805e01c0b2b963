package kernels

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/lapack"
	lapackgonum "gonum.org/v1/gonum/lapack/gonum"
)

// Errors of the decompositions. Callers add which matrix failed.
var (
	ErrNotPositiveDefinite = errors.New("matrix is not positive definite")
	ErrSingular            = errors.New("triangular matrix is singular (zero on the diagonal)")
	ErrNoConvergence       = errors.New("decomposition did not converge")
)

var lapackImpl lapackgonum.Implementation

// Scratch holds the working memory of the decompositions, so that a
// caller that runs many (a batch, step after step) allocates it once: its
// methods are the package functions of the same names, and reuse it. The
// zero value is ready to use; a Scratch must not be used by two goroutines
// at once.
type Scratch struct {
	f, tau, vt, work []float64
	query            [1]float64
}

// take returns buf with length n, reallocated only when too short.
func take(buf *[]float64, n int) []float64 {
	if cap(*buf) < n {
		*buf = make([]float64, n)
	}
	return (*buf)[:n]
}

// workspace returns a work slice of the size a LAPACK routine asks for in
// its lwork = -1 query.
func (s *Scratch) workspace(query func(work []float64, lwork int)) []float64 {
	query(s.query[:], -1)
	return take(&s.work, max(1, int(s.query[0])))
}

// QR is Scratch.QR with scratch of its own.
func QR(m, n int, a, q, r []float64) { new(Scratch).QR(m, n, a, q, r) }

// SVD is Scratch.SVD with scratch of its own.
func SVD(m, n int, a, u, s, v []float64) error { return new(Scratch).SVD(m, n, a, u, s, v) }

// Eigh is Scratch.Eigh with scratch of its own.
func Eigh(n int, a, w, v []float64) error { return new(Scratch).Eigh(n, a, w, v) }

func checkLen(what string, s []float64, n int) {
	if len(s) < n {
		panic(fmt.Sprintf("kernels: %s has length %d, want at least %d", what, len(s), n))
	}
}

// QR computes the reduced QR factorisation a = q·r of the m×n matrix a,
// writing q (m×k, orthonormal columns) and r (k×n, upper triangular) with
// k = min(m, n) and diag(r) ≥ 0. a is not modified.
func (s *Scratch) QR(m, n int, a, q, r []float64) {
	k := min(m, n)
	checkLen("a", a, m*n)
	checkLen("q", q, m*k)
	checkLen("r", r, k*n)
	if k == 0 {
		return
	}
	f := take(&s.f, m*n)
	copy(f, a[:m*n])
	tau := take(&s.tau, k)
	work := s.workspace(func(w []float64, l int) { lapackImpl.Dgeqrf(m, n, f, n, tau, w, l) })
	lapackImpl.Dgeqrf(m, n, f, n, tau, work, len(work))

	// r is the upper triangle of the first k rows; read it before Dorgqr
	// overwrites f with q.
	for i := range k {
		for j := range n {
			r[i*n+j] = 0
			if j >= i {
				r[i*n+j] = f[i*n+j]
			}
		}
	}
	work = s.workspace(func(w []float64, l int) { lapackImpl.Dorgqr(m, k, k, f, n, tau, w, l) })
	lapackImpl.Dorgqr(m, k, k, f, n, tau, work, len(work))
	for i := range m {
		copy(q[i*k:(i+1)*k], f[i*n:i*n+k])
	}

	for i := range k {
		if r[i*n+i] < 0 {
			negateRow(r, n, i)
			negateColumn(q, m, k, i)
		}
	}
}

// SVD computes the thin singular value decomposition a = u·diag(s)·vᵀ of the
// m×n matrix a, writing u (m×k), s (k, descending) and v (n×k) with
// k = min(m, n), signed by the rule of the package documentation. a is not
// modified.
func (sc *Scratch) SVD(m, n int, a, u, s, v []float64) error {
	k := min(m, n)
	checkLen("a", a, m*n)
	checkLen("u", u, m*k)
	checkLen("s", s, k)
	checkLen("v", v, n*k)
	if k == 0 {
		return nil
	}
	f := take(&sc.f, m*n)
	copy(f, a[:m*n])
	vt := take(&sc.vt, k*n)
	svd := func(w []float64, l int) bool {
		return lapackImpl.Dgesvd(lapack.SVDStore, lapack.SVDStore, m, n, f, n, s, u, k, vt, n, w, l)
	}
	work := sc.workspace(func(w []float64, l int) { svd(w, l) })
	if !svd(work, len(work)) {
		return ErrNoConvergence
	}
	for i := range n {
		for j := range k {
			v[i*k+j] = vt[j*n+i]
		}
	}
	for j := range k {
		if largestIsNegative(v, n, k, j) {
			negateColumn(v, n, k, j)
			negateColumn(u, m, k, j)
		}
	}
	return nil
}

// Eigh computes the eigendecomposition a = v·diag(w)·vᵀ of the symmetric
// part (a + aᵀ)/2 of the n×n matrix a, writing the eigenvalues w in
// ascending order and the eigenvectors as the columns of v (n×n), signed by
// the rule of the package documentation. a is not modified.
func (s *Scratch) Eigh(n int, a, w, v []float64) error {
	checkLen("a", a, n*n)
	checkLen("w", w, n)
	checkLen("v", v, n*n)
	if n == 0 {
		return nil
	}
	symmetricPart(n, a, v)
	syev := func(work []float64, l int) bool {
		return lapackImpl.Dsyev(lapack.EVCompute, blas.Lower, n, v, n, w, work, l)
	}
	work := s.workspace(func(work []float64, l int) { syev(work, l) })
	if !syev(work, len(work)) {
		return ErrNoConvergence
	}
	for j := range n {
		if largestIsNegative(v, n, n, j) {
			negateColumn(v, n, n, j)
		}
	}
	return nil
}

// Cholesky computes the lower-triangular factor l with a positive diagonal
// of the symmetric part s = (a + aᵀ)/2 of the n×n matrix a, so that
// s = l·lᵀ. It returns ErrNotPositiveDefinite if s is not positive definite.
// a is not modified.
func Cholesky(n int, a, l []float64) error {
	checkLen("a", a, n*n)
	checkLen("l", l, n*n)
	symmetricPart(n, a, l)
	if !lapackImpl.Dpotrf(blas.Lower, n, l, max(1, n)) {
		return ErrNotPositiveDefinite
	}
	for i := range n {
		clear(l[i*n+i+1 : (i+1)*n])
	}
	return nil
}

// TriangularSolve solves op(a)·x = b (left) or x·op(a) = b (not left) for
// the rows×cols matrix x, where b is rows×cols, a is triangular (rows×rows
// if left, else cols×cols; only its lower or upper triangle is read) and
// op(a) is a or, if transA, aᵀ. It returns ErrSingular if a has a zero on
// its diagonal. a and b are not modified.
func TriangularSolve(left, lower, transA bool, rows, cols int, a, b, x []float64) error {
	n := cols
	side := blas.Right
	if left {
		n, side = rows, blas.Left
	}
	checkLen("a", a, n*n)
	checkLen("b", b, rows*cols)
	checkLen("x", x, rows*cols)
	for i := range n {
		if a[i*n+i] == 0 {
			return ErrSingular
		}
	}
	copy(x, b[:rows*cols])
	if rows == 0 || cols == 0 {
		return nil
	}
	uplo := blas.Upper
	if lower {
		uplo = blas.Lower
	}
	gonumBLAS.Dtrsm(side, uplo, transpose(transA), blas.NonUnit, rows, cols, 1, a, n, x, cols)
	return nil
}

// symmetricPart writes (a + aᵀ)/2 of the n×n matrix a into s.
func symmetricPart(n int, a, s []float64) {
	for i := range n {
		for j := range n {
			s[i*n+j] = 0.5 * (a[i*n+j] + a[j*n+i])
		}
	}
}

// largestIsNegative reports whether the entry of largest magnitude in column
// j of the rows×cols matrix x (the first such on ties) is negative.
func largestIsNegative(x []float64, rows, cols, j int) bool {
	best := 0.0
	for i := range rows {
		if e := x[i*cols+j]; math.Abs(e) > math.Abs(best) {
			best = e
		}
	}
	return best < 0
}

func negateColumn(x []float64, rows, cols, j int) {
	for i := range rows {
		x[i*cols+j] = -x[i*cols+j]
	}
}

func negateRow(x []float64, cols, i int) {
	for j := range cols {
		x[i*cols+j] = -x[i*cols+j]
	}
}
