package runtime

import (
	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/runtime/ops"
)

// A fusedFrame is a fused program bound to the registers of one goroutine:
// its loads, steps and stores as closures over typed register files, so
// that a block costs a handful of indirect calls and no type switches. A
// Runner's execCtx keeps the frames of each fused op it runs (one per
// goroutine of its loop), made on first use.
type fusedFrame struct {
	p   *fusedProgram
	f32 regFile[float32]
	f64 regFile[float64]
	i64 regFile[int64]
	u64 regFile[uint64]

	loads []func(off, n, row, col int)
	// pre point the registers of results written in place at the block
	// of their result; post copy or fill the others after the steps.
	pre, post []func(off, n int)
	steps     []func(n int) error
	// setIO points the typed views at a run's arrays and outputs (nil:
	// clear them); reset forgets what loads kept from the last run.
	setIO []func(arrays, outs []*Tensor)
	reset []func()
	// result returns the block of the body's first result, for a
	// reduction's fold.
	fold func(r *fusedReduction, off, n int)
}

// A regFile holds the registers of one element type: regs[r] is register
// r's current block (a slot of slab, or a view), for the registers of this
// type, and in and out the run's arrays and outputs of this type.
type regFile[T ops.Number] struct {
	slab    []T
	regs    [][]T
	in, out [][]T
}

// byType returns the one of four instantiations of a generic function
// whose element type is dtype d's.
func byType[F any](d ir.DType, f32, f64, i64, u64 F) F {
	switch d {
	case ir.F32:
		return f32
	case ir.F64:
		return f64
	case ir.I64:
		return i64
	}
	return u64
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

// bindFrame binds p to new registers.
func bindFrame(p *fusedProgram, arrays, outs int) (*fusedFrame, error) {
	fr := &fusedFrame{p: p}
	bindFile[float32](fr, ir.F32, arrays, outs)
	bindFile[float64](fr, ir.F64, arrays, outs)
	bindFile[int64](fr, ir.I64, arrays, outs)
	bindFile[uint64](fr, ir.U64, arrays, outs)
	for _, k := range p.consts {
		if err := bindConst(fr, k, p.regs[k.reg].dtype); err != nil {
			return nil, err
		}
	}
	for i := range p.params {
		fr.loads = append(fr.loads, bindLoad(fr, &p.params[i], p.regs[p.params[i].reg].dtype, p.rowLen))
	}
	for _, s := range p.steps {
		fr.steps = append(fr.steps, bindStep(fr, s, p.regs))
	}
	if p.fu.Kind == ir.FusedReduce {
		fr.fold = bindFold(fr, p)
		return fr, nil
	}
	for k, st := range p.results {
		f := bindStore(fr, st, p.regs[st.reg], k)
		if st.view {
			fr.pre = append(fr.pre, f)
		} else {
			fr.post = append(fr.post, f)
		}
	}
	return fr, nil
}

// bindFile sizes the register file of type T and points the slotted
// registers at their slots.
func bindFile[T ops.Number](fr *fusedFrame, d ir.DType, arrays, outs int) {
	p := fr.p
	f := fileOf[T](fr)
	vectors := p.slots[d] * fusedChunk
	f.slab = make([]T, vectors+p.scalars[d])
	f.regs = make([][]T, len(p.regs))
	f.in, f.out = make([][]T, arrays), make([][]T, outs)
	for r, reg := range p.regs {
		switch {
		case reg.dtype != d || reg.slot < 0:
		case reg.scalar:
			f.regs[r] = f.slab[vectors+reg.slot : vectors+reg.slot+1]
		default:
			f.regs[r] = f.slab[reg.slot*fusedChunk : (reg.slot+1)*fusedChunk]
		}
	}
	fr.setIO = append(fr.setIO, func(arrays, outs []*Tensor) {
		for j := range f.in {
			f.in[j] = nil
			if arrays != nil && arrays[j].DType() == d {
				f.in[j] = elems[T](arrays[j])
			}
		}
		for k := range f.out {
			f.out[k] = nil
			if outs != nil && outs[k].DType() == d {
				f.out[k] = elems[T](outs[k])
			}
		}
	})
}

func bindConst(fr *fusedFrame, k fusedConst, d ir.DType) error {
	return byType(d, setConst[float32], setConst[float64], setConst[int64], setConst[uint64])(fr, k)
}

func setConst[T ops.Number](fr *fusedFrame, k fusedConst) error {
	v, err := ops.AttrValue[T](k.value)
	if err != nil {
		return err
	}
	fileOf[T](fr).regs[k.reg][0] = v
	return nil
}

// setIO points the frame's typed views at a run's arrays and outputs;
// setIO(nil, nil) drops them, so that the frame keeps no tensor alive.
func (fr *fusedFrame) setIOs(arrays, outs []*Tensor) {
	for _, f := range fr.setIO {
		f(arrays, outs)
	}
	for _, f := range fr.reset {
		f()
	}
}

func bindLoad(fr *fusedFrame, l *fusedLoad, d ir.DType, rowLen int) func(off, n, row, col int) {
	return byType(d, loadOf[float32], loadOf[float64], loadOf[int64], loadOf[uint64])(fr, l, rowLen)
}

func loadOf[T ops.Number](fr *fusedFrame, l *fusedLoad, rowLen int) func(off, n, row, col int) {
	f := fileOf[T](fr)
	regs, in := f.regs, f.in
	arg, r, rowOff, stride := l.arg, l.reg, l.rowOff, l.stride
	switch l.kind {
	case loadFull:
		return func(off, n, _, _ int) { regs[r] = in[arg][off : off+n] }
	case loadCopy:
		return func(off, n, _, _ int) { copy(regs[r][:n], in[arg][off:off+n]) }
	case loadRepeat:
		// Blocks that start a row hold the same elements when they have
		// the same length: gather once and keep the register (pinned).
		kept := 0
		fr.reset = append(fr.reset, func() { kept = 0 })
		return func(off, n, _, _ int) {
			if off%rowLen == 0 && n == kept {
				return
			}
			gatherBlock(regs[r][:n], in[arg], rowOff, stride, rowLen, off)
			if kept = 0; off%rowLen == 0 {
				kept = n
			}
		}
	case loadSplat:
		return func(_, _, _, _ int) { regs[r] = in[arg][:1] }
	case loadRow:
		return func(_, n, row, col int) {
			o := rowOff[row] + col
			regs[r] = in[arg][o : o+n]
		}
	case loadRowOne:
		return func(_, _, row, _ int) {
			o := rowOff[row]
			regs[r] = in[arg][o : o+1]
		}
	}
	return func(off, n, _, _ int) { gatherBlock(regs[r][:n], in[arg], rowOff, stride, rowLen, off) }
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
			ops.Fill(seg, src[base])
		}
		dst = dst[len(seg):]
		row, col = row+1, 0
	}
}

