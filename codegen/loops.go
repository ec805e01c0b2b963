package codegen

import (
	"fmt"
	"strings"

	"github.com/pushforward/pushforward/ir"
)

// Elementwise ops, the data movement ops that copy elements
// (broadcast_to, transpose, slice) and, later, fused regions all become a
// loop: for every index of the result's shape, load each operand at its
// offset (strides 0 on broadcast axes), evaluate a body of scalar ops and
// store the results. The loop runs over rows: axes of size 1 are dropped
// and adjacent axes that every operand steps through as one are merged,
// as the interpreter's walk plans do, so that a bias added to [512,128]
// is 512 rows of 128 with the bias's row reused. Rows are split across
// goroutines when the result is large, as the interpreter splits its
// elementwise kernels; every element is computed the same way whichever
// goroutine computes it, so the split changes no bit.

// parallelElems is the elements a loop has per part when it is split
// across goroutines: the interpreter's threshold (runtime.parallelElems),
// for elementwise and fused ops alike. (A fused body of vectorised ops
// costs little more per element than one op.)
const parallelElems = 1 << 15

// A loopOperand is an operand of a loop: the expression of its elements,
// its dtype, and the offset and strides with which the loop reads it.
type loopOperand struct {
	expr    string
	dtype   ir.DType
	base    int
	strides []int // one per axis of the loop's shape
}

// A loop is the computation of some results of one shape, element by
// element, from operands read along strides.
type loop struct {
	shape ir.Shape
	outs  []string   // the results' slices, contiguous
	dtype []ir.DType // of each result
	ins   []loopOperand
	body  *body
	// fold, if set, makes the loop a reduction: the body's one value is
	// folded into an accumulator instead of stored.
	fold *fold
}

// A fold folds the body's value into an accumulator, read and written
// along strides that are 0 on the reduced axes: every element of the
// domain is folded into its output in row-major order of the domain, as
// the reductions of runtime/ops fold their operand.
type fold struct {
	acc     string // the accumulator's elements
	strides []int  // over the loop's shape
	kind    foldKind
}

type foldKind uint8

const (
	foldFloat foldKind = iota // acc (float64) += float64(v)
	foldInt                   // acc += v, wrapping
	foldMax                   // acc = max(acc, v)
)

// operands returns the operands of the loop's walk: its inputs, then the
// accumulator of a fold, which steps along its own strides.
func (lp *loop) operands() []loopOperand {
	if lp.fold == nil {
		return lp.ins
	}
	return append(append([]loopOperand(nil), lp.ins...), loopOperand{expr: lp.fold.acc, strides: lp.fold.strides})
}

// operandOf returns the operand reading value v (of shape s) broadcast to
// shape out.
func (g *gen) broadcastOperand(v *ir.Value, out ir.Shape) loopOperand {
	return loopOperand{expr: g.val[v], dtype: v.Type.DType, strides: broadcastStrides(v.Type.Shape, out)}
}

// broadcastStrides returns the strides with which a row-major tensor of
// shape src is read when broadcast to shape dst: 0 on the axes src lacks
// or has as 1 (ops.BroadcastStrides).
func broadcastStrides(src, dst ir.Shape) []int {
	strides := make([]int, len(dst))
	lead := len(dst) - len(src)
	for d, s := range src.Strides() {
		if src[d] != 1 {
			strides[lead+d] = s
		}
	}
	return strides
}

// merged is a loop's shape after dropping axes of size 1 and merging
// axes, with each operand's strides.
type merged struct {
	dims    []int
	strides [][]int
}

