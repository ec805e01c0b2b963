package codegen

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/runtime/ops"
)

// An emitter writes the code of one instruction: fields and constructor
// code for its plans, statements of the step. It returns an error for an
// instruction it cannot emit.
type emitter func(g *gen, in *ir.Instr) error

// emitters maps every op Generate emits to its emitter, as the
// interpreter maps ops to executors; a test checks that every op of the
// table has one, or is an op that Generate rejects with a reason.
var emitters = func() map[ir.Op]emitter {
	m := map[ir.Op]emitter{
		ir.OpConstant:   emitConstant,
		ir.OpFull:       emitFull,
		ir.OpRngNormal:  emitRandom,
		ir.OpRngUniform: emitRandom,

		ir.OpCast:   emitElementwise,
		ir.OpSelect: emitElementwise,

		ir.OpBroadcastTo: emitBroadcastTo,
		ir.OpReshape:     emitReshape,
		ir.OpTranspose:   emitTranspose,
		ir.OpSlice:       emitSlice,
		ir.OpConcat:      emitConcat,
		ir.OpMatmul:      emitMatmul,
		ir.OpGather:      emitGather,

		ir.OpReduceSum:  emitReduce,
		ir.OpReduceMean: emitReduce,
		ir.OpReduceMax:  emitReduce,

		ir.OpSoftmax:     emitSoftmax,
		ir.OpLogSoftmax:  emitSoftmax,
		ir.OpSoftmaxXent: emitSoftmaxXent,
		ir.OpOneHot:      emitOneHot,

		ir.OpQR:              emitLinalg,
		ir.OpSVD:             emitLinalg,
		ir.OpEigh:            emitLinalg,
		ir.OpCholesky:        emitLinalg,
		ir.OpTriangularSolve: emitLinalg,

		ir.OpArgmin:      emitArgmin,
		ir.OpLinearSolve: emitLinearSolve,
		ir.OpFused:       emitFused,
	}
	for _, op := range ops.UnaryOps() {
		m[op] = emitElementwise
	}
	for _, op := range ops.BinaryOps() {
		m[op] = emitElementwise
	}
	return m
}()

// Supports reports whether Generate emits op (argmin and linear_solve:
// not yet; their instructions are reported with the reason).
func Supports(op ir.Op) bool {
	return emitters[op] != nil && op != ir.OpArgmin && op != ir.OpLinearSolve
}

// failStmt is the statement returning err (a Go expression) from the step
// as the error of instruction in, which it names with its position.
func (g *gen) failStmt(in *ir.Instr, err string) string {
	where := statement(in)
	if in.Pos.IsValid() {
		// The file's base name only: a builder's positions are absolute
		// paths, which would make the generated file depend on where it
		// was generated.
		pos := in.Pos
		pos.File = filepath.Base(pos.File)
		where = pos.String() + ": " + where
	}
	return fmt.Sprintf("return fmt.Errorf(\"%%s: %%w\", %s, %s)", strconv.Quote(where), err)
}

// out returns the expression of result i's elements.
func (g *gen) out(in *ir.Instr, i int) string { return g.val[in.Results[i]] }

// arg returns the expression of operand i's elements.
func (g *gen) arg(in *ir.Instr, i int) string { return g.val[in.Args[i]] }

// methodName returns a hint for the name of a method computing in: the
// op's words and the first result's name.
func methodName(in *ir.Instr) string {
	op := identifier(in.Op.String(), false, "op", "op")
	return op + identifier(in.Results[0].Name, true, "V", "")
}

// emitElementwise emits a one- or two-operand elementwise op, select or
// cast as a loop over the result with the operands broadcast.
func emitElementwise(g *gen, in *ir.Instr) error {
	if err := checkBody(in.Op); err != nil {
		return err
	}
	r := in.Results[0]
	if in.Op == ir.OpDiv && !r.Type.DType.IsFloat() && r.Type.Shape.Size() > 0 {
		// Integers: the interpreter reports a zero divisor before it
		// computes anything (ops.BinaryKernel.Check).
		g.step.line("for _, v := range %s {", g.arg(in, 1))
		g.step.line("if v == 0 {")
		g.step.line("%s", g.failStmt(in, "ops.ErrIntDivByZero"))
		g.step.line("}")
		g.step.line("}")
	}
	lp := &loop{shape: r.Type.Shape, outs: []string{g.out(in, 0)}, dtype: []ir.DType{r.Type.DType}, body: singleOp(in)}
	for _, a := range in.Args {
		lp.ins = append(lp.ins, g.broadcastOperand(a, r.Type.Shape))
	}
	g.emitLoop(lp, methodName(in), statement(in))
	return nil
}