func bindStore(fr *fusedFrame, st fusedStore, reg fusedReg, k int) func(off, n int) {
	return byType(reg.dtype, storeOf[float32], storeOf[float64], storeOf[int64], storeOf[uint64])(fr, st, reg, k)
}

func storeOf[T ops.Number](fr *fusedFrame, st fusedStore, reg fusedReg, k int) func(off, n int) {
	f := fileOf[T](fr)
	regs, out, r := f.regs, f.out, st.reg
	switch {
	case st.view:
		return func(off, n int) { regs[r] = out[k][off : off+n] }
	case reg.scalar:
		return func(off, n int) { ops.Fill(out[k][off:off+n], regs[r][0]) }
	}
	return func(off, n int) { copy(out[k][off:off+n], regs[r][:n]) }
}

// bindStep binds one body instruction.
func bindStep(fr *fusedFrame, s fusedStep, regs []fusedReg) func(n int) error {
	switch s.op {
	case ir.OpCast:
		return castStepFrom(fr, regs[s.args[0]].dtype, regs[s.dst].dtype, s.args[0], s.dst, regs[s.args[0]].scalar)
	case ir.OpSelect:
		return selectStepBy(fr, regs[s.args[0]].dtype, regs[s.dst].dtype, s, regs)
	}
	return byType(regs[s.dst].dtype, elementStep[float32], elementStep[float64], elementStep[int64], elementStep[uint64])(fr, s, regs)
}

