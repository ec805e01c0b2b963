package optim

import (
	"errors"
	"fmt"
	"slices"

	"github.com/pushforward/pushforward/ir"
)

// StepName is the name of the step counter Apply adds: an i64 scalar
// state parameter, 0 before the first step.
const StepName = "optim.step"

// A Step is a training step made by Apply: its function and the layout of
// its parameters and results.
//
// Func takes the gradient function's parameters, then the slot parameters
// named in Slots (role state, each of its parameter's type, zero before
// the first step), then StepName. Its results are
//
//	0                               the loss
//	1 .. len(Params)                the new value of each trained parameter, in Params order
//	.. + len(Slots)                 the new value of each slot parameter, in Slots order
//	1 + len(Params) + len(Slots)    the new step counter
//	the last Extra results          the gradient function's extra results, unchanged
//
// so a training loop feeds results 1 .. 1+len(Params)+len(Slots) back into
// the parameters of the same names (ResultOf gives the index by name).
type Step struct {
	Func *ir.Func
	// Params are the trained parameters, in the order given to Apply.
	Params []string
	// Slots are the slot parameters, "<param>.<slot>", parameter by
	// parameter and, within one, in the optimizer's Slots order.
	Slots []string
	// StepName is the step counter's parameter, StepName.
	StepName string
	// Extra is the number of extra results passed through.
	Extra int
}

// ResultOf returns the index of the result holding the next value of the
// parameter called name (a trained parameter, a slot or the step counter),
// or -1 if the step does not update it.
func (s *Step) ResultOf(name string) int {
	if i := slices.Index(s.Params, name); i >= 0 {
		return 1 + i
	}
	if i := slices.Index(s.Slots, name); i >= 0 {
		return 1 + len(s.Params) + i
	}
	if name == s.StepName {
		return 1 + len(s.Params) + len(s.Slots)
	}
	return -1
}

// Apply appends opt's update to g and returns the training step, a new
// function named "<g>_step"; g is not modified.
//
// g's results must be [loss, gradient of grads[0], gradient of grads[1],
// ..., extra results...]: the loss a float scalar, grads distinct
// float parameters of g with role param, and each gradient of its
// parameter's type. The step increments the counter, then runs opt's
// Update once per trained parameter with the incremented counter, so the
// first step is step 1. New values are named for dumps: "w1.next",
// "w1.m.next", "optim.step.next", and the values of w1's update "w1.…".
//
// Errors name the offending parameter or result.
func Apply(g *ir.Func, grads []string, opt Optimizer) (*Step, error) {
	if g == nil {
		return nil, errors.New("optim: nil function")
	}
	if opt == nil {
		return nil, fmt.Errorf("optim: @%s: nil optimizer", g.Name)
	}
	if v, ok := opt.(Validator); ok {
		if err := v.Validate(); err != nil {
			return nil, err
		}
	}
	if err := ir.Verify(g); err != nil {
		return nil, fmt.Errorf("optim: @%s does not verify: %w", g.Name, err)
	}
	if err := checkGradFunc(g, grads); err != nil {
		return nil, fmt.Errorf("optim: @%s: %w", g.Name, err)
	}
	slots := opt.Slots()
	stateNames, err := slotParams(g, grads, opt.Name(), slots)
	if err != nil {
		return nil, fmt.Errorf("optim: @%s: %w", g.Name, err)
	}

	f := g.Clone()
	f.Name = g.Name + "_step"
	for i, name := range grads {
		t := f.Param(name).Type
		for j := range slots {
			f.AddParam(stateNames[i*len(slots)+j], t.WithShape(t.Shape), ir.State)
		}
	}
	stepParam := f.AddParam(StepName, ir.Scalar(ir.I64), ir.State)

	e := ir.NewWriter(f, nil)
	e.Scope("optim")
	stepNext := add(e, stepParam, scalar(e, ir.I64, 1))
	e.Label(stepNext, "step.next")

	newParams := make([]*ir.Value, len(grads))
	var newSlots []*ir.Value
	named := map[*ir.Value]bool{}
	for i, name := range grads {
		p := f.Param(name)
		cur := make([]*ir.Value, len(slots))
		for j := range slots {
			cur[j] = f.Param(stateNames[i*len(slots)+j])
		}
		e.Scope(name)
		np, ns := opt.Update(e, p, f.Results[1+i], cur, stepNext)
		if err := checkUpdate(e.Err(), p, np, cur, ns, slots); err != nil {
			return nil, fmt.Errorf("optim: @%s: %s update of %%%s: %w", g.Name, opt.Name(), name, err)
		}
		nameResult(e, named, np, "next")
		for j, s := range ns {
			nameResult(e, named, s, slots[j]+".next")
		}
		newParams[i] = np
		newSlots = append(newSlots, ns...)
	}

	extra := f.Results[1+len(grads):]
	results := []*ir.Value{f.Results[0]}
	results = append(results, newParams...)
	results = append(results, newSlots...)
	results = append(results, stepNext)
	f.Results = append(results, extra...)
	if err := ir.Verify(f); err != nil {
		return nil, fmt.Errorf("optim: %s step of @%s does not verify: %w", opt.Name(), g.Name, err)
	}
	return &Step{Func: f, Params: slices.Clone(grads), Slots: stateNames, StepName: StepName, Extra: len(extra)}, nil
}

