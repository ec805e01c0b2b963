package main

import (
	"fmt"
	"math/rand/v2"

	"github.com/pushforward/pushforward/builder/nn"
	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/methods/fwdgrad"
	"github.com/pushforward/pushforward/methods/train"
	"github.com/pushforward/pushforward/passes"
	"github.com/pushforward/pushforward/runtime"
)

// The forward-gradient paper's MNIST-1D network: 40 inputs, three hidden
// ReLU layers without biases, 10 classes, batch 512.
const (
	paperFeatures = 40
	paperBatch    = 512
)

// paperWidths are the widths of Table 4's cost column.
var paperWidths = []int{128, 512}

// paperMethods are the gradient steps timed at each width.
var paperMethods = []string{"backprop", "wt", "wperp"}

// runPaperSteps times one gradient step (loss and gradient estimate, no
// optimiser) of each method on the paper's network, so that 2400 steps
// (300 epochs of 4000 examples) give the wall time of a run.
func runPaperSteps(o *options, emit func(result)) error {
	widths, batch := paperWidths, paperBatch
	if o.quick {
		widths, batch = []int{32}, 16
	}
	steps, err := paperSteps(widths, batch)
	if err != nil {
		return err
	}
	for _, s := range steps {
		var runErr error
		run := func() {
			if _, err := s.runner.Run(s.inputs); err != nil {
				runErr = err
			}
		}
		run() // sizes the buffers
		var samples []float64
		for range o.rounds {
			samples = append(samples, timeRound(run, o.minTime))
		}
		if runErr != nil {
			return fmt.Errorf("%s: %w", s.name, runErr)
		}
		ns := median(samples)
		emit(result{Case: "paper-step", Method: s.name, DType: "f32", Shape: s.shape,
			NsPerOp: ns, GFLOPS: matmulFLOPs(s.fn) / ns, Rounds: o.rounds})
	}
	return nil
}

// A paperStep is a step of paperSteps, named method/w<width>.
type paperStep struct {
	step
	shape []int
}

// paperSteps compiles the gradient step of every method at every width.
func paperSteps(widths []int, batch int) ([]*paperStep, error) {
	r := rand.New(rand.NewPCG(11, 12))
	var steps []*paperStep
	for _, width := range widths {
		model := train.MLP(paperFeatures, mlpClasses, []int{width, width, width}, false, ir.F32)
		f, inits, err := model(batch)
		if err != nil {
			return nil, err
		}
		values, err := nn.InitParams(f, inits, 1)
		if err != nil {
			return nil, err
		}
		for _, m := range paperMethods {
			name := fmt.Sprintf("%s/w%d", m, width)
			g, err := fwdgrad.Build(f, fwdgrad.Config{Method: m, K: guessK})
			if err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
			fn, err := passes.Run(g.Func, passes.Cleanup, passes.Options{})
			if err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
			it, err := runtime.New(fn)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
			steps = append(steps, &paperStep{
				step:  step{name: name, fn: fn, inputs: stepInputs(fn, values, g.State, r), runner: it.NewRunner()},
				shape: []int{batch, paperFeatures, width, width, width, mlpClasses},
			})
		}
	}
	return steps, nil
}
