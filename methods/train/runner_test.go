package train

import (
	"context"
	"testing"

	"github.com/pushforward/pushforward/ir"
)

// TestRunnerMatchesInterpreter trains every method with the Runners,
// which feed the state back into its tensors, and with the reference
// path, Interpreter.Run with fresh results each step: the metrics and
// the trained parameters must be the same, bit for bit. The runs take
// full and partial batches (400 examples in batches of 64), so two step
// Runners share the state.
func TestRunnerMatchesInterpreter(t *testing.T) {
	for _, m := range append(methods, "wperp-ns") {
		t.Run(m, func(t *testing.T) {
			model := tiny
			if m == "wperp-ns" {
				model = MLP(40, 10, []int{32, 32}, false, ir.F32)
			}
			cfg := tinyConfig(m, 2)
			runner := run(t, model, cfg, 500)
			cfg.interpret = true
			reference := run(t, model, cfg, 500)
			sameMetrics(t, runner.Epochs, reference.Epochs)
			sameParams(t, runner, reference)
			if len(runner.Params) == 0 {
				t.Fatal("no trained parameters to compare")
			}
		})
	}
}

// TestStepsDoNotAllocate: in steady state a training step, from loading
// the batch to the new state, allocates nothing, the partial last batch
// of an epoch included.
func TestStepsDoNotAllocate(t *testing.T) {
	train, test := smallMNIST1D(t, 500)
	for _, m := range methods {
		t.Run(m, func(t *testing.T) {
			cfg, err := tinyConfig(m, 3).withDefaults()
			if err != nil {
				t.Fatal(err)
			}
			tr, err := newTrainer(tiny, train, test, cfg)
			if err != nil {
				t.Fatal(err)
			}
			// Warm up: one epoch compiles both step sizes and sizes the
			// kernels' scratch.
			if err := tr.epoch(context.Background()); err != nil {
				t.Fatal(err)
			}
			partial := 0
			allocs := testing.AllocsPerRun(2*tr.batches, func() {
				if tr.st.batch == tr.batches {
					tr.st.batch = 0
				}
				if tr.st.batch == tr.batches-1 {
					partial++
				}
				if err := tr.step(2); err != nil {
					t.Fatal(err)
				}
			})
			if allocs != 0 {
				t.Errorf("%v allocations per step, want 0", allocs)
			}
			if partial == 0 {
				t.Error("no partial batch was measured")
			}
		})
	}
}
