package fwdgrad

import (
	"fmt"
	"slices"
	"strings"

	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/passes"
)

// Backprop is the name of the reverse-mode baseline.
const Backprop = "backprop"

// Methods lists every method by name: the guess families (sorted), then
// backprop.
func Methods() []string { return append(passes.GuessMethodNames(), Backprop) }

// Config selects a method and its settings.
type Config struct {
	// Method is one of Methods().
	Method string
	// K is the subspace dimension of wperp and wperp-bottom (default 10).
	K int
	// Guesses is the number of guesses averaged per step (default 1).
	Guesses int
	// Iters and Oversample tune wperp's block Krylov iteration (defaults 1
	// and 5); Exact uses per-example SVDs instead (and for wprecond an
	// eigendecomposition; see passes.GuessOptions).
	Iters, Oversample int
	Exact             bool
	// Sigma regularises wprecond (default 1e-5).
	Sigma float64
}

// Gradient is the compiled gradient function of a method.
//
// Func takes the model's parameters, then (forward-gradient methods only)
// the u64 scalars named Key and Counter, then the Inputs (see
// ComputeInputs), then the State parameters. It
// returns the loss, the gradient (or its estimate) of each parameter named
// in Params, in that order, then the new value of each State parameter.
type Gradient struct {
	Func         *ir.Func
	Params       []string
	Key, Counter string
	Inputs       []Input
	State        []State
	Layers       []passes.Layer
	// K is the subspace dimension the method was built with.
	K int
}

// State is a state parameter of a gradient function with its initial
// value: the warm-start bases of wperp.
type State struct {
	Name string
	Type ir.Type
	// Orthonormal says the initial value is a random matrix with
	// orthonormal rows (else zeros).
	Orthonormal bool
}

// Build compiles the gradient function of f (whose first result is a
// scalar loss) for the method cfg names.
func Build(f *ir.Func, cfg Config) (*Gradient, error) {
	if cfg.Method == Backprop {
		return buildBackprop(f)
	}
	m, err := passes.LookupGuessMethod(cfg.Method)
	if err != nil {
		return nil, fmt.Errorf("unknown method %q (known: %s)", cfg.Method, strings.Join(Methods(), ", "))
	}
	st, err := passes.Guess(f, passes.GuessOptions{Method: m, K: cfg.K, Guesses: cfg.Guesses, Iters: cfg.Iters,
		Oversample: cfg.Oversample, Exact: cfg.Exact, Sigma: cfg.Sigma})
	if err != nil {
		return nil, err
	}
	g := &Gradient{Func: st.Func, Params: st.Estimates, Key: "guess.key", Counter: "guess.counter", Layers: st.Layers, K: cfg.K}
	if g.K == 0 {
		g.K = 10
	}
	g.Inputs = nsInputSpecs(st)
	for _, name := range st.State {
		g.State = append(g.State, State{Name: name, Type: st.Func.Param(name).Type, Orthonormal: true})
	}
	if err := checkTrained(f, g.Params); err != nil {
		return nil, err
	}
	return g, nil
}

func buildBackprop(f *ir.Func) (*Gradient, error) {
	params := passes.ParamsWithRole(f, ir.Param)
	v, err := passes.VJP(f, params)
	if err != nil {
		return nil, err
	}
	layers, _ := passes.FindLayers(f)
	return &Gradient{Func: v, Params: params, Layers: layers}, nil
}

// checkTrained reports params of f that the method would leave untrained:
// forward-gradient estimates exist only for the weights and biases of
// layers.
func checkTrained(f *ir.Func, estimated []string) error {
	for _, name := range passes.ParamsWithRole(f, ir.Param) {
		if !slices.Contains(estimated, name) {
			return fmt.Errorf("@%s: param %%%s is not the weight or bias of a layer, so no guess estimates its gradient", f.Name, name)
		}
	}
	return nil
}
