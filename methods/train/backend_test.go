package train

import (
	"testing"

	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/runtime"
)

// interpreted is a Stepper of the allocating interpreter, whose results
// are new tensors each step: a backend as far as the loop can tell.
type interpreted struct{ it *runtime.Interpreter }

func (s interpreted) Run(inputs []*runtime.Tensor) ([]*runtime.Tensor, error) {
	return s.it.Run(inputs)
}

// TestBackend trains with a Backend, which the loop gives every function it
// compiles (the step for each batch size and the evaluations, as StepFunc
// and EvalFunc return them) and whose results it copies into the state:
// the run is the Runners' run, bit for bit.
func TestBackend(t *testing.T) {
	for _, m := range []string{"wperp", "backprop"} {
		t.Run(m, func(t *testing.T) {
			cfg := tinyConfig(m, 2)
			want := run(t, tiny, cfg, 500)
			var got []*ir.Func
			cfg.Backend = func(f *ir.Func) (Stepper, error) {
				got = append(got, f)
				it, err := runtime.New(f)
				return interpreted{it}, err
			}
			res := run(t, tiny, cfg, 500)
			sameMetrics(t, res.Epochs, want.Epochs)
			sameParams(t, res, want)
			// The functions the backend saw are those StepFunc and
			// EvalFunc give.
			step, err := StepFunc(tiny, cfg, 64)
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, f := range got {
				found = found || f.String() == step.String()
			}
			if !found {
				t.Errorf("the backend was not given StepFunc's function for batch 64 (it got %d functions)", len(got))
			}
		})
	}
}
