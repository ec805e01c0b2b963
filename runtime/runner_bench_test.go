package runtime

import (
	"testing"

	"github.com/pushforward/pushforward/ir"
)

// BenchmarkRunnerOps times single ops of the MLP steps at their size
// (128×1024 f32) through a Runner: the noise of the W̃ᵀ guesses, the
// activation and its derivative, a broadcast bias add, a bias gradient,
// and the per-example Gram products of W̃⊥'s subspace (128 products
// 15×1024 by its transpose).
func BenchmarkRunnerOps(b *testing.B) {
	t := f32(128, 1024)
	cases := []struct {
		name string
		op   ir.Op
		args []ir.Type
	}{
		{"rng_normal", ir.OpRngNormal, []ir.Type{ir.Scalar(ir.U64), ir.Scalar(ir.U64)}},
		{"relu", ir.OpRelu, []ir.Type{t}},
		{"step", ir.OpStep, []ir.Type{t}},
		{"mul", ir.OpMul, []ir.Type{t, t}},
		{"add_bias", ir.OpAdd, []ir.Type{t, f32(1024)}},
		{"reduce_sum_rows", ir.OpReduceSum, []ir.Type{t}},
		{"gram_batch", ir.OpMatmul, []ir.Type{f32(128, 15, 1024), f32(128, 15, 1024)}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			var attrs ir.Attrs
			out := t
			switch c.name {
			case "reduce_sum_rows":
				attrs, out = ir.Attrs{"axes": ir.List{ir.Int(0)}}, f32(1024)
			case "gram_batch":
				attrs, out = ir.Attrs{"transpose_b": ir.Bool(true)}, f32(128, 15, 15)
			}
			f := singleInstrFunc(c.op, attrs, c.args, []ir.Type{out})
			it, err := New(f)
			if err != nil {
				b.Fatal(err)
			}
			inputs := make([]*Tensor, len(c.args))
			for i, a := range c.args {
				inputs[i] = Zeros(a)
			}
			r := it.NewRunner()
			if _, err := r.Run(inputs); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				r.Run(inputs)
			}
		})
	}
}
