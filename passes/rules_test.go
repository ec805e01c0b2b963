package passes_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/passes"
)

// A shapeClass is one kind of operands an op accepts.
type shapeClass struct {
	name     string
	args     []ir.Type
	attrs    ir.Attrs
	declared []ir.Type
	region   *ir.Region // of ops that take one (argmin's is set in the test)
}

func f64(dims ...int) ir.Type { return ir.TensorOf(ir.F64, dims...) }
func i64(dims ...int) ir.Type { return ir.TensorOf(ir.I64, dims...) }
func u64() ir.Type            { return ir.Scalar(ir.U64) }

// elementwiseClasses are the operand shapes of a one-operand op.
func elementwiseClasses(attrs ir.Attrs) []shapeClass {
	return []shapeClass{
		{name: "scalar", args: []ir.Type{f64()}, attrs: attrs},
		{name: "vector", args: []ir.Type{f64(4)}, attrs: attrs},
		{name: "batch", args: []ir.Type{f64(2, 3, 4)}, attrs: attrs},
	}
}

// broadcastClasses are the operand shapes of a broadcasting op.
func broadcastClasses(n int) []shapeClass {
	shapes := [][]ir.Type{
		{f64(3, 4), f64(3, 4)}, {f64(2, 3, 4), f64(4)}, {f64(3, 1), f64(1, 4)}, {f64(3, 4), f64()}, {f64(), f64(3, 4)},
	}
	var cs []shapeClass
	for _, s := range shapes {
		args := s
		if n == 3 { // select: a condition, then the two branches
			args = append([]ir.Type{f64(3, 4)}, s...)
		}
		cs = append(cs, shapeClass{name: ir.FormatTypes(args), args: args})
	}
	return cs
}

// reductionClasses are the axes a reduction accepts.
func reductionClasses() []shapeClass {
	return []shapeClass{
		{name: "all", args: []ir.Type{f64(2, 3)}},
		{name: "axis", args: []ir.Type{f64(2, 3, 4)}, attrs: ir.Attrs{"axes": ir.Ints(1)}},
		{name: "axes/keepdims", args: []ir.Type{f64(2, 3, 4)}, attrs: ir.Attrs{"axes": ir.Ints(0, -1), "keepdims": ir.Bool(true)}},
		{name: "vector", args: []ir.Type{f64(5)}},
	}
}

// decompClasses are the matrix shapes of qr and svd: tall, square, wide,
// each with and without a batch axis.
func decompClasses() []shapeClass {
	var cs []shapeClass
	for _, s := range [][]int{{5, 3}, {4, 4}, {3, 5}, {2, 5, 3}, {2, 3, 3}, {2, 3, 5}} {
		cs = append(cs, shapeClass{name: fmt.Sprint(s), args: []ir.Type{f64(s...)}})
	}
	return cs
}

func squareClasses() []shapeClass {
	return []shapeClass{{name: "matrix", args: []ir.Type{f64(4, 4)}}, {name: "batch", args: []ir.Type{f64(2, 3, 3)}}}
}