// mergeAxes drops the axes of size 1 of shape and merges axis d+1 into
// axis d where, for every operand, a step along d is a whole run along
// d+1. A loop over no axis (a scalar) gets one axis of length 1.
func mergeAxes(shape ir.Shape, ins []loopOperand) merged {
	var m merged
	m.strides = make([][]int, len(ins))
	for d, n := range shape {
		if n == 1 {
			continue
		}
		m.dims = append(m.dims, n)
		for j, in := range ins {
			m.strides[j] = append(m.strides[j], in.strides[d])
		}
	}
	for d := len(m.dims) - 2; d >= 0; d-- {
		merge := true
		for j := range ins {
			if m.strides[j][d] != m.strides[j][d+1]*m.dims[d+1] {
				merge = false
			}
		}
		if !merge {
			continue
		}
		m.dims[d] *= m.dims[d+1]
		m.dims = append(m.dims[:d+1], m.dims[d+2:]...)
		for j := range ins {
			m.strides[j][d] = m.strides[j][d+1]
			m.strides[j] = append(m.strides[j][:d+1], m.strides[j][d+2:]...)
		}
	}
	if len(m.dims) == 0 {
		m.dims = []int{1}
		for j := range ins {
			m.strides[j] = []int{0}
		}
	}
	return m
}

// emitLoop writes the loop into the step, or, when it is large enough
// to split across goroutines, as a method of the struct over a range of
// rows (or columns) that the step runs in parts. name is a hint for the
// method's name, what the instruction it computes.
func (g *gen) emitLoop(lp *loop, name, what string) {
	size := lp.shape.Size()
	if size == 0 {
		return
	}
	m := mergeAxes(lp.shape, lp.operands())
	n := m.dims[len(m.dims)-1]
	rows := size / n
	outer := m.dims[:len(m.dims)-1]
	inner := make([]int, len(m.strides))
	for j, st := range m.strides {
		inner[j] = st[len(st)-1]
	}
	bp := planBlocks(lp, inner, n)
	if bp != nil {
		for d, k := range bp.regs {
			g.blockRegs[d] = max(g.blockRegs[d], k)
		}
	}
	part := "0" // inline loops use part 0's registers
	locals := func(b *code) {
		if bp != nil {
			bp.declare(b, g.recv, part)
		}
		for j, o := range lp.outs {
			if !passThrough(lp, m, j) {
				b.line("out%d := %s", j, o)
			}
		}
		for j, in := range lp.ins {
			b.line("in%d := %s", j, in.expr)
		}
		if lp.fold != nil {
			b.line("acc := %s", lp.fold.acc)
		}
	}
	// Split rows, or the columns of every row when there are too few
	// rows to share (the interpreter's kernels do the same); a reduction
	// only along axes whose elements fold into distinct outputs, so that
	// every output is folded by one goroutine, in order.
	byRows, byCols := rows >= 8, true
	if lp.fold != nil {
		st := m.strides[len(lp.ins)]
		for _, x := range st[:len(st)-1] {
			byRows = byRows && x != 0
		}
		byCols = st[len(st)-1] != 0
	}
	if size < 2*parallelElems || !byRows && !byCols || lp.body.divides() {
		b := &g.step
		b.line("{")
		locals(b)
		if rows == 1 {
			g.emitRow(b, lp, bp, m, outer, "0", "0", fmt.Sprint(n))
		} else {
			b.line("for r := range %d {", rows)
			g.emitRow(b, lp, bp, m, outer, "r", "0", fmt.Sprint(n))
			b.line("}")
		}
		b.line("}")
		return
	}

	method := g.mem.claim(name)
	var b code
	b.line("// %s computes %s of %s.", method, unitsName(byRows), commentText(what))
	if bp != nil {
		part = "p"
		b.line("func (%s *%s) %s(p, lo, hi int) {", g.recv, g.api.Type, method)
	} else {
		b.line("func (%s *%s) %s(_, lo, hi int) {", g.recv, g.api.Type, method)
	}
	locals(&b)
	switch {
	case byRows:
		b.line("for r := lo; r < hi; r++ {")
		g.emitRow(&b, lp, bp, m, outer, "r", "0", fmt.Sprint(n))
		b.line("}")
	case rows == 1:
		g.emitRow(&b, lp, bp, m, outer, "0", "lo", "hi")
	default:
		b.line("for r := range %d {", rows)
		g.emitRow(&b, lp, bp, m, outer, "r", "lo", "hi")
		b.line("}")
	}
	b.line("}")
	b.WriteByte('\n')
	g.decls.Write(b.Bytes())

	units := rows
	if !byRows {
		units = n
	}
	g.procs = true
	g.step.line("%s.parallel(min(%s.procs, %d), %d, (*%s).%s)", g.recv, g.recv, min(size/parallelElems, units), units, g.api.Type, method)
}

