package runtime

import (
	goruntime "runtime"

	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/runtime/kernels"
	"github.com/pushforward/pushforward/runtime/rng"
)

// parallelRandomThreshold is the element count from which rng ops split the
// fill across goroutines; below it the goroutines cost more than they save.
const parallelRandomThreshold = 1 << 16

// bindRandom binds rng_uniform and rng_normal: element i of the result is
// element i of the stream (key, counter) of runtime/rng. The stream is
// counter-based, so splitting the fill across goroutines changes nothing.
func bindRandom(b *binding) (runFunc, error) {
	normal := b.in.Op == ir.OpRngNormal
	return func(x *execCtx, args, outs []*Tensor) error {
		out := outs[0]
		n := out.Len()
		t := &x.rand
		*t = randomTask{
			key: args[0].U64[0], counter: args[1].U64[0], normal: normal,
			out: out, n: n,
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
	switch {
	case t.out.DType() == ir.F32 && t.normal:
		rng.FillNormal32Range(t.out.F32, t.key, t.counter, lo, hi)
	case t.out.DType() == ir.F32:
		rng.FillUniform32Range(t.out.F32, t.key, t.counter, lo, hi)
	case t.normal:
		rng.FillNormal64Range(t.out.F64, t.key, t.counter, lo, hi)
	default:
		rng.FillUniform64Range(t.out.F64, t.key, t.counter, lo, hi)
	}
}
