// Package kernels holds the numerical kernels shared by the interpreter and
// generated code: matrix products behind the GEMM interface, vectorised
// elementwise kernels for the ops training steps run most (BinaryVV,
// BinaryVS, BinarySV, Relu, Step), the helper goroutines that split work
// across cores (Parallel), and the dense linear algebra of the IR ops qr,
// svd, eigh, cholesky and triangular_solve.
//
// All matrices are row-major slices with explicit dimensions. GEMM is an
// interface with two implementations: Packed, the default (see Default and
// SetDefault), and Gonum, which wraps gonum's pure-Go BLAS. The
// linear-algebra helpers work in float64 on one matrix at a time; callers
// convert f32 data and loop over batch axes.
//
// # The packed GEMM
//
// Packed is blocked and packed in the manner of GotoBLAS and BLIS: op(A)
// is copied into panels of 6 rows and op(B) into panels of 16 (f32) or 8
// (f64) columns, cut along k into blocks of at most 256, and a micro-kernel
// computes a 6×16 or 6×8 tile of C from one pair of panels with the
// accumulators in registers. On amd64 with AVX2 and FMA (checked at run
// time with golang.org/x/sys/cpu) the micro-kernels and the packing are
// assembly (microkernel_amd64.s, pack_amd64.s); elsewhere, or with the
// noasm build tag, a pure-Go twin runs instead. The twin emulates the
// single rounding of the hardware FMA, so both give the same bits, which
// the tests check.
//
// Products are split into tasks of whole tiles of C run on the calling
// goroutine and idle helpers (Parallel). Each element of C is computed by
// one micro-kernel call per k-block, in the same order whatever the number
// of goroutines, so results depend on the dimensions only. Packing buffers
// are recycled by power-of-two size class and task objects by type, and
// either pool, when it runs out, makes a processor's worth at once (see
// buffers.go): steady use allocates nothing, even when a loaded machine
// first runs more products side by side long after warm-up. Packed also
// runs batches of small products side by side (BatchGEMM), and BLAS
// exposes it to gonum (blas32.Use, blas64.Use).
//
// # Small outputs and Gram products
//
// An output of at most 32×32 elements (the k×k Gram matrices of the guess
// pass) is computed as dot products instead (dot.go, dot_amd64.s): twelve
// at a time from four rows of op(A) and three columns of op(B), without
// packing, when both are contiguous along k (A·Bᵀ) or when the product is a
// Gram product, op(B) = op(A)ᵀ over the same memory. A Gram product computes
// the dot products on and below the diagonal only and mirrors them, as
// BLAS's SYRK does, so its result is exactly symmetric. The path is chosen
// from the shapes alone (never from the number of goroutines, which would
// change the summation order): a lone small product with a long k spreads
// its blocks of dot products over the helpers instead. A batch of
// 512 Y·Yᵀ products of 30×512 blocks in f32 takes 3.8 ms on two cores
// against 6.8 ms through packing (BenchmarkSmallBatch). Matrix-vector
// products (n = 1 with a contiguous vector, matvec.go) stream the matrix
// once, as row dot products (A·x) or as a combination of rows (Aᵀ·x). The
// kernels are generated (mkdot.go) and have Go twins that give the same
// bits.
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
