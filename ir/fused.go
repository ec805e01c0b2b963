package ir

import (
	"errors"
	"fmt"
	"slices"
)

// The fused op runs a chain of elementwise ops as one loop. Its region is
// one function, the body, over scalars: one parameter per element the
// body reads, one result per result of the op. The kind attribute says
// how the loop is driven:
//
//	%r = fused %a, %b {kind="elementwise"} region {
//	  func @body(%a: f32[] data, %b: f32[] data) -> (f32[]) { ... }
//	} : f32[512,128]
//
//   - "elementwise": the operands broadcast (NumPy rules) to the result
//     shape, which all results share; the body computes the results'
//     elements at each index from the operands' elements there.
//   - "matmul": the first two operands are a matmul's (transpose_a and
//     transpose_b as for matmul); the body's first parameter is the
//     product's element, the others take the remaining operands, which
//     broadcast to the product's shape, as every result has.
//   - "reduce": the operands broadcast to a domain (their broadcast
//     shape); the body's one result is computed at each index of the
//     domain and reduced over axes (keepdims as for the reductions) by
//     reduce: "sum", "mean" or "max", accumulated as reduce_sum,
//     reduce_mean and reduce_max accumulate.
//
// The body holds only elementwise and broadcast ops (the classes of the op
// table) and scalar full and constant, every value a scalar.

// The kinds of fused op.
const (
	FusedElementwise = "elementwise"
	FusedMatmul      = "matmul"
	FusedReduce      = "reduce"
)

// fusedReductions maps the reduce attribute of a fused reduction to the
// reduction op it stands for.
var fusedReductions = map[string]Op{"sum": OpReduceSum, "mean": OpReduceMean, "max": OpReduceMax}

// FusedReduceName returns the reduce attribute value of a reduction op
// ("sum" for reduce_sum, ...), or "" if op is not a reduction.
func FusedReduceName(op Op) string {
	for name, r := range fusedReductions {
		if r == op {
			return name
		}
	}
	return ""
}

// A Fused describes a fused instruction as its attributes and operand
// types determine it.
type Fused struct {
	Kind string
	// Domain is the shape the body is evaluated over: the result shape
	// for elementwise and matmul, the operands' broadcast shape for
	// reduce.
	Domain Shape
	// TransposeA and TransposeB are the matmul's transposes (kind matmul).
	TransposeA, TransposeB bool
	// Reduce is the reduction (kind reduce): OpReduceSum, OpReduceMean or
	// OpReduceMax; Axes its axes (normalised, sorted) and KeepDims its
	// keepdims.
	Reduce   Op
	Axes     []int
	KeepDims bool
	// Params are the types of the body's parameters: the scalars of the
	// operands' dtypes, the product's first for kind matmul.
	Params []Type
	// Results are the result types the instruction must declare, given
	// the dtypes declared.
	Results []Type
}

// ElementOperands returns the index of the first operand the body reads
// element by element: 2 for kind matmul (after the matmul's operands),
// else 0. Body parameter i (after the product for matmul) takes operand
// ElementOperands()+i.
func (fu *Fused) ElementOperands() int {
	if fu.Kind == FusedMatmul {
		return 2
	}
	return 0
}

// kindAttrs lists the attributes each kind takes besides kind.
var kindAttrs = map[string][]string{
	FusedElementwise: nil,
	FusedMatmul:      {"transpose_a", "transpose_b"},
	FusedReduce:      {"reduce", "axes", "keepdims"},
}

// AnalyzeFused checks the attributes and operand types of a fused op
// against the declared result types (only their dtypes and count matter
// for kind reduce's shape, which follows from the operands) and describes
// it. The region is not looked at: the verifier checks the body against
// Params and Results.
func AnalyzeFused(args []Type, attrs Attrs, declared []Type) (*Fused, error) {
	return analyzeFused(OpFused.Info(), args, attrs, declared)
}

