package train

import (
	"fmt"
	"slices"
	"time"

	"github.com/pushforward/pushforward/builder"
	"github.com/pushforward/pushforward/builder/nn"
	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/methods/fwdgrad"
	"github.com/pushforward/pushforward/runtime"
)

// state is everything a run carries from step to step, and where it is.
type state struct {
	// tensors holds the trained parameters, the optimizer's slots and
	// step counter, the guess state and the model's own state, by
	// parameter name.
	tensors map[string]*runtime.Tensor
	key     uint64 // the guess noise's RNG key: the seed
	// epoch is the number of completed epochs; batch the number of steps
	// taken in the current one (epoch+1) and lossSum the sum of their
	// losses; step the number of steps taken in all.
	epoch, batch int
	lossSum      float64
	step         int64
	// history holds the metrics of the completed epochs; elapsed the
	// wall time of the run before this process.
	history []EpochMetrics
	elapsed time.Duration
}

// newState returns the state before the first step: the parameters (and
// the model's own state) drawn by their initializers from seed, the
// optimizer's slots and step zero,
// and each guess state a random matrix with orthonormal rows (see
// nn.Orthogonal), or zeros, as the method asks.
func newState(f *ir.Func, inits map[string]builder.Initializer, s *stepFn, seed uint64) (*state, error) {
	values, err := nn.InitParams(f, inits, seed)
	if err != nil {
		return nil, fmt.Errorf("train: initial parameters: %w", err)
	}
	st := &state{tensors: map[string]*runtime.Tensor{}, key: seed}
	for _, p := range f.Params {
		if p.Role == ir.Param || p.Role == ir.State {
			st.tensors[p.Name] = runtime.FromFloat64s(p.Type, values[p.Name])
		}
	}
	fn := s.fn
	for _, name := range append(append([]string{}, s.layout.Slots...), s.layout.StepName) {
		st.tensors[name] = runtime.Zeros(fn.Param(name).Type)
	}
	for _, gs := range s.grad.State {
		t, err := guessState(gs.Type, gs.Orthonormal, seed, gs.Name)
		if err != nil {
			return nil, err
		}
		st.tensors[gs.Name] = t
	}
	return st, nil
}

// guessState draws the initial value of a guess state of type t.
func guessState(t ir.Type, orthonormal bool, seed uint64, name string) (*runtime.Tensor, error) {
	if !orthonormal {
		return runtime.Zeros(t), nil
	}
	n, _ := t.Shape.NumElements()
	vals := make([]float64, n)
	if err := nn.Orthogonal(1).Init(vals, t, nn.Rand(seed, "guess.state/"+name)); err != nil {
		return nil, fmt.Errorf("train: initial guess state %%%s: %w", name, err)
	}
	return runtime.FromFloat64s(t, vals), nil
}

// check compares the state's tensors with the parameters of the step
// function, which must all be there with their types.
func (st *state) check(s *stepFn) error {
	for _, in := range s.inputs {
		if in.kind != fromState || slices.ContainsFunc(s.grad.Inputs, func(g fwdgrad.Input) bool { return g.Name == in.name }) {
			continue
		}
		t, ok := st.tensors[in.name]
		want := s.fn.Param(in.name).Type
		switch {
		case !ok:
			return fmt.Errorf("no value for %%%s", in.name)
		case !t.Type.Equal(want):
			return fmt.Errorf("%%%s has type %s, want %s", in.name, t.Type, want)
		}
	}
	return nil
}
