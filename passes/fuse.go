package passes

import (
	"fmt"

	"github.com/pushforward/pushforward/ir"
)

// FuseOptions configure Fuse.
type FuseOptions struct {
	// NoEpilogues keeps matrix products out of fused ops (for measuring
	// what epilogues bring).
	NoEpilogues bool
	// NoReductions keeps reductions out of fused ops.
	NoReductions bool
	// WideGEMM computes pairs of products that share their right operand
	// (a layer's weight, times the primal and the tangent activations) as
	// one product over the stacked rows: concat, one matmul, two slices.
	WideGEMM bool
}

// Fuse returns f with its chains of elementwise and broadcast ops made
// into fused ops (ir/fused.go), each one loop over its result instead of
// one per op, so that the chain's intermediates never go to memory:
//
//   - Chains: producer and consumer ops of the elementwise and broadcast
//     classes with results of the same shape join one fused op
//     (kind elementwise), unless the merge would make a cycle through an
//     op outside the chain. A value of the chain used outside it becomes
//     one more result of the fused op: that writes it once, where leaving
//     its op unfused would write it and read its operands again. Splat
//     constants (full, one-element constant) the chain reads become
//     constants of the body. Chains of one op stay as they are.
//   - Epilogues: a chain that reads the product of a matmul takes the
//     matmul in (kind matmul): bias, activation, the ReLU mask applied to
//     a tangent, alpha/beta accumulation run on the product right after
//     it is computed. Of two products a chain reads, it takes the one no
//     other instruction reads, else the later one; the other product
//     comes in as an operand (or, read elsewhere too, as a result).
//   - Reductions: a reduction whose operand is a chain's only result, read
//     by the reduction alone, folds the chain in (kind reduce).
//   - Wide products (WideGEMM): see FuseOptions.
//
// Fused ops compute the bits the ops they replace compute (Unfuse is the
// inverse, and the oracle of the tests). The result verifies; fused ops
// sit where the last op they replace was, and the other instructions
// keep their order where the dependencies allow. Splat constants that
// only fused bodies read are dropped. f is not modified.
func Fuse(f *ir.Func, opts FuseOptions) (*ir.Func, error) {
	if opts.WideGEMM {
		f = widenProducts(f.Clone())
	}
	g := newFuseGraph(f)
	gs := g.chains()
	if !opts.NoEpilogues {
		gs.attachProducts()
	}
	if !opts.NoReductions {
		gs.attachReductions()
	}
	out, err := gs.emit()
	if err != nil {
		return nil, fmt.Errorf("@%s: %w", f.Name, err)
	}
	return out, nil
}
