package conformance

import (
	"github.com/pushforward/pushforward/ir"
)

func fl(dims ...int) Input             { return Input{Shape: ir.Shape(dims)} }
func flDist(d Dist, dims ...int) Input { return Input{Shape: ir.Shape(dims), Dist: d} }
func labels(n int, dims ...int) Input  { return Input{Shape: ir.Shape(dims), Kind: Labels, N: n} }
func key() Input                       { return Input{Shape: ir.Shape{}, Kind: Key} }
func declare(dims ...int) func(ir.DType) []ir.Type {
	return func(d ir.DType) []ir.Type { return []ir.Type{ir.TensorOf(d, dims...)} }
}

func unaryCase(op ir.Op, d Dist) Case {
	return Case{Name: op.String(), Op: op, Inputs: []Input{flDist(d, 3, 4)}}
}

// binaryCases covers equal shapes, broadcasting of either side against a
// row, and a scalar.
func binaryCases(op ir.Op, d Dist, separate bool) []Case {
	shapes := []struct {
		name string
		a, b []int
	}{
		{"same", []int{3, 4}, []int{3, 4}},
		{"row", []int{2, 3, 4}, []int{4}},
		{"col", []int{3, 1}, []int{3, 4}},
		{"scalar", []int{3, 4}, []int{}},
	}
	var cs []Case
	for _, s := range shapes {
		cs = append(cs, Case{Name: op.String() + "/" + s.name, Op: op, Separate: separate,
			Inputs: []Input{flDist(d, s.a...), flDist(d, s.b...)}})
	}
	return cs
}

