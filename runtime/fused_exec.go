package runtime

import (
	"fmt"

	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/runtime/ops"
)

// A fusedFrame is the registers of one goroutine running a fused loop:
// one slab of slots per dtype and each register's current block.
type fusedFrame struct {
	f32 regFile[float32]
	f64 regFile[float64]
	i64 regFile[int64]
	u64 regFile[uint64]
}

// A regFile holds the registers of one element type: regs[r] is register
// r's block (a slot of slab, or a view), for the registers of this type.
type regFile[T ops.Number] struct {
	slab []T
	regs [][]T
}

func fileOf[T ops.Number](fr *fusedFrame) *regFile[T] {
	switch any(*new(T)).(type) {
	case float32:
		return any(&fr.f32).(*regFile[T])
	case float64:
		return any(&fr.f64).(*regFile[T])
	case int64:
		return any(&fr.i64).(*regFile[T])
	}
	return any(&fr.u64).(*regFile[T])
}

// prepare sizes fr's slabs for p, points the slotted registers at their
// slots and sets the constants. It allocates only when p needs more than
// the frame had.
func (fr *fusedFrame) prepare(p *fusedProgram) error {
	prepareFile[float32](fr, p, ir.F32)
	prepareFile[float64](fr, p, ir.F64)
	prepareFile[int64](fr, p, ir.I64)
	prepareFile[uint64](fr, p, ir.U64)
	for _, k := range p.consts {
		var err error
		switch p.regs[k.reg].dtype {
		case ir.F32:
			err = setConst[float32](fr, k)
		case ir.F64:
			err = setConst[float64](fr, k)
		case ir.I64:
			err = setConst[int64](fr, k)
		default:
			err = setConst[uint64](fr, k)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func prepareFile[T ops.Number](fr *fusedFrame, p *fusedProgram, d ir.DType) {
	f := fileOf[T](fr)
	vectors := p.slots[d] * fusedChunk
	if need := vectors + p.scalars[d]; len(f.slab) < need {
		f.slab = make([]T, need)
	}
	if len(f.regs) < len(p.regs) {
		f.regs = make([][]T, len(p.regs))
	}
	for r, reg := range p.regs {
		switch {
		case reg.dtype != d || reg.slot < 0:
		case reg.scalar:
			f.regs[r] = f.slab[vectors+reg.slot : vectors+reg.slot+1]
		default:
			f.regs[r] = f.slab[reg.slot*fusedChunk : (reg.slot+1)*fusedChunk]
		}
	}
}

func setConst[T ops.Number](fr *fusedFrame, k fusedConst) error {
	v, err := ops.AttrValue[T](k.value)
	if err != nil {
		return err
	}
	fileOf[T](fr).regs[k.reg][0] = v
	return nil
}

// release drops the frame's views, so that it keeps no tensor alive.
func (fr *fusedFrame) release() {
	clear(fr.f32.regs)
	clear(fr.f64.regs)
	clear(fr.i64.regs)
	clear(fr.u64.regs)
}

// A loadFunc loads a parameter's register for the block of n elements at
// offset off of the domain, which is element col of row row.
type loadFunc func(fr *fusedFrame, arrays []*Tensor, off, n, row, col int)

func newLoad(l *fusedLoad, d ir.DType, rowLen int) loadFunc {
	switch d {
	case ir.F32:
		return loadOf[float32](l, rowLen)
	case ir.F64:
		return loadOf[float64](l, rowLen)
	case ir.I64:
		return loadOf[int64](l, rowLen)
	}
	return loadOf[uint64](l, rowLen)
}

func loadOf[T ops.Number](l *fusedLoad, rowLen int) loadFunc {
	arg, reg, rowOff, stride := l.arg, l.reg, l.rowOff, l.stride
	switch l.kind {
	case loadFull:
		return func(fr *fusedFrame, arrays []*Tensor, off, n, _, _ int) {
			fileOf[T](fr).regs[reg] = elems[T](arrays[arg])[off : off+n]
		}
	case loadCopy:
		return func(fr *fusedFrame, arrays []*Tensor, off, n, _, _ int) {
			copy(fileOf[T](fr).regs[reg][:n], elems[T](arrays[arg])[off:off+n])
		}
	case loadSplat:
		return func(fr *fusedFrame, arrays []*Tensor, _, _, _, _ int) {
			fileOf[T](fr).regs[reg] = elems[T](arrays[arg])[:1]
		}
	case loadRow:
		return func(fr *fusedFrame, arrays []*Tensor, _, n, row, col int) {
			o := rowOff[row] + col
			fileOf[T](fr).regs[reg] = elems[T](arrays[arg])[o : o+n]
		}
	case loadRowOne:
		return func(fr *fusedFrame, arrays []*Tensor, _, _, row, _ int) {
			o := rowOff[row]
			fileOf[T](fr).regs[reg] = elems[T](arrays[arg])[o : o+1]
		}
	}
	return func(fr *fusedFrame, arrays []*Tensor, off, n, _, _ int) {
		gatherBlock(fileOf[T](fr).regs[reg][:n], elems[T](arrays[arg]), rowOff, stride, rowLen, off)
	}
}

// gatherBlock copies into dst the elements of the domain from offset off
// of an array read with the given row offsets and stride along rows.
func gatherBlock[T ops.Number](dst, src []T, rowOff []int, stride, rowLen, off int) {
	row, col := off/rowLen, off%rowLen
	for len(dst) > 0 {
		seg := dst[:min(len(dst), rowLen-col)]
		base := rowOff[row] + col*stride
		if stride == 1 {
			copy(seg, src[base:base+len(seg)])
		} else {
			v := src[base]
			for i := range seg {
				seg[i] = v
			}
		}
		dst = dst[len(seg):]
		row, col = row+1, 0
	}
}

// A storeFunc writes a result's block: before the steps, it points a
// view register at the result's block; after them, it copies or fills the
// block from the register.
type storeFunc func(fr *fusedFrame, out *Tensor, off, n int)

func newStore(st fusedStore, reg fusedReg, d ir.DType) storeFunc {
	switch d {
	case ir.F32:
		return storeOf[float32](st, reg)
	case ir.F64:
		return storeOf[float64](st, reg)
	case ir.I64:
		return storeOf[int64](st, reg)
	}
	return storeOf[uint64](st, reg)
}

func storeOf[T ops.Number](st fusedStore, reg fusedReg) storeFunc {
	r := st.reg
	switch {
	case st.view:
		return func(fr *fusedFrame, out *Tensor, off, n int) {
			fileOf[T](fr).regs[r] = elems[T](out)[off : off+n]
		}
	case reg.scalar:
		return func(fr *fusedFrame, out *Tensor, off, n int) {
			ops.Fill(elems[T](out)[off:off+n], fileOf[T](fr).regs[r][0])
		}
	}
	return func(fr *fusedFrame, out *Tensor, off, n int) {
		copy(elems[T](out)[off:off+n], fileOf[T](fr).regs[r][:n])
	}
}

// newFusedStep builds the step of one body instruction, which reads
// registers args and writes register dst.
func newFusedStep(in *ir.Instr, args []int, dst int, regs []fusedReg) (fusedStep, error) {
	d := regs[dst].dtype
	switch in.Op {
	case ir.OpCast:
		return castStepFrom(regs[args[0]].dtype, d, args[0], dst, regs[args[0]].scalar), nil
	case ir.OpSelect:
		return selectStepBy(regs[args[0]].dtype, d, args, dst, regs), nil
	}
	switch d {
	case ir.F32:
		return elementStep[float32](in, args, dst, regs)
	case ir.F64:
		return elementStep[float64](in, args, dst, regs)
	case ir.I64:
		return elementStep[int64](in, args, dst, regs)
	}
	return elementStep[uint64](in, args, dst, regs)
}

// elementStep builds the step of an op of runtime/ops' unary or binary
// table.
func elementStep[T ops.Number](in *ir.Instr, args []int, dst int, regs []fusedReg) (fusedStep, error) {
	switch len(args) {
	case 1:
		k, err := ops.NewUnary[T](in.Op, in.Attrs)
		if err != nil {
			return nil, err
		}
		x := args[0]
		if regs[x].scalar {
			return func(fr *fusedFrame, _ int) error {
				f := fileOf[T](fr)
				k.Run(f.regs[dst][:1], f.regs[x][:1])
				return nil
			}, nil
		}
		return func(fr *fusedFrame, n int) error {
			f := fileOf[T](fr)
			k.Run(f.regs[dst][:n], f.regs[x][:n])
			return nil
		}, nil
	case 2:
		k, err := ops.NewBinaryRow[T](in.Op)
		if err != nil {
			return nil, err
		}
		return binaryStep(k, args[0], args[1], dst, regs[args[0]].scalar, regs[args[1]].scalar), nil
	}
	return nil, fmt.Errorf("%s of %d operands is not an elementwise op", in.Op, len(args))
}

func binaryStep[T ops.Number](k *ops.BinaryRow[T], a, b, dst int, sa, sb bool) fusedStep {
	switch {
	case sa && sb:
		return func(fr *fusedFrame, _ int) error {
			f := fileOf[T](fr)
			if err := k.CheckDivisors(f.regs[b][:1]); err != nil {
				return err
			}
			f.regs[dst][0] = k.SS(f.regs[a][0], f.regs[b][0])
			return nil
		}
	case sb:
		return func(fr *fusedFrame, n int) error {
			f := fileOf[T](fr)
			if err := k.CheckDivisors(f.regs[b][:1]); err != nil {
				return err
			}
			k.VS(f.regs[dst][:n], f.regs[a], f.regs[b][0])
			return nil
		}
	case sa:
		return func(fr *fusedFrame, n int) error {
			f := fileOf[T](fr)
			if err := k.CheckDivisors(f.regs[b][:n]); err != nil {
				return err
			}
			k.SV(f.regs[dst][:n], f.regs[a][0], f.regs[b])
			return nil
		}
	}
	return func(fr *fusedFrame, n int) error {
		f := fileOf[T](fr)
		if err := k.CheckDivisors(f.regs[b][:n]); err != nil {
			return err
		}
		k.VV(f.regs[dst][:n], f.regs[a], f.regs[b])
		return nil
	}
}

// castStepFrom builds a cast from dtype s to dtype d.
func castStepFrom(s, d ir.DType, x, dst int, scalar bool) fusedStep {
	switch s {
	case ir.F32:
		return castStepTo[float32](d, x, dst, scalar)
	case ir.F64:
		return castStepTo[float64](d, x, dst, scalar)
	case ir.I64:
		return castStepTo[int64](d, x, dst, scalar)
	}
	return castStepTo[uint64](d, x, dst, scalar)
}

func castStepTo[S ops.Number](d ir.DType, x, dst int, scalar bool) fusedStep {
	switch d {
	case ir.F32:
		return castStep[float32, S](x, dst, scalar)
	case ir.F64:
		return castStep[float64, S](x, dst, scalar)
	case ir.I64:
		return castStep[int64, S](x, dst, scalar)
	}
	return castStep[uint64, S](x, dst, scalar)
}

func castStep[D, S ops.Number](x, dst int, scalar bool) fusedStep {
	return func(fr *fusedFrame, n int) error {
		if scalar {
			n = 1
		}
		ops.CastSlice(fileOf[D](fr).regs[dst][:n], fileOf[S](fr).regs[x][:n])
		return nil
	}
}

// selectStepBy builds select with a condition of dtype c and branches of
// dtype d.
func selectStepBy(c, d ir.DType, args []int, dst int, regs []fusedReg) fusedStep {
	switch c {
	case ir.F32:
		return selectStepTo[float32](d, args, dst, regs)
	case ir.F64:
		return selectStepTo[float64](d, args, dst, regs)
	case ir.I64:
		return selectStepTo[int64](d, args, dst, regs)
	}
	return selectStepTo[uint64](d, args, dst, regs)
}

func selectStepTo[C ops.Number](d ir.DType, args []int, dst int, regs []fusedReg) fusedStep {
	switch d {
	case ir.F32:
		return selectStep[C, float32](args, dst, regs)
	case ir.F64:
		return selectStep[C, float64](args, dst, regs)
	case ir.I64:
		return selectStep[C, int64](args, dst, regs)
	}
	return selectStep[C, uint64](args, dst, regs)
}

// selectStep picks between the branches element by element, as select's
// kernel does; a scalar register is read with stride 0.
func selectStep[C, T ops.Number](args []int, dst int, regs []fusedReg) fusedStep {
	c, a, b := args[0], args[1], args[2]
	stride := func(r int) int {
		if regs[r].scalar {
			return 0
		}
		return 1
	}
	sc, sa, sb := stride(c), stride(a), stride(b)
	scalar := regs[dst].scalar
	return func(fr *fusedFrame, n int) error {
		if scalar {
			n = 1
		}
		cs, f := fileOf[C](fr).regs[c], fileOf[T](fr)
		as, bs, o := f.regs[a], f.regs[b], f.regs[dst][:n]
		for i := range o {
			o[i] = ops.Select(cs[i*sc], as[i*sa], bs[i*sb])
		}
		return nil
	}
}
