package train

import (
	"fmt"
	"slices"

	"github.com/pushforward/pushforward/data"
	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/methods/fwdgrad"
	"github.com/pushforward/pushforward/runtime"
)

// An input says where a parameter of a compiled function comes from.
type input struct {
	kind inputKind
	name string // the state tensor, for fromState
}

type inputKind uint8

const (
	fromX inputKind = iota
	fromLabels
	fromKey
	fromCounter
	fromState
)

// bindInputs says where each parameter of fn comes from: the batch, the
// guess's key and counter (g may be nil), or the run's state.
func bindInputs(fn *ir.Func, sig signature, g *fwdgrad.Gradient) ([]input, error) {
	inputs := make([]input, len(fn.Params))
	for i, p := range fn.Params {
		switch {
		case p.Name == sig.x:
			inputs[i] = input{kind: fromX}
		case p.Name == sig.labels:
			inputs[i] = input{kind: fromLabels}
		case g != nil && g.Key != "" && p.Name == g.Key:
			inputs[i] = input{kind: fromKey}
		case g != nil && g.Counter != "" && p.Name == g.Counter:
			inputs[i] = input{kind: fromCounter}
		case g != nil && slices.ContainsFunc(g.Inputs, func(in fwdgrad.Input) bool { return in.Name == p.Name }):
			inputs[i] = input{kind: fromState, name: p.Name} // computed by refresh
		case p.Role == ir.Data:
			return nil, fmt.Errorf("@%s: data parameter %s is neither the input, the labels nor the guess's key or counter", fn.Name, p)
		default:
			inputs[i] = input{kind: fromState, name: p.Name}
		}
	}
	return inputs, nil
}

// gather fills args with the tensors of inputs.
func gather(args []*runtime.Tensor, inputs []input, buf *batchBuf, st *state) error {
	for i, in := range inputs {
		switch in.kind {
		case fromX:
			args[i] = buf.xT
		case fromLabels:
			args[i] = buf.labelsT
		case fromKey:
			buf.key.U64[0] = st.key
			args[i] = buf.key
		case fromCounter:
			buf.counter.U64[0] = uint64(st.step)
			args[i] = buf.counter
		default:
			t, ok := st.tensors[in.name]
			if !ok {
				return fmt.Errorf("train: no value for parameter %%%s", in.name)
			}
			args[i] = t
		}
	}
	return nil
}

// run takes one step on the examples idx of d and returns its results.
// The state's tensors receive their new values: the Runner feeds them
// back (see newStepRunner); the reference path replaces them.
func (s *stepFn) run(st *state, d *data.Dataset, idx []int) ([]*runtime.Tensor, error) {
	s.buf.load(d, idx)
	if err := s.refresh(st); err != nil {
		return nil, err
	}
	if err := gather(s.args, s.inputs, s.buf, st); err != nil {
		return nil, err
	}
	switch {
	case s.stepper != nil:
		res, err := s.stepper.Run(s.args)
		if err == nil {
			err = s.feed(st, res)
		}
		return res, err
	case s.runner == nil:
		res, err := s.it.Run(s.args)
		if err == nil {
			s.update(st, res)
		}
		return res, err
	}
	return s.runner.Run(s.args)
}

// refresh computes the guess's inputs (wperp-ns's coefficients) into the
// state when they are due: on the steps that are multiples of their
// interval, and when the state has none. They are computed, as
// fwdgrad.Gradient.ComputeInputs says, from the first example of the batch
// loaded in s.buf (or the next one, if that fails), with the model at
// batch 1.
func (s *stepFn) refresh(st *state) error {
	due := false
	for _, in := range s.grad.Inputs {
		_, ok := st.tensors[in.Name]
		due = due || !ok || (in.Every > 0 && st.step%int64(in.Every) == 0)
	}
	if !due {
		return nil
	}
	f, err := s.single()
	if err != nil {
		return err
	}
	// An example whose upstream Jacobian is zero (every unit inactive)
	// has no spectrum to fit: try the next ones.
	var first error
	for b := range min(len(s.buf.labels), 8) {
		out, err := s.grad.ComputeInputs(f, s.singleArgs(f, st, b))
		if err == nil {
			for i, in := range s.grad.Inputs {
				st.tensors[in.Name] = out[i]
			}
			return nil
		}
		if first == nil {
			first = err
		}
	}
	return fmt.Errorf("computing the guess's inputs: %w", first)
}

// singleArgs returns the arguments of the model at batch 1 for example b
// of the loaded batch.
func (s *stepFn) singleArgs(f *ir.Func, st *state, b int) []*runtime.Tensor {
	args := make([]*runtime.Tensor, len(f.Params))
	for i, p := range f.Params {
		switch p.Name {
		case s.sig.x:
			n := p.Type.Shape[1]
			args[i] = runtime.FromFloat64s(p.Type, s.buf.x[b*n:(b+1)*n])
		case s.sig.labels:
			args[i] = runtime.FromI64([]int{1}, s.buf.labels[b:b+1])
		default:
			args[i] = st.tensors[p.Name]
		}
	}
	return args
}

