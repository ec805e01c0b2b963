package runtime

import (
	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/runtime/kernels"
	"github.com/pushforward/pushforward/runtime/ops"
)

// bindReduce binds reduce_sum, reduce_mean and reduce_max
// (ops.ReducePlan).
func bindReduce[T ops.Number](b *binding) (runFunc, error) {
	shape := b.in.Args[0].Type.Shape
	axes, err := ir.NormAxes(b.in.Attrs, len(shape))
	if err != nil {
		return nil, err
	}
	p, err := ops.NewReduce(b.in.Op, shape, axes)
	if err != nil {
		return nil, err
	}
	scratch := p.ScratchLen()
	split := p.Splits() && ops.IsFloat[T]()
	return func(x *execCtx, args, outs []*Tensor) error {
		os, xs := elems[T](outs[0]), elems[T](args[0])
		if parts := elemParts(len(xs)); split && parts > 1 {
			t := &tasksOf[T](x).reduce
			each := p.PartScratchLen(parts)
			*t = reduceTask[T]{p: p, os: os, xs: xs, scratch: x.float64s(each * parts), each: each, parts: parts}
			kernels.Parallel(parts, t)
			*t = reduceTask[T]{}
			return nil
		}
		ops.Reduce(p, os, xs, x.float64s(scratch))
		return nil
	}, nil
}

// A reduceTask does parts of a float sum or mean (ops.ReducePart), each
// with its own slice of the scratch.
type reduceTask[T ops.Number] struct {
	p           *ops.ReducePlan
	os, xs      []T
	scratch     []float64
	each, parts int
}

// RunPart implements kernels.Task.
func (t *reduceTask[T]) RunPart(i int) {
	ops.ReducePart(t.p, t.os, t.xs, t.scratch[i*t.each:][:t.each], i, t.parts)
}
