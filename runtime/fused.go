package runtime

import (
	"fmt"
	"slices"

	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/runtime/ops"
)

// A fused op (ir/fused.go) runs as one loop over its domain. The loop takes
// the domain a block (chunk) of up to fusedChunk elements at a time and
// evaluates the body on the block, op by op, each op a tight loop over the
// block in runtime/ops' row kernels (vectorised where the unfused kernels
// are), with the block's operands, intermediates and results in registers
// of fusedChunk elements that stay in the L1 cache. Operands are read once
// and results written once: the memory traffic of one elementwise op, for
// the whole chain. Every element is computed by the same functions, in
// the same order and with the same conversions as the unfused ops, so
// fused and unfused results agree bit for bit.
//
// Registers: each value of the body is one. A vector register holds the
// block's elements; a scalar one holds a single value, the same for the
// whole block: a constant, an operand broadcast along the block, or an op
// of scalars only (computed once per block). Registers are views where
// they can be: an operand's elements in place, or the block of the result
// a value is returned as, which the op defining it then writes directly.

// fusedChunk is the most elements a block holds: small enough that a
// body's live registers fit in L1, large enough that running each op as a
// loop over the block costs little more than the loop itself.
const fusedChunk = 1024

// minRowBlocks is the row length from which a domain is cut into blocks
// within rows (each broadcast operand a run or one value per block);
// shorter rows are taken several per block, with broadcast operands
// gathered into registers: a copy in L1 costs less than the blocks'
// overhead of short rows.
const minRowBlocks = fusedChunk

// A fusedProgram is a fused instruction's body compiled for the block
// loop. It is immutable once built; the per-run state lives in frames.
type fusedProgram struct {
	fu     *ir.Fused
	domain ir.Shape
	size   int // elements of the domain
	// rowLen is the length of the domain's last axis after merging the
	// axes every operand steps through alike; rows the number of rows.
	rowLen, rows int
	// byRow cuts blocks within rows: set when some operand is broadcast
	// and the rows are long.
	byRow bool

	regs    []fusedReg
	params  []fusedLoad  // per body parameter, how its block is loaded
	steps   []fusedStep  // per body instruction but constants
	results []fusedStore // per result, how its block is stored
	// slots and scalars are the vector and scalar slots per dtype.
	slots, scalars [ir.U64 + 1]int
	// consts are the constant registers, set when a frame is prepared.
	consts []fusedConst
	// spare is a vector slot of the result's dtype in which a reduction
	// whose body returns one value per block repeats it, or -1.
	spare int
}

// A fusedReg is a register: its dtype and whether it holds one value per
// block, and where it lives: a slot of its dtype's slab (vectors: slot·
// fusedChunk, scalars after the vector slots), or a view set per block
// (operand or result), in which case slot is -1.
type fusedReg struct {
	dtype  ir.DType
	scalar bool
	slot   int
}

// How a parameter's block is loaded.
type loadKind uint8

const (
	loadFull   loadKind = iota // operand has the domain's shape: a view at the block's offset
	loadSplat                  // operand has one element: a scalar view
	loadRow                    // byRow, stride 1 along rows: a view at the row's offset
	loadRowOne                 // byRow, stride 0 along rows: a scalar view at the row's offset
	loadGather                 // copy the elements into the register's slot
	loadRepeat                 // loadGather of an operand the same in every row (a bias): blocks of whole rows gather it once a run
	loadCopy                   // loadFull, copied into the slot (the operand is a result buffer the body overwrites)
)

// A fusedLoad loads body parameter i from array arg of the loop.
type fusedLoad struct {
	kind loadKind
	arg  int
	reg  int
	// rowOff is the operand's offset at the start of each row (loadRow,
	// loadRowOne, loadGather), stride its stride along rows (0 or 1).
	rowOff []int
	stride int
}

// A fusedStep is a body instruction that reads registers args and writes
// register dst with kernel kern (an *ops.UnaryKernel or *ops.BinaryRow
// of dst's element type; nil for select and cast).
type fusedStep struct {
	op   ir.Op
	args []int
	dst  int
	kern any
}

// A fusedStore stores a result's block: nothing when the register is a
// view of the result (the defining op wrote it), else a copy or a fill.
type fusedStore struct {
	reg  int
	view bool
}

// A fusedConst is a constant register and its value as an attribute.
type fusedConst struct {
	reg   int
	value ir.Attr
}

