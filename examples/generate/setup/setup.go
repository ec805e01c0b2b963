// Package setup is the training run examples/generate compiles to Go: the
// forward-gradient paper's MNIST-1D network, its optimizer and batches,
// and the functions a run needs, which the generator (gen) emits and the
// trainer checks that it has. Both import it, so that they agree.
package setup

import (
	"fmt"

	"github.com/pushforward/pushforward/data"
	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/methods/fwdgrad"
	"github.com/pushforward/pushforward/methods/optim"
	"github.com/pushforward/pushforward/methods/train"
)

// The run: MLP 40→128→128→128→10 with ReLU and no biases (the paper's
// network at width 128), AdamW with lr 1e-3, batches of 512 on the
// canonical MNIST-1D split (4000 training examples: 7 batches of 512
// and one of 416 an epoch), evaluation in chunks of 1000. Shapes are
// static in generated code, so changing any of these means running
// go generate again.
const (
	Width     = 128
	Depth     = 3
	Batch     = 512
	LR        = 1e-3
	K         = 10 // W̃⊥'s subspace dimension
	TrainSize = 4000
	EvalChunk = 1000
	Features  = 40
	Classes   = data.MNIST1DClasses
	LastBatch = TrainSize % Batch
	TestSize  = 1000
)

// Methods are the training methods generated: W̃⊥ and backprop.
var Methods = []string{"wperp", fwdgrad.Backprop}

// Model is the network.
func Model() train.Model {
	widths := make([]int, Depth)
	for i := range widths {
		widths[i] = Width
	}
	return train.MLP(Features, Classes, widths, false, ir.F32)
}

// Config is the training configuration of method, the Config the trainer
// runs with (it sets the epochs, the seed and the outputs). The steps are
// fused (passes.Fuse): elementwise chains, the optimizer's update among
// them, become one loop each, matmul epilogues the product's.
func Config(method string) (train.Config, error) {
	opt, err := optim.New("adamw", LR)
	if err != nil {
		return train.Config{}, err
	}
	return train.Config{Method: fwdgrad.Config{Method: method, K: K}, Optimizer: opt, Batch: Batch, EvalBatch: EvalChunk,
		Width: Width, Fuse: true}, nil
}

// A Function is one function a run compiles, as gen emits it.
type Function struct {
	// Type is the generated type's name, File the generated file's name
	// (without the directory and _gen.go).
	Type, File string
	Method     string // "" for the evaluation
	Batch      int
}

// Functions lists the functions a run needs: each method's step for the
// full and the last batch, and the evaluation.
func Functions() []Function {
	var fs []Function
	for _, m := range Methods {
		name := map[string]string{"wperp": "WPerp", fwdgrad.Backprop: "Backprop"}[m]
		for _, b := range []int{Batch, LastBatch} {
			fs = append(fs, Function{Type: fmt.Sprintf("%s%d", name, b), File: fmt.Sprintf("%s%d", m, b), Method: m, Batch: b})
		}
	}
	return append(fs, Function{Type: fmt.Sprintf("Eval%d", EvalChunk), File: fmt.Sprintf("eval%d", EvalChunk), Batch: EvalChunk})
}

// Build returns the function fn names, as train.Run compiles it.
func Build(fn Function) (*ir.Func, error) {
	method := fn.Method
	if method == "" {
		method = Methods[0] // the evaluation does not depend on it
	}
	cfg, err := Config(method)
	if err != nil {
		return nil, err
	}
	if fn.Method == "" {
		return train.EvalFunc(Model(), cfg, fn.Batch)
	}
	return train.StepFunc(Model(), cfg, fn.Batch)
}