// analyzeFused is AnalyzeFused with the op's table entry, which the type
// rule is given (the table cannot refer to itself).
func analyzeFused(info *OpInfo, args []Type, attrs Attrs, declared []Type) (*Fused, error) {
	kind, err := info.StringAttr(attrs, "kind")
	if err != nil {
		return nil, err
	}
	allowed, ok := kindAttrs[kind]
	if !ok {
		return nil, fmt.Errorf("unknown kind %q (want %q, %q or %q)", kind, FusedElementwise, FusedMatmul, FusedReduce)
	}
	for _, k := range attrs.Keys() {
		if k != "kind" && k != PlanAttr && !slices.Contains(allowed, k) { // buf: any op's (memplan)
			return nil, fmt.Errorf("attribute %s does not apply to kind %q", k, kind)
		}
	}
	if len(declared) == 0 {
		return nil, errors.New("fused must declare its result types")
	}
	fu := &Fused{Kind: kind}
	switch kind {
	case FusedElementwise:
		err = fu.elementwise(args, declared)
	case FusedMatmul:
		err = fu.matmul(info, args, attrs, declared)
	default:
		err = fu.reduce(info, args, attrs, declared)
	}
	if err != nil {
		return nil, err
	}
	for _, a := range args[fu.ElementOperands():] {
		fu.Params = append(fu.Params, Scalar(a.DType))
	}
	return fu, nil
}

// sameShapeResults sets fu.Results to the declared dtypes with shape s.
func (fu *Fused) sameShapeResults(s Shape, declared []Type) {
	for _, t := range declared {
		fu.Results = append(fu.Results, Type{t.DType, s.Clone()})
	}
}

func (fu *Fused) elementwise(args, declared []Type) error {
	fu.Domain = declared[0].Shape.Clone()
	for _, t := range declared[1:] {
		if !t.Shape.Equal(fu.Domain) {
			return fmt.Errorf("results of shapes %s and %s: the results of kind %q share one shape", fu.Domain, t.Shape, FusedElementwise)
		}
	}
	for i, a := range args {
		if !CanBroadcastTo(a.Shape, fu.Domain) {
			return fmt.Errorf("operand %d (%s) does not broadcast to the result shape %s", i, a, fu.Domain)
		}
	}
	fu.sameShapeResults(fu.Domain, declared)
	return nil
}

func (fu *Fused) matmul(info *OpInfo, args []Type, attrs Attrs, declared []Type) error {
	if len(args) < 2 {
		return fmt.Errorf("kind %q takes the matmul's two operands first, got %d operands", FusedMatmul, len(args))
	}
	var err error
	if fu.TransposeA, err = info.BoolAttr(attrs, "transpose_a"); err != nil {
		return err
	}
	if fu.TransposeB, err = info.BoolAttr(attrs, "transpose_b"); err != nil {
		return err
	}
	a, b := args[0], args[1]
	if err := checkDType("matmul operand", a, floats); err != nil {
		return err
	}
	if a.DType != b.DType {
		return fmt.Errorf("matmul operand dtypes differ: %s and %s", a.DType, b.DType)
	}
	batch, m, _, n, err := MatmulDims(a.Shape, b.Shape, fu.TransposeA, fu.TransposeB)
	if err != nil {
		return fmt.Errorf("matmul: %w", err)
	}
	fu.Domain = append(batch, m, n)
	for i, a := range args[2:] {
		if !CanBroadcastTo(a.Shape, fu.Domain) {
			return fmt.Errorf("operand %d (%s) does not broadcast to the product's shape %s", i+2, a, fu.Domain)
		}
	}
	fu.Params = append(fu.Params, Scalar(a.DType))
	fu.sameShapeResults(fu.Domain, declared)
	return nil
}

