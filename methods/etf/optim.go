package etf

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/methods/optim"
)

// UnitClassifier wraps an optimizer for the standard head: after the
// update of each parameter named in Params, a classifier stored [d, K]
// (nn.ETFClassifier's head.w), its K class vectors (the columns; the rows
// of PyTorch's [K, d] weight) are scaled to unit norm, as the reference
// does after every step (normalise_classifier).
type UnitClassifier struct {
	optim.Optimizer
	Params []string
}

// Name returns the inner optimizer's name with "+unit".
func (u UnitClassifier) Name() string { return u.Optimizer.Name() + "+unit" }

// Validate validates the inner optimizer.
func (u UnitClassifier) Validate() error {
	if v, ok := u.Optimizer.(optim.Validator); ok {
		return v.Validate()
	}
	return nil
}

// Update emits the inner update, then the normalisation of p's columns if
// p is one of Params.
func (u UnitClassifier) Update(e ir.Emitter, p, g *ir.Value, slots []*ir.Value, step *ir.Value) (*ir.Value, []*ir.Value) {
	np, ns := u.Optimizer.Update(e, p, g, slots, step)
	if np == nil || !slices.Contains(u.Params, p.Name) || np.Type.Rank() != 2 {
		return np, ns
	}
	one := func(op ir.Op, attrs ir.Attrs, args ...*ir.Value) *ir.Value {
		if rs := e.Emit(op, args, attrs); rs != nil {
			return rs[0]
		}
		return nil
	}
	sq := one(ir.OpSquare, nil, np)
	norm := one(ir.OpSqrt, nil, one(ir.OpReduceSum, ir.Attrs{"axes": ir.Ints(0), "keepdims": ir.Bool(true)}, sq))
	floor := e.Emit(ir.OpFull, nil, ir.Attrs{"value": ir.Float(1e-12)}, ir.Scalar(np.Type.DType))
	if norm == nil || floor == nil {
		return nil, ns
	}
	return optim.Label(e, one(ir.OpDiv, nil, np, one(ir.OpMaximum, nil, norm, floor[0])), "unit"), ns
}

// PerParam updates each parameter with the optimizer its name's longest
// matching prefix in ByPrefix picks, else with Default: SGD with one
// learning rate for the unconstrained features and another for the
// classifier, as in the nearest-ETF paper's UFM runs. Every optimizer must
// have Default's slots.
type PerParam struct {
	Default  optim.Optimizer
	ByPrefix map[string]optim.Optimizer
}

// Name lists the optimizers.
func (o PerParam) Name() string {
	parts := []string{o.Default.Name()}
	for _, k := range slices.Sorted(maps.Keys(o.ByPrefix)) {
		parts = append(parts, k+":"+o.ByPrefix[k].Name())
	}
	return strings.Join(parts, ",")
}

// Slots returns Default's slots.
func (o PerParam) Slots() []string { return o.Default.Slots() }

// Validate checks every optimizer and that they share their slots.
func (o PerParam) Validate() error {
	if o.Default == nil {
		return fmt.Errorf("etf: PerParam without a default optimizer")
	}
	for _, opt := range append([]optim.Optimizer{o.Default}, mapValues(o.ByPrefix)...) {
		if !slices.Equal(opt.Slots(), o.Default.Slots()) {
			return fmt.Errorf("etf: PerParam: %s has slots %v, the default %s has %v", opt.Name(), opt.Slots(), o.Default.Name(), o.Default.Slots())
		}
		if v, ok := opt.(optim.Validator); ok {
			if err := v.Validate(); err != nil {
				return err
			}
		}
	}
	return nil
}

func mapValues(m map[string]optim.Optimizer) []optim.Optimizer {
	var out []optim.Optimizer
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, m[k])
	}
	return out
}

// pick returns the optimizer of parameter name.
func (o PerParam) pick(name string) optim.Optimizer {
	best, opt := -1, o.Default
	for prefix, candidate := range o.ByPrefix {
		if strings.HasPrefix(name, prefix) && len(prefix) > best {
			best, opt = len(prefix), candidate
		}
	}
	return opt
}

// Update emits the update of p by its optimizer.
func (o PerParam) Update(e ir.Emitter, p, g *ir.Value, slots []*ir.Value, step *ir.Value) (*ir.Value, []*ir.Value) {
	return o.pick(p.Name).Update(e, p, g, slots, step)
}