// emitReshape copies (a reshape keeps the row-major order), or, in place, does
// nothing.
func emitReshape(g *gen, in *ir.Instr) error {
	if g.plan.InPlace(in) == 0 {
		g.step.line("// in place: the same elements in the same order")
		return nil
	}
	g.step.line("copy(%s, %s)", g.out(in, 0), g.arg(in, 0))
	return nil
}

// emitBroadcastTo copies the operand along broadcast strides.
func emitBroadcastTo(g *gen, in *ir.Instr) error {
	x, r := in.Args[0], in.Results[0]
	if !ir.CanBroadcastTo(x.Type.Shape, r.Type.Shape) {
		return fmt.Errorf("shape %s does not broadcast to %s", x.Type.Shape, r.Type.Shape)
	}
	g.copyLoop(in, g.broadcastOperand(x, r.Type.Shape))
	return nil
}

// emitTranspose copies the operand along permuted strides: result axis i
// is operand axis perm[i]. A transpose that keeps the last axis copies
// rows (a loop, split across goroutines when large); one that moves it
// runs ops.Move on a TransposePlan, whose tiles read and write whole cache
// lines, as the interpreter does.
func emitTranspose(g *gen, in *ir.Instr) error {
	perm, _, err := in.Attrs.IntList("perm")
	if err != nil {
		return err
	}
	x := in.Args[0]
	src := x.Type.Shape.Strides()
	if len(perm) != len(src) {
		return fmt.Errorf("perm %v for an operand of rank %d", perm, len(src))
	}
	strides := make([]int, len(perm))
	for i, q := range perm {
		if q < 0 || q >= len(src) {
			return fmt.Errorf("perm %v is not a permutation", perm)
		}
		strides[i] = src[q]
	}
	op := loopOperand{expr: g.val[x], dtype: x.Type.DType, strides: strides}
	if m := mergeAxes(in.Results[0].Type.Shape, []loopOperand{op}); m.strides[0][len(m.dims)-1] <= 1 {
		g.copyLoop(in, op)
		return nil
	}
	if _, err := ops.TransposePlan(x.Type.Shape, perm); err != nil {
		return err
	}
	p := g.field(identifier(in.Results[0].Name, false, "v", "v")+"Plan", "*ops.MovePlan", "the plan of "+statement(in))
	g.ctorCall(in, p, fmt.Sprintf("ops.TransposePlan(%s, %s)", intsLit(x.Type.Shape), intsLit(perm)))
	g.step.line("ops.Move(%s, %s, %s)", p, g.out(in, 0), g.arg(in, 0))
	return nil
}

// emitSlice copies the box [start, stop) of the operand.
func emitSlice(g *gen, in *ir.Instr) error {
	start, _, err := in.Attrs.IntList("start")
	if err != nil {
		return err
	}
	x, r := in.Args[0], in.Results[0]
	strides := x.Type.Shape.Strides()
	if len(start) != len(strides) {
		return fmt.Errorf("start %v for an operand of rank %d", start, len(strides))
	}
	base := 0
	for d, s := range start {
		if s < 0 || s+r.Type.Shape[d] > x.Type.Shape[d] {
			return fmt.Errorf("slice of %s at %v to %s: axis %d out of range", x.Type.Shape, start, r.Type.Shape, d)
		}
		base += s * strides[d]
	}
	g.copyLoop(in, loopOperand{expr: g.val[x], dtype: x.Type.DType, base: base, strides: strides})
	return nil
}

// copyLoop emits the loop copying operand x into in's result.
func (g *gen) copyLoop(in *ir.Instr, x loopOperand) {
	r := in.Results[0]
	lp := &loop{shape: r.Type.Shape, outs: []string{g.out(in, 0)}, dtype: []ir.DType{r.Type.DType}, ins: []loopOperand{x}, body: identity(r.Type.DType)}
	g.emitLoop(lp, methodName(in), statement(in))
}

// emitConcat copies each operand's rows into its columns of the result,
// viewing each as [outer, size along axis × inner] (ops.ConcatPlan).
func emitConcat(g *gen, in *ir.Instr) error {
	axis, err := in.IntAttr("axis")
	if err != nil {
		return err
	}
	r := in.Results[0]
	axis, err = ir.NormAxis(axis, r.Type.Rank())
	if err != nil {
		return err
	}
	outer, inner := r.Type.Shape[:axis].Size(), r.Type.Shape[axis+1:].Size()
	row := r.Type.Shape[axis] * inner
	off := 0
	for i, a := range in.Args {
		w := a.Type.Shape[axis] * inner
		if w > 0 {
			if outer == 1 {
				g.step.line("copy(%s[%d:%d], %s)", g.out(in, 0), off, off+w, g.arg(in, i))
			} else {
				g.step.line("for o := range %d {", outer)
				g.step.line("copy(%s[o*%d+%d:][:%d], %s[o*%d:][:%d])", g.out(in, 0), row, off, w, g.arg(in, i), w, w)
				g.step.line("}")
			}
		}
		off += w
	}
	return nil
}

