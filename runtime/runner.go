package runtime

import (
	"time"

	"github.com/pushforward/pushforward/ir"
)

// A Runner runs an Interpreter's function again and again over memory it
// owns, for training loops and benchmarks: after the first run, a run
// allocates nothing, except in argmin, whose kernel allocates its results.
//
// Results and temporaries live in one arena per dtype, planned once by
// liveness as a memory planner does: each value occupies a range of the
// arena from its instruction to its last use, and values alive at the same
// time get disjoint ranges, so the Runner holds about the peak of live
// memory (passes.PeakLiveBytes) rather than the sum of all values. An
// instruction's results never share memory with its operands.
//
// The results of Run belong to the Runner and are overwritten by the next
// Run; Clone them to keep them. Distinct results do not share memory, and
// no result is an input, except the results fed back (Feedback). A Runner
// is not safe for concurrent use; make one per goroutine (they may share
// the Interpreter).
//
// A training step reads parameters and state and returns their new
// values. With Feedback, the Runner writes such a result into the input
// tensor it updates, so that the caller passes the same tensors to every
// run and never copies, and never aliases the Runner's memory, which the
// next run overwrites while it reads its inputs.
type Runner struct {
	it      *Interpreter
	env     []*Tensor   // value slots: inputs, then results of instructions
	args    [][]*Tensor // per step: its operands, filled in each run
	outs    [][]*Tensor // per step: its results (planned tensors for into kernels)
	x       execCtx
	results []*Tensor // returned by Run
	copies  []*Tensor // per function result: a tensor to copy it into, or nil
	bytes   int64
	prof    *Profile // per-instruction times, when attached
	// feedback lists the results written into inputs after each run.
	feedback []feedback
}

// NewRunner plans the buffers of a Runner for the interpreter's function
// and allocates them.
func (it *Interpreter) NewRunner() *Runner { return it.newRunner(nil) }

// newRunner plans the Runner's buffers, giving the values of the slots in
// own buffers of their own, outside the arenas.
func (it *Interpreter) newRunner(own map[int]bool) *Runner {
	numIn := len(it.fn.Params)
	r := &Runner{
		it:      it,
		env:     make([]*Tensor, it.slots),
		args:    make([][]*Tensor, len(it.steps)),
		outs:    make([][]*Tensor, len(it.steps)),
		results: make([]*Tensor, len(it.results)),
		copies:  make([]*Tensor, len(it.results)),
	}
	slotType := make([]ir.Type, it.slots)
	for i, p := range it.fn.Params {
		slotType[i] = p.Type
	}
	for i := range it.steps {
		s := &it.steps[i]
		for j, n := range s.results {
			slotType[n] = s.in.Results[j].Type
		}
		r.args[i] = make([]*Tensor, len(s.args))
		r.outs[i] = make([]*Tensor, len(s.results))
	}

	// Lifetimes (ir.Lifetimes; step i runs instruction i): a value of an
	// into kernel lives from its step to its last reader (function
	// results to the end, unread values for their own step). An operand's
	// last step and a result's first overlap, so a step's results never
	// share memory with its operands.
	life := ir.Lifetimes(it.fn)
	var values []plannedValue
	slotValue := make([]int, it.slots)
	for i := range slotValue {
		slotValue[i] = -1
	}
	for _, s := range it.steps {
		if !s.kern.into {
			continue
		}
		for j, n := range s.results {
			if own[n] {
				continue
			}
			t, l := slotType[n], life[s.in.Results[j]]
			slotValue[n] = len(values)
			values = append(values, plannedValue{dtype: t.DType, size: t.Shape.Size(), first: l.First, last: l.Last})
		}
	}
	arenas := planArenas(values)
	for n, v := range slotValue {
		if v >= 0 {
			r.env[n] = view(arenas[values[v].dtype], values[v].offset, slotType[n])
		}
	}
	for _, a := range arenas {
		r.bytes += a.Type.Bytes()
	}
	for n := range own {
		r.env[n] = Zeros(slotType[n])
		r.bytes += r.env[n].Type.Bytes()
	}
	for i := range it.steps {
		s := &it.steps[i]
		if s.kern.into {
			for j, n := range s.results {
				r.outs[i][j] = r.env[n]
			}
		}
	}
	// Results that are inputs, or repeat an earlier result, are copied
	// into tensors of their own.
	seen := make(map[int]bool)
	for i, n := range it.results {
		if n < numIn || seen[n] {
			r.copies[i] = Zeros(slotType[n])
			r.bytes += r.copies[i].Type.Bytes()
		}
		seen[n] = true
	}
	return r
}

