package runtime

import (
	"errors"

	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/runtime/kernels"
	"github.com/pushforward/pushforward/runtime/ops"
)

// fusedState is what fused kernels keep in an execCtx: a frame of
// registers per goroutine, the task of the parallel loop, the loop's
// arrays and a matmul's product when no result can hold it.
type fusedState struct {
	frames  map[*fusedProgram][]*fusedFrame
	task    fusedTask
	arrays  []*Tensor
	product *Tensor
	// reduction is the running reduction's state (kept here, not on the
	// heap of each run).
	reduction fusedReduction
}

// frame returns the frame of p for goroutine i, binding it on first use.
func (s *fusedState) frame(p *fusedProgram, i, arrays, outs int) (*fusedFrame, error) {
	if s.frames == nil {
		s.frames = map[*fusedProgram][]*fusedFrame{}
	}
	frs := s.frames[p]
	for len(frs) <= i {
		fr, err := bindFrame(p, arrays, outs)
		if err != nil {
			return nil, err
		}
		frs = append(frs, fr)
		s.frames[p] = frs
	}
	return frs[i], nil
}

// execFused binds a fused instruction: its body compiled for the block
// loop, driven as its kind says.
func execFused(b *binding) kernel {
	p, err := newFusedProgram(b.in)
	if err != nil {
		return failing(err)
	}
	var run runFunc
	switch p.fu.Kind {
	case ir.FusedElementwise:
		run = func(x *execCtx, args, outs []*Tensor) error { return p.run(x, args, outs, nil) }
	case ir.FusedMatmul:
		run, err = p.bindMatmul(b)
	case ir.FusedReduce:
		run, err = p.bindReduce()
	}
	if err != nil {
		return failing(err)
	}
	return kernel{run: run, into: true}
}

// bindMatmul binds kind matmul: the product by the matmul's kernel, into
// the first result if it has the product's dtype (else into scratch), then
// the body over the product and the other operands.
func (p *fusedProgram) bindMatmul(b *binding) (runFunc, error) {
	prod := ir.Type{DType: p.fu.Params[0].DType, Shape: p.domain}
	var gemm runFunc
	var err error
	if prod.DType == ir.F32 {
		gemm, err = bindMatmul[float32](b)
	} else {
		gemm, err = bindMatmul[float64](b)
	}
	if err != nil {
		return nil, err
	}
	inResult := p.productInResult()
	return func(x *execCtx, args, outs []*Tensor) error {
		s := &x.fused
		target := outs[0]
		if !inResult {
			if s.product == nil || !s.product.Type.Equal(prod) {
				s.product = Zeros(prod)
			}
			target = s.product
		}
		one := s.arrays[:0]
		if err := gemm(x, args[:2], append(one, target)); err != nil {
			return err
		}
		s.arrays = append(append(s.arrays[:0], target), args[2:]...)
		err := p.run(x, s.arrays, outs, nil)
		clear(s.arrays)
		return err
	}, nil
}

// run evaluates the body over the whole domain, reading arrays, writing
// outs (each result's blocks) or, for a reduction, folding each block with
// r. Large domains are split across goroutines (by blocks, or for a
// reduction by its outputs), each with a frame of its own.
func (p *fusedProgram) run(x *execCtx, arrays, outs []*Tensor, r *fusedReduction) error {
	parts := elemParts(p.size)
	if r != nil {
		parts = r.parts(parts)
	}
	parts = max(parts, 1)
	t := &x.fused.task
	*t = fusedTask{p: p, r: r, parts: parts, errs: t.errs[:0], frames: t.frames[:0]}
	for i := range parts {
		fr, err := x.fused.frame(p, i, len(arrays), len(outs))
		if err != nil {
			return err
		}
		fr.setIOs(arrays, outs)
		t.frames = append(t.frames, fr)
		t.errs = append(t.errs, nil)
	}
	if parts == 1 {
		t.RunPart(0)
	} else {
		kernels.Parallel(parts, t)
	}
	err := errors.Join(t.errs...)
	for _, fr := range t.frames {
		fr.setIOs(nil, nil)
	}
	clear(t.errs)
	clear(t.frames)
	*t = fusedTask{errs: t.errs[:0], frames: t.frames[:0]}
	return err
}

