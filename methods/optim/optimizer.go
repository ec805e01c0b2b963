package optim

import (
	"fmt"
	"math"
	"strings"

	"github.com/pushforward/pushforward/ir"
)

// An Optimizer emits the update of one parameter.
//
// Slots names the per-parameter state tensors (e.g. "m", "v"), each of
// the parameter's type and zero before the first step. Update emits, only
// through e, the new value of the parameter p given its gradient g (same
// type), the current slots (in Slots order) and step, the 1-based number of
// the step being taken as an i64 scalar (PyTorch's state["step"] after its
// increment: 1 on the first update). It returns the new parameter and the
// new slots, in Slots order, each of the type of the value it replaces.
type Optimizer interface {
	Name() string
	Slots() []string
	Update(e ir.Emitter, p, g *ir.Value, slots []*ir.Value, step *ir.Value) (newP *ir.Value, newSlots []*ir.Value)
}

// A Validator is an Optimizer that can check its hyperparameters. Apply and
// New call Validate before emitting anything.
type Validator interface {
	Validate() error
}

// A Labeler is an Emitter that can give emitted values readable names.
// Apply's emitter, an ir.Writer, is one: it names v "<param>.<label>"
// (e.g. "w1.denom") when that name is free.
type Labeler interface {
	Label(v *ir.Value, label string)
}

var _ Labeler = (*ir.Writer)(nil)

// Label names v for dumps if e is a Labeler, and returns v. Updates use it
// to make the emitted graph readable; with other emitters it does nothing.
func Label(e ir.Emitter, v *ir.Value, label string) *ir.Value {
	if l, ok := e.(Labeler); ok && v != nil {
		l.Label(v, label)
	}
	return v
}

// Names lists the optimizers New knows.
func Names() []string { return []string{"sgd", "momentum", "adamw"} }

// New returns the optimizer called name with learning rate lr and
// PyTorch's defaults otherwise:
//
//	sgd       SGD{LR: lr}
//	momentum  Momentum{LR: lr, Mu: 0.9}
//	adamw     DefaultAdamW() with LR = lr (β = (0.9, 0.999), eps 1e-8, weight decay 0.01)
func New(name string, lr float64) (Optimizer, error) {
	var o Optimizer
	switch name {
	case "sgd":
		o = SGD{LR: lr}
	case "momentum":
		o = Momentum{LR: lr, Mu: 0.9}
	case "adamw":
		a := DefaultAdamW()
		a.LR = lr
		o = a
	default:
		return nil, fmt.Errorf("optim: unknown optimizer %q (known: %s)", name, strings.Join(Names(), ", "))
	}
	if err := o.(Validator).Validate(); err != nil {
		return nil, err
	}
	return o, nil
}

// checkNonNeg reports a hyperparameter that is negative, infinite or NaN.
func checkNonNeg(opt, name string, v float64) error {
	if !(v >= 0) || math.IsInf(v, 0) {
		return fmt.Errorf("optim: %s: invalid %s %v (want a finite number ≥ 0)", opt, name, v)
	}
	return nil
}

// checkFinite reports a hyperparameter that is infinite or NaN.
func checkFinite(opt, name string, v float64) error {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return fmt.Errorf("optim: %s: invalid %s %v (want a finite number)", opt, name, v)
	}
	return nil
}

// checkBeta reports a decay rate outside [0, 1).
func checkBeta(opt, name string, v float64) error {
	if !(v >= 0 && v < 1) {
		return fmt.Errorf("optim: %s: invalid %s %v (want 0 ≤ %s < 1)", opt, name, v, name)
	}
	return nil
}
