package train

import (
	"fmt"
	"slices"

	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/methods/fwdgrad"
	"github.com/pushforward/pushforward/methods/optim"
	"github.com/pushforward/pushforward/passes"
	"github.com/pushforward/pushforward/runtime"
)

// A compiler builds the step and evaluation functions of a model, once
// per batch size.
type compiler struct {
	model Model
	// evalModel is the model evaluated (Config.EvalModel, or model).
	evalModel Model
	// collapse adds the features and the classifier to the evaluation's
	// results (Config.Collapse).
	collapse bool
	method   fwdgrad.Config
	opt      optim.Optimizer
	sig      signature
	// schedule adds passes.Schedule to the step's pipeline, fuse
	// passes.Fuse to both pipelines.
	schedule, fuse bool
	steps          map[int]*stepFn
	evals          map[int]*evalFn
	single         *ir.Func // the model at batch 1, for the guess's inputs

	// backend, if set, runs the compiled functions (Config.Backend).
	backend func(*ir.Func) (Stepper, error)

	// interpret runs the functions with Interpreter.Run, which allocates
	// every value afresh, instead of Runners: the reference the tests
	// compare the Runners with.
	interpret bool
}

func newCompiler(model Model, cfg Config, sig signature) *compiler {
	eval := cfg.EvalModel
	if eval == nil {
		eval = model
	}
	return &compiler{model: model, evalModel: eval, collapse: cfg.Collapse, method: cfg.Method, opt: cfg.Optimizer, sig: sig,
		schedule: cfg.Schedule, fuse: cfg.Fuse,
		steps: map[int]*stepFn{}, evals: map[int]*evalFn{}, backend: cfg.Backend, interpret: cfg.interpret}
}

// StepFunc returns the training step Run compiles for a batch of batch
// examples with cfg: the model's gradient (or its forward-gradient
// estimate) followed by the optimizer's update, after the clean-up passes
// (and schedule and fuse, as cfg asks), as a Backend is given it.
// Generators of Go code for training (examples/generate) emit these
// functions.
func StepFunc(model Model, cfg Config, batch int) (*ir.Func, error) {
	c, err := standalone(model, cfg, batch)
	if err != nil {
		return nil, err
	}
	fn, _, _, err := c.buildStep(batch)
	return fn, err
}

// EvalFunc returns the evaluation function Run compiles for a chunk of
// batch examples: the model with the results loss and number of correct
// predictions, after the same passes as StepFunc.
func EvalFunc(model Model, cfg Config, batch int) (*ir.Func, error) {
	c, err := standalone(model, cfg, batch)
	if err != nil {
		return nil, err
	}
	fn, _, err := c.buildEval(batch)
	return fn, err
}

// standalone returns a compiler of model whose signature is the model's
// at batch.
func standalone(model Model, cfg Config, batch int) (*compiler, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if model == nil {
		return nil, fmt.Errorf("train: no model")
	}
	_, _, sig, err := model.build(batch)
	if err != nil {
		return nil, err
	}
	return newCompiler(model, cfg, sig), nil
}

// A stepFn is the training step compiled for one batch size: the model's
// gradient (or estimate) followed by the optimizer's update.
type stepFn struct {
	fn *ir.Func
	it *runtime.Interpreter // nil with a backend
	// runner runs the step, feeding the new state back; nil in the
	// reference path (compiler.interpret) and with a backend.
	runner *runtime.Runner
	// stepper runs the step when the run has a backend; feeds are the
	// results it copies into the state after each step.
	stepper Stepper
	feeds   []fed
	inputs  []input
	args    []*runtime.Tensor
	layout  *optim.Step
	grad    *fwdgrad.Gradient
	buf     *batchBuf
	sig     signature
	// single returns the model at batch 1, which computes the guess's
	// inputs (see refresh).
	single func() (*ir.Func, error)
}

// An evalFn is the model compiled for one batch size with the results
// loss and number of correct predictions.
type evalFn struct {
	it      *runtime.Interpreter
	runner  *runtime.Runner // nil in the reference path and with a backend
	stepper Stepper         // with a backend
	inputs  []input
	args    []*runtime.Tensor
	buf     *batchBuf
	// probe locates the features and the classifier among the results
	// (collapse only).
	probe *probeResults
}

