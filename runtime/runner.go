package runtime

import (
	"time"

	"github.com/pushforward/pushforward/ir"
)

// A Runner runs an Interpreter's function again and again over memory it
// owns, for training loops and benchmarks: after the first run, a run
// allocates nothing, except in argmin, whose kernel allocates its results.
//
// Results and temporaries live in one arena per dtype, placed by the
// function's memory plan: the plan the memplan pass recorded in the
// function (ir.RecordedPlan), or, for a function without one, the plan
// memplan would record, computed by the same code (ir.PlanMemory). Values
// alive at the same time get disjoint ranges, so the Runner holds about
// the peak of live memory (passes.PeakLiveBytes) rather than the sum of
// all values; an elementwise result may take the buffer of an operand
// that dies at its instruction (ir.CanShareBuffer).
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
	// pairs[i], if set, runs steps i and i+1 together (matmul_pair.go);
	// nil when no steps pair.
	pairs []pairRun
}

// NewRunner allocates the buffers of a Runner for the interpreter's
// function, as its memory plan places them.
func (it *Interpreter) NewRunner() *Runner { return it.newRunner(nil) }

// newRunner allocates the Runner's buffers, giving the values of the
// slots in own buffers of their own. A recorded plan places them in the
// arenas too, and their ranges stay unused; a plan computed here leaves
// them out.
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
	outside := map[*ir.Value]bool{}
	for i := range it.steps {
		s := &it.steps[i]
		for j, n := range s.results {
			slotType[n] = s.in.Results[j].Type
			if own[n] {
				outside[s.in.Results[j]] = true
			}
		}
		r.args[i] = make([]*Tensor, len(s.args))
		r.outs[i] = make([]*Tensor, len(s.results))
	}
	plan := it.plan
	if plan == nil {
		plan = ir.PlanMemory(it.fn, ir.PlanOptions{Outside: outside})
	}
	arenas := map[ir.DType]*Tensor{}
	for _, d := range []ir.DType{ir.F32, ir.F64, ir.I64, ir.U64} {
		arenas[d] = Zeros(ir.TensorOf(d, plan.ArenaLen(d)))
		r.bytes += plan.ArenaBytes(d)
	}
	for i := range it.steps {
		s := &it.steps[i]
		for j, n := range s.results {
			v := s.in.Results[j]
			switch off, placed := plan.Offset(v); {
			case own[n]:
				r.env[n] = Zeros(slotType[n])
				r.bytes += slotType[n].Bytes()
			case s.kern.into && placed:
				r.env[n] = view(arenas[v.Type.DType], off, slotType[n])
			}
			// Kernels that allocate their results (argmin) leave their
			// planned ranges unused.
			if s.kern.into {
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
	r.planPairs()
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
	for i := 0; i < len(it.steps); i++ {
		if r.pairs != nil && r.pairs[i] != nil {
			if err := r.runPairTimed(i); err != nil {
				clear(r.env[:len(inputs)])
				return nil, err
			}
			i++
			continue
		}
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

// runPairTimed runs steps i and i+1 as a pair (matmul_pair.go), each of
// the two charged half of the time in the profile.
func (r *Runner) runPairTimed(i int) error {
	for _, j := range []int{i, i + 1} {
		for k, n := range r.it.steps[j].args {
			r.args[j][k] = r.env[n]
		}
	}
	var start time.Time
	if r.prof != nil {
		start = time.Now()
	}
	err := r.runPair(i)
	if r.prof != nil {
		half := time.Since(start) / 2
		r.prof.times[i] += half
		r.prof.times[i+1] += half
	}
	clear(r.args[i])
	clear(r.args[i+1])
	return err
}