func unitsName(byRows bool) string {
	if byRows {
		return "rows [lo, hi)"
	}
	return "columns [lo, hi) of every row"
}

// emitRow writes the body of the row loop: the row's offsets from the
// row index, the row's slices over columns [c0, c1), and the inner loop.
func (g *gen) emitRow(b *code, lp *loop, bp *blockPlan, m merged, outer []int, row, c0, c1 string) {
	ops := lp.operands()
	// Unravel the row index over the outer axes that some operand steps
	// through.
	idx := make([]string, len(outer))
	inner := 1
	for d := len(outer) - 1; d >= 0; d-- {
		used := false
		for j := range ops {
			used = used || m.strides[j][d] != 0
		}
		switch {
		case !used:
			idx[d] = "0"
		case len(outer) == 1:
			idx[d] = row
		default:
			idx[d] = fmt.Sprintf("i%d", d)
			e := row
			if inner > 1 {
				e = fmt.Sprintf("%s/%d", row, inner)
			}
			if d > 0 {
				e = fmt.Sprintf("%s%%%d", e, outer[d])
			}
			b.line("%s := %s", idx[d], e)
		}
		inner *= outer[d]
	}
	// w is the row's length: a constant, or hi-lo.
	w := c1
	if c0 != "0" {
		b.line("w := %s - %s", c1, c0)
		w = "w"
	}
	rowOff := times(row, m.dims[len(m.dims)-1])
	for j := range lp.outs {
		if !passThrough(lp, m, j) {
			b.line("o%d := %s", j, window(fmt.Sprintf("out%d", j), plus(rowOff, c0), w))
		}
	}
	loads := make([]string, len(ops))
	for j, in := range ops {
		name := fmt.Sprintf("in%d", j)
		if j == len(lp.ins) {
			name = "acc"
		}
		st := m.strides[j]
		off := offsetExpr(in.base, idx, st[:len(st)-1])
		switch inner := st[len(st)-1]; inner {
		case 0:
			loads[j] = fmt.Sprintf("%s[%s]", name, off)
			if j < len(lp.ins) {
				b.line("a%d := %s", j, loads[j])
				loads[j] = fmt.Sprintf("a%d", j)
			}
		case 1:
			b.line("a%d := %s", j, window(name, plus(off, c0), w))
			loads[j] = fmt.Sprintf("a%d[c]", j)
		default:
			b.line("a%d := %s[%s:]", j, name, from(plus(off, times(c0, inner))))
			loads[j] = fmt.Sprintf("a%d[c*%d]", j, inner)
		}
	}
	if lp.fold == nil && g.emitFastRow(b, lp, m, loads) {
		return
	}
	if bp != nil {
		bp.emitRow(b, lp, w)
		return
	}
	// A fold into one accumulator per row goes through a local.
	accLoad := ""
	if lp.fold != nil {
		accLoad = loads[len(lp.ins)]
		if st := m.strides[len(lp.ins)]; st[len(st)-1] == 0 {
			b.line("red := %s", accLoad)
			accLoad = "red"
		}
	}
	b.line("for c := range %s {", w)
	stmts, results := lp.body.emit(loads[:len(lp.ins)])
	for _, s := range stmts {
		b.line("%s", s)
	}
	for j, r := range results {
		if lp.fold == nil {
			if !passThrough(lp, m, j) {
				b.line("o%d[c] = %s", j, r)
			}
			continue
		}
		switch lp.fold.kind {
		case foldFloat:
			b.line("%s += float64(%s)", accLoad, r)
		case foldInt:
			b.line("%s += %s", accLoad, r)
		case foldMax:
			b.line("%s = max(%s, %s)", accLoad, accLoad, r)
		}
	}
	b.line("}")
	if accLoad == "red" {
		b.line("%s = red", loads[len(lp.ins)])
	}
}

