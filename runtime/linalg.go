package runtime

import (
	"fmt"
	goruntime "runtime"

	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/runtime/kernels"
)

// The linear-algebra ops view their operands as batches of matrices over
// the leading axes and run a float64 kernel of runtime/kernels on each
// matrix, converting f32 data in and out. They write into the planned
// results, and their scratch (one set per goroutine of a batch: the
// float64 copies of a matrix and the decompositions' working memory) lives
// in the execCtx, so that a Runner's steps allocate nothing.

// matrices splits a shape [..., rows, cols] into its batch axes, the number
// of matrices and the matrix dimensions.
func matrices(s ir.Shape) (batch ir.Shape, count, rows, cols int) {
	r := len(s)
	batch = s[:r-2]
	return batch, batch.Size(), s[r-2], s[r-1]
}

// A matrixOp is the work of one linear-algebra instruction on matrix i of
// its batch, with the scratch of the goroutine that runs it.
type matrixOp interface {
	matrix(s *linalgScratch, i int) error
}

// linalgScratch is one goroutine's scratch.
type linalgScratch struct {
	work kernels.Scratch
	in   [2][]float64 // float64 copies of the operands' matrices
	out  [3][]float64 // float64 results before conversion
}

// operand returns matrix i (size elements) of t as float64: a view of t's
// data when t is f64 (the kernels do not modify their inputs), else a
// conversion into s.in[slot].
func (s *linalgScratch) operand(slot int, t *Tensor, i, size int) []float64 {
	if t.DType() == ir.F64 {
		return t.F64[i*size : (i+1)*size]
	}
	buf := grow64(&s.in[slot], size)
	convertSlice(buf, t.F32[i*size:(i+1)*size])
	return buf
}

// result returns where the kernel writes matrix i (size elements) of
// result t: t's own data when t is f64, else s.out[slot], which store then
// converts into t.
func (s *linalgScratch) result(slot int, t *Tensor, i, size int) []float64 {
	if t.DType() == ir.F64 {
		return t.F64[i*size : (i+1)*size]
	}
	return grow64(&s.out[slot], size)
}

// store converts s.out[slot] into matrix i of t when t is f32.
func (s *linalgScratch) store(slot int, t *Tensor, i, size int) {
	if t.DType() == ir.F32 {
		convertSlice(t.F32[i*size:(i+1)*size], s.out[slot][:size])
	}
}

func grow64(buf *[]float64, n int) []float64 {
	if cap(*buf) < n {
		*buf = make([]float64, n)
	}
	return (*buf)[:n]
}

// The ops, each holding its operands and results for the batch it runs.

type qrOp struct {
	a, q, r *Tensor
	m, n    int
}

func (o *qrOp) matrix(s *linalgScratch, i int) error {
	m, n, k := o.m, o.n, min(o.m, o.n)
	q, r := s.result(0, o.q, i, m*k), s.result(1, o.r, i, k*n)
	s.work.QR(m, n, s.operand(0, o.a, i, m*n), q, r)
	s.store(0, o.q, i, m*k)
	s.store(1, o.r, i, k*n)
	return nil
}

type svdOp struct {
	a, u, sv, v *Tensor
	m, n        int
}

func (o *svdOp) matrix(s *linalgScratch, i int) error {
	m, n, k := o.m, o.n, min(o.m, o.n)
	u, sv, v := s.result(0, o.u, i, m*k), s.result(1, o.sv, i, k), s.result(2, o.v, i, n*k)
	if err := s.work.SVD(m, n, s.operand(0, o.a, i, m*n), u, sv, v); err != nil {
		return err
	}
	s.store(0, o.u, i, m*k)
	s.store(1, o.sv, i, k)
	s.store(2, o.v, i, n*k)
	return nil
}

type eighOp struct {
	a, w, v *Tensor
	n       int
}

func (o *eighOp) matrix(s *linalgScratch, i int) error {
	n := o.n
	w, v := s.result(0, o.w, i, n), s.result(1, o.v, i, n*n)
	if err := s.work.Eigh(n, s.operand(0, o.a, i, n*n), w, v); err != nil {
		return err
	}
	s.store(0, o.w, i, n)
	s.store(1, o.v, i, n*n)
	return nil
}

type choleskyOp struct {
	a, l *Tensor
	n    int
}

func (o *choleskyOp) matrix(s *linalgScratch, i int) error {
	n := o.n
	if o.a.DType() == ir.F32 {
		// In f32 itself, blocked (W̃ᴾ's per-example factors): no
		// conversions, the products at GEMM speed.
		return kernels.CholeskyBlocked(n, o.a.F32[i*n*n:(i+1)*n*n], o.l.F32[i*n*n:(i+1)*n*n])
	}
	l := s.result(0, o.l, i, n*n)
	if err := kernels.Cholesky(n, s.operand(0, o.a, i, n*n), l); err != nil {
		return err
	}
	s.store(0, o.l, i, n*n)
	return nil
}

type triangularSolveOp struct {
	a, b, x             *Tensor
	left, lower, transA bool
	n, rows, cols       int
}

func (o *triangularSolveOp) matrix(s *linalgScratch, i int) error {
	size := o.rows * o.cols
	x := s.result(0, o.x, i, size)
	err := kernels.TriangularSolve(o.left, o.lower, o.transA, o.rows, o.cols, s.operand(0, o.a, i, o.n*o.n), s.operand(1, o.b, i, size), x)
	if err != nil {
		return err
	}
	s.store(0, o.x, i, size)
	return nil
}

