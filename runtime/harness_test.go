package runtime

import (
	"fmt"
	"slices"
	"testing"

	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/runtime/ops"
)

// The op tests are tables of opCases: one instruction applied to literal
// operands, with hand-computed results. Operands and results are written
// in float64 with dtype "the case dtype" (zero), so one case runs in f32
// and in f64; integer tables run the same cases in i64 or u64.

// A lit is a tensor literal. dtype 0 stands for the dtype the case runs in.
type lit struct {
	dtype ir.DType
	shape []int
	data  []float64
	// build, if set, makes the tensor for the case dtype instead.
	build func(d ir.DType) *Tensor
}

// v is a literal of the case dtype.
func v(shape []int, data ...float64) lit { return lit{shape: shape, data: data} }

// sc is a scalar of the case dtype.
func sc(x float64) lit { return lit{shape: []int{}, data: []float64{x}} }

// typed is a literal of a fixed dtype.
func typed(d ir.DType, shape []int, data ...float64) lit {
	return lit{dtype: d, shape: shape, data: data}
}

// labels is an i64 literal.
func labels(shape []int, data ...float64) lit { return typed(ir.I64, shape, data...) }

// key is a u64 scalar.
func key(x uint64) lit {
	return lit{dtype: ir.U64, build: func(ir.DType) *Tensor { return ScalarU64(x) }}
}

func sh(dims ...int) []int { return append([]int{}, dims...) }

func (l lit) tensor(d ir.DType) *Tensor {
	if l.build != nil {
		return l.build(d)
	}
	if l.dtype != 0 {
		d = l.dtype
	}
	return FromFloat64s(ir.TensorOf(d, l.shape...), l.data)
}

// tolerance is a relative and absolute tolerance pair.
type tolerance struct{ rtol, atol float64 }

// Default tolerances per dtype. Expected values are exact or written with
// 16+ significant digits and rounded to the dtype; kernels round once from
// float64 (f32 elementwise math, reductions, linear algebra) or accumulate
// a handful of O(1) terms (GEMM). So f64 results agree to ~1e-15 and f32
// results to a few ulps (ulp ≈ 6e-8 relative); the margins below are ~10x.
var defaultTol = map[ir.DType]tolerance{
	ir.F32: {rtol: 1e-6, atol: 1e-6},
	ir.F64: {rtol: 1e-12, atol: 1e-12},
	ir.I64: {},
	ir.U64: {},
}

type opCase struct {
	name  string
	op    ir.Op
	attrs ir.Attrs
	args  []lit
	want  []lit
	// dtypes the case runs in; nil means f32 and f64.
	dtypes []ir.DType
	// tol overrides defaultTol for some dtypes.
	tol map[ir.DType]tolerance
	// region builds the region function of a declarative op (an argmin's
	// objective, a linear_solve's matvec) for the case dtype.
	region func(d ir.DType) *ir.Func
}

func (tc opCase) runDTypes() []ir.DType {
	if tc.dtypes == nil {
		return []ir.DType{ir.F32, ir.F64}
	}
	return tc.dtypes
}

// singleInstrFunc returns a function of one instruction: parameters %a0,
// %a1, ... of the given types, results %r0, %r1, ... of the given types.
func singleInstrFunc(op ir.Op, attrs ir.Attrs, args, results []ir.Type) *ir.Func {
	f := ir.NewFunc("case")
	params := make([]*ir.Value, len(args))
	for i, t := range args {
		params[i] = f.AddParam(fmt.Sprintf("a%d", i), t, ir.Data)
	}
	names := make([]string, len(results))
	for i := range names {
		names[i] = fmt.Sprintf("r%d", i)
	}
	in := f.Append(op, params, attrs, results, names)
	in.Pos = ir.Pos{Line: 1, Col: 3}
	f.Results = in.Results
	return f
}

func runOpCases(t *testing.T, cases []opCase) {
	t.Helper()
	for _, tc := range cases {
		for _, d := range tc.runDTypes() {
			t.Run(fmt.Sprintf("%s/%s/%s", tc.op, tc.name, d), func(t *testing.T) {
				runOpCase(t, tc, d)
			})
		}
	}
}

