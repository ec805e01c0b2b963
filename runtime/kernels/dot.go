package kernels

import "math"

// Small products: an output of at most smallDim×smallDim elements, such as
// the k×k Gram matrices YYᵀ of the guess pass's subspace methods, is a
// handful of long dot products. The packed path would copy both operands
// into panels (as much memory traffic as the arithmetic is worth, for a
// 30×30 output) and pad the output to 6×16 tiles; here each block of
// 4×3 outputs is computed directly from the rows, twelve vector
// accumulators at once. It takes products whose operands are both
// contiguous along k (A·Bᵀ), and Gram products, where op(B) is op(A)ᵀ over
// the same memory (A·Aᵀ, or Aᵀ·A after one transposition into scratch):
// those compute the blocks on and below the diagonal only and mirror them
// (as BLAS's SYRK does), so the result is exactly symmetric.
const smallDim = 32

//go:generate go run mkdot.go
//go:generate go run mkgemm.go
//go:generate go run mkjacobi.go

// Register blocks of the dot kernels.
const dotRows, dotCols = 4, 3

// smallOutput reports whether an m×n output with k terms is small enough
// for the dot path.
func smallOutput(m, n, k int) bool {
	return m <= smallDim && n <= smallDim && k >= 8
}

// dotPath reports whether a product with a small output takes the dot
// path: when op(A)'s rows and op(B)'s columns are contiguous (A·Bᵀ), or
// when it is a Gram product, whose one transposed operand serves as both.
// Transposing two operands costs more than packing them.
func dotPath[T float](tA, tB bool, m, n int, a []T, lda int, b []T, ldb int) bool {
	return !tA && tB || isGram(tA, tB, m, n, a, lda, b, ldb)
}

// isGram reports whether op(B) is op(A)ᵀ over the same memory: A·Aᵀ or
// Aᵀ·A.
func isGram[T float](tA, tB bool, m, n int, a []T, lda int, b []T, ldb int) bool {
	return m == n && tA != tB && lda == ldb && &a[0] == &b[0]
}

// smallGEMM computes c = alpha·op(a)·op(b) + beta·c by dot products for a
// product that dotPath admits; see smallDim. goKernels selects the Go twin
// of the kernel. The blocks of dot products are spread over up to threads
// goroutines when the product is long enough to pay for them; each block
// is computed by one kernel call whoever runs it, so the result does not
// depend on threads.
func smallGEMM[T float](goKernels, tA, tB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int, threads int) {
	sp := smallProduct[T]{goKernels: goKernels, m: m, n: n, k: k, rowsA: a, ra: lda, rowsB: b, rb: ldb}
	sp.gram = isGram(tA, tB, m, n, a, lda, b, ldb)
	var scratch []T
	if tA {
		pool := buffers[T]()
		scratch = pool.get(m * k)
		transposeInto(scratch, a, lda, k, m)
		sp.rowsA, sp.ra = scratch, k
	}
	// op(B)'s columns are contiguous: dotPath admits no other case.
	if sp.gram {
		sp.rowsB, sp.rb = sp.rowsA, sp.ra
	}
	sp.colBlocks = ceilDiv(n, dotCols)
	parts := ceilDiv(m, dotRows) * sp.colBlocks
	work := int64(m) * int64(n) * int64(k)
	if workers := min(int64(threads), work/minWorkPerThread); workers <= 1 {
		var block [smallDim * smallDim]T // on the stack: no pool traffic per product
		dots := block[:m*n]
		for p := range parts {
			sp.block(p, dots)
		}
		sp.finish(dots, alpha, beta, c, ldc)
	} else {
		st := getSmallTask[T]()
		st.smallProduct = sp
		ParallelN(parts, int(workers), st)
		sp.finish(st.dots[:m*n], alpha, beta, c, ldc)
		st.smallProduct = smallProduct[T]{} // do not keep the caller's memory alive
		putSmallTask(st)
	}
	buffers[T]().put(scratch)
}

// A smallProduct is a small product's dot products, computed one block of
// dotRows×dotCols outputs at a time. Row i of op(A) and column j of op(B),
// k elements each, are at rowsA[i·ra:] and rowsB[j·rb:].
type smallProduct[T float] struct {
	goKernels    bool
	gram         bool
	m, n, k      int
	rowsA, rowsB []T
	ra, rb       int
	colBlocks    int
}

