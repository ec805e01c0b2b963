package codegen

import (
	"fmt"
	"strings"

	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/runtime/ops"
)

// The ops whose semantics live in a kernel of runtime/ops or
// runtime/kernels: their plans are built in the constructor from the
// shapes, as the interpreter builds them when it binds an instruction,
// and the step calls the kernel.

// intsLit is a Go expression of a []int holding xs.
func intsLit(xs []int) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = fmt.Sprint(x)
	}
	return "[]int{" + strings.Join(parts, ", ") + "}"
}

// field adds a struct field named after hint, of type typ, and returns
// its expression.
func (g *gen) field(hint, typ, doc string) string {
	name := g.mem.claim(hint)
	g.fields.line("%s %s // %s", name, typ, commentText(doc))
	return g.recv + "." + name
}

// ctorCall writes "x, err = call" into the constructor, returning the
// error (which names the instruction) if there is one.
func (g *gen) ctorCall(in *ir.Instr, x, call string) {
	g.ctorErr = true
	g.ctor.line("if %s, err = %s; err != nil {", x, call)
	g.ctor.line("return nil, fmt.Errorf(\"%%s: %%w\", %q, err)", statement(in))
	g.ctor.line("}")
}

// needScratch records that a kernel needs n float64s of scratch.
func (g *gen) needScratch(n int) { g.scratch = max(g.scratch, n) }

// scratchOf is the expression of n float64s of scratch: the struct's
// scratch, or nil for none.
func (g *gen) scratchOf(n int) string {
	if n == 0 {
		return "nil"
	}
	g.needScratch(n)
	return g.recv + ".scratch"
}

// emitMatmul emits a matrix product as the interpreter runs it with its
// default GEMM, kernels.Packed, called on the concrete type: the whole
// batch in one SgemmBatch or DgemmBatch with the offsets of each batch
// element's matrices, computed here (runtime/matmul.go).
func emitMatmul(g *gen, in *ir.Instr) error {
	tA, err := in.BoolAttr("transpose_a")
	if err != nil {
		return err
	}
	tB, err := in.BoolAttr("transpose_b")
	if err != nil {
		return err
	}
	r := in.Results[0]
	return g.gemm3(in, in.Args[0], in.Args[1], tA, tB, g.out(in, 0), r.Type.DType, identifier(r.Name, false, "v", "mm"))
}

// gemm3 emits the product op(a)·op(b) of dtype d into out, batched over
// the leading axes.
func (g *gen) gemm3(in *ir.Instr, a, b *ir.Value, tA, tB bool, out string, d ir.DType, hint string) error {
	if !d.IsFloat() {
		return fmt.Errorf("no %s kernel", d)
	}
	aShape, bShape := a.Type.Shape, b.Type.Shape
	batch, m, k, n, err := ir.MatmulDims(aShape, bShape, tA, tB)
	if err != nil {
		return err
	}
	if m == 0 || n == 0 || k == 0 {
		g.step.line("clear(%s)", out)
		return nil
	}
	ra, rb := len(aShape), len(bShape)
	lda, ldb := aShape[ra-1], bShape[rb-1]
	aSize, bSize := aShape[ra-2]*lda, bShape[rb-2]*ldb
	count := batch.Size()
	aOff, bOff, cOff := make([]int, count), make([]int, count), make([]int, count)
	aBatch := batchOffsets(aShape[:ra-2], batch)
	bBatch := batchOffsets(bShape[:rb-2], batch)
	for i := range count {
		aOff[i], bOff[i], cOff[i] = aBatch[i]*aSize, bBatch[i]*bSize, i*m*n
	}
	aO := g.offsets(hint+"AOff", aOff, "offsets of the matrices of "+quoteName(a))
	bO := g.offsets(hint+"BOff", bOff, "offsets of the matrices of "+quoteName(b))
	cO := g.offsets(hint+"COff", cOff, "offsets of the product's matrices in "+quoteName(in.Results[0]))
	g.gemm = true
	call, one := "SgemmBatch", "float32(1)"
	if d == ir.F64 {
		call, one = "DgemmBatch", "float64(1)"
	}
	g.step.line("%s.gemm.%s(%t, %t, %d, %d, %d, %s, %s, %d, %s, %s, %d, %s, 0, %s, %d, %s)",
		g.recv, call, tA, tB, m, n, k, one, g.val[a], lda, aO, g.val[b], ldb, bO, out, n, cO)
	return nil
}

