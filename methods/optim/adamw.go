package optim

import (
	"math"

	"github.com/pushforward/pushforward/ir"
)

// AdamW is Adam with decoupled weight decay, torch.optim.AdamW without
// amsgrad, as its single-tensor code path computes it. Slots "m" and "v"
// are PyTorch's exp_avg and exp_avg_sq. Each step t = 1, 2, ...:
//
//	p ← p·(1 − lr·wd)                       (param.mul_(1 - lr*weight_decay); skipped when the factor is 1)
//	m ← β1·m + (1 − β1)·g                   (exp_avg.lerp_(grad, 1-β1))
//	v ← β2·v + (1 − β2)·g·g                 (exp_avg_sq.mul_(β2).addcmul_(grad, grad, value=1-β2))
//	bc1 = 1 − β1ᵗ,  bc2 = 1 − β2ᵗ
//	step_size = lr / bc1
//	denom = √v / √bc2 + eps                 ((exp_avg_sq.sqrt() / bias_correction2_sqrt).add_(eps))
//	p ← p − step_size·m / denom             (param.addcdiv_(exp_avg, denom, value=-step_size))
//
// The products are evaluated in the order of PyTorch's CPU kernels
// (addcmul: v + ((1 − β2)·g)·g; addcdiv: p − (step_size·m)/denom), and m
// is updated as torch.lerp computes it, m + w·(g − m) for a weight
// w = 1 − β1 below ½ and g − (g − m)·(1 − w) otherwise, which is the second
// line up to rounding. βᵗ is computed in the IR as exp(t·ln β) with
// t cast to the parameter's dtype, so for f32 parameters the bias
// corrections are f32 (PyTorch computes them in float64).
type AdamW struct {
	LR, Beta1, Beta2, Eps, WeightDecay float64
}

// DefaultAdamW returns lr 1e-4, β = (0.9, 0.999), eps 1e-8, weight decay
// 0.01: torch.optim.AdamW's defaults but for the learning rate (PyTorch's
// is 1e-3).
func DefaultAdamW() AdamW {
	return AdamW{LR: 1e-4, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.01}
}

// Name returns "adamw".
func (AdamW) Name() string { return "adamw" }

// Slots returns the first and second moment estimates, "m" and "v".
func (AdamW) Slots() []string { return []string{"m", "v"} }

// Validate checks the hyperparameters the way torch.optim.AdamW does:
// lr, eps and weight decay ≥ 0, 0 ≤ β < 1.
func (o AdamW) Validate() error {
	if err := checkNonNeg("adamw", "learning rate", o.LR); err != nil {
		return err
	}
	if err := checkNonNeg("adamw", "eps", o.Eps); err != nil {
		return err
	}
	if err := checkBeta("adamw", "beta1", o.Beta1); err != nil {
		return err
	}
	if err := checkBeta("adamw", "beta2", o.Beta2); err != nil {
		return err
	}
	return checkNonNeg("adamw", "weight decay", o.WeightDecay)
}

// Update emits the AdamW step of p.
func (o AdamW) Update(e ir.Emitter, p, g *ir.Value, slots []*ir.Value, step *ir.Value) (*ir.Value, []*ir.Value) {
	if f := 1 - o.LR*o.WeightDecay; f != 1 {
		p = Label(e, scale(e, p, f), "decayed")
	}
	m := lerp(e, slots[0], g, 1-o.Beta1)
	v := add(e, scale(e, slots[1], o.Beta2), mul(e, scale(e, g, 1-o.Beta2), g))

	d := p.Type.DType
	t := Label(e, cast(e, step, d), "t")
	one := scalar(e, d, 1)
	bc1 := Label(e, sub(e, one, powStep(e, o.Beta1, t)), "bc1")
	bc2 := Label(e, sub(e, one, powStep(e, o.Beta2, t)), "bc2")
	stepSize := Label(e, div(e, scalar(e, d, o.LR), bc1), "step_size")
	denom := Label(e, add(e, div(e, sqrt(e, v), sqrt(e, bc2)), scalar(e, d, o.Eps)), "denom")
	newP := sub(e, p, div(e, mul(e, stepSize, m), denom))
	return newP, []*ir.Value{m, v}
}

// lerp emits start + w·(end − start) the way torch.lerp evaluates it:
// start + w·(end − start) for |w| < ½, else end − (end − start)·(1 − w).
func lerp(e ir.Emitter, start, end *ir.Value, w float64) *ir.Value {
	diff := sub(e, end, start)
	if math.Abs(w) < 0.5 {
		return add(e, start, scale(e, diff, w))
	}
	return sub(e, end, scale(e, diff, 1-w))
}
