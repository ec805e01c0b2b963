package codegen

import (
	"fmt"

	"github.com/pushforward/pushforward/ir"
)

// The linear-algebra ops run as the interpreter runs them
// (runtime/linalg.go): over the batch of matrices of the leading axes, a
// float64 kernel of runtime/kernels per matrix, converting f32 operands
// and results through float64 scratch; batches worth it are spread over
// goroutines, each with its own scratch, and the failure of the lowest
// index is reported, located in the batch shape.

// A linalgOp describes one linear-algebra op for the emitter: its
// operands' and results' matrix sizes, the work per matrix (which decides
// the split, as the interpreter's forBatch does) and the kernel call over
// the float64 slices a0, a1 (operands) and r0, r1, r2 (results).
type linalgOp struct {
	ins, outs []int
	work      int
	call      string
	fails     bool // the kernel returns an error
	// native is set when the kernel takes the data's own dtype (f32
	// cholesky: kernels.CholeskyBlocked), with no conversion.
	native bool
}

// minBatchWork is the work of a batch from which it is split across
// goroutines (runtime.minBatchWork).
const minBatchWork = 1 << 16

func linalgOf(in *ir.Instr) (linalgOp, error) {
	s := in.Args[0].Type.Shape
	r := len(s)
	m, n := s[r-2], s[r-1]
	k := min(m, n)
	switch in.Op {
	case ir.OpQR:
		return linalgOp{ins: []int{m * n}, outs: []int{m * k, k * n}, work: m * n * k,
			call: fmt.Sprintf("sc.work.QR(%d, %d, a0, r0, r1)", m, n)}, nil
	case ir.OpSVD:
		return linalgOp{ins: []int{m * n}, outs: []int{m * k, k, n * k}, work: m * n * k, fails: true,
			call: fmt.Sprintf("sc.work.SVD(%d, %d, a0, r0, r1, r2)", m, n)}, nil
	case ir.OpEigh:
		return linalgOp{ins: []int{n * n}, outs: []int{n, n * n}, work: n * n * n, fails: true,
			call: fmt.Sprintf("sc.work.Eigh(%d, a0, r0, r1)", n)}, nil
	case ir.OpCholesky:
		if in.Args[0].Type.DType == ir.F32 {
			// In f32 itself, blocked, as the interpreter factors f32.
			return linalgOp{ins: []int{n * n}, outs: []int{n * n}, work: n * n * n, fails: true, native: true,
				call: fmt.Sprintf("kernels.CholeskyBlocked(%d, a0, r0)", n)}, nil
		}
		return linalgOp{ins: []int{n * n}, outs: []int{n * n}, work: n * n * n, fails: true,
			call: fmt.Sprintf("kernels.Cholesky(%d, a0, r0)", n)}, nil
	case ir.OpTriangularSolve:
		left, err := in.BoolAttr("left")
		if err != nil {
			return linalgOp{}, err
		}
		lower, err := in.BoolAttr("lower")
		if err != nil {
			return linalgOp{}, err
		}
		transA, err := in.BoolAttr("transpose_a")
		if err != nil {
			return linalgOp{}, err
		}
		b := in.Args[1].Type.Shape
		rows, cols := b[len(b)-2], b[len(b)-1]
		return linalgOp{ins: []int{n * n, rows * cols}, outs: []int{rows * cols}, work: n * rows * cols, fails: true,
			call: fmt.Sprintf("kernels.TriangularSolve(%t, %t, %t, %d, %d, a0, a1, r0)", left, lower, transA, rows, cols)}, nil
	}
	return linalgOp{}, fmt.Errorf("%s is not a linear-algebra op", in.Op)
}

