package runtime

import (
	"fmt"
	goruntime "runtime"

	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/runtime/kernels"
)

// The linear-algebra ops view their operands as batches of matrices over
// the leading axes and run a float64 kernel of runtime/kernels on each
// matrix, converting f32 data in and out.

// matrices splits a shape [..., rows, cols] into its batch axes, the number
// of matrices and the matrix dimensions.
func matrices(s ir.Shape) (batch ir.Shape, count, rows, cols int) {
	r := len(s)
	batch = s[:r-2]
	return batch, batch.Size(), s[r-2], s[r-1]
}

// storeFloat64s writes src, converted to t's dtype, into t's elements
// starting at off.
func storeFloat64s(t *Tensor, off int, src []float64) {
	switch t.DType() {
	case ir.F32:
		convertSlice(t.F32[off:off+len(src)], src)
	case ir.F64:
		copy(t.F64[off:], src)
	}
}

// atBatch says which matrix of a batch failed.
func atBatch(batch ir.Shape, i int, err error) error {
	if len(batch) == 0 {
		return err
	}
	return fmt.Errorf("matrix at batch index %v: %w", unravel(i, batch), err)
}

func execQR(c *call) ([]*Tensor, error) {
	a := c.args[0]
	batch, count, m, n := matrices(a.Shape())
	k := min(m, n)
	q, r := Zeros(c.out(0)), Zeros(c.out(1))
	src := a.Float64s()
	err := forBatch(batch, count, m*n*k, func(lo, hi int) (int, error) {
		qb, rb := make([]float64, m*k), make([]float64, k*n)
		for i := lo; i < hi; i++ {
			kernels.QR(m, n, src[i*m*n:(i+1)*m*n], qb, rb)
			storeFloat64s(q, i*m*k, qb)
			storeFloat64s(r, i*k*n, rb)
		}
		return 0, nil
	})
	if err != nil {
		return nil, err
	}
	return []*Tensor{q, r}, nil
}

func execSVD(c *call) ([]*Tensor, error) {
	a := c.args[0]
	batch, count, m, n := matrices(a.Shape())
	k := min(m, n)
	u, s, v := Zeros(c.out(0)), Zeros(c.out(1)), Zeros(c.out(2))
	src := a.Float64s()
	err := forBatch(batch, count, m*n*k, func(lo, hi int) (int, error) {
		ub, sb, vb := make([]float64, m*k), make([]float64, k), make([]float64, n*k)
		for i := lo; i < hi; i++ {
			if err := kernels.SVD(m, n, src[i*m*n:(i+1)*m*n], ub, sb, vb); err != nil {
				return i, err
			}
			storeFloat64s(u, i*m*k, ub)
			storeFloat64s(s, i*k, sb)
			storeFloat64s(v, i*n*k, vb)
		}
		return 0, nil
	})
	if err != nil {
		return nil, err
	}
	return []*Tensor{u, s, v}, nil
}

func execEigh(c *call) ([]*Tensor, error) {
	a := c.args[0]
	batch, count, n, _ := matrices(a.Shape())
	w, v := Zeros(c.out(0)), Zeros(c.out(1))
	src := a.Float64s()
	err := forBatch(batch, count, n*n*n, func(lo, hi int) (int, error) {
		wb, vb := make([]float64, n), make([]float64, n*n)
		for i := lo; i < hi; i++ {
			if err := kernels.Eigh(n, src[i*n*n:(i+1)*n*n], wb, vb); err != nil {
				return i, err
			}
			storeFloat64s(w, i*n, wb)
			storeFloat64s(v, i*n*n, vb)
		}
		return 0, nil
	})
	if err != nil {
		return nil, err
	}
	return []*Tensor{w, v}, nil
}

func execCholesky(c *call) (*Tensor, error) {
	a := c.args[0]
	batch, count, n, _ := matrices(a.Shape())
	l := Zeros(c.out(0))
	src := a.Float64s()
	err := forBatch(batch, count, n*n*n, func(lo, hi int) (int, error) {
		lb := make([]float64, n*n)
		for i := lo; i < hi; i++ {
			if err := kernels.Cholesky(n, src[i*n*n:(i+1)*n*n], lb); err != nil {
				return i, err
			}
			storeFloat64s(l, i*n*n, lb)
		}
		return 0, nil
	})
	if err != nil {
		return nil, err
	}
	return l, nil
}

// execTriangularSolve solves op(a)·x = b (left, the default) or
// x·op(a) = b for each matrix of the batch; a is lower triangular unless
// lower=false, and op transposes it if transpose_a.
func execTriangularSolve(c *call) (*Tensor, error) {
	a, b := c.args[0], c.args[1]
	left, err := c.in.Attrs.Bool("left", true)
	if err != nil {
		return nil, err
	}
	lower, err := c.in.Attrs.Bool("lower", true)
	if err != nil {
		return nil, err
	}
	transA, err := c.in.Attrs.Bool("transpose_a", false)
	if err != nil {
		return nil, err
	}
	batch, count, n, _ := matrices(a.Shape())
	_, _, rows, cols := matrices(b.Shape())
	x := Zeros(c.out(0))
	as, bs := a.Float64s(), b.Float64s()
	err = forBatch(batch, count, n*rows*cols, func(lo, hi int) (int, error) {
		xb := make([]float64, rows*cols)
		for i := lo; i < hi; i++ {
			err := kernels.TriangularSolve(left, lower, transA, rows, cols, as[i*n*n:(i+1)*n*n], bs[i*rows*cols:(i+1)*rows*cols], xb)
			if err != nil {
				return i, err
			}
			storeFloat64s(x, i*rows*cols, xb)
		}
		return 0, nil
	})
	if err != nil {
		return nil, err
	}
	return x, nil
}

// minBatchWork is the flops (roughly) of a batch of decompositions from
// which forBatch spreads them over goroutines.
const minBatchWork = 1 << 16

// forBatch runs body over the matrices [0, count) of a batch, in
// contiguous ranges on several goroutines when the batch is worth it
// (each matrix costing about work flops). body returns the index and the
// error of its first failure; forBatch returns the failure of the lowest
// index, located in the batch shape, so that errors do not depend on the
// split. Each matrix writes its own part of the results.
func forBatch(batch ir.Shape, count, work int, body func(lo, hi int) (int, error)) error {
	parts := 1
	if count > 1 && count*work >= minBatchWork {
		parts = min(count, goruntime.GOMAXPROCS(0))
	}
	t := &batchLoop{count: count, parts: parts, body: body, idx: make([]int, parts), errs: make([]error, parts)}
	kernels.Parallel(parts, t)
	for p, err := range t.errs {
		if err != nil {
			return atBatch(batch, t.idx[p], err) // parts are in index order
		}
	}
	return nil
}

// A batchLoop is the task of forBatch.
type batchLoop struct {
	count, parts int
	body         func(lo, hi int) (int, error)
	idx          []int
	errs         []error
}

// RunPart implements kernels.Task.
func (t *batchLoop) RunPart(p int) {
	t.idx[p], t.errs[p] = t.body(p*t.count/t.parts, (p+1)*t.count/t.parts)
}
