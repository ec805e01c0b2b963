package codegen

import (
	"fmt"
	"math"
	"strconv"

	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/runtime/ops"
)

// A body is what a loop computes per element: scalar ops over the loaded
// operands. Values are numbered: the operands first (0 ... len(in)-1),
// then the result of each op in order. An elementwise instruction is a
// body of one op; a fused region is a body of many.
//
// Each op calls the scalar function of runtime/ops that defines it
// (ops.ScalarFunc), which the interpreter's kernels compute too, and every
// float result is converted explicitly to its type: the Go spec lets a
// compiler fuse x*y + z into one FMA (and Go does at GOAMD64=v3, across
// inlined calls), but not across an explicit conversion, which rounds. So
// each op rounds as it does when the interpreter stores it, on every
// GOAMD64 level.
type body struct {
	in   []ir.DType
	ops  []scalarOp
	outs []int // the values stored into the loop's results
	// divFail is the statement that returns the error of an integer
	// division by zero, for bodies that divide integers (checked element
	// by element, before the division).
	divFail string
}

// A scalarOp is one op of a body.
type scalarOp struct {
	op    ir.Op
	args  []int
	attrs ir.Attrs
	dtype ir.DType // of the result
	// lit is the value of a constant (full or constant), a Go expression.
	lit string
}

// intDivision reports whether op divides integers, which fails on a zero
// divisor.
func (op scalarOp) intDivision() bool { return op.op == ir.OpDiv && !op.dtype.IsFloat() }

// divides reports whether the body has an integer division.
func (b *body) divides() bool {
	for _, op := range b.ops {
		if op.intDivision() {
			return true
		}
	}
	return false
}

// singleOp is the body of one elementwise instruction.
func singleOp(in *ir.Instr) *body {
	b := &body{}
	for _, a := range in.Args {
		b.in = append(b.in, a.Type.DType)
	}
	args := make([]int, len(in.Args))
	for i := range args {
		args[i] = i
	}
	b.ops = []scalarOp{{op: in.Op, args: args, attrs: in.Attrs, dtype: in.Results[0].Type.DType}}
	b.outs = []int{len(in.Args)}
	return b
}

// identity is the body of a copy: the result is the operand.
func identity(d ir.DType) *body { return &body{in: []ir.DType{d}, outs: []int{0}} }

// emit returns the statements computing the body from the operands'
// loads and the expressions of its results.
func (b *body) emit(loads []string) (stmts, results []string) {
	vals := append([]string(nil), loads...)
	for k, op := range b.ops {
		if op.lit != "" {
			vals = append(vals, op.lit)
			continue
		}
		args := make([]string, len(op.args))
		for i, a := range op.args {
			args[i] = vals[a]
		}
		if op.intDivision() && b.divFail != "" {
			stmts = append(stmts, fmt.Sprintf("if %s == 0 {\n%s\n}", args[1], b.divFail))
		}
		e := scalarExpr(op, args)
		if op.dtype.IsFloat() {
			e = fmt.Sprintf("%s(%s)", elemType(op.dtype), e)
		}
		t := fmt.Sprintf("t%d", k)
		stmts = append(stmts, fmt.Sprintf("%s := %s", t, e))
		vals = append(vals, t)
	}
	for _, o := range b.outs {
		results = append(results, vals[o])
	}
	// A result that is a loaded operand, or that only one op computes,
	// needs no temporary.
	if len(b.ops) == 1 && len(b.outs) == 1 && b.outs[0] == len(loads) && len(stmts) == 1 && b.ops[0].lit == "" {
		return nil, []string{stmtValue(stmts[0])}
	}
	return stmts, results
}

// stmtValue is the expression of an assignment "t := e".
func stmtValue(stmt string) string {
	for i := range len(stmt) - 3 {
		if stmt[i:i+4] == " := " {
			return stmt[i+4:]
		}
	}
	return stmt
}

// scalarExpr is the Go expression of one scalar op of runtime/ops.
func scalarExpr(op scalarOp, args []string) string {
	switch op.op {
	case ir.OpCast:
		return fmt.Sprintf("ops.Cast[%s](%s)", elemType(op.dtype), args[0])
	case ir.OpSelect:
		return fmt.Sprintf("ops.Select(%s, %s, %s)", args[0], args[1], args[2])
	}
	name, attr, _ := ops.ScalarFunc(op.op)
	call := "ops." + name + "(" + joinArgs(args)
	if attr != "" {
		v, _ := op.op.Info().FloatAttr(op.attrs, attr)
		call += ", " + float64Lit(v)
	}
	return call + ")"
}

func joinArgs(args []string) string {
	s := ""
	for i, a := range args {
		if i > 0 {
			s += ", "
		}
		s += a
	}
	return s
}

// checkBody reports an op a body cannot compute.
func checkBody(op ir.Op) error {
	if _, _, ok := ops.ScalarFunc(op); !ok {
		return fmt.Errorf("%s is not an elementwise op", op)
	}
	return nil
}

// float64Lit is a Go expression of type float64 with exactly v's bits.
func float64Lit(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) || v == 0 && math.Signbit(v) {
		return fmt.Sprintf("math.Float64frombits(%#x)", math.Float64bits(v))
	}
	return "float64(" + strconv.FormatFloat(v, 'g', -1, 64) + ")"
}

// float32Lit is a Go expression of type float32 with exactly v's bits.
func float32Lit(v float32) string {
	f := float64(v)
	if math.IsNaN(f) || math.IsInf(f, 0) || v == 0 && math.Signbit(f) {
		return fmt.Sprintf("math.Float32frombits(%#x)", math.Float32bits(v))
	}
	return "float32(" + strconv.FormatFloat(f, 'g', -1, 32) + ")"
}

// literal is a Go expression of dtype d with the value of v, as a
// constant or full gives it (ops.AttrValue).
func literal(d ir.DType, v ir.Attr) (string, error) {
	switch d {
	case ir.F32:
		x, err := ops.AttrValue[float32](v)
		return float32Lit(x), err
	case ir.F64:
		x, err := ops.AttrValue[float64](v)
		return float64Lit(x), err
	case ir.I64:
		x, err := ops.AttrValue[int64](v)
		return fmt.Sprintf("int64(%d)", x), err
	case ir.U64:
		x, err := ops.AttrValue[uint64](v)
		return fmt.Sprintf("uint64(%d)", x), err
	}
	return "", fmt.Errorf("invalid dtype %s", d)
}