// pairs reports whether matmuls first and second, in a row, run as one
// PairGEMM call, as the interpreter's Runner runs them (runtime's
// matmul_pair.go), and returns the pair: ops.PairMatmuls accepts them and
// the memory plan keeps the second's result off the first's operands and
// result.
func (g *gen) pairs(first, second *ir.Instr) (ops.MatmulPair, bool) {
	p, ok := ops.PairMatmuls(first, second)
	if !ok {
		return p, false
	}
	out := second.Results[0]
	for _, v := range []*ir.Value{first.Args[0], first.Args[1], first.Results[0]} {
		if g.sharesPlannedMemory(out, v) {
			return p, false
		}
	}
	return p, true
}

// sharesPlannedMemory reports whether the memory plan places a and b in
// overlapping ranges of one arena.
func (g *gen) sharesPlannedMemory(a, b *ir.Value) bool {
	offA, okA := g.plan.Offset(a)
	offB, okB := g.plan.Offset(b)
	if !okA || !okB || a.Type.DType != b.Type.DType {
		return false
	}
	return offA < offB+b.Type.Shape.Size() && offB < offA+a.Type.Shape.Size()
}

// emitMatmulPair emits matmuls first and second, which pairs accepts as
// pair p, as one SgemmPair or DgemmPair call.
func emitMatmulPair(g *gen, first, second *ir.Instr, p ops.MatmulPair) {
	g.gemm = true
	call, one := "SgemmPair", "float32(1)"
	if first.Results[0].Type.DType == ir.F64 {
		call, one = "DgemmPair", "float64(1)"
	}
	g.step.line("%s.gemm.%s(%t, %t, %d, %d, %d, %d, %s, %s, %d, %s, %d, %s, %d, 0, %s, %d, %s, %d)",
		g.recv, call, p.TransposeA, p.TransposeB, p.M1, p.M2, p.N, p.K, one, g.arg(first, 0), p.LDA1, g.arg(second, 0), p.LDA2, g.arg(first, 1), p.LDB, g.out(first, 0), p.N, g.out(second, 0), p.N)
}

// batchOffsets returns, for each element of the batch shape dst, the
// index of the element of a batch of shape src broadcast to it.
func batchOffsets(src, dst ir.Shape) []int {
	strides := broadcastStrides(src, dst)
	offs := make([]int, dst.Size())
	for i := range offs {
		idx := ops.Unravel(i, dst)
		for d, x := range idx {
			offs[i] += x * strides[d]
		}
	}
	return offs
}

// offsets adds a field holding xs, filled in the constructor: by a loop
// when xs steps evenly, else from a literal.
func (g *gen) offsets(hint string, xs []int, doc string) string {
	f := g.field(hint, "[]int", doc)
	step := 0
	if len(xs) > 1 {
		step = xs[1] - xs[0]
	}
	even := xs[0] == 0
	for i, x := range xs {
		even = even && x == i*step
	}
	if !even || len(xs) <= 4 {
		g.ctor.line("%s = %s", f, intsLit(xs))
		return f
	}
	g.ctor.line("%s = make([]int, %d)", f, len(xs))
	g.ctor.line("for i := range %s {", f)
	g.ctor.line("%s[i] = i * %d", f, step)
	g.ctor.line("}")
	return f
}

// emitGather plans gather in the constructor (ops.NewGather); the step
// reports an index out of range.
func emitGather(g *gen, in *ir.Instr) error {
	axis, err := in.IntAttr("axis")
	if err != nil {
		return err
	}
	table, idx := in.Args[0].Type.Shape, in.Args[1].Type.Shape
	if _, err := ops.NewGather(table, idx, axis); err != nil {
		return err
	}
	p := g.field(identifier(in.Results[0].Name, false, "v", "v")+"Plan", "*ops.GatherPlan", "the plan of "+statement(in))
	g.ctorCall(in, p, fmt.Sprintf("ops.NewGather(%s, %s, %d)", intsLit(table), intsLit(idx), axis))
	g.step.line("if err := ops.Gather(%s, %s, %s, %s); err != nil {", p, g.out(in, 0), g.arg(in, 0), g.arg(in, 1))
	g.step.line("%s", g.failStmt(in, "err"))
	g.step.line("}")
	return nil
}