// opShapeClasses lists, for every op of the table, the kinds of operands
// it accepts. A new op must be added here unless it is a plain
// elementwise or broadcasting op: TestEveryOpHasJVP fails otherwise.
func opShapeClasses() map[ir.Op][]shapeClass {
	unary := elementwiseClasses(nil)
	sources := func(op ir.Op, args []ir.Type, attrs ir.Attrs) []shapeClass {
		return []shapeClass{{name: "scalar", args: args, attrs: attrs, declared: []ir.Type{f64()}}, {name: "matrix", args: args, attrs: attrs, declared: []ir.Type{f64(2, 3)}}}
	}
	cs := map[ir.Op][]shapeClass{
		ir.OpConstant:   {{name: "scalar", attrs: ir.Attrs{"value": ir.Float(2)}, declared: []ir.Type{f64()}}, {name: "matrix", attrs: ir.Attrs{"value": ir.Floats(1, 2, 3, 4)}, declared: []ir.Type{f64(2, 2)}}},
		ir.OpFull:       sources(ir.OpFull, nil, ir.Attrs{"value": ir.Float(0.5)}),
		ir.OpRngNormal:  sources(ir.OpRngNormal, []ir.Type{u64(), u64()}, nil),
		ir.OpRngUniform: sources(ir.OpRngUniform, []ir.Type{u64(), u64()}, nil),
		ir.OpPow:        elementwiseClasses(ir.Attrs{"exponent": ir.Float(2.5)}),
		ir.OpCast: {
			{name: "f64→f32", args: []ir.Type{f64(3)}, declared: []ir.Type{ir.TensorOf(ir.F32, 3)}},
			{name: "f64→i64", args: []ir.Type{f64(3)}, declared: []ir.Type{i64(3)}},
		},
		ir.OpSelect: broadcastClasses(3),

		ir.OpBroadcastTo: {
			{name: "scalar", args: []ir.Type{f64()}, declared: []ir.Type{f64(2, 3)}},
			{name: "rank", args: []ir.Type{f64(3)}, declared: []ir.Type{f64(2, 3)}},
			{name: "stretch", args: []ir.Type{f64(3, 1)}, declared: []ir.Type{f64(2, 3, 4)}},
		},
		ir.OpReshape: {
			{name: "split", args: []ir.Type{f64(6)}, declared: []ir.Type{f64(2, 3)}},
			{name: "to scalar", args: []ir.Type{f64(1, 1)}, declared: []ir.Type{f64()}},
		},
		ir.OpTranspose: {
			{name: "matrix", args: []ir.Type{f64(2, 3)}, attrs: ir.Attrs{"perm": ir.Ints(1, 0)}},
			{name: "rank3", args: []ir.Type{f64(2, 3, 4)}, attrs: ir.Attrs{"perm": ir.Ints(2, 0, 1)}},
		},
		ir.OpSlice: {
			{name: "vector", args: []ir.Type{f64(5)}, attrs: ir.Attrs{"start": ir.Ints(1), "stop": ir.Ints(4)}},
			{name: "matrix", args: []ir.Type{f64(4, 3)}, attrs: ir.Attrs{"start": ir.Ints(1, 0), "stop": ir.Ints(3, 2)}},
		},
		ir.OpConcat: {
			{name: "one", args: []ir.Type{f64(2, 3)}, attrs: ir.Attrs{"axis": ir.Int(0)}},
			{name: "axis0", args: []ir.Type{f64(2, 3), f64(1, 3)}, attrs: ir.Attrs{"axis": ir.Int(0)}},
			{name: "last", args: []ir.Type{f64(2, 3), f64(2, 1), f64(2, 2)}, attrs: ir.Attrs{"axis": ir.Int(-1)}},
		},
		ir.OpMatmul: {
			{name: "matrix", args: []ir.Type{f64(4, 3), f64(3, 5)}},
			{name: "ta", args: []ir.Type{f64(3, 4), f64(3, 5)}, attrs: ir.Attrs{"transpose_a": ir.Bool(true)}},
			{name: "tb", args: []ir.Type{f64(4, 3), f64(5, 3)}, attrs: ir.Attrs{"transpose_b": ir.Bool(true)}},
			{name: "tab", args: []ir.Type{f64(3, 4), f64(5, 3)}, attrs: ir.Attrs{"transpose_a": ir.Bool(true), "transpose_b": ir.Bool(true)}},
			{name: "batch", args: []ir.Type{f64(2, 4, 3), f64(2, 3, 5)}},
			{name: "batch broadcast", args: []ir.Type{f64(2, 1, 4, 3), f64(3, 3, 5)}},
			{name: "batch left", args: []ir.Type{f64(4, 3), f64(2, 3, 5)}},
			{name: "batch right", args: []ir.Type{f64(2, 4, 3), f64(3, 5)}},
		},
		ir.OpGather: {
			{name: "axis0", args: []ir.Type{f64(5, 3), i64(4)}},
			{name: "axis1", args: []ir.Type{f64(2, 5, 3), i64(2, 2)}, attrs: ir.Attrs{"axis": ir.Int(1)}},
		},
		ir.OpReduceSum:  reductionClasses(),
		ir.OpReduceMean: reductionClasses(),
		ir.OpReduceMax:  reductionClasses(),
		ir.OpSoftmax: {
			{name: "last", args: []ir.Type{f64(3, 5)}},
			{name: "axis0", args: []ir.Type{f64(3, 5)}, attrs: ir.Attrs{"axis": ir.Int(0)}},
			{name: "vector", args: []ir.Type{f64(5)}},
		},
		ir.OpSoftmaxXent: {{name: "batch", args: []ir.Type{f64(6, 4), i64(6)}}},
		ir.OpOneHot:      {{name: "labels", args: []ir.Type{i64(4)}, attrs: ir.Attrs{"depth": ir.Int(5)}, declared: []ir.Type{f64(4, 5)}}},
		ir.OpQR:          decompClasses(),
		ir.OpSVD:         decompClasses(),
		ir.OpEigh:        squareClasses(),
		ir.OpCholesky:    squareClasses(),
		ir.OpTriangularSolve: {
			{name: "left lower", args: []ir.Type{f64(4, 4), f64(4, 3)}},
			{name: "left upper transposed", args: []ir.Type{f64(4, 4), f64(4, 3)}, attrs: ir.Attrs{"lower": ir.Bool(false), "transpose_a": ir.Bool(true)}},
			{name: "right", args: []ir.Type{f64(3, 3), f64(4, 3)}, attrs: ir.Attrs{"left": ir.Bool(false)}},
			{name: "batch", args: []ir.Type{f64(2, 3, 3), f64(2, 3, 2)}},
		},
	}
	cs[ir.OpLogSoftmax] = cs[ir.OpSoftmax]
	// The plain elementwise and broadcasting ops by their class, so that
	// a new one is covered without a change here.
	for _, op := range ir.AllOps() {
		info := op.Info()
		if _, listed := cs[op]; listed || slices.ContainsFunc(info.Attrs, func(a ir.AttrSpec) bool { return a.Required }) {
			continue
		}
		switch {
		case info.Class == ir.Elementwise && info.MinArgs == 1 && info.MaxArgs == 1:
			cs[op] = unary
		case info.Class == ir.Broadcast && info.MinArgs == 2 && info.MaxArgs == 2:
			cs[op] = broadcastClasses(2)
		}
	}
	return cs
}