// linalgOps holds the op of the instruction running, in the execCtx (the
// binders' closures are shared by every Runner of an Interpreter), so that
// forBatch gets it by pointer without allocating.
type linalgOps struct {
	qr              qrOp
	svd             svdOp
	eigh            eighOp
	cholesky        choleskyOp
	triangularSolve triangularSolveOp
}

func bindQR(b *binding) (runFunc, error) {
	_, _, m, n := matrices(b.in.Args[0].Type.Shape)
	return func(x *execCtx, args, outs []*Tensor) error {
		x.ops.qr = qrOp{a: args[0], q: outs[0], r: outs[1], m: m, n: n}
		return x.forBatch(args[0].Shape(), m*n*min(m, n), &x.ops.qr)
	}, nil
}

func bindSVD(b *binding) (runFunc, error) {
	_, _, m, n := matrices(b.in.Args[0].Type.Shape)
	return func(x *execCtx, args, outs []*Tensor) error {
		x.ops.svd = svdOp{a: args[0], u: outs[0], sv: outs[1], v: outs[2], m: m, n: n}
		return x.forBatch(args[0].Shape(), m*n*min(m, n), &x.ops.svd)
	}, nil
}

func bindEigh(b *binding) (runFunc, error) {
	batch, count, n, _ := matrices(b.in.Args[0].Type.Shape)
	return func(x *execCtx, args, outs []*Tensor) error {
		if args[0].DType() == ir.F32 && n <= kernels.JacobiMaxDim {
			// Small f32 matrices in f32 itself, sixteen at a time (W̃⊥'s
			// Rayleigh–Ritz step: 512 of 30×30). The choice depends on
			// n only, so a matrix's result does not depend on its batch.
			if i, err := kernels.EighBatch32(n, count, args[0].F32, outs[0].F32, outs[1].F32, 0); err != nil {
				return atBatch(batch, i, err)
			}
			return nil
		}
		x.ops.eigh = eighOp{a: args[0], w: outs[0], v: outs[1], n: n}
		return x.forBatch(args[0].Shape(), n*n*n, &x.ops.eigh)
	}, nil
}

func bindCholesky(b *binding) (runFunc, error) {
	_, _, n, _ := matrices(b.in.Args[0].Type.Shape)
	return func(x *execCtx, args, outs []*Tensor) error {
		x.ops.cholesky = choleskyOp{a: args[0], l: outs[0], n: n}
		return x.forBatch(args[0].Shape(), n*n*n, &x.ops.cholesky)
	}, nil
}

// bindTriangularSolve solves op(a)·x = b (left, the default) or
// x·op(a) = b for each matrix of the batch; a is lower triangular unless
// lower=false, and op transposes it if transpose_a.
func bindTriangularSolve(b *binding) (runFunc, error) {
	left, err := b.in.BoolAttr("left")
	if err != nil {
		return nil, err
	}
	lower, err := b.in.BoolAttr("lower")
	if err != nil {
		return nil, err
	}
	transA, err := b.in.BoolAttr("transpose_a")
	if err != nil {
		return nil, err
	}
	_, _, n, _ := matrices(b.in.Args[0].Type.Shape)
	_, _, rows, cols := matrices(b.in.Args[1].Type.Shape)
	return func(x *execCtx, args, outs []*Tensor) error {
		x.ops.triangularSolve = triangularSolveOp{a: args[0], b: args[1], x: outs[0], left: left, lower: lower, transA: transA, n: n, rows: rows, cols: cols}
		return x.forBatch(args[0].Shape(), n*rows*cols, &x.ops.triangularSolve)
	}, nil
}

// atBatch says which matrix of a batch failed.
func atBatch(batch ir.Shape, i int, err error) error {
	if len(batch) == 0 {
		return err
	}
	return fmt.Errorf("matrix at batch index %v: %w", unravel(i, batch), err)
}

// minBatchWork is the flops (roughly) of a batch of decompositions from
// which forBatch spreads them over goroutines.
const minBatchWork = 1 << 16

// forBatch runs op over the matrices of a batch of the given shape
// (batch axes, then the matrix), in contiguous ranges on several
// goroutines when the batch is worth it (each matrix costing about work
// flops). It returns the failure of the lowest index, located in the batch
// shape, so that errors do not depend on the split. Each matrix writes its
// own part of the results.
func (x *execCtx) forBatch(shape ir.Shape, work int, op matrixOp) error {
	batch, count, _, _ := matrices(shape)
	parts := 1
	if count > 1 && count*work >= minBatchWork {
		parts = min(count, goruntime.GOMAXPROCS(0))
	}
	t := &x.batch
	t.count, t.parts, t.op = count, parts, op
	if len(t.scratch) < parts {
		t.scratch = append(t.scratch, make([]linalgScratch, parts-len(t.scratch))...)
		t.idx, t.errs = make([]int, parts), make([]error, parts)
	}
	clear(t.errs)
	kernels.Parallel(parts, t)
	t.op = nil
	for p, err := range t.errs[:parts] {
		if err != nil {
			return atBatch(batch, t.idx[p], err) // parts are in index order
		}
	}
	return nil
}

// A batchLoop is the task of forBatch, kept in the execCtx with one
// scratch per part.
type batchLoop struct {
	count, parts int
	op           matrixOp
	scratch      []linalgScratch
	idx          []int
	errs         []error
}

// RunPart implements kernels.Task.
func (t *batchLoop) RunPart(p int) {
	s := &t.scratch[p]
	for i := p * t.count / t.parts; i < (p+1)*t.count/t.parts; i++ {
		if err := t.op.matrix(s, i); err != nil {
			t.idx[p], t.errs[p] = i, err
			return
		}
	}
}
