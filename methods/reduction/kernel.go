package reduction

import (
	"fmt"

	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/passes"
	"github.com/pushforward/pushforward/runtime"
)

// A kernel is one compiled IR function of a reduction: cleaned up by the
// passes, verified, and run by a runtime Runner over input tensors it owns,
// so that a call in an optimisation loop allocates nothing but what the
// runtime's argmin allocates.
type kernel struct {
	fn  *ir.Func
	run *runtime.Runner
	in  []*runtime.Tensor
	out [][]float64
}

// compile folds, deduplicates and prunes f, prepares its argmins (the
// implicit pass), verifies it and prepares a Runner. Every parameter and result must be f64.
func compile(f *ir.Func) (*kernel, error) {
	f = passes.DCE(passes.CSE(passes.Fold(f)))
	// argmin maps run on the functions the implicit pass derives.
	if _, err := passes.Implicit(f); err != nil {
		return nil, err
	}
	if err := ir.Verify(f); err != nil {
		return nil, err
	}
	for _, v := range append(append([]*ir.Value{}, f.Params...), f.Results...) {
		if v.Type.DType != ir.F64 {
			return nil, fmt.Errorf("@%s: %s has type %s, want f64", f.Name, v, v.Type)
		}
	}
	it, err := runtime.New(f)
	if err != nil {
		return nil, err
	}
	k := &kernel{fn: f, run: it.NewRunner(), in: make([]*runtime.Tensor, len(f.Params))}
	for i, p := range f.Params {
		k.in[i] = runtime.Zeros(p.Type)
	}
	return k, nil
}

// call runs the kernel on args, one flat f64 slice per parameter, and
// returns the results' elements, which stay valid until the next call.
func (k *kernel) call(args ...[]float64) ([][]float64, error) {
	if len(args) != len(k.in) {
		return nil, fmt.Errorf("@%s takes %d inputs, got %d", k.fn.Name, len(k.in), len(args))
	}
	for i, a := range args {
		if len(a) != len(k.in[i].F64) {
			return nil, fmt.Errorf("@%s: input %s has %d elements, want %d (%s)",
				k.fn.Name, k.fn.Params[i], len(a), len(k.in[i].F64), k.fn.Params[i].Type)
		}
		copy(k.in[i].F64, a)
	}
	outs, err := k.run.Run(k.in)
	if err != nil {
		return nil, fmt.Errorf("@%s: %w", k.fn.Name, err)
	}
	k.out = k.out[:0]
	for _, o := range outs {
		k.out = append(k.out, o.F64)
	}
	return k.out, nil
}
