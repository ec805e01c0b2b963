package runtime

import (
	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/runtime/kernels"
	"github.com/pushforward/pushforward/runtime/ops"
)

// The elementwise ops bind the kernels of runtime/ops, whose tables say
// which ops there are: the interpreter only splits large results across
// goroutines (parallel.go) and passes the operands' slices.

// bindUnary binds a one-operand elementwise op of ops' table.
func bindUnary[T ops.Number](b *binding) (runFunc, error) {
	k, err := ops.NewUnary[T](b.in.Op, b.in.Attrs)
	if err != nil {
		return nil, err
	}
	return func(x *execCtx, args, outs []*Tensor) error {
		xs, os := elems[T](args[0]), elems[T](outs[0])
		if parts := elemParts(len(os)); parts > 1 {
			t := &tasksOf[T](x).unary
			*t = unaryTask[T]{k: k, xs: xs, os: os, parts: parts}
			kernels.Parallel(parts, t)
			*t = unaryTask[T]{}
			return nil
		}
		k.Run(os, xs)
		return nil
	}, nil
}

// bindBinary binds a two-operand elementwise op of ops' table, with
// broadcasting.
func bindBinary[T ops.Number](b *binding) (runFunc, error) {
	k, err := ops.NewBinary[T](b.in.Op, b.in.Args[0].Type.Shape, b.in.Args[1].Type.Shape, b.out(0).Shape)
	if err != nil {
		return nil, err
	}
	return func(x *execCtx, args, outs []*Tensor) error {
		as, bs, os := elems[T](args[0]), elems[T](args[1]), elems[T](outs[0])
		if err := k.Check(os, bs); err != nil {
			return err
		}
		if parts := elemParts(len(os)); parts > 1 {
			t := &tasksOf[T](x).binary
			*t = binaryTask[T]{k: k, as: as, bs: bs, os: os, parts: parts}
			kernels.Parallel(parts, t)
			*t = binaryTask[T]{}
			return nil
		}
		k.RunPart(os, as, bs, 0, 1)
		return nil
	}, nil
}

// bindSelect binds select: a where cond != 0, else b, broadcasting all
// three; the condition may have any dtype.
func bindSelect[T ops.Number](b *binding) (runFunc, error) {
	switch b.in.Args[0].Type.DType {
	case ir.F32:
		return bindSelectWith[float32, T](b)
	case ir.F64:
		return bindSelectWith[float64, T](b)
	case ir.I64:
		return bindSelectWith[int64, T](b)
	}
	return bindSelectWith[uint64, T](b)
}

func bindSelectWith[C, T ops.Number](b *binding) (runFunc, error) {
	a := b.in.Args
	k, err := ops.NewSelect[C, T](a[0].Type.Shape, a[1].Type.Shape, a[2].Type.Shape, b.out(0).Shape)
	if err != nil {
		return nil, err
	}
	return func(_ *execCtx, args, outs []*Tensor) error {
		k.Run(elems[T](outs[0]), elems[C](args[0]), elems[T](args[1]), elems[T](args[2]))
		return nil
	}, nil
}

// bindCast binds cast into the result dtype T from the operand's.
func bindCast[T ops.Number](b *binding) (runFunc, error) {
	switch b.in.Args[0].Type.DType {
	case ir.F32:
		return castFrom[T, float32], nil
	case ir.F64:
		return castFrom[T, float64], nil
	case ir.I64:
		return castFrom[T, int64], nil
	}
	return castFrom[T, uint64], nil
}

func castFrom[T, S ops.Number](_ *execCtx, args, outs []*Tensor) error {
	ops.CastSlice(elems[T](outs[0]), elems[S](args[0]))
	return nil
}
