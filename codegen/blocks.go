package codegen

import (
	"fmt"

	"github.com/pushforward/pushforward/ir"
)

// A body of several ops over long rows runs block by block: blockLen
// elements at a time, each op over the whole block before the next, the
// block's values in registers of blockLen elements that stay in the L1
// cache. Ops the interpreter computes with vectorised kernels (add, sub
// and mul of floats on runs and repeated values, relu and step) call those
// kernels on the block; the others loop over it with their scalar
// functions. Values the body computes once per row (from repeated
// operands and constants only) are computed once per row. This is how the
// interpreter evaluates a fused op (runtime/fused.go), decided here once:
// every element is computed as the scalar functions compute it, so the
// bits are the same as element by element.

// blockLen is the elements of a block.
const blockLen = 512

// minBlockRow is the row length from which a body runs by blocks.
const minBlockRow = 64

// How an operand is read along a row.
type rowRead uint8

const (
	readOne     rowRead = iota // one value for the whole row (stride 0)
	readRun                    // a run of the row's length (stride 1)
	readStrided                // every stride-th element
)

// A blockPlan says how a body runs by blocks: which values are computed
// once per row, which register (of its dtype) each vector value takes,
// and which values an output receives directly.
type blockPlan struct {
	body    *body
	reads   []rowRead // per operand
	strides []int     // per operand, along the row
	scalar  []bool    // per value: one value per row
	reg     []int     // per value: its register, or -1
	regs    map[ir.DType]int
	// direct[v] is the output a value is computed into, or -1.
	direct []int
}

// planBlocks returns how lp's body runs by blocks over rows of width n
// whose operands are read with inner strides (the merged strides' last),
// or nil when it runs element by element: no op with a vectorised kernel,
// short rows, a fold, or an integer division (checked element by
// element).
func planBlocks(lp *loop, inner []int, n int) *blockPlan {
	bd := lp.body
	if lp.fold != nil || len(bd.ops) == 0 || n < minBlockRow || bd.divides() {
		return nil
	}
	p := &blockPlan{body: bd, regs: map[ir.DType]int{}}
	for _, st := range inner[:len(lp.ins)] {
		read := readStrided
		switch st {
		case 0:
			read = readOne
		case 1:
			read = readRun
		}
		p.reads, p.strides = append(p.reads, read), append(p.strides, st)
	}
	nv := len(bd.in) + len(bd.ops)
	p.scalar = make([]bool, nv)
	for j, r := range p.reads {
		p.scalar[j] = r == readOne
	}
	vector := 0
	for k, op := range bd.ops {
		v := len(bd.in) + k
		p.scalar[v] = true
		for _, a := range op.args {
			p.scalar[v] = p.scalar[v] && p.scalar[a]
		}
		if !p.scalar[v] && p.kernel(op) != "" {
			vector++
		}
	}
	if vector == 0 {
		return nil
	}
	p.assign(lp)
	return p
}

// assign gives registers to the vector values (op results, and strided
// operands gathered into one), reusing a register after its value's last
// use, and computes straight into an output the values it receives, when
// that output is not also an operand (a matmul's product in its first
// result).
func (p *blockPlan) assign(lp *loop) {
	bd := p.body
	nv := len(p.scalar)
	last := make([]int, nv)
	for k, op := range bd.ops {
		for _, a := range op.args {
			last[a] = k
		}
	}
	for _, o := range bd.outs {
		last[o] = len(bd.ops) // read by the stores at the block's end
	}
	p.direct = make([]int, nv)
	for v := range p.direct {
		p.direct[v] = -1
	}
	stored := map[int]bool{}
	for j, o := range bd.outs {
		if o < len(bd.in) || p.scalar[o] || stored[o] || !p.safeDirect(lp, j, o-len(bd.in), last) {
			continue
		}
		stored[o] = true
		p.direct[o] = j
	}
	p.reg = make([]int, nv)
	free := map[ir.DType][]int{}
	take := func(d ir.DType) int {
		if f := free[d]; len(f) > 0 {
			r := f[len(f)-1]
			free[d] = f[:len(f)-1]
			return r
		}
		p.regs[d]++
		return p.regs[d] - 1
	}
	for v := range p.reg {
		p.reg[v] = -1
	}
	for j, r := range p.reads {
		if r == readStrided {
			p.reg[j] = take(bd.in[j])
		}
	}
	for k, op := range bd.ops {
		v := len(bd.in) + k
		if !p.scalar[v] && p.direct[v] < 0 {
			p.reg[v] = take(op.dtype)
		}
		for _, a := range op.args {
			if last[a] == k && p.reg[a] >= 0 && !(a < len(bd.in) && p.reads[a] != readStrided) {
				free[dtypeOf(bd, a)] = append(free[dtypeOf(bd, a)], p.reg[a])
				last[a] = -1 // freed once
			}
		}
	}
}

// safeDirect reports whether op k may compute its value straight into
// output j: when the output is also an operand (a matmul's product in its
// first result), no op after k reads that operand, since writing the
// output overwrites it. (Op k itself reads each element before it writes
// it at the same index.)
func (p *blockPlan) safeDirect(lp *loop, j, k int, last []int) bool {
	for i, in := range lp.ins {
		if in.expr == lp.outs[j] && last[i] > k {
			return false
		}
	}
	return true
}

// dtypeOf is the dtype of body value v.
func dtypeOf(bd *body, v int) ir.DType {
	if v < len(bd.in) {
		return bd.in[v]
	}
	return bd.ops[v-len(bd.in)].dtype
}