func runOpCase(t *testing.T, tc opCase, d ir.DType) {
	t.Helper()
	inputs := make([]*Tensor, len(tc.args))
	argTypes := make([]ir.Type, len(tc.args))
	for i, a := range tc.args {
		inputs[i] = a.tensor(d)
		argTypes[i] = inputs[i].Type
	}
	wants := make([]*Tensor, len(tc.want))
	resultTypes := make([]ir.Type, len(tc.want))
	for i, w := range tc.want {
		wants[i] = w.tensor(d)
		resultTypes[i] = wants[i].Type
	}
	f := singleInstrFunc(tc.op, tc.attrs, argTypes, resultTypes)
	if tc.region != nil {
		setRegion(t, f, tc.region(d))
	}
	got, err := Run(f, inputs)
	if err != nil {
		t.Fatalf("%s\n%v", f, err)
	}
	tol := defaultTol[d]
	if over, ok := tc.tol[d]; ok {
		tol = over
	}
	for i := range wants {
		if err := CheckClose(got[i], wants[i], tol.rtol, tol.atol); err != nil {
			t.Errorf("%s\nresult %d: %v\ngot  %v\nwant %v", f, i, err, got[i], wants[i])
		}
	}
}

// allCaseTables lists every op-case table, for the coverage test.
func allCaseTables() [][]opCase {
	return [][]opCase{
		sourceCases(), unaryCases(), binaryCases(), dataMoveCases(), matmulCases(),
		reductionCases(), nnCases(), linalgCases(), declarativeCases(), integerCases(), fusedCases(),
	}
}

// Every op of the IR has an executor, and a test in f32 and in f64 (in i64
// too where it takes i64) — here, or, for the elementwise ops of
// runtime/ops' tables, in that package's known values, whose kernels
// TestInterpreterAgreesWithOps runs through the interpreter.
func TestOpTablesCoverEveryOp(t *testing.T) {
	covered := make(map[ir.Op]map[ir.DType]bool)
	for _, table := range allCaseTables() {
		for _, tc := range table {
			if covered[tc.op] == nil {
				covered[tc.op] = make(map[ir.DType]bool)
			}
			for _, d := range tc.runDTypes() {
				covered[tc.op][d] = true
			}
		}
	}
	inOps := map[ir.Op]bool{}
	for _, op := range append(ops.UnaryOps(), ops.BinaryOps()...) {
		inOps[op] = true
	}
	for _, op := range ir.AllOps() {
		if !Supports(op) {
			t.Errorf("op %s has no executor", op)
		}
		for _, d := range []ir.DType{ir.F32, ir.F64} {
			if !covered[op][d] && !inOps[op] {
				t.Errorf("op %s has no %s test case", op, d)
			}
		}
	}
	if len(executors) != len(ir.AllOps()) {
		t.Errorf("executors has %d entries for %d ops", len(executors), len(ir.AllOps()))
	}
	if Supports(ir.OpInvalid) {
		t.Error("the interpreter claims to run the invalid op")
	}
	// Integer dtypes: every op whose type rule admits an i64 operand of
	// its own dtype has an i64 case (checked for the elementwise and
	// reduction classes, where the dtype follows the operand).
	for _, op := range ir.AllOps() {
		info := op.Info()
		if info.Class != ir.Elementwise && info.Class != ir.Broadcast && info.Class != ir.Reduction {
			continue
		}
		if op == ir.OpCast || op == ir.OpSelect || inOps[op] {
			continue // dtype comes from the declaration or the branches; or tested in runtime/ops
		}
		args := slices.Repeat([]ir.Type{ir.TensorOf(ir.I64, 2)}, info.MinArgs)
		if _, err := ir.InferTypes(op, args, nil, nil); err == nil && !covered[op][ir.I64] {
			t.Errorf("op %s accepts i64 but has no i64 test case", op)
		}
	}
}