// newFusedProgram compiles the body of a fused instruction. Its loop reads
// arrays: the operands, or for kind matmul the product then the operands
// after the matmul's two.
func newFusedProgram(in *ir.Instr) (*fusedProgram, error) {
	fu, err := ir.AnalyzeFused(in.ArgTypes(), in.Attrs, in.ResultTypes())
	if err != nil {
		return nil, err
	}
	body := in.FusedBody()
	if body == nil {
		return nil, fmt.Errorf("fused has no body (a region of one function)")
	}
	if len(body.Params) != len(fu.Params) || len(body.Results) != len(fu.Results) {
		return nil, fmt.Errorf("body @%s takes %d parameters and returns %d results, want %d and %d", body.Name,
			len(body.Params), len(body.Results), len(fu.Params), len(fu.Results))
	}
	p := &fusedProgram{fu: fu, domain: fu.Domain, size: fu.Domain.Size(), spare: -1}
	// A reduction folds its blocks in the domain's order, which blocks
	// within rows would follow too; but it is split across goroutines by
	// its outputs, so it takes plain ranges of the domain.
	p.layout(paramShapes(in, fu), fu.Kind != ir.FusedReduce)
	c := &fusedCompiler{p: p, reg: map[*ir.Value]int{}, pinned: map[int]bool{}}
	if err := c.compile(body); err != nil {
		return nil, err
	}
	return p, nil
}

// paramShapes returns the shapes of the arrays the body's parameters read:
// the product's (the domain) then the operands after the matmul's for
// kind matmul, else the operands'.
func paramShapes(in *ir.Instr, fu *ir.Fused) []ir.Shape {
	var shapes []ir.Shape
	if fu.Kind == ir.FusedMatmul {
		shapes = append(shapes, fu.Domain)
	}
	for _, a := range in.Args[fu.ElementOperands():] {
		shapes = append(shapes, a.Type.Shape)
	}
	return shapes
}

// layout merges the domain's axes that every parameter's array steps
// through alike (as ops.WalkPlan does), which gives the row length, and
// plans each parameter's load.
func (p *fusedProgram) layout(shapes []ir.Shape, rowsAllowed bool) {
	all := make([][]int, len(shapes))
	for j, s := range shapes {
		all[j] = ops.BroadcastStrides(s, p.domain)
	}
	dims, strides := ops.MergeAxes(p.domain, all)
	last := len(dims) - 1
	p.rowLen = dims[last]
	if p.rowLen > 0 {
		p.rows = p.size / p.rowLen
	}
	p.params = make([]fusedLoad, len(shapes))
	broadcast := false
	for j, s := range shapes {
		l := &p.params[j]
		switch {
		case s.Equal(p.domain):
			l.kind = loadFull
		case s.Size() == 1:
			l.kind = loadSplat
		default:
			broadcast = true
			l.stride = strides[j][last]
			l.rowOff = ops.WalkOffsets(ir.Shape(dims[:last]), strides[j][:last], 0)
		}
	}
	p.byRow = rowsAllowed && broadcast && p.rowLen >= minRowBlocks
	for j := range p.params {
		l := &p.params[j]
		if l.rowOff == nil {
			continue
		}
		switch {
		case !p.byRow && l.stride == 1 && fusedChunk%p.rowLen == 0 && sameOffsets(l.rowOff):
			l.kind = loadRepeat
		case !p.byRow:
			l.kind = loadGather
		case l.stride == 0:
			l.kind = loadRowOne
		default:
			l.kind = loadRow
		}
	}
}

// sameOffsets reports whether every row starts at the same offset.
func sameOffsets(offs []int) bool {
	for _, o := range offs {
		if o != offs[0] {
			return false
		}
	}
	return true
}

// scalarLoad reports whether a load gives one value per block.
func (k loadKind) scalar() bool { return k == loadSplat || k == loadRowOne }

// A fusedCompiler assigns registers and slots and builds the steps.
type fusedCompiler struct {
	p   *fusedProgram
	reg map[*ir.Value]int
	// pinned are the registers whose slots are never freed.
	pinned map[int]bool
	// free lists the free vector and scalar slots per dtype.
	free    [ir.U64 + 1][]int
	freeOne [ir.U64 + 1][]int
}

