package ir

import (
	"errors"
	"fmt"
	"math"
	"slices"
)

// dtypeSet is a set of dtypes, one bit each.
type dtypeSet uint8

const (
	floats  dtypeSet = 1<<F32 | 1<<F64
	signed  dtypeSet = floats | 1<<I64
	numeric dtypeSet = signed | 1<<U64
)

func (s dtypeSet) has(d DType) bool { return d.Valid() && s&(1<<d) != 0 }

func (s dtypeSet) String() string {
	switch s {
	case floats:
		return "f32 or f64"
	case signed:
		return "f32, f64 or i64"
	}
	return "f32, f64, i64 or u64"
}

func checkDType(what string, t Type, s dtypeSet) error {
	if !s.has(t.DType) {
		return fmt.Errorf("%s has dtype %s, want %s", what, t.DType, s)
	}
	return nil
}

func one(t Type) []Type { return []Type{t} }

// declaredOne returns the single declared result type, which ops that take
// their result type from the declaration need.
func declaredOne(declared []Type) (Type, error) {
	if len(declared) != 1 {
		return Type{}, errors.New("the result type must be declared")
	}
	return declared[0], nil
}

func sameType(s dtypeSet) TypeRule {
	return func(_ *OpInfo, args []Type, _ Attrs, _ []Type) ([]Type, error) {
		if err := checkDType("operand", args[0], s); err != nil {
			return nil, err
		}
		return one(args[0]), nil
	}
}

func broadcastType(s dtypeSet) TypeRule {
	return func(_ *OpInfo, args []Type, _ Attrs, _ []Type) ([]Type, error) {
		a, b := args[0], args[1]
		if err := checkDType("operand", a, s); err != nil {
			return nil, err
		}
		if a.DType != b.DType {
			return nil, fmt.Errorf("operand dtypes differ: %s and %s", a.DType, b.DType)
		}
		sh, err := BroadcastShapes(a.Shape, b.Shape)
		if err != nil {
			return nil, err
		}
		return one(Type{a.DType, sh}), nil
	}
}

func selectType(_ *OpInfo, args []Type, _ Attrs, _ []Type) ([]Type, error) {
	c, a, b := args[0], args[1], args[2]
	if !c.DType.Valid() {
		return nil, errors.New("condition has no dtype")
	}
	if a.DType != b.DType {
		return nil, fmt.Errorf("branch dtypes differ: %s and %s", a.DType, b.DType)
	}
	sh, err := BroadcastShapes(c.Shape, a.Shape, b.Shape)
	if err != nil {
		return nil, err
	}
	return one(Type{a.DType, sh}), nil
}

func constantType(_ *OpInfo, _ []Type, attrs Attrs, declared []Type) ([]Type, error) {
	t, err := declaredOne(declared)
	if err != nil {
		return nil, err
	}
	vals, err := NumberLeaves(attrs["value"])
	if err != nil {
		return nil, err
	}
	n, _ := t.Shape.NumElements()
	if int64(len(vals)) != n {
		return nil, fmt.Errorf("value has %d elements, type %s has %d", len(vals), t, n)
	}
	return one(t), checkIntValues(t.DType, vals)
}

// checkIntValues rejects values an integer dtype cannot hold exactly. The
// comparisons are exact: integers are compared as integers, and floats
// with bounds (±2⁶³, 2⁶⁴) that float64 represents exactly.
func checkIntValues(d DType, vals []Attr) error {
	if !d.IsInt() {
		return nil
	}
	for _, v := range vals {
		if !IntRepresentable(d, v) {
			return fmt.Errorf("value %s is not representable in %s", v, d)
		}
	}
	return nil
}

// IntRepresentable reports whether the number attribute v is a whole
// number in the range of the integer dtype d (i64: [−2⁶³, 2⁶³), u64:
// [0, 2⁶⁴)).
func IntRepresentable(d DType, v Attr) bool {
	const two63 = 1 << 63
	switch v := v.(type) {
	case Int:
		return d == I64 || v >= 0
	case Uint:
		return d == U64
	case Float:
		f := float64(v)
		if f != math.Trunc(f) { // NaN and ±Inf too
			return false
		}
		if d == I64 {
			return f >= -two63 && f < two63
		}
		return f >= 0 && f < 2*two63
	}
	return false
}