// A fusedTask runs part i of a fused loop on frame i.
type fusedTask struct {
	p      *fusedProgram
	r      *fusedReduction
	frames []*fusedFrame
	parts  int
	errs   []error
}

// RunPart implements kernels.Task.
func (t *fusedTask) RunPart(i int) {
	t.errs[i] = t.p.runPart(t.frames[i], t.r, i, t.parts)
}

// runPart evaluates part i of parts: a range of rows when blocks are cut
// within rows, else a range of the domain (for a reduction, the elements
// reducing to a range of its outputs).
func (p *fusedProgram) runPart(fr *fusedFrame, r *fusedReduction, i, parts int) error {
	if p.byRow {
		for row := i * p.rows / parts; row < (i+1)*p.rows/parts; row++ {
			for col := 0; col < p.rowLen; col += fusedChunk {
				n := min(fusedChunk, p.rowLen-col)
				if err := fr.block(r, row*p.rowLen+col, n, row, col); err != nil {
					return err
				}
			}
		}
		return nil
	}
	lo, hi := i*p.size/parts, (i+1)*p.size/parts
	if r != nil && parts > 1 {
		lo, hi = r.partRange(i, parts)
	}
	for off := lo; off < hi; off += fusedChunk {
		if err := fr.block(r, off, min(fusedChunk, hi-off), 0, 0); err != nil {
			return err
		}
	}
	return nil
}

// block evaluates the body on the n elements of the domain from offset
// off (element col of row row when blocks are cut within rows).
func (fr *fusedFrame) block(r *fusedReduction, off, n, row, col int) error {
	for _, load := range fr.loads {
		load(off, n, row, col)
	}
	for _, pre := range fr.pre {
		pre(off, n)
	}
	for _, step := range fr.steps {
		if err := step(n); err != nil {
			return err
		}
	}
	if r != nil {
		fr.fold(r, off, n)
		return nil
	}
	for _, post := range fr.post {
		post(off, n)
	}
	return nil
}

// bindReduce binds kind reduce: the body's values over the domain, in
// row-major order, folded into the outputs as the reduction op's kernel
// folds its operand's elements (ops.ReducePlan): float sums and means in
// float64, integer sums wrapping, maxima from the lowest value.
func (p *fusedProgram) bindReduce() (runFunc, error) {
	if p.byRow {
		return nil, errors.New("internal error: a fused reduction cut by rows")
	}
	out := p.fu.Results[0]
	plan, err := ops.NewReduce(p.fu.Reduce, p.domain, p.fu.Axes)
	if err != nil {
		return nil, err
	}
	r := &fusedReduction{op: p.fu.Reduce, outLen: out.Shape.Size(), div: plan.Divisor()}
	r.outer, r.n, r.inner, r.isBlock = plan.Block()
	r.offs = plan.Offsets()
	r.finish = byType(out.DType, reduceFinish[float32], reduceFinish[float64], reduceFinish[int64], reduceFinish[uint64])(r)
	return func(x *execCtx, args, outs []*Tensor) error {
		rr := &x.fused.reduction
		*rr = *r
		defer func() { *rr = fusedReduction{} }()
		rr.out = outs[0]
		if out.DType.IsFloat() && rr.op != ir.OpReduceMax {
			rr.acc = x.float64s(rr.outLen)
			clear(rr.acc)
		}
		rr.start()
		if err := p.run(x, args, nil, rr); err != nil {
			return err
		}
		rr.finish(rr)
		return nil
	}, nil
}

// A fusedReduction folds the blocks of a fused reduction into its output
// (or float64 accumulators) during one run.
type fusedReduction struct {
	op     ir.Op
	outLen int
	div    float64 // the mean's divisor, else 1
	// The domain as [outer, n, inner] with the reduced axes in the middle
	// (isBlock), else offs: each domain element's output.
	outer, n, inner int
	isBlock         bool
	offs            []int

	out    *Tensor
	acc    []float64 // float sums and means
	finish func(r *fusedReduction)
}

