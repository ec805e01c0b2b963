package runtime

import (
	"fmt"
	"slices"
)

// A RunnerOption configures a Runner made by NewRunnerWith.
type RunnerOption func(*runnerConfig)

type runnerConfig struct {
	feedback []feedback
}

// A feedback writes a result into the input of a parameter after a run.
type feedback struct {
	param, result int
	// swap is set when the result has a buffer of its own, whose storage
	// is exchanged with the input's; otherwise the result is copied.
	swap bool
}

// Feedback makes the Runner write result number result into the input of
// parameter number param at the end of every successful run, so that the
// next run, given the same inputs, reads the updated value: a training
// step's parameters, optimizer slots and state. The two must have the same
// type.
//
// The input tensor of param is then updated in place: the Runner exchanges
// its storage with a buffer of its own where it can (the result's value
// is planned outside the arenas for that), and copies the result into it
// otherwise. So the input must be a tensor the caller owns, passed for no
// other fed-back parameter, whose element slices the caller does not keep
// across runs (read them through the tensor). Run's result number result
// is then that input tensor. A run that fails leaves the inputs as they
// were.
func Feedback(param, result int) RunnerOption {
	return func(c *runnerConfig) {
		c.feedback = append(c.feedback, feedback{param: param, result: result})
	}
}

// NewRunnerWith is NewRunner with options. It reports options that do not
// fit the function: a parameter or result out of range, types that
// differ, a parameter fed back twice.
func (it *Interpreter) NewRunnerWith(opts ...RunnerOption) (*Runner, error) {
	var cfg runnerConfig
	for _, opt := range opts {
		opt(&cfg)
	}
	fn := it.fn
	fed := map[int]bool{}
	for _, fb := range cfg.feedback {
		if fb.param < 0 || fb.param >= len(fn.Params) || fb.result < 0 || fb.result >= len(fn.Results) {
			return nil, fmt.Errorf("runtime: feedback of result %d to parameter %d: @%s has %d parameters and %d results",
				fb.result, fb.param, fn.Name, len(fn.Params), len(fn.Results))
		}
		p, res := fn.Params[fb.param], fn.Results[fb.result]
		if !p.Type.Equal(res.Type) {
			return nil, fmt.Errorf("runtime: feedback of result %d (%s: %s) to parameter %s: %s: the types differ",
				fb.result, res, res.Type, p, p.Type)
		}
		if fed[fb.param] {
			return nil, fmt.Errorf("runtime: parameter %s is fed back twice", p)
		}
		fed[fb.param] = true
	}
	own := it.ownBuffers(cfg.feedback)
	r := it.newRunner(own)
	for _, fb := range cfg.feedback {
		fb.swap = own[it.results[fb.result]]
		r.feedback = append(r.feedback, fb)
	}
	// Copies first: they read results that the exchanges do not touch.
	slices.SortStableFunc(r.feedback, func(a, b feedback) int {
		return boolInt(a.swap) - boolInt(b.swap)
	})
	return r, nil
}

// ownBuffers returns the value slots whose storage feedback may exchange
// with an input: values computed into planned memory, returned once and
// fed back once. Others (parameters returned as they are, values returned
// twice, results of the kernels that allocate them) are copied.
func (it *Interpreter) ownBuffers(fbs []feedback) map[int]bool {
	returned := map[int]int{}
	for _, n := range it.results {
		returned[n]++
	}
	fedTimes := map[int]int{}
	for _, fb := range fbs {
		fedTimes[fb.result]++
	}
	into := map[int]bool{}
	for _, s := range it.steps {
		for _, n := range s.results {
			into[n] = s.kern.into
		}
	}
	own := map[int]bool{}
	for j, n := range it.results {
		if fedTimes[j] == 1 && returned[n] == 1 && into[n] {
			own[n] = true
		}
	}
	return own
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// feedBack writes the fed-back results into their inputs and returns
// those inputs as the results.
func (r *Runner) feedBack(inputs []*Tensor) {
	for _, fb := range r.feedback {
		in, res := inputs[fb.param], r.results[fb.result]
		switch {
		case in == res:
		case fb.swap:
			swapStorage(in, res)
		default:
			copyTensor(in, res)
		}
		r.results[fb.result] = in
	}
}

// swapStorage exchanges the elements of two tensors of the same type.
func swapStorage(a, b *Tensor) {
	a.F32, b.F32 = b.F32, a.F32
	a.F64, b.F64 = b.F64, a.F64
	a.I64, b.I64 = b.I64, a.I64
	a.U64, b.U64 = b.U64, a.U64
}

// checkFedInputs checks that the inputs of fed-back parameters are
// distinct tensors, so that each receives its own result.
func (r *Runner) checkFedInputs(inputs []*Tensor) error {
	for i, a := range r.feedback {
		for _, b := range r.feedback[:i] {
			if inputs[a.param] == inputs[b.param] {
				params := r.it.fn.Params
				return fmt.Errorf("runtime: the fed-back parameters %s and %s are given the same tensor", params[b.param], params[a.param])
			}
		}
	}
	return nil
}
