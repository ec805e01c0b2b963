package runtime

import (
	"testing"

	"github.com/pushforward/pushforward/ir"
)

// Operands with a zero dimension run without error or panic and give
// results of the inferred type.
func TestZeroSizedOperands(t *testing.T) {
	x := f32(2, 0)
	tests := []struct {
		op    ir.Op
		attrs ir.Attrs
		args  []ir.Type
	}{
		{ir.OpAdd, nil, []ir.Type{x, f32(0)}},
		{ir.OpSelect, nil, []ir.Type{x, x, f32()}},
		{ir.OpReduceSum, ir.Attrs{"axes": ir.Ints(0)}, []ir.Type{x}},
		{ir.OpReduceMean, nil, []ir.Type{x}}, // 0/0: NaN
		{ir.OpReduceMax, ir.Attrs{"axes": ir.Ints(1)}, []ir.Type{x}},
		{ir.OpTranspose, ir.Attrs{"perm": ir.Ints(1, 0)}, []ir.Type{x}},
		{ir.OpConcat, ir.Attrs{"axis": ir.Int(1)}, []ir.Type{x, f32(2, 3)}},
		{ir.OpGather, nil, []ir.Type{f32(3, 2), ir.TensorOf(ir.I64, 0)}},
		{ir.OpGather, nil, []ir.Type{x, ir.TensorOf(ir.I64, 3)}}, // index 0 of 2 rows of nothing
		{ir.OpMatmul, nil, []ir.Type{f32(0, 2), f32(2, 3)}},
		{ir.OpMatmul, nil, []ir.Type{f32(0, 2, 2), f32(2, 3)}},
		{ir.OpSoftmax, nil, []ir.Type{x}},
		{ir.OpLogSoftmax, ir.Attrs{"axis": ir.Int(0)}, []ir.Type{x}},
		{ir.OpSoftmaxXent, nil, []ir.Type{f32(0, 3), ir.TensorOf(ir.I64, 0)}}, // mean of nothing: NaN
		{ir.OpOneHot, ir.Attrs{"depth": ir.Int(3)}, []ir.Type{ir.TensorOf(ir.I64, 0)}},
		{ir.OpQR, nil, []ir.Type{f32(0, 3)}},
		{ir.OpSVD, nil, []ir.Type{f32(3, 0)}},
		{ir.OpEigh, nil, []ir.Type{f32(0, 0)}},
		{ir.OpCholesky, nil, []ir.Type{f32(0, 2, 2)}},
		{ir.OpTriangularSolve, nil, []ir.Type{f32(0, 0), f32(0, 3)}},
	}
	for _, tt := range tests {
		results, err := ir.InferTypes(tt.op, tt.args, tt.attrs, nil)
		if err != nil {
			t.Fatalf("%s %v: %v", tt.op, tt.args, err)
		}
		inputs := make([]*Tensor, len(tt.args))
		for i, a := range tt.args {
			inputs[i] = Zeros(a)
		}
		out, err := Run(singleInstrFunc(tt.op, tt.attrs, tt.args, results), inputs)
		if err != nil {
			t.Errorf("%s %v: %v", tt.op, tt.args, err)
			continue
		}
		for i, r := range out {
			if !r.Type.Equal(results[i]) {
				t.Errorf("%s %v: result %d has type %s, want %s", tt.op, tt.args, i, r.Type, results[i])
			}
		}
	}
}