// block computes block p of the dots (m×n, row-major): the block at row
// block p/colBlocks and column block p%colBlocks. A Gram product skips the
// blocks above the diagonal, which finish mirrors.
func (sp *smallProduct[T]) block(p int, dots []T) {
	m, n, k := sp.m, sp.n, sp.k
	i0, j0 := p/sp.colBlocks*dotRows, p%sp.colBlocks*dotCols
	if sp.gram && j0 > i0+dotRows-1 {
		return
	}
	var pa [dotRows]*T
	var pb [dotCols]*T
	var sa [dotRows][]T
	var sb [dotCols][]T
	var out [dotRows * dotCols]T
	for r := range dotRows {
		i := min(i0+r, m-1) // past the edge: repeat the last row
		sa[r] = sp.rowsA[i*sp.ra : i*sp.ra+k]
		pa[r] = &sa[r][0]
	}
	for q := range dotCols {
		j := min(j0+q, n-1)
		sb[q] = sp.rowsB[j*sp.rb : j*sp.rb+k]
		pb[q] = &sb[q][0]
	}
	if sp.goKernels {
		dotKernelGo(k, &sa, &sb, &out)
	} else {
		dotKernel(k, &pa, &pb, &out)
	}
	for r := range min(dotRows, m-i0) {
		copy(dots[(i0+r)*n+j0:(i0+r)*n+min(j0+dotCols, n)], out[r*dotCols:])
	}
}

// finish sets c = alpha·dots + beta·c, mirroring a Gram product's lower
// triangle.
func (sp *smallProduct[T]) finish(dots []T, alpha, beta T, c []T, ldc int) {
	for i := range sp.m {
		for j := range sp.n {
			d := dots[i*sp.n+j]
			if sp.gram && j > i {
				d = dots[j*sp.n+i]
			}
			axpby(&c[i*ldc+j], alpha, d, beta)
		}
	}
}

// A smallTask spreads a long small product's blocks over goroutines, one
// block a part.
type smallTask[T float] struct {
	smallProduct[T]
	dots [smallDim * smallDim]T
}

// RunPart implements Task.
func (st *smallTask[T]) RunPart(p int) { st.block(p, st.dots[:st.m*st.n]) }

var (
	smallTasksS freeList[smallTask[float32]]
	smallTasksD freeList[smallTask[float64]]
)

func getSmallTask[T float]() *smallTask[T] {
	var zero T
	if _, ok := any(zero).(float32); ok {
		return any(smallTasksS.get()).(*smallTask[T])
	}
	return any(smallTasksD.get()).(*smallTask[T])
}

func putSmallTask[T float](st *smallTask[T]) {
	switch st := any(st).(type) {
	case *smallTask[float32]:
		smallTasksS.put(st)
	case *smallTask[float64]:
		smallTasksD.put(st)
	}
}

// axpby sets *c = alpha·d + beta·*c with each product rounded, as the
// micro-kernels' epilogue does, and without reading *c when beta is 0.
func axpby[T float](c *T, alpha, d, beta T) {
	if beta == 0 {
		*c = T(alpha * d)
	} else {
		*c = T(alpha*d) + T(beta**c)
	}
}

// transposeInto sets dst[j·rows+p] = x[p·ld+j] for p < rows, j < cols: the
// columns of a rows×cols matrix become contiguous rows.
func transposeInto[T float](dst, x []T, ld, rows, cols int) {
	for p := range rows {
		xr := x[p*ld : p*ld+cols]
		for j, v := range xr {
			dst[j*rows+p] = v
		}
	}
}

// dotKernel runs the assembly kernel of T's precision.
func dotKernel[T float](k int, a *[dotRows]*T, b *[dotCols]*T, out *[dotRows * dotCols]T) {
	switch a := any(a).(type) {
	case *[dotRows]*float32:
		sdotKernel4x3(k, a, any(b).(*[dotCols]*float32), any(out).(*[dotRows * dotCols]float32))
	case *[dotRows]*float64:
		ddotKernel4x3(k, a, any(b).(*[dotCols]*float64), any(out).(*[dotRows * dotCols]float64))
	}
}

// dotKernelGo is the pure-Go twin of the 4×3 dot kernels (dot_amd64.s).
func dotKernelGo[T float](k int, a *[dotRows][]T, b *[dotCols][]T, out *[dotRows * dotCols]T) {
	for r := range dotRows {
		for q := range dotCols {
			out[r*dotCols+q] = dotGo(a[r][:k], b[q][:k])
		}
	}
}

// dotGo is one dot product of the dot kernels in Go: the same terms in
// the same order with the same roundings, so the same bits.
func dotGo[T float](a, b []T) T {
	k := len(a)
	lanes := 32 / sizeOf[T]()
	kv := k - k%lanes
	fma := fmaOf[T]()
	var acc [8]T
	for p := 0; p < kv; p += lanes {
		for l := range lanes {
			acc[l] = fma(a[p+l], b[p+l], acc[l])
		}
	}
	for h := lanes / 2; h >= 1; h /= 2 {
		for l := range h {
			acc[l] = acc[l] + acc[l+h]
		}
	}
	s := acc[0]
	for p := kv; p < k; p++ {
		s = fma(a[p], b[p], s)
	}
	return s
}

// sizeOf returns the size of T in bytes.
func sizeOf[T float]() int {
	var zero T
	if _, ok := any(zero).(float32); ok {
		return 4
	}
	return 8
}

// fmaOf returns the fused multiply-add of T's precision.
func fmaOf[T float]() func(x, y, z T) T {
	var f any
	var zero T
	if _, ok := any(zero).(float32); ok {
		f = fma32
	} else {
		f = math.FMA
	}
	return f.(func(x, y, z T) T)
}
