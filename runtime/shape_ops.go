package runtime

import (
	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/runtime/kernels"
	"github.com/pushforward/pushforward/runtime/ops"
)

// bindDataMove binds broadcast_to, reshape, transpose and slice, whose
// result element i is one operand element (ops.MovePlan).
func bindDataMove[T ops.Number](b *binding) (runFunc, error) {
	p, err := ops.NewMove(b.in.Op, b.in.Args[0].Type.Shape, b.out(0).Shape, b.in.Attrs)
	if err != nil {
		return nil, err
	}
	return func(x *execCtx, args, outs []*Tensor) error {
		os, xs := elems[T](outs[0]), elems[T](args[0])
		if parts := elemParts(len(os)); parts > 1 {
			t := &tasksOf[T](x).move
			*t = moveTask[T]{p: p, os: os, xs: xs, parts: parts}
			kernels.Parallel(parts, t)
			*t = moveTask[T]{}
			return nil
		}
		ops.Move(p, os, xs)
		return nil
	}, nil
}

// bindConcat binds concat along its axis.
func bindConcat[T ops.Number](b *binding) (runFunc, error) {
	axis, err := b.in.IntAttr("axis")
	if err != nil {
		return nil, err
	}
	shapes := make([]ir.Shape, len(b.in.Args))
	for i, a := range b.in.Args {
		shapes[i] = a.Type.Shape
	}
	p, err := ops.NewConcat(shapes, axis)
	if err != nil {
		return nil, err
	}
	return func(x *execCtx, args, outs []*Tensor) error {
		out := elems[T](outs[0])
		if parts := elemParts(len(out)); parts > 1 {
			t := &tasksOf[T](x).concat
			*t = concatTask[T]{p: p, os: out, args: args, parts: parts}
			kernels.Parallel(parts, t)
			*t = concatTask[T]{}
			return nil
		}
		for i, a := range args {
			ops.Concat(p, out, elems[T](a), i)
		}
		return nil
	}, nil
}

// bindGather binds gather: slices of the table along axis picked by i64
// indices.
func bindGather[T ops.Number](b *binding) (runFunc, error) {
	axis, err := b.in.IntAttr("axis")
	if err != nil {
		return nil, err
	}
	p, err := ops.NewGather(b.in.Args[0].Type.Shape, b.in.Args[1].Type.Shape, axis)
	if err != nil {
		return nil, err
	}
	return func(_ *execCtx, args, outs []*Tensor) error {
		return ops.Gather(p, elems[T](outs[0]), elems[T](args[0]), args[1].I64)
	}, nil
}
