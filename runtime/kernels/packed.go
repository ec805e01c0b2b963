package kernels

import (
	"fmt"
	"runtime"
	"unsafe"

	"github.com/pushforward/pushforward/runtime/kernels/isa"
)

// Packed is a blocked, packed GEMM in the manner of GotoBLAS and BLIS,
// computing tiles of C with AVX-512 or AVX2/FMA assembly micro-kernels
// where the CPU has those features (checked at run time, see package isa)
// and with their pure-Go twin elsewhere or under the noasm build tag.
//
// A product packs op(A) into panels of MR rows and op(B) into panels of NR
// columns, both cut along k into blocks that keep a panel pair in L1 and a
// block of A panels in L2, then computes C in tasks of whole tiles. Packing
// and tasks are spread over goroutines (see Threads), but every element of
// C is computed by one micro-kernel call per k-block with the same operands
// in the same order whatever the number of goroutines: results depend on
// the dimensions only, bit for bit, and the assembly and the Go twin agree
// bit for bit too.
//
// Steady use allocates nothing: the packing buffers are recycled.
type Packed struct {
	// Threads is the most goroutines one product uses, the caller's
	// included; 0 means GOMAXPROCS.
	Threads int

	// goKernels forces the Go twin (for tests and benchmarks).
	goKernels bool

	// level, if set, replaces isa.Selected as the micro-kernels' level
	// (for tests and benchmarks; never above isa.Supported).
	level    isa.Level
	setLevel bool

	// noDot sends small outputs through the packed path too (for
	// benchmarks of the dot path, dot.go).
	noDot bool
}

