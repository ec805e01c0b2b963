package ir

import (
	"fmt"
)

// Op identifies an operation of the IR. The table ops describes each one.
type Op uint16

// The ops. The text name of each is in the table below.
const (
	OpInvalid Op = iota

	// Sources.
	OpConstant
	OpFull
	OpRngNormal
	OpRngUniform

	// Elementwise, one operand.
	OpNeg
	OpExp
	OpLog
	OpTanh
	OpSigmoid
	OpRelu
	OpStep
	OpAbs
	OpSqrt
	OpSquare
	OpPow
	OpCast

	// Elementwise with NumPy broadcasting.
	OpAdd
	OpSub
	OpMul
	OpDiv
	OpMaximum
	OpMinimum
	OpEq
	OpNe
	OpLt
	OpLe
	OpGt
	OpGe
	OpSelect

	// Data movement and contraction (linear).
	OpBroadcastTo
	OpReshape
	OpTranspose
	OpSlice
	OpConcat
	OpMatmul
	OpGather

	// Reductions.
	OpReduceSum
	OpReduceMean
	OpReduceMax

	// Normalisations and losses.
	OpSoftmax
	OpLogSoftmax
	OpSoftmaxXent
	OpOneHot

	// Linear algebra.
	OpQR
	OpSVD
	OpEigh
	OpCholesky
	OpTriangularSolve

	// Declarative.
	OpArgmin
	OpLinearSolve

	// Fused: a loop nest over an expression region (fused.go).
	OpFused

	numOps
)

// Class groups ops by how passes treat them.
type Class uint8

// The op classes.
const (
	InvalidClass Class = iota // invalid
	Elementwise               // elementwise
	Broadcast                 // broadcast
	Reduction                 // reduction
	Linear                    // linear
	Opaque                    // opaque
)

// AttrKind is the kind of value an attribute takes.
type AttrKind uint8

// The attribute kinds.
const (
	KindInt     AttrKind = iota + 1 // an integer
	KindNumber                      // an integer or a float
	KindBool                        // true or false
	KindString                      // a quoted string
	KindInts                        // a list of integers
	KindNumbers                     // a number or a (nested) list of numbers
)

var attrKindNames = [...]string{
	KindInt:     "an integer",
	KindNumber:  "a number",
	KindBool:    "a boolean",
	KindString:  "a string",
	KindInts:    "a list of integers",
	KindNumbers: "a number or a list of numbers",
}

func (k AttrKind) String() string {
	if int(k) >= len(attrKindNames) || attrKindNames[k] == "" {
		return fmt.Sprintf("kind(%d)", uint8(k))
	}
	return attrKindNames[k]
}

// AttrSpec describes one attribute an op accepts.
type AttrSpec struct {
	Name     string
	Kind     AttrKind
	Required bool
	// Default is the value an absent attribute takes (Op.Attr and the
	// Instr accessors read it); nil for required attributes and for those
	// whose absence no single value states (a reduction's axes: all of
	// them; argmin's tol: a precision of the dtype).
	Default Attr
}

// A TypeRule computes the result types of an instruction of the op op
// describes from its argument types and attributes (read with the op's
// defaults). declared holds the result types as written (in the text)
// or requested (by the builder); ops whose result is not determined by
// their operands (constant, reshape, cast, ...) take it from there and check
// it. The error describes the mismatch without naming the op; callers add
// the op, the value and the position.
type TypeRule func(op *OpInfo, args []Type, attrs Attrs, declared []Type) ([]Type, error)

// OpInfo describes an op: its text name, class, operand and result counts,
// attributes and type rule. Its other rules live with the code that uses
// them, each in one table keyed by op: the derivative rules in package
// passes (passes/rules.go), the executors in the interpreter (runtime);
// `pf help ops` shows which of them each op has.
type OpInfo struct {
	Name  string
	Class Class
	// MinArgs and MaxArgs bound the number of operands; MaxArgs < 0 means
	// no upper bound.
	MinArgs, MaxArgs int
	// Results is the number of results; 0 means as many as declared (only
	// declarative ops).
	Results int
	Attrs   []AttrSpec
	Type    TypeRule
	// HasRegion is set for declarative ops, which carry a Region.
	HasRegion bool
	// Doc is a one-line description.
	Doc string
}

// Info returns the table entry of op.
func (op Op) Info() *OpInfo {
	if op <= OpInvalid || op >= numOps {
		return &invalidInfo
	}
	return &ops[op]
}

// String returns the op's text name.
func (op Op) String() string {
	if op <= OpInvalid || op >= numOps {
		return fmt.Sprintf("op(%d)", uint16(op))
	}
	return ops[op].Name
}

