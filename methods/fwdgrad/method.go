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
// in Params, in that order, then the new value of each State parameter,
// then the new value of each of the model's own state parameters named in
// ModelState.
type Gradient struct {
	Func         *ir.Func
	Params       []string
	Key, Counter string
	Inputs       []Input
	State        []State
	// ModelState names the model's parameters of role state (running
	// statistics, the nearest-ETF head's moving average and last
	// solution), in the model's order; the model returns the next value
	// of each as a result named "<name>.next" (see ModelStateResults).
	ModelState []string
	Layers     []passes.Layer
	// K is the subspace dimension the method was built with.
	K int
}

// NextSuffix names a model's result holding the next value of one of its
// state parameters: "<state>.next".
const NextSuffix = ".next"

// ModelStateResults returns f's parameters of role state and the index of
// the result named "<state>.next" for each: the next value of the state,
// which a training step returns and the training loop feeds back. A state
// parameter without such a result is an error.
func ModelStateResults(f *ir.Func) (names []string, results []int, err error) {
	for _, p := range f.Params {
		if p.Role != ir.State {
			continue
		}
		i := slices.IndexFunc(f.Results, func(r *ir.Value) bool { return r.Name == p.Name+NextSuffix })
		if i < 1 {
			return nil, nil, fmt.Errorf("@%s: state parameter %%%s has no result %%%s%s holding its next value", f.Name, p.Name, p.Name, NextSuffix)
		}
		names, results = append(names, p.Name), append(results, i)
	}
	return names, results, nil
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
//
// A model with parameters of role state returns the next value of each
// as a result "<state>.next" (ModelStateResults); the gradient function
// returns them after its own state.
func Build(f *ir.Func, cfg Config) (*Gradient, error) {
	modelState, keep, err := ModelStateResults(f)
	if err != nil {
		return nil, err
	}
	if cfg.Method == Backprop {
		return buildBackprop(f, modelState, keep)
	}
	m, err := passes.LookupGuessMethod(cfg.Method)
	if err != nil {
		return nil, fmt.Errorf("unknown method %q (known: %s)", cfg.Method, strings.Join(Methods(), ", "))
	}
	st, err := passes.Guess(f, passes.GuessOptions{Method: m, K: cfg.K, Guesses: cfg.Guesses, Iters: cfg.Iters,
		Oversample: cfg.Oversample, Exact: cfg.Exact, Sigma: cfg.Sigma, Keep: keep})
	if err != nil {
		return nil, err
	}
	g := &Gradient{Func: st.Func, Params: st.Estimates, Key: "guess.key", Counter: "guess.counter", Layers: st.Layers, K: cfg.K,
		ModelState: modelState}
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

func buildBackprop(f *ir.Func, modelState []string, keep []int) (*Gradient, error) {
	params := passes.ParamsWithRole(f, ir.Param)
	v, err := passes.VJPKeep(f, params, keep)
	if err != nil {
		return nil, err
	}
	layers, _ := passes.FindLayers(f)
	return &Gradient{Func: v, Params: params, Layers: layers, ModelState: modelState}, nil
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