// Sgemm implements GEMM.
func (g Packed) Sgemm(tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	gemm(g, tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// Dgemm implements GEMM.
func (g Packed) Dgemm(tA, tB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	gemm(g, tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// Assembly reports whether Packed uses assembly micro-kernels on this
// machine (AVX2 and FMA present, not built with the noasm tag, and not
// turned off by PUSHFORWARD_CPU=generic); Level says which.
func Assembly() bool { return haveAsm }

// WithLevel returns g running the micro-kernels of level l instead of
// isa.Selected's (capped at isa.Supported: never instructions the CPU
// lacks), for benchmarks that compare the levels. Results are the same
// bits at every level.
func (g Packed) WithLevel(l isa.Level) Packed {
	g.level, g.setLevel = l, true
	return g
}

// KernelLevel returns the level of the micro-kernels g runs.
func (g Packed) KernelLevel() isa.Level { return g.kernels().level }

// kernels returns the kernel set g runs.
func (g Packed) kernels() *kernelSet {
	switch {
	case g.goKernels:
		return &genericSet
	case g.setLevel:
		return kernelSetFor(g.level)
	}
	return kernelSetFor(isa.Selected())
}

// Float is the element types of the floating-point kernels.
type Float interface{ float32 | float64 }

type float = Float

// blocking holds the tile and block sizes of one precision, in elements.
type blocking struct {
	mr, nr int // register tile
	kc     int // most k per block: an NR×KC panel of B (16 KiB) fits L1
	mc     int // rows of A per task: an MC×KC block fits L2
}

// minWorkPerThread is the number of multiply-adds below which one more
// goroutine costs more than it saves (tens of microseconds of work).
const minWorkPerThread = 1 << 18

// gemm checks the arguments, handles the products without a k sum and
// runs the rest through a gemmCall.
func gemm[T float](g Packed, tA, tB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	checkGEMM(tA, tB, m, n, k, len(a), lda, len(b), ldb, len(c), ldc)
	if m == 0 || n == 0 {
		return
	}
	if k == 0 || alpha == 0 {
		scaleRows(m, n, beta, c, ldc)
		return
	}
	threads := g.threads()
	// The path depends on the shapes (and on whether op(B) is op(A)ᵀ)
	// only, never on threads: each path has its own summation order.
	switch productPath(g, tA, tB, m, n, k, a, lda, b, ldb) {
	case matvecProduct:
		matvec(g.goKernels || !haveAsm, tA, m, k, alpha, a, lda, b, beta, c, ldc)
		return
	case dotProduct:
		smallGEMM(g.goKernels || !haveAsm, tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, threads)
		return
	}
	gc := getCall[T]()
	gc.setup(g.kernels(), tA, tB, n, k, alpha, b, ldb, beta, threadsFor(threads, m, n, k), rowSegment[T]{m: m, a: a, lda: lda, c: c, ldc: ldc})
	gc.run()
	putCall(gc)
}

// threads returns the most goroutines a product of g uses.
func (g Packed) threads() int {
	if g.Threads > 0 {
		return g.Threads
	}
	return runtime.GOMAXPROCS(0)
}

// threadsFor returns the goroutines, at most threads, worth spreading an
// m×n×k product over.
func threadsFor(threads, m, n, k int) int {
	work := int64(m) * int64(n) * int64(k)
	return int(min(int64(threads), max(1, work/minWorkPerThread)))
}

// The ways a product is computed, each with its own summation order.
const (
	packedProduct = iota
	matvecProduct // one column: matvec.go
	dotProduct    // a small output: dot.go
)

// productPath returns the way g computes a product with these operands,
// k > 0.
func productPath[T float](g Packed, tA, tB bool, m, n, k int, a []T, lda int, b []T, ldb int) int {
	switch {
	case g.noDot:
		return packedProduct
	case matvecPath(tB, n, ldb) && k >= 8:
		return matvecProduct
	case smallOutput(m, n, k) && dotPath(tA, tB, m, n, a, lda, b, ldb):
		return dotProduct
	}
	return packedProduct
}

// checkGEMM panics, as a BLAS does, on dimensions and strides that do not
// fit the slices; the assembly relies on it. Unlike a BLAS it accepts a
// stride of 0 for a matrix without columns.
func checkGEMM(tA, tB bool, m, n, k, lenA, lda, lenB, ldb, lenC, ldc int) {
	if m < 0 || n < 0 || k < 0 {
		panic(fmt.Sprintf("kernels: negative GEMM dimension (m=%d, n=%d, k=%d)", m, n, k))
	}
	aRows, aCols := m, k
	if tA {
		aRows, aCols = k, m
	}
	bRows, bCols := k, n
	if tB {
		bRows, bCols = n, k
	}
	check := func(name string, rows, cols, ld, length int) {
		if ld < cols {
			panic(fmt.Sprintf("kernels: GEMM: bad leading dimension of %s: %d < %d", name, ld, cols))
		}
		if rows > 0 && cols > 0 && length < (rows-1)*ld+cols {
			panic(fmt.Sprintf("kernels: GEMM: %s has %d elements, want at least %d", name, length, (rows-1)*ld+cols))
		}
	}
	check("a", aRows, aCols, lda, lenA)
	check("b", bRows, bCols, ldb, lenB)
	check("c", m, n, ldc, lenC)
}

// scaleRows sets c = beta·c over an m×n block, overwriting with zeros
// when beta is 0 (even NaN).
func scaleRows[T float](m, n int, beta T, c []T, ldc int) {
	for i := range m {
		row := c[i*ldc : i*ldc+n]
		switch beta {
		case 0:
			clear(row)
		case 1:
		default:
			for j := range row {
				row[j] *= beta
			}
		}
	}
}

// A rowSegment is the rows of op(A) and of C of one product: m rows from
// A panel mp0 on.
type rowSegment[T float] struct {
	m, mp0 int
	a      []T
	lda    int
	c      []T
	ldc    int
}

// A gemmCall is one product in flight: its arguments, its packing
// buffers and its task grid. It is a Task run in two phases, packing and
// computing.
type gemmCall[T float] struct {
	ks      *kernelSet
	tA, tB  bool
	n, k    int
	alpha   T
	beta    T
	b       []T
	ldb     int
	threads int
	// The rows of op(A) and C, in one segment, or in two for a pair of
	// products that share op(B) (PairGEMM); A's panels are numbered
	// through both.
	segs  [2]rowSegment[T]
	nsegs int

	blk    blocking
	kcs    int // k per block (the last block may be shorter)
	mp, np int // panels of A and of B
	ap, bp []T // packed A and B (from the buffer pool)

	phase          int // 0 packing, 1 computing
	aChunk, bChunk int // panels packed per packing part
	aParts, parts  int // packing parts: A first, then B
	mcP, ncP       int // panels of A and of B per compute task
	mTasks, tasks  int
	// lazyA and lazyB say that each panel of A (B) is used by one task
	// only: the task packs it into its own part of ap (bp) just before
	// using it, while it is hot in cache, instead of the packing phase.
	lazyA, lazyB bool
	// sharedA and sharedB are the packing of an operand every task uses,
	// when the tasks pack it themselves (packed_shared.go); their parts
	// are 0 when the operand is packed otherwise.
	sharedA, sharedB sharedPacking
}

var (
	callsS freeList[gemmCall[float32]]
	callsD freeList[gemmCall[float64]]
)

func getCall[T float]() *gemmCall[T] {
	var zero T
	if _, ok := any(zero).(float32); ok {
		return any(callsS.get()).(*gemmCall[T])
	}
	return any(callsD.get()).(*gemmCall[T])
}

func putCall[T float](gc *gemmCall[T]) {
	gc.b, gc.segs = nil, [2]rowSegment[T]{} // do not keep the caller's memory alive
	buffers[T]().put(gc.ap)
	buffers[T]().put(gc.bp)
	gc.ap, gc.bp = nil, nil
	switch gc := any(gc).(type) {
	case *gemmCall[float32]:
		callsS.put(gc)
	case *gemmCall[float64]:
		callsD.put(gc)
	}
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

// setup plans the products of the row segments segs (one or two, each
// with m > 0) by op(B).
func (gc *gemmCall[T]) setup(ks *kernelSet, tA, tB bool, n, k int, alpha T, b []T, ldb int, beta T, threads int, segs ...rowSegment[T]) {
	gc.ks, gc.tA, gc.tB = ks, tA, tB
	gc.n, gc.k = n, k
	gc.alpha, gc.beta = alpha, beta
	gc.b, gc.ldb = b, ldb
	gc.threads = threads
	blk := blockingOf[T](ks)
	gc.blk = blk
	gc.nsegs = copy(gc.segs[:], segs)
	gc.mp = 0
	for i := range gc.nsegs {
		gc.segs[i].mp0 = gc.mp
		gc.mp += ceilDiv(gc.segs[i].m, blk.mr)
	}

	// Cut k into equal blocks, rounded up to the unrolling of the
	// micro-kernels' loop (4), so that no block is a sliver.
	kBlocks := ceilDiv(k, blk.kc)
	gc.kcs = min(k, (ceilDiv(k, kBlocks)+3)&^3)
	gc.np = ceilDiv(n, blk.nr)

	// Compute tasks. When C's rows cut into blocks of about MC rows (a
	// block of A panels for L2) that share evenly among the threads, with
	// enough panels each (rowTasks), C is cut into row blocks only: each
	// task packs its own A panels as it goes, and B, which every task
	// reads, is packed by the tasks in parts (sharedB below); column
	// blocks would have A packed whole before the tasks start as well
	// (f32 at 512³, 1024³ and the 1024×1024×128 Aᵀ·B on two Zen 4
	// threads: +4 to +12% in medians of interleaved rounds, the others
	// within noise). Otherwise C is cut into enough column blocks (or,
	// when C is narrow, row blocks) for about three tasks per thread,
	// which balances the load when another process takes a core for a
	// while.
	gc.mcP = max(1, blk.mc/blk.mr)
	gc.mTasks = ceilDiv(gc.mp, gc.mcP)
	nTasks := 1
	tasks, rowsOnly := rowTasks(gc.mp, gc.mcP, blk.mr, threads)
	// A pair of products is cut into column blocks: each task packs the
	// B panels of its block once for the rows of both. In row blocks the
	// tasks would wait for each other's parts of B, and two f32
	// 128×1024×1024 products so ran at 145–205 GFLOP/s on two Zen 4
	// threads against 181–206 in column blocks, in alternating runs.
	rowsOnly = rowsOnly && gc.nsegs == 1
	if rowsOnly {
		gc.mTasks, gc.mcP = tasks, ceilDiv(gc.mp, tasks)
	}
	if threads > 1 && !rowsOnly {
		want := 3 * threads
		nTasks = min(gc.np, ceilDiv(want, gc.mTasks))
		if gc.np < want && gc.mTasks < want {
			// Narrow C: split rows only, so that each task packs its
			// own A panels (lazyA below) on its own goroutine.
			nTasks = 1
		}
		if gc.mTasks*nTasks < want {
			gc.mcP = ceilDiv(gc.mp, min(gc.mp, ceilDiv(want, nTasks)))
			gc.mTasks = ceilDiv(gc.mp, gc.mcP)
		}
	}
	gc.ncP = ceilDiv(gc.np, nTasks)
	nTasks = ceilDiv(gc.np, gc.ncP)
	gc.tasks = gc.mTasks * nTasks

	// An operand whose panels only one task uses is packed by that task,
	// k-block by k-block (BLIS packs A so); the others are packed whole,
	// in parallel, before the tasks start.
	gc.lazyA, gc.lazyB = nTasks == 1, gc.mTasks == 1
	if gc.lazyA {
		gc.ap = buffers[T]().get(gc.tasks * gc.mcP * blk.mr * gc.kcs)
	} else {
		gc.ap = buffers[T]().get(gc.mp * blk.mr * k)
	}
	if gc.lazyB {
		gc.bp = buffers[T]().get(gc.tasks * blk.nr * gc.kcs)
	} else {
		gc.bp = buffers[T]().get(gc.np * blk.nr * k)
	}

	// Packing parts: about four per thread, in whole panels.
	want := max(2, 4*threads)
	gc.aChunk = max(1, ceilDiv(gc.mp, want/2))
	gc.bChunk = max(1, ceilDiv(gc.np, want/2))
	gc.aParts = ceilDiv(gc.mp, gc.aChunk)
	bParts := ceilDiv(gc.np, gc.bChunk)
	if gc.lazyA {
		gc.aParts = 0
	}
	if gc.lazyB {
		bParts = 0
	}
	// An operand that every task uses, when more than one task runs, is
	// packed by the tasks themselves, k-block by k-block, a part each
	// (sharedPanels): no task waits for a packing phase, and each part is
	// used while it is still in cache.
	gc.sharedA.reset(0, 0, 0)
	gc.sharedB.reset(0, 0, 0)
	if gc.tasks > 1 && threads > 1 && gc.mTasks == 1 {
		gc.sharedA.reset(kBlocks, gc.mp, threads)
		gc.aParts = 0
	}
	if gc.tasks > 1 && threads > 1 && nTasks == 1 {
		gc.sharedB.reset(kBlocks, gc.np, threads)
		bParts = 0
	}
	gc.parts = gc.aParts + bParts
}

// rowTasks returns the number of row blocks, a multiple of threads, that
// cut mp panels of A (of mr rows) into blocks of at most about mcP panels
// (up to an eighth more, rather than more blocks: f64 1024³ on two
// threads takes four blocks of 21 or 22 panels, not six of 14 or 15,
// which would give one thread 45 panels and the other 41), and whether
// cutting C into row blocks only suits the product: each block must hold
// at least minSharedRows rows, so that every B panel serves enough rows.
func rowTasks(mp, mcP, mr, threads int) (int, bool) {
	if threads < 2 {
		return 0, false
	}
	tasks := max(threads, ceilDiv(mp, mcP)/threads*threads)
	if ceilDiv(mp, tasks) > mcP+mcP/8 {
		tasks += threads
	}
	return tasks, mp/tasks*mr >= minSharedRows
}

// minSharedRows is the fewest rows of C per task for which C is cut into
// row blocks only. Below it column blocks, which share A and read each B
// panel once, are faster: with the AVX2 kernels (6-row panels) the
// products of 128 rows by 1024 columns gain 6 to 23% on two Zen 4 threads
// (f32 128×1024×784 −2%) from column blocks over row blocks of 64 rows.
const minSharedRows = 96

// minParallelPack is the number of elements below which the packing phase
// is not worth a second goroutine (about 100 µs of copying).
const minParallelPack = 1 << 18

// packedElements is the number of elements the packing phase copies.
func (gc *gemmCall[T]) packedElements() int {
	n := 0
	if !gc.lazyA {
		n += gc.mp * gc.blk.mr * gc.k
	}
	if !gc.lazyB {
		n += gc.np * gc.blk.nr * gc.k
	}
	return n
}

func (gc *gemmCall[T]) run() {
	if gc.parts > 0 {
		gc.phase = 0
		// A small packing phase runs on the caller alone: a helper woken
		// for it would arrive after the parts are gone and still be
		// waking, unavailable, when the compute phase hires.
		threads := gc.threads
		if gc.packedElements() < minParallelPack {
			threads = 1
		}
		ParallelN(gc.parts, threads, gc)
	}
	gc.phase = 1
	ParallelN(gc.tasks, gc.threads, gc)
}

// RunPart implements Task.
func (gc *gemmCall[T]) RunPart(i int) {
	if gc.phase == 1 {
		gc.compute(i)
		return
	}
	if i < gc.aParts {
		ip0 := i * gc.aChunk
		// A's panels are its rows; they are stored transposed iff tA.
		for p0 := 0; p0 < gc.k; p0 += gc.kcs {
			kcb := min(gc.kcs, gc.k-p0)
			gc.packA(gc.ap[p0*gc.mp*gc.blk.mr+ip0*kcb*gc.blk.mr:], ip0, min(gc.mp, ip0+gc.aChunk), p0, kcb)
		}
		return
	}
	jp0 := (i - gc.aParts) * gc.bChunk
	// B's panels are the rows of op(B)ᵀ, stored transposed iff tB is not
	// set.
	gc.packPanels(gc.bp, gc.b, gc.ldb, !gc.tB, gc.n, gc.np, gc.blk.nr, jp0, min(gc.np, jp0+gc.bChunk))
}

// The packed layout: k-block by k-block, each block holding all panels
// of its k range; panel q of the block starting at depth p0 with length
// kcb is at p0·panels·w + q·kcb·w and stores the element of row r (of the
// panel's w) and depth p at p·w + r, zero past the matrix's last row.

// packPanels packs panels [q0, q1) of width w of the rows×k matrix
// X(i, p) = x[i·ld + p], or x[p·ld + i] if trans is set, for all depths,
// in the packed layout.
func (gc *gemmCall[T]) packPanels(dst, x []T, ld int, trans bool, rows, panels, w, q0, q1 int) {
	for p0 := 0; p0 < gc.k; p0 += gc.kcs {
		kcb := min(gc.kcs, gc.k-p0)
		gc.packBlock(dst[p0*panels*w+q0*kcb*w:], x, ld, trans, rows, w, q0, q1, p0, kcb)
	}
}

// packA packs A panels [q0, q1) of one k-block, depths [p0, p0+kcb),
// panel q at dst[(q-q0)·kcb·mr:], from whichever row segments hold them.
func (gc *gemmCall[T]) packA(dst []T, q0, q1, p0, kcb int) {
	mr := gc.blk.mr
	for i := range gc.nsegs {
		sg := &gc.segs[i]
		lo, hi := max(q0, sg.mp0), min(q1, sg.mp0+ceilDiv(sg.m, mr))
		if lo < hi {
			gc.packBlock(dst[(lo-q0)*kcb*mr:], sg.a, sg.lda, gc.tA, sg.m, mr, lo-sg.mp0, hi-sg.mp0, p0, kcb)
		}
	}
}

// segment returns the row segment that holds A panel ip.
func (gc *gemmCall[T]) segment(ip int) *rowSegment[T] {
	if gc.nsegs == 2 && ip >= gc.segs[1].mp0 {
		return &gc.segs[1]
	}
	return &gc.segs[0]
}

// packBlock packs panels [q0, q1) of one k-block, depths [p0, p0+kcb),
// panel q at dst[(q-q0)·kcb·w:].
func (gc *gemmCall[T]) packBlock(dst, x []T, ld int, trans bool, rows, w, q0, q1, p0, kcb int) {
	if trans {
		// Stored depth-major: copy runs of depths of each panel.
		packDepthMajor(dst, x, ld, p0, kcb, rows, w, q0, q1, gc.ks.level >= isa.AVX2)
		return
	}
	for q := q0; q < q1; q++ {
		r0 := q * w
		packRowMajor(dst[(q-q0)*kcb*w:][:kcb*w], x, ld, r0, min(w, rows-r0), p0, kcb, w, gc.ks.level >= isa.AVX2)
	}
}

// packDepthMajor packs panels [q0, q1) of one k-block of a matrix stored
// depth-major, element (row i, depth p) at x[p·ld + i], panel q at
// block[(q-q0)·kcb·w:]. It copies
// depthBlock depths of one panel at a time: the writes then fill a
// contiguous stretch of the panel and the reads stream along that many
// rows of x, one constant stride the prefetchers follow. (Depth by depth
// across all panels, every write would land kcb·w elements from the
// last, a new page for each panel.) A whole k-block (256) at once rather
// than 16 depths: f64 products with a short A and a long B stored
// depth-major, whose packing of B is much of their time, gain 20% at
// 32×1024×1024 and 6% at 128×1024×1024 on one thread (Zen 4), the others
// no change beyond noise.
func packDepthMajor[T float](block, x []T, ld, p0, kcb, rows, w, q0, q1 int, asm bool) {
	const depthBlock = kc
	full := q1 // panels [q0, full) are full: copy them whole
	if q1*w > rows {
		full = q1 - 1
	}
	esize := int(unsafe.Sizeof(x[0]))
	wide := w*esize == 64 // a B panel row: 64 bytes in both precisions
	for pb := 0; pb < kcb; pb += depthBlock {
		pe := min(kcb, pb+depthBlock)
		for q := q0; q < q1; q++ {
			panel := block[(q-q0)*kcb*w:][:kcb*w]
			switch {
			case q < full && wide && asm:
				// The bounds the assembly copy relies on.
				d := panel[pb*w : pe*w]
				s := x[(p0+pb)*ld+q*w : (p0+pe-1)*ld+q*w+w]
				copyRows64((*byte)(unsafe.Pointer(unsafe.SliceData(d))), (*byte)(unsafe.Pointer(unsafe.SliceData(s))), ld*esize, pe-pb)
			case q < full && wide:
				// A [64]byte copy compiles to vector moves; a generic
				// [16]T array copy would call memmove.
				for p := pb; p < pe; p++ {
					d, s := panel[p*w:][:w], x[(p0+p)*ld+q*w:][:w]
					*(*[64]byte)(unsafe.Pointer(unsafe.SliceData(d))) = *(*[64]byte)(unsafe.Pointer(unsafe.SliceData(s)))
				}
			case q < full && w*esize == 128 && asm:
				d := panel[pb*w : pe*w]
				s := x[(p0+pb)*ld+q*w : (p0+pe-1)*ld+q*w+w]
				copyRows128((*byte)(unsafe.Pointer(unsafe.SliceData(d))), (*byte)(unsafe.Pointer(unsafe.SliceData(s))), ld*esize, pe-pb)
			case q < full && w == 6 && asm:
				d := panel[pb*6 : pe*6]
				s := x[(p0+pb)*ld+q*6 : (p0+pe-1)*ld+q*6+6]
				copy6 := copyRows24
				if esize == 8 {
					copy6 = copyRows48
				}
				copy6((*byte)(unsafe.Pointer(unsafe.SliceData(d))), (*byte)(unsafe.Pointer(unsafe.SliceData(s))), ld*esize, pe-pb)
			case q < full && w == 6:
				for p := pb; p < pe; p++ {
					d, s := panel[p*6:][:6], x[(p0+p)*ld+q*6:][:6]
					d[0], d[1], d[2], d[3], d[4], d[5] = s[0], s[1], s[2], s[3], s[4], s[5]
				}
			default:
				n := min(w, rows-q*w)
				for p := pb; p < pe; p++ {
					d := panel[p*w:][:w]
					copy(d, x[(p0+p)*ld+q*w:][:n])
					clear(d[n:])
				}
			}
		}
	}
}

// packRowMajor writes dst[p·w + r] = x[(r0 + r)·ld + p0 + p] for p < kcb
// and r < rows, zero for rows ≤ r < w: one panel of a matrix stored row by
// row, whose rows are read in step, each sequentially.
func packRowMajor[T float](dst, x []T, ld, r0, rows, p0, kcb, w int, asm bool) {
	if rows == w && asm && transposeRows(dst, x[r0*ld+p0:], ld, kcb, w) {
		return
	}
	if rows == w && (w == 6 || w == 8 || w == 12 || w == 16) {
		for r := 0; r < w; {
			n := min(8, w-r)
			if w == 6 || w == 12 {
				n = 6
			}
			packRows(dst[r:], x[(r0+r)*ld+p0:], ld, kcb, w, n)
			r += n
		}
		return
	}
	// A partial panel: fill it depth by depth, writing memory in order.
	x = x[r0*ld+p0:]
	for p := range kcb {
		d := dst[p*w : p*w+w]
		for r := range rows {
			d[r] = x[r*ld+p]
		}
		clear(d[rows:])
	}
}

// transposeRows packs a full panel of w rows of x (starting at x[0], ld
// apart) with the assembly block transposes, the depths past the last
// whole block in Go: A panels (w = 6) and B panels (w = 16 f32, 8 f64).
// It reports false, doing nothing, for other widths.
func transposeRows[T float](dst, x []T, ld, kcb, w int) bool {
	switch dst := any(dst).(type) {
	case []float32:
		if w == 6 {
			x := any(x).([]float32)
			blocks := kcb / 8
			_ = x[5*ld+kcb-1]
			_ = dst[kcb*6-1]
			packA6s(&dst[0], &x[0], ld*4, blocks)
			for p := blocks * 8; p < kcb; p++ {
				for r := range 6 {
					dst[p*6+r] = x[r*ld+p]
				}
			}
			return true
		}
		if w%8 != 0 {
			return false
		}
		x := any(x).([]float32)
		_ = x[(w-1)*ld+kcb-1] // the rows the assembly reads
		_ = dst[kcb*w-1]
		blocks := kcb / 8
		for g := 0; g < w; g += 8 {
			transpose8x8s(&dst[g], &x[g*ld], w*4, ld*4, blocks)
		}
		for p := blocks * 8; p < kcb; p++ {
			for r := range w {
				dst[p*w+r] = x[r*ld+p]
			}
		}
	case []float64:
		if w == 6 {
			x := any(x).([]float64)
			blocks := kcb / 4
			_ = x[5*ld+kcb-1]
			_ = dst[kcb*6-1]
			packA6d(&dst[0], &x[0], ld*8, blocks)
			for p := blocks * 4; p < kcb; p++ {
				for r := range 6 {
					dst[p*6+r] = x[r*ld+p]
				}
			}
			return true
		}
		if w%4 != 0 {
			return false
		}
		x := any(x).([]float64)
		_ = x[(w-1)*ld+kcb-1]
		_ = dst[kcb*w-1]
		blocks := kcb / 4
		for g := 0; g < w; g += 4 {
			transpose4x4d(&dst[g], &x[g*ld], w*8, ld*8, blocks)
		}
		for p := blocks * 4; p < kcb; p++ {
			for r := range w {
				dst[p*w+r] = x[r*ld+p]
			}
		}
	}
	return true
}

// packRows writes dst[p·w + r] = x[r·ld + p] for r < n (6 or 8) and
// p < kcb.
func packRows[T float](dst, x []T, ld, kcb, w, n int) {
	x0, x1, x2 := x[:kcb], x[ld:][:kcb], x[2*ld:][:kcb]
	x3, x4, x5 := x[3*ld:][:kcb], x[4*ld:][:kcb], x[5*ld:][:kcb]
	if n == 6 {
		for p := range kcb {
			d := dst[p*w:][:6]
			d[0], d[1], d[2], d[3], d[4], d[5] = x0[p], x1[p], x2[p], x3[p], x4[p], x5[p]
		}
		return
	}
	x6, x7 := x[6*ld:][:kcb], x[7*ld:][:kcb]
	for p := range kcb {
		d := dst[p*w:][:8]
		d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7] = x0[p], x1[p], x2[p], x3[p], x4[p], x5[p], x6[p], x7[p]
	}
}

// compute runs compute task t: a block of MC rows by NC columns of C,
// k-block by k-block, B panel by B panel (kept in L1), A panel by A panel
// (the block's A panels stay in L2), packing the panels only it uses.
func (gc *gemmCall[T]) compute(t int) {
	nr := gc.blk.nr
	it, jt := t%gc.mTasks, t/gc.mTasks
	// Row blocks of sizes that differ by one panel at most.
	ip0, ip1 := it*gc.mp/gc.mTasks, (it+1)*gc.mp/gc.mTasks
	jp0, jp1 := jt*gc.ncP, min(gc.np, (jt+1)*gc.ncP)
	var edge [maxTile]T // a whole tile, for tiles that overhang C
	for p0, kb := 0, 0; p0 < gc.k; p0, kb = p0+gc.kcs, kb+1 {
		kcb := min(gc.kcs, gc.k-p0)
		beta := gc.beta
		if p0 > 0 {
			beta = 1 // later blocks add to what the earlier ones wrote
		}
		// aBlock[(ip-aFirst)·kcb·mr:] is A panel ip of this k-block.
		var aBlock []T
		aFirst := 0
		if gc.lazyA {
			aBlock, aFirst = gc.ap[t*gc.mcP*gc.blk.mr*gc.kcs:], ip0
			gc.packA(aBlock, ip0, ip1, p0, kcb)
		} else {
			aBlock = gc.ap[p0*gc.mp*gc.blk.mr:]
		}
		for bs := range gc.sharedB.partsOr1() {
			jq0, jq1 := jp0, jp1
			if gc.sharedB.parts > 0 {
				// This task's own part first: at the first k-block the
				// tasks running at the same time pack different parts.
				q := (it + bs) % gc.sharedB.parts
				jq0, jq1 = gc.sharedPanels(&gc.sharedB, false, kb, q, p0, kcb)
			}
			for jp := jq0; jp < jq1; jp++ {
				var bPanel []T
				if gc.lazyB {
					bPanel = gc.bp[t*nr*gc.kcs:][:kcb*nr]
					gc.packBlock(bPanel, gc.b, gc.ldb, !gc.tB, gc.n, nr, jp, jp+1, p0, kcb)
				} else {
					bPanel = gc.bp[p0*gc.np*nr+jp*kcb*nr:][:kcb*nr]
				}
				var next rowPrefetch
				if gc.lazyB {
					// Spread over all of the task's A panels, whatever
					// parts they come in.
					next = gc.nextBPanel(jp, jq0, jq1, p0)
					next.first, next.count = ip0, ip1-ip0
				}
				for as := range gc.sharedA.partsOr1() {
					iq0, iq1 := ip0, ip1
					if gc.sharedA.parts > 0 {
						q := (jt + as) % gc.sharedA.parts
						iq0, iq1 = gc.sharedPanels(&gc.sharedA, true, kb, q, p0, kcb)
					}
					gc.tiles(jp, iq0, iq1, kcb, beta, aBlock, aFirst, bPanel, next, &edge)
				}
			}
		}
	}
}

// tiles computes the tiles of B panel jp and A panels [ip0, ip1) for one
// k-block: aBlock[(ip-aFirst)·kcb·mr:] is A panel ip; edge holds a whole
// tile, for tiles that overhang C.
func (gc *gemmCall[T]) tiles(jp, ip0, ip1, kcb int, beta T, aBlock []T, aFirst int, bPanel []T, next rowPrefetch, edge *[maxTile]T) {
	mr, nr := gc.blk.mr, gc.blk.nr
	j0 := jp * nr
	cols := min(nr, gc.n-j0)
	for ip := ip0; ip < ip1; ip++ {
		next.part(ip)
		sg := gc.segment(ip)
		i0 := (ip - sg.mp0) * mr
		rows := min(mr, sg.m-i0)
		aPanel := aBlock[(ip-aFirst)*kcb*mr:][:kcb*mr]
		if rows == mr && cols == nr {
			gc.kernel(kcb, aPanel, bPanel, sg.c[i0*sg.ldc+j0:], sg.ldc, beta)
			continue
		}
		// Overhanging tile: compute it whole into edge with the same
		// kernel, then merge as the kernel's epilogue would.
		tile := edge[:mr*nr]
		gc.kernel(kcb, aPanel, bPanel, tile, nr, 0)
		for r := range rows {
			cr := sg.c[(i0+r)*sg.ldc+j0:][:cols]
			er := tile[r*nr:][:cols]
			if beta == 0 {
				copy(cr, er)
				continue
			}
			for j, v := range er {
				cr[j] = T(v) + T(beta*cr[j])
			}
		}
	}
}

// kernel runs the micro-kernel of T on one tile: c = alpha·a·b + beta·c.
func (gc *gemmCall[T]) kernel(kcb int, a, b, c []T, ldc int, beta T) {
	mr, nr := gc.blk.mr, gc.blk.nr
	level := gc.ks.level
	if level > isa.Generic {
		// The bounds the assembly relies on: it reads whole panels and
		// writes the whole tile.
		_, _, _ = a[kcb*mr-1], b[kcb*nr-1], c[(mr-1)*ldc+nr-1]
	}
	switch a := any(a).(type) {
	case []float32:
		b, c := any(b).([]float32), any(c).([]float32)
		alpha, beta := float32(gc.alpha), float32(beta)
		pa, pb, pc := unsafe.SliceData(a), unsafe.SliceData(b), unsafe.SliceData(c)
		switch level {
		case isa.AVX512:
			sgemmKernel16x16AVX512(kcb, pa, pb, pc, ldc, alpha, beta)
		case isa.AVX2:
			sgemmKernel6x16(kcb, pa, pb, pc, ldc, alpha, beta)
		default:
			sgemmKernelGo(kcb, a, b, c, ldc, alpha, beta)
		}
	case []float64:
		b, c := any(b).([]float64), any(c).([]float64)
		alpha, beta := float64(gc.alpha), float64(beta)
		pa, pb, pc := unsafe.SliceData(a), unsafe.SliceData(b), unsafe.SliceData(c)
		switch level {
		case isa.AVX512:
			dgemmKernel12x16AVX512(kcb, pa, pb, pc, ldc, alpha, beta)
		case isa.AVX2:
			dgemmKernel6x8(kcb, pa, pb, pc, ldc, alpha, beta)
		default:
			dgemmKernelGo(kcb, a, b, c, ldc, alpha, beta)
		}
	}
}

// A rowPrefetch is the source of the next panel a task packs, prefetched
// into L2 a part at a time while the micro-kernels of the panel before
// run. Packing a panel of B straight from memory, its rows a page apart,
// took 17% of an f64 128×1024×784 product on one Zen 4 thread; with the
// prefetch, in medians of interleaved rounds, the 128×1024×784 and
// 128×1024×1024 products gain 13 to 21% in f64 and 4 to 12% in f32 on one
// thread, 13 to 18% in f64 on two, f32 on two −1 to +8%.
type rowPrefetch struct {
	src                 unsafe.Pointer
	stride, rows, lines int
	// The rows are spread over the kernel calls of A panels [first,
	// first+count).
	first, count int
}

// part prefetches the share of the rows of A panel ip.
func (r rowPrefetch) part(ip int) {
	if r.rows == 0 || r.count == 0 {
		return
	}
	i := ip - r.first
	lo, hi := i*r.rows/r.count, (i+1)*r.rows/r.count
	if hi > lo {
		prefetchRows((*byte)(unsafe.Add(r.src, lo*r.stride)), r.stride, hi-lo, r.lines)
	}
}

// nextBPanel returns the source of the B panel the task packs after panel
// jp of its panels [jq0, jq1) at depth p0: jp+1, or jq0 of the next
// k-block.
func (gc *gemmCall[T]) nextBPanel(jp, jq0, jq1, p0 int) rowPrefetch {
	q := jp + 1
	if q == jq1 {
		q, p0 = jq0, p0+gc.kcs
	}
	if p0 >= gc.k {
		return rowPrefetch{}
	}
	kcb := min(gc.kcs, gc.k-p0)
	var zero T
	esize := int(unsafe.Sizeof(zero))
	cols := min(gc.blk.nr, gc.n-q*gc.blk.nr)
	if !gc.tB { // depth p of the panel is a run of cols elements of row p
		return rowPrefetch{src: unsafe.Pointer(&gc.b[p0*gc.ldb+q*gc.blk.nr]), stride: gc.ldb * esize, rows: kcb, lines: ceilDiv(cols*esize, 64)}
	}
	return rowPrefetch{src: unsafe.Pointer(&gc.b[q*gc.blk.nr*gc.ldb+p0]), stride: gc.ldb * esize, rows: cols, lines: ceilDiv(kcb*esize, 64)}
}