// elementStep binds an op of runtime/ops' unary or binary table.
func elementStep[T ops.Number](fr *fusedFrame, s fusedStep, regs []fusedReg) func(n int) error {
	f := fileOf[T](fr).regs
	dst := s.dst
	if k, ok := s.kern.(*ops.UnaryKernel[T]); ok {
		x := s.args[0]
		if regs[x].scalar {
			return func(int) error {
				k.Run(f[dst][:1], f[x][:1])
				return nil
			}
		}
		return func(n int) error {
			k.Run(f[dst][:n], f[x][:n])
			return nil
		}
	}
	k := s.kern.(*ops.BinaryRow[T])
	a, b := s.args[0], s.args[1]
	switch sa, sb := regs[a].scalar, regs[b].scalar; {
	case sa && sb:
		return func(int) error {
			if err := k.CheckDivisors(f[b][:1]); err != nil {
				return err
			}
			f[dst][0] = k.SS(f[a][0], f[b][0])
			return nil
		}
	case sb:
		return func(n int) error {
			if err := k.CheckDivisors(f[b][:1]); err != nil {
				return err
			}
			k.VS(f[dst][:n], f[a], f[b][0])
			return nil
		}
	case sa:
		return func(n int) error {
			if err := k.CheckDivisors(f[b][:n]); err != nil {
				return err
			}
			k.SV(f[dst][:n], f[a][0], f[b])
			return nil
		}
	}
	return func(n int) error {
		if err := k.CheckDivisors(f[b][:n]); err != nil {
			return err
		}
		k.VV(f[dst][:n], f[a], f[b])
		return nil
	}
}

// castStepFrom binds a cast from dtype s to dtype d.
func castStepFrom(fr *fusedFrame, s, d ir.DType, x, dst int, scalar bool) func(n int) error {
	return byType(s, castStepTo[float32], castStepTo[float64], castStepTo[int64], castStepTo[uint64])(fr, d, x, dst, scalar)
}

func castStepTo[S ops.Number](fr *fusedFrame, d ir.DType, x, dst int, scalar bool) func(n int) error {
	return byType(d, castStep[float32, S], castStep[float64, S], castStep[int64, S], castStep[uint64, S])(fr, x, dst, scalar)
}

func castStep[D, S ops.Number](fr *fusedFrame, x, dst int, scalar bool) func(n int) error {
	to, from := fileOf[D](fr).regs, fileOf[S](fr).regs
	return func(n int) error {
		if scalar {
			n = 1
		}
		ops.CastSlice(to[dst][:n], from[x][:n])
		return nil
	}
}

// selectStepBy binds select with a condition of dtype c and branches of
// dtype d.
func selectStepBy(fr *fusedFrame, c, d ir.DType, s fusedStep, regs []fusedReg) func(n int) error {
	return byType(c, selectStepTo[float32], selectStepTo[float64], selectStepTo[int64], selectStepTo[uint64])(fr, d, s, regs)
}

func selectStepTo[C ops.Number](fr *fusedFrame, d ir.DType, s fusedStep, regs []fusedReg) func(n int) error {
	return byType(d, selectStep[C, float32], selectStep[C, float64], selectStep[C, int64], selectStep[C, uint64])(fr, s, regs)
}

// selectStep picks between the branches element by element, as select's
// kernel does; a scalar register is read with stride 0.
func selectStep[C, T ops.Number](fr *fusedFrame, s fusedStep, regs []fusedReg) func(n int) error {
	c, a, b, dst := s.args[0], s.args[1], s.args[2], s.dst
	stride := func(r int) int {
		if regs[r].scalar {
			return 0
		}
		return 1
	}
	sc, sa, sb := stride(c), stride(a), stride(b)
	scalar := regs[dst].scalar
	cf, f := fileOf[C](fr).regs, fileOf[T](fr).regs
	return func(n int) error {
		if scalar {
			n = 1
		}
		cs, as, bs, o := cf[c], f[a], f[b], f[dst][:n]
		for i := range o {
			o[i] = ops.Select(cs[i*sc], as[i*sa], bs[i*sb])
		}
		return nil
	}
}