func fullType(_ *OpInfo, _ []Type, attrs Attrs, declared []Type) ([]Type, error) {
	t, err := declaredOne(declared)
	if err != nil {
		return nil, err
	}
	v := attrs["value"]
	if _, err := AttrFloat(v); err != nil {
		return nil, err
	}
	return one(t), checkIntValues(t.DType, []Attr{v})
}

func rngType(_ *OpInfo, args []Type, _ Attrs, declared []Type) ([]Type, error) {
	for i, name := range []string{"key", "counter"} {
		if args[i].DType != U64 || args[i].Rank() != 0 {
			return nil, fmt.Errorf("%s has type %s, want u64[]", name, args[i])
		}
	}
	t, err := declaredOne(declared)
	if err != nil {
		return nil, err
	}
	return one(t), checkDType("result", t, floats)
}

func castType(_ *OpInfo, args []Type, _ Attrs, declared []Type) ([]Type, error) {
	t, err := declaredOne(declared)
	if err != nil {
		return nil, err
	}
	if !t.Shape.Equal(args[0].Shape) {
		return nil, fmt.Errorf("cast changes the shape %s to %s", args[0].Shape, t.Shape)
	}
	return one(t), nil
}

func broadcastToType(_ *OpInfo, args []Type, _ Attrs, declared []Type) ([]Type, error) {
	t, err := declaredOne(declared)
	if err != nil {
		return nil, err
	}
	if t.DType != args[0].DType {
		return nil, fmt.Errorf("dtype changes from %s to %s", args[0].DType, t.DType)
	}
	if !CanBroadcastTo(args[0].Shape, t.Shape) {
		return nil, fmt.Errorf("shape %s does not broadcast to %s", args[0].Shape, t.Shape)
	}
	return one(t), nil
}

func reshapeType(_ *OpInfo, args []Type, _ Attrs, declared []Type) ([]Type, error) {
	t, err := declaredOne(declared)
	if err != nil {
		return nil, err
	}
	if t.DType != args[0].DType {
		return nil, fmt.Errorf("dtype changes from %s to %s", args[0].DType, t.DType)
	}
	n, okN := args[0].Shape.NumElements()
	m, okM := t.Shape.NumElements()
	if !okN || !okM {
		return nil, fmt.Errorf("invalid shape in reshape of %s to %s", args[0].Shape, t.Shape)
	}
	if n != m {
		return nil, fmt.Errorf("cannot reshape %s (%d elements) to %s (%d elements)", args[0].Shape, n, t.Shape, m)
	}
	return one(t), nil
}

func transposeType(_ *OpInfo, args []Type, attrs Attrs, _ []Type) ([]Type, error) {
	perm, _, err := attrs.IntList("perm")
	if err != nil {
		return nil, err
	}
	x := args[0]
	if len(perm) != x.Rank() {
		return nil, fmt.Errorf("perm %v has %d entries for an operand of rank %d", perm, len(perm), x.Rank())
	}
	seen := make([]bool, len(perm))
	out := make(Shape, len(perm))
	for i, p := range perm {
		if p < 0 || p >= len(perm) || seen[p] {
			return nil, fmt.Errorf("perm %v is not a permutation of 0..%d", perm, len(perm)-1)
		}
		seen[p] = true
		out[i] = x.Shape[p]
	}
	return one(Type{x.DType, out}), nil
}

func sliceType(_ *OpInfo, args []Type, attrs Attrs, _ []Type) ([]Type, error) {
	start, _, err := attrs.IntList("start")
	if err != nil {
		return nil, err
	}
	stop, _, err := attrs.IntList("stop")
	if err != nil {
		return nil, err
	}
	x := args[0]
	if len(start) != x.Rank() || len(stop) != x.Rank() {
		return nil, fmt.Errorf("start %v and stop %v must have %d entries (the operand rank)", start, stop, x.Rank())
	}
	out := make(Shape, x.Rank())
	for i := range out {
		if start[i] < 0 || start[i] > stop[i] || stop[i] > x.Shape[i] {
			return nil, fmt.Errorf("axis %d: slice [%d, %d) not within [0, %d)", i, start[i], stop[i], x.Shape[i])
		}
		out[i] = stop[i] - start[i]
	}
	return one(Type{x.DType, out}), nil
}