// opNames are the names runtime/ops gives the ops its plans take.
var opNames = map[ir.Op]string{
	ir.OpReduceSum:  "ops.OpReduceSum",
	ir.OpReduceMean: "ops.OpReduceMean",
	ir.OpReduceMax:  "ops.OpReduceMax",
	ir.OpSoftmax:    "ops.OpSoftmax",
	ir.OpLogSoftmax: "ops.OpLogSoftmax",
}

// emitReduce plans a reduction in the constructor (ops.NewReduce) and
// calls ops.Reduce.
func emitReduce(g *gen, in *ir.Instr) error {
	x := in.Args[0].Type.Shape
	axes, err := ir.NormAxes(in.Attrs, len(x))
	if err != nil {
		return err
	}
	plan, err := ops.NewReduce(in.Op, x, axes)
	if err != nil {
		return err
	}
	p := g.field(identifier(in.Results[0].Name, false, "v", "v")+"Plan", "*ops.ReducePlan", "the plan of "+statement(in))
	g.ctorCall(in, p, fmt.Sprintf("ops.NewReduce(%s, %s, %s)", opNames[in.Op], intsLit(x), intsLit(axes)))
	g.step.line("ops.Reduce(%s, %s, %s, %s)", p, g.out(in, 0), g.arg(in, 0), g.scratchOf(plan.ScratchLen()))
	return nil
}

// emitSoftmax plans softmax or log_softmax in the constructor
// (ops.NewSoftmax) and calls ops.Softmax.
func emitSoftmax(g *gen, in *ir.Instr) error {
	axis, err := in.IntAttr("axis")
	if err != nil {
		return err
	}
	x := in.Args[0].Type.Shape
	plan, err := ops.NewSoftmax(in.Op, x, axis)
	if err != nil {
		return err
	}
	if !in.Results[0].Type.DType.IsFloat() {
		return fmt.Errorf("no %s kernel", in.Results[0].Type.DType)
	}
	g.needScratch(plan.ScratchLen())
	p := g.field(identifier(in.Results[0].Name, false, "v", "v")+"Plan", "*ops.SoftmaxPlan", "the plan of "+statement(in))
	g.ctorCall(in, p, fmt.Sprintf("ops.NewSoftmax(%s, %s, %d)", opNames[in.Op], intsLit(x), axis))
	g.step.line("ops.Softmax(%s, %s, %s, %s.scratch)", p, g.out(in, 0), g.arg(in, 0), g.recv)
	return nil
}

// emitSoftmaxXent calls ops.SoftmaxXent, which reports a label out of
// range.
func emitSoftmaxXent(g *gen, in *ir.Instr) error {
	if !in.Results[0].Type.DType.IsFloat() {
		return fmt.Errorf("no %s kernel", in.Results[0].Type.DType)
	}
	classes := in.Args[0].Type.Shape[1]
	g.needScratch(classes)
	g.step.line("{")
	g.step.line("loss, err := ops.SoftmaxXent(%s, %s, %d, %s.scratch)", g.arg(in, 0), g.arg(in, 1), classes, g.recv)
	g.step.line("if err != nil {")
	g.step.line("%s", g.failStmt(in, "err"))
	g.step.line("}")
	g.step.line("%s[0] = loss", g.out(in, 0))
	g.step.line("}")
	return nil
}

// emitOneHot calls ops.OneHot, which reports a label out of range.
func emitOneHot(g *gen, in *ir.Instr) error {
	depth, err := in.IntAttr("depth")
	if err != nil {
		return err
	}
	shape := in.Args[0].Type.Shape
	s := g.field(identifier(in.Results[0].Name, false, "v", "v")+"Labels", "[]int", "the shape of the labels of "+statement(in))
	g.ctor.line("%s = %s", s, intsLit(shape))
	g.step.line("if err := ops.OneHot(%s, %s, %s, %d); err != nil {", g.out(in, 0), g.arg(in, 0), s, depth)
	g.step.line("%s", g.failStmt(in, "err"))
	g.step.line("}")
	return nil
}