// parts returns how many goroutines may share the reduction: several only
// when each output's elements are one contiguous run of the domain (the
// last axes reduced), so that parts own whole outputs and fold them in
// order.
func (r *fusedReduction) parts(max int) int {
	if !r.isBlock || r.inner != 1 {
		return 1
	}
	return min(max, r.outer)
}

// partRange is the range of the domain part i of parts folds.
func (r *fusedReduction) partRange(i, parts int) (lo, hi int) {
	return i * r.outer / parts * r.n, (i + 1) * r.outer / parts * r.n
}

// start initialises the outputs that accumulate in place.
func (r *fusedReduction) start() {
	switch {
	case r.acc != nil:
	case r.op == ir.OpReduceMax:
		startMax(r.out)
	default:
		clearTensor(r.out)
	}
}

func startMax(t *Tensor) {
	switch t.DType() {
	case ir.F32:
		ops.Fill(t.F32, ops.Lowest[float32]())
	case ir.F64:
		ops.Fill(t.F64, ops.Lowest[float64]())
	case ir.I64:
		ops.Fill(t.I64, ops.Lowest[int64]())
	default:
		ops.Fill(t.U64, ops.Lowest[uint64]())
	}
}

func clearTensor(t *Tensor) {
	clear(t.F32)
	clear(t.F64)
	clear(t.I64)
	clear(t.U64)
}

// reduceFinish returns the finish of a reduction with outputs of type T:
// the float sums and means from their float64 accumulators.
func reduceFinish[T ops.Number](r *fusedReduction) func(*fusedReduction) {
	if !ops.IsFloat[T]() || r.op == ir.OpReduceMax {
		return func(*fusedReduction) {}
	}
	return func(r *fusedReduction) {
		out := elems[T](r.out)
		for i, a := range r.acc {
			out[i] = T(a / r.div)
		}
	}
}

// bindFold binds the fold of a fused reduction's blocks to fr.
func bindFold(fr *fusedFrame, p *fusedProgram) func(r *fusedReduction, off, n int) {
	return byType(p.fu.Results[0].DType, foldOf[float32], foldOf[float64], foldOf[int64], foldOf[uint64])(fr, p)
}

// foldOf folds the block of the body's result (values vs of the domain
// from offset off) into the outputs, by output runs (the last axes
// reduced), by inner runs, or element by element.
func foldOf[T ops.Number](fr *fusedFrame, p *fusedProgram) func(r *fusedReduction, off, n int) {
	f := fileOf[T](fr)
	reg := p.results[0].reg
	var spare []T
	if p.spare >= 0 {
		spare = f.slab[p.spare*fusedChunk : (p.spare+1)*fusedChunk]
	}
	float := ops.IsFloat[T]() && p.fu.Reduce != ir.OpReduceMax
	return func(r *fusedReduction, off, n int) {
		vs := f.regs[reg]
		if spare != nil {
			ops.Fill(spare[:n], vs[0])
			vs = spare
		}
		vs = vs[:n]
		out := elems[T](r.out)
		switch {
		case !r.isBlock:
			for j, v := range vs {
				foldOne(r, out, r.offs[off+j], v, float)
			}
		case r.inner == 1:
			for len(vs) > 0 {
				o := off / r.n
				seg := vs[:min(len(vs), (o+1)*r.n-off)]
				switch {
				case float:
					r.acc[o] = ops.SumRun(r.acc[o], seg)
				case r.op == ir.OpReduceMax:
					out[o] = ops.MaxRun(out[o], seg)
				default:
					out[o] = ops.SumIntRun(out[o], seg)
				}
				vs, off = vs[len(seg):], off+len(seg)
			}
		default:
			for j, v := range vs {
				i := off + j
				foldOne(r, out, i/(r.n*r.inner)*r.inner+i%r.inner, v, float)
			}
		}
	}
}

// foldOne folds v into output o.
func foldOne[T ops.Number](r *fusedReduction, out []T, o int, v T, float bool) {
	switch {
	case float:
		r.acc[o] += float64(v)
	case r.op == ir.OpReduceMax:
		out[o] = max(out[o], v)
	default:
		out[o] += v
	}
}