// Bytes returns the size of the buffers the Runner owns: its planned
// results and temporaries.
func (r *Runner) Bytes() int64 { return r.bytes }

// Run executes the function on inputs, one per parameter in order, and
// returns its results, which stay valid until the next Run. Inputs are not
// modified, except those of the parameters fed back (Feedback), which
// receive their new values.
func (r *Runner) Run(inputs []*Tensor) ([]*Tensor, error) {
	it := r.it
	if err := it.checkInputs(inputs); err != nil {
		return nil, err
	}
	if err := r.checkFedInputs(inputs); err != nil {
		return nil, err
	}
	copy(r.env, inputs)
	for i := range it.steps {
		s := &it.steps[i]
		args, outs := r.args[i], r.outs[i]
		for j, n := range s.args {
			args[j] = r.env[n]
		}
		if !s.kern.into {
			clear(outs)
		}
		var start time.Time
		if r.prof != nil {
			start = time.Now()
		}
		err := s.run(&r.x, args, outs)
		if r.prof != nil {
			r.prof.times[i] += time.Since(start)
		}
		clear(args)
		if err != nil {
			clear(r.env[:len(inputs)]) // do not keep the inputs alive
			return nil, err
		}
		if !s.kern.into {
			for j, n := range s.results {
				r.env[n] = outs[j]
			}
		}
	}
	for i, n := range it.results {
		r.results[i] = r.env[n]
		if c := r.copies[i]; c != nil {
			copyTensor(c, r.env[n])
			r.results[i] = c
		}
	}
	r.feedBack(inputs)
	clear(r.env[:len(inputs)]) // do not keep the inputs alive
	if r.prof != nil {
		r.prof.runs++
	}
	return r.results, nil
}

// copyTensor copies src's elements into dst, of the same type.
func copyTensor(dst, src *Tensor) {
	copy(dst.F32, src.F32)
	copy(dst.F64, src.F64)
	copy(dst.I64, src.I64)
	copy(dst.U64, src.U64)
}

// A plannedValue is a value to place in its dtype's arena: size elements
// live from step first to step last, both included.
type plannedValue struct {
	dtype       ir.DType
	size        int
	first, last int
	offset      int // assigned by planArenas
}

// planArenas assigns each value an offset in one arena per dtype so that
// values alive at the same time do not overlap (ir.PlanArenas, which
// generated code plans with too), and returns the arenas.
func planArenas(values []plannedValue) map[ir.DType]*Tensor {
	bufs := make([]ir.Buffer, len(values))
	for i, v := range values {
		bufs[i] = ir.Buffer{DType: v.dtype, Size: v.size, Life: ir.Lifetime{First: v.first, Last: v.last}}
	}
	offsets, lengths := ir.PlanArenas(bufs)
	for i := range values {
		values[i].offset = offsets[i]
	}
	arenas := make(map[ir.DType]*Tensor, len(lengths))
	for d, n := range lengths {
		arenas[d] = Zeros(ir.TensorOf(d, n))
	}
	return arenas
}

// view returns a tensor of type t over the elements of arena from off.
func view(arena *Tensor, off int, t ir.Type) *Tensor {
	n := t.Shape.Size()
	v := &Tensor{Type: ir.Type{DType: t.DType, Shape: t.Shape.Clone()}}
	switch t.DType {
	case ir.F32:
		v.F32 = arena.F32[off : off+n : off+n]
	case ir.F64:
		v.F64 = arena.F64[off : off+n : off+n]
	case ir.I64:
		v.I64 = arena.I64[off : off+n : off+n]
	case ir.U64:
		v.U64 = arena.U64[off : off+n : off+n]
	}
	return v
}