// step returns the training step for batch, compiling it on first use.
func (c *compiler) step(batch int) (*stepFn, error) {
	if s, ok := c.steps[batch]; ok {
		return s, nil
	}
	s, err := c.compileStep(batch)
	if err != nil {
		return nil, fmt.Errorf("train: compiling the %s step for batch %d: %w", c.method.Method, batch, err)
	}
	c.steps[batch] = s
	return s, nil
}

// eval returns the evaluation function for batch, compiling it on first use.
func (c *compiler) eval(batch int) (*evalFn, error) {
	if e, ok := c.evals[batch]; ok {
		return e, nil
	}
	e, err := c.compileEval(batch)
	if err != nil {
		return nil, fmt.Errorf("train: compiling the evaluation for batch %d: %w", batch, err)
	}
	c.evals[batch] = e
	return e, nil
}

func (c *compiler) compileStep(batch int) (*stepFn, error) {
	fn, st, g, err := c.buildStep(batch)
	if err != nil {
		return nil, err
	}
	inputs, err := bindInputs(fn, c.sig, g)
	if err != nil {
		return nil, err
	}
	s := &stepFn{fn: fn, inputs: inputs, args: make([]*runtime.Tensor, len(inputs)), layout: st, grad: g,
		buf: newBatchBuf(fn.Param(c.sig.x).Type), single: c.singleModel, sig: c.sig}
	switch {
	case c.backend != nil:
		if s.stepper, err = c.backend(fn); err != nil {
			return nil, err
		}
	default:
		if s.it, err = runtime.New(fn); err != nil {
			return nil, err
		}
		if !c.interpret {
			if s.runner, err = s.newStepRunner(); err != nil {
				return nil, err
			}
		}
	}
	return s, nil
}

// buildStep builds the step for batch and runs its passes.
func (c *compiler) buildStep(batch int) (*ir.Func, *optim.Step, *fwdgrad.Gradient, error) {
	f, err := c.buildModel(batch)
	if err != nil {
		return nil, nil, nil, err
	}
	g, err := fwdgrad.Build(f, c.method)
	if err != nil {
		return nil, nil, nil, err
	}
	st, err := optim.Apply(g.Func, g.Params, c.opt)
	if err != nil {
		return nil, nil, nil, err
	}
	if st.Extra != len(g.State)+len(g.ModelState) {
		return nil, nil, nil, fmt.Errorf("the step returns %d extra results for %d guess states and %d model states", st.Extra, len(g.State), len(g.ModelState))
	}
	pipeline := passes.Cleanup
	if c.schedule {
		pipeline = append(pipeline[:len(pipeline):len(pipeline)], "schedule")
	}
	fn, err := c.runPasses(st.Func, pipeline)
	return fn, st, g, err
}

func (c *compiler) compileEval(batch int) (*evalFn, error) {
	fn, probe, err := c.buildEval(batch)
	if err != nil {
		return nil, err
	}
	inputs, err := bindInputs(fn, c.sig, nil)
	if err != nil {
		return nil, err
	}
	e := &evalFn{inputs: inputs, args: make([]*runtime.Tensor, len(inputs)), buf: newBatchBuf(fn.Param(c.sig.x).Type), probe: probe}
	switch {
	case c.backend != nil:
		if e.stepper, err = c.backend(fn); err != nil {
			return nil, err
		}
	default:
		if e.it, err = runtime.New(fn); err != nil {
			return nil, err
		}
		if !c.interpret {
			e.runner = e.it.NewRunner()
		}
	}
	return e, nil
}

// buildEval builds the evaluation function for batch and runs its passes.
func (c *compiler) buildEval(batch int) (*ir.Func, *probeResults, error) {
	f, err := c.buildEvalModel(batch)
	if err != nil {
		return nil, nil, err
	}
	f, probe, err := withCorrect(f, c.sig, c.collapse)
	if err != nil {
		return nil, nil, err
	}
	// Declarative layers (argmin) run on what the implicit pass derives.
	fn, err := c.runPasses(f, append([]string{"implicit"}, passes.Cleanup...))
	return fn, probe, err
}