// checkGradFunc checks g's results against the trained parameters.
func checkGradFunc(g *ir.Func, grads []string) error {
	if len(grads) == 0 {
		return errors.New("no parameters to train")
	}
	if len(g.Results) < 1+len(grads) {
		return fmt.Errorf("returns %d results, want the loss and the gradients of the %d parameters %v", len(g.Results), len(grads), grads)
	}
	if loss := g.Results[0]; loss.Type.Rank() != 0 || !loss.Type.DType.IsFloat() {
		return fmt.Errorf("loss (result 0, %s) has type %s, want a float scalar", loss, loss.Type)
	}
	seen := map[string]bool{}
	for i, name := range grads {
		if seen[name] {
			return fmt.Errorf("parameter %%%s is listed twice", name)
		}
		seen[name] = true
		p := g.Param(name)
		switch {
		case p == nil:
			return fmt.Errorf("no parameter %%%s", name)
		case !p.Type.DType.IsFloat():
			return fmt.Errorf("parameter %%%s has type %s, want f32 or f64", name, p.Type)
		case p.Role != ir.Param:
			return fmt.Errorf("parameter %%%s has role %s, want param", name, p.Role)
		}
		if r := g.Results[1+i]; !r.Type.Equal(p.Type) {
			return fmt.Errorf("gradient of parameter %%%s (result %d, %s) has type %s, want %s", name, 1+i, r, r.Type, p.Type)
		}
	}
	return nil
}

// slotParams returns the names of the slot parameters, "<param>.<slot>",
// checking that they and StepName are free in g.
func slotParams(g *ir.Func, grads []string, opt string, slots []string) ([]string, error) {
	used := map[string]bool{}
	g.Values(func(v *ir.Value) bool {
		used[v.Name] = true
		return true
	})
	for i, s := range slots {
		if !ir.ValidName("x."+s) || slices.Contains(slots[:i], s) {
			return nil, fmt.Errorf("optimizer %s has an invalid or repeated slot name %q", opt, s)
		}
	}
	var names []string
	for _, p := range grads {
		for _, s := range slots {
			names = append(names, p+"."+s)
		}
	}
	for _, name := range append(slices.Clone(names), StepName) {
		if used[name] {
			return nil, fmt.Errorf("cannot add state parameter %%%s: the name is taken", name)
		}
		used[name] = true
	}
	return names, nil
}

// checkUpdate checks what an optimizer's Update returned.
func checkUpdate(emitErr error, p, np *ir.Value, cur, ns []*ir.Value, slots []string) error {
	if emitErr != nil {
		return emitErr
	}
	if np == nil {
		return errors.New("no new value of the parameter")
	}
	if !np.Type.Equal(p.Type) {
		return fmt.Errorf("new value of the parameter has type %s, want %s", np.Type, p.Type)
	}
	if len(ns) != len(slots) {
		return fmt.Errorf("%d new slot values for the %d slots %v", len(ns), len(slots), slots)
	}
	for j, s := range ns {
		switch {
		case s == nil:
			return fmt.Errorf("no new value of slot %s", slots[j])
		case !s.Type.Equal(cur[j].Type):
			return fmt.Errorf("new value of slot %s has type %s, want %s", slots[j], s.Type, cur[j].Type)
		}
	}
	return nil
}

// nameResult labels v, a new value returned by an update, unless it is
// already named as one.
func nameResult(e *ir.Writer, named map[*ir.Value]bool, v *ir.Value, label string) {
	if named[v] {
		return
	}
	named[v] = true
	e.Label(v, label)
}
