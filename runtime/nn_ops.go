package runtime

import (
	"github.com/pushforward/pushforward/runtime/ops"
)

// bindSoftmax binds softmax and log_softmax along their axis
// (ops.SoftmaxPlan).
func bindSoftmax[T ops.Float](b *binding) (runFunc, error) {
	axis, err := b.in.IntAttr("axis")
	if err != nil {
		return nil, err
	}
	p, err := ops.NewSoftmax(b.in.Op, b.in.Args[0].Type.Shape, axis)
	if err != nil {
		return nil, err
	}
	scratch := p.ScratchLen()
	return func(x *execCtx, args, outs []*Tensor) error {
		ops.Softmax(p, elems[T](outs[0]), elems[T](args[0]), x.float64s(scratch))
		return nil
	}, nil
}

// bindSoftmaxXent binds softmax_xent: the mean over the batch of
// -log_softmax(z)[b, t_b] for logits z [B, C] and i64 labels t [B].
func bindSoftmaxXent[T ops.Float](b *binding) (runFunc, error) {
	classes := b.in.Args[0].Type.Shape[1]
	return func(x *execCtx, args, outs []*Tensor) error {
		loss, err := ops.SoftmaxXent(elems[T](args[0]), args[1].I64, classes, x.float64s(classes))
		if err != nil {
			return err
		}
		elems[T](outs[0])[0] = loss
		return nil
	}, nil
}

// bindOneHot binds one_hot: i64 labels of shape S become vectors of shape
// S+[depth] in the result dtype.
func bindOneHot[T ops.Number](b *binding) (runFunc, error) {
	depth, err := b.in.IntAttr("depth")
	if err != nil {
		return nil, err
	}
	return func(_ *execCtx, args, outs []*Tensor) error {
		return ops.OneHot(elems[T](outs[0]), args[0].I64, args[0].Shape(), depth)
	}, nil
}
