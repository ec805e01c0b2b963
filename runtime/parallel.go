package runtime

import (
	goruntime "runtime"

	"github.com/pushforward/pushforward/runtime/ops"
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
type elemTasks[T ops.Number] struct {
	unary  unaryTask[T]
	binary binaryTask[T]
	move   moveTask[T]
	concat concatTask[T]
	reduce reduceTask[T]
}

func tasksOf[T ops.Number](x *execCtx) *elemTasks[T] {
	switch any(*new(T)).(type) {
	case float32:
		return any(&x.tasksF32).(*elemTasks[T])
	case float64:
		return any(&x.tasksF64).(*elemTasks[T])
	case int64:
		return any(&x.tasksI64).(*elemTasks[T])
	}
	return any(&x.tasksU64).(*elemTasks[T])
}

// A unaryTask applies a unary kernel to parts of a contiguous array.
type unaryTask[T ops.Number] struct {
	k      *ops.UnaryKernel[T]
	xs, os []T
	parts  int
}

// RunPart implements kernels.Task.
func (t *unaryTask[T]) RunPart(i int) {
	n := len(t.os)
	lo, hi := i*n/t.parts, (i+1)*n/t.parts
	t.k.Run(t.os[lo:hi], t.xs[lo:hi])
}

// A binaryTask applies a binary kernel to parts of its walk
// (ops.BinaryKernel.RunPart).
type binaryTask[T ops.Number] struct {
	k          *ops.BinaryKernel[T]
	as, bs, os []T
	parts      int
}

// RunPart implements kernels.Task.
func (t *binaryTask[T]) RunPart(i int) { t.k.RunPart(t.os, t.as, t.bs, i, t.parts) }

// A moveTask does parts of a data move (ops.MovePart).
type moveTask[T ops.Number] struct {
	p      *ops.MovePlan
	os, xs []T
	parts  int
}

// RunPart implements kernels.Task.
func (t *moveTask[T]) RunPart(i int) { ops.MovePart(t.p, t.os, t.xs, i, t.parts) }

// A concatTask copies parts of every operand of a concat (ops.ConcatPart).
type concatTask[T ops.Number] struct {
	p     *ops.ConcatPlan
	os    []T
	args  []*Tensor
	parts int
}

// RunPart implements kernels.Task.
func (t *concatTask[T]) RunPart(i int) {
	for j, a := range t.args {
		ops.ConcatPart(t.p, t.os, elems[T](a), j, i, t.parts)
	}
}