func (fu *Fused) reduce(info *OpInfo, args []Type, attrs Attrs, declared []Type) error {
	name, err := attrs.Str("reduce", "")
	if err != nil {
		return err
	}
	op, ok := fusedReductions[name]
	if !ok {
		return fmt.Errorf("kind %q needs reduce=\"sum\", \"mean\" or \"max\", got %q", FusedReduce, name)
	}
	if len(declared) != 1 {
		return fmt.Errorf("kind %q has one result, %d declared", FusedReduce, len(declared))
	}
	if len(args) == 0 {
		return fmt.Errorf("kind %q needs at least one operand", FusedReduce)
	}
	shapes := make([]Shape, len(args))
	for i, a := range args {
		shapes[i] = a.Shape
	}
	if fu.Domain, err = BroadcastShapes(shapes...); err != nil {
		return err
	}
	if fu.Axes, err = NormAxes(attrs, len(fu.Domain)); err != nil {
		return err
	}
	if fu.KeepDims, err = info.BoolAttr(attrs, "keepdims"); err != nil {
		return err
	}
	fu.Reduce = op
	d := declared[0].DType
	if err := checkDType("result", declared[0], numeric); err != nil {
		return err
	}
	if op == OpReduceMean && !d.IsFloat() {
		return fmt.Errorf("reduce=\"mean\" of dtype %s, want f32 or f64", d)
	}
	fu.Results = []Type{{d, ReducedShape(fu.Domain, fu.Axes, fu.KeepDims)}}
	return nil
}

// fusedType is the type rule of fused: the result types follow from the
// operands and the declared dtypes (AnalyzeFused).
func fusedType(info *OpInfo, args []Type, attrs Attrs, declared []Type) ([]Type, error) {
	fu, err := analyzeFused(info, args, attrs, declared)
	if err != nil {
		return nil, err
	}
	return fu.Results, nil
}

// FusedBody returns the body of a fused instruction: its region's one
// function, or nil.
func (in *Instr) FusedBody() *Func {
	if in.Op != OpFused || in.Region == nil || len(in.Region.Funcs) != 1 {
		return nil
	}
	return in.Region.Funcs[0]
}

// Fusable reports whether an instruction of op with result types results
// may appear in a fused body: an elementwise or broadcast op, or a full or
// constant, with scalar results.
func Fusable(op Op, results []Type) bool {
	info := op.Info()
	if info.Class != Elementwise && info.Class != Broadcast && op != OpFull && op != OpConstant {
		return false
	}
	for _, t := range results {
		if t.Rank() != 0 {
			return false
		}
	}
	return true
}

// verifyFused checks a fused instruction's body against what its operands
// and attributes demand (AnalyzeFused): one function, whose parameters are
// the scalars of Params, whose results are the scalars of the declared
// dtypes, and whose instructions are all Fusable.
func (v *verifier) verifyFused(in *Instr, fail func(string, ...any)) {
	if len(in.Region.Funcs) != 1 {
		fail("fused takes one region function (the body), got %d", len(in.Region.Funcs))
		return
	}
	body := in.Region.Funcs[0]
	if body == nil {
		return
	}
	fu, err := AnalyzeFused(in.ArgTypes(), in.Attrs, in.ResultTypes())
	if err != nil {
		return // verifyTypes reports it
	}
	got := make([]Type, len(body.Params))
	for i, p := range body.Params {
		if p != nil {
			got[i] = p.Type
		}
	}
	if !TypesEqual(got, fu.Params) {
		what := "one scalar per operand"
		if fu.Kind == FusedMatmul {
			what = "the product's scalar, then one per operand after the matmul's two"
		}
		fail("body @%s takes (%s), want %s (%s)", body.Name, joinTypes(got), what, joinTypes(fu.Params))
	}
	want := make([]Type, len(fu.Results))
	for i, t := range fu.Results {
		want[i] = Scalar(t.DType)
	}
	if rt := body.ResultTypes(); !TypesEqual(rt, want) {
		fail("body @%s returns (%s), want one scalar per result (%s)", body.Name, joinTypes(rt), joinTypes(want))
	}
	for _, bin := range body.Body {
		if bin == nil || Fusable(bin.Op, bin.ResultTypes()) {
			continue
		}
		v.errorf(bin.Pos, body, instrName(bin), bin.Op, "%s (%s) cannot be in a fused body: want elementwise and broadcast ops and full and constant, on scalars",
			bin.Op, joinTypes(bin.ResultTypes()))
	}
}