// emitLinalg emits a method computing one matrix of the batch and the
// step's call over the batch.
func emitLinalg(g *gen, in *ir.Instr) error {
	lo, err := linalgOf(in)
	if err != nil {
		return err
	}
	for _, r := range in.Results {
		if !r.Type.DType.IsFloat() {
			return fmt.Errorf("no %s kernel", r.Type.DType)
		}
	}
	shape := in.Args[0].Type.Shape
	batch := shape[:len(shape)-2]
	count := batch.Size()
	if count == 0 {
		return nil
	}
	g.linalg = true
	for j, a := range in.Args {
		if a.Type.DType == ir.F32 && !lo.native {
			g.linalgIn[j] = max(g.linalgIn[j], lo.ins[j])
		}
	}
	for j, r := range in.Results {
		if r.Type.DType == ir.F32 && !lo.native {
			g.linalgOut[j] = max(g.linalgOut[j], lo.outs[j])
		}
	}

	method := g.mem.claim(methodName(in))
	var b code
	b.line("// %s computes matrix i of %s.", method, commentText(statement(in)))
	b.line("func (%s *%s) %s(sc *%s, i int) error {", g.recv, g.api.Type, method, g.linalgScratchType())
	for j, a := range in.Args {
		n := lo.ins[j]
		src := fmt.Sprintf("%s[i*%d : (i+1)*%d]", g.val[a], n, n)
		if a.Type.DType == ir.F64 || lo.native {
			b.line("a%d := %s", j, src)
			continue
		}
		b.line("a%d := sc.in[%d][:%d]", j, j, n)
		b.line("ops.CastSlice(a%d, %s)", j, src)
	}
	for j, r := range in.Results {
		n := lo.outs[j]
		if r.Type.DType == ir.F64 || lo.native {
			b.line("r%d := %s[i*%d : (i+1)*%d]", j, g.val[r], n, n)
			continue
		}
		b.line("r%d := sc.out[%d][:%d]", j, j, n)
	}
	if lo.fails {
		b.line("if err := %s; err != nil {", lo.call)
		b.line("return err")
		b.line("}")
	} else {
		b.line("%s", lo.call)
	}
	for j, r := range in.Results {
		if r.Type.DType == ir.F32 && !lo.native {
			n := lo.outs[j]
			b.line("ops.CastSlice(%s[i*%d : (i+1)*%d], r%d)", g.val[r], n, n, j)
		}
	}
	b.line("return nil")
	b.line("}")
	b.line("")
	g.decls.Write(b.Bytes())

	jacobi := in.Op == ir.OpEigh && in.Args[0].Type.DType == ir.F32
	if jacobi {
		// Small f32 matrices in f32 itself, sixteen at a time, as the
		// interpreter decomposes them; the condition is a constant of
		// the kernels the program links.
		n := shape[len(shape)-1]
		g.step.line("if %d <= kernels.JacobiMaxDim {", n)
		if len(batch) > 0 {
			g.step.line("if i, err := kernels.EighBatch32(%d, %d, %s, %s, %s, 0); err != nil {", n, count, g.arg(in, 0), g.out(in, 0), g.out(in, 1))
			g.step.line("err = fmt.Errorf(\"matrix at batch index %%v: %%w\", ops.Unravel(i, %s), err)", intsLit(batch))
		} else {
			g.step.line("if _, err := kernels.EighBatch32(%d, %d, %s, %s, %s, 0); err != nil {", n, count, g.arg(in, 0), g.out(in, 0), g.out(in, 1))
		}
		g.step.line("%s", g.failStmt(in, "err"))
		g.step.line("}")
		g.step.line("} else {")
	}
	parts := "1"
	if count > 1 && count*lo.work >= minBatchWork {
		parts = fmt.Sprintf("min(%s.procs, %d)", g.recv, count)
		g.procs = true
	}
	if len(batch) > 0 {
		g.step.line("if i, err := %s.batch(%s, %d, (*%s).%s); err != nil {", g.recv, parts, count, g.api.Type, method)
		g.step.line("err = fmt.Errorf(\"matrix at batch index %%v: %%w\", ops.Unravel(i, %s), err)", intsLit(batch))
	} else {
		g.step.line("if _, err := %s.batch(%s, %d, (*%s).%s); err != nil {", g.recv, parts, count, g.api.Type, method)
	}
	g.step.line("%s", g.failStmt(in, "err"))
	g.step.line("}")
	if jacobi {
		g.step.line("}")
	}
	return nil
}