func concatType(op *OpInfo, args []Type, attrs Attrs, _ []Type) ([]Type, error) {
	first := args[0]
	axis, err := op.AxisAttr(attrs, first.Rank())
	if err != nil {
		return nil, err
	}
	out := first.Shape.Clone()
	for i, a := range args[1:] {
		if a.DType != first.DType || a.Rank() != first.Rank() {
			return nil, fmt.Errorf("operand %d has type %s, incompatible with %s", i+1, a, first)
		}
		for d := range out {
			if d != axis && a.Shape[d] != first.Shape[d] {
				return nil, fmt.Errorf("operand %d has shape %s, which differs from %s off axis %d", i+1, a.Shape, first.Shape, axis)
			}
		}
		out[axis] += a.Shape[axis]
	}
	return one(Type{first.DType, out}), nil
}

// MatmulDims returns the batch shape and m, k, n of a matmul of a and b,
// honouring the transpose flags.
func MatmulDims(a, b Shape, ta, tb bool) (batch Shape, m, k, n int, err error) {
	if len(a) < 2 || len(b) < 2 {
		return nil, 0, 0, 0, fmt.Errorf("operands %s and %s must have rank 2 or more", a, b)
	}
	m, k = a[len(a)-2], a[len(a)-1]
	if ta {
		m, k = k, m
	}
	k2, n := b[len(b)-2], b[len(b)-1]
	if tb {
		k2, n = n, k2
	}
	if k != k2 {
		return nil, 0, 0, 0, fmt.Errorf("contracted dimensions differ: %s and %s (transpose_a=%t, transpose_b=%t) give %d and %d", a, b, ta, tb, k, k2)
	}
	batch, err = BroadcastShapes(a[:len(a)-2], b[:len(b)-2])
	if err != nil {
		return nil, 0, 0, 0, fmt.Errorf("batch axes: %w", err)
	}
	return batch, m, k, n, nil
}

func matmulType(op *OpInfo, args []Type, attrs Attrs, _ []Type) ([]Type, error) {
	a, b := args[0], args[1]
	if err := checkDType("operand", a, floats); err != nil {
		return nil, err
	}
	if a.DType != b.DType {
		return nil, fmt.Errorf("operand dtypes differ: %s and %s", a.DType, b.DType)
	}
	ta, err := op.BoolAttr(attrs, "transpose_a")
	if err != nil {
		return nil, err
	}
	tb, err := op.BoolAttr(attrs, "transpose_b")
	if err != nil {
		return nil, err
	}
	batch, m, _, n, err := MatmulDims(a.Shape, b.Shape, ta, tb)
	if err != nil {
		return nil, err
	}
	return one(Type{a.DType, append(batch, m, n)}), nil
}

func gatherType(op *OpInfo, args []Type, attrs Attrs, _ []Type) ([]Type, error) {
	table, idx := args[0], args[1]
	if idx.DType != I64 {
		return nil, fmt.Errorf("indices have dtype %s, want i64", idx.DType)
	}
	axis, err := op.AxisAttr(attrs, table.Rank())
	if err != nil {
		return nil, err
	}
	out := append(append(table.Shape[:axis:axis].Clone(), idx.Shape...), table.Shape[axis+1:]...)
	return one(Type{table.DType, out}), nil
}

// ReducedShape returns the shape of a reduction of s over the given
// normalised axes.
func ReducedShape(s Shape, axes []int, keepdims bool) Shape {
	out := Shape{}
	for i, d := range s {
		if slices.Contains(axes, i) {
			if keepdims {
				out = append(out, 1)
			}
			continue
		}
		out = append(out, d)
	}
	return out
}

func reduceType(op *OpInfo, args []Type, attrs Attrs, _ []Type) ([]Type, error) {
	x := args[0]
	if err := checkDType("operand", x, numeric); err != nil {
		return nil, err
	}
	axes, err := NormAxes(attrs, x.Rank())
	if err != nil {
		return nil, err
	}
	keep, err := op.BoolAttr(attrs, "keepdims")
	if err != nil {
		return nil, err
	}
	return one(Type{x.DType, ReducedShape(x.Shape, axes, keep)}), nil
}