// Cases returns the conformance cases: every op of the table at least
// once.
func Cases() []Case {
	cs := []Case{
		{Name: "constant", Op: ir.OpConstant, Attrs: ir.Attrs{"value": ir.Floats(1, -2, 0.5, 3, 4, -1)}, Declared: declare(2, 3), Scaled: true},
		{Name: "full", Op: ir.OpFull, Attrs: ir.Attrs{"value": ir.Float(0.25)}, Declared: declare(2, 3), Scaled: true},
		{Name: "rng_normal", Op: ir.OpRngNormal, Inputs: []Input{key(), key()}, Declared: declare(3, 5), Scaled: true},
		{Name: "rng_uniform", Op: ir.OpRngUniform, Inputs: []Input{key(), key()}, Declared: declare(4, 2), Scaled: true},
		{Name: "one_hot", Op: ir.OpOneHot, Attrs: ir.Attrs{"depth": ir.Int(5)}, Inputs: []Input{labels(5, 4)}, Declared: declare(4, 5), Scaled: true},

		unaryCase(ir.OpNeg, Normal),
		unaryCase(ir.OpExp, Normal),
		unaryCase(ir.OpLog, Positive),
		unaryCase(ir.OpTanh, Normal),
		unaryCase(ir.OpSigmoid, Normal),
		unaryCase(ir.OpRelu, AwayFromZero),
		unaryCase(ir.OpStep, AwayFromZero),
		unaryCase(ir.OpAbs, AwayFromZero),
		unaryCase(ir.OpSqrt, Positive),
		unaryCase(ir.OpSquare, Normal),
		{Name: "pow/2.5", Op: ir.OpPow, Attrs: ir.Attrs{"exponent": ir.Float(2.5)}, Inputs: []Input{flDist(Positive, 3, 4)}},
		{Name: "pow/-1", Op: ir.OpPow, Attrs: ir.Attrs{"exponent": ir.Int(-1)}, Inputs: []Input{flDist(Positive, 3, 4)}},
		{Name: "pow/2", Op: ir.OpPow, Attrs: ir.Attrs{"exponent": ir.Int(2)}, Inputs: []Input{fl(3, 4)}},
		{Name: "cast/f64", Op: ir.OpCast, Inputs: []Input{fl(3, 4)}, Declared: func(ir.DType) []ir.Type { return []ir.Type{ir.TensorOf(ir.F64, 3, 4)} }},
		{Name: "cast/f32", Op: ir.OpCast, Inputs: []Input{fl(3, 4)}, Declared: func(ir.DType) []ir.Type { return []ir.Type{ir.TensorOf(ir.F32, 3, 4)} }},

		{Name: "select", Op: ir.OpSelect, Inputs: []Input{flDist(AwayFromZero, 3, 1), fl(3, 4), fl(4)}},
		{Name: "select/cond_same", Op: ir.OpSelect, Inputs: []Input{flDist(AwayFromZero, 3, 4), fl(3, 4), fl(3, 4)}},

		{Name: "broadcast_to", Op: ir.OpBroadcastTo, Inputs: []Input{fl(3, 1)}, Declared: declare(2, 3, 4)},
		{Name: "reshape", Op: ir.OpReshape, Inputs: []Input{fl(2, 6)}, Declared: declare(3, 2, 2)},
		{Name: "transpose", Op: ir.OpTranspose, Attrs: ir.Attrs{"perm": ir.Ints(2, 0, 1)}, Inputs: []Input{fl(2, 3, 4)}},
		{Name: "slice", Op: ir.OpSlice, Attrs: ir.Attrs{"start": ir.Ints(1, 0), "stop": ir.Ints(3, 2)}, Inputs: []Input{fl(4, 3)}},
		{Name: "concat", Op: ir.OpConcat, Attrs: ir.Attrs{"axis": ir.Int(-1)}, Inputs: []Input{fl(2, 3), fl(2, 1), fl(2, 2)}},
		{Name: "matmul", Op: ir.OpMatmul, Inputs: []Input{fl(4, 3), fl(3, 5)}},
		{Name: "matmul/ta", Op: ir.OpMatmul, Attrs: ir.Attrs{"transpose_a": ir.Bool(true)}, Inputs: []Input{fl(3, 4), fl(3, 5)}},
		{Name: "matmul/tb", Op: ir.OpMatmul, Attrs: ir.Attrs{"transpose_b": ir.Bool(true)}, Inputs: []Input{fl(4, 3), fl(5, 3)}},
		{Name: "matmul/tab", Op: ir.OpMatmul, Attrs: ir.Attrs{"transpose_a": ir.Bool(true), "transpose_b": ir.Bool(true)}, Inputs: []Input{fl(3, 4), fl(5, 3)}},
		{Name: "matmul/batch", Op: ir.OpMatmul, Inputs: []Input{fl(2, 4, 3), fl(2, 3, 5)}},
		{Name: "matmul/batch_bcast", Op: ir.OpMatmul, Inputs: []Input{fl(2, 1, 4, 3), fl(3, 3, 5)}},
		{Name: "matmul/batch_left", Op: ir.OpMatmul, Inputs: []Input{fl(4, 3), fl(2, 3, 5)}},
		{Name: "gather", Op: ir.OpGather, Inputs: []Input{fl(5, 3), labels(5, 4)}},
		{Name: "gather/axis1", Op: ir.OpGather, Attrs: ir.Attrs{"axis": ir.Int(1)}, Inputs: []Input{fl(2, 5, 3), labels(5, 2, 2)}},

		{Name: "reduce_sum", Op: ir.OpReduceSum, Attrs: ir.Attrs{"axes": ir.Ints(1)}, Inputs: []Input{fl(2, 3, 4)}},
		{Name: "reduce_sum/all", Op: ir.OpReduceSum, Inputs: []Input{fl(2, 3)}},
		{Name: "reduce_sum/keep", Op: ir.OpReduceSum, Attrs: ir.Attrs{"axes": ir.Ints(0, -1), "keepdims": ir.Bool(true)}, Inputs: []Input{fl(2, 3, 4)}},
		{Name: "reduce_mean", Op: ir.OpReduceMean, Attrs: ir.Attrs{"axes": ir.Ints(0)}, Inputs: []Input{fl(3, 4)}},
		{Name: "reduce_max", Op: ir.OpReduceMax, Attrs: ir.Attrs{"axes": ir.Ints(1)}, Inputs: []Input{fl(3, 5)}},
		{Name: "reduce_max/keep", Op: ir.OpReduceMax, Attrs: ir.Attrs{"axes": ir.Ints(0), "keepdims": ir.Bool(true)}, Inputs: []Input{fl(4, 3)}},

		{Name: "softmax", Op: ir.OpSoftmax, Attrs: ir.Attrs{"axis": ir.Int(-1)}, Inputs: []Input{fl(3, 5)}},
		{Name: "softmax/axis0", Op: ir.OpSoftmax, Attrs: ir.Attrs{"axis": ir.Int(0)}, Inputs: []Input{fl(3, 5)}},
		{Name: "log_softmax", Op: ir.OpLogSoftmax, Inputs: []Input{fl(2, 3, 4)}},
		{Name: "softmax_xent", Op: ir.OpSoftmaxXent, Inputs: []Input{fl(6, 4), labels(4, 6)}},

		{Name: "cholesky", Op: ir.OpCholesky, Inputs: []Input{flDist(SPD, 4, 4)}},
		{Name: "cholesky/batch", Op: ir.OpCholesky, Inputs: []Input{flDist(SPD, 2, 3, 3)}},
		{Name: "triangular_solve", Op: ir.OpTriangularSolve, Inputs: []Input{flDist(Triangular, 4, 4), fl(4, 3)}},
		{Name: "triangular_solve/upper_t", Op: ir.OpTriangularSolve, Attrs: ir.Attrs{"lower": ir.Bool(false), "transpose_a": ir.Bool(true)}, Inputs: []Input{flDist(Triangular, 4, 4), fl(4, 3)}},
		{Name: "triangular_solve/right", Op: ir.OpTriangularSolve, Attrs: ir.Attrs{"left": ir.Bool(false)}, Inputs: []Input{flDist(Triangular, 2, 3, 3), fl(2, 4, 3)}},
		{Name: "qr", Op: ir.OpQR, Inputs: []Input{fl(5, 3)}},
		{Name: "qr/square", Op: ir.OpQR, Inputs: []Input{fl(4, 4)}},
		{Name: "qr/batch", Op: ir.OpQR, Inputs: []Input{fl(2, 5, 3)}},
		{Name: "qr/wide", Op: ir.OpQR, Inputs: []Input{fl(3, 5)}},
		{Name: "qr/wide_batch", Op: ir.OpQR, Inputs: []Input{fl(2, 2, 4)}},
		{Name: "svd", Op: ir.OpSVD, Inputs: []Input{fl(5, 3)}},
		{Name: "svd/wide", Op: ir.OpSVD, Inputs: []Input{fl(3, 5)}},
		{Name: "svd/batch", Op: ir.OpSVD, Inputs: []Input{fl(2, 4, 3)}},
		{Name: "eigh", Op: ir.OpEigh, Inputs: []Input{flDist(SPD, 4, 4)}},
		{Name: "eigh/batch", Op: ir.OpEigh, Inputs: []Input{flDist(SPD, 2, 3, 3)}},
	}
	cs = append(cs, declarativeCases()...)
	cs = append(cs, fusedCases()...)
	for _, op := range []ir.Op{ir.OpAdd, ir.OpSub, ir.OpMul} {
		cs = append(cs, binaryCases(op, Normal, false)...)
	}
	cs = append(cs, binaryCases(ir.OpDiv, AwayFromZero, false)...)
	for _, op := range []ir.Op{ir.OpMaximum, ir.OpMinimum, ir.OpEq, ir.OpNe, ir.OpLt, ir.OpLe, ir.OpGt, ir.OpGe} {
		cs = append(cs, binaryCases(op, Normal, true)...)
	}
	return cs
}