// update stores a step's results in the state, in the reference path.
func (s *stepFn) update(st *state, res []*runtime.Tensor) {
	for _, fb := range s.fedBack() {
		st.tensors[s.fn.Params[fb.param].Name] = res[fb.result]
	}
}

// feed copies a step's results into the state's tensors, which the step
// read them from, when a Stepper runs the step (a Runner does it itself:
// runtime.Feedback).
func (s *stepFn) feed(st *state, res []*runtime.Tensor) error {
	if s.feeds == nil {
		s.feeds = s.fedBack()
	}
	for _, fb := range s.feeds {
		if fb.param < 0 || fb.result < 0 || fb.result >= len(res) {
			return fmt.Errorf("train: the step does not update parameter %d from a result", fb.param)
		}
		dst, src := st.tensors[s.fn.Params[fb.param].Name], res[fb.result]
		if dst == nil || !dst.Type.Equal(src.Type) {
			return fmt.Errorf("train: result %d of the step does not fit %%%s", fb.result, s.fn.Params[fb.param].Name)
		}
		copy(dst.F32, src.F32)
		copy(dst.F64, src.F64)
		copy(dst.I64, src.I64)
		copy(dst.U64, src.U64)
	}
	return nil
}

// A fed is a result of the step that is the next value of a parameter.
type fed struct{ param, result int }

// fedBack lists the step's results that are the next values of its
// parameters: the trained parameters, the optimizer's slots and step
// counter, the guess state and the model's own state.
func (s *stepFn) fedBack() []fed {
	fn, l := s.fn, s.layout
	index := func(name string) int {
		return slices.IndexFunc(fn.Params, func(p *ir.Value) bool { return p.Name == name })
	}
	var out []fed
	for _, name := range append(append(slices.Clone(l.Params), l.Slots...), l.StepName) {
		out = append(out, fed{index(name), l.ResultOf(name)})
	}
	first := len(fn.Results) - l.Extra
	for i, gs := range s.grad.State {
		out = append(out, fed{index(gs.Name), first + i})
	}
	first += len(s.grad.State)
	for i, name := range s.grad.ModelState {
		out = append(out, fed{index(name), first + i})
	}
	return out
}

// newStepRunner returns a Runner of the step that feeds each new value
// back into the state tensor it was computed from, so that a step
// allocates nothing and the state is always current.
func (s *stepFn) newStepRunner() (*runtime.Runner, error) {
	var opts []runtime.RunnerOption
	for _, fb := range s.fedBack() {
		if fb.param < 0 || fb.result < 0 {
			return nil, fmt.Errorf("the step does not update parameter %d from a result", fb.param)
		}
		opts = append(opts, runtime.Feedback(fb.param, fb.result))
	}
	return s.it.NewRunnerWith(opts...)
}

// run evaluates the examples idx of d: the mean loss and the number of
// correct predictions; pr, if not nil, gathers the features and the
// classifier.
func (e *evalFn) run(st *state, d *data.Dataset, idx []int, pr *probe) (loss, correct float64, err error) {
	e.buf.load(d, idx)
	if err := gather(e.args, e.inputs, e.buf, st); err != nil {
		return 0, 0, err
	}
	run := e.it.Run
	switch {
	case e.stepper != nil:
		run = e.stepper.Run
	case e.runner != nil:
		run = e.runner.Run
	}
	res, err := run(e.args)
	if err != nil {
		return 0, 0, err
	}
	if pr != nil && e.probe != nil {
		pr.add(e.probe, res, e.buf.labels)
	}
	return scalar(res[0]), scalar(res[1]), nil
}

// scalar returns the value of a scalar float tensor.
func scalar(t *runtime.Tensor) float64 {
	if t.F32 != nil {
		return float64(t.F32[0])
	}
	return t.F64[0]
}

// A batchBuf holds one batch: the examples as float64 (as the data set
// has them) and as tensors of the model's types, and the scalars of the
// guess noise's key and counter.
type batchBuf struct {
	x            []float64
	labels       []int64
	xT, labelsT  *runtime.Tensor
	key, counter *runtime.Tensor
}

// newBatchBuf allocates the buffers of a batch whose input has type t.
func newBatchBuf(t ir.Type) *batchBuf {
	n, f := t.Shape[0], t.Shape[1]
	b := &batchBuf{x: make([]float64, n*f), labels: make([]int64, n), key: runtime.ScalarU64(0), counter: runtime.ScalarU64(0)}
	b.labelsT = runtime.FromI64([]int{n}, b.labels)
	if t.DType == ir.F64 {
		b.xT = runtime.FromF64([]int{n, f}, b.x)
	} else {
		b.xT = runtime.Zeros(t)
	}
	return b
}

// load copies the examples idx of d into the buffers.
func (b *batchBuf) load(d *data.Dataset, idx []int) {
	d.Batch(idx, b.x, b.labels)
	if b.xT.F32 != nil {
		for i, v := range b.x {
			b.xT.F32[i] = float32(v)
		}
	}
}