func reduceFloatType(op *OpInfo, args []Type, attrs Attrs, declared []Type) ([]Type, error) {
	if err := checkDType("operand", args[0], floats); err != nil {
		return nil, err
	}
	return reduceType(op, args, attrs, declared)
}

func axisFloatType(op *OpInfo, args []Type, attrs Attrs, _ []Type) ([]Type, error) {
	x := args[0]
	if err := checkDType("operand", x, floats); err != nil {
		return nil, err
	}
	if x.Rank() == 0 {
		return nil, errors.New("operand is a scalar, want rank 1 or more")
	}
	if _, err := op.AxisAttr(attrs, x.Rank()); err != nil {
		return nil, err
	}
	return one(x), nil
}

func xentType(_ *OpInfo, args []Type, _ Attrs, _ []Type) ([]Type, error) {
	z, t := args[0], args[1]
	if err := checkDType("logits", z, floats); err != nil {
		return nil, err
	}
	if z.Rank() != 2 {
		return nil, fmt.Errorf("logits have shape %s, want [batch, classes]", z.Shape)
	}
	if t.DType != I64 || t.Rank() != 1 || t.Shape[0] != z.Shape[0] {
		return nil, fmt.Errorf("labels have type %s, want i64[%d]", t, z.Shape[0])
	}
	return one(Scalar(z.DType)), nil
}

func oneHotType(op *OpInfo, args []Type, attrs Attrs, declared []Type) ([]Type, error) {
	if args[0].DType != I64 {
		return nil, fmt.Errorf("labels have dtype %s, want i64", args[0].DType)
	}
	depth, err := op.IntAttr(attrs, "depth")
	if err != nil {
		return nil, err
	}
	if depth <= 0 {
		return nil, fmt.Errorf("depth %d must be positive", depth)
	}
	d := F32
	if len(declared) == 1 {
		d = declared[0].DType
	}
	return one(Type{d, append(args[0].Shape.Clone(), depth)}), nil
}

// matrixOperand checks that t is a float tensor of rank 2 or more and
// returns its batch shape and last two dimensions.
func matrixOperand(t Type) (Shape, int, int, error) {
	if err := checkDType("operand", t, floats); err != nil {
		return nil, 0, 0, err
	}
	if t.Rank() < 2 {
		return nil, 0, 0, fmt.Errorf("operand has shape %s, want a matrix (rank 2 or more)", t.Shape)
	}
	r := t.Rank()
	return t.Shape[:r-2], t.Shape[r-2], t.Shape[r-1], nil
}

func batchType(d DType, batch Shape, dims ...int) Type {
	return Type{d, append(batch.Clone(), dims...)}
}

func qrType(_ *OpInfo, args []Type, _ Attrs, _ []Type) ([]Type, error) {
	batch, m, n, err := matrixOperand(args[0])
	if err != nil {
		return nil, err
	}
	k, d := min(m, n), args[0].DType
	return []Type{batchType(d, batch, m, k), batchType(d, batch, k, n)}, nil
}

func svdType(_ *OpInfo, args []Type, _ Attrs, _ []Type) ([]Type, error) {
	batch, m, n, err := matrixOperand(args[0])
	if err != nil {
		return nil, err
	}
	k, d := min(m, n), args[0].DType
	return []Type{batchType(d, batch, m, k), batchType(d, batch, k), batchType(d, batch, n, k)}, nil
}

func squareOperand(t Type) (Shape, int, error) {
	batch, m, n, err := matrixOperand(t)
	if err != nil {
		return nil, 0, err
	}
	if m != n {
		return nil, 0, fmt.Errorf("operand has shape %s, want square matrices", t.Shape)
	}
	return batch, n, nil
}

func eighType(_ *OpInfo, args []Type, _ Attrs, _ []Type) ([]Type, error) {
	batch, n, err := squareOperand(args[0])
	if err != nil {
		return nil, err
	}
	d := args[0].DType
	return []Type{batchType(d, batch, n), batchType(d, batch, n, n)}, nil
}

func squareType(_ *OpInfo, args []Type, _ Attrs, _ []Type) ([]Type, error) {
	if _, _, err := squareOperand(args[0]); err != nil {
		return nil, err
	}
	return one(args[0]), nil
}