func (c *fusedCompiler) compile(body *ir.Func) error {
	p := c.p
	lastUse := map[*ir.Value]int{}
	for i, bin := range body.Body {
		for _, a := range bin.Args {
			lastUse[a] = i
		}
	}
	end := len(body.Body)
	for _, r := range body.Results {
		lastUse[r] = end
	}
	// Results written in place: the first result each value is returned
	// as, if an instruction of the body defines it as a vector.
	// (A reduction folds its body's result from a register instead.)
	viewOf := map[*ir.Value]int{}
	for k, r := range body.Results {
		if _, dup := viewOf[r]; !dup && r.Def != nil && p.fu.Kind != ir.FusedReduce {
			viewOf[r] = k
		}
	}
	for j, prm := range body.Params {
		l := &p.params[j]
		l.arg = j
		if j == 0 && p.copyProduct(body, lastUse) {
			l.kind = loadCopy
		}
		r := c.newReg(prm.Type.DType, l.kind.scalar())
		l.reg = r
		c.reg[prm] = r
		switch l.kind {
		case loadGather, loadCopy:
			p.regs[r].slot = c.takeSlot(prm.Type.DType, false)
		case loadRepeat:
			p.regs[r].slot = c.takeSlot(prm.Type.DType, false)
			c.pinned[r] = true // its block is kept from block to block
		}
	}
	for i, bin := range body.Body {
		args := make([]int, len(bin.Args))
		scalar := true
		for j, a := range bin.Args {
			r, ok := c.reg[a]
			if !ok {
				return fmt.Errorf("body @%s: %s is not defined before use", body.Name, a)
			}
			args[j] = r
			scalar = scalar && p.regs[r].scalar
		}
		res := bin.Results[0]
		if len(bin.Results) != 1 || !ir.Fusable(bin.Op, bin.ResultTypes()) {
			return fmt.Errorf("body @%s: %s cannot be in a fused body", body.Name, bin.Op)
		}
		d := res.Type.DType
		if bin.Op == ir.OpFull || bin.Op == ir.OpConstant {
			r := c.newReg(d, true)
			p.regs[r].slot = c.takeSlot(d, true)
			c.pinned[r] = true // set once per frame
			c.reg[res] = r
			p.consts = append(p.consts, fusedConst{reg: r, value: constantValue(bin)})
			continue
		}
		r := c.newReg(d, scalar)
		if _, view := viewOf[res]; !view || scalar {
			p.regs[r].slot = c.takeSlot(d, scalar)
		}
		c.reg[res] = r
		kern, err := stepKernel(bin, d)
		if err != nil {
			return fmt.Errorf("body @%s: %s: %w", body.Name, bin.Op, err)
		}
		p.steps = append(p.steps, fusedStep{op: bin.Op, args: args, dst: r, kern: kern})
		// Free the slots of the values whose last use this was (after
		// taking the result's, so that no op runs in place).
		for _, a := range bin.Args {
			if lastUse[a] == i {
				c.release(c.reg[a])
			}
		}
	}
	for k, res := range body.Results {
		r := c.reg[res]
		k0, ok := viewOf[res]
		p.results = append(p.results, fusedStore{reg: r, view: ok && k0 == k && !p.regs[r].scalar})
	}
	if p.fu.Kind == ir.FusedReduce && p.regs[p.results[0].reg].scalar {
		p.spare = c.takeSlot(p.fu.Results[0].DType, false)
	}
	return nil
}

// copyProduct reports whether a matmul's product, which the GEMM writes
// into the first result's buffer, must be copied into a register block by
// block: when the body writes that result's block in place (it returns an
// instruction's value first) before its last read of the product.
func (p *fusedProgram) copyProduct(body *ir.Func, lastUse map[*ir.Value]int) bool {
	if p.fu.Kind != ir.FusedMatmul || !p.productInResult() {
		return false
	}
	r := body.Results[0]
	if r.Def == nil {
		return false // a parameter (the product itself, or another operand): stored after the body ran
	}
	def := slices.Index(body.Body, r.Def)
	return lastUse[body.Params[0]] > def
}

// productInResult reports whether a matmul's product is computed into the
// first result's buffer, which has its dtype, rather than into scratch.
func (p *fusedProgram) productInResult() bool {
	return p.fu.Results[0].DType == p.fu.Params[0].DType
}

// stepKernel returns the kernel of a body instruction of an op of
// runtime/ops' tables, for results of dtype d: an *ops.UnaryKernel or an
// *ops.BinaryRow of d's element type; nil for select and cast.
func stepKernel(in *ir.Instr, d ir.DType) (any, error) {
	if in.Op == ir.OpSelect || in.Op == ir.OpCast {
		return nil, nil
	}
	return byType(d, elementKernel[float32], elementKernel[float64], elementKernel[int64], elementKernel[uint64])(in)
}

func elementKernel[T ops.Number](in *ir.Instr) (any, error) {
	switch len(in.Args) {
	case 1:
		return ops.NewUnary[T](in.Op, in.Attrs)
	case 2:
		return ops.NewBinaryRow[T](in.Op)
	}
	return nil, fmt.Errorf("%s of %d operands is not an elementwise op", in.Op, len(in.Args))
}

// constantValue returns the value attribute of a scalar full or constant.
func constantValue(in *ir.Instr) ir.Attr {
	v := in.Attrs["value"]
	if leaves, err := ir.NumberLeaves(v); err == nil && len(leaves) == 1 {
		return leaves[0]
	}
	return v
}

func (c *fusedCompiler) newReg(d ir.DType, scalar bool) int {
	c.p.regs = append(c.p.regs, fusedReg{dtype: d, scalar: scalar, slot: -1})
	return len(c.p.regs) - 1
}

// takeSlot returns a free slot of dtype d, vector or scalar.
func (c *fusedCompiler) takeSlot(d ir.DType, scalar bool) int {
	free, count := &c.free[d], &c.p.slots[d]
	if scalar {
		free, count = &c.freeOne[d], &c.p.scalars[d]
	}
	if n := len(*free); n > 0 {
		s := (*free)[n-1]
		*free = (*free)[:n-1]
		return s
	}
	*count++
	return *count - 1
}

// release frees the slot of register r, if it has one.
func (c *fusedCompiler) release(r int) {
	reg := c.p.regs[r]
	if reg.slot < 0 || c.pinned[r] {
		return
	}
	if reg.scalar {
		c.freeOne[reg.dtype] = append(c.freeOne[reg.dtype], reg.slot)
	} else {
		c.free[reg.dtype] = append(c.free[reg.dtype], reg.slot)
	}
}
