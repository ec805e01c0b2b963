package runtime

import (
	"fmt"
	"slices"
	"unsafe"

	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/runtime/kernels"
	"github.com/pushforward/pushforward/runtime/ops"
)

// Two matrix products in a row by the same right operand (the W̃ᵀ step
// multiplies both the activations and their tangents by each weight) run
// as one kernels.PairGEMM call in a Runner, which packs the shared operand
// once: the products of 128 rows by a 1024×1024 f32 weight gain 3 to 5%,
// those by a 1024×10 weight about a quarter, on two Zen 4 threads
// (BenchmarkPair in runtime/kernels). The results are the bits of the two
// products run one after the other.

// A pairRun runs two paired matmul steps: the operands and results of the
// first, then of the second.
type pairRun = func(args1, outs1, args2, outs2 []*Tensor)

// bindPair returns the pairRun of pair p of dtype d for gemm, or nil when
// gemm has no PairGEMM.
func bindPair(p ops.MatmulPair, d ir.DType, gemm kernels.GEMM) pairRun {
	pg, ok := gemm.(kernels.PairGEMM)
	if !ok {
		return nil
	}
	if d == ir.F32 {
		return func(args1, outs1, args2, outs2 []*Tensor) {
			pg.SgemmPair(p.TransposeA, p.TransposeB, p.M1, p.M2, p.N, p.K, 1, args1[0].F32, p.LDA1, args2[0].F32, p.LDA2, args1[1].F32, p.LDB, 0, outs1[0].F32, p.N, outs2[0].F32, p.N)
		}
	}
	return func(args1, outs1, args2, outs2 []*Tensor) {
		pg.DgemmPair(p.TransposeA, p.TransposeB, p.M1, p.M2, p.N, p.K, 1, args1[0].F64, p.LDA1, args2[0].F64, p.LDA2, args1[1].F64, p.LDB, 0, outs1[0].F64, p.N, outs2[0].F64, p.N)
	}
}

// planPairs finds the steps of r's function that run paired: step i with
// step i+1 when ops.PairMatmuls accepts them and the second's result,
// placed by the memory plan, does not overlap what the first reads (the
// plan may give it the range of an operand that dies at the first).
func (r *Runner) planPairs() {
	steps := r.it.steps
	for i := 0; i+1 < len(steps); i++ {
		first, second := &steps[i], &steps[i+1]
		pair, ok := ops.PairMatmuls(first.in, second.in)
		if !ok || !first.kern.into || !second.kern.into {
			continue
		}
		// The operands of the first that are inputs have no tensor yet;
		// they never share the Runner's memory.
		out2 := r.env[second.results[0]]
		reads := []int{first.args[0], first.args[1], first.results[0]}
		if out2 == nil || slices.ContainsFunc(reads, func(n int) bool { return overlaps(out2, r.env[n]) }) {
			continue
		}
		run := bindPair(pair, first.in.Results[0].Type.DType, r.it.gemm)
		if run == nil {
			continue
		}
		if r.pairs == nil {
			r.pairs = make([]pairRun, len(steps))
		}
		r.pairs[i] = run
		i++ // the second is done by the pair
	}
}

// overlaps reports whether the elements of a and b share memory; a nil
// tensor (an input, or a result its kernel allocates) shares none.
func overlaps(a, b *Tensor) bool {
	if a == nil || b == nil {
		return false
	}
	lo1, hi1 := span(a)
	lo2, hi2 := span(b)
	return lo1 < hi2 && lo2 < hi1
}

// span returns the address range of t's elements.
func span(t *Tensor) (lo, hi uintptr) {
	var p unsafe.Pointer
	var n, size int
	switch {
	case t.F32 != nil:
		p, n, size = unsafe.Pointer(unsafe.SliceData(t.F32)), len(t.F32), 4
	case t.F64 != nil:
		p, n, size = unsafe.Pointer(unsafe.SliceData(t.F64)), len(t.F64), 8
	case t.I64 != nil:
		p, n, size = unsafe.Pointer(unsafe.SliceData(t.I64)), len(t.I64), 8
	case t.U64 != nil:
		p, n, size = unsafe.Pointer(unsafe.SliceData(t.U64)), len(t.U64), 8
	}
	return uintptr(p), uintptr(p) + uintptr(n*size)
}

// runPair runs steps i and i+1 as a pair, reporting a kernel panic as an
// error of the first.
func (r *Runner) runPair(i int) (err error) {
	s := &r.it.steps[i]
	defer func() {
		if p := recover(); p != nil {
			err = &Error{Instr: s.in, Err: fmt.Errorf("kernel panic: %v", p)}
		}
	}()
	r.pairs[i](r.args[i], r.outs[i], r.args[i+1], r.outs[i+1])
	return nil
}