// passThrough reports whether output j of the loop receives the operand
// that it already is, element for element (a matmul's product in its
// first result, returned as it is): it needs no store.
func passThrough(lp *loop, m merged, j int) bool {
	if lp.fold != nil {
		return false
	}
	o := lp.body.outs[j]
	return o < len(lp.ins) && lp.ins[o].expr == lp.outs[j] && m.strides[o][len(m.strides[o])-1] == 1
}

// emitFastRow writes a row of a one-op loop as a call of a vectorised
// kernel, which computes the bits of the scalar functions (runtime/ops
// calls the same kernels): copies, add, sub and mul of floats, relu and
// step of floats. It reports whether it did.
func (g *gen) emitFastRow(b *code, lp *loop, m merged, loads []string) bool {
	bd := lp.body
	inner := func(j int) int { st := m.strides[j]; return st[len(st)-1] }
	if len(bd.ops) == 0 && len(bd.outs) == 1 && bd.outs[0] == 0 && inner(0) == 1 {
		b.line("copy(o0, a0)")
		return true
	}
	if len(bd.ops) != 1 || len(bd.outs) != 1 {
		return false
	}
	op := bd.ops[0]
	if !op.dtype.IsFloat() || !sameArgs(op.args, len(lp.ins)) {
		return false
	}
	switch op.op {
	case ir.OpRelu, ir.OpStep:
		if inner(0) != 1 {
			return false
		}
		b.line("kernels.%s(o0, a0)", map[ir.Op]string{ir.OpRelu: "Relu", ir.OpStep: "Step"}[op.op])
		return true
	case ir.OpAdd, ir.OpSub, ir.OpMul:
		kop := map[ir.Op]string{ir.OpAdd: "kernels.OpAdd", ir.OpSub: "kernels.OpSub", ir.OpMul: "kernels.OpMul"}[op.op]
		switch sa, sb := inner(0), inner(1); {
		case sa == 1 && sb == 1:
			b.line("kernels.BinaryVV(%s, o0, a0, a1)", kop)
		case sa == 1 && sb == 0:
			b.line("kernels.BinaryVS(%s, o0, a0, a1)", kop)
		case sa == 0 && sb == 1:
			b.line("kernels.BinarySV(%s, o0, a0, a1)", kop)
		default:
			return false
		}
		return true
	}
	return false
}

// sameArgs reports whether args are the operands 0, 1, ..., n-1 in order.
func sameArgs(args []int, n int) bool {
	if len(args) != n {
		return false
	}
	for i, a := range args {
		if a != i {
			return false
		}
	}
	return true
}

// offsetExpr is base + Σ idx[d]·strides[d], with the terms that are zero
// left out.
func offsetExpr(base int, idx []string, strides []int) string {
	var terms []string
	if base != 0 {
		terms = append(terms, fmt.Sprint(base))
	}
	for d, s := range strides {
		if t := times(idx[d], s); t != "0" {
			terms = append(terms, t)
		}
	}
	if len(terms) == 0 {
		return "0"
	}
	return strings.Join(terms, "+")
}

// times is the expression x·k.
func times(x string, k int) string {
	switch {
	case k == 0 || x == "0":
		return "0"
	case k == 1:
		return x
	}
	return fmt.Sprintf("%s*%d", x, k)
}

// window is the expression of w elements of slice from off.
func window(slice, off, w string) string {
	if off == "0" {
		return slice + "[:" + w + "]"
	}
	return slice + "[" + off + ":][:" + w + "]"
}

// from is the low bound of a slice expression: empty for 0.
func from(x string) string {
	if x == "0" {
		return ""
	}
	return x
}

// plus is the expression a + b.
func plus(a, b string) string {
	switch {
	case a == "0":
		return b
	case b == "0":
		return a
	}
	return a + "+" + b
}