// buildModel builds the model for batch and checks that it trains the
// same parameters at every batch size.
func (c *compiler) buildModel(batch int) (*ir.Func, error) {
	f, _, sig, err := c.model.build(batch)
	if err != nil {
		return nil, err
	}
	if sig.x != c.sig.x || sig.labels != c.sig.labels || !slices.Equal(sig.params, c.sig.params) || !slices.Equal(sig.states, c.sig.states) {
		return nil, fmt.Errorf("the model's parameters at batch %d (%s, %s, %v, state %v) differ from those at the full batch (%s, %s, %v, state %v)",
			batch, sig.x, sig.labels, sig.params, sig.states, c.sig.x, c.sig.labels, c.sig.params, c.sig.states)
	}
	return f, nil
}

// buildEvalModel builds the evaluated model for batch and checks that it
// reads the trained parameters and no state the training does not carry.
func (c *compiler) buildEvalModel(batch int) (*ir.Func, error) {
	f, _, sig, err := c.evalModel.build(batch)
	if err != nil {
		return nil, fmt.Errorf("evaluation %w", err)
	}
	if sig.x != c.sig.x || sig.labels != c.sig.labels || !slices.Equal(sig.params, c.sig.params) {
		return nil, fmt.Errorf("the evaluated model's parameters at batch %d (%s, %s, %v) differ from the trained ones (%s, %s, %v)",
			batch, sig.x, sig.labels, sig.params, c.sig.x, c.sig.labels, c.sig.params)
	}
	for _, name := range sig.states {
		if !slices.Contains(c.sig.states, name) {
			return nil, fmt.Errorf("the evaluated model reads the state %%%s, which the trained model does not carry (it has %v)", name, c.sig.states)
		}
	}
	return f, nil
}

// singleModel returns the model at batch 1, building it on first use.
func (c *compiler) singleModel() (*ir.Func, error) {
	if c.single == nil {
		f, err := c.buildModel(1)
		if err != nil {
			return nil, fmt.Errorf("train: the model at batch 1: %w", err)
		}
		c.single = f
	}
	return c.single, nil
}

// runPasses runs the pipeline on fn, followed by the fuse pass if the
// configuration asks for it, verifying it after every pass.
func (c *compiler) runPasses(fn *ir.Func, pipeline []string) (*ir.Func, error) {
	if c.fuse {
		pipeline = append(pipeline[:len(pipeline):len(pipeline)], "fuse")
	}
	return passes.Run(fn, pipeline, passes.Options{Verify: true})
}

// withCorrect returns a copy of the model f whose results are the loss
// and the number of examples whose label has the largest logit (as
// nn.Accuracy, a tie with the label counts as correct), then, with
// collapse, the features, logits and classifier, whose positions the
// probeResults give. The new values are named eval.1, eval.2, ...
func withCorrect(f *ir.Func, sig signature, collapse bool) (*ir.Func, *probeResults, error) {
	f = f.Clone()
	var probe *probeResults
	if collapse {
		var err error
		if probe, err = findProbe(f, sig); err != nil {
			return nil, nil, err
		}
	}
	w := ir.NewWriter(f, nil)
	w.Scope("eval")
	emit := func(op ir.Op, args []*ir.Value, attrs ir.Attrs, declared ...ir.Type) *ir.Value {
		if rs := w.Emit(op, args, attrs, declared...); rs != nil {
			return rs[0]
		}
		return nil
	}
	logits, labels := f.Results[1], f.Param(sig.labels)
	t := logits.Type
	hot := emit(ir.OpOneHot, []*ir.Value{labels}, ir.Attrs{"depth": ir.Int(sig.classes)}, t)
	picked := emit(ir.OpReduceSum, []*ir.Value{emit(ir.OpMul, []*ir.Value{logits, hot}, nil)}, ir.Attrs{"axes": ir.Ints(1)})
	best := emit(ir.OpReduceMax, []*ir.Value{logits}, ir.Attrs{"axes": ir.Ints(1)})
	correct := emit(ir.OpReduceSum, []*ir.Value{emit(ir.OpGe, []*ir.Value{picked, best}, nil)}, nil)
	if err := w.Err(); err != nil {
		return nil, nil, err
	}
	results := []*ir.Value{f.Results[0], correct}
	if probe != nil {
		results = probe.append(results)
	}
	f.Results = results
	return f, probe, nil
}
