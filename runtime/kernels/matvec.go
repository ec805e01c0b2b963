package kernels

// Matrix-vector products, n = 1, such as the power iterations of W̃⊥-NS's
// spectral norm (a thousand a step): through the packed path the vector
// would be padded to a 16-column panel and the matrix packed, for two
// multiply-adds an element loaded. Here the matrix is streamed once: as dot
// products of its rows with the vector (A·x, eight rows at a time), or as
// a combination of its rows weighted by the vector (Aᵀ·x, 64 f32 or 32 f64
// outputs at a time, each a chain of fused multiply-adds in row order).

// matvecPath reports whether op(B) is a contiguous column: n = 1 and B
// either a row (tB) or a column with unit stride.
func matvecPath(tB bool, n, ldb int) bool { return n == 1 && (tB || ldb == 1) }

// matvec computes c[i·ldc] = alpha·(op(a)·x)[i] + beta·c[i·ldc] for the k
// elements of x; see matvecPath. goKernels selects the Go twins.
func matvec[T float](goKernels, tA bool, m, k int, alpha T, a []T, lda int, x []T, beta T, c []T, ldc int) {
	pool := buffers[T]()
	y := pool.get(m)
	defer pool.put(y)
	x = x[:k]
	if tA {
		combineRows(goKernels, k, x, a, lda, y)
	} else {
		rowDots(goKernels, k, a, lda, x, y)
	}
	for i, yi := range y {
		axpby(&c[i*ldc], alpha, yi, beta)
	}
}

// rowDots sets y[i] to the dot product of row i of a (k elements, rows lda
// apart) with x.
func rowDots[T float](goKernels bool, k int, a []T, lda int, x, y []T) {
	m := len(y)
	if goKernels || !haveAsm {
		for i := range y {
			y[i] = dotGo(a[i*lda:i*lda+k], x)
		}
		return
	}
	var rows [8]*T
	var out [8]T
	xp := [1]*T{&x[0]}
	for i0 := 0; i0 < m; i0 += len(rows) {
		for r := range rows {
			rows[r] = &a[min(i0+r, m-1)*lda] // past the edge: repeat the last row
		}
		switch rows := any(&rows).(type) {
		case *[8]*float32:
			sdotKernel8x1(k, rows, any(&xp).(*[1]*float32), any(&out).(*[8]float32))
		case *[8]*float64:
			ddotKernel8x1(k, rows, any(&xp).(*[1]*float64), any(&out).(*[8]float64))
		}
		copy(y[i0:], out[:min(len(rows), m-i0)])
	}
}

// combineRows sets y[j] = Σ_p x[p]·a[p·lda + j] for the k rows of a: whole
// blocks of 64 f32 or 32 f64 outputs in assembly, the rest in Go.
func combineRows[T float](goKernels bool, k int, x, a []T, lda int, y []T) {
	j := 0
	if !goKernels && haveAsm {
		switch x := any(x).(type) {
		case []float32:
			a, y := any(a).([]float32), any(y).([]float32)
			for ; j+64 <= len(y); j += 64 {
				scombineRows64(k, &x[0], &a[j], lda, (*[64]float32)(y[j:]))
			}
		case []float64:
			a, y := any(a).([]float64), any(y).([]float64)
			for ; j+32 <= len(y); j += 32 {
				dcombineRows32(k, &x[0], &a[j], lda, (*[32]float64)(y[j:]))
			}
		}
	}
	combineRowsGo(k, x, a[j:], lda, y[j:])
}

// combineRowsGo is the Go twin of the row-combination kernels: each output
// is a chain of fused multiply-adds in increasing p.
func combineRowsGo[T float](k int, x, a []T, lda int, y []T) {
	fma := fmaOf[T]()
	for j := range y {
		var s T
		for p := range k {
			s = fma(a[p*lda+j], x[p], s)
		}
		y[j] = s
	}
}