// emitConstant copies the constant's elements, converted once when the
// file is generated (ops.ConstantValues), from a package-level array.
func emitConstant(g *gen, in *ir.Instr) error {
	r := in.Results[0]
	n := r.Type.Shape.Size()
	lits, err := constantLiterals(r.Type.DType, in.Attrs["value"], n)
	if err != nil {
		return err
	}
	if n == 0 {
		return nil
	}
	name := g.helper("Const" + identifier(r.Name, true, "V", ""))
	var b strings.Builder
	fmt.Fprintf(&b, "// %s holds the elements of %s.\nvar %s = [%d]%s{", name, commentText(quoteName(r)), name, n, elemType(r.Type.DType))
	for i, l := range lits {
		if i%8 == 0 {
			b.WriteString("\n")
		}
		b.WriteString(l)
		b.WriteString(", ")
	}
	b.WriteString("\n}\n\n")
	g.decls.WriteString(b.String())
	g.step.line("copy(%s, %s[:])", g.out(in, 0), name)
	return nil
}

// constantLiterals returns the Go literals of n elements of a constant's
// value, converted as the interpreter converts them.
func constantLiterals(d ir.DType, value ir.Attr, n int) ([]string, error) {
	leaves, err := ir.NumberLeaves(value)
	if err != nil {
		return nil, err
	}
	if len(leaves) != n {
		return nil, fmt.Errorf("value has %d elements, want %d", len(leaves), n)
	}
	lits := make([]string, n)
	for i, a := range leaves {
		l, err := literal(d, a)
		if err != nil {
			return nil, fmt.Errorf("value element %d: %w", i, err)
		}
		lits[i] = strings.TrimSuffix(strings.TrimPrefix(l, elemType(d)+"("), ")")
		if strings.HasPrefix(l, "math.") {
			lits[i] = l
		}
	}
	return lits, nil
}

// emitFull fills the result with the value (ops.Fill).
func emitFull(g *gen, in *ir.Instr) error {
	r := in.Results[0]
	lit, err := literal(r.Type.DType, in.Attrs["value"])
	if err != nil {
		return err
	}
	g.step.line("ops.Fill(%s, %s)", g.out(in, 0), lit)
	return nil
}

// parallelRandom is the elements of a random fill per part when it is
// split across goroutines: a normal costs about 7 ns, so a part is 60 µs
// of work, well above the cost of waking a helper. (The interpreter
// splits from 1<<16 elements; the stream is counter-based, so the split
// changes no bit.)
const parallelRandom = 1 << 13

// emitRandom fills the result from the counter-based generator
// (ops.FillRandom), in parts on several goroutines when it is large: the
// stream is counter-based, so the parts do not change a bit.
func emitRandom(g *gen, in *ir.Instr) error {
	r := in.Results[0]
	if !r.Type.DType.IsFloat() {
		return fmt.Errorf("no %s kernel", r.Type.DType)
	}
	normal := in.Op == ir.OpRngNormal
	n := r.Type.Shape.Size()
	fill := func(lo, hi string) string {
		return fmt.Sprintf("ops.FillRandom(%t, %s, %s[0], %s[0], %s, %s)", normal, g.out(in, 0), g.arg(in, 0), g.arg(in, 1), lo, hi)
	}
	if n < 2*parallelRandom {
		g.step.line("%s", fill("0", fmt.Sprint(n)))
		return nil
	}
	method := g.mem.claim(methodName(in))
	var b code
	b.line("// %s fills elements [lo, hi) of %s.", method, commentText(quoteName(r)))
	b.line("func (%s *%s) %s(_, lo, hi int) {", g.recv, g.api.Type, method)
	b.line("%s", fill("lo", "hi"))
	b.line("}")
	b.line("")
	g.decls.Write(b.Bytes())
	g.procs = true
	g.step.line("%s.parallel(min(%s.procs, %d), %d, (*%s).%s)", g.recv, g.recv, n/parallelRandom, n, g.api.Type, method)
	return nil
}

// emitArgmin reports that argmin cannot be emitted: its solvers run in the
// interpreter, on nested interpreters of its region. (The implicit pass
// replaces the argmins it has closed forms for by ordinary ops, which
// are emitted.)
func emitArgmin(*gen, *ir.Instr) error {
	return fmt.Errorf("cannot emit argmin yet (its solvers run inside the interpreter, on its region; run this function with the interpreter)")
}

// emitLinearSolve reports that linear_solve cannot be emitted: its Krylov
// methods run in the interpreter, on a nested interpreter of its region's
// matvec.
func emitLinearSolve(*gen, *ir.Instr) error {
	return fmt.Errorf("cannot emit linear_solve yet (its Krylov solvers run inside the interpreter, on its region's matvec; run this function with the interpreter)")
}
