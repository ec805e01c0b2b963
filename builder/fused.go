package builder

import (
	"errors"
	"fmt"

	"github.com/pushforward/pushforward/ir"
)

// Fused appends a fused op (ir/fused.go): one loop applying body, a
// function over scalars built with another Builder, to args. attrs holds
// kind ("elementwise", "matmul" or "reduce") and that kind's attributes;
// results are the result types. The fuse pass makes fused ops from
// ordinary ones; this method is for tests and hand-written kernels.
func (b *Builder) Fused(body *ir.Func, attrs ir.Attrs, results []ir.Type, args ...*ir.Value) []*ir.Value {
	if b.err != nil {
		return nil
	}
	fail := func(err error) []*ir.Value {
		b.fail(callerPos(), "fused", ir.TypesOf(args), err)
		return nil
	}
	if body == nil {
		return fail(errors.New("nil body"))
	}
	if err := b.checkOperands(args); err != nil {
		return fail(err)
	}
	fu, err := ir.AnalyzeFused(ir.TypesOf(args), attrs, results)
	if err != nil {
		return fail(err)
	}
	if got := ir.TypesOf(body.Params); !ir.TypesEqual(got, fu.Params) {
		return fail(fmt.Errorf("body @%s takes (%s), want (%s)", body.Name, ir.FormatTypes(got), ir.FormatTypes(fu.Params)))
	}
	want := make([]ir.Type, len(results))
	for i, t := range results {
		want[i] = ir.Scalar(t.DType)
	}
	if got := body.ResultTypes(); !ir.TypesEqual(got, want) {
		return fail(fmt.Errorf("body @%s returns (%s), want (%s)", body.Name, ir.FormatTypes(got), ir.FormatTypes(want)))
	}
	return b.emit(ir.OpFused, args, attrs, results, &ir.Region{Funcs: []*ir.Func{body}})
}