// linalgScratchType names the file's type of per-goroutine scratch.
func (g *gen) linalgScratchType() string {
	if g.linalgScratch == "" {
		g.linalgScratch = g.helper("LinalgScratch")
		g.linalgTask = g.helper("Batch")
	}
	return g.linalgScratch
}

// linalgHelpers writes the scratch and batch types and the batch method.
func (g *gen) linalgHelpers(c *code) {
	if !g.linalg {
		return
	}
	t, sc, T := g.linalgTask, g.linalgScratch, g.api.Type
	c.line("// %s is one goroutine's scratch for the linear-algebra ops of a %s:", sc, T)
	c.line("// the decompositions' working memory and float64 copies of f32 matrices.")
	c.line("type %s struct {", sc)
	c.line("work kernels.Scratch")
	c.line("in [2][]float64")
	c.line("out [3][]float64")
	c.line("}")
	c.line("")
	c.line("// %s runs a linear-algebra op over the matrices of a batch, in parts.", t)
	c.line("type %s struct {", t)
	c.line("s *%s", T)
	c.line("run func(s *%s, sc *%s, i int) error", T, sc)
	c.line("count, parts int")
	c.line("scratch []%s", sc)
	c.line("idx []int")
	c.line("errs []error")
	c.line("}")
	c.line("")
	c.line("// RunPart runs the matrices of part p in order, stopping at the first")
	c.line("// that fails.")
	c.line("func (t *%s) RunPart(p int) {", t)
	c.line("sc := &t.scratch[p]")
	c.line("for i := p * t.count / t.parts; i < (p+1)*t.count/t.parts; i++ {")
	c.line("if err := t.run(t.s, sc, i); err != nil {")
	c.line("t.idx[p], t.errs[p] = i, err")
	c.line("return")
	c.line("}")
	c.line("}")
	c.line("}")
	c.line("")
	c.line("// batch runs run on the matrices [0, count) in at most parts parts and")
	c.line("// returns the failure of the lowest index, whatever the split.")
	c.line("func (%s *%s) batch(parts, count int, run func(s *%s, sc *%s, i int) error) (int, error) {", g.recv, T, T, sc)
	c.line("t := &%s.linalg", g.recv)
	c.line("parts = min(parts, len(t.scratch))")
	c.line("t.s, t.run, t.count, t.parts = %s, run, count, parts", g.recv)
	c.line("clear(t.errs)")
	c.line("if parts == 1 {")
	c.line("t.RunPart(0)")
	c.line("} else {")
	c.line("kernels.Parallel(parts, t)")
	c.line("}")
	c.line("t.s, t.run = nil, nil")
	c.line("for p, err := range t.errs[:parts] {")
	c.line("if err != nil {")
	c.line("return t.idx[p], err")
	c.line("}")
	c.line("}")
	c.line("return 0, nil")
	c.line("}")
	c.line("")
}

// linalgConstructor allocates the batch's scratch, one per goroutine.
func (g *gen) linalgConstructor(c *code) {
	if !g.linalg {
		return
	}
	parts := "1"
	if g.procs {
		parts = g.recv + ".procs"
	}
	c.line("%s.linalg.scratch = make([]%s, %s)", g.recv, g.linalgScratch, parts)
	c.line("%s.linalg.idx = make([]int, %s)", g.recv, parts)
	c.line("%s.linalg.errs = make([]error, %s)", g.recv, parts)
	if g.linalgIn == [2]int{} && g.linalgOut == [3]int{} {
		return // f64 only: the kernels work in place
	}
	c.line("for p := range %s.linalg.scratch {", g.recv)
	c.line("sc := &%s.linalg.scratch[p]", g.recv)
	for j, n := range g.linalgIn {
		if n > 0 {
			c.line("sc.in[%d] = make([]float64, %d)", j, n)
		}
	}
	for j, n := range g.linalgOut {
		if n > 0 {
			c.line("sc.out[%d] = make([]float64, %d)", j, n)
		}
	}
	c.line("}")
}
