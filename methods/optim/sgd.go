package optim

import (
	"fmt"

	"github.com/pushforward/pushforward/ir"
)

// SGD is plain stochastic gradient descent, torch.optim.SGD with
// momentum 0. Each step:
//
//	g ← g + wd·p      (only if wd ≠ 0; grad.add(param, alpha=wd))
//	p ← p − lr·g      (param.add_(grad, alpha=-lr))
//
// It has no slots.
type SGD struct {
	LR, WeightDecay float64
}

// Name returns "sgd".
func (SGD) Name() string { return "sgd" }

// Slots returns no slots.
func (SGD) Slots() []string { return nil }

// Validate checks that lr and the weight decay are finite and ≥ 0.
func (o SGD) Validate() error {
	if err := checkNonNeg("sgd", "learning rate", o.LR); err != nil {
		return err
	}
	return checkNonNeg("sgd", "weight decay", o.WeightDecay)
}

// Update emits the SGD step of p.
func (o SGD) Update(e ir.Emitter, p, g *ir.Value, _ []*ir.Value, _ *ir.Value) (*ir.Value, []*ir.Value) {
	g = decayGrad(e, p, g, o.WeightDecay)
	return axpy(e, p, -o.LR, g), nil
}

// decayGrad emits PyTorch's coupled weight decay g + wd·p, or returns g
// when wd is 0.
func decayGrad(e ir.Emitter, p, g *ir.Value, wd float64) *ir.Value {
	if wd == 0 {
		return g
	}
	return Label(e, axpy(e, g, wd, p), "grad")
}

// Momentum is SGD with momentum, torch.optim.SGD with momentum μ > 0,
// optionally Nesterov's. Its one slot "buf" is PyTorch's momentum_buffer.
// Each step t = 1, 2, ...:
//
//	g ← g + wd·p                         (only if wd ≠ 0)
//	buf ← g                              at t = 1 (the buffer is created as a copy of g)
//	buf ← μ·buf + (1 − dampening)·g      at t > 1 (buf.mul_(μ).add_(g, alpha=1-dampening))
//	g ← g + μ·buf  (Nesterov)   or   g ← buf
//	p ← p − lr·g
//
// The choice between the first two lines is a select on t == 1, so the
// zero initial slot never enters the arithmetic. With μ = 0, PyTorch keeps
// no buffer and the step is SGD's; so is this one (buf then holds g).
// As in PyTorch, Nesterov needs μ > 0 and dampening 0.
type Momentum struct {
	LR, Mu, Dampening, WeightDecay float64
	Nesterov                       bool
}

// Name returns "momentum".
func (Momentum) Name() string { return "momentum" }

// Slots returns the momentum buffer, "buf".
func (Momentum) Slots() []string { return []string{"buf"} }

// Validate checks the hyperparameters the way torch.optim.SGD does.
func (o Momentum) Validate() error {
	for _, c := range []struct {
		name string
		v    float64
	}{{"learning rate", o.LR}, {"momentum", o.Mu}, {"weight decay", o.WeightDecay}} {
		if err := checkNonNeg("momentum", c.name, c.v); err != nil {
			return err
		}
	}
	if err := checkFinite("momentum", "dampening", o.Dampening); err != nil {
		return err
	}
	if o.Nesterov && (o.Mu <= 0 || o.Dampening != 0) {
		return fmt.Errorf("optim: momentum: Nesterov momentum needs momentum > 0 and dampening 0 (have %v and %v)", o.Mu, o.Dampening)
	}
	return nil
}

// Update emits the momentum step of p.
func (o Momentum) Update(e ir.Emitter, p, g *ir.Value, slots []*ir.Value, step *ir.Value) (*ir.Value, []*ir.Value) {
	g = decayGrad(e, p, g, o.WeightDecay)
	buf := g
	if o.Mu != 0 {
		first := Label(e, eq(e, step, scalarLike(e, step, 1)), "first")
		blend := Label(e, axpy(e, scale(e, slots[0], o.Mu), 1-o.Dampening, g), "blend")
		buf = sel(e, first, g, blend)
	}
	d := buf
	if o.Nesterov {
		d = Label(e, axpy(e, g, o.Mu, buf), "nesterov")
	}
	return axpy(e, p, -o.LR, d), []*ir.Value{buf}
}
