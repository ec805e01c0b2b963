package kernels

import "math"

// choleskyBlock is the width of the column blocks of CholeskyBlocked: the
// diagonal blocks are factored and inverted in plain Go, the rest is
// matrix products.
const choleskyBlock = 32

// CholeskyBlocked computes, in T's own precision, the lower-triangular
// factor l with a positive diagonal of the symmetric part s = (a + aᵀ)/2 of
// the n×n matrix a, so that s = l·lᵀ, as Cholesky does in float64 through
// LAPACK. It returns ErrNotPositiveDefinite if s is not positive definite
// (a pivot is not positive), and leaves l undefined then. a is not
// modified; l must not overlap it.
//
// It is blocked by columns of choleskyBlock: each diagonal block is
// factored and its triangle inverted by plain loops, and the block column
// below it (L21 = A21·L11⁻ᵀ) and the trailing matrix (A22 − L21·L21ᵀ) are
// updated by Packed products on the calling goroutine (the callers run a
// batch of matrices side by side). Every operation's order depends on n
// only, and the plain loops round each product (no fused multiply-add the
// compiler might choose), so results are the same on every platform and
// goroutine count. With f32 data, no conversion to float64 is needed: the
// per-example factors of W̃ᴾ's guesses (a 256×256 Gram matrix per example)
// run at the speed of the products.
func CholeskyBlocked[T Float](n int, a, l []T) error {
	return choleskyBlocked(Packed{Threads: 1}, n, a, l)
}

// choleskyBlocked is CholeskyBlocked with the products of g.
func choleskyBlocked[T Float](g Packed, n int, a, l []T) error {
	if len(a) < n*n || len(l) < n*n {
		panic("kernels: CholeskyBlocked: a or l shorter than n×n")
	}
	for i := range n {
		for j := range i + 1 {
			l[i*n+j] = T(0.5) * (a[i*n+j] + a[j*n+i])
		}
		clear(l[i*n+i+1 : (i+1)*n])
	}
	pool := buffers[T]()
	// (L11⁻¹)ᵀ, and a copy of A21 (a product may not write its operand),
	// from the pool: the products keep their operands in heap objects, so
	// arrays here would escape.
	inv := pool.get(choleskyBlock * choleskyBlock)
	a21 := pool.get(max(0, n-choleskyBlock) * choleskyBlock)
	defer pool.put(inv)
	defer pool.put(a21)
	for j0 := 0; j0 < n; j0 += choleskyBlock {
		jb := min(choleskyBlock, n-j0)
		d := l[j0*n+j0:]
		if !factorDiagonal(jb, d, n) {
			return ErrNotPositiveDefinite
		}
		rest := n - j0 - jb
		if rest == 0 {
			break
		}
		invertLowerTransposed(jb, d, n, inv[:jb*jb])
		// L21 = A21·L11⁻ᵀ.
		panel := l[(j0+jb)*n+j0:]
		for i := range rest {
			copy(a21[i*jb:(i+1)*jb], panel[i*n:i*n+jb])
		}
		gemm(g, false, false, rest, jb, jb, 1, a21, jb, inv[:jb*jb], jb, 0, panel, n)
		// A22 -= L21·L21ᵀ; only its lower triangle is read later, and the
		// upper one is cleared at the end.
		trailing := l[(j0+jb)*n+j0+jb:]
		gemm(g, false, true, rest, rest, jb, -1, panel, n, panel, n, 1, trailing, n)
	}
	for i := range n {
		clear(l[i*n+i+1 : (i+1)*n])
	}
	return nil
}

// factorDiagonal factors in place the jb×jb lower triangle at d (row
// stride ld), from which the earlier blocks' products are already
// subtracted: column by column, each product rounded before it is
// subtracted. It reports false at a pivot that is not positive (or NaN).
func factorDiagonal[T Float](jb int, d []T, ld int) bool {
	for j := range jb {
		rowJ := d[j*ld : j*ld+j+1]
		s := rowJ[j]
		for _, x := range rowJ[:j] {
			s -= T(x * x)
		}
		if !(s > 0) {
			return false
		}
		// The square root of a float32 computed in float64 and rounded
		// is the correctly rounded float32 square root.
		ljj := T(math.Sqrt(float64(s)))
		rowJ[j] = ljj
		for i := j + 1; i < jb; i++ {
			rowI := d[i*ld : i*ld+j+1]
			s := rowI[j]
			for p, x := range rowJ[:j] {
				s -= T(rowI[p] * x)
			}
			rowI[j] = s / ljj
		}
	}
	return true
}

// invertLowerTransposed sets out (jb×jb, row-major) to (L⁻¹)ᵀ for the
// lower-triangular jb×jb L at d (row stride ld), by forward substitution
// column by column of L⁻¹: out[c·jb + i] = (L⁻¹)[i][c], zero for i < c.
func invertLowerTransposed[T Float](jb int, d []T, ld int, out []T) {
	clear(out)
	for c := range jb {
		x := out[c*jb : (c+1)*jb] // column c of L⁻¹
		x[c] = 1 / d[c*ld+c]
		for i := c + 1; i < jb; i++ {
			rowI := d[i*ld : i*ld+i+1]
			var s T
			for p := c; p < i; p++ {
				s += T(rowI[p] * x[p])
			}
			x[i] = -s / rowI[i]
		}
	}
}
