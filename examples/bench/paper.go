package main

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

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

// paperMethods are the gradient steps timed at each width. W̃⊥-NS is
// timed at the smallest width only unless -wide-ns: its dense polynomial
// is cubic in the width (at 512 one step takes about a minute), so at the
// others only its FLOPs are reported.
var paperMethods = []string{"backprop", "wt", "wperp", "wperp-ns"}

// timed says whether paperSteps runs method at width (else it only counts
// the step's FLOPs).
func timed(method string, width int, widths []int, wideNS bool) bool {
	return method != "wperp-ns" || width == widths[0] || wideNS
}

// runPaperSteps times one gradient step (loss and gradient estimate, no
// optimiser) of each method on the paper's network, so that 2400 steps
// (300 epochs of 4000 examples) give the wall time of a run.
func runPaperSteps(o *options, emit func(result)) error {
	widths, batch := paperWidths, paperBatch
	if o.quick {
		widths, batch = []int{32}, 16
	}
	steps, err := paperSteps(widths, batch, o.wideNS)
	if err != nil {
		return err
	}
	for _, s := range steps {
		if o.paper != nil && !o.paper[s.name] {
			continue
		}
		rounds, minTime := o.rounds, o.minTime
		if strings.HasPrefix(s.name, "wperp-ns/") && s.shape[2] != widths[0] {
			rounds, minTime = 1, 0 // a step takes about a minute
		}
		if s.runner == nil {
			emit(result{Case: "paper-step", Method: s.name, DType: "f32", Shape: s.shape, Flops: matmulFLOPs(s.fn)})
			continue
		}
		// The step and its fused versions take turns, round by round.
		group := []*step{&s.step}
		if slices.Contains(fusedPaperMethods, baseMethod(s.name)) {
			for _, v := range o.fuse {
				twin, err := fusedTwin(&s.step, v)
				if err != nil {
					return err
				}
				group = append(group, twin)
			}
		}
		samples, err := timeTurns(group, rounds, minTime)
		if err != nil {
			return err
		}
		for i, g := range group {
			if o.opProfile > 0 {
				if err := profileStep(g, o.opProfile); err != nil {
					return err
				}
			}
			ns := median(slices.Clone(samples[i]))
			emit(result{Case: "paper-step", Method: g.name, DType: "f32", Shape: s.shape,
				NsPerOp: ns, GFLOPS: matmulFLOPs(g.fn) / ns, Flops: matmulFLOPs(g.fn), BytesMoved: passes.TrafficBytes(g.fn), Rounds: rounds})
		}
		fusedRatios(group, samples, emit)
	}
	return nil
}

// baseMethod returns the method of a paper step's name (method/wWIDTH).
func baseMethod(name string) string {
	m, _, _ := strings.Cut(name, "/")
	return m
}

// A paperStep is a step of paperSteps, named method/w<width>.
type paperStep struct {
	step
	shape []int
}

// paperSteps compiles the gradient step of every method at every width.
func paperSteps(widths []int, batch int, wideNS bool) ([]*paperStep, error) {
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
			ps := &paperStep{step: step{name: name, fn: fn}, shape: []int{batch, paperFeatures, width, width, width, mlpClasses}}
			if timed(m, width, widths, wideNS) {
				it, err := runtime.New(fn)
				if err != nil {
					return nil, fmt.Errorf("%s: %w", name, err)
				}
				ps.inputs, ps.runner = stepInputs(fn, values, g.State, r), it.NewRunner()
			}
			steps = append(steps, ps)
		}
	}
	return steps, nil
}