func trsolveType(op *OpInfo, args []Type, attrs Attrs, _ []Type) ([]Type, error) {
	a, b := args[0], args[1]
	batch, n, err := squareOperand(a)
	if err != nil {
		return nil, err
	}
	if b.DType != a.DType || b.Rank() != a.Rank() || !b.Shape[:len(batch)].Equal(batch) {
		return nil, fmt.Errorf("right-hand side %s does not match matrix %s", b, a)
	}
	left, err := op.BoolAttr(attrs, "left")
	if err != nil {
		return nil, err
	}
	r := b.Rank()
	dim := b.Shape[r-2]
	if !left {
		dim = b.Shape[r-1]
	}
	if dim != n {
		return nil, fmt.Errorf("right-hand side %s does not match the %dx%d matrix (left=%t)", b.Shape, n, n, left)
	}
	return one(b), nil
}

// argminType takes the results from the declaration; the region checks
// (objective signature) are done by the verifier, which sees the region.
func argminType(_ *OpInfo, _ []Type, _ Attrs, declared []Type) ([]Type, error) {
	if len(declared) == 0 {
		return nil, errors.New("argmin must declare at least one result")
	}
	for _, t := range declared {
		if err := checkDType("result", t, floats); err != nil {
			return nil, err
		}
	}
	return append([]Type(nil), declared...), nil
}

// InferTypes applies op's type rule after checking the operand count,
// attribute names and attribute kinds. declared may be nil for ops whose
// results follow from their operands.
func InferTypes(op Op, args []Type, attrs Attrs, declared []Type) ([]Type, error) {
	info := op.Info()
	if !op.Valid() {
		return nil, fmt.Errorf("unknown op %s", op)
	}
	if len(args) < info.MinArgs || (info.MaxArgs >= 0 && len(args) > info.MaxArgs) {
		return nil, fmt.Errorf("%s takes %s, got %d", op, arityString(info), len(args))
	}
	if err := CheckAttrs(op, attrs); err != nil {
		return nil, err
	}
	for i, a := range args {
		if !a.DType.Valid() {
			return nil, fmt.Errorf("operand %d has no valid type", i)
		}
	}
	return info.Type(info, args, attrs, declared)
}

func arityString(info *OpInfo) string {
	switch {
	case info.MaxArgs < 0 && info.MinArgs == 1:
		return "at least 1 operand"
	case info.MaxArgs < 0:
		return fmt.Sprintf("at least %d operands", info.MinArgs)
	case info.MinArgs == info.MaxArgs && info.MinArgs == 1:
		return "1 operand"
	case info.MinArgs == info.MaxArgs:
		return fmt.Sprintf("%d operands", info.MinArgs)
	}
	return fmt.Sprintf("%d to %d operands", info.MinArgs, info.MaxArgs)
}

// CheckAttrs reports unknown, missing or ill-kinded attributes of op.
func CheckAttrs(op Op, attrs Attrs) error {
	info := op.Info()
	var errs []error
	for _, k := range attrs.Keys() {
		if k == PlanAttr {
			continue // any op's; the verifier checks the plan (CheckPlan)
		}
		spec := info.AttrSpec(k)
		if spec == nil {
			errs = append(errs, fmt.Errorf("unknown attribute %q for %s", k, op))
			continue
		}
		if !kindMatches(spec.Kind, attrs[k]) {
			errs = append(errs, fmt.Errorf("attribute %s=%s must be %s", k, attrs[k], spec.Kind))
		}
	}
	for _, spec := range info.Attrs {
		if _, ok := attrs[spec.Name]; spec.Required && !ok {
			errs = append(errs, fmt.Errorf("missing attribute %q (%s)", spec.Name, spec.Kind))
		}
	}
	return errors.Join(errs...)
}

func kindMatches(k AttrKind, v Attr) bool {
	switch k {
	case KindInt:
		switch v.(type) {
		case Int, Uint:
			return true
		}
		return false
	case KindNumber:
		_, err := AttrFloat(v)
		return err == nil
	case KindBool:
		_, ok := v.(Bool)
		return ok
	case KindString:
		_, ok := v.(String)
		return ok
	case KindInts:
		_, _, err := Attrs{"a": v}.IntList("a")
		return err == nil
	case KindNumbers:
		_, err := NumberLeaves(v)
		return err == nil
	}
	return false
}
