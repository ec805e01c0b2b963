package runtime

import (
	goruntime "runtime"

	"github.com/pushforward/pushforward/ir"
)

// parallelElems is the result size from which elementwise kernels split
// their work across goroutines: about 20 µs of work per part, well above
// the cost of handing a part to a helper.
const parallelElems = 1 << 15

// elemParts returns the number of parts to cut n elements into.
func elemParts(n int) int {
	return max(1, min(goruntime.GOMAXPROCS(0), n/parallelElems))
}

// The tasks of the parallel elementwise kernels live in the execCtx, one
// set per element type, so that starting one allocates nothing.
type elemTasks[T number] struct {
	unary  unaryTask[T]
	binary binaryTask[T]
}

func tasksOf[T number](x *execCtx) *elemTasks[T] {
	var zero T
	switch any(zero).(type) {
	case float32:
		return any(&x.tasksF32).(*elemTasks[T])
	case float64:
		return any(&x.tasksF64).(*elemTasks[T])
	case int64:
		return any(&x.tasksI64).(*elemTasks[T])
	}
	return any(&x.tasksU64).(*elemTasks[T])
}

// A unaryTask applies a unary op to parts of a contiguous array.
type unaryTask[T number] struct {
	op     ir.Op
	f      func(T) T
	xs, os []T
	parts  int
}

// RunPart implements kernels.Task.
func (t *unaryTask[T]) RunPart(i int) {
	n := len(t.os)
	lo, hi := i*n/t.parts, (i+1)*n/t.parts
	unaryLoop(t.op, t.f, t.os[lo:hi], t.xs[lo:hi])
}

// A binaryTask applies a binary op to parts of a walk: ranges of rows,
// or, when there are fewer rows than parts, ranges of columns.
type binaryTask[T number] struct {
	op         ir.Op
	f          func(a, b T) T
	p          *walkPlan
	as, bs, os []T
	parts      int
	byColumns  bool
}

// RunPart implements kernels.Task.
func (t *binaryTask[T]) RunPart(i int) {
	rows, n := t.p.rows(), t.p.rowLen()
	if t.byColumns {
		binaryRows(t.op, t.f, t.p, t.as, t.bs, t.os, 0, rows, i*n/t.parts, (i+1)*n/t.parts)
		return
	}
	binaryRows(t.op, t.f, t.p, t.as, t.bs, t.os, i*rows/t.parts, (i+1)*rows/t.parts, 0, n)
}