// classFunc builds @f(operands..., %scale) = Σ sum(result_i) · scale over
// the float results, so that the op's derivative meets a differentiated
// path even when it has no float operand.
func classFunc(t *testing.T, op ir.Op, c shapeClass, region *ir.Region) *ir.Func {
	t.Helper()
	f := ir.NewFunc("f")
	args := make([]*ir.Value, len(c.args))
	for i, a := range c.args {
		role := ir.Data
		if a.DType.IsFloat() {
			role = ir.Param
		}
		args[i] = f.AddParam(fmt.Sprintf("x%d", i), a, role)
	}
	scale := f.AddParam("scale", f64(), ir.Param)
	w := ir.NewWriter(f, nil)
	in, err := w.Add(op, args, c.attrs, c.declared...)
	if err != nil {
		t.Fatal(err)
	}
	in.Region = region
	var total *ir.Value
	for _, r := range in.Results {
		if !r.Type.DType.IsFloat() {
			continue
		}
		if r.Type.DType != ir.F64 {
			r = w.Emit(ir.OpCast, []*ir.Value{r}, nil, r.Type.WithDType(ir.F64))[0]
		}
		s := w.Emit(ir.OpReduceSum, []*ir.Value{r}, nil)[0]
		if total != nil {
			s = w.Emit(ir.OpAdd, []*ir.Value{total, s}, nil)[0]
		}
		total = s
	}
	if total == nil { // an integer result: its tangent is zero
		total = w.Emit(ir.OpFull, nil, ir.Attrs{"value": ir.Float(0)}, f64())[0]
	}
	f.Results = w.Emit(ir.OpMul, []*ir.Value{total, scale}, nil)
	if err := w.Err(); err != nil {
		t.Fatal(err)
	}
	if err := ir.Verify(f); err != nil {
		t.Fatalf("%v\n%s", err, f)
	}
	return f
}

