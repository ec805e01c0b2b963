package runtime

import (
	"github.com/pushforward/pushforward/ir"
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
	return func(x *execCtx, args, outs []*Tensor) error {
		ops.Reduce(p, elems[T](outs[0]), elems[T](args[0]), x.float64s(scratch))
		return nil
	}, nil
}