// kernel returns the vectorised kernel that computes op on a block given
// which operands are one value, or "" for none.
func (p *blockPlan) kernel(op scalarOp) string {
	if !op.dtype.IsFloat() || op.lit != "" {
		return ""
	}
	switch op.op {
	case ir.OpRelu, ir.OpStep:
		if !p.scalar[op.args[0]] {
			return "unary"
		}
	case ir.OpAdd, ir.OpSub, ir.OpMul:
		switch a, b := p.scalar[op.args[0]], p.scalar[op.args[1]]; {
		case !a && !b:
			return "BinaryVV"
		case !a:
			return "BinaryVS"
		case !b:
			return "BinarySV"
		}
	}
	return ""
}

// declare writes the registers' declarations, once per loop: the slabs
// of registers of the struct's part (one per goroutine of a split loop).
func (p *blockPlan) declare(b *code, recv, part string) {
	for _, d := range arenaOrder {
		if p.regs[d] > 0 {
			b.line("reg%s := %s.reg%s[%s]", d, recv, d, part)
		}
	}
}

// emitRow writes one row by blocks: the row's scalar values, then a loop
// over blocks of the row's w elements (a constant or a variable), whose
// operands a0, a1, ... are the row's values (readOne), runs (readRun) or
// strided slices (readStrided), writing the outputs o0, o1, ....
func (p *blockPlan) emitRow(b *code, lp *loop, w string) {
	bd := p.body
	name := make([]string, len(p.scalar))
	for j := range bd.in {
		name[j] = fmt.Sprintf("a%d", j)
	}
	// Values computed once per row.
	for k, op := range bd.ops {
		v := len(bd.in) + k
		if !p.scalar[v] {
			continue
		}
		if op.lit != "" {
			name[v] = op.lit
			continue
		}
		name[v] = fmt.Sprintf("s%d", k)
		b.line("%s := %s", name[v], convert(op, scalarExpr(op, argNames(op, name, p.scalar, ""))))
	}
	b.line("for b0 := 0; b0 < %s; b0 += %d {", w, blockLen)
	b.line("n := min(%d, %s-b0)", blockLen, w)
	vec := make([]string, len(p.scalar)) // the block's slice of each vector value
	for j, r := range p.reads {
		switch r {
		case readRun:
			vec[j] = fmt.Sprintf("a%d[b0:b0+n]", j)
		case readStrided:
			vec[j] = p.register(j, bd.in[j])
			b.line("for c := range n {")
			b.line("%s[c] = a%d[(b0+c)*%d]", vec[j], j, p.strides[j])
			b.line("}")
		}
	}
	for k, op := range bd.ops {
		v := len(bd.in) + k
		if p.scalar[v] {
			continue
		}
		dst := p.register(v, op.dtype)
		if j := p.direct[v]; j >= 0 {
			dst = fmt.Sprintf("o%d[b0:b0+n]", j)
		}
		vec[v] = dst
		args := make([]string, len(op.args))
		for i, a := range op.args {
			args[i] = vec[a]
			if p.scalar[a] {
				args[i] = name[a]
			}
		}
		switch p.kernel(op) {
		case "unary":
			b.line("kernels.%s(%s, %s)", map[ir.Op]string{ir.OpRelu: "Relu", ir.OpStep: "Step"}[op.op], dst, args[0])
		case "":
			// The operands' blocks as locals of the block's length, so
			// that the loop needs no bounds checks.
			b.line("{")
			b.line("dst := %s", dst)
			local := make([]string, len(name))
			copy(local, name)
			for i, a := range op.args {
				if !p.scalar[a] {
					local[a] = fmt.Sprintf("x%d", i)
					b.line("x%d := %s[:len(dst)]", i, vec[a])
				}
			}
			b.line("for c := range dst {")
			b.line("dst[c] = %s", convert(op, scalarExpr(op, argNames(op, local, p.scalar, "[c]"))))
			b.line("}")
			b.line("}")
		default:
			b.line("kernels.%s(%s, %s, %s, %s)", p.kernel(op), kernelOps[op.op], dst, args[0], args[1])
		}
	}
	for j, o := range bd.outs {
		switch {
		case p.direct[o] == j || o < len(bd.in) && lp.ins[o].expr == lp.outs[j] && p.reads[o] == readRun:
		case p.scalar[o]:
			b.line("for c := range n {")
			b.line("o%d[b0+c] = %s", j, name[o])
			b.line("}")
		default:
			b.line("copy(o%d[b0:b0+n], %s)", j, vec[o])
		}
	}
	b.line("}")
}

// register is the block's slice of value v's register.
func (p *blockPlan) register(v int, d ir.DType) string {
	r := p.reg[v] * blockLen
	return fmt.Sprintf("reg%s[%d:%d+n]", d, r, r)
}

// argNames returns the expressions of op's operands: a scalar's name, or
// a vector value's name indexed by index.
func argNames(op scalarOp, name []string, scalar []bool, index string) []string {
	args := make([]string, len(op.args))
	for i, a := range op.args {
		args[i] = name[a]
		if !scalar[a] {
			args[i] += index
		}
	}
	return args
}

// convert wraps a float op's expression in the conversion that rounds it
// (see body).
func convert(op scalarOp, e string) string {
	if op.dtype.IsFloat() {
		return fmt.Sprintf("%s(%s)", elemType(op.dtype), e)
	}
	return e
}

// kernelOps names the kernels' binary ops.
var kernelOps = map[ir.Op]string{ir.OpAdd: "kernels.OpAdd", ir.OpSub: "kernels.OpSub", ir.OpMul: "kernels.OpMul"}