const argminRegion = `func @g(%t: f64[3] param) -> (f64[3]) {
  %x = argmin %t region {
    func @objective(%x: f64[3] param, %t: f64[3] data) -> (f64[]) {
      %d = sub %x, %t : f64[3]
      %d2 = square %d : f64[3]
      %x4 = square %d2 : f64[3]
      %s = add %d2, %x4 : f64[3]
      %obj = reduce_sum %s : f64[]
      return %obj
    }
  } : f64[3]
  return %x
}`

// linearSolveRegion's matvec, A v = (MᵀM + 3I) v, is symmetric positive
// definite for any M and depends on M, so the rules differentiate both
// the right-hand side and the operator.
const linearSolveRegion = `func @g(%b: f64[3] param, %m: f64[3,3] param) -> (f64[3]) {
  %x = linear_solve %b, %m {symmetric=true} region {
    func @matvec(%v: f64[3] data, %m: f64[3,3] param) -> (f64[3]) {
      %vc = reshape %v : f64[3,1]
      %mv = matmul %m, %vc : f64[3,1]
      %mtmv = matmul %m, %mv {transpose_a=true} : f64[3,1]
      %a = reshape %mtmv : f64[3]
      %three = full {value=3} : f64[]
      %tv = mul %three, %v : f64[3]
      %av = add %a, %tv : f64[3]
      return %av
    }
  } : f64[3]
  return %x
}`

// Every op of the table has a JVP rule for every kind of operands it
// accepts (with one tangent and with several), and reverse mode, the
// transpose of the JVP, exists for each of them too.
func TestEveryOpHasJVP(t *testing.T) {
	classes := opShapeClasses()
	g := parseVerified(t, argminRegion)
	classes[ir.OpArgmin] = []shapeClass{{name: "unconstrained", args: []ir.Type{f64(3)}, declared: []ir.Type{f64(3)}}}
	classes[ir.OpFused] = fusedShapeClasses(t)
	solve := parseVerified(t, linearSolveRegion)
	classes[ir.OpLinearSolve] = []shapeClass{
		{name: "vector", args: []ir.Type{f64(3), f64(3, 3)}, attrs: ir.Attrs{"symmetric": ir.Bool(true)}},
		{name: "batch", args: []ir.Type{f64(2, 3), f64(3, 3)}},
	}
	for _, op := range ir.AllOps() {
		cs, ok := classes[op]
		if !ok {
			t.Errorf("%s: no shape classes listed (add them to opShapeClasses)", op)
			continue
		}
		if jvp, _ := passes.HasRules(op); !jvp {
			t.Errorf("%s: no JVP rule in the table", op)
		}
		for _, c := range cs {
			region := c.region
			switch op {
			case ir.OpArgmin:
				region = g.Body[0].Region
			case ir.OpLinearSolve:
				region = solve.Body[0].Region.Clone()
			}
			f := classFunc(t, op, c, region)
			wrt := passes.ParamsWithRole(f, ir.Param)
			for _, T := range []int{1, 3} {
				j, err := passes.JVP(f, wrt, T)
				if err == nil {
					err = ir.Verify(j)
				}
				if err != nil {
					t.Errorf("%s %s, %d tangents: %v", op, c.name, T, err)
				}
			}
			if v, err := passes.VJP(f, wrt); err != nil {
				t.Errorf("%s %s: vjp: %v", op, c.name, err)
			} else if err := ir.Verify(v); err != nil {
				t.Errorf("%s %s: vjp does not verify: %v", op, c.name, err)
			}
		}
	}
}
