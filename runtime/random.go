package runtime

import (
	goruntime "runtime"
	"sync"

	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/runtime/rng"
)

// parallelRandomThreshold is the element count from which rng ops split the
// fill across goroutines; below it the goroutines cost more than they save.
const parallelRandomThreshold = 1 << 16

// execRandom runs rng_uniform and rng_normal: element i of the result is
// element i of the stream (key, counter) of runtime/rng. The stream is
// counter-based, so splitting the fill across goroutines changes nothing.
func execRandom(c *call) (*Tensor, error) {
	key, counter := c.args[0].U64[0], c.args[1].U64[0]
	out := Zeros(c.out(0))
	fill := randomFill(c.in.Op, out)
	n := out.Len()
	workers := min(goruntime.GOMAXPROCS(0), n/parallelRandomThreshold+1)
	if workers == 1 {
		fill(key, counter, 0, n)
		return out, nil
	}
	var wg sync.WaitGroup
	for w := range workers {
		lo, hi := w*n/workers, (w+1)*n/workers
		wg.Go(func() { fill(key, counter, lo, hi) })
	}
	wg.Wait()
	return out, nil
}

// randomFill returns the function that fills elements [lo, hi) of out.
func randomFill(op ir.Op, out *Tensor) func(key, counter uint64, lo, hi int) {
	normal := op == ir.OpRngNormal
	switch {
	case out.DType() == ir.F32 && normal:
		return func(k, c uint64, lo, hi int) { rng.FillNormal32Range(out.F32, k, c, lo, hi) }
	case out.DType() == ir.F32:
		return func(k, c uint64, lo, hi int) { rng.FillUniform32Range(out.F32, k, c, lo, hi) }
	case normal:
		return func(k, c uint64, lo, hi int) { rng.FillNormal64Range(out.F64, k, c, lo, hi) }
	}
	return func(k, c uint64, lo, hi int) { rng.FillUniform64Range(out.F64, k, c, lo, hi) }
}
