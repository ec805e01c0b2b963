// Package kernels holds the numerical kernels shared by the interpreter and
// generated code: matrix products behind the GEMM interface, and the dense
// linear algebra of the IR ops qr, svd, eigh, cholesky and triangular_solve.
//
// All matrices are row-major slices with explicit dimensions. GEMM is an
// interface so that a faster implementation (blocked, packed, assembly) can
// replace the default, which wraps gonum's pure-Go BLAS; see Default and
// SetDefault. The linear-algebra helpers work in float64 on one matrix at a
// time; callers convert f32 data and loop over batch axes.
//
// # Conventions of the decompositions
//
// Decompositions are made unique where the mathematics leaves a choice, so
// that the interpreter, generated code and tests agree:
//
//   - QR is reduced: a (m×n) = q r with q m×k, r k×n, k = min(m, n), and
//     diag(r) ≥ 0 (rows of r and columns of q are negated where LAPACK
//     returns a negative diagonal).
//   - SVD is thin: a (m×n) = u diag(s) vᵀ with u m×k, s k, v n×k, singular
//     values descending. Each column of v is signed so that its entry of
//     largest magnitude (the first such on ties) is positive, and the same
//     column of u is negated with it.
//   - Eigh: a = v diag(w) vᵀ with w ascending and eigenvectors in the
//     columns of v, each signed like the columns of v in the SVD. It
//     decomposes the symmetric part (a + aᵀ)/2, so every entry of a matters
//     and a derivative rule should symmetrise its tangent.
//   - Cholesky: a = l lᵀ with l lower triangular with a positive diagonal,
//     again of the symmetric part (a + aᵀ)/2. A matrix that is not positive
//     definite gives ErrNotPositiveDefinite.
//   - TriangularSolve reads only the triangle of a that it is told (lower or
//     upper); the other is ignored, as in LAPACK. An exact zero on the
//     diagonal gives ErrSingular.
//
// Singular vectors and eigenvectors of repeated values are not unique at
// all; the sign rules only fix the choice for distinct values.
package kernels