// Valid reports whether op is in the table.
func (op Op) Valid() bool { return op > OpInvalid && op < numOps }

// AllOps returns every op of the table in order.
func AllOps() []Op {
	all := make([]Op, 0, numOps-1)
	for op := OpInvalid + 1; op < numOps; op++ {
		all = append(all, op)
	}
	return all
}

// LookupOp returns the op with the given text name.
func LookupOp(name string) (Op, bool) {
	op, ok := opByName[name]
	return op, ok
}

// AttrSpec returns the spec of the named attribute of op, or nil.
func (info *OpInfo) AttrSpec(name string) *AttrSpec {
	for i := range info.Attrs {
		if info.Attrs[i].Name == name {
			return &info.Attrs[i]
		}
	}
	return nil
}

var invalidInfo = OpInfo{Name: "invalid"}

var opByName = func() map[string]Op {
	m := make(map[string]Op, numOps)
	for op := OpInvalid + 1; op < numOps; op++ {
		info := &ops[op]
		if info.Name == "" || info.Type == nil {
			panic(fmt.Sprintf("ir: op %d has no table entry", op))
		}
		if _, dup := m[info.Name]; dup {
			panic("ir: duplicate op name " + info.Name)
		}
		m[info.Name] = op
	}
	return m
}()

// Attribute specs shared by several ops.
var (
	reduceAttrs  = []AttrSpec{{Name: "axes", Kind: KindInts}, {Name: "keepdims", Kind: KindBool, Default: Bool(false)}}
	lastAxisAttr = []AttrSpec{{Name: "axis", Kind: KindInt, Default: Int(-1)}}
	valueAttr    = []AttrSpec{{Name: "value", Kind: KindNumbers, Required: true}}
	matmulAttrs  = []AttrSpec{{Name: "transpose_a", Kind: KindBool, Default: Bool(false)}, {Name: "transpose_b", Kind: KindBool, Default: Bool(false)}}
	trsolveAttrs = []AttrSpec{{Name: "lower", Kind: KindBool, Default: Bool(true)}, {Name: "left", Kind: KindBool, Default: Bool(true)},
		{Name: "transpose_a", Kind: KindBool, Default: Bool(false)}}
	// fusedAttrs: kind for every fused op; the matmul's transposes for
	// kind "matmul"; the reduction (sum, mean or max) and its axes for kind
	// "reduce". The type rule rejects attributes of another kind.
	fusedAttrs = []AttrSpec{{Name: "kind", Kind: KindString, Required: true},
		{Name: "transpose_a", Kind: KindBool, Default: Bool(false)}, {Name: "transpose_b", Kind: KindBool, Default: Bool(false)},
		{Name: "reduce", Kind: KindString}, {Name: "axes", Kind: KindInts}, {Name: "keepdims", Kind: KindBool, Default: Bool(false)}}
)

func unary(name, doc string, dtypes dtypeSet) OpInfo {
	return OpInfo{Name: name, Class: Elementwise, MinArgs: 1, MaxArgs: 1, Results: 1, Type: sameType(dtypes), Doc: doc}
}

func binary(name, doc string, dtypes dtypeSet) OpInfo {
	return OpInfo{Name: name, Class: Broadcast, MinArgs: 2, MaxArgs: 2, Results: 1, Type: broadcastType(dtypes), Doc: doc}
}

