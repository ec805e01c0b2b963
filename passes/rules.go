package passes

import (
	"github.com/pushforward/pushforward/ir"
)

// The derivative rules of every op, in one table keyed by op, as the
// interpreter keeps its executors. A missing rule is an error of the
// transform that needs it, naming the op and the value; a test checks
// that every op of ir.AllOps has a JVP rule for every shape it accepts,
// and that every op a JVP rule emits on tangents has a transpose rule.

// A jvpRule emits, through e, the tangents of in's results given the
// tangents of its arguments. in is the instruction as copied into the
// function being built (its Args and Results are primal values there); a
// nil tangent is a symbolic zero, and a nil result tangent says that the
// result does not depend on any perturbed argument. Every rule emits code
// linear in the tangents, so that linearize can transpose it.
type jvpRule func(e *ir.Writer, in *ir.Instr, tangents []*ir.Value) ([]*ir.Value, error)

// A transposeRule emits, for a linear instruction, the cotangents of its
// linear arguments (those marked in linear) given the cotangents of its
// results. A nil cotangent is a symbolic zero. The primal operands of in
// are usable; the linear ones only for their types.
type transposeRule func(e *ir.Writer, in *ir.Instr, cotangents []*ir.Value, linear []bool) ([]*ir.Value, error)

// opRules are the derivative rules of one op; nil means missing. Only the
// ops that JVP rules emit on tangents need a transpose rule.
type opRules struct {
	jvp       jvpRule
	transpose transposeRule
}

// rules is the table. It is filled in by init because some rules refer
// back to it (argmin's differentiates its region), which a package-level
// initializer cannot.
var rules map[ir.Op]opRules

func init() { rules = ruleTable() }

// HasRules reports whether op has a JVP rule and a transpose rule.
func HasRules(op ir.Op) (jvp, transpose bool) {
	r := rules[op]
	return r.jvp != nil, r.transpose != nil
}

func ruleTable() map[ir.Op]opRules {
	return map[ir.Op]opRules{
		// Sources and piecewise-constant ops have no tangent.
		ir.OpConstant:   {jvp: zeroJVP},
		ir.OpFull:       {jvp: zeroJVP},
		ir.OpRngNormal:  {jvp: zeroJVP},
		ir.OpRngUniform: {jvp: zeroJVP},
		ir.OpStep:       {jvp: zeroJVP},
		ir.OpEq:         {jvp: zeroJVP},
		ir.OpNe:         {jvp: zeroJVP},
		ir.OpLt:         {jvp: zeroJVP},
		ir.OpLe:         {jvp: zeroJVP},
		ir.OpGt:         {jvp: zeroJVP},
		ir.OpGe:         {jvp: zeroJVP},
		ir.OpOneHot:     {jvp: zeroJVP},

		// Elementwise, one operand: t_y = f'(x) t_x.
		ir.OpNeg: {jvp: tangentJVP(func(e *ir.Writer, _ *ir.Instr, t *ir.Value) *ir.Value { return neg(e, t) }), transpose: negTranspose},
		ir.OpExp: {jvp: unaryJVP(func(e *ir.Writer, x, y *ir.Value) *ir.Value { return y })},
		ir.OpLog: {jvp: tangentJVP(func(e *ir.Writer, in *ir.Instr, t *ir.Value) *ir.Value { return div(e, t, in.Args[0]) })},
		ir.OpTanh: {jvp: unaryJVP(func(e *ir.Writer, x, y *ir.Value) *ir.Value {
			return sub(e, scalar(e, y.Type.DType, 1), emit1(e, ir.OpSquare, nil, y))
		})},
		ir.OpSigmoid: {jvp: unaryJVP(func(e *ir.Writer, x, y *ir.Value) *ir.Value {
			return mul(e, y, sub(e, scalar(e, y.Type.DType, 1), y))
		})},
		ir.OpRelu: {jvp: unaryJVP(func(e *ir.Writer, x, y *ir.Value) *ir.Value { return emit1(e, ir.OpStep, nil, x) })},
		ir.OpAbs: {jvp: unaryJVP(func(e *ir.Writer, x, y *ir.Value) *ir.Value {
			return sub(e, emit1(e, ir.OpStep, nil, x), emit1(e, ir.OpStep, nil, neg(e, x)))
		})},
		ir.OpSqrt: {jvp: tangentJVP(func(e *ir.Writer, in *ir.Instr, t *ir.Value) *ir.Value {
			return div(e, t, scale(e, in.Results[0], 2))
		})},
		ir.OpSquare: {jvp: unaryJVP(func(e *ir.Writer, x, y *ir.Value) *ir.Value { return scale(e, x, 2) })},
		ir.OpPow:    {jvp: powJVP},
		ir.OpCast:   {jvp: castJVP, transpose: castTranspose},

		// Elementwise with broadcasting.
		ir.OpAdd:     {jvp: addJVP, transpose: addTranspose},
		ir.OpSub:     {jvp: subJVP, transpose: subTranspose},
		ir.OpMul:     {jvp: mulJVP, transpose: mulTranspose},
		ir.OpDiv:     {jvp: divJVP, transpose: divTranspose},
		ir.OpMaximum: {jvp: pickJVP(ir.OpGe)},
		ir.OpMinimum: {jvp: pickJVP(ir.OpLe)},
		ir.OpSelect:  {jvp: selectJVP, transpose: selectTranspose},

		// Data movement and contraction.
		ir.OpBroadcastTo: {jvp: broadcastToJVP, transpose: broadcastToTranspose},
		ir.OpReshape:     {jvp: reshapeJVP, transpose: reshapeTranspose},
		ir.OpTranspose:   {jvp: transposeJVP, transpose: transposeTranspose},
		ir.OpSlice:       {jvp: sliceJVP, transpose: sliceTranspose},
		ir.OpConcat:      {jvp: concatJVP, transpose: concatTranspose},
		ir.OpMatmul:      {jvp: matmulJVP, transpose: matmulTranspose},
		ir.OpGather:      {jvp: gatherJVP, transpose: gatherTranspose},

		// Reductions.
		ir.OpReduceSum:  {jvp: reduceJVP(false), transpose: reduceTranspose(false)},
		ir.OpReduceMean: {jvp: reduceJVP(true), transpose: reduceTranspose(true)},
		ir.OpReduceMax:  {jvp: reduceMaxJVP},

		// Normalisations and losses.
		ir.OpSoftmax:     {jvp: softmaxJVP},
		ir.OpLogSoftmax:  {jvp: logSoftmaxJVP},
		ir.OpSoftmaxXent: {jvp: softmaxXentJVP},

		// Linear algebra (jvp_rules_decomp.go, jvp_rules_linalg.go).
		ir.OpQR:              {jvp: qrJVP},
		ir.OpSVD:             {jvp: svdJVP},
		ir.OpEigh:            {jvp: eighJVP},
		ir.OpCholesky:        {jvp: choleskyJVP},
		ir.OpTriangularSolve: {jvp: triangularSolveJVP, transpose: triangularSolveTranspose},

		// Declarative (jvp_rules_argmin*.go, jvp_rules_linear_solve.go).
		ir.OpArgmin:      {jvp: argminJVP},
		ir.OpLinearSolve: {jvp: linearSolveJVP, transpose: linearSolveTranspose},

		// Fused: the rules of its body's ops (fuse_inline.go). Its tangents
		// are ordinary ops, so reverse mode transposes them as usual.
		ir.OpFused: {jvp: fusedJVP},
	}
}
