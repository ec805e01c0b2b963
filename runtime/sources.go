package runtime

import (
	goruntime "runtime"

	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/runtime/kernels"
	"github.com/pushforward/pushforward/runtime/ops"
)

// bindConstant binds constant; the value is converted once, here
// (ops.ConstantValues).
func bindConstant[T ops.Number](b *binding) (runFunc, error) {
	value, err := ops.ConstantValues[T](b.in.Attrs["value"], b.out(0).Shape.Size())
	if err != nil {
		return nil, err
	}
	return func(_ *execCtx, _, outs []*Tensor) error {
		copy(elems[T](outs[0]), value)
		return nil
	}, nil
}

// bindFull binds full: every element equal to the value attribute.
func bindFull[T ops.Number](b *binding) (runFunc, error) {
	v, err := ops.AttrValue[T](b.in.Attrs["value"])
	if err != nil {
		return nil, err
	}
	return func(_ *execCtx, _, outs []*Tensor) error {
		ops.Fill(elems[T](outs[0]), v)
		return nil
	}, nil
}

// parallelRandomThreshold is the element count from which rng ops split the
// fill across goroutines; below it the goroutines cost more than they save.
const parallelRandomThreshold = 1 << 16

// bindRandom binds rng_uniform and rng_normal (ops.FillRandom), splitting
// large fills across goroutines, which changes nothing in a counter-based
// stream.
func bindRandom[T ops.Float](b *binding) (runFunc, error) {
	normal := b.in.Op == ir.OpRngNormal
	return func(x *execCtx, args, outs []*Tensor) error {
		out := elems[T](outs[0])
		n := len(out)
		t := &x.rand
		*t = randomTask{
			key: args[0].U64[0], counter: args[1].U64[0], normal: normal,
			out: outs[0], n: n,
			parts: min(goruntime.GOMAXPROCS(0), n/parallelRandomThreshold+1),
		}
		kernels.Parallel(t.parts, t)
		t.out = nil
		return nil
	}, nil
}

// A randomTask fills its parts of an rng op's result. It lives in the
// execCtx, so that starting one allocates nothing.
type randomTask struct {
	key, counter uint64
	normal       bool
	out          *Tensor
	n, parts     int
}

// RunPart implements kernels.Task: it fills elements [lo, hi) of part i.
func (t *randomTask) RunPart(i int) {
	lo, hi := i*t.n/t.parts, (i+1)*t.n/t.parts
	if t.out.DType() == ir.F32 {
		ops.FillRandom(t.normal, t.out.F32, t.key, t.counter, lo, hi)
		return
	}
	ops.FillRandom(t.normal, t.out.F64, t.key, t.counter, lo, hi)
}