// ops is the op table.
var ops = [numOps]OpInfo{
	OpConstant:   {Name: "constant", Class: Opaque, Results: 1, Attrs: valueAttr, Type: constantType, Doc: "a tensor given element by element (value: a number for a scalar, else a flat row-major list)"},
	OpFull:       {Name: "full", Class: Opaque, Results: 1, Attrs: valueAttr, Type: fullType, Doc: "a tensor with every element equal to value"},
	OpRngNormal:  {Name: "rng_normal", Class: Opaque, MinArgs: 2, MaxArgs: 2, Results: 1, Type: rngType, Doc: "standard normal numbers from the counter-based generator (key, counter)"},
	OpRngUniform: {Name: "rng_uniform", Class: Opaque, MinArgs: 2, MaxArgs: 2, Results: 1, Type: rngType, Doc: "uniform numbers in [0,1) from the counter-based generator (key, counter)"},

	OpNeg:     unary("neg", "-x", signed),
	OpExp:     unary("exp", "e^x", floats),
	OpLog:     unary("log", "natural logarithm", floats),
	OpTanh:    unary("tanh", "hyperbolic tangent", floats),
	OpSigmoid: unary("sigmoid", "1/(1+e^-x)", floats),
	OpRelu:    unary("relu", "max(x, 0)", signed),
	OpStep:    unary("step", "1 where x > 0, else 0 (the derivative mask of relu)", signed),
	OpAbs:     unary("abs", "|x|", signed),
	OpSqrt:    unary("sqrt", "square root", floats),
	OpSquare:  unary("square", "x*x", numeric),
	OpPow: {Name: "pow", Class: Elementwise, MinArgs: 1, MaxArgs: 1, Results: 1,
		Attrs: []AttrSpec{{Name: "exponent", Kind: KindNumber, Required: true}}, Type: sameType(floats), Doc: "x^exponent for a scalar exponent"},
	OpCast: {Name: "cast", Class: Elementwise, MinArgs: 1, MaxArgs: 1, Results: 1, Type: castType, Doc: "convert to the result dtype"},

	OpAdd:     binary("add", "a + b", numeric),
	OpSub:     binary("sub", "a - b", numeric),
	OpMul:     binary("mul", "a * b", numeric),
	OpDiv:     binary("div", "a / b", numeric),
	OpMaximum: binary("maximum", "max(a, b)", numeric),
	OpMinimum: binary("minimum", "min(a, b)", numeric),
	OpEq:      binary("eq", "1 where a == b, else 0", numeric),
	OpNe:      binary("ne", "1 where a != b, else 0", numeric),
	OpLt:      binary("lt", "1 where a < b, else 0", numeric),
	OpLe:      binary("le", "1 where a <= b, else 0", numeric),
	OpGt:      binary("gt", "1 where a > b, else 0", numeric),
	OpGe:      binary("ge", "1 where a >= b, else 0", numeric),
	OpSelect:  {Name: "select", Class: Broadcast, MinArgs: 3, MaxArgs: 3, Results: 1, Type: selectType, Doc: "a where cond != 0, else b"},

	OpBroadcastTo: {Name: "broadcast_to", Class: Linear, MinArgs: 1, MaxArgs: 1, Results: 1, Type: broadcastToType, Doc: "broadcast to the result shape (NumPy rules)"},
	OpReshape:     {Name: "reshape", Class: Linear, MinArgs: 1, MaxArgs: 1, Results: 1, Type: reshapeType, Doc: "same elements in row-major order, result shape"},
	OpTranspose: {Name: "transpose", Class: Linear, MinArgs: 1, MaxArgs: 1, Results: 1,
		Attrs: []AttrSpec{{Name: "perm", Kind: KindInts, Required: true}}, Type: transposeType, Doc: "permute axes: result axis i is operand axis perm[i]"},
	OpSlice: {Name: "slice", Class: Linear, MinArgs: 1, MaxArgs: 1, Results: 1,
		Attrs: []AttrSpec{{Name: "start", Kind: KindInts, Required: true}, {Name: "stop", Kind: KindInts, Required: true}}, Type: sliceType, Doc: "the box [start, stop) of the operand"},
	OpConcat: {Name: "concat", Class: Linear, MinArgs: 1, MaxArgs: -1, Results: 1,
		Attrs: []AttrSpec{{Name: "axis", Kind: KindInt, Required: true}}, Type: concatType, Doc: "join operands along axis"},
	OpMatmul: {Name: "matmul", Class: Linear, MinArgs: 2, MaxArgs: 2, Results: 1, Attrs: matmulAttrs, Type: matmulType,
		Doc: "batched matrix product: last axis of a with second-to-last of b, leading axes broadcast"},
	OpGather: {Name: "gather", Class: Linear, MinArgs: 2, MaxArgs: 2, Results: 1, Attrs: []AttrSpec{{Name: "axis", Kind: KindInt, Default: Int(0)}}, Type: gatherType,
		Doc: "rows of table (along axis, default 0) picked by i64 indices"},

	OpReduceSum:  {Name: "reduce_sum", Class: Reduction, MinArgs: 1, MaxArgs: 1, Results: 1, Attrs: reduceAttrs, Type: reduceType, Doc: "sum over axes (default all)"},
	OpReduceMean: {Name: "reduce_mean", Class: Reduction, MinArgs: 1, MaxArgs: 1, Results: 1, Attrs: reduceAttrs, Type: reduceFloatType, Doc: "mean over axes (default all)"},
	OpReduceMax:  {Name: "reduce_max", Class: Reduction, MinArgs: 1, MaxArgs: 1, Results: 1, Attrs: reduceAttrs, Type: reduceType, Doc: "maximum over axes (default all)"},

	OpSoftmax:     {Name: "softmax", Class: Opaque, MinArgs: 1, MaxArgs: 1, Results: 1, Attrs: lastAxisAttr, Type: axisFloatType, Doc: "softmax along axis (default -1)"},
	OpLogSoftmax:  {Name: "log_softmax", Class: Opaque, MinArgs: 1, MaxArgs: 1, Results: 1, Attrs: lastAxisAttr, Type: axisFloatType, Doc: "log of softmax along axis (default -1)"},
	OpSoftmaxXent: {Name: "softmax_xent", Class: Opaque, MinArgs: 2, MaxArgs: 2, Results: 1, Type: xentType, Doc: "mean over the batch of the cross-entropy of logits [B,C] against i64 labels [B]"},
	OpOneHot: {Name: "one_hot", Class: Opaque, MinArgs: 1, MaxArgs: 1, Results: 1,
		Attrs: []AttrSpec{{Name: "depth", Kind: KindInt, Required: true}}, Type: oneHotType, Doc: "i64 labels to one-hot vectors of length depth, result dtype as declared"},

	OpQR:   {Name: "qr", Class: Opaque, MinArgs: 1, MaxArgs: 1, Results: 2, Type: qrType, Doc: "reduced QR: a = q r, q [..,m,k] orthonormal columns, r [..,k,n] upper, k = min(m,n)"},
	OpSVD:  {Name: "svd", Class: Opaque, MinArgs: 1, MaxArgs: 1, Results: 3, Type: svdType, Doc: "thin SVD: a = u diag(s) vᵀ, s descending, u [..,m,k], s [..,k], v [..,n,k]"},
	OpEigh: {Name: "eigh", Class: Opaque, MinArgs: 1, MaxArgs: 1, Results: 2, Type: eighType, Doc: "eigendecomposition of the symmetric part of a: (a + aᵀ)/2 = v diag(w) vᵀ, w ascending"},
	OpCholesky: {Name: "cholesky", Class: Opaque, MinArgs: 1, MaxArgs: 1, Results: 1, Type: squareType,
		Doc: "lower Cholesky factor l of the symmetric part of a: (a + aᵀ)/2 = l lᵀ"},
	OpTriangularSolve: {Name: "triangular_solve", Class: Opaque, MinArgs: 2, MaxArgs: 2, Results: 1, Attrs: trsolveAttrs, Type: trsolveType,
		Doc: "x with op(a) x = b (left, default) or x op(a) = b; a triangular (lower by default), op transposes if transpose_a"},

	OpArgmin: {Name: "argmin", Class: Opaque, MinArgs: 0, MaxArgs: -1, Results: 0, HasRegion: true,
		Attrs: argminAttrs, Type: argminType,
		Doc: "the minimiser of the region's objective over its leading parameters, given the operands, subject to its constraint functions = 0"},
	OpLinearSolve: {Name: "linear_solve", Class: Opaque, MinArgs: 1, MaxArgs: -1, Results: 1, HasRegion: true,
		Attrs: linearSolveAttrs, Type: linearSolveType,
		Doc: "x with A x = b (first operand; leading axes beyond the region's vector are independent systems), A v the region's matvec of v and the other operands"},

	OpFused: {Name: "fused", Class: Opaque, MinArgs: 1, MaxArgs: -1, Results: 0, HasRegion: true, Attrs: fusedAttrs, Type: fusedType,
		Doc: "one loop over the result: the region's scalar body per element (kind elementwise), after a matmul (matmul) or folded by a reduction (reduce)"},
}

// The attributes of the declarative ops; ir/region.go describes them.
// Those without a default depend on what the implicit pass finds (solver,
// stiefel), on the dtype (tol, check_tol), on the size (linear_solve's
// max_iter) or on the flags (method).
var (
	argminAttrs = []AttrSpec{
		{Name: "solver", Kind: KindString}, {Name: "tol", Kind: KindNumber}, {Name: "max_iter", Kind: KindInt, Default: Int(1000)},
		{Name: "check_tol", Kind: KindNumber}, {Name: "init", Kind: KindInts}, {Name: "stiefel", Kind: KindInts},
		{Name: "implicit", Kind: KindString}, {Name: "damping", Kind: KindNumber, Default: Float(0)},
		{Name: "check", Kind: KindBool, Default: Bool(true)},
	}
	linearSolveAttrs = []AttrSpec{
		{Name: "symmetric", Kind: KindBool, Default: Bool(false)}, {Name: "posdef", Kind: KindBool, Default: Bool(false)},
		{Name: "method", Kind: KindString}, {Name: "tol", Kind: KindNumber}, {Name: "max_iter", Kind: KindInt},
	}
)
